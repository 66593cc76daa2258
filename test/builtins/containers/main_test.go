// Package containers tests the `containers` built-in module (BUILTINS.md §8).
package containers

import (
	"os"
	"testing"

	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }
