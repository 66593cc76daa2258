package gil

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"rtloader/test/helpers"
)

// Issue 11 item 3 (API.md section 12.5): a host thread that exits while holding the GIL (a Go
// goroutine that dies locked to its OS thread after ensure_gil) must not deadlock (3.8-3.12) or
// abort (3.13) the process: its thread state is reclaimed on the exiting thread and the GIL is
// released. Each test runs in a child process with its own interpreter.

// inChild runs body in a fresh child process with an initialised interpreter (helpers.Rt).
func inChild(t *testing.T, body func(t *testing.T)) {
	t.Helper()
	if !helpers.InChild(t) {
		helpers.RunChild(t).ExpectPass(t)
		return
	}
	if err := helpers.Setup(); err != nil {
		t.Fatal(err)
	}
	body(t)
}

// onDyingThread runs f on a goroutine locked to a fresh OS thread, then ends the goroutine still
// locked, which makes the Go runtime terminate that OS thread (pthread key destructors run there).
// Returns the thread's id once f has returned. The process's main thread is never used: Go parks
// it instead of terminating it.
func onDyingThread(f func()) int {
	tids := make(chan int)
	var try func()
	try = func() {
		runtime.LockOSThread()
		tid := syscall.Gettid()
		if tid == os.Getpid() {
			runtime.UnlockOSThread()
			go try()
			return
		}
		f()
		tids <- tid
		runtime.Goexit() // still locked: the OS thread exits
	}
	go try()
	return <-tids
}

// waitThreadsGone waits until the OS threads tids have exited (their /proc entries are gone).
func waitThreadsGone(t *testing.T, d time.Duration, tids ...int) {
	t.Helper()
	end := time.Now().Add(d)
	for _, tid := range tids {
		path := fmt.Sprintf("/proc/self/task/%d", tid)
		for {
			if _, err := os.Stat(path); os.IsNotExist(err) {
				break
			}
			if time.Now().After(end) {
				t.Errorf("thread %d has not exited within %v (blocked in its thread-state reclaim?)", tid, d)
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func TestThreadExitingWithGilHeldReleasesIt(t *testing.T) {
	inChild(t, func(t *testing.T) {
		tid := onDyingThread(func() { rt().EnsureGIL() }) // never released
		helpers.WithDeadline(t, 20*time.Second, "ensure_gil after a thread died holding the GIL", func() {
			rt().WithGIL(func() {
				if !rt().RunSimpleString("import threading; assert threading.active_count() >= 1") {
					t.Error("Python did not run")
				}
			})
		})
		waitThreadsGone(t, 10*time.Second, tid)
		// A nested hold (ensure_gil twice) is released too.
		onDyingThread(func() { rt().EnsureGIL(); rt().EnsureGIL() })
		helpers.WithDeadline(t, 20*time.Second, "ensure_gil after a thread died holding the GIL twice", func() {
			rt().WithGIL(func() { rt().RunSimpleString("x = 1") })
		})
	})
}

// The thread that ran init holds Python's main state, which rtloader does not own (destroy uses
// it): exiting while holding the GIL with it releases the GIL and leaves the state for destroy.
func TestInitThreadExitingWithGilHeldReleasesIt(t *testing.T) {
	if !helpers.InChild(t) {
		helpers.RunChild(t).ExpectPass(t)
		return
	}
	onDyingThread(func() {
		if err := helpers.Setup(); err != nil { // init on the thread about to die
			t.Error(err)
			return
		}
		rt().EnsureGIL() // never released
	})
	if t.Failed() {
		return
	}
	helpers.WithDeadline(t, 20*time.Second, "ensure_gil after the init thread died holding the GIL", func() {
		rt().WithGIL(func() { rt().RunSimpleString("x = 1") })
	})
	helpers.WithDeadline(t, 20*time.Second, "destroy after the init thread died holding the GIL", func() {
		rt().Destroy()
	})
}

func TestDestroyAfterThreadExitedHoldingGil(t *testing.T) {
	inChild(t, func(t *testing.T) {
		onDyingThread(func() { rt().EnsureGIL() })
		helpers.WithDeadline(t, 20*time.Second, "destroy after a thread died holding the GIL", func() {
			rt().Destroy()
		})
	})
}

// Threads with a thread state that exit while destroy() takes the GIL for good must still exit:
// their reclaim may not wait for a GIL that destroy will never give back. The race is forced: a
// holder keeps the GIL while the exiting threads queue for it in their reclaim, then destroy
// queues too, then the holder lets go.
func TestThreadsExitingWhileDestroyRunsDoNotBlock(t *testing.T) {
	inChild(t, func(t *testing.T) {
		const n = 4
		exit := make(chan struct{})
		tids := make(chan int, n)
		var ready sync.WaitGroup
		ready.Add(n)
		for i := 0; i < n; i++ {
			go func() {
				tids <- onDyingThread(func() {
					rt().WithGIL(func() {}) // the thread now has its persistent state
					ready.Done()
					<-exit
				})
			}()
		}
		ready.Wait()
		holding, release, released := make(chan struct{}), make(chan struct{}), make(chan struct{})
		go func() {
			st := rt().EnsureGIL()
			close(holding)
			<-release
			rt().ReleaseGIL(st)
			close(released)
		}()
		<-holding
		close(exit) // the n threads exit; their reclaim now waits for the GIL
		var ids []int
		for i := 0; i < n; i++ {
			ids = append(ids, <-tids)
		}
		time.Sleep(200 * time.Millisecond)
		destroyed := make(chan struct{})
		go func() { rt().Destroy(); close(destroyed) }()
		time.Sleep(200 * time.Millisecond) // destroy queues for the GIL too
		close(release)
		<-released
		select {
		case <-destroyed:
		case <-time.After(20 * time.Second):
			t.Fatal("destroy did not return")
		}
		for _, tid := range ids {
			waitThreadsGone(t, 10*time.Second, tid)
		}
	})
}
