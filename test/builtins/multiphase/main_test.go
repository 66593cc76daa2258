// Package multiphase tests that the built-in modules are multi-phase modules with per-interpreter
// state (BUILTINS.md §1.1, API.md §13.2): they import and work in a sub-interpreter, on 3.12+
// one with its own GIL that refuses single-phase extensions.
package multiphase

import (
	"os"
	"testing"

	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }
