// Package api tests the core C API of rtloader (API.md sections 2, 3 and 7) against one
// interpreter per test process, made by helpers.Setup.
package api

import (
	"os"
	"strings"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }

// rt is the shared handle.
func rt() *bindings.Rtloader { return helpers.Rt }

// withGIL runs f holding the GIL.
func withGIL(f func()) { helpers.Rt.WithGIL(f) }

// expectError fails t unless get_error returns exactly want (and consumes it).
func expectError(t *testing.T, want string) {
	t.Helper()
	if !rt().HasError() {
		t.Errorf("has_error = 0, want an error %q", want)
	}
	if got := rt().Error(); got != want {
		t.Errorf("error:\n got: %q\nwant: %q", got, want)
	}
}

// expectErrorPrefix fails t unless get_error starts with prefix and ends with suffix.
func expectErrorPrefix(t *testing.T, prefix, suffix string) string {
	t.Helper()
	if !rt().HasError() {
		t.Errorf("has_error = 0, want an error starting with %q", prefix)
	}
	got := rt().Error()
	if !strings.HasPrefix(got, prefix) || !strings.HasSuffix(got, suffix) {
		t.Errorf("error:\n got: %q\nwant: %q ... %q", got, prefix, suffix)
	}
	return got
}

// expectNoError fails t if an error is pending (and clears it).
func expectNoError(t *testing.T) {
	t.Helper()
	if rt().HasError() {
		t.Errorf("unexpected error: %q", rt().Error())
	}
}

// loadClass imports module and returns its check class (the module reference is released).
func loadClass(t *testing.T, module string) bindings.PyObject {
	t.Helper()
	c, err := helpers.LoadClass(rt(), module)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tracebackTail is what a formatted Python exception ends with.
func tracebackTail(excType, msg string) string { return excType + ": " + msg + "\n" }
