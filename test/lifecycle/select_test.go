package lifecycle

// Selection hardening (API.md section 12.5; issue 11 items 5-7): the loader's folder, the
// version rule, refused homes, refused backends and the search after destroy. Tests that must
// open the loader in a way the Go test binary cannot (a relative path, a copy in another folder)
// drive it through testdata/loader_driver.c, compiled here with the system C compiler.

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"rtloader/test/helpers"
)

const loaderFile = "libdatadog-agent-rtloader.so"

// ccompile builds testdata/<src> into out with the system C compiler and extra flags.
func ccompile(t *testing.T, out, src string, flags ...string) {
	t.Helper()
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	srcPath, err := filepath.Abs(filepath.Join("testdata", src))
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-o", out, srcPath}, flags...)
	if msg, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", cc, args, err, msg)
	}
}

// copyFile copies src (links followed) to dst.
func copyFile(t *testing.T, src, dst string) {
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

// driverRun runs the loader driver (built into t's temp dir) in cwd with env added, loading the
// loader at `loader` (relative to cwd or absolute), and returns its output and exit status.
func driverRun(t *testing.T, cwd string, env []string, loader string, cmds ...string) (string, int) {
	t.Helper()
	drv := filepath.Join(t.TempDir(), "loader_driver")
	ccompile(t, drv, "loader_driver.c", "-ldl")
	cmd := exec.Command(drv, append([]string{loader}, cmds...)...)
	cmd.Dir = cwd
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running the driver: %v", err)
	}
	return out.String(), code
}

// matrixHomeExe is the (python_home, python_exe) of the backend this run of the matrix tests.
func matrixHomeExe() (string, string) {
	exe := helpers.PythonExe()
	if exe == "" {
		exe = "-"
	}
	return helpers.PythonHome(), exe
}

// The loader's folder is resolved once, when it is loaded: opened through a relative path, a later
// chdir must not make make3 load a library from another folder (API.md section 12.5).
func TestRelativeLoaderFolderSurvivesChdir(t *testing.T) {
	tmp := t.TempDir()
	copyFile(t, filepath.Join(helpers.BuildDir(), loaderFile), filepath.Join(tmp, "lib", loaderFile))
	// Plant a library under every backend name in <elsewhere>/lib: the folder the relative "lib"
	// names once the driver has moved to <elsewhere>.
	plant := filepath.Join(tmp, "planted.so")
	ccompile(t, plant, "planted_backend.c", "-shared", "-fPIC")
	names := []string{"libdatadog-agent-three.so"}
	for _, b := range helpers.Backends() {
		names = append(names, "libdatadog-agent-three-"+b.Version+".so")
	}
	for _, n := range names {
		copyFile(t, plant, filepath.Join(tmp, "elsewhere", "lib", n))
	}
	marker := filepath.Join(tmp, "planted-ran")
	home, exe := matrixHomeExe()
	out, code := driverRun(t, tmp, []string{"LD_LIBRARY_PATH=" + helpers.BuildDir(), "RTLOADER_PLANT_MARKER=" + marker},
		"lib/"+loaderFile, "cd", filepath.Join(tmp, "elsewhere"), "make3", home, exe, "maps", "/elsewhere/")
	if _, err := os.Stat(marker); err == nil || code == 97 {
		t.Fatalf("make3 loaded the planted library from the new working directory (exit %d):\n%s", code, out)
	}
	if code != 0 || !strings.Contains(out, "make3 ok\n") || !strings.Contains(out, "maps /elsewhere/: 0\n") {
		t.Errorf("driver (exit %d):\n%s", code, out)
	}
}
