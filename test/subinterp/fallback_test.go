package subinterp

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// buildSinglePhaseExtension compiles the single-phase extension si_single_phase (see
// helpers.SinglePhaseExtension) and puts its folder on the main sys.path.
func buildSinglePhaseExtension(t *testing.T) {
	t.Helper()
	dir := helpers.SinglePhaseExtension(t)
	helpers.RunPy(t, fmt.Sprintf("import sys\nif %s not in sys.path: sys.path.append(%s)",
		helpers.PyString(dir), helpers.PyString(dir)))
}

// logRecorder collects the log callback's INFO lines.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func recordLogs(t *testing.T) *logRecorder {
	r := &logRecorder{}
	t.Cleanup(bindings.UpdateHandlers(func(h *bindings.Handlers) {
		h.Log = func(message string, level int) {
			if level == 20 {
				r.mu.Lock()
				r.lines = append(r.lines, message)
				r.mu.Unlock()
			}
		}
	}))
	return r
}

func (r *logRecorder) matching(prefix string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range r.lines {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// TestSinglePhaseExtensionFallsBackToMain: a check importing a single-phase-init extension is
// built in the main interpreter (check_is_isolated 0) and runs there; the log says why, once
// per class however many instances are made.
func TestSinglePhaseExtensionFallsBackToMain(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	buildSinglePhaseExtension(t)
	logs := recordLogs(t)
	defer helpers.CheckMemory(t)()
	rt().WithGIL(func() {
		for i := 0; i < 2; i++ {
			chk, err := helpers.NewCheck(rt(), "si_fallback", "", "{}", fmt.Sprintf("si:fb%d", i), "si_fallback")
			if err != nil {
				t.Fatal(err)
			}
			if got := rt().CheckIsIsolated(chk); got != 0 {
				t.Errorf("instance %d: check_is_isolated = %d, want 0 (main interpreter)", i, got)
			}
			if out, ok := rt().RunCheck(chk); !ok || out != "fallback ran" {
				t.Errorf("instance %d: run_check = %q, %v (%s)", i, out, ok, rt().Error())
			}
			rt().Decref(chk)
		}
		if rt().HasError() {
			t.Errorf("the fallback left an error: %s", rt().Error())
		}
	})
	want := "check 'si_fallback.FallbackCheck' runs in the main interpreter: ImportError: module si_single_phase does not support loading in subinterpreters"
	if got := logs.matching("check 'si_fallback.FallbackCheck'"); len(got) != 1 || got[0] != want {
		t.Errorf("fallback log lines:\n got: %q\nwant: [%q]", got, want)
	}
}

// TestFailingConstructorIsAnErrorNotAFallback: a check whose constructor raises fails get_check
// with the usual error (the bare formatted Python error), whichever interpreter it was tried in;
// nothing claims it runs in the main interpreter.
func TestFailingConstructorIsAnErrorNotAFallback(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	logs := recordLogs(t)
	defer helpers.CheckMemory(t)()
	rt().WithGIL(func() {
		c, err := helpers.LoadClass(rt(), "si_worker")
		if err != nil {
			t.Fatal(err)
		}
		defer rt().Decref(c)
		if chk, ok := rt().GetCheck(c, "", "{}", "si:raise", "raise", ""); ok {
			rt().Decref(chk)
			t.Fatal("get_check succeeded")
		}
		if msg := rt().Error(); !strings.HasPrefix(msg, "Traceback (most recent call last):") ||
			!strings.HasSuffix(strings.TrimSpace(msg), "ValueError: si: bad instance") {
			t.Errorf("get_check error = %q, want the formatted ValueError", msg)
		}
	})
	if got := logs.matching("check 'si_worker.WorkerCheck' runs in the main interpreter"); len(got) != 0 {
		t.Errorf("a failing constructor was logged as a fallback: %q", got)
	}
}
