package api

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

func TestGetIntegrationList(t *testing.T) {
	defer helpers.CheckMemory(t)()
	s, ok := rt().GetIntegrationList()
	if !ok || s != helpers.FixtureIntegrations {
		t.Errorf("get_integration_list = %q, %v; want %s (%s)", s, ok, helpers.FixtureIntegrations, rt().Error())
	}
	expectNoError(t)
}

func TestGetIntegrationListWithGILHeld(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var s string
	var ok bool
	withGIL(func() { s, ok = rt().GetIntegrationList() })
	if !ok || s != helpers.FixtureIntegrations {
		t.Errorf("get_integration_list (GIL held) = %q, %v", s, ok)
	}
}

// patch runs a Python statement, then undo when the test ends.
func patch(t *testing.T, do, undo string) {
	t.Helper()
	helpers.RunPyExpect(t, do, "")
	t.Cleanup(func() { helpers.RunPyExpect(t, undo, "") })
}

const packagesMod = "datadog_checks.base.utils.agent.packages"

func TestGetIntegrationListErrors(t *testing.T) {
	save := "import " + packagesMod + " as p; p._saved = p.get_datadog_wheels\n"
	restore := "import " + packagesMod + " as p; p.get_datadog_wheels = p._saved\n"
	cases := []struct {
		name, patch, prefix, suffix string
	}{
		{"NotAList", "p.get_datadog_wheels = lambda: ('foo',)", "'get_datadog_wheels' did not return a list", ""},
		{"Raises", "def f():\n    raise RuntimeError('no wheels')\np.get_datadog_wheels = f",
			"error fetching wheels list: Traceback (most recent call last):\n", tracebackTail("RuntimeError", "no wheels")},
		{"MissingAttr", "del p.get_datadog_wheels",
			"could not fetch get_datadog_wheels attr: module '" + packagesMod + "' has no attribute 'get_datadog_wheels'", ""},
		{"NotSerializable", "p.get_datadog_wheels = lambda: [set()]",
			"'packages' could not be serialized to json: ", "TypeError: Object of type set is not JSON serializable\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			patch(t, save+"import "+packagesMod+" as p\n"+tc.patch, restore)
			defer helpers.CheckMemory(t)()
			if s, ok := rt().GetIntegrationList(); ok {
				t.Errorf("get_integration_list = %q, want NULL", s)
			}
			expectErrorPrefix(t, tc.prefix, tc.suffix)
		})
	}
	t.Run("ImportError", func(t *testing.T) {
		patch(t, "import sys\nsys.modules['"+packagesMod+"_saved'] = sys.modules['"+packagesMod+"']\nsys.modules['"+packagesMod+"'] = None",
			"import sys\nsys.modules['"+packagesMod+"'] = sys.modules.pop('"+packagesMod+"_saved')")
		defer helpers.CheckMemory(t)()
		if s, ok := rt().GetIntegrationList(); ok {
			t.Errorf("get_integration_list = %q, want NULL", s)
		}
		expectErrorPrefix(t, "could not import "+packagesMod+": ", "")
	})
	// Restored: works again.
	if s, ok := rt().GetIntegrationList(); !ok || s != helpers.FixtureIntegrations {
		t.Errorf("after restore: %q, %v", s, ok)
	}
}

func TestGetInterpreterMemoryUsage(t *testing.T) {
	defer helpers.CheckMemory(t)()
	s, ok := rt().GetInterpreterMemoryUsage()
	if !ok {
		t.Fatalf("get_interpreter_memory_usage = NULL: %s", rt().Error())
	}
	var got map[string]interface{}
	if err := json.Unmarshal([]byte(s), &got); err != nil {
		t.Fatalf("not JSON (%v): %q", err, s)
	}
	want := map[string]interface{}{"rss": 1024.0, "objects": map[string]interface{}{"dict": 3.0, "list": 2.0}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("memory usage = %v, want %v", got, want)
	}
	if s != `{"rss": 1024, "objects": {"dict": 3, "list": 2}}` {
		t.Errorf("text = %q, want json.dumps's default format", s)
	}
	expectNoError(t)
}

