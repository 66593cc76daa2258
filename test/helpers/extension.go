package helpers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// singlePhaseSource is the smallest single-phase-init extension module (PyModule_Create, no
// Py_mod_multiple_interpreters slot): CPython refuses it in a sub-interpreter that checks for
// multi-interpreter support, with "module si_single_phase does not support loading in
// subinterpreters".
const singlePhaseSource = `#include <Python.h>
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "si_single_phase", NULL, -1, NULL, NULL, NULL, NULL, NULL};
PyMODINIT_FUNC PyInit_si_single_phase(void) { return PyModule_Create(&def); }
`

var (
	extOnce sync.Once
	extDir  string
	extErr  error
)

// SinglePhaseExtension compiles si_single_phase.so once per process with the headers of the
// suite's Python (PythonExe's sysconfig include folder; gcc -shared -fPIC) and returns the
// temporary folder that holds it.
func SinglePhaseExtension(t testing.TB) string {
	t.Helper()
	extOnce.Do(func() {
		// Neither Python nor the compiler runs with the ASan suite's preloaded runtime (its
		// LeakSanitizer would report their exit-time memory as leaks).
		py := exec.Command(PythonExe(), "-c", `import sysconfig; print(sysconfig.get_paths()["include"])`)
		py.Env = environWithout("LD_PRELOAD")
		inc, err := py.Output()
		if err != nil {
			extErr = fmt.Errorf("%s: could not read the include folder: %v", PythonExe(), err)
			return
		}
		if extDir, err = os.MkdirTemp("", "rtloader-si-ext"); err != nil {
			extErr = err
			return
		}
		src := filepath.Join(extDir, "si_single_phase.c")
		if err = os.WriteFile(src, []byte(singlePhaseSource), 0o644); err != nil {
			extErr = err
			return
		}
		cc := exec.Command("gcc", "-shared", "-fPIC", "-I"+strings.TrimSpace(string(inc)), "-o",
			filepath.Join(extDir, "si_single_phase.so"), src)
		cc.Env = environWithout("LD_PRELOAD")
		out, err := cc.CombinedOutput()
		if err != nil {
			extErr = fmt.Errorf("gcc: %v\n%s", err, out)
		}
	})
	if extErr != nil {
		t.Fatal(extErr)
	}
	return extDir
}

// PythonMinor is the minor version of the suite's Python (PythonExe), e.g. 12 for 3.12.
func PythonMinor(t testing.TB) int {
	t.Helper()
	out, err := exec.Command(PythonExe(), "-c", "import sys; print(sys.version_info[1])").Output()
	if err != nil {
		t.Fatalf("%s: %v", PythonExe(), err)
	}
	var minor int
	if _, err := fmt.Sscan(strings.TrimSpace(string(out)), &minor); err != nil {
		t.Fatalf("%s printed %q: %v", PythonExe(), out, err)
	}
	return minor
}
