// Package helpers is the shared plumbing of rtloader's Go test packages: one interpreter per test
// process (TestMain), a Python snippet runner, memory-balance assertions and a child-process
// runner for tests that need a fresh process. It has no cgo of its own: the interpreter is opened
// with the public package (rtloader.Open), everything else C goes through rtloader/test/bindings.
//
// Environment (set by test/Makefile for each backend of the matrix):
//
//	RTLOADER_PYTHON_HOME  python_home for make3 ("" = default backend with its build-time home)
//	RTLOADER_PYTHON_EXE   python_exe for make3 (default: /usr/bin/python3 for the default backend,
//	                      <home>/bin/python3 otherwise)
//	RTLOADER_BUILD        the build directory holding backends.txt (default: ../../build)
//	RTLOADER_SUBINTERPRETERS  "1": Setup calls enable_subinterpreters before init (the matrix's
//	                      sub-interpreter pass on Python 3.12+, see matrix.sh)
package helpers

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"rtloader"
	"rtloader/test/bindings"
)

// Rt is the process's rtloader handle, made and initialised by Setup (nil before).
var Rt *bindings.Rtloader

// PythonHome returns the python_home the suite runs with ("" = default backend).
func PythonHome() string { return os.Getenv("RTLOADER_PYTHON_HOME") }

// PythonExe returns the python_exe the suite passes to make3.
func PythonExe() string {
	if exe, ok := os.LookupEnv("RTLOADER_PYTHON_EXE"); ok {
		return exe
	}
	if PythonHome() == "" {
		return "/usr/bin/python3"
	}
	return filepath.Join(PythonHome(), "bin", "python3")
}

// TestDir returns the absolute path of the test/ directory.
func TestDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("helpers: cannot locate source directory")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), ".."))
}

// FixturesDir returns the absolute path of test/testdata/python, the suite-wide Python fixtures
// (added to sys.path by Setup).
func FixturesDir() string { return filepath.Join(TestDir(), "testdata", "python") }

// CheckBaseDir returns the absolute path of the repository's python/ folder: the check base
// rtloader ships (datadog_checks, the package init imports AgentCheck from), which every test
// interpreter uses.
func CheckBaseDir() string { return filepath.Join(TestDir(), "..", "python") }

// PythonPaths returns what Setup adds to the Python path, in order: the suite's fixtures, then
// the shipped check base (last, as the runner adds it).
func PythonPaths() []string { return []string{FixturesDir(), CheckBaseDir()} }

// FixtureIntegrations is what get_integration_list returns in a test interpreter: the shipped
// base's get_datadog_wheels() lists the installed datadog-* distributions, and the fixtures hold
// three (test/testdata/python/datadog_{foo,bar,baz}-1.0.0.dist-info) plus datadog-checks-dev,
// which the list leaves out.
const FixtureIntegrations = `["bar", "baz", "foo"]`

// AddPythonPaths adds PythonPaths to r (a handle a test made itself, before its init).
func AddPythonPaths(t testing.TB, r *bindings.Rtloader) {
	t.Helper()
	for _, p := range PythonPaths() {
		if !r.AddPythonPath(p) {
			t.Fatalf("add_python_path(%s): %s", p, r.Error())
		}
	}
}

// BuildDir returns the build directory ($RTLOADER_BUILD, default <repo>/build).
func BuildDir() string {
	if b := os.Getenv("RTLOADER_BUILD"); b != "" {
		return b
	}
	return filepath.Join(TestDir(), "..", "build")
}

// Backend is one line of <build>/backends.txt.
type Backend struct {
	Name    string // "default" or "3.X"
	Version string // "3.X"
	Home    string
}

