package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rtloader/test/helpers"
)

// subinterpretersOrRefusal checks the refusal below 3.12 (and says it skips the rest); it
// returns true when the suite's Python has sub-interpreters.
func subinterpretersOrRefusal(t *testing.T, r result) bool {
	t.Helper()
	if minor := helpers.PythonMinor(t); minor < 12 {
		expectCode(t, r, 2)
		contains(t, "stderr", r.stderr,
			fmt.Sprintf("--subinterpreters: sub-interpreters need Python 3.12 or newer (this is 3.%d)", minor))
		fmt.Printf("NOTE: %s: Python 3.%d has no sub-interpreters: refusal checked, the rest skipped\n", t.Name(), minor)
		return false
	}
	return true
}

// TestSubinterpretersBundledExamplesRunIsolated: with --subinterpreters every instance of the
// bundled examples runs in a sub-interpreter of its own, and the output says so.
func TestSubinterpretersBundledExamplesRunIsolated(t *testing.T) {
	for _, check := range []string{"proc_stats", "dir_size", "cpu_sampler"} {
		r := exampleRun(t, check, "--subinterpreters", "--json")
		if !subinterpretersOrRefusal(t, r) {
			return
		}
		expectCode(t, r, 0)
		d := parseDoc(t, r)
		if len(d.Instances) == 0 {
			t.Fatalf("%s: no instance ran:\n%s", check, r.stdout)
		}
		for _, in := range d.Instances {
			if in.Summary.Interpreter != "sub-interpreter" || in.Summary.InterpReason != "" {
				t.Errorf("%s instance %d: interpreter %q (%q), want sub-interpreter", check, in.Instance,
					in.Summary.Interpreter, in.Summary.InterpReason)
			}
		}
		text := exampleRun(t, check, "--subinterpreters")
		contains(t, check+" text output", text.stdout, "    Interpreter: its own sub-interpreter (own GIL)\n")
	}
}

// TestSubinterpretersFallbackShowsWhy: a check importing a single-phase extension runs in the
// main interpreter, and both instances say why (rtloader logs the reason once per class).
func TestSubinterpretersFallbackShowsWhy(t *testing.T) {
	ext := helpers.SinglePhaseExtension(t)
	r := run(t, "", "--checks-dir", ext, "--subinterpreters", "--json", "fx_single_phase")
	if !subinterpretersOrRefusal(t, r) {
		return
	}
	expectCode(t, r, 0)
	why := "ImportError: module si_single_phase does not support loading in subinterpreters"
	d := parseDoc(t, r)
	if len(d.Instances) != 2 {
		t.Fatalf("%d instances, want 2:\n%s", len(d.Instances), r.stdout)
	}
	for _, in := range d.Instances {
		if in.Summary.Interpreter != "main" || in.Summary.InterpReason != why || in.Summary.Status != "OK" {
			t.Errorf("instance %d: %+v, want main because %q", in.Instance, in.Summary, why)
		}
	}
	text := run(t, "", "--checks-dir", ext, "--subinterpreters", "fx_single_phase")
	contains(t, "text output", text.stdout, "    Interpreter: main, because "+why+"\n")
}

// TestParallelRunsInstancesAtOnce: --parallel 3 runs three 0.8 s instances at the same time
// (well under the 2.4 s they take one after the other), and the output keeps them in
// configuration order.
func TestParallelRunsInstancesAtOnce(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "fx_sleep.yaml")
	if err := os.WriteFile(conf, []byte("instances:\n  - seconds: 0.8\n  - seconds: 0.8\n  - seconds: 0.8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := run(t, "", "--conf", conf, "--parallel", "3", "--json", "fx_sleep")
	elapsed := time.Since(start)
	expectCode(t, r, 0)
	d := parseDoc(t, r)
	if len(d.Instances) != 3 {
		t.Fatalf("%d instances, want 3:\n%s", len(d.Instances), r.stdout)
	}
	for i, in := range d.Instances {
		if in.Instance != i+1 || in.Summary.Status != "OK" {
			t.Errorf("instances[%d] = #%d %s, want #%d OK", i, in.Instance, in.Summary.Status, i+1)
		}
	}
	if elapsed > 2*time.Second {
		t.Errorf("3 instances of 0.8 s took %v with --parallel 3", elapsed)
	}
}

// TestParallelNeedsAPositiveNumber: --parallel 0 is a usage error.
func TestParallelNeedsAPositiveNumber(t *testing.T) {
	r := run(t, "", "--parallel", "0", "fx_sleep")
	expectCode(t, r, 2)
	contains(t, "stderr", r.stderr, "--parallel needs a number of threads from 1 to 1024")
}
