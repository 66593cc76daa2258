// Package crash tests handle_crashes (API.md section 8). The crashing tests run in child
// processes and inspect what the child printed and how it exited.
package crash

import (
	"os"
	"strings"
	"syscall"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, false)) }

func TestHandleCrashesNothingToDo(t *testing.T) {
	defer helpers.CheckMemory(t)()
	ok, msg := bindings.HandleCrashes(false, false)
	if !ok || msg != "" {
		t.Errorf("handle_crashes(0, 0) = %v, %q; want 1, no error", ok, msg)
	}
}

func TestHandleCrashesEnablesCoreDumps(t *testing.T) {
	if helpers.InChild(t) {
		ok, msg := bindings.HandleCrashes(true, false)
		if !ok || msg != "" {
			t.Fatalf("handle_crashes(1, 0) = %v, %q", ok, msg)
		}
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_CORE, &lim); err != nil {
			t.Fatal(err)
		}
		if lim.Cur != rlimInfinity || lim.Max != rlimInfinity {
			t.Errorf("RLIMIT_CORE = %+v, want unlimited", lim)
		}
		return
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_CORE, &lim); err == nil && lim.Max != rlimInfinity && os.Geteuid() != 0 {
		t.Skip("note: the hard core-size limit is finite and we are not root; cannot raise it")
	}
	helpers.RunChild(t).ExpectPass(t)
}

// crashChild makes the child install the handler (calls times) and fault in C.
func crashChild(t *testing.T, calls int) helpers.ChildResult {
	t.Helper()
	if helpers.InChild(t) {
		for i := 0; i < calls; i++ {
			if ok, msg := bindings.HandleCrashes(false, true); !ok {
				t.Fatalf("handle_crashes(0, 1) failed: %s", msg)
			}
		}
		bindings.Segfault()
		t.Fatal("survived a SIGSEGV")
	}
	return helpers.RunChild(t)
}

func expectChainedToGo(t *testing.T, r helpers.ChildResult) {
	t.Helper()
	out := r.Output()
	if r.TimedOut {
		t.Fatalf("the crashing child hung (handler loop?):\n%s", out)
	}
	if r.ExitCode != 2 {
		t.Errorf("exit code = %d, want 2 (Go's crash exit)", r.ExitCode)
	}
	if n := strings.Count(r.Stderr, "HANDLER CAUGHT signal 11\n"); n != 1 {
		t.Errorf("\"HANDLER CAUGHT signal 11\" printed %d times, want once", n)
	}
	i := strings.Index(r.Stderr, "HANDLER CAUGHT signal 11\n")
	j := strings.Index(r.Stderr, "SIGSEGV")
	if i < 0 || j < i {
		t.Errorf("Go's SIGSEGV report does not follow rtloader's handler output")
	}
	if !strings.Contains(r.Stderr, "goroutine ") {
		t.Error("no goroutine dump: Go's handler did not run")
	}
	if t.Failed() {
		t.Logf("child output:\n%s", out)
	}
}

func TestCrashHandlerPrintsAndChainsToGo(t *testing.T) {
	r := crashChild(t, 1)
	if helpers.InChild(t) {
		return
	}
	expectChainedToGo(t, r)
	if strings.Contains(r.Stderr, "C-LAND STACKTRACE (raw addresses; symbolize offline):") {
		// With backtrace support, at least one frame line "  0x<hex>".
		after := r.Stderr[strings.Index(r.Stderr, "C-LAND STACKTRACE"):]
		if !strings.Contains(after, "\n  0x") {
			t.Errorf("stack trace has no frame lines:\n%s", after)
		}
	} else {
		t.Log("note: built without backtrace support: no C frames printed")
	}
}

func TestCrashHandlerInstalledTwiceStillChainsToGo(t *testing.T) {
	r := crashChild(t, 2)
	if helpers.InChild(t) {
		return
	}
	expectChainedToGo(t, r)
}

func TestCrashHandlerWithInterpreter(t *testing.T) {
	if helpers.InChild(t) {
		if ok, msg := bindings.HandleCrashes(false, true); !ok {
			t.Fatalf("handle_crashes: %s", msg)
		}
		if err := helpers.Setup(); err != nil {
			t.Fatal(err)
		}
		bindings.Segfault()
		t.Fatal("survived a SIGSEGV")
		return
	}
	expectChainedToGo(t, helpers.RunChild(t))
}

// rlimInfinity is RLIM_INFINITY as the uint64 Getrlimit reports.
const rlimInfinity = ^uint64(0)

// With handle_crashes(0, 1), a segfault inside a C extension called by a check (ctypes reading
// address 0) prints rtloader's C stack and then Go's goroutine dump, in that order, and the
// process dies of the signal.
func TestSegfaultInCExtensionPrintsCStackThenGoroutines(t *testing.T) {
	if !helpers.InChild(t) {
		res := helpers.RunChild(t, "GOTRACEBACK=all")
		out := res.Output()
		if res.ExitCode == 0 || res.TimedOut {
			t.Fatalf("child did not crash (exit %d, timed out %v):\n%s", res.ExitCode, res.TimedOut, out)
		}
		iHandler := strings.Index(out, "HANDLER CAUGHT signal 11")
		iCStack := strings.Index(out, "C-LAND STACKTRACE")
		iGo := strings.Index(out, "SIGSEGV")
		iGoroutine := strings.Index(out, "goroutine ")
		if iHandler < 0 || iCStack < 0 || iGo < 0 || iGoroutine < 0 {
			t.Fatalf("missing crash output (handler %d, C stack %d, Go SIGSEGV %d, goroutine %d):\n%s",
				iHandler, iCStack, iGo, iGoroutine, out)
		}
		if !(iHandler < iCStack && iCStack < iGo && iCStack < iGoroutine) {
			t.Errorf("wrong order (handler %d, C stack %d, Go SIGSEGV %d, goroutine %d):\n%s",
				iHandler, iCStack, iGo, iGoroutine, out)
		}
		if strings.Contains(out, "--- PASS") {
			t.Errorf("the child ran past the segfault:\n%s", out)
		}
		return
	}
	if ok, msg := bindings.HandleCrashes(false, true); !ok {
		t.Fatalf("handle_crashes: %s", msg)
	}
	if err := helpers.Setup(); err != nil {
		t.Fatal(err)
	}
	r := helpers.Rt
	if helpers.SubinterpretersMode() {
		// The check imports ctypes while it runs: on 3.12 that module cannot be loaded in a
		// sub-interpreter, and an import made at run time cannot fall back (README,
		// "Sub-interpreters"). The crash path is what this test is about: keep it in main.
		r.SetSubinterpreterBlocklist("hb_lifecycle_check")
	}
	r.WithGIL(func() {
		chk, err := helpers.NewCheck(r, "hb_lifecycle_check", "", "{}", "segfault", "hb_lifecycle")
		if err != nil {
			t.Fatal(err)
		}
		r.RunCheck(chk) // never returns
	})
	t.Errorf("survived the segfault")
}
