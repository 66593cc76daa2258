package capi

/*
#include "cgo_helpers.h"
*/
import "C"

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// Event is the Go view of an event_t handed to the submit_event callback. A string field is nil
// when rtloader passed NULL (the Python dict lacked the key); Tags is nil for a NULL array.
type Event struct {
	Title          *string
	Text           *string
	Ts             int64
	Priority       *string
	Host           *string
	Tags           []string
	AlertType      *string
	AggregationKey *string
	SourceTypeName *string
	EventType      *string
}

// Handlers holds one Go function per rtloader callback. A nil field makes the (registered)
// callback behave as a harmless default: it records nothing, returns NULL / false / 0, and
// leaves every out-parameter NULL.
//
// Strings rtloader passes in are copied into Go strings (a NULL char * becomes "" unless the
// parameter is a *string, where it becomes nil). Strings a handler returns through a *string are
// copied into memory allocated with rtloader's own _malloc, which rtloader releases through the
// registered cgo_free (rtloader's _free), so the memory tracker balances. A nil *string result
// means NULL. Go strings may hold any bytes, including invalid UTF-8.
type Handlers struct {
	// AggregatorEnter, when set, runs as each tag-taking aggregator callback (submit_metric,
	// submit_service_check, submit_event, submit_histogram_bucket) is entered, before any of its
	// arguments is read. Tests use it to run Python inside a callback, which the header forbids
	// real hosts, and then check what the callback received.
	AggregatorEnter func()
	// aggregator
	SubmitMetric             func(checkID string, mtype int, name string, value float64, tags []string, hostname string, flushFirstValue bool)
	SubmitServiceCheck       func(checkID, name string, status int, tags []string, hostname, message string)
	SubmitEvent              func(checkID string, ev *Event)
	SubmitHistogramBucket    func(checkID, name string, value int64, lowerBound, upperBound float32, monotonic int, hostname string, tags []string, flushFirstValue bool)
	SubmitEventPlatformEvent func(checkID string, rawEvent []byte, eventType string)
	// datadog_agent
	GetVersion             func() *string
	GetConfig              func(key string) *string
	Headers                func() *string
	GetHostname            func() *string
	GetHostTags            func() *string
	GetClustername         func() *string
	TracemallocEnabled     func() bool
	Log                    func(message string, level int)
	SendLog                func(logLine, checkID string)
	SetCheckMetadata       func(checkID, name, value string)
	SetExternalTags        func(hostname, sourceType string, tags []string)
	WritePersistentCache   func(key, value string)
	ReadPersistentCache    func(key string) *string
	ObfuscateSQL           func(query string, options *string) (result, err *string)
	ObfuscateSQLExecPlan   func(plan string, normalize bool) (result, err *string)
	GetProcessStartTime    func() float64
	ObfuscateMongoDBString func(command string) (result, err *string)
	EmitAgentTelemetry     func(checkName, metricName string, value float64, metricType string, labels *string)
	ReportIssue            func(checkName string, report *string) (err *string)
	ResolveIssue           func(issueID string) (err *string)
	// _util: argv; env is nil for a NULL env array.
	GetSubprocessOutput func(argv []string, env []string) (stdout, stderr *string, retCode int, exception *string)
	// tagger: a nil result means a NULL array.
	Tags func(entityID string, cardinality int) []string
	// kubeutil
	GetConnectionInfo func() *string
	// containers
	IsExcluded func(name, image string, namespace *string) int
}

// handlers is the current set, replaced as a whole (never modified in place), so a callback
// running on any thread reads a consistent set with one atomic load and no lock: callbacks may
// run on many threads at once (sub-interpreters, GIL-released callbacks).
var (
	handlers   atomic.Pointer[Handlers]
	handlersMu sync.Mutex // serialises the writers (SetHandlers, UpdateHandlers)
)

func init() { handlers.Store(&Handlers{}) }

// SetHandlers installs h as the current set of handlers and returns the previous set.
func SetHandlers(h Handlers) Handlers {
	handlersMu.Lock()
	defer handlersMu.Unlock()
	return *handlers.Swap(&h)
}

// UpdateHandlers lets f modify a copy of the current handlers, installs the copy, and returns a
// function that restores the previous set (handy with t.Cleanup).
func UpdateHandlers(f func(h *Handlers)) (restore func()) {
	handlersMu.Lock()
	old := *handlers.Load()
	h := old
	f(&h)
	handlers.Store(&h)
	handlersMu.Unlock()
	return func() { SetHandlers(old) }
}

// ResetHandlers clears every handler (all callbacks back to their harmless defaults).
func ResetHandlers() { SetHandlers(Handlers{}) }

func current() *Handlers { return handlers.Load() }

// Str returns a pointer to s (for *string handler results and nullable arguments).
func Str(s string) *string { return &s }

// --- conversions ------------------------------------------------------------------------------

func goStr(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

func goStrPtr(p *C.char) *string {
	if p == nil {
		return nil
	}
	s := C.GoString(p)
	return &s
}

// goStrings converts a NULL-terminated char ** (nil for NULL).
func goStrings(a **C.char) []string {
	if a == nil {
		return nil
	}
	out := []string{}
	for i := 0; ; i++ {
		p := *(**C.char)(unsafe.Pointer(uintptr(unsafe.Pointer(a)) + uintptr(i)*unsafe.Sizeof(a)))
		if p == nil {
			return out
		}
		out = append(out, C.GoString(p))
	}
}

// rtString copies s into a _malloc'ed C string owned by rtloader from now on.
func rtString(s string) *C.char {
	if len(s) == 0 {
		return C.rtlgo_strndup(nil, 0)
	}
	b := []byte(s)
	return C.rtlgo_strndup((*C.char)(unsafe.Pointer(&b[0])), C.size_t(len(b)))
}

func rtStringPtr(s *string) *C.char {
	if s == nil {
		return nil
	}
	return rtString(*s)
}

// setOut stores a _malloc'ed copy of s (or NULL) in *out, when out is not NULL.
func setOut(out **C.char, s *string) {
	if out == nil {
		return
	}
	*out = rtStringPtr(s)
}

// --- exported callbacks --------------------------------------------------------------------------

func aggregatorEnter() {
	if f := current().AggregatorEnter; f != nil {
		f()
	}
}

//export rtlgo_cb_submit_metric
func rtlgo_cb_submit_metric(checkID *C.char, mtype C.metric_type_t, name *C.char, value C.double, tags **C.char, hostname *C.char, flush C.bool) {
	aggregatorEnter()
	if h := current().SubmitMetric; h != nil {
		// metric_type_t is unsigned in cgo, but rtloader passes Python's int through: signed.
		h(goStr(checkID), int(int32(mtype)), goStr(name), float64(value), goStrings(tags), goStr(hostname), bool(flush))
	}
}

//export rtlgo_cb_submit_service_check
func rtlgo_cb_submit_service_check(checkID *C.char, name *C.char, status C.int, tags **C.char, hostname *C.char, message *C.char) {
	aggregatorEnter()
	if h := current().SubmitServiceCheck; h != nil {
		h(goStr(checkID), goStr(name), int(status), goStrings(tags), goStr(hostname), goStr(message))
	}
}

//export rtlgo_cb_submit_event
func rtlgo_cb_submit_event(checkID *C.char, ev *C.event_t) {
	aggregatorEnter()
	h := current().SubmitEvent
	if h == nil {
		return
	}
	if ev == nil {
		h(goStr(checkID), nil)
		return
	}
	h(goStr(checkID), &Event{
		Title:          goStrPtr(ev.title),
		Text:           goStrPtr(ev.text),
		Ts:             int64(ev.ts),
		Priority:       goStrPtr(ev.priority),
		Host:           goStrPtr(ev.host),
		Tags:           goStrings(ev.tags),
		AlertType:      goStrPtr(ev.alert_type),
		AggregationKey: goStrPtr(ev.aggregation_key),
		SourceTypeName: goStrPtr(ev.source_type_name),
		EventType:      goStrPtr(ev.event_type),
	})
}

//export rtlgo_cb_submit_histogram_bucket
func rtlgo_cb_submit_histogram_bucket(checkID *C.char, name *C.char, value C.longlong, lower C.float, upper C.float, monotonic C.int, hostname *C.char, tags **C.char, flush C.bool) {
	aggregatorEnter()
	if h := current().SubmitHistogramBucket; h != nil {
		h(goStr(checkID), goStr(name), int64(value), float32(lower), float32(upper), int(monotonic), goStr(hostname), goStrings(tags), bool(flush))
	}
}

//export rtlgo_cb_submit_event_platform_event
func rtlgo_cb_submit_event_platform_event(checkID *C.char, raw *C.char, rawLen C.int, eventType *C.char) {
	if h := current().SubmitEventPlatformEvent; h != nil {
		var b []byte
		if raw != nil {
			b = C.GoBytes(unsafe.Pointer(raw), rawLen)
		}
		h(goStr(checkID), b, goStr(eventType))
	}
}

func getter(h func() *string, out **C.char) {
	if h != nil {
		setOut(out, h())
	}
}

//export rtlgo_cb_get_version
func rtlgo_cb_get_version(out **C.char) { getter(current().GetVersion, out) }

//export rtlgo_cb_get_config
func rtlgo_cb_get_config(key *C.char, out **C.char) {
	if h := current().GetConfig; h != nil {
		setOut(out, h(goStr(key)))
	}
}

//export rtlgo_cb_headers
func rtlgo_cb_headers(out **C.char) { getter(current().Headers, out) }

//export rtlgo_cb_get_hostname
func rtlgo_cb_get_hostname(out **C.char) { getter(current().GetHostname, out) }

//export rtlgo_cb_get_host_tags
func rtlgo_cb_get_host_tags(out **C.char) { getter(current().GetHostTags, out) }

//export rtlgo_cb_get_clustername
func rtlgo_cb_get_clustername(out **C.char) { getter(current().GetClustername, out) }

//export rtlgo_cb_tracemalloc_enabled
func rtlgo_cb_tracemalloc_enabled() C.bool {
	if h := current().TracemallocEnabled; h != nil {
		return C.bool(h())
	}
	return false
}

//export rtlgo_cb_log
func rtlgo_cb_log(message *C.char, level C.int) {
	if h := current().Log; h != nil {
		h(goStr(message), int(level))
	}
}

//export rtlgo_cb_send_log
func rtlgo_cb_send_log(logLine *C.char, checkID *C.char) {
	if h := current().SendLog; h != nil {
		h(goStr(logLine), goStr(checkID))
	}
}

//export rtlgo_cb_set_check_metadata
func rtlgo_cb_set_check_metadata(checkID, name, value *C.char) {
	if h := current().SetCheckMetadata; h != nil {
		h(goStr(checkID), goStr(name), goStr(value))
	}
}

//export rtlgo_cb_set_external_tags
func rtlgo_cb_set_external_tags(hostname, sourceType *C.char, tags **C.char) {
	if h := current().SetExternalTags; h != nil {
		h(goStr(hostname), goStr(sourceType), goStrings(tags))
	}
}

//export rtlgo_cb_write_persistent_cache
func rtlgo_cb_write_persistent_cache(key, value *C.char) {
	if h := current().WritePersistentCache; h != nil {
		h(goStr(key), goStr(value))
	}
}

//export rtlgo_cb_read_persistent_cache
func rtlgo_cb_read_persistent_cache(key *C.char) *C.char {
	if h := current().ReadPersistentCache; h != nil {
		return rtStringPtr(h(goStr(key)))
	}
	return nil
}

//export rtlgo_cb_obfuscate_sql
func rtlgo_cb_obfuscate_sql(query, options *C.char, errOut **C.char) *C.char {
	if h := current().ObfuscateSQL; h != nil {
		res, err := h(goStr(query), goStrPtr(options))
		setOut(errOut, err)
		return rtStringPtr(res)
	}
	return nil
}

//export rtlgo_cb_obfuscate_sql_exec_plan
func rtlgo_cb_obfuscate_sql_exec_plan(plan *C.char, normalize C.bool, errOut **C.char) *C.char {
	if h := current().ObfuscateSQLExecPlan; h != nil {
		res, err := h(goStr(plan), bool(normalize))
		setOut(errOut, err)
		return rtStringPtr(res)
	}
	return nil
}

//export rtlgo_cb_get_process_start_time
func rtlgo_cb_get_process_start_time() C.double {
	if h := current().GetProcessStartTime; h != nil {
		return C.double(h())
	}
	return 0
}

//export rtlgo_cb_obfuscate_mongodb_string
func rtlgo_cb_obfuscate_mongodb_string(command *C.char, errOut **C.char) *C.char {
	if h := current().ObfuscateMongoDBString; h != nil {
		res, err := h(goStr(command))
		setOut(errOut, err)
		return rtStringPtr(res)
	}
	return nil
}

//export rtlgo_cb_emit_agent_telemetry
func rtlgo_cb_emit_agent_telemetry(checkName, metricName *C.char, value C.double, metricType, labels *C.char) {
	if h := current().EmitAgentTelemetry; h != nil {
		h(goStr(checkName), goStr(metricName), float64(value), goStr(metricType), goStrPtr(labels))
	}
}

//export rtlgo_cb_report_issue
func rtlgo_cb_report_issue(checkName, report *C.char, errOut **C.char) {
	if h := current().ReportIssue; h != nil {
		setOut(errOut, h(goStr(checkName), goStrPtr(report)))
	}
}

//export rtlgo_cb_resolve_issue
func rtlgo_cb_resolve_issue(issueID *C.char, errOut **C.char) {
	if h := current().ResolveIssue; h != nil {
		setOut(errOut, h(goStr(issueID)))
	}
}

//export rtlgo_cb_get_subprocess_output
func rtlgo_cb_get_subprocess_output(argv **C.char, env **C.char, stdout **C.char, stderr **C.char, retCode *C.int, exception **C.char) {
	h := current().GetSubprocessOutput
	if h == nil {
		return
	}
	out, errs, rc, exc := h(goStrings(argv), goStrings(env))
	setOut(stdout, out)
	setOut(stderr, errs)
	if retCode != nil {
		*retCode = C.int(rc)
	}
	setOut(exception, exc)
}

//export rtlgo_cb_tags
func rtlgo_cb_tags(entityID *C.char, cardinality C.int) **C.char {
	h := current().Tags
	if h == nil {
		return nil
	}
	tags := h(goStr(entityID), int(cardinality))
	if tags == nil {
		return nil
	}
	arr := C.rtlgo_alloc_array(C.size_t(len(tags)))
	if arr == nil {
		return nil
	}
	for i, t := range tags {
		slot := (**C.char)(unsafe.Pointer(uintptr(unsafe.Pointer(arr)) + uintptr(i)*unsafe.Sizeof(arr)))
		if *slot = rtString(t); *slot == nil {
			// A failed copy would end the array early and strand the copies after it: hand
			// back no array at all, as a host that cannot allocate would.
			for j := 0; j < i; j++ {
				C.rtlgo_free(unsafe.Pointer(*(**C.char)(unsafe.Pointer(uintptr(unsafe.Pointer(arr)) + uintptr(j)*unsafe.Sizeof(arr)))))
			}
			C.rtlgo_free(unsafe.Pointer(arr))
			return nil
		}
	}
	return arr
}

//export rtlgo_cb_get_connection_info
func rtlgo_cb_get_connection_info(out **C.char) { getter(current().GetConnectionInfo, out) }

//export rtlgo_cb_is_excluded
func rtlgo_cb_is_excluded(name, image, namespace *C.char) C.int {
	if h := current().IsExcluded; h != nil {
		return C.int(h(goStr(name), goStr(image), goStrPtr(namespace)))
	}
	return 0
}
