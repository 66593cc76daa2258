// Package builtintest is the small shared vocabulary of the built-in module tests
// (test/builtins/<module>): running a snippet, installing handlers for one test, unsetting a
// callback for one test, and running a module's argument-error table (argerrors.go). Everything
// else comes from rtloader/test/helpers and bindings.
package builtintest

import (
	"strings"
	"testing"
	"time"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// BadUTF8 is a host string that is not valid UTF-8.
const BadUTF8 = "bad \xff\xfe utf-8"

// Handle installs handler changes for the duration of t.
func Handle(t *testing.T, f func(h *bindings.Handlers)) {
	t.Helper()
	t.Cleanup(bindings.UpdateHandlers(f))
}

// Unset sets the given callbacks to NULL for the duration of t.
func Unset(t *testing.T, cbs ...bindings.Callback) {
	t.Helper()
	for _, cb := range cbs {
		cb := cb
		helpers.Rt.SetCallback(cb, false)
		t.Cleanup(func() { helpers.Rt.SetCallback(cb, true) })
	}
}

// Expect runs code (helpers.RunPy) and fails t unless it wrote exactly want.
func Expect(t *testing.T, code, want string) {
	t.Helper()
	helpers.RunPyExpect(t, code, want)
}

// ExpectPrefix runs code and fails t unless what it wrote starts with prefix (for CPython
// messages whose tail differs between versions).
func ExpectPrefix(t *testing.T, code, prefix string) string {
	t.Helper()
	got := helpers.RunPy(t, code)
	if !strings.HasPrefix(got, prefix) {
		t.Errorf("python output:\n got: %q\nwant prefix: %q", got, prefix)
	}
	return got
}

// ExpectOneOf runs code and fails t unless it wrote one of wants (CPython wordings that changed
// between versions).
func ExpectOneOf(t *testing.T, code string, wants ...string) {
	t.Helper()
	got := helpers.RunPy(t, code)
	for _, w := range wants {
		if got == w {
			return
		}
	}
	t.Errorf("python output:\n got: %q\nwant one of: %q", got, wants)
}

// ExpectCallbackReleasesGIL runs call (Python code whose callback blocks on release) in one
// goroutine and, once the callback is blocked, other Python code in another goroutine: that
// second snippet can only finish if the first released the GIL. (Each snippet has its own `out`.)
func ExpectCallbackReleasesGIL(t *testing.T, blocked <-chan struct{}, release chan<- struct{}, call string) {
	t.Helper()
	first := make(chan string, 1)
	go func() {
		out, _, _ := helpers.RunPyRaw(call)
		first <- out
	}()
	select {
	case <-blocked:
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("the callback was never called")
	}
	second := make(chan string, 1)
	go func() {
		out, _, _ := helpers.RunPyRaw("out.write(str(sum(range(10))))")
		second <- out
	}()
	select {
	case out := <-second:
		if out != "45" {
			t.Errorf("concurrent Python wrote %q", out)
		}
		close(release)
	case <-time.After(10 * time.Second):
		close(release) // let both finish
		<-second
		t.Error("Python could not run while the callback blocked: the GIL was held")
	}
	if out := <-first; out != "done" { // call writes "done" once its callback returned
		t.Errorf("blocking call wrote %q", out)
	}
}
