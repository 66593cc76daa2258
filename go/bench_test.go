package rtloader

// bench_test.go: what the package adds over the raw cgo layer (internal/capi), per operation.
//
//	go test -run '^$' -bench . -benchtime 300ms -count 5 .   (CGO_LDFLAGS pointing at the build)
//
//	Run                    Check.Run of a no-op check: run_check + get_checks_warnings, the
//	                       GIL taken and released on a locked thread, ctx checked.
//	RunRaw                 the same two C calls through capi (EnsureGIL, RunCheck,
//	                       GetChecksWarnings, ReleaseGIL), as test/bindings does them.
//	SubmitMetric3Tags      aggregator.submit_metric from a Python loop (3 tags) reaching a Go
//	                       Aggregator (Host.SubmitMetric) through the package's dispatch.
//	SubmitMetric3TagsRaw   the same loop reaching a capi handler function directly.

import (
	"context"
	"fmt"
	"testing"

	"rtloader/internal/capi"
)

func benchNoop(b *testing.B, rt *Runtime) *Check {
	c, err := rt.LoadCheck("go_noop", nil, map[string]any{"host": "db.example.com", "port": 5432, "tags": []string{"a", "b"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

func BenchmarkRun(b *testing.B) {
	rt := shared(b, NopHost{})
	c := benchNoop(b, rt)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Run(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRunRaw(b *testing.B) {
	rt := shared(b, NopHost{})
	c := benchNoop(b, rt)
	r, obj := rt.rt, c.obj
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := r.EnsureGIL()
		if _, ok := r.RunCheck(obj); !ok {
			b.Fatal(r.Error())
		}
		r.GetChecksWarnings(obj)
		r.ReleaseGIL(st)
	}
}

type countingAggregator struct {
	NopHost
	calls *int
}

func (h countingAggregator) SubmitMetric(string, MetricType, string, float64, []string, string, bool) {
	*h.calls++
}

// submitLoop runs go_noop.submit_loop(b.N) (b.N submit_metric calls with 3 tags) under the GIL.
func submitLoop(b *testing.B, rt *Runtime) {
	code := fmt.Sprintf("import go_noop\ngo_noop.submit_loop(%d)\n", b.N)
	var ok bool
	b.ResetTimer()
	_ = rt.withGIL(func(r *capi.Rtloader) error { ok = r.RunSimpleString(code); return nil })
	b.StopTimer()
	if !ok {
		b.Fatal("submit_loop failed (traceback on stderr)")
	}
}

func BenchmarkSubmitMetric3Tags(b *testing.B) {
	calls := 0
	rt := shared(b, countingAggregator{calls: &calls})
	submitLoop(b, rt)
	if calls != b.N {
		b.Fatalf("the Aggregator got %d metrics, want %d", calls, b.N)
	}
}

func BenchmarkSubmitMetric3TagsRaw(b *testing.B) {
	rt := shared(b, NopHost{})
	calls := 0
	capi.SetHandlers(capi.Handlers{SubmitMetric: func(string, int, string, float64, []string, string, bool) { calls++ }})
	submitLoop(b, rt)
	if calls != b.N {
		b.Fatalf("the handler got %d metrics, want %d", calls, b.N)
	}
}
