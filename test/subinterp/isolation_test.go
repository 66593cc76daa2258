package subinterp

import (
	"encoding/json"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

type isoReport struct {
	Runs       int      `json:"runs"`
	SysModules int64    `json:"sys_modules"`
	HadMarker  bool     `json:"had_marker"`
	Path       []string `json:"path"`
	Attr       *string  `json:"attr"`
}

// runReport runs an si_isolation check and decodes what it saw. [GIL]
func runReport(t *testing.T, chk bindings.PyObject) isoReport {
	t.Helper()
	out, ok := rt().RunCheck(chk)
	if !ok {
		t.Fatalf("run_check: %s", rt().Error())
	}
	var r isoReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("run_check result %q: %v", out, err)
	}
	return r
}

// TestTwoInstancesHaveSeparateGlobalsAndSysModules: two instances of one check run in two
// interpreters: each counts its own runs in the module global, sees its own sys.modules, and a
// sys.modules entry one adds is not in the other's.
func TestTwoInstancesHaveSeparateGlobalsAndSysModules(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	defer helpers.CheckMemory(t)()
	rt().WithGIL(func() {
		a, err := helpers.NewCheck(rt(), "si_isolation", "", "{}", "si:a", "si_isolation")
		if err != nil {
			t.Fatal(err)
		}
		defer rt().Decref(a)
		b, err := helpers.NewCheck(rt(), "si_isolation", "", "{}", "si:b", "si_isolation")
		if err != nil {
			t.Fatal(err)
		}
		defer rt().Decref(b)
		if ia, ib := rt().CheckIsIsolated(a), rt().CheckIsIsolated(b); ia != 1 || ib != 1 {
			t.Fatalf("check_is_isolated: a %d, b %d, want 1 and 1 (%s)", ia, ib, rt().Error())
		}
		a1, a2, b1 := runReport(t, a), runReport(t, a), runReport(t, b)
		if a1.Runs != 1 || a2.Runs != 2 || b1.Runs != 1 {
			t.Errorf("module global RUNS: a saw %d then %d, b saw %d; want 1, 2, 1", a1.Runs, a2.Runs, b1.Runs)
		}
		if a1.HadMarker || !a2.HadMarker || b1.HadMarker {
			t.Errorf("sys.modules marker: a saw %v then %v, b saw %v; want false, true, false", a1.HadMarker, a2.HadMarker, b1.HadMarker)
		}
		if a1.SysModules != a2.SysModules || a1.SysModules == b1.SysModules {
			t.Errorf("id(sys.modules): a %d/%d, b %d; want a stable and different from b", a1.SysModules, a2.SysModules, b1.SysModules)
		}
	})
}

// TestAttributesAndReferencesOfIsolatedCheck: get_attr_string/get_attr_bool read an isolated
// check's attributes in its interpreter; rtloader_incref adds a host reference, so the first of
// two decrefs leaves the check usable and the second ends its interpreter (memory balances).
func TestAttributesAndReferencesOfIsolatedCheck(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	defer helpers.CheckMemory(t)()
	rt().WithGIL(func() {
		chk, err := helpers.NewCheck(rt(), "si_isolation", "", "{}", "si:attrs-refs", "si_isolation")
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := rt().GetAttrString(chk, "check_id"); !ok || got != "si:attrs-refs" {
			t.Errorf("get_attr_string(check_id) = %q, %v (%s)", got, ok, rt().Error())
		}
		helpers.RunPy(t, "import si_isolation\nsi_isolation.IsolationCheck.si_flag = False")
		if v, ok := rt().GetAttrBool(chk, "si_flag"); ok || v {
			t.Errorf("get_attr_bool saw the main interpreter's class attribute (%v, %v)", v, ok)
		}
		rt().ClearError()
		if v, ok := rt().GetAttrBool(chk, "si_bool"); !ok || !v {
			t.Errorf("get_attr_bool(si_bool) = %v, %v (%s)", v, ok, rt().Error())
		}
		rt().Incref(chk)
		rt().Decref(chk)
		if rt().CheckIsIsolated(chk) != 1 {
			t.Fatal("the check was released while the host still held a reference")
		}
		if r := runReport(t, chk); r.Runs != 1 {
			t.Errorf("run after incref/decref saw %d runs", r.Runs)
		}
		rt().Decref(chk)
		if got := rt().CheckIsIsolated(chk); got != 0 {
			t.Errorf("after the last decref check_is_isolated = %d, want 0 (interpreter ended)", got)
		}
	})
}
