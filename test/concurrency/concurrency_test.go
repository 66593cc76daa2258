// Package concurrency hammers one interpreter from many OS threads at once (issue 7): checks
// running and submitting metrics on 8 goroutines, each locked to its own OS thread, while another
// goroutine cancels them mid-run. Every test has its own deadline (a deadlock fails the test with
// a goroutine dump instead of hanging CI), every result must arrive, and rtloader's allocations
// must balance.
package concurrency

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

const (
	workers        = 8
	runsPerWorker  = 1250 // 10,000 runs in total
	metricsPerRun  = 3    // METRICS_PER_RUN in test/testdata/python/hb_concurrency_check.py
	suiteDeadline  = 240 * time.Second
	blockedTimeout = 30 * time.Second
)

func TestMain(m *testing.M) {
	os.Exit(helpers.Main(m, true))
}

func rt() *bindings.Rtloader { return helpers.Rt }

// newCheck instantiates HbConcurrencyCheck with the given check_id. [GIL]
func newCheck(t *testing.T, checkID string) bindings.PyObject {
	chk, err := helpers.NewCheck(rt(), "hb_concurrency_check", "", "{}", checkID, "hb_concurrency")
	if err != nil {
		t.Error(err) // not Fatal: called from worker goroutines
	}
	return chk
}

// TestConcurrentRunsSubmitAndCancel: 8 locked goroutines run their own check 1250 times each
// (10,000 runs, 30,000 metrics) while a ninth goroutine cancels random checks mid-run. Every run
// must return a result (never NULL), every metric must reach the host with its own check id, the
// number of cancels the checks saw must equal the number sent, and memory must balance.
func TestConcurrentRunsSubmitAndCancel(t *testing.T) {
	var (
		mu      sync.Mutex
		metrics = map[string]int{}
		badTags int64
	)
	restore := bindings.UpdateHandlers(func(h *bindings.Handlers) {
		h.SubmitMetric = func(checkID string, mtype int, name string, value float64, tags []string, hostname string, flush bool) {
			if name != "hb.concurrency" || hostname != "hb-host" || len(tags) != 2 || !strings.HasPrefix(tags[0], "run:") {
				atomic.AddInt64(&badTags, 1)
			}
			mu.Lock()
			metrics[checkID]++
			mu.Unlock()
		}
	})
	defer restore()
	defer helpers.CheckMemory(t)()

	checks := make([]bindings.PyObject, workers)
	rt().WithGIL(func() {
		for i := range checks {
			checks[i] = newCheck(t, fmt.Sprintf("w%d", i))
		}
	})
	if t.Failed() {
		return
	}
	var (
		results     [workers]int64 // non-NULL results per worker
		nullResults int64
		cancelled   [workers]int64 // results reporting a cancel
		cancelsSent [workers]int64
	)
	helpers.WithDeadline(t, suiteDeadline, "concurrent check runs", func() {
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				// Locked for good: the thread exits with the goroutine, which also exercises
				// rtloader's reclaiming of an exiting thread's Python thread state.
				runtime.LockOSThread()
				for i := 0; i < runsPerWorker; i++ {
					var out string
					var ok bool
					rt().WithGIL(func() { out, ok = rt().RunCheck(checks[w]) })
					if !ok {
						atomic.AddInt64(&nullResults, 1)
						continue
					}
					atomic.AddInt64(&results[w], 1)
					if out != "" {
						atomic.AddInt64(&cancelled[w], 1)
					}
				}
			}(w)
		}
		var cwg sync.WaitGroup
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			runtime.LockOSThread()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				w := n % workers
				rt().WithGIL(func() { rt().CancelCheck(checks[w]) })
				atomic.AddInt64(&cancelsSent[w], 1)
				time.Sleep(200 * time.Microsecond)
			}
		}()
		wg.Wait()
		close(stop)
		cwg.Wait()
	})
	if t.Failed() {
		return
	}
	if nullResults != 0 {
		t.Errorf("%d runs returned NULL; error: %q", nullResults, rt().Error())
	}
	totalCancelled := int64(0)
	for w := 0; w < workers; w++ {
		if results[w] != runsPerWorker {
			t.Errorf("worker %d: %d results, want %d", w, results[w], runsPerWorker)
		}
		if got, want := metrics[fmt.Sprintf("w%d", w)], runsPerWorker*metricsPerRun; got != want {
			t.Errorf("worker %d: %d metrics reached the host, want %d", w, got, want)
		}
		totalCancelled += cancelled[w]
	}
	if badTags != 0 {
		t.Errorf("%d metrics arrived with the wrong name, host or tags", badTags)
	}
	// What the checks saw must match what was sent.
	for w := 0; w < workers; w++ {
		runs, got, cr := checkStats(t, checks[w])
		if runs != runsPerWorker {
			t.Errorf("worker %d: check counted %d runs, want %d", w, runs, runsPerWorker)
		}
		if int64(got) != cancelsSent[w] {
			t.Errorf("worker %d: check saw %d cancels, %d were sent", w, got, cancelsSent[w])
		}
		if int64(cr) != cancelled[w] {
			t.Errorf("worker %d: check counted %d cancelled runs, host saw %d", w, cr, cancelled[w])
		}
	}
	t.Logf("%d runs, %d metrics, %d cancels sent, %d runs cancelled mid-run",
		workers*runsPerWorker, workers*runsPerWorker*metricsPerRun, sum(cancelsSent[:]), totalCancelled)
	rt().WithGIL(func() {
		for _, c := range checks {
			rt().Decref(c)
		}
	})
	if rt().HasError() {
		t.Errorf("unexpected rtloader error: %q", rt().Error())
	}
}

