package helpers

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

const childEnv = "RTLOADER_TEST_CHILD"

// InChild reports whether this process is the child started by RunChild for test t. A test that
// needs a fresh process is written as:
//
//	func TestX(t *testing.T) {
//	    if helpers.InChild(t) {
//	        ... the real test, using t as usual (failures make the child exit non-zero) ...
//	        return
//	    }
//	    helpers.RunChild(t).ExpectPass(t)
//	}
func InChild(t testing.TB) bool { return os.Getenv(childEnv) == t.Name() }

// IsChildProcess reports whether this process was started by RunChild (for any test).
func IsChildProcess() bool { return os.Getenv(childEnv) != "" }

// ChildResult is what a child process produced.
type ChildResult struct {
	Stdout, Stderr string
	ExitCode       int // -1 if it was killed by a signal or timed out
	TimedOut       bool
}

// Output returns stdout and stderr together.
func (r ChildResult) Output() string { return r.Stdout + r.Stderr }

// RunChild re-executes the test binary running only t (with -test.run=^<name>$), with the
// environment variable that makes InChild true plus extraEnv ("K=V"), and waits (at most 60 s).
func RunChild(t testing.TB, extraEnv ...string) ChildResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run="+strings.Join(parts, "/"), "-test.v", "-test.count=1")
	cmd.Env = append(append(os.Environ(), childEnv+"="+t.Name()), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := ChildResult{Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		res.TimedOut = true
		res.ExitCode = -1
	case err == nil:
		res.ExitCode = 0
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
	default:
		t.Fatalf("could not run child process: %v", err)
	}
	return res
}

// ExpectPass fails t unless the child exited 0 having passed its test.
func (r ChildResult) ExpectPass(t testing.TB) {
	t.Helper()
	if r.TimedOut || r.ExitCode != 0 || !bytes.Contains([]byte(r.Stdout), []byte("--- PASS")) {
		t.Errorf("child process failed (exit %d, timed out %v):\n%s", r.ExitCode, r.TimedOut, r.Output())
	}
}
