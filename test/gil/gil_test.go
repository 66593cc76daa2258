// Package gil tests ensure_gil/release_gil (API.md section 3.3) and the persistent per-thread
// states of section 12.1.
package gil

import (
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }

func rt() *bindings.Rtloader { return helpers.Rt }

// tryAcquire tries to take the GIL on another OS thread; it reports whether it got it within d.
// The goroutine keeps waiting (and then releases) if it did not.
func tryAcquire(d time.Duration) (got bool, done <-chan struct{}) {
	acquired := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		st := rt().EnsureGIL()
		close(acquired)
		rt().ReleaseGIL(st)
	}()
	select {
	case <-acquired:
		return true, finished
	case <-time.After(d):
		return false, finished
	}
}

func TestEnsureGilReturnsUnlockedThenLockedWhenNested(t *testing.T) {
	defer helpers.CheckMemory(t)()
	outer := rt().EnsureGIL()
	inner := rt().EnsureGIL()
	rt().ReleaseGIL(inner)
	rt().ReleaseGIL(outer)
	if outer != bindings.GILUnlocked {
		t.Errorf("outer ensure_gil = %d, want GIL_UNLOCKED (%d)", outer, bindings.GILUnlocked)
	}
	if inner != bindings.GILLocked {
		t.Errorf("nested ensure_gil = %d, want GIL_LOCKED (%d)", inner, bindings.GILLocked)
	}
}

func TestReleaseGilLockedKeepsTheGil(t *testing.T) {
	defer helpers.CheckMemory(t)()
	outer := rt().EnsureGIL()
	inner := rt().EnsureGIL()
	rt().ReleaseGIL(inner) // LOCKED: the GIL stays with this thread
	got, done := tryAcquire(100 * time.Millisecond)
	if got {
		t.Error("another thread took the GIL after the nested release_gil")
	}
	// Python still runs on this thread.
	if !rt().RunSimpleString("x = 1") {
		t.Error("run_simple_string failed while holding the outer GIL")
	}
	rt().ReleaseGIL(outer) // UNLOCKED: released
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the other thread never got the GIL after the outer release_gil")
	}
}

func TestReleaseGilUnlockedLetsOtherThreadsIn(t *testing.T) {
	st := rt().EnsureGIL()
	rt().ReleaseGIL(st)
	got, done := tryAcquire(5 * time.Second)
	if !got {
		t.Fatal("another thread could not take the GIL after release_gil")
	}
	<-done
}

func TestThreadIdentAndLocalPersistAcrossCycles(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer helpers.CheckMemory(t)()
	helpers.RunPyExpect(t, `
		import threading, __main__
		__main__.gil_local = threading.local()
		__main__.gil_local.value = 'kept'
		__main__.gil_ident = threading.get_ident()
	`, "")
	for i := 0; i < 3; i++ {
		helpers.RunPyExpect(t, `
			import threading, __main__
			out.write("%s %s" % (getattr(__main__.gil_local, 'value', 'LOST'), threading.get_ident() == __main__.gil_ident))
		`, "kept True")
	}
}

func TestDifferentThreadsHaveDifferentIdents(t *testing.T) {
	defer helpers.CheckMemory(t)()
	idents := make([]string, 2)
	var wg, ran sync.WaitGroup
	ran.Add(len(idents))
	for i := range idents {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			out, ok, err := helpers.RunPyRaw("import threading; out.write(str(threading.get_ident()))")
			if !ok || err != nil {
				t.Errorf("snippet failed: %v %v", ok, err)
			}
			idents[i] = out
			// Stay on this OS thread until both have run: a thread released early could be
			// reused by the other goroutine, and one OS thread has one ident.
			ran.Done()
			ran.Wait()
		}(i)
	}
	wg.Wait()
	if idents[0] == "" || idents[0] == idents[1] {
		t.Errorf("idents = %q, want two different values", idents)
	}
}

func TestThreadLocalIsPerThread(t *testing.T) {
	defer helpers.CheckMemory(t)()
	helpers.RunPyExpect(t, "import threading, __main__; __main__.per_thread = threading.local()", "")
	var wg sync.WaitGroup
	results := make([]string, 4)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			v := string(rune('a' + i))
			out, _, _ := helpers.RunPyRaw("import __main__; __main__.per_thread.v = " + helpers.PyString(v))
			if out != "" {
				t.Errorf("set: %q", out)
			}
			time.Sleep(10 * time.Millisecond) // let the other threads set theirs
			out, _, _ = helpers.RunPyRaw("import __main__; out.write(__main__.per_thread.v)")
			results[i] = out + "=" + v
		}(i)
	}
	wg.Wait()
	for _, r := range results {
		if parts := strings.Split(r, "="); parts[0] != parts[1] {
			t.Errorf("thread saw %q", r)
		}
	}
}

func TestManyThreadsAndCyclesDoNotDeadlock(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var wg sync.WaitGroup
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			// Half of them run on fresh OS threads that exit afterwards (locked, never unlocked).
			if g%2 == 0 {
				runtime.LockOSThread()
			}
			for i := 0; i < 50; i++ {
				rt().WithGIL(func() {
					if !rt().RunSimpleString("y = sum(range(10))") {
						t.Error("run_simple_string failed")
					}
				})
			}
		}(g)
	}
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("GIL cycles on several threads did not finish (deadlock?)")
	}
}

func TestGilCallsFromThreadPythonNeverSaw(t *testing.T) {
	defer helpers.CheckMemory(t)()
	done := make(chan string)
	go func() {
		runtime.LockOSThread() // a brand-new OS thread, discarded when the goroutine exits
		out, _, _ := helpers.RunPyRaw("import threading; out.write(str(threading.get_ident() > 0))")
		done <- out
	}()
	select {
	case out := <-done:
		if out != "True" {
			t.Errorf("snippet on a new thread wrote %q", out)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ensure_gil on a new OS thread blocked")
	}
}

func TestSelfGilFunctionsWorkWithAndWithoutGil(t *testing.T) {
	defer helpers.CheckMemory(t)()
	if s, ok := rt().GetIntegrationList(); !ok || s != helpers.FixtureIntegrations {
		t.Errorf("without GIL: %q %v", s, ok)
	}
	rt().WithGIL(func() {
		if s, ok := rt().GetInterpreterMemoryUsage(); !ok || !strings.HasPrefix(s, "{") {
			t.Errorf("with GIL: %q %v", s, ok)
		}
		// The GIL is still held afterwards: Python runs.
		if !rt().RunSimpleString("z = 3") {
			t.Error("GIL lost after a nested self-GIL call")
		}
	})
}
