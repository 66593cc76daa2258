package datadog_agent

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"rtloader/test/bindings"
	"rtloader/test/builtins/builtintest"
	"rtloader/test/helpers"
)

var str = bindings.Str

// --- string getters (§3.1) --------------------------------------------------------------------

func getterHandlers(v *string) func(h *bindings.Handlers) {
	return func(h *bindings.Handlers) {
		f := func() *string { return v }
		h.GetVersion, h.GetHostname, h.GetClustername, h.GetHostTags = f, f, f, f
	}
}

var getters = []string{"get_version", "get_hostname", "get_clustername", "get_host_tags"}

func TestStringGetters(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, getterHandlers(str("é-value")))
	for _, g := range getters {
		builtintest.Expect(t, `
			import datadog_agent
			out.write(repr(datadog_agent.`+g+`()))
		`, "'é-value'")
	}
}

func TestStringGettersNullGivesNone(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, getterHandlers(nil))
	for _, g := range getters {
		builtintest.Expect(t, `
			import datadog_agent
			out.write(repr(datadog_agent.`+g+`()))
		`, "None")
	}
}

func TestStringGettersInvalidUTF8(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, getterHandlers(str(builtintest.BadUTF8)))
	for _, g := range getters {
		builtintest.ExpectPrefix(t, `
			import datadog_agent
			datadog_agent.`+g+`()
		`, "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff")
	}
}

func TestStringGettersHuge(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, getterHandlers(str(strings.Repeat("x", 1<<20))))
	builtintest.Expect(t, `
		import datadog_agent
		out.write(str(len(datadog_agent.get_hostname())))
	`, "1048576")
}

func TestGetHostTagsIsNotDecoded(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, func(h *bindings.Handlers) { h.GetHostTags = func() *string { return str(`{"system": ["a:b"]}`) } })
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr(datadog_agent.get_host_tags()))
	`, `'{"system": ["a:b"]}'`)
}

// --- get_config (§3.2) ---------------------------------------------------------------------------

func configHandler(t *testing.T) {
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.GetConfig = func(key string) *string {
			switch key {
			case "cmd_port":
				return str("5001")
			case "dict":
				return str(`{"a": [1, 2.5, true, null, "s"]}`)
			case "bad_json":
				return str("{not json")
			case "bad_utf8":
				return str(`"` + builtintest.BadUTF8 + `"`)
			}
			return nil
		}
	})
}

func TestGetConfig(t *testing.T) {
	defer helpers.CheckMemory(t)()
	configHandler(t)
	builtintest.Expect(t, `
		import datadog_agent
		out.write(str(datadog_agent.get_config('cmd_port')))
	`, "5001")
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr(datadog_agent.get_config('dict')))
	`, "{'a': [1, 2.5, True, None, 's']}")
}

func TestGetConfigUnsetKeyBadJSONAndBadUTF8GiveNone(t *testing.T) {
	defer helpers.CheckMemory(t)()
	configHandler(t)
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr([datadog_agent.get_config(k) for k in ('missing', 'bad_json', 'bad_utf8')]))
	`, "[None, None, None]")
}

// --- headers (§3.3) --------------------------------------------------------------------------------

func headersHandler(t *testing.T, payload *string) {
	builtintest.Handle(t, func(h *bindings.Handlers) { h.Headers = func() *string { return payload } })
}

const headersJSON = `{"User-Agent": "Datadog Agent/0.0.0", "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html, */*"}`

func TestHeaders(t *testing.T) {
	defer helpers.CheckMemory(t)()
	headersHandler(t, str(headersJSON))
	builtintest.Expect(t, `
		import datadog_agent
		d = datadog_agent.headers(http_host="myhost", ignore_me="snafu")
		out.write(",".join(sorted(d.keys())) + "|" + d["Host"])
	`, "Accept,Content-Type,Host,User-Agent|myhost")
}

func TestHeadersIgnoresPositionalArguments(t *testing.T) {
	defer helpers.CheckMemory(t)()
	headersHandler(t, str(headersJSON))
	builtintest.Expect(t, `
		import datadog_agent
		d = datadog_agent.headers({'agent': 'config'}, 1, 2)
		out.write(",".join(sorted(d.keys())))
	`, "Accept,Content-Type,User-Agent")
}

func TestHeadersHostIsAnyObject(t *testing.T) {
	defer helpers.CheckMemory(t)()
	headersHandler(t, str(headersJSON))
	builtintest.Expect(t, `
		import datadog_agent
		h = [1]
		out.write(repr(datadog_agent.headers(None, http_host=h)["Host"] is h))
	`, "True")
}

func TestHeadersNotADictGivesNone(t *testing.T) {
	defer helpers.CheckMemory(t)()
	for _, payload := range []*string{nil, str("[1, 2]"), str("{bad"), str(builtintest.BadUTF8)} {
		headersHandler(t, payload)
		builtintest.Expect(t, `
			import datadog_agent
			out.write(repr(datadog_agent.headers(http_host='x')))
		`, "None")
	}
}

// --- tracemalloc_enabled (§3.4) ------------------------------------------------------------------

func TestTracemallocEnabled(t *testing.T) {
	defer helpers.CheckMemory(t)()
	enabled := true
	builtintest.Handle(t, func(h *bindings.Handlers) { h.TracemallocEnabled = func() bool { return enabled } })
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr(datadog_agent.tracemalloc_enabled('ignored', 1)))
	`, "True")
	enabled = false
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr(datadog_agent.tracemalloc_enabled()))
	`, "False")
}

// --- log (§3.5) ----------------------------------------------------------------------------------

func TestLog(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var got []string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.Log = func(msg string, level int) { got = append(got, "["+itoa(level)+"]"+msg) }
	})
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr(datadog_agent.log('foo message', 99)))
		datadog_agent.log('bar', 30)
	`, "None")
	if !reflect.DeepEqual(got, []string{"[99]foo message", "[30]bar"}) {
		t.Errorf("host logged %q", got)
	}
}

func TestLogUnsetCallbackStillParses(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Unset(t, bindings.CbLog) // None with the callback unset: test/builtins/unset
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.log(None, 10)
	`, "TypeError: argument 1 must be str, not None")
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

// --- send_log, set_check_metadata (§3.6, §3.7) ----------------------------------------------------

func TestSendLog(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var got string
	builtintest.Handle(t, func(h *bindings.Handlers) { h.SendLog = func(line, id string) { got = line + "|" + id } })
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr(datadog_agent.send_log('{"message": "hi"}', 'check:1')))
	`, "None")
	if got != `{"message": "hi"}|check:1` {
		t.Errorf("host received %q", got)
	}
}

func TestSetCheckMetadata(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var got string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SetCheckMetadata = func(id, name, value string) { got = id + "," + name + "," + value }
	})
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr(datadog_agent.set_check_metadata('redis:test:12345', 'version.raw', '5.0.6')))
	`, "None")
	if got != "redis:test:12345,version.raw,5.0.6" {
		t.Errorf("host received %q", got)
	}
}

// --- set_external_tags (§3.8) --------------------------------------------------------------------

func recordExternalTags(t *testing.T) *[]string {
	var calls []string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SetExternalTags = func(host, src string, tags []string) {
			calls = append(calls, host+"|"+src+"|"+strings.Join(tags, ","))
		}
	})
	return &calls
}

func TestSetExternalTags(t *testing.T) {
	defer helpers.CheckMemory(t)()
	calls := recordExternalTags(t)
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr(datadog_agent.set_external_tags([
			('hostname', {'source_type': ['tag1', 123, 'tag2']}),
			('hostname2', {'source_type2': ['tag3', [], 'tag4']})])))
	`, "None")
	want := []string{"hostname|source_type|tag1,tag2", "hostname2|source_type2|tag3,tag4"}
	if !reflect.DeepEqual(*calls, want) {
		t.Errorf("host received %q, want %q", *calls, want)
	}
}

