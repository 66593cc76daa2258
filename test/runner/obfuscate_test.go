package runner

// The runner's obfuscators (issue 12 item 5), end to end: a fixture check calls
// datadog_agent.obfuscate_sql / obfuscate_sql_exec_plan / obfuscate_mongodb_string for every case
// of the tables below (through rtloader's builtins and the runner's host callbacks) and writes
// what came back; the expected texts are the Datadog Agent's (pkg/obfuscate, go-sqllexer).

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The options DBM integrations pass (postgres's defaults), and the legacy form (no mode).
const (
	optsDBM = `{"dbms":"postgresql","obfuscation_mode":"obfuscate_and_normalize","table_names":true,` +
		`"collect_commands":true,"collect_comments":true,"collect_procedures":true,"return_json_metadata":true,` +
		`"keep_sql_alias":true,"dollar_quoted_func":true,"replace_digits":false}`
	optsBare     = `{"dbms":"postgresql","obfuscation_mode":"obfuscate_and_normalize"}`
	optsOnly     = `{"obfuscation_mode":"obfuscate_only"}`
	optsNormOnly = `{"obfuscation_mode":"normalize_only"}`
)

type obfCase struct {
	name    string
	fn      string // sql (default), plan, mongo
	input   string
	options *string // nil: the argument is omitted
	norm    bool    // plan: normalize=True

	want     string   // the bare result (or the metadata's query with optsDBM)
	tables   string   // with optsDBM: metadata.tables_csv
	commands []string // with optsDBM: metadata.commands (nil: not checked)
	comments []string // with optsDBM: metadata.comments (nil: not checked)
	procs    []string // with optsDBM: metadata.procedures (nil: not checked)
	wantErr  string   // the RuntimeError's text
}

func opt(s string) *string { return &s }

var sqlCases = []obfCase{
	// SELECT
	{name: "number", input: "SELECT 1", options: opt(optsDBM), want: "SELECT ?", commands: []string{"SELECT"}},
	{name: "string and table", input: "SELECT * FROM users WHERE name = 'alice'", options: opt(optsDBM),
		want: "SELECT * FROM users WHERE name = ?", tables: "users", commands: []string{"SELECT"}},
	{name: "negative decimal exponent", input: "SELECT * FROM t WHERE a = -1 AND b = 3.14 AND c = 1e10 AND d = -2.5E-3",
		options: opt(optsBare), want: "SELECT * FROM t WHERE a = ? AND b = ? AND c = ? AND d = ?"},
	{name: "minus between operands is an operator", input: "SELECT a-1, b - 2 FROM t", options: opt(optsBare),
		want: "SELECT a - ?, b - ? FROM t"},
	{name: "doubled quote escape", input: "SELECT 'it''s', 'a' FROM t", options: opt(optsBare), want: "SELECT ?, ? FROM t"},
	{name: "backslash escape", input: `SELECT 'a\'b' FROM t WHERE x = 1`, options: opt(optsBare),
		want: "SELECT ? FROM t WHERE x = ?"},
	{name: "trailing backslash read without escapes", input: `SELECT 'C:\' FROM t WHERE x = 1`, options: opt(optsBare),
		want: "SELECT ? FROM t WHERE x = ?"},
	{name: "E string", input: `SELECT E'tab\there' FROM t`, options: opt(optsBare), want: "SELECT ? FROM t"},
	{name: "hex and bit strings", input: "SELECT X'1F', B'1010', x'ab', 0x1F, N'nat' FROM t", options: opt(optsBare),
		want: "SELECT ?, ?, ?, ?, ? FROM t"},
	{name: "dollar quoted", input: "SELECT $$it's $ money$$ FROM t", options: opt(optsBare), want: "SELECT ? FROM t"},
	{name: "tagged dollar quote", input: "SELECT $body$ a $$ b $body$, 2 FROM t", options: opt(optsBare),
		want: "SELECT ?, ? FROM t"},
	{name: "dollar func obfuscated inside", input: "SELECT $func$SELECT * FROM t WHERE id in ('a', 1, 2)$func$ FROM users",
		options: opt(optsDBM), want: "SELECT $func$SELECT * FROM t WHERE id in ( ? )$func$ FROM users", tables: "users"},
	{name: "dollar func without the option", input: "SELECT $func$SELECT 1$func$", options: opt(optsBare), want: "SELECT ?"},
	{name: "booleans and null", input: "SELECT * FROM t WHERE a = TRUE AND b = false AND c IS NULL", options: opt(optsBare),
		want: "SELECT * FROM t WHERE a = ? AND b = ? AND c IS ?"},
	{name: "keep_boolean and keep_null", input: "SELECT * FROM t WHERE a = TRUE AND c IS NULL",
		options: opt(`{"obfuscation_mode":"obfuscate_and_normalize","keep_boolean":true,"keep_null":true}`),
		want:    "SELECT * FROM t WHERE a = TRUE AND c IS NULL"},
	{name: "positional parameters", input: "SELECT * FROM t WHERE a = $1 AND b = $12", options: opt(optsBare),
		want: "SELECT * FROM t WHERE a = ? AND b = ?"},
	{name: "keep_positional_parameter", input: "SELECT * FROM t WHERE a = $1",
		options: opt(`{"obfuscation_mode":"obfuscate_and_normalize","keep_positional_parameter":true}`),
		want:    "SELECT * FROM t WHERE a = $1"},
	{name: "question marks", input: "SELECT * FROM t WHERE a = ? AND b IN (?, ?, ?)", options: opt(optsBare),
		want: "SELECT * FROM t WHERE a = ? AND b IN ( ? )"},
	{name: "client placeholders", input: "SELECT * FROM t WHERE a = %s AND b = %(name)s AND c = 10 % 3",
		options: opt(optsBare), want: "SELECT * FROM t WHERE a = ? AND b = ? AND c = ? % ?"},
	{name: "named bind kept", input: "SELECT * FROM t WHERE a = :name", options: opt(optsBare),
		want: "SELECT * FROM t WHERE a = :name"},
	{name: "named bind replaced on request", input: "SELECT * FROM t WHERE a = :name",
		options: opt(`{"obfuscation_mode":"obfuscate_and_normalize","replace_bind_parameter":true}`),
		want:    "SELECT * FROM t WHERE a = ?"},
	{name: "IN list collapsed", input: "SELECT * FROM users WHERE id IN (1, 2, 3) AND name IN ARRAY['a', 'b']",
		options: opt(optsBare), want: "SELECT * FROM users WHERE id IN ( ? ) AND name IN ARRAY [ ? ]"},
	{name: "numbers in identifiers stay", input: "SELECT col1, t2.c3 FROM table1 JOIN t2 ON table1.id = t2.id2 WHERE c4 = 5",
		options: opt(optsDBM), want: "SELECT col1, t2.c3 FROM table1 JOIN t2 ON table1.id = t2.id2 WHERE c4 = ?",
		tables: "table1,t2", commands: []string{"SELECT", "JOIN"}},
	{name: "replace_digits", input: "SELECT * FROM table1 WHERE c3 = 4",
		options: opt(`{"obfuscation_mode":"obfuscate_and_normalize","replace_digits":true}`),
		want:    "SELECT * FROM table? WHERE c? = ?"},
	{name: "quoted identifiers kept as names", input: `SELECT "Name", "x1" FROM "public"."Users" WHERE "id" = 7`,
		options: opt(optsDBM), want: "SELECT Name, x1 FROM public.Users WHERE id = ?", tables: "public.Users"},
	{name: "keep_identifier_quotation", input: `SELECT "x" FROM "T" WHERE "y" = 'v'`,
		options: opt(`{"obfuscation_mode":"obfuscate_and_normalize","keep_identifier_quotation":true}`),
		want:    `SELECT "x" FROM "T" WHERE "y" = ?`},
	{name: "casts", input: "SELECT a::text, '2024-01-01'::date FROM t", options: opt(optsBare),
		want: "SELECT a :: text, ? :: date FROM t"},
	{name: "functions", input: "SELECT count(*), max(a) FROM t", options: opt(optsBare),
		want: "SELECT count ( * ), max ( a ) FROM t"},
	{name: "remove_space_between_parentheses", input: "SELECT count(*) FROM t WHERE a IN (1, 2)",
		options: opt(`{"obfuscation_mode":"obfuscate_and_normalize","remove_space_between_parentheses":true}`),
		want:    "SELECT count(*) FROM t WHERE a IN (?)"},
	{name: "alias kept", input: "SELECT u.id AS uid FROM users AS u", options: opt(optsDBM),
		want: "SELECT u.id AS uid FROM users AS u", tables: "users"},
	{name: "subquery", input: "SELECT * FROM (SELECT id FROM orders WHERE total > 100) sub", options: opt(optsDBM),
		want: "SELECT * FROM ( SELECT id FROM orders WHERE total > ? ) sub", tables: "orders"},
	// INSERT, UPDATE, DELETE
	{name: "insert values", input: "INSERT INTO events (id, name) VALUES (1, 'a'), (2, 'b')", options: opt(optsDBM),
		want: "INSERT INTO events ( id, name ) VALUES ( ? ), ( ? )", tables: "events", commands: []string{"INSERT"}},
	{name: "insert select", input: "INSERT INTO archive SELECT * FROM events WHERE ts < 5", options: opt(optsDBM),
		want: "INSERT INTO archive SELECT * FROM events WHERE ts < ?", tables: "archive,events",
		commands: []string{"INSERT", "SELECT"}},
	{name: "update", input: "UPDATE accounts SET balance = balance - 100.50, note = 'x' WHERE id = 3", options: opt(optsDBM),
		want: "UPDATE accounts SET balance = balance - ?, note = ? WHERE id = ?", tables: "accounts",
		commands: []string{"UPDATE"}},
	{name: "delete", input: "DELETE FROM sessions WHERE expires < now() - interval '1 day';", options: opt(optsDBM),
		want: "DELETE FROM sessions WHERE expires < now ( ) - interval ?", tables: "sessions", commands: []string{"DELETE"}},
	{name: "keep_trailing_semicolon", input: "DELETE FROM t WHERE a = 1;",
		options: opt(`{"obfuscation_mode":"obfuscate_and_normalize","keep_trailing_semicolon":true}`),
		want:    "DELETE FROM t WHERE a = ?;"},
	// CTEs
	{name: "cte", input: "WITH recent AS (SELECT * FROM orders WHERE created > '2024-01-01') SELECT count(*) FROM recent",
		options: opt(optsDBM), want: "WITH recent AS ( SELECT * FROM orders WHERE created > ? ) SELECT count ( * ) FROM recent",
		tables: "orders", commands: []string{"SELECT"}},
	{name: "two ctes", input: "WITH a AS (SELECT 1), b AS (SELECT x FROM items) SELECT * FROM b JOIN stock ON b.x = stock.x",
		options: opt(optsDBM), want: "WITH a AS ( SELECT ? ), b AS ( SELECT x FROM items ) SELECT * FROM b JOIN stock ON b.x = stock.x",
		tables: "items,b,stock", commands: []string{"SELECT", "JOIN"}},
	// comments
	{name: "comments removed and reported", input: "/* app='web' */ SELECT * FROM users -- by id\nWHERE id = 1",
		options: opt(optsDBM), want: "SELECT * FROM users WHERE id = ?", tables: "users",
		comments: []string{"/* app='web' */", "-- by id"}},
	{name: "multi-line comment kept whole", input: "/* line one\nline two */\nSELECT 1", options: opt(optsDBM),
		want: "SELECT ?", comments: []string{"/* line one\nline two */"}},
	{name: "comment-only query is empty", input: "-- nothing here", options: opt(optsBare), wantErr: "result is empty"},
	{name: "quote inside a comment is no string", input: "SELECT a /* it's */ FROM t WHERE b = 2", options: opt(optsBare),
		want: "SELECT a FROM t WHERE b = ?"},
	// multi-line and layout
	{name: "multi-line", input: "SELECT a,\n       b\n  FROM t\n WHERE c = 1\n   AND d = 'x'\n", options: opt(optsBare),
		want: "SELECT a, b FROM t WHERE c = ? AND d = ?"},
	{name: "obfuscate_only keeps the layout", input: "  SELECT *  /* hint */ FROM t\n WHERE a = 1 AND b='x'  ",
		options: opt(optsOnly), want: "SELECT *  /* hint */ FROM t\n WHERE a = ? AND b=?"},
	{name: "normalize_only keeps the literals", input: "SELECT *  FROM t\nWHERE a = 1", options: opt(optsNormOnly),
		want: "SELECT * FROM t WHERE a = 1"},
	{name: "procedure", input: "CREATE PROCEDURE TestProc AS SELECT * FROM users", options: opt(optsDBM),
		want: "CREATE PROCEDURE TestProc AS SELECT * FROM users", tables: "users", commands: []string{"CREATE", "SELECT"},
		procs: []string{"TestProc"}},
	{name: "metadata deduplicated", input: "SELECT * FROM a JOIN b ON a.x = b.x JOIN a ON 1 = 1", options: opt(optsDBM),
		want: "SELECT * FROM a JOIN b ON a.x = b.x JOIN a ON ? = ?", tables: "a,b", commands: []string{"SELECT", "JOIN"}},
	{name: "legacy mode drops aliases", input: "SELECT a AS b, c FROM t AS x WHERE d IN (1, 2)",
		want: "SELECT a, c FROM t WHERE d IN ( ? )"},
	{name: "utf-8 text", input: "SELECT 'héllo', ünï FROM tåble WHERE x = 'ß'", options: opt(optsBare),
		want: "SELECT ?, ünï FROM tåble WHERE x = ?"},
	// errors
	{name: "empty query", input: "", options: opt(optsBare), wantErr: "result is empty"},
	{name: "bad mode", input: "SELECT 1", options: opt(`{"obfuscation_mode":"bogus"}`),
		wantErr: "invalid obfuscation mode: bogus"},
	{name: "options not JSON", input: "SELECT 1", options: opt(`{oops`), wantErr: "invalid obfuscation options: "},
}

var jsonCases = []obfCase{
	{name: "plan keeps estimates, obfuscates conditions", fn: "plan",
		input: `[{"Plan": {"Node Type": "Index Scan", "Relation Name": "users", "Alias": "u", "Startup Cost": 0.29,
			"Total Cost": 8.30, "Plan Rows": 1, "Index Cond": "(id = 42)",
			"Filter": "((name)::text = 'bob'::text)", "Extra": [1, "x", null, true]}}]`,
		want: `[{"Plan":{"Node Type":"Index Scan","Relation Name":"users","Alias":"u","Startup Cost":0.29,` +
			`"Total Cost":8.30,"Plan Rows":1,"Index Cond":"( id = ? )",` +
			`"Filter":"( ( name ) :: text = ? :: text )","Extra":["?","?","?","?"]}}]`},
	{name: "plan normalized drops estimates", fn: "plan", norm: true,
		input: `{"Plan": {"Node Type": "Seq Scan", "Total Cost": 8.3, "Plan Rows": 10, "Filter": "(a = 'x')"}}`,
		want:  `{"Plan":{"Node Type":"Seq Scan","Total Cost":"?","Plan Rows":"?","Filter":"( a = ? )"}}`},
	{name: "plan nested plans", fn: "plan",
		input: `{"Plan":{"Node Type":"Hash Join","Hash Cond":"(a.id = b.id)","Plans":[{"Node Type":"Seq Scan","Filter":"(x > 5)"}]}}`,
		want:  `{"Plan":{"Node Type":"Hash Join","Hash Cond":"( a.id = b.id )","Plans":[{"Node Type":"Seq Scan","Filter":"( x > ? )"}]}}`},
	{name: "plan invalid JSON", fn: "plan", input: `{"Plan": `, wantErr: "unexpected end of JSON input"},
	{name: "mongo find", fn: "mongo",
		input: `{"find": "users", "filter": {"name": "bob", "age": {"$gt": 30}}, "sort": {"age": 1}, "limit": 5, "$db": "app"}`,
		want:  `{"find":"users","filter":{"name":"?","age":{"$gt":"?"}},"sort":{"age":1},"limit":"?","$db":"app"}`},
	{name: "mongo insert", fn: "mongo", input: `{"insert": "logs", "documents": [{"msg": "secret", "n": [1, 2]}], "ordered": true}`,
		want: `{"insert":"logs","documents":[{"msg":"?","n":["?","?"]}],"ordered":true}`},
	{name: "mongo truncated", fn: "mongo", input: `{"find": "c", "filter": {"a": 1`, want: `{"find":"c","filter":{"a":"?"...`},
}

// runObfuscations feeds cases to the fixture check and returns what each gave.
func runObfuscations(t *testing.T, cases []obfCase, extra ...string) ([]map[string]interface{}, result) {
	t.Helper()
	dir := t.TempDir()
	in := []map[string]interface{}{}
	for _, c := range cases {
		fn := c.fn
		if fn == "" {
			fn = "sql"
		}
		m := map[string]interface{}{"fn": fn, "input": c.input, "normalize": c.norm}
		if c.options != nil {
			m["options"] = *c.options
		}
		in = append(in, m)
	}
	casesPath, resultsPath := filepath.Join(dir, "cases.json"), filepath.Join(dir, "results.json")
	b, _ := json.Marshal(in)
	if err := os.WriteFile(casesPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "fx_obfuscate.yaml")
	yaml := "init_config:\ninstances:\n  - cases: " + casesPath + "\n    results: " + resultsPath + "\n"
	if err := os.WriteFile(conf, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, "", append(extra, "--conf", conf, "fx_obfuscate")...)
	expectCode(t, r, 0)
	var out []map[string]interface{}
	b, err := os.ReadFile(resultsPath)
	if err != nil {
		t.Fatalf("no results (%v)\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out) != len(cases) {
		t.Fatalf("results: %v, %d of %d", err, len(out), len(cases))
	}
	return out, r
}

func stringList(v interface{}) []string {
	l, _ := v.([]interface{})
	out := []string{}
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func checkCase(t *testing.T, c obfCase, got map[string]interface{}) {
	t.Helper()
	if c.wantErr != "" {
		if e, _ := got["error"].(string); !strings.HasPrefix(e, c.wantErr) {
			t.Errorf("%s: got %v, want the error %q", c.name, got, c.wantErr)
		}
		return
	}
	res, ok := got["result"].(string)
	if !ok {
		t.Errorf("%s: got %v, want a result", c.name, got)
		return
	}
	if c.options == nil || *c.options != optsDBM {
		if res != c.want {
			t.Errorf("%s:\n input %q\n   got %q\n  want %q", c.name, c.input, res, c.want)
		}
		return
	}
	var doc struct {
		Query    string                 `json:"query"`
		Metadata map[string]interface{} `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(res), &doc); err != nil {
		t.Errorf("%s: result is not the JSON document: %v: %s", c.name, err, res)
		return
	}
	if doc.Query != c.want {
		t.Errorf("%s:\n input %q\n   got %q\n  want %q", c.name, c.input, doc.Query, c.want)
	}
	if tc, _ := doc.Metadata["tables_csv"].(string); tc != c.tables {
		t.Errorf("%s: tables_csv %q, want %q", c.name, tc, c.tables)
	}
	for key, want := range map[string][]string{"commands": c.commands, "comments": c.comments, "procedures": c.procs} {
		if want != nil && !reflect.DeepEqual(stringList(doc.Metadata[key]), want) {
			t.Errorf("%s: %s %v, want %v", c.name, key, doc.Metadata[key], want)
		}
	}
}

func TestObfuscateSQLMatchesTheAgent(t *testing.T) {
	if len(sqlCases) < 40 {
		t.Fatalf("only %d cases", len(sqlCases))
	}
	got, _ := runObfuscations(t, sqlCases)
	for i, c := range sqlCases {
		checkCase(t, c, got[i])
	}
}

func TestObfuscateExecPlanAndMongoDBMatchTheAgent(t *testing.T) {
	got, _ := runObfuscations(t, jsonCases)
	for i, c := range jsonCases {
		checkCase(t, c, got[i])
	}
}

// The metadata document has the Agent's shape, lists present (empty, not null) in the
// normalising modes.
func TestObfuscateSQLMetadataShape(t *testing.T) {
	got, _ := runObfuscations(t, []obfCase{{input: "SELECT 1", options: opt(optsDBM)}})
	var doc map[string]interface{}
	if err := json.Unmarshal([]byte(got[0]["result"].(string)), &doc); err != nil {
		t.Fatal(err)
	}
	md, _ := doc["metadata"].(map[string]interface{})
	for _, k := range []string{"tables_csv", "commands", "comments", "procedures", "Size"} {
		if _, ok := md[k]; !ok {
			t.Errorf("metadata lacks %q: %v", k, doc)
		}
	}
	if c, _ := md["comments"].([]interface{}); c == nil || len(c) != 0 {
		t.Errorf("comments %v, want []", md["comments"])
	}
	if md["Size"] != 6.0 {
		t.Errorf("Size %v, want 6 (len(\"SELECT\"))", md["Size"])
	}
}

// --no-obfuscator keeps the runner's former behaviour: every obfuscator raises the same error.
func TestNoObfuscatorFlagKeepsTheError(t *testing.T) {
	cases := []obfCase{{input: "SELECT 1", options: opt(optsDBM)}, {fn: "plan", input: "{}"}, {fn: "mongo", input: "{}"}}
	got, _ := runObfuscations(t, cases, "--no-obfuscator")
	for i := range cases {
		if e, _ := got[i]["error"].(string); e != "rtloader-check has no obfuscator: obfuscation is provided by the Datadog Agent only" {
			t.Errorf("case %d: %v", i, got[i])
		}
	}
}

// The README's SQL example: statements that differ only in their literals share a signature,
// no literal reaches the submitted samples, and the plan's condition is obfuscated.
func TestExampleSQLDemoSubmitsObfuscatedStatements(t *testing.T) {
	r := exampleRun(t, "sql_demo", "--json")
	expectCode(t, r, 0)
	run := parseDoc(t, r).Instances[0].Runs[0]
	if m := findMetric(t, run, "sql_demo.signatures"); m.Value != 3 {
		t.Errorf("4 statements, 2 of them alike: %v signatures, want 3", m.Value)
	}
	if len(run.EPEvents) != 5 {
		t.Fatalf("%d event platform events, want 5 (4 samples, 1 plan)", len(run.EPEvents))
	}
	samples, _ := json.Marshal(run.EPEvents)
	for _, secret := range []string{"ann@example.com", "bob@example.com", "99.5", "30 days", "Please pay"} {
		if strings.Contains(string(samples), secret) {
			t.Errorf("the literal %q was submitted:\n%s", secret, samples)
		}
	}
	for _, want := range []string{
		`SELECT id, name FROM customers WHERE email = ? AND id IN ( ? )`,
		`UPDATE invoices SET paid = ?, amount = ? WHERE id = ?`,
		`/* app='billing' */`,
		`( ( email ) :: text = ? :: text )`,
	} {
		if !strings.Contains(string(samples), want) {
			t.Errorf("samples lack %q:\n%s", want, samples)
		}
	}

	r = exampleRun(t, "sql_demo", "--no-obfuscator")
	expectCode(t, r, 1)
	contains(t, "stdout", r.stdout, "rtloader-check has no obfuscator")
}
