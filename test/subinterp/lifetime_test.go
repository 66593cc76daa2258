package subinterp

import (
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// newWorker makes a si_worker check with the given name (its behaviour) and check_id. [GIL]
func newWorker(t *testing.T, name, checkID string) bindings.PyObject {
	t.Helper()
	chk, err := helpers.NewCheck(rt(), "si_worker", "", "{}", checkID, name)
	if err != nil {
		t.Error(err)
		return nil
	}
	if got := rt().CheckIsIsolated(chk); got != 1 {
		t.Errorf("%s: check_is_isolated = %d, want 1", checkID, got)
	}
	return chk
}

// metricWaiter counts submit_metric calls by name.
type metricWaiter struct {
	mu     sync.Mutex
	counts map[string]int
}

func watchMetrics(t *testing.T) *metricWaiter {
	w := &metricWaiter{counts: map[string]int{}}
	t.Cleanup(bindings.UpdateHandlers(func(h *bindings.Handlers) {
		h.SubmitMetric = func(id string, mt int, name string, v float64, tags []string, host string, f bool) {
			w.mu.Lock()
			w.counts[name]++
			w.mu.Unlock()
		}
	}))
	return w
}

func (w *metricWaiter) count(name string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.counts[name]
}

// memAcc adds up rtloader's counter deltas from a reset on, so that the in-use balance can be
// polled (get_and_reset_memory_stats resets them at every read).
type memAcc struct{ inuse, allocs int64 }

func newMemAcc() *memAcc {
	helpers.ResetMemoryStats()
	return &memAcc{}
}

// inUse returns the bytes allocated and not yet freed since newMemAcc.
func (m *memAcc) inUse() int64 {
	s := bindings.GetAndResetMemoryStats()
	m.inuse += s.InuseBytes
	m.allocs += int64(s.Allocations)
	return m.inuse
}

// TestRunCheckReleasesTheMainGIL: while an isolated check is inside run_check (blocked in a
// host callback with its own GIL held), another host thread takes the main GIL and runs Python.
// The same scenario with the check kept in the main interpreter (blocklist) cannot: the other
// thread waits for the main GIL until the callback returns.
func TestRunCheckReleasesTheMainGIL(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	defer helpers.CheckMemory(t)()
	defer rt().SetSubinterpreterBlocklist(bindings.NULL)
	for _, isolated := range []bool{true, false} {
		entered, release := make(chan struct{}), make(chan struct{})
		restore := bindings.UpdateHandlers(func(h *bindings.Handlers) {
			h.GetConfig = func(key string) *string {
				if key == "block" {
					close(entered)
					select {
					case <-release:
					case <-time.After(10 * time.Second):
					}
				}
				return nil
			}
		})
		if !isolated && !rt().SetSubinterpreterBlocklist("si_worker") {
			t.Fatal(rt().Error())
		}
		var chk bindings.PyObject
		rt().WithGIL(func() { chk = newWorkerAllowMain(t, "block", "si:block") })
		done := make(chan struct{})
		go func() {
			rt().WithGIL(func() { rt().RunCheck(chk) })
			close(done)
		}()
		<-entered
		other := make(chan struct{})
		go func() {
			rt().WithGIL(func() { rt().RunSimpleString("si_other_thread = 1") })
			close(other)
		}()
		select {
		case <-other:
			if !isolated {
				t.Errorf("main-interpreter check: another thread got the main GIL while run_check held it")
			}
		case <-time.After(2 * time.Second):
			if isolated {
				t.Errorf("isolated check: another thread could not take the main GIL during run_check")
			}
		}
		close(release)
		<-done
		<-other
		rt().WithGIL(func() { rt().Decref(chk) })
		restore()
	}
}

// newWorkerAllowMain is newWorker without the isolation assertion (the blocklist may apply).
func newWorkerAllowMain(t *testing.T, name, checkID string) bindings.PyObject {
	t.Helper()
	chk, err := helpers.NewCheck(rt(), "si_worker", "", "{}", checkID, name)
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

// TestLastDecrefJoinsNonDaemonThreads: a check's non-daemon thread is joined by the last decref
// (the thread's report arrives before decref returns) and the interpreter is then gone (memory
// balances at once).
func TestLastDecrefJoinsNonDaemonThreads(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	w := watchMetrics(t)
	defer helpers.CheckMemory(t)()
	rt().WithGIL(func() {
		chk := newWorker(t, "threads", "si:threads")
		if w.count("si.thread.done") != 0 {
			t.Fatal("the thread reported before 0.3 s")
		}
		rt().Decref(chk)
		if got := w.count("si.thread.done"); got != 1 {
			t.Errorf("after the last decref the thread had reported %d times, want 1 (joined)", got)
		}
	})
}

// TestDaemonThreadKeepsInterpreterUntilItEnds: the last decref of a check whose daemon thread
// still runs returns at once; the interpreter stays until the thread is done, and is ended by a
// later get_check/decref (memory then balances).
func TestDaemonThreadKeepsInterpreterUntilItEnds(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	w := watchMetrics(t)
	mem := newMemAcc()
	start := time.Now()
	rt().WithGIL(func() { rt().Decref(newWorker(t, "daemon", "si:daemon")) })
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("the last decref waited %v for a daemon thread", d)
	}
	if mem.inUse() == 0 {
		t.Errorf("the interpreter ended while its daemon thread ran")
	}
	deadline := time.Now().Add(10 * time.Second)
	for w.count("si.daemon.done") == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if w.count("si.daemon.done") != 1 {
		t.Fatal("the daemon thread never reported")
	}
	for time.Now().Before(deadline) {
		time.Sleep(150 * time.Millisecond)
		rt().WithGIL(func() { rt().Decref(newWorker(t, "plain", "si:reaper")) })
		if mem.inUse() == 0 {
			helpers.AssertMemoryBalanced(t)
			return
		}
	}
	t.Errorf("the parked interpreter was never ended after its daemon thread finished")
}

// onOwnThread runs f with the GIL on an OS thread of its own; exit true makes that thread end
// with it (the goroutine keeps it locked, and it is never Go's main thread, which Go parks
// instead of ending), exit false gives the thread back to Go.
func onOwnThread(t *testing.T, f func(), exit bool) {
	for {
		done, isMain := make(chan struct{}), make(chan bool, 1)
		go func() {
			defer close(done)
			runtime.LockOSThread()
			if !exit {
				defer runtime.UnlockOSThread()
			} else if syscall.Gettid() == os.Getpid() {
				isMain <- true
				runtime.UnlockOSThread()
				return
			}
			isMain <- false
			st := rt().EnsureGIL()
			f()
			rt().ReleaseGIL(st)
		}()
		<-done
		if !<-isMain {
			return
		}
		// That goroutine ran on the main thread: park a goroutine there and try again.
		hold := make(chan struct{})
		t.Cleanup(func() { close(hold) })
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			<-hold
		}()
	}
}

// keeper is a goroutine locked to its OS thread for the length of a test, so that the thread
// cannot be the one another goroutine locks and lets exit.
type keeper struct{ calls chan func() }

func newKeeper(t *testing.T) *keeper {
	k := &keeper{calls: make(chan func())}
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for f := range k.calls {
			st := rt().EnsureGIL()
			f()
			rt().ReleaseGIL(st)
		}
	}()
	t.Cleanup(func() { close(k.calls) })
	return k
}

// do runs f with the GIL on the keeper's thread and waits for it.
func (k *keeper) do(f func()) {
	done := make(chan struct{})
	k.calls <- func() { f(); close(done) }
	<-done
}

// TestThreadExitGivesBackItsStates: an OS thread that ran an isolated check and exits gives its
// thread state in that interpreter back at once (memory balances before the check is released).
func TestThreadExitGivesBackItsStates(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	k := newKeeper(t) // makes and releases the check: its state outlives the other thread
	var chk bindings.PyObject
	k.do(func() { chk = newWorker(t, "plain", "si:exit") })
	defer k.do(func() { rt().Decref(chk) })
	mem := newMemAcc()
	onOwnThread(t, func() { rt().RunCheck(chk) }, true)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if mem.inUse() == 0 && mem.allocs > 0 {
			return
		}
	}
	t.Errorf("the exited thread's state was not given back (%d bytes still in use)", mem.inuse)
}

// TestCreatorThreadExitKeepsInterpreterUsable: the thread that made an isolated check exits (its
// state was the interpreter's only one, so it is kept); other threads then run and release the
// check as usual. (Deleting that last state made the next PyThreadState_New abort the process on
// 3.12: "init_threadstate: thread state already initialized"; hence a child process.)
func TestCreatorThreadExitKeepsInterpreterUsable(t *testing.T) {
	requireSubinterpreters(t)
	if !helpers.InChild(t) {
		helpers.RunChild(t).ExpectPass(t)
		return
	}
	childSetup(t)
	defer helpers.CheckMemory(t)()
	var chk bindings.PyObject
	onOwnThread(t, func() { chk = newWorker(t, "plain", "si:creator") }, true)
	time.Sleep(50 * time.Millisecond) // let the thread finish exiting
	for i := 0; i < 3; i++ {
		onOwnThread(t, func() {
			if _, ok := rt().RunCheck(chk); !ok {
				t.Errorf("run_check after the creator thread exited: %s", rt().Error())
			}
		}, i == 0)
	}
	time.Sleep(50 * time.Millisecond) // the first of them exits too
	onOwnThread(t, func() { rt().Decref(chk) }, false)
}

// TestPymemStatsCoverSubinterpreters: the Python allocator statistics count the object arenas
// of every interpreter: an isolated check that keeps 200,000 small tuples (about 13 MB, all in
// its own interpreter's arenas: objects this small never come from the raw domain) raises "inuse"
// by at least 10 MB (in a child: init_pymem_stats must come before init).
func TestPymemStatsCoverSubinterpreters(t *testing.T) {
	requireSubinterpreters(t)
	if m := os.Getenv("PYTHONMALLOC"); m != "" && m != "pymalloc" {
		t.Skipf("PYTHONMALLOC=%s (the ASan run): objects do not come from arenas", m)
	}
	if !helpers.InChild(t) {
		helpers.RunChild(t).ExpectPass(t)
		return
	}
	helpers.BeforeInit = func(r *bindings.Rtloader) {
		r.InitPymemStats()
		r.EnableSubinterpreters(true)
	}
	if err := helpers.Setup(); err != nil {
		t.Fatal(err)
	}
	addFixtures(t)
	var chk bindings.PyObject
	rt().WithGIL(func() { chk = newWorker(t, "hoard", "si:hoard") })
	before, _ := rt().GetPymemStats()
	rt().WithGIL(func() {
		if _, ok := rt().RunCheck(chk); !ok {
			t.Errorf("run_check: %s", rt().Error())
		}
	})
	during, _ := rt().GetPymemStats()
	rt().WithGIL(func() { rt().Decref(chk) })
	t.Logf("pymem inuse: %d -> %d bytes", before, during)
	if during < before+10<<20 {
		t.Errorf("pymem inuse went from %d to %d bytes while an isolated check held 13 MB of objects", before, during)
	}
}
