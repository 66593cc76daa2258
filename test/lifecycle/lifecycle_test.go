// Package lifecycle tests make3/init/destroy and init failures (API.md sections 3.1, 3.3, 6 and
// 12.2), backend selection (section 12.3) and the failure paths of hardening_test.go. Tests that
// need a fresh process run in a child; the others share the interpreter helpers.Setup makes.
package lifecycle

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }

const notInit = "rtloader is not initialized"

// child runs the test body in a fresh process.
func child(t *testing.T, body func(t *testing.T), env ...string) {
	t.Helper()
	if helpers.InChild(t) {
		body(t)
		return
	}
	helpers.RunChild(t, env...).ExpectPass(t)
}

func make3(t *testing.T, home, exe string) *bindings.Rtloader {
	t.Helper()
	bindings.EnableMemoryTracker()
	r, err := bindings.Make3(home, exe)
	if err != nil {
		t.Fatalf("make3(%q, %q): %v", home, exe, err)
	}
	return r
}

func makeDefault(t *testing.T) *bindings.Rtloader {
	return make3(t, helpers.PythonHome(), helpers.PythonExe())
}

func expectErr(t *testing.T, r *bindings.Rtloader, want string) {
	t.Helper()
	if got := r.Error(); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// expectNotInitialized checks that every interpreter-bound call fails fast with the error of
// API.md section 12.2 and that no call blocks (the GIL is not held anywhere).
func expectNotInitialized(t *testing.T, r *bindings.Rtloader) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		r.ClearError()
		if st := r.EnsureGIL(); st != bindings.GILUnlocked {
			t.Errorf("ensure_gil = %d, want GIL_UNLOCKED", st)
		}
		expectErr(t, r, notInit)
		r.ReleaseGIL(bindings.GILUnlocked) // does nothing
		if _, _, ok := r.GetClass("fake_check"); ok {
			t.Error("get_class succeeded")
		}
		expectErr(t, r, notInit)
		if _, ok := r.GetAttrString(r.GetNone(), "x"); ok {
			t.Error("get_attr_string succeeded")
		}
		expectErr(t, r, notInit)
		if _, ok := r.GetAttrBool(r.GetNone(), "x"); ok {
			t.Error("get_attr_bool succeeded")
		}
		expectErr(t, r, notInit)
		if _, ok := r.GetCheck(r.GetNone(), "", "{}", "", "n", ""); ok {
			t.Error("get_check succeeded")
		}
		expectErr(t, r, notInit)
		if _, ok := r.GetCheckDeprecated(r.GetNone(), "", "{}", "", "", "n", ""); ok {
			t.Error("get_check_deprecated succeeded")
		}
		expectErr(t, r, notInit)
		if _, ok := r.RunCheck(r.GetNone()); ok {
			t.Error("run_check succeeded")
		}
		expectErr(t, r, notInit)
		r.CancelCheck(r.GetNone())
		expectErr(t, r, notInit)
		if w := r.GetChecksWarnings(r.GetNone()); w != nil {
			t.Error("get_checks_warnings succeeded")
		}
		expectErr(t, r, notInit)
		if _, ok := r.GetCheckDiagnoses(r.GetNone()); ok {
			t.Error("get_check_diagnoses succeeded")
		}
		expectErr(t, r, notInit)
		if _, ok := r.GetPyInfo(); ok {
			t.Error("get_py_info succeeded")
		}
		expectErr(t, r, notInit)
		if _, ok := r.GetIntegrationList(); ok {
			t.Error("get_integration_list succeeded")
		}
		expectErr(t, r, notInit)
		if _, ok := r.GetInterpreterMemoryUsage(); ok {
			t.Error("get_interpreter_memory_usage succeeded")
		}
		expectErr(t, r, notInit)
		if r.RunSimpleString("x = 1") {
			t.Error("run_simple_string succeeded")
		}
		expectErr(t, r, notInit)
		r.SetModuleAttrString("sys", "x", "1")
		expectErr(t, r, notInit)
		r.Incref(r.GetNone())
		r.Decref(r.GetNone())
		// Functions that do not need Python keep working.
		if r.HasSubinterpreterSupport() != 0 {
			t.Error("has_subinterpreter_support != 0")
		}
		r.GetPymemStats()
		r.FreePyInfoNil()
		r.SetCallback(bindings.CbLog, true)
		if !r.AddPythonPath("/rtloader/lifecycle/extra") {
			t.Error("add_python_path failed")
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("API calls on an uninitialised handle blocked (GIL held?)")
	}
}

func TestCallsBeforeInitFailFast(t *testing.T) {
	child(t, func(t *testing.T) {
		r := makeDefault(t)
		expectNotInitialized(t, r)
	})
}

func TestInitSucceeds(t *testing.T) {
	child(t, func(t *testing.T) {
		r := makeDefault(t)
		helpers.AddPythonPaths(t, r)
		if !r.Init() {
			t.Fatalf("init failed: %s", r.Error())
		}
		if r.HasError() {
			t.Errorf("error after init: %q", r.Error())
		}
		// The GIL was released: another OS thread can take it.
		done := make(chan struct{})
		go func() {
			r.WithGIL(func() {
				if !r.RunSimpleString("import fake_check") {
					t.Error("import fake_check failed")
				}
			})
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("the GIL was not released by init")
		}
	})
}

func TestSecondInitFails(t *testing.T) {
	child(t, func(t *testing.T) {
		r := makeDefault(t)
		helpers.AddPythonPaths(t, r)
		if !r.Init() {
			t.Fatalf("init failed: %s", r.Error())
		}
		if r.Init() {
			t.Error("second init succeeded")
		}
		expectErr(t, r, "rtloader is already initialized")
		r.WithGIL(func() {
			if !r.RunSimpleString("import fake_check") {
				t.Error("interpreter unusable after the second init")
			}
		})
	})
}

func TestInitFailsWithoutBaseClass(t *testing.T) {
	child(t, func(t *testing.T) {
		r := makeDefault(t) // no check base on the path: datadog_checks cannot be imported
		if r.Init() {
			t.Fatal("init succeeded without datadog_checks")
		}
		got := r.Error()
		if !strings.HasPrefix(got, "could not import base class: ") || !strings.Contains(got, "No module named 'datadog_checks'") {
			t.Errorf("error = %q", got)
		}
		expectNotInitialized(t, r)
		if r.Init() {
			t.Error("init after a failed init succeeded")
		}
		expectErr(t, r, "rtloader is already initialized")
	})
}

func TestInitFailsWithBrokenJSONModule(t *testing.T) {
	dir := filepath.Join(os.TempDir(), "rtloader-broken-json")
	child(t, func(t *testing.T) {
		r := makeDefault(t)
		helpers.AddPythonPaths(t, r)
		if r.Init() {
			t.Fatal("init succeeded with a broken json module first on sys.path")
		}
		got := r.Error()
		if !strings.HasPrefix(got, "error initializing string utils: ") || !strings.Contains(got, "broken json for the test") {
			t.Errorf("error = %q", got)
		}
		expectNotInitialized(t, r)
	}, "PYTHONPATH="+prepareBrokenJSON(t, dir))
}

func prepareBrokenJSON(t *testing.T, dir string) string {
	if helpers.IsChildProcess() {
		return dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "json.py"), []byte("raise ImportError('broken json for the test')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestInitFailsWithBogusHome(t *testing.T) {
	child(t, func(t *testing.T) {
		home := "/nonexistent/rtloader-bogus-home"
		bindings.EnableMemoryTracker()
		r, err := bindings.Make3(home, "")
		if err != nil {
			if err.Error() == "" {
				t.Error("make3 failed with an empty error")
			}
			return // a clear make3 error is acceptable
		}
		helpers.AddPythonPaths(t, r)
		if r.Init() {
			t.Fatal("init succeeded with a bogus home")
		}
		if got := r.Error(); got == "" {
			t.Error("init failed without an error")
		} else {
			t.Logf("init error: %q", got)
		}
		expectNotInitialized(t, r)
	})
}

func TestSecondMake3WithoutDestroyFails(t *testing.T) {
	child(t, func(t *testing.T) {
		makeDefault(t)
		r, err := bindings.Make3(helpers.PythonHome(), helpers.PythonExe())
		if err == nil || r != nil {
			t.Fatal("second make3 succeeded")
		}
		if err.Error() != "RtLoader already initialized!" {
			t.Errorf("error = %q", err.Error())
		}
	})
}

func TestDestroyThenMake3AgainCannotReinit(t *testing.T) {
	child(t, func(t *testing.T) {
		r := makeDefault(t)
		helpers.AddPythonPaths(t, r)
		if !r.Init() {
			t.Fatalf("init: %s", r.Error())
		}
		r.Destroy() // keeps the GIL on this (locked) thread
		r2, err := bindings.Make3(helpers.PythonHome(), helpers.PythonExe())
		if err != nil {
			t.Fatalf("make3 after destroy: %v", err)
		}
		if r2.Init() {
			t.Fatal("init of a second interpreter succeeded")
		}
		expectErr(t, r2, "rtloader is already initialized")
		r2.Destroy()
	})
}

func TestDestroyBeforeInitThenInitSucceeds(t *testing.T) {
	child(t, func(t *testing.T) {
		r := makeDefault(t)
		r.Destroy()
		r2 := makeDefault(t)
		helpers.AddPythonPaths(t, r2)
		if !r2.Init() {
			t.Fatalf("init after destroying an uninitialised handle failed: %s", r2.Error())
		}
		r2.WithGIL(func() {
			if !r2.RunSimpleString("import fake_check") {
				t.Error("interpreter unusable")
			}
		})
	})
}

func TestDestroyNullIsNoop(t *testing.T) {
	child(t, func(t *testing.T) {
		bindings.DestroyNil()
		makeDefault(t) // the loader state is untouched: make3 still works
	})
}

func TestMemoryBalancedAcrossLifecycle(t *testing.T) {
	child(t, func(t *testing.T) {
		bindings.EnableMemoryTracker()
		bindings.GetAndResetMemoryStats()
		r := makeDefault(t)
		r.AddPythonPath(helpers.FixturesDir())
		r.AddPythonPath(helpers.FixturesDir()) // duplicate: not kept
		r.Destroy()                            // never initialised: frees everything
		s := bindings.GetAndResetMemoryStats()
		if s.Allocations != s.Frees || s.InuseBytes != 0 {
			t.Errorf("make3 + add_python_path + destroy: %+v", s)
		}
	})
}

func TestPymemStatsCountPythonAllocations(t *testing.T) {
	child(t, expectPymemCountsAllocations)
}

func TestPymemStatsZeroWithoutInitPymemStats(t *testing.T) {
	child(t, func(t *testing.T) {
		r := makeDefault(t)
		helpers.AddPythonPaths(t, r)
		if !r.Init() {
			t.Fatalf("init: %s", r.Error())
		}
		if inuse, alloc := r.GetPymemStats(); inuse != 0 || alloc != 0 {
			t.Errorf("pymem stats without init_pymem_stats: %d %d", inuse, alloc)
		}
	})
}

// --- backend selection (API.md section 12.3) -----------------------------------------------------

// versionKey sorts "3.9" before "3.10".
func versionKey(v string) int {
	parts := strings.SplitN(v, ".", 2)
	if len(parts) != 2 {
		return 0
	}
	a, _ := strconv.Atoi(parts[0])
	b, _ := strconv.Atoi(parts[1])
	return a*1000 + b
}

func TestBackendSelectedByVersion(t *testing.T) {
	backends := helpers.Backends()
	if len(backends) == 0 {
		t.Skipf("no backends.txt under %s", helpers.BuildDir())
	}
	for _, b := range backends {
		b := b
		t.Run(b.Name, func(t *testing.T) {
			home, exe := b.Home, filepath.Join(b.Home, "bin", "python"+b.Version)
			if b.Name == "default" {
				home, exe = "", "/usr/bin/python3"
			}
			child(t, func(t *testing.T) {
				r := make3(t, home, exe)
				helpers.AddPythonPaths(t, r)
				if !r.Init() {
					t.Fatalf("init: %s", r.Error())
				}
				out := ""
				tmp := filepath.Join(t.TempDir(), "v")
				r.WithGIL(func() {
					r.RunSimpleString("import sys\nwith open(" + helpers.PyString(tmp) + ", 'w') as f: f.write('%d.%d' % sys.version_info[:2])")
				})
				if b, err := os.ReadFile(tmp); err == nil {
					out = string(b)
				}
				if out != b.Version {
					t.Errorf("home %q: sys.version_info = %q, want %s", home, out, b.Version)
				}
			})
		})
	}
}

func TestBackendPython312(t *testing.T) {
	var home string
	for _, b := range helpers.Backends() {
		if b.Version == "3.12" && b.Name != "default" {
			home = b.Home
		}
	}
	if home == "" {
		t.Skip("note: no libdatadog-agent-three-3.12.so built; skipping the 3.12 selection test")
	}
	child(t, func(t *testing.T) {
		r := make3(t, home, filepath.Join(home, "bin", "python3.12"))
		helpers.AddPythonPaths(t, r)
		if !r.Init() {
			t.Fatalf("init: %s", r.Error())
		}
		tmp := filepath.Join(t.TempDir(), "v")
		r.WithGIL(func() {
			r.RunSimpleString("import sys\nwith open(" + helpers.PyString(tmp) + ", 'w') as f: f.write(repr(sys.version_info[:2]))")
		})
		if b, _ := os.ReadFile(tmp); string(b) != "(3, 12)" {
			t.Errorf("sys.version_info[:2] = %q, want (3, 12)", b)
		}
	})
}

func TestBackendMissingVersionError(t *testing.T) {
	backends := helpers.Backends()
	if len(backends) == 0 {
		t.Skipf("no backends.txt under %s", helpers.BuildDir())
	}
	home := filepath.Join(os.TempDir(), "rtloader-py399-home")
	if !helpers.IsChildProcess() {
		if err := os.MkdirAll(filepath.Join(home, "lib", "python3.99", "lib-dynload"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, "lib", "python3.99", "os.py"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(home) })
	}
	seen := map[string]bool{}
	var versions []string
	for _, b := range backends {
		if !seen[b.Version] {
			seen[b.Version] = true
			versions = append(versions, b.Version)
		}
	}
	sort.Slice(versions, func(i, j int) bool { return versionKey(versions[i]) < versionKey(versions[j]) })
	want := "Unable to find a three library for Python 3.99 in '" + home + "'; available versions: " + strings.Join(versions, ", ")
	child(t, func(t *testing.T) {
		r, err := bindings.Make3(home, "")
		if err == nil || r != nil {
			t.Fatal("make3 succeeded for Python 3.99")
		}
		if err.Error() != want {
			t.Errorf("error:\n got: %q\nwant: %q", err.Error(), want)
		}
		// The failure left no backend behind: make3 works afterwards.
		makeDefault(t)
	})
}

func TestBackendEmptyHomeLoadsDefault(t *testing.T) {
	version := helpers.DefaultBackendVersion()
	if version == "" {
		t.Skip("note: no default backend listed in backends.txt")
	}
	child(t, func(t *testing.T) {
		r := make3(t, "", "")
		helpers.AddPythonPaths(t, r)
		if !r.Init() {
			t.Fatalf("init: %s", r.Error())
		}
		tmp := filepath.Join(t.TempDir(), "v")
		r.WithGIL(func() {
			r.RunSimpleString("import sys\nwith open(" + helpers.PyString(tmp) + ", 'w') as f: f.write('%d.%d' % sys.version_info[:2])")
		})
		if b, _ := os.ReadFile(tmp); string(b) != version {
			t.Errorf("empty home gave Python %q, want the default backend's %s", b, version)
		}
	})
}
