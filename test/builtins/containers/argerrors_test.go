package containers

import (
	"testing"

	"rtloader/test/builtins/builtintest"
)

// containers' argument errors (BUILTINS.md §1.4, §8.1): PyArg_ParseTuple's texts.
var argErrors = []builtintest.ArgError{
	builtintest.Row("is_excluded", "namespace None", `containers.is_excluded('foo', 'bar', None)`,
		"TypeError: argument 3 must be str, not None"),
	builtintest.Row("is_excluded", "name int", `containers.is_excluded(1, 'bar')`,
		"TypeError: argument 1 must be str, not int"),
	builtintest.Row("is_excluded", "NUL in image", `containers.is_excluded('foo', 'b\0ar')`,
		"ValueError: embedded null character"),
	builtintest.Row("is_excluded", "no image", `containers.is_excluded('foo')`,
		"TypeError: function takes at least 2 arguments (1 given)"),
	builtintest.Row("is_excluded", "four arguments", `containers.is_excluded('foo', 'bar', 'ns', 'x')`,
		"TypeError: function takes at most 3 arguments (4 given)"),
	builtintest.Row("is_excluded", "keyword argument", `containers.is_excluded('foo', 'bar', namespace='ns')`,
		builtintest.NoKeywords("containers", "is_excluded")...),
}

func TestArgumentErrors(t *testing.T) {
	builtintest.ExpectArgErrors(t, "import containers", argErrors)
}

func TestEveryFunctionHasArgumentErrorRows(t *testing.T) {
	builtintest.ExpectRowsForEveryFunction(t, "containers", argErrors)
}