// Backends reads <build>/backends.txt (nil if it cannot be read).
func Backends() []Backend {
	f, err := os.Open(filepath.Join(BuildDir(), "backends.txt"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []Backend
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		out = append(out, Backend{Name: fields[0], Version: fields[1], Home: strings.Join(fields[2:], " ")})
	}
	return out
}

// DefaultBackendVersion is the Python version ("3.X") of the default backend listed in
// backends.txt, or "" when there is none.
func DefaultBackendVersion() string {
	for _, b := range Backends() {
		if b.Name == "default" {
			return b.Version
		}
	}
	return ""
}

// SubinterpretersMode reports whether the suite runs with sub-interpreters on
// (RTLOADER_SUBINTERPRETERS=1): Setup then enables them before init, so every check the tests
// make is built in a sub-interpreter of its own when it can be.
func SubinterpretersMode() bool { return os.Getenv("RTLOADER_SUBINTERPRETERS") == "1" }

// BeforeMake3, when a TestMain sets it, runs in Setup between enable_memory_tracker and make3
// (test/faults installs its fault-injecting allocator there).
var BeforeMake3 func()

// BeforeInit, when a TestMain sets it, runs in Setup just before init (test/subinterp enables
// sub-interpreters there).
var BeforeInit func(rt *bindings.Rtloader)

// Setup makes the process's interpreter the way a Go host does, through the public package
// (rtloader.Open): the memory tracker on, make3(home, exe), PythonPaths on the Python path,
// every callback registered, sub-interpreters on in
// the matrix's sub-interpreter pass (SubinterpretersMode), BeforeInit, init. The callbacks' Go handlers then start unset, so they behave
// as harmless defaults (cgo_free is rtloader's _free). It sets Rt to the raw handle Open made.
func Setup() error {
	if Rt != nil {
		return fmt.Errorf("helpers.Setup called twice")
	}
	bindings.SetBeforeMake3(BeforeMake3)
	defer bindings.SetBeforeMake3(nil)
	bindings.SetBeforeInit(BeforeInit)
	defer bindings.SetBeforeInit(nil)
	_, err := rtloader.Open(rtloader.Options{
		PythonHome:  PythonHome(),
		PythonExe:   PythonExe(),
		PythonPaths: PythonPaths(),
		TrackMemory: true,
		// The matrix's sub-interpreter pass (RTLOADER_SUBINTERPRETERS=1).
		Subinterpreters: SubinterpretersMode(),
	})
	var e *rtloader.Error
	switch {
	case errors.As(err, &e) && e.Op == "init":
		return fmt.Errorf("could not initialize rtloader: %s", e.Msg)
	case errors.As(err, &e):
		return fmt.Errorf("%s: %s", e.Op, e.Msg)
	case err != nil:
		return err
	}
	bindings.ResetHandlers()
	Rt = bindings.LastMade()
	return nil
}

// Main is a TestMain body: unless this process is a child started by RunChild, it runs Setup
// (when withInterpreter is true) and then the tests. Use it as
//
//	func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }
func Main(m *testing.M, withInterpreter bool) int {
	if withInterpreter && os.Getenv(childEnv) == "" {
		if err := Setup(); err != nil {
			fmt.Fprintln(os.Stderr, "rtloader test setup failed:", err)
			return 1
		}
	}
	code := m.Run()
	if os.Getenv("RTLOADER_LSAN") == "1" && bindings.LeakCheck() > 0 {
		fmt.Fprintln(os.Stderr, "LeakSanitizer reported leaks")
		if code == 0 {
			code = 1
		}
	}
	return code
}

// dropErrorStorage empties the handle's error channel (clear_error), so that an error a test
// leaves pending never reaches the next test. The stored message is not counted by the memory
// tracker (API.md section 12.5), so this plays no part in the counts: AssertMemoryBalanced reads
// the counters before dropping it, and so also checks that a pending message is not counted.
func dropErrorStorage() {
	if Rt != nil {
		Rt.ClearError()
	}
}

// ResetMemoryStats zeroes rtloader's allocation counters (call it at the start of a test). It
// first empties the handle's error channel (see dropErrorStorage).
func ResetMemoryStats() {
	dropErrorStorage()
	bindings.GetAndResetMemoryStats()
}

// AssertMemoryBalanced fails t unless every rtloader allocation since the last reset was freed
// (allocations == frees, allocated bytes == freed bytes, in-use delta 0), a pending error message
// included. It then empties the handle's error channel (a pending error is dropped: read it
// before).
func AssertMemoryBalanced(t testing.TB) {
	t.Helper()
	s := bindings.GetAndResetMemoryStats()
	dropErrorStorage()
	if s.Allocations != s.Frees || s.AllocatedBytes != s.FreedBytes || s.InuseBytes != 0 {
		t.Errorf("rtloader memory not balanced: %d allocations (%d bytes), %d frees (%d bytes), in-use delta %d bytes",
			s.Allocations, s.AllocatedBytes, s.Frees, s.FreedBytes, s.InuseBytes)
	}
}

// CheckMemory resets the counters now and asserts the balance when t ends:
//
//	defer helpers.CheckMemory(t)()
func CheckMemory(t testing.TB) func() {
	t.Helper()
	ResetMemoryStats()
	return func() {
		t.Helper()
		AssertMemoryBalanced(t)
	}
}