func TestSetExternalTagsEmptyDictSkipped(t *testing.T) {
	defer helpers.CheckMemory(t)()
	calls := recordExternalTags(t)
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.set_external_tags([('hostname', {}), ('hostname2', {'source_type2': ['tag3', 'tag4']}), ('hostname', {})])
		out.write('ok')
	`, "ok")
	if !reflect.DeepEqual(*calls, []string{"hostname2|source_type2|tag3,tag4"}) {
		t.Errorf("host received %q", *calls)
	}
}

func TestSetExternalTagsOnlyFirstKeyUsedAndBytesAccepted(t *testing.T) {
	defer helpers.CheckMemory(t)()
	calls := recordExternalTags(t)
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.set_external_tags([(b'bhost', {b'first': [b'x'], 'second': ['y']})])
		out.write('ok')
	`, "ok")
	if !reflect.DeepEqual(*calls, []string{"bhost|first|x"}) {
		t.Errorf("host received %q", *calls)
	}
}

func TestSetExternalTagsManyTags(t *testing.T) {
	defer helpers.CheckMemory(t)()
	calls := recordExternalTags(t)
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.set_external_tags([('h', {'s': ['t%d' % i for i in range(100000)]})])
		out.write('ok')
	`, "ok")
	if len(*calls) != 1 || strings.Count((*calls)[0], ",") != 99999 {
		t.Errorf("host received %d calls", len(*calls))
	}
}

func TestSetExternalTagsEntriesBeforeErrorAreSent(t *testing.T) {
	defer helpers.CheckMemory(t)()
	calls := recordExternalTags(t)
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.set_external_tags([('h1', {'s': ['a']}), ('h2', 'oops'), ('h3', {'s': ['c']})])
	`, "TypeError: second elem of the host tags tuple must be a dict")
	if !reflect.DeepEqual(*calls, []string{"h1|s|a"}) {
		t.Errorf("host received %q", *calls)
	}
}

// --- persistent cache (§3.9, §3.10) --------------------------------------------------------------

func TestWritePersistentCache(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var got string
	builtintest.Handle(t, func(h *bindings.Handlers) { h.WritePersistentCache = func(k, v string) { got = k + v } })
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr(datadog_agent.write_persistent_cache('12345', 'someothervalue')))
	`, "None")
	if got != "12345someothervalue" {
		t.Errorf("host received %q", got)
	}
}

func TestReadPersistentCache(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ReadPersistentCache = func(k string) *string {
			switch k {
			case "missing":
				return nil
			case "bad":
				return str(builtintest.BadUTF8)
			}
			return str("value of " + k)
		}
	})
	builtintest.Expect(t, `
		import datadog_agent
		out.write(datadog_agent.read_persistent_cache('12345'))
	`, "value of 12345")
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.read_persistent_cache('missing')
	`, "RuntimeError: failed to read data")
	builtintest.ExpectPrefix(t, `
		import datadog_agent
		datadog_agent.read_persistent_cache('bad')
	`, "UnicodeDecodeError: ")
}

func TestWritePersistentCacheReleasesGIL(t *testing.T) {
	defer helpers.CheckMemory(t)()
	blocked, release := make(chan struct{}), make(chan struct{})
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.WritePersistentCache = func(k, v string) {
			close(blocked)
			<-release
		}
	})
	builtintest.ExpectCallbackReleasesGIL(t, blocked, release, `
		import datadog_agent
		datadog_agent.write_persistent_cache('k', 'v')
		out.write('done')
	`)
}

func TestReadPersistentCacheReleasesGIL(t *testing.T) {
	defer helpers.CheckMemory(t)()
	blocked, release := make(chan struct{}), make(chan struct{})
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ReadPersistentCache = func(k string) *string {
			close(blocked)
			<-release
			return str("done")
		}
	})
	builtintest.ExpectCallbackReleasesGIL(t, blocked, release, `
		import datadog_agent
		out.write(datadog_agent.read_persistent_cache('k'))
	`)
}

// --- obfuscators (§3.11, §3.12, §3.14) ------------------------------------------------------------

func TestObfuscateSQL(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var gotOptions []string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ObfuscateSQL = func(q string, options *string) (*string, *string) {
			if options == nil {
				gotOptions = append(gotOptions, "<NULL>")
			} else {
				gotOptions = append(gotOptions, *options)
			}
			if q == "" {
				return nil, str("result is empty")
			}
			return str("SELECT ?"), nil
		}
	})
	builtintest.Expect(t, `
		import datadog_agent
		out.write(datadog_agent.obfuscate_sql("SELECT 1"))
	`, "SELECT ?")
	builtintest.Expect(t, `
		import datadog_agent
		out.write(datadog_agent.obfuscate_sql(query="SELECT 1", options='{"dbms": "postgresql"}'))
	`, "SELECT ?")
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.obfuscate_sql("")
	`, "RuntimeError: result is empty")
	if !reflect.DeepEqual(gotOptions, []string{"<NULL>", `{"dbms": "postgresql"}`, "<NULL>"}) {
		t.Errorf("options received %q", gotOptions)
	}
}

func TestObfuscateSQLNullResultAndBadUTF8(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var res, errMsg *string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ObfuscateSQL = func(string, *string) (*string, *string) { return res, errMsg }
	})
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.obfuscate_sql('q')
	`, "RuntimeError: internal error: empty cb_obfuscate_sql response")
	res = str(builtintest.BadUTF8)
	builtintest.ExpectPrefix(t, `
		import datadog_agent
		datadog_agent.obfuscate_sql('q')
	`, "UnicodeDecodeError: ")
	// The error message wins over the result, and both are released.
	res, errMsg = str("ignored"), str("boom")
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.obfuscate_sql('q')
	`, "RuntimeError: boom")
	res, errMsg = nil, str(builtintest.BadUTF8)
	builtintest.ExpectPrefix(t, `
		import datadog_agent
		datadog_agent.obfuscate_sql('q')
	`, "UnicodeDecodeError: ")
}

func TestObfuscateSQLHugeQuery(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ObfuscateSQL = func(q string, _ *string) (*string, *string) { return str(q), nil }
	})
	builtintest.Expect(t, `
		import datadog_agent
		out.write(str(len(datadog_agent.obfuscate_sql('x' * (1 << 20)))))
	`, "1048576")
}

// The SQL obfuscator relies on the GIL: Python started while the callback runs must not run
// before the callback returns.
func TestObfuscateSQLKeepsGIL(t *testing.T) {
	defer helpers.CheckMemory(t)()
	entered := make(chan struct{})
	var returned time.Time
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ObfuscateSQL = func(string, *string) (*string, *string) {
			close(entered)
			time.Sleep(300 * time.Millisecond)
			returned = time.Now()
			return str("ok"), nil
		}
	})
	first := make(chan string, 1)
	go func() {
		out, _, _ := helpers.RunPyRaw("import datadog_agent\nout.write(datadog_agent.obfuscate_sql('q'))")
		first <- out
	}()
	<-entered
	var ran time.Time
	out, _, _ := helpers.RunPyRaw("out.write('second')")
	ran = time.Now()
	if out != "second" || <-first != "ok" {
		t.Fatal("snippets failed")
	}
	if ran.Before(returned) {
		t.Error("Python ran while the obfuscate_sql callback was running: the GIL was released")
	}
}

func TestObfuscateSQLExecPlan(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var normalized []bool
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ObfuscateSQLExecPlan = func(plan string, normalize bool) (*string, *string) {
			normalized = append(normalized, normalize)
			if normalize {
				return str("obfuscated and normalized"), nil
			}
			return str("obfuscated"), nil
		}
	})
	builtintest.Expect(t, `
		import datadog_agent
		r = [datadog_agent.obfuscate_sql_exec_plan('{}'), datadog_agent.obfuscate_sql_exec_plan('{}', True),
		     datadog_agent.obfuscate_sql_exec_plan('{}', normalize=True), datadog_agent.obfuscate_sql_exec_plan('{}', normalize=5),
		     datadog_agent.obfuscate_sql_exec_plan('{}', 1)]
		out.write(repr(r))
	`, "['obfuscated', 'obfuscated and normalized', 'obfuscated and normalized', 'obfuscated', 'obfuscated']")
	if !reflect.DeepEqual(normalized, []bool{false, true, true, false, false}) {
		t.Errorf("normalize received %v", normalized)
	}
}

func TestObfuscateSQLExecPlanErrors(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var res, errMsg *string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ObfuscateSQLExecPlan = func(string, bool) (*string, *string) { return res, errMsg }
	})
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.obfuscate_sql_exec_plan('{}')
	`, "RuntimeError: internal error: empty cb_obfuscate_sql_exec_plan response")
	errMsg = str("bad plan")
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.obfuscate_sql_exec_plan('{}')
	`, "RuntimeError: bad plan")
	errMsg, res = nil, str(builtintest.BadUTF8)
	builtintest.ExpectPrefix(t, `
		import datadog_agent
		datadog_agent.obfuscate_sql_exec_plan('{}')
	`, "UnicodeDecodeError: ")
}

func TestObfuscateMongoDBString(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ObfuscateMongoDBString = func(cmd string) (*string, *string) {
			switch cmd {
			case "":
				return nil, str("empty command")
			case "null":
				return nil, nil
			}
			return str(`{"find": "?"}`), nil
		}
	})
	builtintest.Expect(t, `
		import datadog_agent
		out.write(datadog_agent.obfuscate_mongodb_string('{"find": "x"}'))
	`, `{"find": "?"}`)
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.obfuscate_mongodb_string('')
	`, "RuntimeError: empty command")
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.obfuscate_mongodb_string('null')
	`, "RuntimeError: internal error: empty cb_obfuscate_mongodb_string response")
}

// A keyword argument is ignored; command= alone leaves the command missing (TestArgumentErrors).
func TestObfuscateMongoDBStringIgnoresKeywords(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ObfuscateMongoDBString = func(cmd string) (*string, *string) { return str("ok:" + cmd), nil }
	})
	builtintest.Expect(t, `
		import datadog_agent
		out.write(datadog_agent.obfuscate_mongodb_string('c', ignored=1))
	`, "ok:c")
}

// --- get_process_start_time (§3.13) ----------------------------------------------------------------

func TestGetProcessStartTime(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, func(h *bindings.Handlers) { h.GetProcessStartTime = func() float64 { return 1700000000.25 } })
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr(datadog_agent.get_process_start_time()))
	`, "1700000000.25")
}

