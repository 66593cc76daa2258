package rtloader

// programs_test.go: the Go programs the repository shows run, as shown: the README's program
// (taken from README.md itself) and examples/go-host. Each is built with the go command and run
// from the repository root, in a process of its own.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// buildProgram builds the main package in dir into a temporary binary.
func buildProgram(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "prog")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in %s: %v\n%s", dir, err, out)
	}
	return bin
}

// runProgram runs bin with args from the repository root and returns its stdout.
func runProgram(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = repoDir()
	cmd.Env = append(os.Environ(), childEnv+"=program")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %q: %v\nstdout:\n%s\nstderr:\n%s", bin, args, err, out, stderr.String())
	}
	return string(out)
}

// readmeProgram returns the Go program of README.md's section "Using it from Go".
func readmeProgram(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join(repoDir(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Using it from Go\n")
	if ok {
		_, sec, ok = strings.Cut(sec, "\n```go\n")
	}
	prog, _, ok2 := strings.Cut(sec, "\n```\n")
	if !ok || !ok2 {
		t.Fatal("README.md has no ```go block under '## Using it from Go'")
	}
	return prog + "\n"
}

func TestReadmeProgram(t *testing.T) {
	prog := readmeProgram(t)
	if n := strings.Count(prog, "\n"); n > 40 {
		t.Errorf("the README program has %d lines; it is meant to be short", n)
	}
	dir := t.TempDir()
	gomod := "module readme\n\ngo 1.19\n\nrequire rtloader v0.0.0\n\nreplace rtloader => " + filepath.Join(repoDir(), "go") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runProgram(t, buildProgram(t, dir))
	for _, re := range []string{
		`(?m)^gauge\s+proc_stats\.load\.1 = [0-9.e+]+ \[env:example\]$`,
		`(?m)^gauge\s+proc_stats\.mem\.total = [0-9.e+]+ \[env:example\]$`,
		`(?m)^monotonic_count proc_stats\.context_switches = [0-9.e+]+ \[env:example\]$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("the README program's output has no line matching %s:\n%s", re, out)
		}
	}
}

func TestGoHostRunsTheExampleChecks(t *testing.T) {
	bin := buildProgram(t, filepath.Join(repoDir(), "examples", "go-host"))
	args := []string{"-repo", "."}
	if home := os.Getenv("RTLOADER_PYTHON_HOME"); home != "" {
		args = append(args, "-python-home", home, "-python-exe", os.Getenv("RTLOADER_PYTHON_EXE"))
	}
	out := runProgram(t, bin, args...)
	for _, re := range []string{
		`(?m)^=== dir_size instance #1 \(dir_size:[0-9a-f]{16}\): OK$`,
		`(?m)^  metric +gauge +dir_size\.files = [0-9.e+]+  tags: \[path:/etc env:example\]$`,
		`(?m)^  metric +gauge +dir_size\.disk_usage_bytes = [0-9.e+]+  tags: \[path:/etc env:example\]$`,
		`(?m)^=== proc_stats instance #1 \(proc_stats:[0-9a-f]{16}\): OK$`,
		`(?m)^  service check proc_stats\.can_read_proc: OK ""  tags: \[env:example source:rtloader-check\]$`,
		`(?m)^  metadata +kernel = \S+$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("go-host's output has no line matching %s:\n%s", re, out)
		}
	}
}
