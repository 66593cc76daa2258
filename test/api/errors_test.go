package api

import (
	"testing"

	"rtloader/test/helpers"
)

func TestGetErrorReturnsEmptyStringWhenNoError(t *testing.T) {
	defer helpers.CheckMemory(t)()
	rt().ClearError()
	s, ok := rt().GetError()
	if !ok {
		t.Fatal("get_error returned NULL")
	}
	if s != "" {
		t.Errorf("get_error = %q, want \"\"", s)
	}
	if rt().HasError() {
		t.Error("has_error = 1 with no error")
	}
}

func TestGetErrorConsumesTheError(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() { rt().GetClassNullOut("rtloader_no_such_module") })
	if !rt().HasError() {
		t.Fatal("has_error = 0 after a failed get_class")
	}
	first, ok := rt().GetError()
	if !ok || first == "" {
		t.Fatalf("first get_error = %q (ok %v), want the message", first, ok)
	}
	if rt().HasError() {
		t.Error("has_error = 1 after get_error")
	}
	second, ok := rt().GetError()
	if !ok || second != "" {
		t.Errorf("second get_error = %q (ok %v), want \"\"", second, ok)
	}
}

func TestHasErrorDoesNotConsume(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() { rt().GetClassNullOut("rtloader_no_such_module") })
	for i := 0; i < 3; i++ {
		if !rt().HasError() {
			t.Fatalf("has_error = 0 on call %d", i+1)
		}
	}
	if rt().Error() == "" {
		t.Error("the error was lost by has_error")
	}
}

func TestClearErrorDropsFlagAndMessage(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() { rt().GetClassNullOut("rtloader_no_such_module") })
	rt().ClearError()
	if rt().HasError() {
		t.Error("has_error = 1 after clear_error")
	}
	if s := rt().Error(); s != "" {
		t.Errorf("get_error after clear_error = %q, want \"\"", s)
	}
}

func TestLastErrorWins(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		rt().GetClassNullOut("rtloader_no_such_module")
		c := loadClass(t, "attrs_fixture")
		rt().GetAttrBool(c, "NO_SUCH_ATTR")
		rt().Decref(c)
	})
	expectError(t, "error fetching attribute NO_SUCH_ATTR does not exist")
}

func TestSuccessfulCallDoesNotClearEarlierError(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "attrs_fixture")
		rt().GetAttrBool(c, "NO_SUCH_ATTR")
		if v, ok := rt().GetAttrBool(c, "HA_SUPPORTED"); !ok || !v {
			t.Errorf("get_attr_bool(HA_SUPPORTED) = %v, %v", v, ok)
		}
		rt().Decref(c)
	})
	expectError(t, "error fetching attribute NO_SUCH_ATTR does not exist")
}
