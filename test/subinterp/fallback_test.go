package subinterp

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// singlePhaseSource is the smallest single-phase-init extension module (PyModule_Create, no
// Py_mod_multiple_interpreters slot): CPython refuses it in an interpreter that checks for
// multi-interpreter support.
const singlePhaseSource = `#include <Python.h>
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "si_single_phase", NULL, -1, NULL, NULL, NULL, NULL, NULL};
PyMODINIT_FUNC PyInit_si_single_phase(void) { return PyModule_Create(&def); }
`

var (
	extOnce sync.Once
	extDir  string
	extErr  error
)

// buildSinglePhaseExtension compiles si_single_phase.so with the backend's own Python headers
// into a temporary folder and puts that folder on the main sys.path (once per process).
func buildSinglePhaseExtension(t *testing.T) {
	t.Helper()
	extOnce.Do(func() {
		inc, err := exec.Command(helpers.PythonExe(), "-c", `import sysconfig; print(sysconfig.get_paths()["include"])`).Output()
		if err != nil {
			extErr = fmt.Errorf("%s: could not read the include folder: %v", helpers.PythonExe(), err)
			return
		}
		if extDir, err = os.MkdirTemp("", "rtloader-si-ext"); err != nil {
			extErr = err
			return
		}
		src := filepath.Join(extDir, "si_single_phase.c")
		if err = os.WriteFile(src, []byte(singlePhaseSource), 0o644); err != nil {
			extErr = err
			return
		}
		out, err := exec.Command("gcc", "-shared", "-fPIC", "-I"+strings.TrimSpace(string(inc)), "-o",
			filepath.Join(extDir, "si_single_phase.so"), src).CombinedOutput()
		if err != nil {
			extErr = fmt.Errorf("gcc: %v\n%s", err, out)
		}
	})
	if extErr != nil {
		t.Fatal(extErr)
	}
	helpers.RunPy(t, fmt.Sprintf("import sys\nif %s not in sys.path: sys.path.append(%s)",
		helpers.PyString(extDir), helpers.PyString(extDir)))
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
