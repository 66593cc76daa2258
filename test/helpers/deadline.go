package helpers

import (
	"runtime"
	"testing"
	"time"
)

// WithDeadline runs f on its own goroutine and fails t with every goroutine's stack if f has not
// returned within d (a deadlock shows as a failure, not a hung test binary; goroutines stuck in
// C stay stuck, and the binary exits after the test).
func WithDeadline(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		buf := make([]byte, 1<<22)
		n := runtime.Stack(buf, true)
		t.Fatalf("%s: not done within %v (deadlock?); goroutines:\n%s", what, d, buf[:n])
	}
}
