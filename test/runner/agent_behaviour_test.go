package runner

// Tests of the runner behaving like the Agent with real integrations (issue 12): null instances,
// submissions from a check's own threads, one JSON document on every path, the Agent's
// configuration defaults, the check base in use, the checks folders reaching child processes,
// SIGINT/SIGTERM, output errors, non-UTF-8 paths and --check-rate.

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runOut is run with a chosen stdout (a file) and extra environment; it returns stderr and the
// exit status.
func runOut(t *testing.T, stdout *os.File, extraEnv []string, args ...string) (string, int) {
	t.Helper()
	fx := fixtures(t)
	full := []string{"--checks-dir", filepath.Join(fx, "checks.d"), "--confd", filepath.Join(fx, "conf.d")}
	if home := os.Getenv("RTLOADER_PYTHON_HOME"); home != "" {
		full = append(full, "--python-home", home)
	}
	cmd := exec.Command(binary(t, "rtloader-check"), append(full, args...)...)
	cmd.Env = childEnv(append([]string{"XDG_CACHE_HOME=" + t.TempDir()}, extraEnv...)...)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("rtloader-check %v: %v", args, err)
	}
	return errb.String(), code
}

// rawDoc parses the --json output into generic maps.
func rawDoc(t *testing.T, r result) map[string]interface{} {
	t.Helper()
	var d map[string]interface{}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("--json output is not one JSON document: %v\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return d
}

// ---- item 1: a null instance is {} -------------------------------------------------------------

func TestNullInstanceIsAnEmptyMapping(t *testing.T) {
	r := run(t, "", "--json", "--conf", filepath.Join(fixtures(t), "null_instance.yaml"), "fx_config")
	expectCode(t, r, 0)
	run := parseDoc(t, r).Instances[0].Runs[0]
	if got := metadata(run, "instance_repr"); got != "{}" {
		t.Errorf("a bare '-' instance reached the check as %s, want {}", got)
	}
}

// ---- item 2: submissions from the check's own threads --------------------------------------------

func TestThreadSubmissionsBetweenRunsAreKept(t *testing.T) {
	r := run(t, "", "--json", "--times", "2", "--pause", "600", "fx_thread")
	expectCode(t, r, 0)
	d := rawDoc(t, r)
	inst := d["instances"].([]interface{})[0].(map[string]interface{})
	id := inst["check_id"].(string)
	count := func(rec map[string]interface{}, name string) int {
		n := 0
		for _, m := range rec["metrics"].([]interface{}) {
			if m.(map[string]interface{})["name"] == name {
				n++
			}
		}
		return n
	}
	for i, rr := range inst["runs"].([]interface{}) {
		rec := rr.(map[string]interface{})
		// each run lasts 300 ms: the 50 ms ticker lands in it, and so does the run's own gauge
		if count(rec, "fx.tick") < 2 || count(rec, "fx.in_run") != 1 {
			t.Errorf("run %d: %d ticks, %d fx.in_run", i+1, count(rec, "fx.tick"), count(rec, "fx.in_run"))
		}
	}
	// the constructor submits before its check id is set: that counts in run 1, as in the Agent
	first := inst["runs"].([]interface{})[0].(map[string]interface{})
	if count(first, "fx.from_constructor") != 1 {
		t.Errorf("the constructor's submission is not in run 1: %v", first["metrics"])
	}
	outside, ok := d["outside_runs"].(map[string]interface{})
	if !ok {
		t.Fatalf("no outside_runs section in the document:\n%s", r.stdout)
	}
	// the 600 ms pause: about 12 ticks, and none of the runs' own submissions
	if n := count(outside, "fx.tick"); n < 4 || count(outside, "fx.in_run") != 0 {
		t.Errorf("outside any run: %d ticks, %d fx.in_run: %v", n, count(outside, "fx.in_run"), outside["metrics"])
	}
	for _, m := range outside["metrics"].([]interface{}) {
		mm := m.(map[string]interface{})
		if mm["check_id"] != id || mm["at_ms"].(float64) <= 0 {
			t.Errorf("outside submission not attributed to %s with a time: %v", id, mm)
		}
	}
	rt := run(t, "", "--times", "2", "--pause", "300", "fx_thread")
	expectCode(t, rt, 0)
	contains(t, "stdout", rt.stdout, "=== Outside any run: ", "fx.tick = ", "check: "+id, " at +")
}

// ---- item 3: --json prints one document on every path ---------------------------------------------

func TestJSONDocumentOnEveryError(t *testing.T) {
	for _, args := range [][]string{
		{"--json", "fx_missing"},                // the check cannot be loaded
		{"--json", "nope"},                      // no configuration
		{"--json", "--times", "0", "fx_all"},    // usage error
		{"fx_all", "--bogus", "--json"},         // usage error, --json after it
		{"--json", "--instance", "9", "fx_all"}, // instance out of range
		{"--json", "--agent-config", "/nonexistent/agent.yaml", "fx_all"},
	} {
		r := run(t, "", args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2", args, r.code)
			continue
		}
		d := rawDoc(t, r)
		if d["exit_status"].(float64) != 2 || d["error"] == nil || d["error"].(string) == "" {
			t.Errorf("%v: document %v", args, d)
		}
		if !strings.Contains(r.stderr, d["error"].(string)) {
			t.Errorf("%v: the error is not on stderr too:\n%s", args, r.stderr)
		}
	}
}

// ---- item 4: the Agent's defaults for get_config ----------------------------------------------------

func TestAgentConfigDefaults(t *testing.T) {
	r := run(t, "", "--json", "fx_config")
	expectCode(t, r, 0)
	rec := parseDoc(t, r).Instances[0].Runs[0]
	for key, want := range map[string]string{
		"enable_metadata_collection": "True", "disable_unsafe_yaml": "True", "integration_tracing": "False",
		"integration_tracing_exhaustive": "False", "integration_profiling": "False", "procfs_path": "'/proc'",
		"log_level": "'info'", "no_such_key_fx": "None",
	} {
		if got := metadata(rec, "config."+key); got != want {
			t.Errorf("get_config(%q) = %s, want %s", key, got, want)
		}
	}
	ro := run(t, "", "--json", "--agent-config", filepath.Join(fixtures(t), "agent_override.yaml"), "fx_config")
	expectCode(t, ro, 0)
	over := parseDoc(t, ro).Instances[0].Runs[0]
	if got := metadata(over, "config.enable_metadata_collection"); got != "False" {
		t.Errorf("--agent-config did not override enable_metadata_collection: %s", got)
	}
	if got := metadata(over, "config.procfs_path"); got != "'/host/proc'" {
		t.Errorf("--agent-config did not override procfs_path: %s", got)
	}
	if got := metadata(over, "config.disable_unsafe_yaml"); got != "True" {
		t.Errorf("a default the file does not set was lost: %s", got)
	}
}

// ---- item 6: the check base in use ----------------------------------------------------------------

func TestBundledBaseIsAnnounced(t *testing.T) {
	r := run(t, "", "fx_raise_check")
	contains(t, "stderr", r.stderr, "using the bundled minimal check base (datadog_checks.base 0.1.0-rtloader from ")
	l := run(t, "", "--list")
	expectCode(t, l, 0)
	contains(t, "--list", l.stdout, "Check base: datadog_checks.base 0.1.0-rtloader (bundled with rtloader) from ")
	lj := run(t, "", "--list", "--json")
	expectCode(t, lj, 0)
	base, _ := rawDoc(t, lj)["base"].(map[string]interface{})
	if base["version"] != "0.1.0-rtloader" || base["bundled"] != true ||
		!strings.HasSuffix(base["file"].(string), filepath.Join("datadog_checks", "base", "__init__.py")) {
		t.Errorf("--list --json base = %v", base)
	}
}

// ---- item 7: the checks folders reach the check's child processes --------------------------------

func TestChecksDirsReachChildPython(t *testing.T) {
	r := run(t, "", "--json", "fx_config")
	expectCode(t, r, 0)
	run := parseDoc(t, r).Instances[0].Runs[0]
	if got := metadata(run, "child_import"); got != "fx child helper imported" {
		t.Errorf("a sys.executable child could not import from --checks-dir: %s", got)
	}
	// the embedded interpreter's own sys.path is unchanged: the checks folder is not put first
	if got := metadata(run, "checks_dir_first_in_sys_path"); got != "False" {
		t.Errorf("the checks folder moved to the front of the embedded sys.path")
	}
}

// ---- item 8: SIGINT / SIGTERM ----------------------------------------------------------------------

// signalStopsRunner starts `check` (whose instance gets ready_file and writes it once running),
// sends sig, and returns the one run recorded, after asserting the exit status and the delay.
func signalStopsRunner(t *testing.T, sig syscall.Signal, wantCode int, check string) runRecord {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	conf := filepath.Join(dir, "sleep.yaml")
	if err := os.WriteFile(conf, []byte("instances:\n  - seconds: 30\n    ready_file: "+ready+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fx := fixtures(t)
	args := []string{"--checks-dir", filepath.Join(fx, "checks.d"), "--conf", conf, "--json", "--times", "3"}
	if home := os.Getenv("RTLOADER_PYTHON_HOME"); home != "" {
		args = append(args, "--python-home", home)
	}
	cmd := exec.Command(binary(t, "rtloader-check"), append(args, check)...)
	cmd.Env = childEnv("XDG_CACHE_HOME=" + dir)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the check never started\n%s", errb.String())
		}
	}
	start := time.Now()
	cmd.Process.Signal(sig)
	select {
	case err := <-done:
		took := time.Since(start)
		ee, _ := err.(*exec.ExitError)
		if ee == nil || ee.ExitCode() != wantCode {
			t.Fatalf("exit %v, want status %d\nstderr:\n%s", err, wantCode, errb.String())
		}
		if took > 1500*time.Millisecond {
			t.Errorf("the runner took %v to stop after %v", took, sig)
		}
		r := result{stdout: out.String(), stderr: errb.String()}
		d := parseDoc(t, r)
		runs := d.Instances[0].Runs
		if d.ExitStatus != wantCode || len(runs) != 1 {
			t.Fatalf("document after %v: exit_status %d, runs %+v", sig, d.ExitStatus, runs)
		}
		contains(t, "stderr", r.stderr, "stopped by ")
		return runs[0]
	case <-time.After(8 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%v did not stop the runner within 8 s\nstderr:\n%s", sig, errb.String())
	}
	return runRecord{}
}

func TestSIGINTStopsRunnerAfterCancellingCheck(t *testing.T) {
	run := signalStopsRunner(t, syscall.SIGINT, 130, "fx_sleep")
	if run.Status != "INTERRUPTED" {
		t.Errorf("run status %s", run.Status)
	}
	findMetric(t, run, "fx.cancelled") // the check saw cancel() before the runner left
}

func TestSIGTERMStopsRunnerAfterCancellingCheck(t *testing.T) {
	run := signalStopsRunner(t, syscall.SIGTERM, 143, "fx_sleep")
	if run.Status != "INTERRUPTED" {
		t.Errorf("run status %s", run.Status)
	}
	findMetric(t, run, "fx.cancelled")
}

// A check waiting in get_subprocess_output for a long command: the command is killed, so the
// check returns (here it catches the error and ends its run) instead of being abandoned with the
// command still running.
func TestSIGINTKillsRunningSubprocess(t *testing.T) {
	run := signalStopsRunner(t, syscall.SIGINT, 130, "fx_spawn")
	if got := metadata(run, "sleep_error"); got != "command 'sleep' was killed: rtloader-check is stopping (Interrupt)" {
		t.Errorf("the subprocess call ended with %q", got)
	}
}

// ---- item 9: output errors -------------------------------------------------------------------------

func TestOutputToFullDeviceFails(t *testing.T) {
	for _, mode := range [][]string{{"--json"}, {}} {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Skip("no /dev/full")
		}
		stderr, code := runOut(t, full, nil, append(mode, "fx_all")...)
		full.Close()
		if code != 3 || !strings.Contains(stderr, "cannot write the output: No space left on device") {
			t.Errorf("%v > /dev/full: exit %d, stderr:\n%s", mode, code, stderr)
		}
	}
}

func TestOutputToClosedPipeExitsQuietly(t *testing.T) {
	for _, mode := range [][]string{{"--json"}, {}} {
		rd, wr, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		rd.Close() // the reader is gone before the first write
		stderr, code := runOut(t, wr, nil, append(mode, "fx_all")...)
		wr.Close()
		if code != 141 || strings.Contains(stderr, "cannot write") {
			t.Errorf("%v | (closed): exit %d, want 141 and no message; stderr:\n%s", mode, code, stderr)
		}
	}
}

// ---- item 10: non-UTF-8 paths ----------------------------------------------------------------------

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestNonUTF8PathsAreEscapedNotDropped(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odd-\xff-dir")
	checks := filepath.Join(dir, "checks-\xfe")
	if err := os.MkdirAll(checks, 0o755); err != nil {
		t.Skipf("this filesystem refuses non-UTF-8 names: %v", err)
	}
	fx := fixtures(t)
	copyFile(t, filepath.Join(fx, "checks.d", "fx_raise_check.py"), filepath.Join(checks, "fx_raise_check.py"))
	conf := filepath.Join(dir, "conf-\xfd.yaml")
	copyFile(t, filepath.Join(fx, "conf.d", "fx_raise_check.yaml"), conf)
	r := run(t, "", "--json", "--checks-dir", checks, "--conf", conf, "fx_raise_check")
	expectCode(t, r, 1)
	d := rawDoc(t, r)
	if c, _ := d["configuration"].(string); !strings.Contains(c, `odd-\xff-dir`) || !strings.Contains(c, `conf-\xfd.yaml`) {
		t.Errorf("configuration path %q lost its escapes", d["configuration"])
	}
	inst := d["instances"].([]interface{})[0].(map[string]interface{})
	src := inst["summary"].(map[string]interface{})["configuration_source"].(string)
	if !strings.Contains(src, `conf-\xfd.yaml`) {
		t.Errorf("configuration source %q", src)
	}
	if runs := inst["runs"].([]interface{}); len(runs) != 1 {
		t.Errorf("runs %v", runs)
	}
	rt := run(t, "", "--checks-dir", checks, "--conf", conf, "fx_raise_check")
	expectCode(t, rt, 1)
	contains(t, "stdout", rt.stdout, "=== Summary: fx_raise_check (unversioned)", `conf-\xfd.yaml`)
	if strings.Contains(rt.stdout, "(null)") {
		t.Errorf("text output shows (null):\n%s", rt.stdout)
	}
}

// ---- item 12: --check-rate ------------------------------------------------------------------------

func TestCheckRateShowsSecondRunWithRates(t *testing.T) {
	r := run(t, "", "--json", "--check-rate", "fx_rate")
	expectCode(t, r, 0)
	if r.elapsed < time.Second {
		t.Errorf("two runs 1 s apart took %v", r.elapsed)
	}
	d := rawDoc(t, r)
	runs := d["instances"].([]interface{})[0].(map[string]interface{})["runs"].([]interface{})
	if len(runs) != 2 || runs[0].(map[string]interface{})["rate_baseline"] != true {
		t.Fatalf("runs %v", runs)
	}
	computed := map[string]float64{}
	for _, m := range runs[1].(map[string]interface{})["metrics"].([]interface{}) {
		mm := m.(map[string]interface{})
		if c, ok := mm["computed"].(float64); ok {
			computed[mm["name"].(string)] = c
		}
	}
	if c := computed["fx.mono"]; c != 100 {
		t.Errorf("monotonic count over the two runs = %v, want 100", c)
	}
	if c := computed["fx.rate"]; c < 8 || c > 10.5 { // 10 more over a little more than 1 s
		t.Errorf("rate over the two runs = %v/s, want about 10", c)
	}
	if _, ok := computed["fx.run_number"]; ok {
		t.Errorf("a gauge got a computed value")
	}
	rt := run(t, "", "--check-rate", "fx_rate")
	expectCode(t, rt, 0)
	contains(t, "stdout", rt.stdout, "run 1/2: OK", "this first run only sets the baseline", "run 2/2: OK",
		"fx.mono = 200  tags: [kind:mono]  => 100 since the first run", "fx.run_number = 2", "/s", "Total Runs: 2")
	if strings.Contains(rt.stdout, "fx.run_number = 1") {
		t.Errorf("the first run's samples are shown:\n%s", rt.stdout)
	}
	ru := run(t, "", "--check-rate", "--times", "3", "fx_rate")
	expectCode(t, ru, 2)
	contains(t, "stderr", ru.stderr, "--check-rate runs twice")
}

// ---- issue 11 item 15: the host's subprocesses ------------------------------------------------------

func TestSubprocessProgramLookup(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "fx-not-executable"), []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// a script without a #! line: execvp hands it to /bin/sh, and so must the runner
	if err := os.WriteFile(filepath.Join(bin, "fx-no-shebang"), []byte("echo \"no shebang: $1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runEnv(t, "", []string{"PATH=" + bin + ":/usr/bin:/bin"}, "--json", "fx_spawn")
	expectCode(t, r, 0)
	run := parseDoc(t, r).Instances[0].Runs[0]
	if got := metadata(run, "path_lookup"); got != `["found-on-path", 0]` {
		t.Errorf("sh found on PATH: %s", got)
	}
	if got := metadata(run, "run:fx-no-shebang"); got != `["no shebang: arg1", 0]` {
		t.Errorf("script without #!: %s", got)
	}
	if got := metadata(run, "bad:fx-no-such-program"); got != "could not run 'fx-no-such-program': No such file or directory" {
		t.Errorf("missing program: %s", got)
	}
	if got := metadata(run, "bad:fx-not-executable"); got != "could not run 'fx-not-executable': Permission denied" {
		t.Errorf("non-executable program: %s", got)
	}
}

// A signal during --pause: the runner does not sleep the pause out.
func TestSIGINTDuringPauseStopsRunner(t *testing.T) {
	fx := fixtures(t)
	args := []string{"--checks-dir", filepath.Join(fx, "checks.d"), "--confd", filepath.Join(fx, "conf.d"),
		"--times", "3", "--pause", "20000"}
	if home := os.Getenv("RTLOADER_PYTHON_HOME"); home != "" {
		args = append(args, "--python-home", home)
	}
	cmd := exec.Command(binary(t, "rtloader-check"), append(args, "fx_rate")...)
	cmd.Env = childEnv("XDG_CACHE_HOME=" + t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// read the text output until run 1 is printed: the runner is then in the pause
	var seen bytes.Buffer
	buf := make([]byte, 4096)
	for !strings.Contains(seen.String(), "run 1/3: OK") {
		n, err := stdout.Read(buf)
		seen.Write(buf[:n])
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("no run 1 in the output: %v\n%s\n%s", err, seen.String(), errb.String())
		}
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	rest, _ := io.ReadAll(stdout)
	seen.Write(rest)
	err = cmd.Wait()
	ee, _ := err.(*exec.ExitError)
	if ee == nil || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130\n%s", err, errb.String())
	}
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("stopping during the pause took %v", took)
	}
	contains(t, "stdout", seen.String(), "=== Summary: fx_rate", "Total Runs: 1")
}
