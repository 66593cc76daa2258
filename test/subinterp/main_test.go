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
	"path/filepath"
	"sync"
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

var fixturesOnce sync.Once

// addFixtures puts this package's python/ folder on the main sys.path (once); new
// sub-interpreters get the main sys.path.
func addFixtures(t *testing.T) {
	t.Helper()
	fixturesOnce.Do(func() {
		dir, err := filepath.Abs("python")
		if err != nil {
			t.Fatal(err)
		}
		helpers.RunPy(t, fmt.Sprintf("import sys\nif %s not in sys.path: sys.path.insert(0, %s)",
			helpers.PyString(dir), helpers.PyString(dir)))
	})
}
