package tagger

import (
	"fmt"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/builtins/builtintest"
	"rtloader/test/helpers"
)

// tagsHandler serves the tags the upstream tests use.
func tagsHandler(t *testing.T) {
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.Tags = func(id string, card int) []string {
			switch id {
			case "base":
				switch card {
				case 0:
					return []string{"a", "b", "c"}
				case 1:
					return []string{"1", "2", "3"}
				case 2:
					return []string{"A", "B", "C"}
				}
			case "bad":
				return []string{"ok", builtintest.BadUTF8, "never converted"}
			case "huge":
				tags := make([]string, 100000)
				for i := range tags {
					tags[i] = fmt.Sprintf("t%d", i)
				}
				return tags
			case "empty":
				return []string{}
			}
			return nil
		}
	})
}

func TestConstants(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Expect(t, `
		import tagger
		out.write(repr((tagger.LOW, tagger.ORCHESTRATOR, tagger.HIGH)))
	`, "(0, 1, 2)")
}

func TestGetTags(t *testing.T) {
	defer helpers.CheckMemory(t)()
	tagsHandler(t)
	builtintest.Expect(t, `
		import tagger
		out.write(repr([tagger.get_tags("base", False), tagger.get_tags("base", True), tagger.get_tags("base", 5), tagger.get_tags("base", -1)]))
	`, "[['a', 'b', 'c'], ['A', 'B', 'C'], ['A', 'B', 'C'], ['a', 'b', 'c']]")
}

func TestGetTagsUnknownEntity(t *testing.T) {
	defer helpers.CheckMemory(t)()
	tagsHandler(t)
	builtintest.Expect(t, `
		import tagger
		out.write(repr([tagger.get_tags("unknown", False), tagger.tag("unknown", tagger.LOW), tagger.tag("empty", tagger.LOW)]))
	`, "[[], [], []]")
}

func TestTag(t *testing.T) {
	defer helpers.CheckMemory(t)()
	tagsHandler(t)
	builtintest.Expect(t, `
		import tagger
		out.write(repr([tagger.tag("base", tagger.LOW), tagger.tag("base", tagger.ORCHESTRATOR), tagger.tag("base", tagger.HIGH)]))
	`, "[['a', 'b', 'c'], ['1', '2', '3'], ['A', 'B', 'C']]")
}

func TestTagInvalidUTF8ReleasesEverything(t *testing.T) {
	defer helpers.CheckMemory(t)()
	tagsHandler(t)
	builtintest.ExpectPrefix(t, `
		import tagger
		tagger.tag("bad", tagger.LOW)
	`, "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff")
	builtintest.ExpectPrefix(t, `
		import tagger
		tagger.get_tags("bad", True)
	`, "UnicodeDecodeError: ")
}

func TestTagHuge(t *testing.T) {
	defer helpers.CheckMemory(t)()
	tagsHandler(t)
	builtintest.Expect(t, `
		import tagger
		tags = tagger.tag("huge", tagger.HIGH)
		out.write("%d %s" % (len(tags), tags[-1]))
	`, "100000 t99999")
}
