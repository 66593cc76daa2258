package api

import (
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

func className(t *testing.T, c bindings.PyObject) string {
	t.Helper()
	name, ok := rt().GetAttrString(c, "__name__")
	if !ok {
		t.Fatalf("could not read the class __name__: %s", rt().Error())
	}
	return name
}

func TestGetClassFindsTheCheckClass(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		m, c, ok := rt().GetClass("fake_check")
		if !ok {
			t.Fatalf("get_class(fake_check) = 0: %s", rt().Error())
		}
		if m == nil || c == nil {
			t.Fatal("get_class succeeded with a NULL out-parameter")
		}
		if got := className(t, c); got != "FakeCheck" {
			t.Errorf("class = %q, want FakeCheck", got)
		}
		if v, ok := rt().GetAttrString(m, "__name__"); !ok || v != "fake_check" {
			t.Errorf("module __name__ = %q, %v", v, ok)
		}
		rt().Decref(c)
		rt().Decref(m)
	})
	expectNoError(t)
}

func TestGetClassPicksFirstLeafSubclassAlphabetically(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "class_order")
		if got := className(t, c); got != "Bleaf" {
			t.Errorf("class = %q, want Bleaf (Abase has a subclass, AgentCheck is the base)", got)
		}
		rt().Decref(c)
	})
}

func TestGetClassModuleImportError(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var ok bool
	withGIL(func() { _, _, ok = rt().GetClass("rtloader_no_such_module") })
	if ok {
		t.Fatal("get_class succeeded for a missing module")
	}
	expectError(t, "unable to import module 'rtloader_no_such_module': No module named 'rtloader_no_such_module'")
}

func TestGetClassNoSubclass(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var ok bool
	withGIL(func() { _, _, ok = rt().GetClass("reexport_only") })
	if ok {
		t.Fatal("get_class succeeded for a module without a check class")
	}
	expectError(t, "unable to find a subclass of the base check in module 'reexport_only': cannot find a subclass")
}

func TestGetClassNotAModule(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var ok bool
	withGIL(func() { _, _, ok = rt().GetClass("not_a_module") })
	if ok {
		t.Fatal("get_class succeeded for a non-module")
	}
	expectError(t, "unable to find a subclass of the base check in module 'not_a_module': module is not of type 'Module'")
}

func TestGetClassNullOutPointersAreNotWritten(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var ok bool
	withGIL(func() { ok = rt().GetClassNullOut("reexport_only") })
	if ok {
		t.Fatal("get_class(NULL outs) succeeded")
	}
	expectError(t, "unable to find a subclass of the base check in module 'reexport_only': cannot find a subclass")
}

func TestGetClassNullName(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var ok bool
	withGIL(func() { _, _, ok = rt().GetClass(bindings.NULL) })
	if ok {
		t.Fatal("get_class(NULL name) succeeded")
	}
	if !rt().HasError() {
		t.Error("get_class(NULL name) set no error")
	}
	rt().ClearError()
}

func TestGetAttrStringReadsModuleVersion(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		m, c, ok := rt().GetClass("fake_check")
		if !ok {
			t.Fatalf("get_class: %s", rt().Error())
		}
		v, ok := rt().GetAttrString(m, "__version__")
		if !ok || v != "0.4.2" {
			t.Errorf("__version__ = %q, %v; want 0.4.2", v, ok)
		}
		rt().Decref(c)
		rt().Decref(m)
	})
	expectNoError(t)
}

func TestGetAttrStringMissingAttributeSetsNoError(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "attrs_fixture")
		if v, ok := rt().GetAttrString(c, "NO_SUCH_ATTR"); ok {
			t.Errorf("get_attr_string(missing) = %q, 1", v)
		}
		rt().Decref(c)
	})
	expectNoError(t)
}

func TestGetAttrStringWrongType(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "attrs_fixture")
		if _, ok := rt().GetAttrString(c, "ONE"); ok {
			t.Error("get_attr_string(int) succeeded")
		}
		rt().Decref(c)
	})
	expectError(t, "error attribute ONE has a different type than unicode")
}

func TestGetAttrStringConversionError(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		m, c, ok := rt().GetClass("attrs_fixture")
		if !ok {
			t.Fatalf("get_class: %s", rt().Error())
		}
		if _, ok := rt().GetAttrString(m, "NOT_UTF8"); ok {
			t.Error("get_attr_string(lone surrogate) succeeded")
		}
		rt().Decref(c)
		rt().Decref(m)
	})
	expectError(t, "error converting attribute NOT_UTF8 to string")
	// The Python error indicator was left clear: Python still runs normally.
	helpers.RunPyExpect(t, `out.write("ok")`, "ok")
}

func TestGetAttrStringNullObject(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		if _, ok := rt().GetAttrString(nil, "__version__"); ok {
			t.Error("get_attr_string(NULL) succeeded")
		}
	})
	expectNoError(t)
}

func TestGetAttrBoolReadsTrueAndFalse(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "attrs_fixture")
		if v, ok := rt().GetAttrBool(c, "HA_SUPPORTED"); !ok || !v {
			t.Errorf("HA_SUPPORTED = %v, %v; want true, 1", v, ok)
		}
		if v, ok := rt().GetAttrBool(c, "NOT_HA"); !ok || v {
			t.Errorf("NOT_HA = %v, %v; want false, 1", v, ok)
		}
		rt().Decref(c)
	})
	expectNoError(t)
}

func TestGetAttrBoolMissingAttribute(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "attrs_fixture")
		if _, ok := rt().GetAttrBool(c, "NO_SUCH_ATTR"); ok {
			t.Error("get_attr_bool(missing) succeeded")
		}
		rt().Decref(c)
	})
	expectError(t, "error fetching attribute NO_SUCH_ATTR does not exist")
}

func TestGetAttrBoolWrongType(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "attrs_fixture")
		if _, ok := rt().GetAttrBool(c, "ONE"); ok {
			t.Error("get_attr_bool(int 1) succeeded")
		}
		rt().Decref(c)
	})
	expectError(t, "error attribute ONE has a different type than bool")
}

func TestGetAttrBoolNullObject(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		if _, ok := rt().GetAttrBool(nil, "HA_SUPPORTED"); ok {
			t.Error("get_attr_bool(NULL) succeeded")
		}
	})
	rt().ClearError()
}
