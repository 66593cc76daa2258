// Package aggregator tests the `aggregator` built-in module (BUILTINS.md §2).
package aggregator

import (
	"os"
	"testing"

	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }
