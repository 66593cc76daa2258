package lifecycle

import (
	"runtime"
	"sync"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// Before init succeeds no GIL serialises callers, so several threads calling interpreter-needing
// functions at once all store "rtloader is not initialized" into the same error channel. It was
// unsynchronised (two threads freed the same old message: ASan "attempting double-free"); the
// channel now takes a mutex. Threads only set and test the error here: reading a message while
// another thread replaces it stays the host's job to serialise (API.md §2.2).
func TestErrorChannelConcurrentFailuresBeforeInit(t *testing.T) {
	if !helpers.InChild(t) {
		helpers.RunChild(t).ExpectPass(t)
		return
	}
	r, err := bindings.Make3(helpers.PythonHome(), helpers.PythonExe())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			for i := 0; i < 20000; i++ {
				r.RunSimpleString("x") // fails: "rtloader is not initialized"
				r.HasError()
			}
		}()
	}
	wg.Wait()
	if got, _ := r.GetError(); got != "rtloader is not initialized" {
		t.Fatalf("get_error after the race = %q, want %q", got, "rtloader is not initialized")
	}
	if got, _ := r.GetError(); got != "" {
		t.Fatalf("second get_error = %q, want \"\"", got)
	}
}
