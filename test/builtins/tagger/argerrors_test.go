package tagger

import (
	"testing"

	"rtloader/test/builtins/builtintest"
)

// tagger's argument errors (BUILTINS.md §1.4, §6): PyArg_ParseTuple's texts, and tag's own
// cardinality check (§6.1, a TypeError).
var argErrors = []builtintest.ArgError{
	builtintest.Row("tags", "tag: entity_id int", `tagger.tag(1234, tagger.LOW)`,
		"TypeError: argument 1 must be str, not int"),
	builtintest.Row("tags", "tag: NUL in entity_id", `tagger.tag('a\0b', tagger.LOW)`,
		"ValueError: embedded null character"),
	builtintest.Row("tags", "tag: no cardinality", `tagger.tag("base")`,
		"TypeError: function takes exactly 2 arguments (1 given)"),
	builtintest.Row("tags", "tag: keyword argument", `tagger.tag("base", cardinality=tagger.LOW)`,
		builtintest.NoKeywords("tagger", "tag")...),
	builtintest.Row("tags", "tag: cardinality 123456", `tagger.tag("base", 123456)`,
		"TypeError: Invalid cardinality"),
	builtintest.Row("tags", "tag: cardinality -1", `tagger.tag("base", -1)`,
		"TypeError: Invalid cardinality"),
	builtintest.Row("tags", "tag: cardinality 3", `tagger.tag("base", 3)`,
		"TypeError: Invalid cardinality"),

	builtintest.Row("tags", "get_tags: entity_id None", `tagger.get_tags(None, True)`,
		"TypeError: argument 1 must be str, not None"),
	builtintest.Row("tags", "get_tags: high_card str", `tagger.get_tags("base", 'x')`,
		"TypeError: an integer is required (got type str)", "TypeError: 'str' object cannot be interpreted as an integer"),
	builtintest.Row("tags", "get_tags: no high_card", `tagger.get_tags("base")`,
		"TypeError: function takes exactly 2 arguments (1 given)"),
	builtintest.Row("tags", "get_tags: keyword argument", `tagger.get_tags("base", high_card=True)`,
		builtintest.NoKeywords("tagger", "get_tags")...),
}

func TestArgumentErrors(t *testing.T) {
	builtintest.ExpectArgErrors(t, "import tagger", argErrors)
}

func TestEveryFunctionHasArgumentErrorRows(t *testing.T) {
	builtintest.ExpectRowsForEveryFunction(t, "tagger", argErrors)
}