func sum(a []int64) int64 {
	s := int64(0)
	for _, v := range a {
		s += v
	}
	return s
}

// checkStats reads the check's "stats" attribute: "<runs> <cancels> <cancelled_runs>".
func checkStats(t *testing.T, chk bindings.PyObject) (runs, cancels, cancelledRuns int) {
	t.Helper()
	var (
		s  string
		ok bool
	)
	rt().WithGIL(func() { s, ok = rt().GetAttrString(chk, "stats") })
	if !ok {
		t.Fatalf("could not read the check's stats: %s", rt().Error())
	}
	if _, err := fmt.Sscanf(s, "%d %d %d", &runs, &cancels, &cancelledRuns); err != nil {
		t.Fatalf("bad stats %q: %v", s, err)
	}
	return
}

// TestCancelUnblocksRunOnAnotherThread: run() blocks in Python until cancel_check, called from a
// different goroutine (another OS thread) 50 ms later, releases it. Both must return well within
// the deadline; the run must report success.
func TestCancelUnblocksRunOnAnotherThread(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var chk bindings.PyObject
	rt().WithGIL(func() { chk = newCheck(t, "block") })
	if chk == nil {
		return
	}
	for round := 0; round < 20; round++ {
		var out string
		var ok bool
		helpers.WithDeadline(t, blockedTimeout, "cancel of a blocked run", func() {
			done := make(chan struct{})
			go func() {
				defer close(done)
				rt().WithGIL(func() { out, ok = rt().RunCheck(chk) })
			}()
			time.Sleep(20 * time.Millisecond)
			rt().WithGIL(func() { rt().CancelCheck(chk) })
			<-done
		})
		if !ok || out != "" {
			t.Fatalf("round %d: run_check = %q, %v (error %q)", round, out, ok, rt().Error())
		}
	}
	rt().WithGIL(func() { rt().Decref(chk) })
}

// TestManyThreadsEnsureReleaseGIL: 8 goroutines, each on a fresh locked thread, take and release
// the GIL 2,000 times with nested ensure_gil calls and a Python statement in between; threads
// come and go (each goroutine's thread exits with it) to exercise thread-state reuse/reclaim.
func TestManyThreadsEnsureReleaseGIL(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var bad int64
	helpers.WithDeadline(t, suiteDeadline, "threads taking the GIL", func() {
		for generation := 0; generation < 4; generation++ {
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					runtime.LockOSThread() // the thread dies with the goroutine
					for i := 0; i < 500; i++ {
						s1 := rt().EnsureGIL()
						s2 := rt().EnsureGIL()
						if s1 != bindings.GILUnlocked || s2 != bindings.GILLocked {
							atomic.AddInt64(&bad, 1)
						}
						if !rt().RunSimpleString("x = [i for i in range(10)]") {
							atomic.AddInt64(&bad, 1)
						}
						rt().ReleaseGIL(s2)
						rt().ReleaseGIL(s1)
					}
				}()
			}
			wg.Wait()
		}
	})
	if bad != 0 {
		t.Errorf("%d unexpected gil states or failed statements", bad)
	}
}
