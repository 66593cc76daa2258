package subinterp

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// TestManyThreadsRunCancelAndDecrefIsolatedChecks: 8 host threads at once each create isolated
// checks, run them, read their warnings and diagnoses, cancel and decref them; meanwhile a
// spinning check runs on another thread and is cancelled mid-run, and a check is decref'd by one
// thread while another thread is running it (the interpreter ends when that run is over). Every
// metric arrives with its own check id, nothing deadlocks, memory balances.
func TestManyThreadsRunCancelAndDecrefIsolatedChecks(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	const workers, checksPerWorker, runsPerCheck = 8, 3, 20
	var (
		mu      sync.Mutex
		metrics = map[string]int{}
	)
	t.Cleanup(bindings.UpdateHandlers(func(h *bindings.Handlers) {
		h.SubmitMetric = func(id string, mt int, name string, v float64, tags []string, host string, f bool) {
			mu.Lock()
			metrics[id]++
			mu.Unlock()
		}
	}))
	defer helpers.CheckMemory(t)()
	helpers.WithDeadline(t, 120*time.Second, "8 threads on isolated checks", func() {
		var wg sync.WaitGroup
		var failures int64
		// A spinning check, cancelled mid-run from another thread.
		var spin bindings.PyObject
		rt().WithGIL(func() { spin = newWorker(t, "spin", "si:spin") })
		spinDone := make(chan struct{})
		go func() {
			defer close(spinDone)
			rt().WithGIL(func() { rt().RunCheck(spin) })
		}()
		// A check decref'd while another thread runs it: the run holds it until it returns.
		var shared bindings.PyObject
		rt().WithGIL(func() { shared = newWorker(t, "spin", "si:shared") })
		sharedRunning := make(chan struct{})
		sharedDone := make(chan string, 1)
		go func() {
			st := rt().EnsureGIL()
			close(sharedRunning)
			out, ok := rt().RunCheck(shared)
			rt().ReleaseGIL(st)
			if !ok {
				out = "<NULL>"
			}
			sharedDone <- out
		}()
		<-sharedRunning
		time.Sleep(50 * time.Millisecond)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				for c := 0; c < checksPerWorker; c++ {
					id := fmt.Sprintf("si:w%d:c%d", w, c)
					var chk bindings.PyObject
					rt().WithGIL(func() { chk = newWorker(t, "plain", id) })
					if chk == nil {
						atomic.AddInt64(&failures, 1)
						return
					}
					for r := 0; r < runsPerCheck; r++ {
						rt().WithGIL(func() {
							if out, ok := rt().RunCheck(chk); !ok || out != "" {
								atomic.AddInt64(&failures, 1)
							}
						})
					}
					rt().WithGIL(func() {
						if ws := rt().GetChecksWarnings(chk); len(ws) != 1 || ws[0] != fmt.Sprintf("runs=%d", runsPerCheck) {
							atomic.AddInt64(&failures, 1)
						}
						if d, ok := rt().GetCheckDiagnoses(chk); !ok || d != "[]" {
							atomic.AddInt64(&failures, 1)
						}
						rt().CancelCheck(chk)
						rt().Decref(chk)
					})
				}
			}(w)
		}
		rt().WithGIL(func() {
			rt().CancelCheck(spin)
			rt().Decref(shared) // while it runs on another thread
		})
		wg.Wait()
		<-spinDone
		if out := <-sharedDone; out != "" {
			t.Errorf("the run of a check decref'd meanwhile returned %q", out)
		}
		rt().WithGIL(func() { rt().Decref(spin) })
		if failures > 0 {
			t.Errorf("%d calls failed on worker threads (%s)", failures, rt().Error())
		}
	})
	mu.Lock()
	defer mu.Unlock()
	for w := 0; w < workers; w++ {
		for c := 0; c < checksPerWorker; c++ {
			if id := fmt.Sprintf("si:w%d:c%d", w, c); metrics[id] != runsPerCheck {
				t.Errorf("%s: %d metrics, want %d", id, metrics[id], runsPerCheck)
			}
		}
	}
}

// TestDestroyWithIsolatedChecksAlive: destroy, with isolated checks alive and one of them running
// on another thread, returns promptly and the process exits normally (in a child process).
func TestDestroyWithIsolatedChecksAlive(t *testing.T) {
	requireSubinterpreters(t)
	if !helpers.InChild(t) {
		helpers.RunChild(t).ExpectPass(t)
		return
	}
	childSetup(t)
	var checks []bindings.PyObject
	rt().WithGIL(func() {
		for i := 0; i < 3; i++ {
			checks = append(checks, newWorker(t, "plain", fmt.Sprintf("si:alive%d", i)))
		}
		checks = append(checks, newWorker(t, "spin", "si:alive-spin"))
	})
	running := make(chan struct{})
	go func() {
		st := rt().EnsureGIL()
		close(running)
		rt().RunCheck(checks[3])
		rt().ReleaseGIL(st)
	}()
	<-running
	helpers.WithDeadline(t, 20*time.Second, "destroy with isolated checks alive", func() { rt().Destroy() })
}

// TestDestroyAfterAFallback: destroy, once a sub-interpreter was made and a fallback logged (the
// handle then holds the set of classes it logged, which destroy releases), returns normally. In a
// child: destroy keeps the GIL.
func TestDestroyAfterAFallback(t *testing.T) {
	requireSubinterpreters(t)
	if !helpers.InChild(t) {
		helpers.RunChild(t).ExpectPass(t)
		return
	}
	childSetup(t)
	buildSinglePhaseExtension(t)
	rt().WithGIL(func() {
		chk, err := helpers.NewCheck(rt(), "si_fallback", "", "{}", "si:destroy-fallback", "si_fallback")
		if err != nil {
			t.Fatal(err)
		}
		if rt().CheckIsIsolated(chk) != 0 {
			t.Fatal("the check did not fall back")
		}
		rt().Decref(chk)
	})
	helpers.WithDeadline(t, 20*time.Second, "destroy", func() { rt().Destroy() })
}
