package subinterp

import (
	"fmt"
	"strings"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// TestEnableSubinterpretersBelow312IsRefused: a backend older than 3.12 refuses
// enable_subinterpreters(1) with the spec's text naming its version, and reports no support; a
// 3.12+ backend accepted it and says so.
func TestEnableSubinterpretersBelow312IsRefused(t *testing.T) {
	var info bindings.PyInfo
	var ok bool
	rt().WithGIL(func() { info, ok = rt().GetPyInfo() })
	if !ok {
		t.Fatalf("get_py_info: %s", rt().Error())
	}
	var major, minor int
	if _, err := fmt.Sscanf(info.Version, "%d.%d", &major, &minor); err != nil {
		t.Fatalf("version %q: %v", info.Version, err)
	}
	if minor < 12 {
		want := fmt.Sprintf("sub-interpreters need Python 3.12 or newer (this is 3.%d)", minor)
		if enableErr != want {
			t.Errorf("enable_subinterpreters error = %q, want %q", enableErr, want)
		}
		if got := rt().HasSubinterpreterSupport(); got != 0 {
			t.Errorf("has_subinterpreter_support = %d, want 0", got)
		}
		return
	}
	if enableErr != "" {
		t.Errorf("enable_subinterpreters failed on Python 3.%d: %s", minor, enableErr)
	}
	if got := rt().HasSubinterpreterSupport(); got != 1 {
		t.Errorf("has_subinterpreter_support = %d, want 1", got)
	}
}

// TestEnableSubinterpretersAfterInitIsRefused: enable_subinterpreters only works before init.
func TestEnableSubinterpretersAfterInitIsRefused(t *testing.T) {
	defer helpers.CheckMemory(t)()
	if rt().EnableSubinterpreters(true) {
		t.Fatal("enable_subinterpreters after init returned 1")
	}
	if got, want := rt().Error(), "sub-interpreters must be enabled before init"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// TestCheckIsIsolatedNullCheck: a NULL check is an error (-1), not a "no".
func TestCheckIsIsolatedNullCheck(t *testing.T) {
	defer helpers.CheckMemory(t)()
	if got := rt().CheckIsIsolated(nil); got != -1 {
		t.Errorf("check_is_isolated(NULL) = %d, want -1", got)
	}
	if got, want := rt().Error(), "check_is_isolated: NULL check"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// TestCheckIsIsolatedMainObject: an object of the main interpreter (a class) is not isolated.
func TestCheckIsIsolatedMainObject(t *testing.T) {
	addFixtures(t)
	defer helpers.CheckMemory(t)()
	rt().WithGIL(func() {
		c, err := helpers.LoadClass(rt(), "si_isolation")
		if err != nil {
			t.Fatal(err)
		}
		defer rt().Decref(c)
		if got := rt().CheckIsIsolated(c); got != 0 {
			t.Errorf("check_is_isolated(class) = %d, want 0", got)
		}
	})
}

// TestBlocklistForcesMainInterpreter: a check whose module is on the blocklist, exactly or
// under a "pkg." prefix, runs in the main interpreter, and the log says why; an entry that only
// looks like a prefix (no trailing '.') does not match; clearing the list isolates it again.
func TestBlocklistForcesMainInterpreter(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	logs := recordLogs(t)
	defer helpers.CheckMemory(t)()
	defer rt().SetSubinterpreterBlocklist(bindings.NULL)
	cases := []struct {
		list     string
		isolated int
	}{
		{"other, si_isolation ,x.", 0},
		{"si_.", 1},
		{"si_iso", 1},
		{"si_isolation.", 1},
		{"", 1},
	}
	rt().WithGIL(func() {
		for _, c := range cases {
			if !rt().SetSubinterpreterBlocklist(c.list) {
				t.Fatalf("set_subinterpreter_blocklist(%q): %s", c.list, rt().Error())
			}
			chk, err := helpers.NewCheck(rt(), "si_isolation", "", "{}", "si:block", "si_isolation")
			if err != nil {
				t.Fatal(err)
			}
			if got := rt().CheckIsIsolated(chk); got != c.isolated {
				t.Errorf("blocklist %q: check_is_isolated = %d, want %d", c.list, got, c.isolated)
			}
			rt().Decref(chk)
		}
	})
	// si_isolation.IsolationCheck may have been logged by another test's fallback already in
	// matrix runs; here it is the first and only reason.
	got := logs.matching("check 'si_isolation.IsolationCheck' runs in the main interpreter: ")
	want := "check 'si_isolation.IsolationCheck' runs in the main interpreter: its module matches 'si_isolation' in the sub-interpreter blocklist"
	if len(got) != 1 || got[0] != want {
		t.Errorf("log lines:\n got: %q\nwant: [%q]", got, want)
	}
}

// TestNewInterpreterGetsMainSysPathAndModuleAttrs: a new interpreter starts with the main
// interpreter's sys.path (add_python_path entries included) and every set_module_attr_string
// made before get_check.
func TestNewInterpreterGetsMainSysPathAndModuleAttrs(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	mainPath := helpers.RunPy(t, `import sys, json; out.write(json.dumps(sys.path))`)
	defer helpers.CheckMemory(t)()
	rt().WithGIL(func() {
		rt().SetModuleAttrString("si_attrs", "VALUE", "from the host")
		if rt().HasError() {
			t.Fatalf("set_module_attr_string: %s", rt().Error())
		}
		chk, err := helpers.NewCheck(rt(), "si_isolation", "", "{}", "si:attrs", "si_isolation")
		if err != nil {
			t.Fatal(err)
		}
		defer rt().Decref(chk)
		if got := rt().CheckIsIsolated(chk); got != 1 {
			t.Fatalf("check_is_isolated = %d, want 1", got)
		}
		r := runReport(t, chk)
		if got := "[\"" + strings.Join(r.Path, "\", \"") + "\"]"; got != mainPath {
			t.Errorf("sys.path in the check's interpreter:\n got: %s\nwant: %s", got, mainPath)
		}
		if r.Attr == nil || *r.Attr != "from the host" {
			t.Errorf("si_attrs.VALUE in the check's interpreter = %v, want \"from the host\"", r.Attr)
		}
	})
}
