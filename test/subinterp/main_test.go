// Package subinterp tests checks in sub-interpreters with their own GIL (API.md section 13,
// issue 14): isolation between instances, the automatic fallback to the main interpreter, the
// blocklist, every call switching into the check's interpreter (run_check releasing the main
// GIL), concurrency, the end of an interpreter with its threads, and destroy with isolated
// checks alive. The package enables sub-interpreters before init; on a backend older than 3.12
// that is refused, and every test but the refusal itself is skipped with a note.
package subinterp

import (
	"fmt"
	"os"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// enableErr is enable_subinterpreters' error in Setup ("" when sub-interpreters are on).
var enableErr string

func TestMain(m *testing.M) {
	helpers.BeforeInit = func(rt *bindings.Rtloader) {
		if !rt.EnableSubinterpreters(true) {
			enableErr = rt.Error()
		}
	}
	os.Exit(helpers.Main(m, true))
}

func rt() *bindings.Rtloader { return helpers.Rt }

// requireSubinterpreters skips t, with a printed note, when the backend has no sub-interpreters.
func requireSubinterpreters(t *testing.T) {
	t.Helper()
	if enableErr != "" {
		fmt.Printf("NOTE: %s skipped: %s\n", t.Name(), enableErr)
		t.Skipf("sub-interpreters unavailable: %s", enableErr)
	}
}

// addFixtures puts this package's testdata/python/ folder on the main sys.path; new sub-interpreters get
// the main sys.path.
func addFixtures(t *testing.T) { helpers.AddLocalFixtures(t) }

// childSetup is the start of a test that runs in a child process: a fresh interpreter with
// sub-interpreters on, and this package's fixtures.
func childSetup(t *testing.T) {
	helpers.BeforeInit = func(r *bindings.Rtloader) { r.EnableSubinterpreters(true) }
	if err := helpers.Setup(); err != nil {
		t.Fatal(err)
	}
	addFixtures(t)
}
