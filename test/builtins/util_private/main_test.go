// Package util_private tests the `_util` built-in module (BUILTINS.md §5).
package util_private

import (
	"os"
	"testing"

	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }
