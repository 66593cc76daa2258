// Package faults fails rtloader's C allocations one at a time and checks what every allocating
// operation does about it.
//
// The package's process installs a wrapper in front of _malloc before make3 (helpers.BeforeMake3,
// bindings.InstallFaultyMalloc), so the backend allocates through it too. A sweep runs one
// operation (a Python snippet calling a builtin, or a C API call) once counting its allocations
// (K), then K more times, failing allocation 1, 2, ..., K in turn. Every run must:
//   - end in the fault-free outcome or in one of the scenario's allowed failure outcomes (a clean
//     Python exception, or a 0/NULL return with an error from get_error);
//   - leave rtloader's allocation counters balanced (nothing leaked on the failure path);
//   - leave the process usable: the next, fault-free run gives the fault-free outcome again.
//
// Some failures are required: the spec's allocation-error texts ("could not allocate memory for
// tags", "unable to allocate memory, bailing out") must each come out of some run.
//
// Allocations made by the Go handlers for the strings they return (with rtloader's _malloc) are
// failed too: the handler then returns NULL, which is the "callback returned NULL" case.
package faults

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

func TestMain(m *testing.M) {
	helpers.BeforeMake3 = bindings.InstallFaultyMalloc
	os.Exit(helpers.Main(m, true))
}

// scenario is one operation to sweep.
type scenario struct {
	run func(t *testing.T) string // performs the operation once and returns its outcome
	// want is the fault-free outcome, a pattern where "*" stands for any text.
	want string
	// allowed lists the outcomes (patterns) a failed allocation may give instead.
	allowed []string
	// required lists outcomes (of allowed) that at least one failed allocation must give.
	required []string
}

// match reports whether s matches pattern, where each "*" in pattern stands for any text.
func match(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if match(p, s) {
			return true
		}
	}
	return false
}

func sweep(t *testing.T, sc scenario) {
	t.Helper()
	// One OS thread for the whole sweep: its thread state then exists before counting starts.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer helpers.CheckMemory(t)()

	if got := sc.run(t); !match(sc.want, got) { // warm-up: imports, thread state, caches
		t.Fatalf("fault-free outcome %q, want %q", got, sc.want)
	}
	bindings.FaultArm(0)
	got := sc.run(t)
	k, _ := bindings.FaultDisarm()
	if !match(sc.want, got) {
		t.Fatalf("fault-free outcome %q, want %q", got, sc.want)
	}
	if k == 0 {
		t.Fatal("the operation made no rtloader allocation: nothing to fail")
	}
	seen := map[string]bool{}
	for n := 1; n <= k; n++ {
		helpers.ResetMemoryStats()
		bindings.FaultArm(n)
		got := sc.run(t)
		_, hit := bindings.FaultDisarm()
		if !hit {
			t.Errorf("allocation %d of %d was never made: the operation's allocations are not deterministic", n, k)
		}
		if !match(sc.want, got) && !matchAny(sc.allowed, got) {
			t.Errorf("allocation %d of %d failed: outcome %q, want %q or one of %q", n, k, got, sc.want, sc.allowed)
		}
		seen[got] = true
		helpers.AssertMemoryBalanced(t)
		if again := sc.run(t); !match(sc.want, again) {
			t.Errorf("after allocation %d of %d failed, the next fault-free run gave %q, want %q", n, k, again, sc.want)
		}
	}
	for _, req := range sc.required {
		found := false
		for s := range seen {
			found = found || match(req, s)
		}
		if !found {
			t.Errorf("no failed allocation (of %d) gave %q; outcomes: %q", k, req, keys(seen))
		}
	}
	t.Logf("%d allocations, each failed once; outcomes: %q", k, keys(seen))
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// py is a scenario body: the snippet, which writes its result to out (helpers.RunPy writes
// "<ExceptionType>: <message>" instead when it raises).
func py(code string) func(t *testing.T) string {
	return func(t *testing.T) string { return helpers.RunPy(t, code) }
}

// capiError is the outcome of a failed C API call: its get_error message.
func capiError() string {
	if !helpers.Rt.HasError() {
		return "failed without an error"
	}
	return "error: " + helpers.Rt.Error()
}
