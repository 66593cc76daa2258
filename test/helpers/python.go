package helpers

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Dedent removes the common leading whitespace of the non-blank lines of s, and leading and
// trailing blank lines (so Go raw strings can be indented like the surrounding code).
func Dedent(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	prefix := ""
	first := true
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ws := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = ws, false
			continue
		}
		for !strings.HasPrefix(ws, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, prefix)
	}
	return strings.Join(lines, "\n")
}

func indent(s, by string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = by + strings.ReplaceAll(l, "\t", "    ")
		}
	}
	return strings.Join(lines, "\n")
}

// PyString returns s as a Python string literal.
func PyString(s string) string { return strconv.Quote(s) }

// pyRunner is the Python side of RunPyRaw: it compiles the snippet first (a syntax error stays
// uncaught, so run_simple_string reports failure), then runs it with `out` bound in a namespace of
// its own. The namespace starts as a copy of __main__'s, so snippets see what earlier ones stored
// there explicitly (import __main__; __main__.x = ...), but two snippets running at once on two
// threads never overwrite each other's `out`.
const pyRunner = `def __rtl_run_snippet(path, code):
    import __main__
    compiled = compile(code, '<snippet>', 'exec')
    namespace = dict(__main__.__dict__)
    with open(path, 'w') as out:
        namespace['out'] = out
        try:
            exec(compiled, namespace)
        except Exception as e:
            out.write("{}: {}".format(type(e).__name__, e))
`

// RunPyRaw runs code with the GIL held (ensure_gil on a locked OS thread, then run_simple_string,
// then release_gil), as if written inside
//
//	with open(<tmp>, 'w') as out:
//	    try:
//	        <code>
//	    except Exception as e:
//	        out.write("{}: {}".format(type(e).__name__, e))
//
// so it can write its result with out.write(...), but in a namespace of its own (see pyRunner).
// It returns what was written and run_simple_string's result (false for a syntax error or an
// uncaught BaseException).
func RunPyRaw(code string) (string, bool, error) {
	if Rt == nil {
		return "", false, fmt.Errorf("rtloader is not set up (helpers.Setup)")
	}
	dir, err := os.MkdirTemp("", "rtloader-py")
	if err != nil {
		return "", false, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "out")
	src := fmt.Sprintf("%s\n__rtl_run_snippet(%s, %s)\n", pyRunner, PyString(path), PyString(indent(Dedent(code), "")))
	var ok bool
	Rt.WithGIL(func() { ok = Rt.RunSimpleString(src) })
	b, err := os.ReadFile(path)
	if err != nil {
		return "", ok, err
	}
	return string(b), ok, nil
}

// RunPy is RunPyRaw that fails the test when the snippet could not run (syntax error, uncaught
// BaseException, unreadable output).
func RunPy(t testing.TB, code string) string {
	t.Helper()
	out, ok, err := RunPyRaw(code)
	if err != nil {
		t.Fatalf("RunPy: %v", err)
	}
	if !ok {
		t.Fatalf("RunPy: run_simple_string failed (syntax error or uncaught BaseException; see stderr) for:\n%s", Dedent(code))
	}
	return out
}

// RunPyExpect runs code with RunPy and fails t unless the output equals want.
func RunPyExpect(t testing.TB, code, want string) {
	t.Helper()
	if got := RunPy(t, code); got != want {
		t.Errorf("python output:\n got: %q\nwant: %q", got, want)
	}
}

var localFixtures sync.Map // absolute folder -> struct{}

// AddLocalFixtures puts the calling test package's testdata/python/ folder at the front of the main
// interpreter's sys.path, once per process (sub-interpreters made later get the main sys.path).
func AddLocalFixtures(t testing.TB) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "python"))
	if err != nil {
		t.Fatal(err)
	}
	if _, done := localFixtures.LoadOrStore(dir, struct{}{}); done {
		return
	}
	RunPy(t, fmt.Sprintf("import sys\nif %s not in sys.path: sys.path.insert(0, %s)", PyString(dir), PyString(dir)))
}
