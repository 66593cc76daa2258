package containers

import (
	"reflect"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/builtins/builtintest"
	"rtloader/test/helpers"
)

func recordExcluded(t *testing.T) *[]string {
	var calls []string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.IsExcluded = func(name, image string, ns *string) int {
			n := "<NULL>"
			if ns != nil {
				n = *ns
			}
			calls = append(calls, name+"|"+image+"|"+n)
			switch name {
			case "foo":
				return 1
			case "neg":
				return -1
			}
			return 0
		}
	})
	return &calls
}

func TestIsExcluded(t *testing.T) {
	defer helpers.CheckMemory(t)()
	calls := recordExcluded(t)
	builtintest.Expect(t, `
		import containers
		out.write(repr([containers.is_excluded('foo', 'bar'), containers.is_excluded('baz', 'bar'),
		                containers.is_excluded('foo', 'bar', 'ns'), containers.is_excluded('neg', 'bar')]))
	`, "[True, False, True, False]")
	want := []string{"foo|bar|<NULL>", "baz|bar|<NULL>", "foo|bar|ns", "neg|bar|<NULL>"}
	if !reflect.DeepEqual(*calls, want) {
		t.Errorf("host received %q, want %q", *calls, want)
	}
}
