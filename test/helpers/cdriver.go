package helpers

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// CCompile builds the C source src (absolute, or relative to the test's package folder) into out
// with the system C compiler ($CC, default cc) and the extra flags.
func CCompile(t testing.TB, out, src string, flags ...string) {
	t.Helper()
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	srcPath, err := filepath.Abs(src)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-o", out, srcPath}, flags...)
	cmd := exec.Command(cc, args...)
	cmd.Env = environWithout("LD_PRELOAD") // the ASan suite preloads its runtime for the tests, not the compiler
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", cc, args, err, msg)
	}
}

// environWithout is this process's environment minus the variable name.
func environWithout(name string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, name+"=") {
			env = append(env, kv)
		}
	}
	return env
}

// CopyFile copies src (links followed) to dst, creating dst's folder, mode 0755.
func CopyFile(t testing.TB, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// RunLoaderDriver builds test/helpers/testdata/loader_driver.c (a minimal C host that dlopen()s
// the loader at `loader`, relative to cwd or absolute, and runs the commands listed at the top of
// that file), runs it in cwd with env added, and returns its output and exit status. Use it for
// what the Go test binary cannot do: open the loader by a relative path or from a copy in another
// folder, or call the API from a signal handler.
func RunLoaderDriver(t testing.TB, cwd string, env []string, loader string, cmds ...string) (string, int) {
	t.Helper()
	drv := filepath.Join(t.TempDir(), "loader_driver")
	CCompile(t, drv, filepath.Join(TestDir(), "helpers", "testdata", "loader_driver.c"), "-ldl")
	cmd := exec.Command(drv, append([]string{loader}, cmds...)...)
	cmd.Dir = cwd
	cmd.Env = append(os.Environ(), env...)
	if v, ok := os.LookupEnv("ASAN_OPTIONS"); ok {
		// Under the ASan suite: the driver exits with handles it never destroys on purpose;
		// leaks are the memory tracker's business, not LeakSanitizer's at the driver's exit.
		cmd.Env = append(cmd.Env, "ASAN_OPTIONS="+v+":detect_leaks=0")
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running the loader driver: %v", err)
	}
	return out.String(), code
}
