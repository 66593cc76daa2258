// Package capi is the one cgo layer of rtloader's Go code: it wraps every function of rtloader's
// public C API (datadog_agent_rtloader.h, rtloader_mem.h) one to one, exports every callback once
// (callbacks.go) and dispatches it to Go handlers. The public package (rtloader) is built on it,
// and so is the test suite (test/bindings re-exports it): it is internal because it exposes raw
// pointers, the GIL and fault injection, which a host must not need.
//
// Conventions:
//   - a string argument equal to NULL (a sentinel no real C string can equal) is passed as a C
//     NULL pointer; every other string is copied into a temporary C string for the call;
//   - a function returning a C string returns (value, ok): ok is false when rtloader returned NULL;
//     the C string is released with rtloader_free before the wrapper returns;
//   - EnsureGIL locks the goroutine to its OS thread and ReleaseGIL unlocks it (Go's
//     "stickyLock"); functions that take the GIL themselves lock the thread for the call. Every
//     [GIL] function must be called between EnsureGIL and ReleaseGIL (see WithGIL).
//
// The library is found through CGO_LDFLAGS (-L<build> -Wl,-rpath,<build>), set by test/Makefile.
package capi

/*
#cgo CFLAGS: -I${SRCDIR}/../../../include -I${SRCDIR}/../../../src/common
#cgo LDFLAGS: -ldatadog-agent-rtloader -ldl
#include <stdlib.h>
#include "cgo_helpers.h"
*/
import "C"

import (
	"errors"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// NULL is a sentinel string argument that the bindings pass to C as a NULL pointer.
const NULL = "\x00<NULL>\x00"

// GIL states returned by EnsureGIL.
const (
	GILLocked   = int(C.DATADOG_AGENT_RTLOADER_GIL_LOCKED)
	GILUnlocked = int(C.DATADOG_AGENT_RTLOADER_GIL_UNLOCKED)
)

// Rtloader is a handle made by Make3.
type Rtloader struct {
	p *C.rtloader_t
}

// PyObject is an rtloader_pyobject_t * (a PyObject *).
type PyObject unsafe.Pointer

// MemoryStats mirrors struct memory_stats.
type MemoryStats struct {
	Allocations    uint64
	AllocatedBytes uint64
	Frees          uint64
	FreedBytes     uint64
	InuseBytes     int64
}

// PyInfo is the Go copy of a py_info_t; PathOK is false when path was NULL.
type PyInfo struct {
	Version string
	Path    string
	PathOK  bool
}

// cstr returns a C copy of s (nil for NULL); release it with freeC.
func cstr(s string) *C.char {
	if s == NULL {
		return nil
	}
	return C.CString(s)
}

func freeC(p *C.char) {
	if p != nil {
		C.free(unsafe.Pointer(p))
	}
}

func pyo(o PyObject) *C.rtloader_pyobject_t { return (*C.rtloader_pyobject_t)(unsafe.Pointer(o)) }

// takeString copies and frees (with rtloader_free) a string rtloader returned.
func (r *Rtloader) takeString(p *C.char) (string, bool) {
	if p == nil {
		return "", false
	}
	s := C.GoString(p)
	C.rtloader_free(r.p, unsafe.Pointer(p))
	return s, true
}

// --- rtloader_mem.h ---------------------------------------------------------------------------

// EnableMemoryTracker calls enable_memory_tracker (before Make3).
func EnableMemoryTracker() { C.enable_memory_tracker() }

// EnableMemoryTrackerInternal calls _enable_memory_tracker.
func EnableMemoryTrackerInternal() { C._enable_memory_tracker() }

// GetAndResetMemoryStats calls get_and_reset_memory_stats.
func GetAndResetMemoryStats() MemoryStats {
	s := C.get_and_reset_memory_stats()
	return MemoryStats{
		Allocations:    uint64(s.allocations),
		AllocatedBytes: uint64(s.allocated_bytes),
		Frees:          uint64(s.frees),
		FreedBytes:     uint64(s.freed_bytes),
		InuseBytes:     int64(s.inuse_bytes),
	}
}

// Malloc calls rtloader's _malloc; Free calls _free.
func Malloc(n int) unsafe.Pointer { return C.rtlgo_malloc(C.size_t(n)) }

// InstallFaultyMalloc puts the fault-injecting wrapper in front of _malloc (after
// EnableMemoryTracker, before Make3; see cgo_helpers.h). Only test/faults uses it.
func InstallFaultyMalloc() { C.rtlgo_install_faulty_malloc() }

// FaultArm makes the n-th _malloc from now fail, once (n == 0: count only).
func FaultArm(n int) { C.rtlgo_fault_arm(C.long(n)) }

// FaultDisarm stops fault injection; it returns the allocations seen since FaultArm and whether
// the armed one failed.
func FaultDisarm() (seen int, hit bool) {
	var h C.int
	seen = int(C.rtlgo_fault_disarm(&h))
	return seen, h != 0
}

// Free calls rtloader's _free.
func Free(p unsafe.Pointer) { C.rtlgo_free(p) }

// Strdupe calls strdupe and returns the copy (read back, then released with _free), ok=false for NULL.
func Strdupe(s string) (string, bool) {
	cs := cstr(s)
	defer freeC(cs)
	p := C.strdupe(cs)
	if p == nil {
		return "", false
	}
	out := C.GoString(p)
	C.rtlgo_free(unsafe.Pointer(p))
	return out, true
}

// StrdupeRaw returns strdupe's pointer without freeing it (free it with Free).
func StrdupeRaw(s string) unsafe.Pointer {
	cs := cstr(s)
	defer freeC(cs)
	return unsafe.Pointer(C.strdupe(cs))
}

// GoStringAt reads the C string at p.
func GoStringAt(p unsafe.Pointer) string { return C.GoString((*C.char)(p)) }

// TrackedAllocatorsInstalled reports whether _get_tracked_malloc/_get_tracked_free are non-NULL
// and equal to the current _malloc/_free.
func TrackedAllocatorsInstalled() (mallocOK, freeOK bool) {
	m := C._get_tracked_malloc()
	f := C._get_tracked_free()
	return m != nil && unsafe.Pointer(m) == unsafe.Pointer(C._malloc), f != nil && unsafe.Pointer(f) == unsafe.Pointer(C._free)
}

// --- factory, crash handling -----------------------------------------------------------------

var (
	beforeMake3 func()
	beforeInit  func(*Rtloader)
	lastMade    atomic.Pointer[Rtloader]
)

// SetBeforeMake3 makes every Make3 call f first (nil: nothing). test/faults installs its
// fault-injecting allocator this way when the suite opens rtloader through the public package.
func SetBeforeMake3(f func()) { beforeMake3 = f }

// SetBeforeInit makes every Init call f(r) first (nil: nothing). test/subinterp enables
// sub-interpreters this way when the suite opens rtloader through the public package.
func SetBeforeInit(f func(*Rtloader)) { beforeInit = f }

// LastMade returns the handle the last successful Make3 made (the suite's raw access to the
// handle the public package's Open made), nil before any.
func LastMade() *Rtloader { return lastMade.Load() }

// Make3 calls make3(home, exe, &err). On failure it returns nil and the error text (freed with _free).
func Make3(home, exe string) (*Rtloader, error) {
	if beforeMake3 != nil {
		beforeMake3()
	}
	ch, ce := cstr(home), cstr(exe)
	defer freeC(ch)
	defer freeC(ce)
	var cerr *C.char
	p := C.make3(ch, ce, &cerr)
	if p == nil {
		msg := "<make3 returned NULL without an error>"
		if cerr != nil {
			msg = C.GoString(cerr)
			C.rtlgo_free(unsafe.Pointer(cerr))
		}
		return nil, errors.New(msg)
	}
	if cerr != nil { // should not happen: free it anyway so that memory balances
		C.rtlgo_free(unsafe.Pointer(cerr))
	}
	r := &Rtloader{p: p}
	lastMade.Store(r)
	return r, nil
}

// HandleCrashes calls handle_crashes(coredump, stacktrace, &err).
func HandleCrashes(coredump, stacktrace bool) (bool, string) {
	var cerr *C.char
	b2i := func(b bool) C.int {
		if b {
			return 1
		}
		return 0
	}
	ok := C.handle_crashes(b2i(coredump), b2i(stacktrace), &cerr) == 1
	msg := ""
	if cerr != nil {
		msg = C.GoString(cerr)
		C.rtlgo_free(unsafe.Pointer(cerr))
	}
	return ok, msg
}

// LeakCheck runs LeakSanitizer's recoverable leak check when the ASan/LSan runtime is loaded:
// 1 if leaks were reported, 0 if none, -1 if LSan is not present. (Go's os.Exit skips the
// C library's exit handlers, so LSan's own at-exit check never runs in a Go test binary.)
func LeakCheck() int { return int(C.rtlgo_lsan_check()) }

// Segfault writes through a NULL pointer in C (a kernel-raised SIGSEGV).
func Segfault() { C.rtlgo_segfault() }

// --- API ---------------------------------------------------------------------------------------

// IsNil reports whether the handle is nil.
func (r *Rtloader) IsNil() bool { return r == nil || r.p == nil }

// Destroy calls destroy. It returns holding the GIL when the interpreter was initialised: the
// calling goroutine stays locked to its OS thread in that case (no Python work may follow).
func (r *Rtloader) Destroy() {
	runtime.LockOSThread()
	C.destroy(r.p)
}

// DestroyNil calls destroy(NULL).
func DestroyNil() { C.destroy(nil) }

// Init calls init; it returns true for 1.
func (r *Rtloader) Init() bool {
	if beforeInit != nil {
		beforeInit(r)
	}
	return C.init(r.p) == 1
}

// AddPythonPath calls add_python_path.
func (r *Rtloader) AddPythonPath(path string) bool {
	c := cstr(path)
	defer freeC(c)
	return C.add_python_path(r.p, c) == 1
}

// ClearError calls clear_error.
func (r *Rtloader) ClearError() { C.clear_error(r.p) }

// HasError calls has_error.
func (r *Rtloader) HasError() bool { return C.has_error(r.p) == 1 }

// GetError calls get_error; ok is false if it returned NULL (it never should).
func (r *Rtloader) GetError() (string, bool) {
	p := C.get_error(r.p)
	if p == nil {
		return "", false
	}
	return C.GoString(p), true
}

// Error returns get_error's text ("<NULL>" if it returned NULL).
func (r *Rtloader) Error() string {
	s, ok := r.GetError()
	if !ok {
		return "<NULL>"
	}
	return s
}

// EnsureGIL locks the calling goroutine to its OS thread and calls ensure_gil.
func (r *Rtloader) EnsureGIL() int {
	runtime.LockOSThread()
	return int(C.ensure_gil(r.p))
}

// ReleaseGIL calls release_gil and undoes EnsureGIL's thread lock.
func (r *Rtloader) ReleaseGIL(state int) {
	C.release_gil(r.p, C.rtloader_gilstate_t(state))
	runtime.UnlockOSThread()
}

// WithGIL runs f between EnsureGIL and ReleaseGIL on one OS thread.
func (r *Rtloader) WithGIL(f func()) {
	st := r.EnsureGIL()
	defer r.ReleaseGIL(st)
	f()
}

// GetClass calls get_class with real out-pointers. [GIL]
func (r *Rtloader) GetClass(name string) (module, class PyObject, ok bool) {
	c := cstr(name)
	defer freeC(c)
	var m, k *C.rtloader_pyobject_t
	ok = C.get_class(r.p, c, &m, &k) == 1
	return PyObject(unsafe.Pointer(m)), PyObject(unsafe.Pointer(k)), ok
}

// GetClassNullOut calls get_class(name, NULL, NULL). [GIL]
func (r *Rtloader) GetClassNullOut(name string) bool {
	c := cstr(name)
	defer freeC(c)
	return C.get_class(r.p, c, nil, nil) == 1
}

// GetAttrString calls get_attr_string. [GIL]
func (r *Rtloader) GetAttrString(obj PyObject, attr string) (string, bool) {
	c := cstr(attr)
	defer freeC(c)
	var v *C.char
	if C.get_attr_string(r.p, pyo(obj), c, &v) != 1 {
		if v != nil {
			C.rtloader_free(r.p, unsafe.Pointer(v))
			return "", false
		}
		return "", false
	}
	s, _ := r.takeString(v)
	return s, true
}

// GetAttrBool calls get_attr_bool; ret is the function's result. [GIL]
func (r *Rtloader) GetAttrBool(obj PyObject, attr string) (value, ret bool) {
	c := cstr(attr)
	defer freeC(c)
	var v C.bool
	ret = C.get_attr_bool(r.p, pyo(obj), c, &v) == 1
	return bool(v), ret
}

// GetCheck calls get_check. [GIL]
func (r *Rtloader) GetCheck(class PyObject, initConfig, instance, checkID, checkName, provider string) (PyObject, bool) {
	a, b, c, d, e := cstr(initConfig), cstr(instance), cstr(checkID), cstr(checkName), cstr(provider)
	defer freeC(a)
	defer freeC(b)
	defer freeC(c)
	defer freeC(d)
	defer freeC(e)
	var chk *C.rtloader_pyobject_t
	ok := C.get_check(r.p, pyo(class), a, b, c, d, e, &chk) == 1
	return PyObject(unsafe.Pointer(chk)), ok
}

// GetCheckDeprecated calls get_check_deprecated (agent_config is the 5th C argument). [GIL]
func (r *Rtloader) GetCheckDeprecated(class PyObject, initConfig, instance, agentConfig, checkID, checkName, provider string) (PyObject, bool) {
	a, b, ac, c, d, e := cstr(initConfig), cstr(instance), cstr(agentConfig), cstr(checkID), cstr(checkName), cstr(provider)
	defer freeC(a)
	defer freeC(b)
	defer freeC(ac)
	defer freeC(c)
	defer freeC(d)
	defer freeC(e)
	var chk *C.rtloader_pyobject_t
	ok := C.get_check_deprecated(r.p, pyo(class), a, b, ac, c, d, e, &chk) == 1
	return PyObject(unsafe.Pointer(chk)), ok
}

// RunCheck calls run_check. [GIL]
func (r *Rtloader) RunCheck(check PyObject) (string, bool) {
	return r.takeString(C.run_check(r.p, pyo(check)))
}

// CancelCheck calls cancel_check. [GIL]
func (r *Rtloader) CancelCheck(check PyObject) { C.cancel_check(r.p, pyo(check)) }

// GetChecksWarnings calls get_checks_warnings; nil for NULL. Every element and the array are
// released with rtloader_free. [GIL]
func (r *Rtloader) GetChecksWarnings(check PyObject) []string {
	arr := C.get_checks_warnings(r.p, pyo(check))
	if arr == nil {
		return nil
	}
	out := []string{}
	for i := 0; ; i++ {
		slot := (**C.char)(unsafe.Pointer(uintptr(unsafe.Pointer(arr)) + uintptr(i)*unsafe.Sizeof(arr)))
		if *slot == nil {
			break
		}
		out = append(out, C.GoString(*slot))
		C.rtloader_free(r.p, unsafe.Pointer(*slot))
	}
	C.rtloader_free(r.p, unsafe.Pointer(arr))
	return out
}

// GetCheckDiagnoses calls get_check_diagnoses. [GIL]
func (r *Rtloader) GetCheckDiagnoses(check PyObject) (string, bool) {
	return r.takeString(C.get_check_diagnoses(r.p, pyo(check)))
}

// RtloaderFree calls rtloader_free.
func (r *Rtloader) RtloaderFree(p unsafe.Pointer) { C.rtloader_free(r.p, p) }

// Decref calls rtloader_decref. [GIL]
func (r *Rtloader) Decref(o PyObject) { C.rtloader_decref(r.p, pyo(o)) }

// Incref calls rtloader_incref. [GIL]
func (r *Rtloader) Incref(o PyObject) { C.rtloader_incref(r.p, pyo(o)) }

// SetModuleAttrString calls set_module_attr_string(module, attr, value). [GIL]
func (r *Rtloader) SetModuleAttrString(module, attr, value string) {
	a, b, c := cstr(module), cstr(attr), cstr(value)
	defer freeC(a)
	defer freeC(b)
	defer freeC(c)
	C.set_module_attr_string(r.p, a, b, c)
}

// GetNone calls get_none.
func (r *Rtloader) GetNone() PyObject { return PyObject(unsafe.Pointer(C.get_none(r.p))) }

// GetPyInfo calls get_py_info and releases the result with free_py_info; ok is false for NULL. [GIL]
func (r *Rtloader) GetPyInfo() (PyInfo, bool) {
	info := C.get_py_info(r.p)
	if info == nil {
		return PyInfo{}, false
	}
	out := PyInfo{}
	if info.version != nil {
		out.Version = C.GoString(info.version)
	}
	if info.path != nil {
		out.Path = C.GoString(info.path)
		out.PathOK = true
	}
	C.free_py_info(r.p, info)
	return out, true
}

// FreePyInfoNil calls free_py_info(rtloader, NULL).
func (r *Rtloader) FreePyInfoNil() { C.free_py_info(r.p, nil) }

// RunSimpleString calls run_simple_string. [GIL]
func (r *Rtloader) RunSimpleString(code string) bool {
	c := cstr(code)
	defer freeC(c)
	return C.run_simple_string(r.p, c) == 1
}

// HasSubinterpreterSupport calls has_subinterpreter_support.
func (r *Rtloader) HasSubinterpreterSupport() int { return int(C.has_subinterpreter_support(r.p)) }

// EnableSubinterpreters calls enable_subinterpreters(on); it returns true for 1.
func (r *Rtloader) EnableSubinterpreters(on bool) bool {
	v := C.int(0)
	if on {
		v = 1
	}
	return C.enable_subinterpreters(r.p, v) == 1
}

// SetSubinterpreterBlocklist calls set_subinterpreter_blocklist (NULL passes a C NULL).
func (r *Rtloader) SetSubinterpreterBlocklist(modules string) bool {
	c := cstr(modules)
	defer freeC(c)
	return C.set_subinterpreter_blocklist(r.p, c) == 1
}

// CheckIsIsolated calls check_is_isolated: 1, 0 or -1.
func (r *Rtloader) CheckIsIsolated(check PyObject) int {
	return int(C.check_is_isolated(r.p, pyo(check)))
}

// GetIntegrationList calls get_integration_list. [self-GIL]
func (r *Rtloader) GetIntegrationList() (string, bool) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return r.takeString(C.get_integration_list(r.p))
}

// GetInterpreterMemoryUsage calls get_interpreter_memory_usage. [self-GIL]
func (r *Rtloader) GetInterpreterMemoryUsage() (string, bool) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return r.takeString(C.get_interpreter_memory_usage(r.p))
}

// InitPymemStats calls init_pymem_stats.
func (r *Rtloader) InitPymemStats() { C.init_pymem_stats(r.p) }

// GetPymemStats calls get_pymem_stats.
func (r *Rtloader) GetPymemStats() (inuse, alloc uint64) {
	var s C.pymem_stats_t
	C.get_pymem_stats(r.p, &s)
	return uint64(s.inuse), uint64(s.alloc)
}

// GetPymemStatsNil calls get_pymem_stats(rtloader, NULL).
func (r *Rtloader) GetPymemStatsNil() { C.get_pymem_stats(r.p, nil) }

// --- callback registration ---------------------------------------------------------------------

// Callback names one of rtloader's callbacks (the C setter set_<name>_cb). Its values come from
// the C callback list (src/common/rtl_callback_list.h, through the RTLGO_CB_<name> enum of
// cgo_helpers.h), so they cannot drift from it; TestCallbackConstantsMatchTheList checks that
// every callback of the list has its constant here.
type Callback int

// The callbacks, by name (for the tests that name one; CallbackNamed reaches any, so a new
// callback needs no constant here).
const (
	CbSubmitMetric             = Callback(C.RTLGO_CB_submit_metric)
	CbSubmitServiceCheck       = Callback(C.RTLGO_CB_submit_service_check)
	CbSubmitEvent              = Callback(C.RTLGO_CB_submit_event)
	CbSubmitHistogramBucket    = Callback(C.RTLGO_CB_submit_histogram_bucket)
	CbSubmitEventPlatformEvent = Callback(C.RTLGO_CB_submit_event_platform_event)
	CbGetVersion               = Callback(C.RTLGO_CB_get_version)
	CbGetConfig                = Callback(C.RTLGO_CB_get_config)
	CbHeaders                  = Callback(C.RTLGO_CB_headers)
	CbGetHostname              = Callback(C.RTLGO_CB_get_hostname)
	CbGetHostTags              = Callback(C.RTLGO_CB_get_host_tags)
	CbGetClustername           = Callback(C.RTLGO_CB_get_clustername)
	CbTracemallocEnabled       = Callback(C.RTLGO_CB_tracemalloc_enabled)
	CbLog                      = Callback(C.RTLGO_CB_log)
	CbSendLog                  = Callback(C.RTLGO_CB_send_log)
	CbSetCheckMetadata         = Callback(C.RTLGO_CB_set_check_metadata)
	CbSetExternalTags          = Callback(C.RTLGO_CB_set_external_tags)
	CbWritePersistentCache     = Callback(C.RTLGO_CB_write_persistent_cache)
	CbReadPersistentCache      = Callback(C.RTLGO_CB_read_persistent_cache)
	CbObfuscateSQL             = Callback(C.RTLGO_CB_obfuscate_sql)
	CbObfuscateSQLExecPlan     = Callback(C.RTLGO_CB_obfuscate_sql_exec_plan)
	CbGetProcessStartTime      = Callback(C.RTLGO_CB_get_process_start_time)
	CbObfuscateMongoDBString   = Callback(C.RTLGO_CB_obfuscate_mongodb_string)
	CbEmitAgentTelemetry       = Callback(C.RTLGO_CB_emit_agent_telemetry)
	CbReportIssue              = Callback(C.RTLGO_CB_report_issue)
	CbResolveIssue             = Callback(C.RTLGO_CB_resolve_issue)
	CbGetSubprocessOutput      = Callback(C.RTLGO_CB_get_subprocess_output)
	CbCgoFree                  = Callback(C.RTLGO_CB_cgo_free)
	CbTags                     = Callback(C.RTLGO_CB_tags)
	CbGetConnectionInfo        = Callback(C.RTLGO_CB_get_connection_info)
	CbIsExcluded               = Callback(C.RTLGO_CB_is_excluded)
)

// NumCallbacks is the number of callbacks in the C list.
const NumCallbacks = int(C.RTLGO_CB_COUNT)

// Name returns the callback's name in the C list (the <name> of set_<name>_cb), "" if unknown.
func (c Callback) Name() string {
	p := C.rtlgo_callback_name(C.int(c))
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// CallbackNamed returns the callback called name in the C list (the <name> of set_<name>_cb),
// ok false if there is none: a test can name a callback that has no Go constant.
func CallbackNamed(name string) (cb Callback, ok bool) {
	for c := Callback(0); int(c) < NumCallbacks; c++ {
		if c.Name() == name {
			return c, true
		}
	}
	return 0, false
}

// AllCallbacks lists every callback, in list order.
func AllCallbacks() []Callback {
	out := make([]Callback, NumCallbacks)
	for i := range out {
		out[i] = Callback(i)
	}
	return out
}

// SetCallback registers the Go callback (on) through its set_*_cb setter, or sets NULL (off).
// CbCgoFree registers a C function that calls rtloader's _free.
func (r *Rtloader) SetCallback(cb Callback, on bool) {
	v := C.int(0)
	if on {
		v = 1
	}
	C.rtlgo_set_callback(r.p, C.int(cb), v)
}

// RegisterAllCallbacks registers every callback.
func (r *Rtloader) RegisterAllCallbacks() {
	for _, c := range AllCallbacks() {
		r.SetCallback(c, true)
	}
}

// UnregisterAllCallbacks sets every callback to NULL.
func (r *Rtloader) UnregisterAllCallbacks() {
	for _, c := range AllCallbacks() {
		r.SetCallback(c, false)
	}
}