// --- emit_agent_telemetry (§3.15) ----------------------------------------------------------------

func TestEmitAgentTelemetry(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var got []string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.EmitAgentTelemetry = func(check, metric string, value float64, mtype string, labels *string) {
			l := "<NULL>"
			if labels != nil {
				l = *labels
			}
			got = append(got, check+"|"+metric+"|"+mtype+"|"+l+"|"+itoa(int(value*10)))
		}
	})
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.emit_agent_telemetry('postgres', 'queries', 1.5, 'gauge')
		datadog_agent.emit_agent_telemetry('postgres', 'queries', 2, 'counter', {'db': 'é', 'n': 1})
		datadog_agent.emit_agent_telemetry(check_name='c', metric_name='m', metric_value=3, metric_type='histogram', labels=None)
		out.write('ok')
	`, "ok")
	want := []string{
		"postgres|queries|gauge|<NULL>|15",
		`postgres|queries|counter|{"db": "\u00e9", "n": 1}|20`,
		"c|m|histogram|<NULL>|30",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("host received %q, want %q", got, want)
	}
}

func TestEmitAgentTelemetryUnserialisableLabelsDropCall(t *testing.T) {
	defer helpers.CheckMemory(t)()
	calls := 0
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.EmitAgentTelemetry = func(string, string, float64, string, *string) { calls++ }
	})
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr(datadog_agent.emit_agent_telemetry('c', 'm', 1, 'gauge', {'x': object()})))
	`, "None")
	if calls != 0 {
		t.Errorf("callback called %d times", calls)
	}
}

// --- report_issue, resolve_issue (§3.16, §3.17) --------------------------------------------------

func TestReportIssue(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var got []string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ReportIssue = func(check string, report *string) *string {
			if report == nil {
				got = append(got, check+"|<NULL>")
				return nil
			}
			got = append(got, check+"|"+*report)
			if *report == "fail" {
				return str("cannot report")
			}
			if *report == "bad" {
				return str(builtintest.BadUTF8)
			}
			return nil
		}
	})
	builtintest.Expect(t, `
		import datadog_agent
		r = [datadog_agent.report_issue('c1'), datadog_agent.report_issue('c2', '{"id": 1}'),
		     datadog_agent.report_issue(check_name='c3', report_json=None)]
		out.write(repr(r))
	`, "[None, None, None]")
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.report_issue('c4', 'fail')
	`, "RuntimeError: cannot report")
	builtintest.ExpectPrefix(t, `
		import datadog_agent
		datadog_agent.report_issue('c5', 'bad')
	`, "UnicodeDecodeError: ")
	want := []string{"c1|<NULL>", `c2|{"id": 1}`, "c3|<NULL>", "c4|fail", "c5|bad"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("host received %q, want %q", got, want)
	}
}

func TestResolveIssue(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.ResolveIssue = func(id string) *string {
			if id == "unknown" {
				return str("no such issue")
			}
			return nil
		}
	})
	builtintest.Expect(t, `
		import datadog_agent
		out.write(repr([datadog_agent.resolve_issue('i1'), datadog_agent.resolve_issue(issue_id='i2')]))
	`, "[None, None]")
	builtintest.Expect(t, `
		import datadog_agent
		datadog_agent.resolve_issue('unknown')
	`, "RuntimeError: no such issue")
}

func TestModuleFunctionsAndDocstrings(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Expect(t, `
		import datadog_agent
		names = sorted(n for n in dir(datadog_agent) if not n.startswith('_'))
		out.write(str(len(names)) + ' ' + datadog_agent.get_config.__doc__ + ' ' + repr(datadog_agent.__doc__))
	`, "20 Get an Agent config item. None")
}

// The external-tags readers cannot fail part-way (issue 11 item 10 asks every sequence reader to
// raise, not drop, an item error): the outer list and each tag list must be lists, and their
// items are read straight from the list, as upstream does (PyList_GetItem), so a subclass's
// raising __getitem__ is never called and every item is submitted.
func TestSetExternalTagsListSubclassesReadDirectly(t *testing.T) {
	defer helpers.CheckMemory(t)()
	calls := recordExternalTags(t)
	builtintest.Expect(t, `
		import datadog_agent
		class L(list):
			def __getitem__(self, i): raise KeyError(i)
			def __iter__(self): raise KeyError('iter')
		datadog_agent.set_external_tags(L([('h', {'src': L(['t1', 't2'])}), ('h2', {'src2': L(['t3'])})]))
		out.write('ok')
	`, "ok")
	if want := []string{"h|src|t1,t2", "h2|src2|t3"}; !reflect.DeepEqual(*calls, want) {
		t.Errorf("host received %q, want %q", *calls, want)
	}
}
