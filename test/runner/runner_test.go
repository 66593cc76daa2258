// Package runner tests rtloader-check, the check runner, as a person uses it: it executes the
// built binary on fixture checks and asserts what it printed (text and --json), its exit
// status for every bad-input case, and the YAML → JSON hand-over (differential test against
// Debian's python3-yaml). Standard library only; no cgo.
//
// Environment: RTLOADER_BUILD (default ../../build), RTLOADER_PYTHON_HOME (empty: default
// backend), as set by test/matrix.sh.
package runner

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func buildDir(t *testing.T) string {
	t.Helper()
	b := os.Getenv("RTLOADER_BUILD")
	if b == "" {
		b = "../../build"
	}
	abs, err := filepath.Abs(b)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func binary(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(buildDir(t), "runner", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s not built (%v): run `make build`", p, err)
	}
	return p
}

func fixtures(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// childEnv is the test's environment plus extra. Under `make test-asan` the runner binary is
// sanitizer-built too; its leak report at exit would only list the embedded interpreter, which
// rtloader deliberately never finalizes, so leak detection is turned off for the child.
func childEnv(extra ...string) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ASAN_OPTIONS=") {
			kv += ":detect_leaks=0"
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

type result struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

// run executes rtloader-check with the fixture folders, the matrix's Python and a private cache.
func run(t *testing.T, cache string, args ...string) result {
	t.Helper()
	return runEnv(t, cache, nil, args...)
}

// runEnv is run with extra environment variables (later ones win).
func runEnv(t *testing.T, cache string, extraEnv []string, args ...string) result {
	t.Helper()
	fx := fixtures(t)
	full := []string{"--checks-dir", filepath.Join(fx, "checks.d"), "--confd", filepath.Join(fx, "conf.d")}
	if home := os.Getenv("RTLOADER_PYTHON_HOME"); home != "" {
		full = append(full, "--python-home", home)
	}
	full = append(full, args...)
	cmd := exec.Command(binary(t, "rtloader-check"), full...)
	if cache == "" {
		cache = t.TempDir()
	}
	cmd.Env = childEnv(append([]string{"XDG_CACHE_HOME=" + cache}, extraEnv...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), elapsed: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("rtloader-check %v: %v", args, err)
	}
	return r
}

func expectCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

func contains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// ---- JSON document ------------------------------------------------------------------------

type metric struct {
	Name            string   `json:"name"`
	Type            string   `json:"type"`
	Value           float64  `json:"value"`
	Tags            []string `json:"tags"`
	Hostname        string   `json:"hostname"`
	FlushFirstValue bool     `json:"flush_first_value"`
}

type lastTotal struct {
	LastRun int `json:"last_run"`
	Total   int `json:"total"`
}

type runRecord struct {
	Run           int                            `json:"run"`
	Status        string                         `json:"status"`
	DurationMS    float64                        `json:"duration_ms"`
	Metrics       []metric                       `json:"metrics"`
	ServiceChecks []map[string]interface{}       `json:"service_checks"`
	Events        []map[string]interface{}       `json:"events"`
	Buckets       []map[string]interface{}       `json:"histogram_buckets"`
	EPEvents      []map[string]interface{}       `json:"event_platform_events"`
	Logs          []map[string]interface{}       `json:"logs"`
	Metadata      []struct{ Name, Value string } `json:"metadata"`
	ExternalTags  []map[string]interface{}       `json:"external_tags"`
	Warnings      []string                       `json:"warnings"`
	Errors        []struct {
		Message   string `json:"message"`
		Traceback string `json:"traceback"`
	} `json:"errors"`
}

type document struct {
	Check        string `json:"check"`
	CheckVersion string `json:"check_version"`
	ExitStatus   int    `json:"exit_status"`
	Instances    []struct {
		Instance int         `json:"instance"`
		CheckID  string      `json:"check_id"`
		Runs     []runRecord `json:"runs"`
		Summary  struct {
			Status        string    `json:"status"`
			TotalRuns     int       `json:"total_runs"`
			MetricSamples lastTotal `json:"metric_samples"`
			Events        lastTotal `json:"events"`
			ServiceChecks lastTotal `json:"service_checks"`
			Warnings      lastTotal `json:"warnings"`
			Errors        int       `json:"errors"`
			InitError     string    `json:"init_error"`
			Interpreter   string    `json:"interpreter"`        // --subinterpreters
			InterpReason  string    `json:"interpreter_reason"` // --subinterpreters, after a fallback
			AverageMS     float64   `json:"average_execution_ms"`
			LastMS        float64   `json:"last_execution_ms"`
		} `json:"summary"`
	} `json:"instances"`
}

func parseDoc(t *testing.T, r result) document {
	t.Helper()
	var d document
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("--json output is not one JSON document: %v\n%s", err, r.stdout)
	}
	return d
}

func findMetric(t *testing.T, run runRecord, name string) metric {
	t.Helper()
	for _, m := range run.Metrics {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("metric %s not submitted; got %+v", name, run.Metrics)
	return metric{}
}

func metadata(run runRecord, name string) string {
	for _, m := range run.Metadata {
		if m.Name == name {
			return m.Value
		}
	}
	return "<missing>"
}

// ---- the bundled examples (the README's `make run`) -----------------------------------------

func exampleRun(t *testing.T, check string, extra ...string) result {
	t.Helper()
	ex, _ := filepath.Abs("../../examples")
	args := []string{"--checks-dir", filepath.Join(ex, "checks.d"), "--confd", filepath.Join(ex, "conf.d")}
	if home := os.Getenv("RTLOADER_PYTHON_HOME"); home != "" {
		args = append(args, "--python-home", home)
	}
	cmd := exec.Command(binary(t, "rtloader-check"), append(append(args, extra...), check)...)
	cmd.Env = childEnv("XDG_CACHE_HOME=" + t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	}
	return r
}

func TestExampleProcStatsReportsRealData(t *testing.T) {
	r := exampleRun(t, "proc_stats", "--json")
	expectCode(t, r, 0)
	d := parseDoc(t, r)
	run := d.Instances[0].Runs[0]
	if m := findMetric(t, run, "proc_stats.mem.total"); m.Value <= 0 || m.Type != "gauge" {
		t.Errorf("mem.total = %+v", m)
	}
	if m := findMetric(t, run, "proc_stats.uptime"); m.Value <= 0 {
		t.Errorf("uptime = %+v", m)
	}
	findMetric(t, run, "proc_stats.load.1")
	if m := findMetric(t, run, "proc_stats.context_switches"); m.Type != "monotonic_count" || m.Value <= 0 {
		t.Errorf("context_switches = %+v", m)
	}
	if len(run.ServiceChecks) != 1 || run.ServiceChecks[0]["status"].(float64) != 0 {
		t.Errorf("service checks = %+v", run.ServiceChecks)
	}
}

func TestExampleDirSizeUsesSubprocess(t *testing.T) {
	r := exampleRun(t, "dir_size")
	expectCode(t, r, 0)
	contains(t, "stdout", r.stdout, "dir_size.files = ", "dir_size.disk_usage_bytes = ", "tags: [path:/etc, env:example]",
		"dir_size instance #2", "Total Runs: 1")
}

// ---- submissions -------------------------------------------------------------------------------

func TestAllSubmissionsJSON(t *testing.T) {
	r := run(t, "", "--json", "--agent-config", filepath.Join(fixtures(t), "agent.yaml"), "fx_all")
	expectCode(t, r, 0)
	d := parseDoc(t, r)
	if d.Check != "fx_all" || d.CheckVersion != "2.3.4" || d.ExitStatus != 0 || len(d.Instances) != 2 {
		t.Fatalf("document header: %+v", d)
	}
	in := d.Instances[0]
	if !strings.HasPrefix(in.CheckID, "fx_all:") || len(in.CheckID) != len("fx_all:")+16 {
		t.Errorf("check id %q is not name:hash", in.CheckID)
	}
	if d.Instances[1].CheckID[:len("fx_all:second:")] != "fx_all:second:" {
		t.Errorf("named instance check id %q", d.Instances[1].CheckID)
	}
	run := in.Runs[0]
	tags := []string{"env:test", "team:core"}
	want := []metric{
		{"fx.gauge", "gauge", 42.5, tags, "", false},
		{"fx.count", "count", 2, append(append([]string{}, tags...), "kind:count"), "", false},
		{"fx.monotonic", "monotonic_count", 10, tags, "", true},
		{"fx.rate", "rate", 1.5, tags, "other-host", false},
		{"fx.histogram", "histogram", 7, tags, "", false},
		{"fx.historate", "historate", 8, tags, "", false},
		{"fx.device", "gauge", 1, append(append([]string{}, tags...), "device:sda1"), "", false},
		{"fx.config_answer", "gauge", 1, []string{"cmd_port:5001", "hostname_ok:True", "version:7.0.0"}, "", false},
	}
	if len(run.Metrics) != len(want) {
		t.Fatalf("%d metrics, want %d: %+v", len(run.Metrics), len(want), run.Metrics)
	}
	for i, w := range want {
		g := run.Metrics[i]
		if g.Name != w.Name || g.Type != w.Type || g.Value != w.Value || g.Hostname != w.Hostname ||
			g.FlushFirstValue != w.FlushFirstValue || strings.Join(g.Tags, ",") != strings.Join(w.Tags, ",") {
			t.Errorf("metric %d = %+v, want %+v", i, g, w)
		}
	}
	sc := run.ServiceChecks[0]
	if sc["name"] != "fx.can_connect" || sc["status"].(float64) != 1 || sc["message"] != "half up" {
		t.Errorf("service check %+v", sc)
	}
	ev := run.Events[0]
	if ev["msg_title"] != "fx title" || ev["msg_text"] != "fx text" || ev["timestamp"].(float64) != 1700000000 ||
		ev["alert_type"] != "info" || ev["aggregation_key"] != "fx-key" || ev["source_type_name"] != "fx" {
		t.Errorf("event %+v", ev)
	}
	b := run.Buckets[0]
	if b["name"] != "fx.bucket" || b["value"].(float64) != 3 || b["upper_bound"].(float64) != 10 || b["monotonic"] != true ||
		b["hostname"] != "bucket-host" {
		t.Errorf("bucket %+v", b)
	}
	if e := run.EPEvents[0]; e["event_type"] != "dbm-samples" || e["raw_event"] != `{"sample": 1}` {
		t.Errorf("event platform event %+v", e)
	}
	if l := run.Logs[0]; l["message"] != "fx log line" {
		t.Errorf("log %+v", l)
	}
	if v := metadata(run, "version.raw"); v != "2.3.4" {
		t.Errorf("metadata version.raw = %q", v)
	}
	if et := run.ExternalTags[0]; et["hostname"] != "ext-host" || et["source_type"] != "fx" {
		t.Errorf("external tags %+v", et)
	}
	if len(run.Warnings) != 1 || run.Warnings[0] != "fx warning 42" {
		t.Errorf("warnings %q", run.Warnings)
	}
	// the instance as the check received it: YAML 1.1 booleans, merge key, hex int, 0o17 (a
	// string in YAML 1.1), float with exponent, timestamp kept as text
	wantRepr := "[('opts', {'flag': True, 'ratio': 1000.0, 'octal': '0o17', 'hex': 31, 'when': '2024-01-02'}), " +
		"('tags', ['env:test', 'team:core']), ('value', 42.5)]"
	if got := metadata(run, "instance_repr"); got != wantRepr {
		t.Errorf("instance seen by the check:\n got %s\nwant %s", got, wantRepr)
	}
	exe := metadata(run, "sys_executable")
	if home := os.Getenv("RTLOADER_PYTHON_HOME"); home != "" {
		if !strings.HasPrefix(exe, filepath.Join(home, "bin", "python3")) {
			t.Errorf("sys.executable = %q, want %s/bin/python3.X", exe, home)
		}
	} else if exe != "/usr/bin/python3" {
		t.Errorf("sys.executable = %q, want /usr/bin/python3", exe)
	}
	s := in.Summary
	if s.Status != "OK" || s.TotalRuns != 1 || s.MetricSamples.Total != 8 || s.Events.Total != 1 ||
		s.ServiceChecks.Total != 1 || s.Warnings.Total != 1 || s.Errors != 0 || s.AverageMS <= 0 || s.LastMS <= 0 {
		t.Errorf("summary %+v", s)
	}
	if got := findMetric(t, d.Instances[1].Runs[0], "fx.gauge"); got.Value != -3 {
		t.Errorf("instance 2 gauge %v", got.Value)
	}
}

func TestAllSubmissionsText(t *testing.T) {
	r := run(t, "", "--agent-config", filepath.Join(fixtures(t), "agent.yaml"), "fx_all")
	expectCode(t, r, 0)
	contains(t, "stdout", r.stdout,
		"gauge           fx.gauge = 42.5  tags: [env:test, team:core]",
		"monotonic_count fx.monotonic = 10  tags: [env:test, team:core]  flush_first_value",
		"rate            fx.rate = 1.5  tags: [env:test, team:core]  host: other-host",
		"histogram       fx.histogram = 7",
		"historate       fx.historate = 8",
		"fx.can_connect: WARNING  tags: [env:test, team:core]  message: half up",
		"fx title: fx text",
		"fx.bucket [0, 10] = 3 (monotonic)",
		`dbm-samples: {"sample": 1}`,
		`"message":"fx log line"`,
		"version.raw = 2.3.4",
		"ext-host (fx): [ext:1]",
		"fx warning 42",
		"=== Summary: fx_all (2.3.4)",
		"Metric Samples: Last Run: 8, Total: 8",
		"Service Checks: Last Run: 1, Total: 1",
		"Average Execution Time",
		"Last Execution Time")
	contains(t, "stderr", r.stderr, "[WARN]", "fx warning 42")
}

func TestTimesAndPause(t *testing.T) {
	r := run(t, "", "--json", "--times", "3", "--pause", "100", "--instance", "2", "fx_all")
	expectCode(t, r, 0)
	d := parseDoc(t, r)
	if len(d.Instances) != 1 || d.Instances[0].Instance != 2 {
		t.Fatalf("--instance 2 ran %+v", d.Instances)
	}
	s := d.Instances[0].Summary
	if len(d.Instances[0].Runs) != 3 || s.TotalRuns != 3 || s.MetricSamples.Total != 24 || s.MetricSamples.LastRun != 8 {
		t.Errorf("summary after 3 runs: %+v", s)
	}
	if r.elapsed < 200*time.Millisecond {
		t.Errorf("3 runs with --pause 100 took only %v", r.elapsed)
	}
}

func TestInstanceOutOfRange(t *testing.T) {
	r := run(t, "", "--instance", "3", "fx_all")
	expectCode(t, r, 2)
	contains(t, "stderr", r.stderr, "has 2 instance(s)")
}

func TestSubprocessCacheAndObfuscator(t *testing.T) {
	cache := t.TempDir()
	for i, want := range []float64{1, 2} {
		r := run(t, cache, "--json", "--no-obfuscator", "fx_subprocess")
		expectCode(t, r, 0)
		run := parseDoc(t, r).Instances[0].Runs[0]
		if got := findMetric(t, run, "fx.cache_counter").Value; got != want {
			t.Errorf("run %d: persistent cache counter %v, want %v", i+1, got, want)
		}
		if got := metadata(run, "subprocess"); got != `["out:hello\n", "err-text\n", 3]` {
			t.Errorf("subprocess (stdout, stderr, exit code) = %s", got)
		}
		contains(t, "subprocess error", metadata(run, "subprocess_error"), "could not run '/nonexistent/fx-binary'")
		contains(t, "obfuscate error", metadata(run, "obfuscate_error"), "no obfuscator")
	}
	entries, _ := os.ReadDir(filepath.Join(cache, "rtloader-check"))
	if len(entries) != 1 {
		t.Errorf("cache folder holds %d entries, want 1", len(entries))
	}
}

func TestList(t *testing.T) {
	r := run(t, "", "--list")
	expectCode(t, r, 0)
	contains(t, "stdout", r.stdout, "Installed integrations", "fx_all", "fx_subprocess")
}

// ---- bad input: clear message, non-zero exit, never a crash ----------------------------------

func TestMissingCheckSaysWhereItLooked(t *testing.T) {
	r := run(t, "", "fx_missing")
	expectCode(t, r, 2)
	contains(t, "stderr", r.stderr, "could not load check 'fx_missing'", "tried module datadog_checks.fx_missing",
		"tried module fx_missing", filepath.Join(fixtures(t), "checks.d"), "sys.path")
}

func TestMissingConfiguration(t *testing.T) {
	r := run(t, "", "nope")
	expectCode(t, r, 2)
	contains(t, "stderr", r.stderr, "no configuration for check 'nope'", "nope.d/conf.yaml", "nope.yaml")
}

func badConf(t *testing.T, file string, wantCode int, wants ...string) {
	t.Helper()
	r := run(t, "", "--conf", filepath.Join(fixtures(t), "bad", file), "fx_all")
	expectCode(t, r, wantCode)
	contains(t, "stderr", r.stderr, wants...)
	if strings.Contains(r.stderr, "Traceback") || strings.Contains(r.stderr, "Segmentation") {
		t.Errorf("stderr shows a crash:\n%s", r.stderr)
	}
}

func TestYAMLSyntaxErrorHasPosition(t *testing.T) {
	badConf(t, "syntax.yaml", 2, "syntax.yaml:4:4: ", "did not find expected '-' indicator")
}

func TestInstancesMissing(t *testing.T) {
	badConf(t, "no_instances.yaml", 2, "no 'instances:' list")
}

func TestInstancesNotAList(t *testing.T) {
	badConf(t, "instances_map.yaml", 2, "instances_map.yaml:2:3: 'instances' must be a list of mappings, found a mapping")
}

func TestInstanceNotAMapping(t *testing.T) {
	badConf(t, "instance_scalar.yaml", 2, "instance #1 must be a mapping, found an integer")
}

func TestInstancesEmpty(t *testing.T) {
	badConf(t, "instances_empty.yaml", 2, "'instances' is an empty list")
}

func TestAliasBombIsRefused(t *testing.T) {
	badConf(t, "alias_bomb.yaml", 2, "alias_bomb.yaml: the JSON text would exceed")
}

func TestRaiseInConstructor(t *testing.T) {
	r := run(t, "", "fx_raise_init")
	expectCode(t, r, 1)
	contains(t, "stdout", r.stdout, "could not create the check object", "Traceback (most recent call last)",
		"RuntimeError: fx constructor exploded", "[ERROR]")
	d := parseDoc(t, run(t, "", "--json", "fx_raise_init"))
	if s := d.Instances[0].Summary; s.Errors != 1 || s.Status != "ERROR" || !strings.Contains(s.InitError, "fx constructor exploded") {
		t.Errorf("summary %+v", s)
	}
}

func TestRaiseInCheck(t *testing.T) {
	r := run(t, "", "fx_raise_check")
	expectCode(t, r, 1)
	contains(t, "stdout", r.stdout, "run 1/1: ERROR", "Traceback (most recent call last)", "helper_that_fails",
		"KeyError: 'fx missing key'", "Errors: 1")
	rj := run(t, "", "--json", "fx_raise_check")
	expectCode(t, rj, 1)
	d := parseDoc(t, rj)
	run := d.Instances[0].Runs[0]
	if run.Status != "ERROR" || len(run.Errors) != 1 || run.Errors[0].Message != "'fx missing key'" ||
		!strings.Contains(run.Errors[0].Traceback, "KeyError") || d.ExitStatus != 1 {
		t.Errorf("run %+v", run)
	}
	findMetric(t, run, "fx.before_error") // submitted before the exception: still shown
}

func TestTimeoutCancelsCheck(t *testing.T) {
	r := run(t, "", "--json", "--timeout", "1", "fx_sleep")
	expectCode(t, r, 1)
	run := parseDoc(t, r).Instances[0].Runs[0]
	if run.Status != "TIMEOUT" {
		t.Fatalf("status %s", run.Status)
	}
	findMetric(t, run, "fx.cancelled") // the check saw cancel() (cancel_check) and stopped
	if r.elapsed > 10*time.Second {
		t.Errorf("took %v", r.elapsed)
	}
}

func TestTimeoutStuckCheckDoesNotHang(t *testing.T) {
	r := run(t, "", "--timeout", "1", "--conf", filepath.Join(fixtures(t), "bad", "sleep_stuck.yaml"), "fx_sleep")
	expectCode(t, r, 1)
	contains(t, "stderr", r.stderr, "did not return within --timeout 1 s", "still had not stopped")
	contains(t, "stdout", r.stdout, "TIMEOUT", "=== Summary")
	if r.elapsed > 12*time.Second {
		t.Errorf("a stuck check held the runner for %v", r.elapsed)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"--bogus", "fx_all"}, {"--times", "0", "fx_all"}, {}, {"--log-level", "loud", "fx_all"},
		{"a", "b"}, {"--timeout", "-1", "fx_all"}} {
		r := run(t, "", args...)
		if r.code != 2 || r.stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

func TestHelpListsOptionsWithDefaults(t *testing.T) {
	r := run(t, "", "--help")
	expectCode(t, r, 0)
	contains(t, "--help", r.stdout, "--conf FILE", "--confd DIR", "--checks-dir DIR", "--python-home DIR",
		"--times N", "(default: 1)", "--pause MS", "--instance K", "--json", "--list", "--log-level LEVEL",
		"(default: info)", "--timeout SECONDS", "(default: 30", "--agent-config FILE", "--check-rate")
}

// ---- YAML → JSON: differential test against Debian's python3-yaml --------------------------------

func TestYAMLDifferentialAgainstPyYAML(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import yaml").Run(); err != nil {
		t.Skip("NOTE: /usr/bin/python3 cannot import yaml (apt-get install python3-yaml): differential test skipped")
	}
	corpus, _ := filepath.Abs(filepath.Join("testdata", "yaml-corpus"))
	cmd := exec.Command("/usr/bin/python3", filepath.Join("testdata", "yamldiff.py"), binary(t, "rtlc-yaml2json"), corpus)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("differential test failed: %v", err)
	}
}

func TestExampleCPUSamplerThreadBetweenRuns(t *testing.T) {
	r := exampleRun(t, "cpu_sampler", "--json", "--times", "2", "--pause", "500")
	expectCode(t, r, 0)
	d := rawDoc(t, r)
	outside := d["outside_runs"].(map[string]interface{})["metrics"].([]interface{})
	if len(outside) < 1 || outside[0].(map[string]interface{})["name"] != "cpu_sampler.busy_pct" {
		t.Errorf("the sampler thread's submissions between runs: %v", outside)
	}
	second := parseDoc(t, r).Instances[0].Runs[1]
	if m := findMetric(t, second, "cpu_sampler.samples"); m.Value < 1 {
		t.Errorf("run 2 counted %v samples", m.Value)
	}
}
