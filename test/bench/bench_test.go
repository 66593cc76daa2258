//go:build rtloader_bench

// Package bench holds rtloader's Go-host benchmarks (figure 8 of bench/README.md): what a Go host
// pays per call through cgo, with rtloader/test/bindings doing what the Agent's rtloader package
// does (LockOSThread + ensure_gil/release_gil around every call, C strings copied into Go).
//
// The package only builds with -tags rtloader_bench, so the normal `go test ./...` of the matrix
// neither compiles nor runs it. bench/run.sh runs it as
//
//	go test -tags rtloader_bench -run '^$' -bench . -benchtime 300ms -count 5 ./bench/
//
// and reports the median and spread of each benchmark's ns/op over the -count runs.
//
// Figures:
//
//	RunCheck                   Go -> C -> Python: EnsureGIL, run_check of a no-op check, copy
//	                           of the result string + rtloader_free, ReleaseGIL.
//	EnsureReleaseGIL           EnsureGIL + ReleaseGIL alone (two cgo calls, LockOSThread).
//	SubmitMetricCallback3Tags  Python -> C -> Go: aggregator.submit_metric from a Python loop
//	                           (3 tags) into a no-op Go handler; the bindings convert every
//	                           argument into Go strings first, as the Agent's callback does.
//	SubmitMetricNoHandler3Tags The same without a Go handler: the C -> Go crossing and the
//	                           bindings' dispatch only, no string conversion.
//	PythonFloor3Tags           The same Python loop calling sys.audit (no hook: returns at once),
//	                           the floor of bench/README.md figure 1, in this process.
package bench

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }

// The loops live in one function each so their locals are fast locals (as in bench/python/rtl_bench.py).
const loops = `
import sys, aggregator
_RTL_TAGS3 = ["env:bench", "role:database", "availability-zone:us-east-1a"]
def _rtl_bench_metric(n):
    f, chk, cid, mt, name, v, tags, host = aggregator.submit_metric, None, "noop:bench:0123456789abcdef", 0, "bench.metric", 1.5, _RTL_TAGS3, "bench-host.example.com"
    for _ in range(n):
        f(chk, cid, mt, name, v, tags, host, False)
def _rtl_bench_floor(n):
    f, chk, cid, mt, name, v, tags, host = sys.audit, "rtl_bench.floor", "noop:bench:0123456789abcdef", 0, "bench.metric", 1.5, _RTL_TAGS3, "bench-host.example.com"
    for _ in range(n):
        f(chk, cid, mt, name, v, tags, host, False)
`

var (
	setupOnce sync.Once
	setupErr  error
	noopCheck bindings.PyObject
)

func setup(b *testing.B) {
	b.Helper()
	helpers.AddLocalFixtures(b) // testdata/python: bench_noop_check
	setupOnce.Do(func() {
		helpers.Rt.WithGIL(func() {
			if !helpers.Rt.RunSimpleString(loops) {
				setupErr = fmt.Errorf("defining the benchmark loops failed")
				return
			}
			// bench_noop_check.BenchNoopCheck: a leaf subclass of the shipped AgentCheck whose
			// run() returns "" and does nothing else.
			_, class, ok := helpers.Rt.GetClass("bench_noop_check")
			if !ok {
				setupErr = fmt.Errorf("get_class(bench_noop_check): %s", helpers.Rt.Error())
				return
			}
			c, ok := helpers.Rt.GetCheck(class, "{}", `{"host": "db.example.com", "port": 5432, "tags": ["a", "b"]}`,
				"noop:bench:0123456789abcdef", "noop", "file")
			if !ok {
				setupErr = fmt.Errorf("get_check: %s", helpers.Rt.Error())
				return
			}
			noopCheck = c
		})
	})
	if setupErr != nil {
		b.Fatal(setupErr)
	}
}

func BenchmarkRunCheck(b *testing.B) {
	setup(b)
	r := helpers.Rt
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := r.EnsureGIL()
		if _, ok := r.RunCheck(noopCheck); !ok {
			r.ReleaseGIL(st)
			b.Fatalf("run_check: %s", r.Error())
		}
		r.ReleaseGIL(st)
	}
}

func BenchmarkEnsureReleaseGIL(b *testing.B) {
	setup(b)
	r := helpers.Rt
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.ReleaseGIL(r.EnsureGIL())
	}
}

// runLoop runs fn(b.N) in one run_simple_string, GIL held.
func runLoop(b *testing.B, fn string) {
	code := fmt.Sprintf("%s(%d)\n", fn, b.N)
	var ok bool
	b.ResetTimer()
	helpers.Rt.WithGIL(func() { ok = helpers.Rt.RunSimpleString(code) })
	b.StopTimer()
	if !ok {
		b.Fatalf("%s failed (traceback on stderr)", fn)
	}
}

func BenchmarkSubmitMetricCallback3Tags(b *testing.B) {
	setup(b)
	calls := 0
	restore := bindings.UpdateHandlers(func(h *bindings.Handlers) {
		h.SubmitMetric = func(checkID string, mtype int, name string, value float64, tags []string, hostname string, flush bool) {
			calls++
		}
	})
	defer restore()
	runLoop(b, "_rtl_bench_metric")
	if calls != b.N {
		b.Fatalf("the Go handler ran %d times, want %d", calls, b.N)
	}
}

func BenchmarkSubmitMetricNoHandler3Tags(b *testing.B) {
	setup(b)
	restore := bindings.UpdateHandlers(func(h *bindings.Handlers) { h.SubmitMetric = nil })
	defer restore()
	runLoop(b, "_rtl_bench_metric")
}

func BenchmarkPythonFloor3Tags(b *testing.B) {
	setup(b)
	runLoop(b, "_rtl_bench_floor")
}
