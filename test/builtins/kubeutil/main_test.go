// Package kubeutil tests the `kubeutil` built-in module (BUILTINS.md §7).
package kubeutil

import (
	"os"
	"testing"

	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }
