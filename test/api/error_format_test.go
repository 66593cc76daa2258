package api

// Python error formatting (API.md section 7.4, issue 11 item 8): text UTF-8 cannot encode (lone
// surrogates in a message or a path) is written with backslashreplace, the exception's type name
// survives, and "unknown error" is only for an exception nothing could be formatted of.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rtloader/test/helpers"
)

// runErrorFormatCheck runs ErrorFormatCheck in mode and returns run_check's error.
func runErrorFormatCheck(t *testing.T, mode string) string {
	t.Helper()
	var msg string
	withGIL(func() {
		chk, err := helpers.NewCheck(rt(), "error_format_check", "", mode, "error_format:1", "error_format")
		if err != nil {
			t.Fatal(err)
		}
		if out, ok := rt().RunCheck(chk); ok {
			t.Errorf("run_check succeeded: %q", out)
		}
		rt().Decref(chk)
	})
	msg = rt().Error()
	return msg
}

func TestErrorTextEscapesSurrogateWithTraceback(t *testing.T) {
	defer helpers.CheckMemory(t)()
	got := runErrorFormatCheck(t, "surrogate")
	if !strings.HasPrefix(got, "error invoking 'run' method: Traceback (most recent call last):\n") ||
		!strings.HasSuffix(got, `ValueError: bad \udcff`+"\n") {
		t.Errorf("error = %q, want the traceback ending in %q", got, `ValueError: bad \udcff`)
	}
}

func TestErrorTextEscapesSurrogateWithoutTraceback(t *testing.T) {
	defer helpers.CheckMemory(t)()
	want := `error invoking 'run' method: 'object' object has no attribute 'bad \udcff'`
	if got := runErrorFormatCheck(t, "no_traceback"); got != want {
		t.Errorf("error:\n got: %q\nwant: %q", got, want)
	}
}

// No traceback and an empty str(value): the type's name, not "unknown error".
func TestErrorTextNamesTypeOfEmptyException(t *testing.T) {
	defer helpers.CheckMemory(t)()
	want := "error invoking 'run' method: StopIteration"
	if got := runErrorFormatCheck(t, "no_traceback_empty"); got != want {
		t.Errorf("error:\n got: %q\nwant: %q", got, want)
	}
}

// A module in a folder whose name is not UTF-8: its traceback names that folder, escaped.
func TestErrorTextEscapesNonUTF8ModulePath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mod\xff")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rtloader_nonutf8_path_mod.py"), []byte("raise ValueError('plain')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	helpers.RunPy(t, fmt.Sprintf("import os, sys\nsys.path.insert(0, os.fsdecode(bytes.fromhex('%x')))", dir))
	defer helpers.RunPy(t, "import sys\nsys.path.pop(0)")
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		if _, _, ok := rt().GetClass("rtloader_nonutf8_path_mod"); ok {
			t.Error("get_class succeeded")
		}
	})
	got := rt().Error()
	escaped := strings.Replace(dir, "mod\xff", `mod\udcff`, 1)
	if !strings.HasPrefix(got, "unable to import module 'rtloader_nonutf8_path_mod': Traceback (most recent call last):\n") ||
		!strings.Contains(got, `File "`+escaped+`/rtloader_nonutf8_path_mod.py", line 1`) ||
		!strings.HasSuffix(got, "ValueError: plain\n") {
		t.Errorf("error = %q, want a traceback naming %q", got, escaped)
	}
}
