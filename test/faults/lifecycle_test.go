package faults

import (
	"os"
	"regexp"
	"runtime"
	"strconv"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

const faultEnv = "RTLOADER_FAULT_AT"

var seenLine = regexp.MustCompile(`faults: (\d+) allocations`)

// The Agent's start-up, make3 + add_python_path + callbacks + init, with each of its rtloader
// allocations failed in turn, each in a fresh process (init runs once per process). Every run
// must either come up working or fail with 0/NULL and an error, and in both cases leave the
// counters balanced after destroy; a failed init must not leave the GIL held.
func TestFaultsMake3AndInit(t *testing.T) {
	if helpers.InChild(t) {
		startUp(t)
		return
	}
	res := helpers.RunChild(t, faultEnv+"=0")
	res.ExpectPass(t)
	m := seenLine.FindStringSubmatch(res.Stdout)
	if m == nil {
		t.Fatalf("the counting run reported no allocation count:\n%s", res.Output())
	}
	k, _ := strconv.Atoi(m[1])
	if k == 0 {
		t.Fatal("start-up made no rtloader allocation: nothing to fail")
	}
	for n := 1; n <= k; n++ {
		if res := helpers.RunChild(t, faultEnv+"="+strconv.Itoa(n)); res.TimedOut || res.ExitCode != 0 {
			t.Errorf("failing allocation %d of %d:", n, k)
			res.ExpectPass(t)
		}
	}
	t.Logf("start-up makes %d allocations; each failed once, in its own process", k)
}

// startUp is the child's side of TestFaultsMake3AndInit.
func startUp(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv(faultEnv))
	if err != nil {
		t.Fatalf("%s: %v", faultEnv, err)
	}
	runtime.LockOSThread() // init and the GIL checks below run on one thread
	defer runtime.UnlockOSThread()
	bindings.EnableMemoryTracker()
	bindings.InstallFaultyMalloc()
	helpers.ResetMemoryStats()
	bindings.FaultArm(n)
	disarm := func() {
		seen, hit := bindings.FaultDisarm()
		if n == 0 {
			t.Logf("faults: %d allocations", seen)
		} else if !hit {
			t.Errorf("allocation %d was never made (%d seen): start-up is not deterministic", n, seen)
		}
	}

	r, err := bindings.Make3(helpers.PythonHome(), helpers.PythonExe())
	if err != nil {
		disarm()
		if err.Error() == "" {
			t.Error("make3 failed with an empty error")
		}
		t.Logf("make3 failed: %v", err)
		helpers.AssertMemoryBalanced(t)
		return
	}
	pathOK := true
	for _, p := range helpers.PythonPaths() {
		if !r.AddPythonPath(p) {
			pathOK = false
			if !r.HasError() {
				t.Error("add_python_path failed without an error")
			}
		}
	}
	r.RegisterAllCallbacks()
	ok := r.Init()
	disarm()
	if ok {
		if !pathOK {
			t.Error("init succeeded although a path was not recorded")
		}
		r.WithGIL(func() {
			if !r.RunSimpleString("import datadog_checks, aggregator") {
				t.Error("the interpreter does not work after init")
			}
		})
	} else {
		msg := r.Error()
		if msg == "" {
			t.Error("init failed with an empty error")
		}
		t.Logf("init failed: %.200s", msg)
		if st := r.EnsureGIL(); st != bindings.GILUnlocked {
			t.Errorf("ensure_gil after a failed init = %d, want GIL_UNLOCKED", st)
		}
		if got := r.Error(); got != "rtloader is not initialized" {
			t.Errorf("after a failed init, ensure_gil's error is %q", got)
		}
	}
	r.Destroy() // keeps the GIL when init succeeded: nothing Python may follow on this thread
	helpers.AssertMemoryBalanced(t)
}
