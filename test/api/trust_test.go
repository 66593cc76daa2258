package api

import (
	"strings"
	"testing"

	"rtloader/test/helpers"
)

// Issue 11 item 4: SystemExit raised by run_simple_string is an uncaught exception: the traceback
// is printed, 0 is returned, the error holds the SystemExit text (API.md 12.5), and the process goes on
// (PyRun_SimpleString's PyErr_Print used to exit the host). Runs in a child process, since the old
// behaviour ends it.
func TestRunSimpleStringSystemExitDoesNotEndTheProcess(t *testing.T) {
	if !helpers.InChild(t) {
		r := helpers.RunChild(t)
		r.ExpectPass(t)
		for _, want := range []string{"SystemExit: 5\n", "SystemExit: bye\n", "ZeroDivisionError: division by zero\n"} {
			if !strings.Contains(r.Stderr, want) {
				t.Errorf("child's stderr lacks the printed %q:\n%s", want, r.Stderr)
			}
		}
		return
	}
	if err := helpers.Setup(); err != nil {
		t.Fatal(err)
	}
	defer helpers.CheckMemory(t)()
	for _, code := range []string{"raise SystemExit(5)", "import sys; sys.exit(0)", "raise SystemExit('bye')", "exit(7)"} {
		var ok bool
		withGIL(func() { ok = rt().RunSimpleString(code) })
		if ok {
			t.Errorf("run_simple_string(%q) = 1, want 0", code)
		}
		if !rt().HasError() {
			t.Errorf("run_simple_string(%q): no error stored", code)
		} else if msg := rt().Error(); !strings.Contains(msg, "SystemExit") {
			t.Errorf("run_simple_string(%q): error %q, want one naming SystemExit", code, msg)
		}
	}
	// Nor through sys.excepthook: PyErr_Print calls it, and ends the process when it raises
	// SystemExit.
	withGIL(func() {
		if !rt().RunSimpleString("import sys; sys.excepthook = lambda *a: sys.exit(9)") {
			t.Error("could not set sys.excepthook")
		}
		if rt().RunSimpleString("1/0") {
			t.Error("run_simple_string(1/0) = 1, want 0")
		}
		rt().RunSimpleString("import sys; sys.excepthook = sys.__excepthook__")
	})
	expectNoError(t)
	helpers.RunPyExpect(t, "import sys; out.write('alive %s' % (sys.exc_info()[0],))", "alive None")
}
