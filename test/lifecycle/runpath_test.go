package lifecycle

import (
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rtloader/test/helpers"
)

// The built libraries and programs search no folder relative to the current directory: ld.so
// reads an empty RUNPATH entry (CMake's padding for its install-time editor, a trailing ":") or a
// relative one as the process's working directory, so a libpython (or loader) planted there would
// be loaded. Every RUNPATH/RPATH entry must be absolute or start with $ORIGIN.
func TestBuiltBinariesSearchNoRelativeFolder(t *testing.T) {
	build := helpers.BuildDir()
	files, _ := filepath.Glob(filepath.Join(build, "*.so"))
	for _, p := range []string{"runner/rtloader-check", "bench/rtl_bench"} {
		if _, err := os.Stat(filepath.Join(build, p)); err == nil {
			files = append(files, filepath.Join(build, p))
		}
	}
	if len(files) < 2 {
		t.Fatalf("found %d binaries under %s", len(files), build)
	}
	for _, path := range files {
		f, err := elf.Open(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		for _, tag := range []elf.DynTag{elf.DT_RUNPATH, elf.DT_RPATH} {
			vals, err := f.DynString(tag)
			if err != nil {
				t.Errorf("%s: %v", path, err)
			}
			for _, v := range vals {
				for _, entry := range strings.Split(v, ":") {
					if !strings.HasPrefix(entry, "/") && !strings.HasPrefix(entry, "$ORIGIN") {
						t.Errorf("%s: %v %q has the entry %q (relative to the working directory)", filepath.Base(path), tag, v, entry)
					}
				}
			}
		}
		f.Close()
	}
}
