// Package datadog_agent tests the `datadog_agent` built-in module (BUILTINS.md §3).
package datadog_agent

import (
	"os"
	"testing"

	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }
