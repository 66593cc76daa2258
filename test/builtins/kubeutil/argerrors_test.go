package kubeutil

import (
	"testing"

	"rtloader/test/builtins/builtintest"
)

// kubeutil's argument errors (BUILTINS.md §7.1): get_connection_info is METH_NOARGS.
var argErrors = []builtintest.ArgError{
	builtintest.Row("get_connection_info", "an argument", `kubeutil.get_connection_info(1)`,
		builtintest.NoArguments("kubeutil", "get_connection_info", 1)...),
	builtintest.Row("get_connection_info", "keyword argument", `kubeutil.get_connection_info(x=1)`,
		builtintest.NoKeywords("kubeutil", "get_connection_info")...),
}

func TestArgumentErrors(t *testing.T) {
	builtintest.ExpectArgErrors(t, "import kubeutil", argErrors)
}

func TestEveryFunctionHasArgumentErrorRows(t *testing.T) {
	builtintest.ExpectRowsForEveryFunction(t, "kubeutil", argErrors)
}
