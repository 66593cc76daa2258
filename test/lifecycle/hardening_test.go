// hardening_test.go: rtloader's failure and lifecycle paths: destroy and make3 again, every kind
// of init failure followed by calls from other OS threads that must return at once, a check that
// raises in __del__, host callbacks that block while other threads keep calling, very large
// results. Tests that need a fresh process run as child processes (helpers.RunChild); the others
// share the interpreter helpers.Setup makes. The fixture is test/testdata/python/hb_lifecycle_check.py.
package lifecycle

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

const fastDeadline = 10 * time.Second // "at once", with room for a loaded CI machine under ASan

func rt() *bindings.Rtloader { return helpers.Rt }

// newCheck makes an HbLifecycleCheck with the given check_id (the behaviour). [GIL]
func newCheck(t *testing.T, r *bindings.Rtloader, mode string) bindings.PyObject {
	t.Helper()
	chk, err := helpers.NewCheck(r, "hb_lifecycle_check", "", "{}", mode, "hb_lifecycle")
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

// expectNotInitializedEverywhere calls every interpreter-needing function from several OS
// threads, one after another (each goroutine locked to a new thread that exits with it), and
// requires each to fail at once with "rtloader is not initialized", without touching Python;
// then checks that the no-Python functions still work.
func expectNotInitializedEverywhere(t *testing.T, r *bindings.Rtloader) {
	t.Helper()
	r.ClearError()
	for thread := 0; thread < 4; thread++ {
		var problems []string
		bad := func(format string, a ...interface{}) { problems = append(problems, fmt.Sprintf(format, a...)) }
		expectErr := func(what string) {
			if got := r.Error(); got != notInit {
				bad("%s: error %q, want %q", what, got, notInit)
			}
		}
		helpers.WithDeadline(t, fastDeadline, fmt.Sprintf("calls on thread %d", thread), func() {
			runtime.LockOSThread() // a fresh thread per round: it exits with this goroutine
			if st := r.EnsureGIL(); st != bindings.GILUnlocked {
				bad("ensure_gil = %d, want GIL_UNLOCKED", st)
			} else {
				expectErr("ensure_gil")
				r.ReleaseGIL(st) // a no-op now; re-locks nothing
				runtime.LockOSThread()
			}
			if _, _, ok := r.GetClass("hb_lifecycle_check"); ok {
				bad("get_class succeeded")
			}
			expectErr("get_class")
			if r.RunSimpleString("import os") {
				bad("run_simple_string succeeded")
			}
			expectErr("run_simple_string")
			if _, ok := r.RunCheck(r.GetNone()); ok {
				bad("run_check succeeded")
			}
			if _, ok := r.GetPyInfo(); ok {
				bad("get_py_info succeeded")
			}
			expectErr("get_py_info")
			if _, ok := r.GetIntegrationList(); ok {
				bad("get_integration_list succeeded")
			}
			expectErr("get_integration_list")
			if _, ok := r.GetInterpreterMemoryUsage(); ok {
				bad("get_interpreter_memory_usage succeeded")
			}
			expectErr("get_interpreter_memory_usage")
			r.SetModuleAttrString("sys", "hb", "x")
			expectErr("set_module_attr_string")
			// incref/decref do nothing (get_none keeps working: it makes no Python call, §12.2).
			r.Incref(r.GetNone())
			r.Decref(r.GetNone())
			// No-Python functions keep working.
			r.GetPymemStats()
			_ = r.HasSubinterpreterSupport()
			r.ClearError()
			if r.HasError() {
				bad("clear_error did not clear")
			}
		})
		for _, p := range problems {
			t.Errorf("thread %d: %s", thread, p)
		}
	}
}

// --- destroy, make3 again ---------------------------------------------------------------------

func TestDestroyThenMake3Again(t *testing.T) {
	if !helpers.InChild(t) {
		helpers.RunChild(t).ExpectPass(t)
		return
	}
	bindings.EnableMemoryTracker()
	r, err := bindings.Make3(helpers.PythonHome(), helpers.PythonExe())
	if err != nil {
		t.Fatal(err)
	}
	helpers.AddPythonPaths(t, r)
	r.RegisterAllCallbacks()
	if !r.Init() {
		t.Fatalf("init: %s", r.Error())
	}
	r.WithGIL(func() {
		chk := newCheck(t, r, "")
		if out, ok := r.RunCheck(chk); !ok || out != "" {
			t.Errorf("run_check = %q, %v", out, ok)
		}
		r.Decref(chk)
	})
	r.Destroy() // keeps the GIL on this (locked) thread; no Python work may follow

	// A second and a third handle: make3 works again, init fails with the documented error (one
	// interpreter per process), every other call fails at once, destroy frees without Python,
	// and all of it balances.
	helpers.ResetMemoryStats()
	for round := 0; round < 2; round++ {
		r2, err := bindings.Make3(helpers.PythonHome(), helpers.PythonExe())
		if err != nil {
			t.Fatalf("round %d: make3 after destroy: %v", round, err)
		}
		if _, err := bindings.Make3(helpers.PythonHome(), helpers.PythonExe()); err == nil ||
			err.Error() != "RtLoader already initialized!" {
			t.Errorf("round %d: second make3 = %v, want RtLoader already initialized!", round, err)
		}
		helpers.AddPythonPaths(t, r2)
		r2.RegisterAllCallbacks()
		if round == 0 {
			if r2.Init() {
				t.Fatalf("init after destroy succeeded")
			}
			if got := r2.Error(); got != "rtloader is already initialized" {
				t.Errorf("init after destroy: error %q", got)
			}
		}
		expectNotInitializedEverywhere(t, r2)
		r2.Destroy()
	}
	helpers.AssertMemoryBalanced(t)
	bindings.DestroyNil()
}

// --- init failures --------------------------------------------------------------------------

// initFailure runs make3(home, exe), the Agent's set-up, and an init that must fail with an
// error starting with wantPrefix; then the calls from other threads; then destroy, balanced.
func initFailure(t *testing.T, home, exe string, addFixturePaths bool, wantPrefix string) {
	t.Helper()
	bindings.EnableMemoryTracker()
	helpers.ResetMemoryStats()
	r, err := bindings.Make3(home, exe)
	if err != nil {
		t.Fatalf("make3(%q, %q): %v", home, exe, err)
	}
	r.InitPymemStats()
	if addFixturePaths {
		helpers.AddPythonPaths(t, r)
	}
	r.RegisterAllCallbacks()
	var ok bool
	helpers.WithDeadline(t, 60*time.Second, "init", func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		ok = r.Init()
	})
	if ok {
		t.Fatalf("init succeeded, want a failure %q", wantPrefix)
	}
	msg := r.Error()
	if !strings.HasPrefix(msg, wantPrefix) {
		t.Errorf("init error:\n got: %q\nwant: %q...", msg, wantPrefix)
	}
	t.Logf("init failed as expected: %.200q", msg)
	// A second init is refused without touching the interpreter.
	helpers.WithDeadline(t, fastDeadline, "second init", func() { ok = r.Init() })
	if ok {
		t.Errorf("second init succeeded")
	}
	r.ClearError()
	expectNotInitializedEverywhere(t, r)
	helpers.WithDeadline(t, fastDeadline, "destroy", func() { r.Destroy() })
	helpers.AssertMemoryBalanced(t)
}

// A home that holds no Python (an empty folder): the backend is chosen by python_exe's name, then
// the interpreter cannot find its stdlib. (A home that does not exist is refused by make3 itself:
// lifecycle TestSelectRefusesHome.)
func TestInitFailureBadHome(t *testing.T) {
	if !helpers.InChild(t) {
		helpers.RunChild(t, "PYTHONHOME=", "PYTHONPATH=").ExpectPass(t)
		return
	}
	exe, err := filepath.EvalSymlinks("/usr/bin/python3")
	if err != nil {
		t.Skip("no /usr/bin/python3")
	}
	initFailure(t, t.TempDir(), exe, true, "Failed to initialize Python")
}

// A home that looks like a Python installation (lib/python3.X/os.py selects the backend) but
// holds no standard library.
func TestInitFailureMissingStdlib(t *testing.T) {
	if !helpers.InChild(t) {
		helpers.RunChild(t, "PYTHONHOME=", "PYTHONPATH=").ExpectPass(t)
		return
	}
	version := helpers.DefaultBackendVersion()
	if version == "" {
		t.Skip("no default backend in backends.txt")
	}
	home := t.TempDir()
	lib := filepath.Join(home, "lib", "python"+version)
	if err := os.MkdirAll(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lib, "os.py"), []byte("# not a stdlib\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	initFailure(t, home, "", true, "Failed to initialize Python")
}

// A working interpreter without datadog_checks on the path.
func TestInitFailureMissingBaseClass(t *testing.T) {
	if !helpers.InChild(t) {
		helpers.RunChild(t, "PYTHONPATH=").ExpectPass(t)
		return
	}
	initFailure(t, helpers.PythonHome(), helpers.PythonExe(), false, "could not import base class: ")
}

// --- checks misbehaving ---------------------------------------------------------------------

// A check whose __del__ raises: Python reports it as an ignored exception; rtloader_decref must
// not crash, leak, or leave an rtloader error or a pending Python error behind.
func TestCheckRaisesInDel(t *testing.T) {
	defer helpers.CheckMemory(t)()
	for i := 0; i < 10; i++ {
		rt().WithGIL(func() {
			chk := newCheck(t, rt(), "raise_in_del")
			if out, ok := rt().RunCheck(chk); !ok || out != "" {
				t.Errorf("run_check = %q, %v", out, ok)
			}
			rt().Decref(chk) // __del__ raises here
		})
	}
	if rt().HasError() {
		t.Errorf("unexpected rtloader error: %q", rt().Error())
	}
	helpers.RunPyExpect(t, "import sys\nout.write(str(sys.exc_info()[0]))", "None")
}

// Very large results: a 32 MiB run_check result and 100,001 warnings (one of 8 MiB) arrive intact
// and balance.
func TestVeryLargeOutputs(t *testing.T) {
	defer helpers.CheckMemory(t)()
	rt().WithGIL(func() {
		chk := newCheck(t, rt(), "big_output")
		out, ok := rt().RunCheck(chk)
		if !ok || len(out) != 32*1024*1024 || strings.Trim(out, "x") != "" {
			t.Errorf("run_check: ok=%v len=%d, want 32 MiB of 'x'", ok, len(out))
		}
		rt().Decref(chk)

		chk = newCheck(t, rt(), "many_warnings")
		w := rt().GetChecksWarnings(chk)
		if len(w) != 100001 {
			t.Errorf("%d warnings, want 100001", len(w))
		} else if w[0] != "warning 0" || w[99999] != "warning 99999" || len(w[100000]) != 8*1024*1024 {
			t.Errorf("warnings corrupted: %q %q len %d", w[0], w[99999], len(w[100000]))
		}
		rt().Decref(chk)
	})
}

// blockedCallback runs a check whose run() blocks inside a host callback (mode block_gil: the GIL
// stays held; block_nogil: the GIL is released around it) and, while it is blocked, runs others
// on other OS threads; each must finish within the deadline. Then it unblocks the check.
func blockedCallback(t *testing.T, mode string, others func(t *testing.T)) {
	defer helpers.CheckMemory(t)()
	entered := make(chan struct{})
	release := make(chan struct{})
	block := func(key, result string) *string {
		if key == "hb.block" {
			close(entered)
			<-release
		}
		return bindings.Str(result)
	}
	restore := bindings.UpdateHandlers(func(h *bindings.Handlers) {
		// get_config's result is JSON (decoded by the built-in); the cache's is a plain string.
		h.GetConfig = func(key string) *string { return block(key, `"unblocked"`) }
		h.ReadPersistentCache = func(key string) *string { return block(key, "unblocked") }
	})
	defer restore()
	var chk bindings.PyObject
	rt().WithGIL(func() { chk = newCheck(t, rt(), mode) })
	runDone := make(chan string, 1)
	go func() {
		var out string
		rt().WithGIL(func() { out, _ = rt().RunCheck(chk) })
		runDone <- out
	}()
	select {
	case <-entered:
	case <-time.After(30 * time.Second):
		t.Fatalf("the check never reached the callback")
	}
	helpers.WithDeadline(t, fastDeadline, "calls while a callback blocks", func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		others(t)
	})
	close(release)
	select {
	case out := <-runDone:
		if out != "unblocked" {
			t.Errorf("run_check = %q after unblocking, want \"unblocked\"", out)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("run_check did not return after the callback was unblocked")
	}
	rt().WithGIL(func() { rt().Decref(chk) })
	rt().ClearError()
}

// While a GIL-holding callback blocks, functions that need no GIL return at once.
func TestBlockedCallbackHoldingGIL(t *testing.T) {
	blockedCallback(t, "block_gil", func(t *testing.T) {
		for i := 0; i < 1000; i++ {
			rt().HasError()
			rt().ClearError()
			rt().GetError()
			rt().GetPymemStats()
			rt().HasSubinterpreterSupport()
			if rt().GetNone() == nil {
				t.Errorf("get_none = NULL")
				return
			}
			p := bindings.StrdupeRaw("hb")
			rt().RtloaderFree(p)
		}
	})
}

// While a callback the GIL is released around blocks, other threads run Python freely.
func TestBlockedCallbackReleasingGIL(t *testing.T) {
	blockedCallback(t, "block_nogil", func(t *testing.T) {
		for i := 0; i < 100; i++ {
			rt().WithGIL(func() {
				if !rt().RunSimpleString("hb_x = sum(range(100))") {
					t.Errorf("run_simple_string failed")
				}
				if _, ok := rt().GetPyInfo(); !ok {
					t.Errorf("get_py_info failed: %s", rt().Error())
				}
			})
		}
		if _, ok := rt().GetInterpreterMemoryUsage(); !ok {
			rt().ClearError() // only promptness matters here (utils.py_mem is a fixture: test/testdata/python)
		}
	})
}

// destroy from another thread while a check is blocked in a callback the GIL is released around:
// destroy takes the GIL and returns (the blocked thread then stays parked forever, by design:
// no Python work may follow destroy); the process then exits normally.
func TestDestroyWhileCallbackBlocked(t *testing.T) {
	if !helpers.InChild(t) {
		helpers.RunChild(t).ExpectPass(t)
		return
	}
	if err := helpers.Setup(); err != nil {
		t.Fatal(err)
	}
	r := helpers.Rt
	entered := make(chan struct{})
	bindings.UpdateHandlers(func(h *bindings.Handlers) {
		h.ReadPersistentCache = func(key string) *string {
			close(entered)
			select {} // never returns
		}
	})
	var chk bindings.PyObject
	r.WithGIL(func() { chk = newCheck(t, r, "block_nogil") })
	go func() { r.WithGIL(func() { r.RunCheck(chk) }) }()
	<-entered
	helpers.WithDeadline(t, fastDeadline, "destroy while a callback blocks", func() { r.Destroy() })
}
