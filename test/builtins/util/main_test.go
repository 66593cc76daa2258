// Package util tests the `util` built-in module (BUILTINS.md §4).
package util

import (
	"os"
	"testing"

	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }
