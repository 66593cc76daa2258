// Package rtloader runs Datadog Python checks from a Go program, through rtloader (the C library
// libdatadog-agent-rtloader, which embeds CPython in a backend it picks at run time).
//
//	rt, err := rtloader.Open(rtloader.Options{PythonPaths: []string{"checks.d"}, Host: myHost{}})
//	check, err := rt.LoadCheck("my_check", initConfig, instance)
//	warnings, err := check.Run(ctx)
//
// What a check submits (metrics, service checks, events, logs, ...) and what it asks (hostname,
// config, tags, subprocesses, ...) reaches the Host given to Open: an interface grouped as
// Aggregator, Agent, Cache, Logger, Tagger, Subprocess, Containers and Kubernetes; embed NopHost
// and implement only what you need. Strings are Go strings; the package owns every C buffer.
//
// Threads and the GIL: every call takes the GIL itself, on one locked OS thread, and releases
// it before returning, so a Runtime and its Checks are safe for concurrent use from many
// goroutines. Checks run one at a time in the shared interpreter (Python's GIL), or in parallel
// with Options.Subinterpreters on a backend that supports them. Host methods may be called
// from several threads at once.
//
// One Runtime per process: CPython cannot be initialised twice, so a process opens rtloader
// once; Open fails if it was opened before, even after Close.
//
// Building: the package uses cgo and links libdatadog-agent-rtloader. Point cgo at the build
// (or install) directory: CGO_LDFLAGS="-L<dir> -Wl,-rpath,<dir>". It is built from this
// repository (its cgo layer reads the C callback list in src/common); go.mod's module path is
// "rtloader", so a program uses it with
//
//	require rtloader v0.0.0
//	replace rtloader => /path/to/rtloader-c/go
package rtloader

import (
	"errors"
	"runtime"
	"sync"

	"rtloader/internal/capi"
)

// Options configure Open.
type Options struct {
	// PythonHome is the Python installation to run (its prefix, e.g. /usr or a pyenv version);
	// "" picks the default backend with its build-time home. rtloader loads the backend built
	// for that Python's version (libdatadog-agent-three-3.X.so).
	PythonHome string
	// PythonExe is that installation's interpreter (sys.executable for checks); "" leaves the
	// choice to rtloader.
	PythonExe string
	// PythonPaths are added to sys.path, in order (check folders, the check base package, ...).
	PythonPaths []string
	// Host receives the callbacks; nil means NopHost.
	Host Host
	// TrackMemory turns rtloader's allocation counters on (see Runtime.MemoryStats). It is
	// process-wide and cannot be turned off again.
	TrackMemory bool
	// HandleCrashes installs rtloader's crash handler (a fatal signal prints the C and Python
	// stacks); CoreDump then re-raises the signal so that a core dump is written.
	HandleCrashes, CoreDump bool
	// Subinterpreters runs each check instance in its own sub-interpreter with its own GIL, so
	// checks run in parallel (Python 3.12+ backends). Open fails with rtloader's text when the
	// backend cannot ("sub-interpreters need Python 3.12 or newer (this is 3.X)").
	Subinterpreters bool
}

// Runtime is an open rtloader: one embedded CPython running checks.
type Runtime struct {
	rt     *capi.Rtloader
	mu     sync.RWMutex // Close takes it exclusively; every other call shares it
	closed bool
}

var (
	openMu sync.Mutex
	isOpen bool // a Runtime was opened in this process (it stays true after Close)
)

// errNotOpen is returned by calls on a closed Runtime (or one of its checks).
var errNotOpen = errors.New("rtloader: the runtime is closed")

// Open loads the backend for opts.PythonHome (make3), registers the host callbacks, adds the
// Python paths and initialises the interpreter (init). It fails with an *Error carrying
// rtloader's text, or when this process already opened a Runtime (even a closed one).
func Open(opts Options) (*Runtime, error) {
	openMu.Lock()
	defer openMu.Unlock()
	if isOpen {
		return nil, &Error{Op: "open", Msg: "rtloader was already opened in this process (CPython cannot be initialised twice)"}
	}
	host := opts.Host
	if host == nil {
		host = NopHost{}
	}
	if opts.TrackMemory {
		capi.EnableMemoryTracker()
	}
	if opts.HandleCrashes {
		if ok, msg := capi.HandleCrashes(opts.CoreDump, true); !ok {
			return nil, &Error{Op: "handle_crashes", Msg: msg}
		}
	}
	exe := opts.PythonExe
	if exe == "" {
		exe = capi.NULL
	}
	rt, err := capi.Make3(opts.PythonHome, exe)
	if err != nil {
		return nil, &Error{Op: "make3", Msg: err.Error()}
	}
	abort := func(op string) (*Runtime, error) {
		e := fail(rt, op)
		destroy(rt)
		return nil, e
	}
	capi.SetHandlers(handlersFor(host))
	rt.RegisterAllCallbacks()
	for _, p := range opts.PythonPaths {
		if !rt.AddPythonPath(p) && rt.HasError() {
			return abort("add_python_path")
		}
	}
	if opts.Subinterpreters {
		if !rt.EnableSubinterpreters(true) {
			return abort("enable_subinterpreters")
		}
	}
	if !rt.Init() {
		return abort("init")
	}
	isOpen = true
	return &Runtime{rt: rt}, nil
}

// destroy calls destroy on a goroutine of its own: destroy keeps the GIL on its thread (CPython
// is never finalised), and that goroutine ends locked to the thread, which Go then retires, so
// the caller's goroutine is left free.
func destroy(rt *capi.Rtloader) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		rt.Destroy() // locks the OS thread and never unlocks it
	}()
	<-done
}

// Close destroys the rtloader instance (destroy). Checks must be closed first; later calls on
// the Runtime or its checks return an error.
//
// What remains: CPython is never finalised (as in the Datadog Agent). The interpreter, its
// modules and anything checks left behind stay in memory, the GIL stays held by a retired
// thread, so Python threads a check started stay frozen and host callbacks are no longer
// called. The process cannot Open rtloader again.
func (r *Runtime) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	destroy(r.rt)
	capi.ResetHandlers()
	return nil
}

// withGIL runs f holding the GIL on a locked OS thread (ensure_gil ... release_gil), with the
// Runtime open. f may read the error channel: a failing call's error is read before the GIL is
// released, so no other goroutine's call can overwrite it.
func (r *Runtime) withGIL(f func(rt *capi.Rtloader) error) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return errNotOpen
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	st := r.rt.EnsureGIL()
	defer r.rt.ReleaseGIL(st)
	return f(r.rt)
}

// fail returns rtloader's pending error for op, and releases the handle's copy of it. [GIL]
func fail(rt *capi.Rtloader, op string) error {
	e := &Error{Op: op, Msg: rt.Error()}
	rt.ClearError()
	return e
}

// MemoryStats returns rtloader's allocation counters since the previous call and resets them
// (all zero unless Options.TrackMemory).
func (r *Runtime) MemoryStats() MemoryStats {
	s := capi.GetAndResetMemoryStats()
	return MemoryStats{Allocations: s.Allocations, AllocatedBytes: s.AllocatedBytes, Frees: s.Frees,
		FreedBytes: s.FreedBytes, InuseBytes: s.InuseBytes}
}

// Subinterpreters reports whether checks run in sub-interpreters (has_subinterpreter_support).
func (r *Runtime) Subinterpreters() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return !r.closed && r.rt.HasSubinterpreterSupport() == 1
}

// PythonVersion returns the embedded Python's version string (sys.version).
func (r *Runtime) PythonVersion() (string, error) {
	var v string
	err := r.withGIL(func(rt *capi.Rtloader) error {
		info, ok := rt.GetPyInfo()
		if !ok {
			return fail(rt, "get_py_info")
		}
		v = info.Version
		return nil
	})
	return v, err
}
