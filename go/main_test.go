package rtloader

// main_test.go: how this package's tests run. CPython can be initialised once per process, so:
//   - the tests (and benchmarks) share one Runtime, opened on first use by shared(), whose host
//     is a switchHost that each test points at its own recorder;
//   - every Example opens rtloader itself, as a program would, so each runs in a child process
//     of its own (the parent lists them with -test.list, runs the tests, then re-executes itself
//     once per example and relays the child's output and result);
//   - a test that needs a process of its own (Close, Open options) uses ownProcess.
//
// Environment: RTLOADER_PYTHON_HOME / RTLOADER_PYTHON_EXE select the backend (test/matrix.sh
// sets them; default: the default backend with /usr/bin/python3); RTLOADER_SUBINTERPRETERS=1
// opens the runtime with Options.Subinterpreters.

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"rtloader/internal/capi"
)

const childEnv = "RTLOADER_GO_CHILD"

func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv(childEnv) != "" {
		os.Exit(m.Run())
	}
	runFlag := flag.Lookup("test.run")
	pattern := runFlag.Value.String()
	if pattern == "" {
		pattern = "."
	}
	tests, examples, err := listTests(pattern)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listing the tests:", err)
		os.Exit(1)
	}
	only := "^$"
	if len(tests) > 0 {
		only = "^(" + strings.Join(tests, "|") + ")$"
	}
	_ = runFlag.Value.Set(only)
	code := m.Run()
	verbose := flag.Lookup("test.v").Value.String() != "false"
	for _, ex := range examples {
		if !runExample(ex, verbose) {
			code = 1
		}
	}
	os.Exit(code)
}

// listTests returns the tests and the examples of this binary matching pattern.
func listTests(pattern string) (tests, examples []string, err error) {
	cmd := exec.Command(os.Args[0], "-test.list", pattern)
	cmd.Env = append(os.Environ(), childEnv+"=list")
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		switch name := strings.TrimSpace(sc.Text()); {
		case strings.HasPrefix(name, "Example"):
			examples = append(examples, name)
		case strings.HasPrefix(name, "Test"):
			tests = append(tests, name)
		}
	}
	return tests, examples, nil
}

// runExample runs one example in a child process and relays its report (the child's own
// "PASS"/"ok" trailer is dropped, so the binary reports once).
func runExample(name string, verbose bool) bool {
	out, err := childCommand(name).CombinedOutput()
	if err == nil && !verbose {
		return true
	}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "PASS" || line == "FAIL" || strings.HasPrefix(line, "exit status") {
			continue
		}
		fmt.Println(line)
	}
	return err == nil
}

// childCommand re-executes this test binary running only the test or example name, verbose.
func childCommand(name string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(name)+"$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+name)
	return cmd
}

// ownProcess runs test t in a process of its own: in the parent it runs t alone in a child
// process, fails t if the child fails, and returns false; in that child it returns true, and
// the test goes on:  if !ownProcess(t) { return }
func ownProcess(t *testing.T) bool {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() {
		return true
	}
	out, err := childCommand(t.Name()).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS")) {
		t.Fatalf("child process failed (%v):\n%s", err, out)
	}
	return false
}

// repoDir is the repository root (go/ is one of its folders).
func repoDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// testOptions opens the backend the environment names, with the check base and the fixtures.
func testOptions(h Host) Options {
	exe := os.Getenv("RTLOADER_PYTHON_EXE")
	if exe == "" && os.Getenv("RTLOADER_PYTHON_HOME") == "" {
		exe = "/usr/bin/python3"
	}
	return Options{
		PythonHome:  os.Getenv("RTLOADER_PYTHON_HOME"),
		PythonExe:   exe,
		PythonPaths: []string{filepath.Join(repoDir(), "python"), filepath.Join(repoDir(), "go", "testdata", "python")},
		Host:        h,
		TrackMemory: true,
		// The matrix's sub-interpreter pass (Python 3.12+) sets RTLOADER_SUBINTERPRETERS=1.
		Subinterpreters: os.Getenv("RTLOADER_SUBINTERPRETERS") == "1",
	}
}

var (
	sharedOnce sync.Once
	sharedRt   *Runtime
	sharedErr  error
)

// shared returns the process's Runtime with h as its host until the test ends (the host's
// handlers are swapped in the cgo layer, as Open installs them).
func shared(tb testing.TB, h Host) *Runtime {
	tb.Helper()
	sharedOnce.Do(func() { sharedRt, sharedErr = Open(testOptions(nil)) })
	if sharedErr != nil {
		tb.Fatalf("Open: %v", sharedErr)
	}
	capi.SetHandlers(handlersFor(h))
	tb.Cleanup(func() { capi.SetHandlers(handlersFor(NopHost{})) })
	return sharedRt
}

// checkMemory resets rtloader's counters and, when the test ends, fails it unless every
// allocation since was freed.
func checkMemory(t *testing.T, rt *Runtime) {
	t.Helper()
	rt.MemoryStats()
	t.Cleanup(func() {
		s := rt.MemoryStats()
		if s.Allocations != s.Frees || s.AllocatedBytes != s.FreedBytes || s.InuseBytes != 0 {
			t.Errorf("rtloader memory not balanced: %+v", s)
		}
	})
}