func TestGetInterpreterMemoryUsageErrors(t *testing.T) {
	save := "import utils.py_mem as p; p._saved = p.get_mem_stats\n"
	restore := "import utils.py_mem as p; p.get_mem_stats = p._saved\n"
	cases := []struct {
		name, patch, prefix, suffix string
	}{
		{"NotADict", "p.get_mem_stats = lambda: [1]", "'get_mem_stats' did not return a dictionary", ""},
		{"Raises", "def f():\n    raise RuntimeError('no stats')\np.get_mem_stats = f",
			"error fetching interpreter memory usage: Traceback (most recent call last):\n", tracebackTail("RuntimeError", "no stats")},
		{"MissingAttr", "del p.get_mem_stats",
			"could not fetch get_mem_stats attr: module 'utils.py_mem' has no attribute 'get_mem_stats'", ""},
		{"NotSerializable", "p.get_mem_stats = lambda: {'a': set()}",
			"'get_mem_stats' result could not be serialized to json: ", "TypeError: Object of type set is not JSON serializable\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			patch(t, save+"import utils.py_mem as p\n"+tc.patch, restore)
			defer helpers.CheckMemory(t)()
			if s, ok := rt().GetInterpreterMemoryUsage(); ok {
				t.Errorf("get_interpreter_memory_usage = %q, want NULL", s)
			}
			expectErrorPrefix(t, tc.prefix, tc.suffix)
		})
	}
	t.Run("ImportError", func(t *testing.T) {
		patch(t, "import sys\nsys.modules['utils.py_mem_saved'] = sys.modules['utils.py_mem']\nsys.modules['utils.py_mem'] = None",
			"import sys\nsys.modules['utils.py_mem'] = sys.modules.pop('utils.py_mem_saved')")
		defer helpers.CheckMemory(t)()
		if s, ok := rt().GetInterpreterMemoryUsage(); ok {
			t.Errorf("get_interpreter_memory_usage = %q, want NULL", s)
		}
		expectErrorPrefix(t, "could not import utils.py_mem: ", "")
	})
}

func TestGetPyInfo(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var info bindings.PyInfo
	var ok bool
	withGIL(func() { info, ok = rt().GetPyInfo() })
	if !ok {
		t.Fatalf("get_py_info = NULL: %s", rt().Error())
	}
	if want := helpers.RunPy(t, "import sys; out.write(sys.version)"); info.Version != want {
		t.Errorf("version = %q, want sys.version %q", info.Version, want)
	}
	if want := helpers.RunPy(t, "import sys; out.write(repr(sys.path))"); !info.PathOK || info.Path != want {
		t.Errorf("path = %q (%v), want repr(sys.path) %q", info.Path, info.PathOK, want)
	}
	expectNoError(t)
}

func TestFreePyInfoNullIsNoop(t *testing.T) {
	defer helpers.CheckMemory(t)()
	rt().FreePyInfoNil()
	expectNoError(t)
}

func TestRunSimpleString(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var ok, bad, syntax bool
	withGIL(func() {
		ok = rt().RunSimpleString("rtloader_test_value = 40 + 2")
		bad = rt().RunSimpleString("raise ValueError('expected by the test')")
		syntax = rt().RunSimpleString("def (:")
	})
	if !ok {
		t.Error("run_simple_string(valid) = 0")
	}
	if bad {
		t.Error("run_simple_string(raise) = 1")
	}
	if syntax {
		t.Error("run_simple_string(syntax error) = 1")
	}
	expectNoError(t) // no rtloader error is set
	helpers.RunPyExpect(t, "import __main__; out.write(str(__main__.rtloader_test_value))", "42")
}

func TestSetModuleAttrString(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() { rt().SetModuleAttrString("attr_target", "PROCFS_PATH", "/host/proc") })
	expectNoError(t)
	helpers.RunPyExpect(t, "import attr_target; out.write(attr_target.PROCFS_PATH)", "/host/proc")
	withGIL(func() { rt().SetModuleAttrString("attr_target", "NEW_ATTR", "caf\u00e9") })
	expectNoError(t)
	helpers.RunPyExpect(t, "import attr_target; out.write(type(attr_target.NEW_ATTR).__name__ + ':' + attr_target.NEW_ATTR)", "str:caf\u00e9")
}

func TestSetModuleAttrStringImportError(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() { rt().SetModuleAttrString("rtloader_no_such_module", "X", "1") })
	expectError(t, "error importing python 'rtloader_no_such_module' module: No module named 'rtloader_no_such_module'")
}

func TestSetModuleAttrStringSetError(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() { rt().SetModuleAttrString("ro_module", "X", "1") })
	expectErrorPrefix(t, "error setting the 'ro_module.X' attribute: Traceback (most recent call last):\n", tracebackTail("AttributeError", "module is read-only"))
}

func TestSetModuleAttrStringNullArguments(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		rt().SetModuleAttrString(bindings.NULL, "X", "1")
		rt().SetModuleAttrString("attr_target", bindings.NULL, "1")
		rt().SetModuleAttrString("attr_target", "X", bindings.NULL)
	})
	rt().ClearError()
	helpers.RunPyExpect(t, `out.write("still alive")`, "still alive")
}

func refcount(t *testing.T, expr string) int {
	t.Helper()
	out := helpers.RunPy(t, "import sys, fake_check\nout.write(str(sys.getrefcount("+expr+")))")
	n, err := strconv.Atoi(out)
	if err != nil {
		t.Fatalf("refcount: %q", out)
	}
	return n
}

func TestIncrefDecref(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var c bindings.PyObject
	withGIL(func() { c = loadClass(t, "fake_check") })
	before := refcount(t, "fake_check.FakeCheck")
	withGIL(func() { rt().Incref(c) })
	if got := refcount(t, "fake_check.FakeCheck"); got != before+1 {
		t.Errorf("after incref: refcount %d, want %d", got, before+1)
	}
	withGIL(func() { rt().Decref(c) })
	if got := refcount(t, "fake_check.FakeCheck"); got != before {
		t.Errorf("after decref: refcount %d, want %d", got, before)
	}
	withGIL(func() {
		rt().Decref(c)
		rt().Incref(nil) // no-ops
		rt().Decref(nil)
	})
	expectNoError(t)
}

func TestGetNoneIsBorrowed(t *testing.T) {
	defer helpers.CheckMemory(t)()
	before := refcount(t, "None")
	n1 := rt().GetNone() // no GIL needed
	for i := 0; i < 100; i++ {
		rt().GetNone()
	}
	n2 := rt().GetNone()
	if n1 == nil || n1 != n2 {
		t.Fatalf("get_none = %v, %v", n1, n2)
	}
	// A new reference per call would add 102; Python's own temporaries move it by a few.
	if after := refcount(t, "None"); after-before > 50 || before-after > 50 {
		t.Errorf("None refcount changed from %d to %d after 102 get_none calls", before, after)
	}
	expectNoError(t)
}

// has_subinterpreter_support is 1 exactly when enable_subinterpreters(1) succeeded before init
// (the matrix's sub-interpreter pass, RTLOADER_SUBINTERPRETERS=1), else 0.
func TestHasSubinterpreterSupportFollowsEnable(t *testing.T) {
	want := 0
	if helpers.SubinterpretersMode() {
		want = 1
	}
	if got := rt().HasSubinterpreterSupport(); got != want {
		t.Errorf("has_subinterpreter_support = %d, want %d", got, want)
	}
}

func TestSysExecutableValue(t *testing.T) {
	defer helpers.CheckMemory(t)()
	helpers.RunPyExpect(t, "import sys; out.write(sys.executable)", helpers.PythonExe())
}

func TestFixturePathsAppendedToSysPath(t *testing.T) {
	defer helpers.CheckMemory(t)()
	paths := helpers.PythonPaths()
	helpers.RunPyExpect(t, "import sys; out.write('\\n'.join(sys.path[-"+strconv.Itoa(len(paths))+":]))", strings.Join(paths, "\n"))
}

func TestSetupRegisteredBuiltinsWork(t *testing.T) {
	defer helpers.CheckMemory(t)()
	restore := bindings.UpdateHandlers(func(h *bindings.Handlers) {
		h.GetVersion = func() *string { return bindings.Str("7.99.0") }
	})
	defer restore()
	helpers.RunPyExpect(t, "import datadog_agent; out.write(datadog_agent.get_version())", "7.99.0")
}

func TestMemoryTrackerCountsMallocAndFree(t *testing.T) {
	bindings.GetAndResetMemoryStats()
	p := bindings.Malloc(100)
	s := bindings.GetAndResetMemoryStats()
	if s.Allocations != 1 || s.AllocatedBytes < 100 || s.InuseBytes != int64(s.AllocatedBytes) || s.Frees != 0 {
		t.Errorf("after _malloc(100): %+v", s)
	}
	size := s.AllocatedBytes
	bindings.Free(p)
	s = bindings.GetAndResetMemoryStats()
	if s.Frees != 1 || s.FreedBytes != size || s.InuseBytes != -int64(size) || s.Allocations != 0 {
		t.Errorf("after _free: %+v (allocated %d)", s, size)
	}
	if s = bindings.GetAndResetMemoryStats(); s != (bindings.MemoryStats{}) {
		t.Errorf("second get_and_reset_memory_stats = %+v, want zeros", s)
	}
}

func TestStrdupe(t *testing.T) {
	defer helpers.CheckMemory(t)()
	if s, ok := bindings.Strdupe("hello \u00e9"); !ok || s != "hello \u00e9" {
		t.Errorf("strdupe = %q, %v", s, ok)
	}
	if _, ok := bindings.Strdupe(bindings.NULL); ok {
		t.Error("strdupe(NULL) != NULL")
	}
}

func TestRtloaderFree(t *testing.T) {
	defer helpers.CheckMemory(t)()
	p := bindings.StrdupeRaw("to be freed")
	if got := bindings.GoStringAt(p); got != "to be freed" {
		t.Errorf("strdupe = %q", got)
	}
	rt().RtloaderFree(p)
	rt().RtloaderFree(nil)
}

func TestTrackedAllocatorsAreInstalled(t *testing.T) {
	m, f := bindings.TrackedAllocatorsInstalled()
	if !m || !f {
		t.Errorf("_get_tracked_malloc/_free match _malloc/_free: %v, %v", m, f)
	}
}

func TestGetPymemStatsNullIsNoop(t *testing.T) {
	rt().GetPymemStatsNil()
	inuse, alloc := rt().GetPymemStats()
	if alloc < inuse {
		t.Errorf("pymem stats: inuse %d > alloc %d", inuse, alloc)
	}
}

func TestErrorTextsAreNotTruncated(t *testing.T) {
	defer helpers.CheckMemory(t)()
	long := strings.Repeat("m", 3000)
	withGIL(func() { rt().SetModuleAttrString("rtloader_"+long, "X", "1") })
	expectError(t, "error importing python 'rtloader_"+long+"' module: No module named 'rtloader_"+long+"'")
}
