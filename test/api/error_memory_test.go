package api

// The stored error message is not counted by the memory tracker (API.md section 12.5, issue 11
// item 12): a host that checks allocations == frees right after a failed call is balanced, and
// stays balanced through get_error and the next error, while the message keeps its lifetime
// (valid until the next error operation).

import (
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

func expectBalanced(t *testing.T, when string) {
	t.Helper()
	s := bindings.GetAndResetMemoryStats()
	if s.Allocations != s.Frees || s.AllocatedBytes != s.FreedBytes || s.InuseBytes != 0 {
		t.Errorf("%s: %d allocations (%d bytes), %d frees (%d bytes), in-use delta %d", when,
			s.Allocations, s.AllocatedBytes, s.Frees, s.FreedBytes, s.InuseBytes)
	}
}

func TestStoredErrorIsNotCounted(t *testing.T) {
	rt().ClearError()
	bindings.GetAndResetMemoryStats()
	withGIL(func() { rt().GetClassNullOut("rtloader_no_such_module") })
	expectBalanced(t, "right after a failed get_class")
	if !rt().HasError() {
		t.Fatal("has_error = 0 after a failed get_class")
	}
	want := "unable to import module 'rtloader_no_such_module': No module named 'rtloader_no_such_module'"
	if got := rt().Error(); got != want {
		t.Errorf("get_error = %q, want %q", got, want)
	}
	expectBalanced(t, "after get_error")
	// A Python-formatted error (a traceback, through rtl_set_error_py), then a plain one.
	withGIL(func() {
		chk, err := helpers.NewCheck(rt(), "error_format_check", "", "surrogate", "error_format:1", "error_format")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := rt().RunCheck(chk); ok {
			t.Error("run_check succeeded")
		}
		rt().Decref(chk)
	})
	expectBalanced(t, "right after a failed run_check")
	withGIL(func() { rt().GetClassNullOut("rtloader_no_such_module_2") })
	expectBalanced(t, "after two more failed calls")
	_ = rt().Error()
	rt().ClearError()
	expectBalanced(t, "after get_error and clear_error")
}
