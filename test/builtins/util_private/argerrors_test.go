package util_private

import (
	"testing"

	"rtloader/test/builtins/builtintest"
)

// _util's argument errors (BUILTINS.md §5.1), in the spec's validation order: CPython's texts,
// which always name get_subprocess_output (the format's ":get_subprocess_output"), then the
// module's own checks of command, env and raise_on_empty.
var argErrors = []builtintest.ArgError{
	builtintest.Row("get_subprocess_output", "no command", `_util.get_subprocess_output()`,
		"TypeError: get_subprocess_output() missing required argument 'command' (pos 1)"),
	builtintest.Row("get_subprocess_output", "subprocess_output: no command", `_util.subprocess_output()`,
		"TypeError: get_subprocess_output() missing required argument 'command' (pos 1)"),
	builtintest.Row("get_subprocess_output", "three positional arguments", `_util.get_subprocess_output(["ls"], False, {})`,
		"TypeError: get_subprocess_output() takes at most 2 positional arguments (3 given)"),
	builtintest.Row("get_subprocess_output", "command by name and position", `_util.get_subprocess_output(["ls"], command=["ls"])`,
		"TypeError: argument for get_subprocess_output() given by name ('command') and position (1)"),
	builtintest.Row("get_subprocess_output", "unknown keyword", `_util.get_subprocess_output(["ls"], bad=1)`,
		"TypeError: 'bad' is an invalid keyword argument for get_subprocess_output()",
		"TypeError: get_subprocess_output() got an unexpected keyword argument 'bad'"),
	builtintest.Row("get_subprocess_output", "command str", `_util.get_subprocess_output('ls')`,
		"TypeError: command args is not a list"),
	builtintest.Row("get_subprocess_output", "command tuple", `_util.get_subprocess_output(('ls',))`,
		"TypeError: command args is not a list"),
	builtintest.Row("get_subprocess_output", "command empty", `_util.get_subprocess_output([])`,
		"TypeError: invalid command: empty list"),
	builtintest.Row("get_subprocess_output", "command item int", `_util.get_subprocess_output(["ls", 123])`,
		"TypeError: command argument must be valid strings"),
	builtintest.Row("get_subprocess_output", "command item lone surrogate", `_util.get_subprocess_output(["ls", "\ud800"])`,
		"TypeError: command argument must be valid strings"),
	builtintest.Row("get_subprocess_output", "env list", `_util.get_subprocess_output(["ls"], env=['FOO=BAR'])`,
		"TypeError: env is not a dict"),
	builtintest.Row("get_subprocess_output", "env key int", `_util.get_subprocess_output(["ls"], env={1: 'x'})`,
		"TypeError: env key is not a string"),
	builtintest.Row("get_subprocess_output", "env value None", `_util.get_subprocess_output(["ls"], env={'K': None})`,
		"TypeError: env value is not a string"),
	builtintest.Row("get_subprocess_output", "env second value int", `_util.get_subprocess_output(["ls"], env={'A': 'a', 'K': 1})`,
		"TypeError: env value is not a string"),
	builtintest.Row("get_subprocess_output", "raise_on_empty None", `_util.get_subprocess_output(["ls"], None)`,
		"TypeError: bad raise_on_empty argument: should be bool"),
	builtintest.Row("get_subprocess_output", "raise_on_empty int", `_util.get_subprocess_output(["ls"], 1)`,
		"TypeError: bad raise_on_empty argument: should be bool"),
	builtintest.Row("get_subprocess_output", "raise_on_empty str by name", `_util.get_subprocess_output(["ls"], raise_on_empty='yes')`,
		"TypeError: bad raise_on_empty argument: should be bool"),
}

func TestArgumentErrors(t *testing.T) {
	builtintest.ExpectArgErrors(t, "import _util", argErrors)
}

func TestEveryFunctionHasArgumentErrorRows(t *testing.T) {
	builtintest.ExpectRowsForEveryFunction(t, "_util", argErrors)
}
