// Package tagger tests the `tagger` built-in module (BUILTINS.md §6).
package tagger

import (
	"os"
	"testing"

	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }
