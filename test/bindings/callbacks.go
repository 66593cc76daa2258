package bindings

/*
#include "cgo_helpers.h"
*/
import "C"

import (
	"sync"
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

var (
	handlersMu sync.RWMutex
	handlers   Handlers
)

// SetHandlers installs h as the current set of handlers and returns the previous set.
func SetHandlers(h Handlers) Handlers {
	handlersMu.Lock()
	defer handlersMu.Unlock()
	old := handlers
	handlers = h
	return old
}

// UpdateHandlers lets f modify the current handlers in place and returns a function that
// restores the previous set (handy with t.Cleanup).
func UpdateHandlers(f func(h *Handlers)) (restore func()) {
	handlersMu.Lock()
	old := handlers
	f(&handlers)
	handlersMu.Unlock()
	return func() { SetHandlers(old) }
}

// ResetHandlers clears every handler (all callbacks back to their harmless defaults).
func ResetHandlers() { SetHandlers(Handlers{}) }

func current() Handlers {
	handlersMu.RLock()
	defer handlersMu.RUnlock()
	return handlers
}

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

//export goSubmitMetric
func goSubmitMetric(checkID *C.char, mtype C.metric_type_t, name *C.char, value C.double, tags **C.char, hostname *C.char, flush C.bool) {
	aggregatorEnter()
	if h := current().SubmitMetric; h != nil {
		// metric_type_t is unsigned in cgo, but rtloader passes Python's int through: signed.
		h(goStr(checkID), int(int32(mtype)), goStr(name), float64(value), goStrings(tags), goStr(hostname), bool(flush))
	}
}

//export goSubmitServiceCheck
func goSubmitServiceCheck(checkID *C.char, name *C.char, status C.int, tags **C.char, hostname *C.char, message *C.char) {
	aggregatorEnter()
	if h := current().SubmitServiceCheck; h != nil {
		h(goStr(checkID), goStr(name), int(status), goStrings(tags), goStr(hostname), goStr(message))
	}
}

//export goSubmitEvent
func goSubmitEvent(checkID *C.char, ev *C.event_t) {
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

//export goSubmitHistogramBucket
func goSubmitHistogramBucket(checkID *C.char, name *C.char, value C.longlong, lower C.float, upper C.float, monotonic C.int, hostname *C.char, tags **C.char, flush C.bool) {
	aggregatorEnter()
	if h := current().SubmitHistogramBucket; h != nil {
		h(goStr(checkID), goStr(name), int64(value), float32(lower), float32(upper), int(monotonic), goStr(hostname), goStrings(tags), bool(flush))
	}
}

//export goSubmitEventPlatformEvent
func goSubmitEventPlatformEvent(checkID *C.char, raw *C.char, rawLen C.int, eventType *C.char) {
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

//export goGetVersion
func goGetVersion(out **C.char) { getter(current().GetVersion, out) }

//export goGetConfig
func goGetConfig(key *C.char, out **C.char) {
	if h := current().GetConfig; h != nil {
		setOut(out, h(goStr(key)))
	}
}

//export goHeaders
func goHeaders(out **C.char) { getter(current().Headers, out) }

//export goGetHostname
func goGetHostname(out **C.char) { getter(current().GetHostname, out) }

//export goGetHostTags
func goGetHostTags(out **C.char) { getter(current().GetHostTags, out) }

//export goGetClustername
func goGetClustername(out **C.char) { getter(current().GetClustername, out) }

//export goTracemallocEnabled
func goTracemallocEnabled() C.bool {
	if h := current().TracemallocEnabled; h != nil {
		return C.bool(h())
	}
	return false
}

//export goLog
func goLog(message *C.char, level C.int) {
	if h := current().Log; h != nil {
		h(goStr(message), int(level))
	}
}

//export goSendLog
func goSendLog(logLine *C.char, checkID *C.char) {
	if h := current().SendLog; h != nil {
		h(goStr(logLine), goStr(checkID))
	}
}

//export goSetCheckMetadata
func goSetCheckMetadata(checkID, name, value *C.char) {
	if h := current().SetCheckMetadata; h != nil {
		h(goStr(checkID), goStr(name), goStr(value))
	}
}

//export goSetExternalTags
func goSetExternalTags(hostname, sourceType *C.char, tags **C.char) {
	if h := current().SetExternalTags; h != nil {
		h(goStr(hostname), goStr(sourceType), goStrings(tags))
	}
}

//export goWritePersistentCache
func goWritePersistentCache(key, value *C.char) {
	if h := current().WritePersistentCache; h != nil {
		h(goStr(key), goStr(value))
	}
}

//export goReadPersistentCache
func goReadPersistentCache(key *C.char) *C.char {
	if h := current().ReadPersistentCache; h != nil {
		return rtStringPtr(h(goStr(key)))
	}
	return nil
}

//export goObfuscateSQL
func goObfuscateSQL(query, options *C.char, errOut **C.char) *C.char {
	if h := current().ObfuscateSQL; h != nil {
		res, err := h(goStr(query), goStrPtr(options))
		setOut(errOut, err)
		return rtStringPtr(res)
	}
	return nil
}

//export goObfuscateSQLExecPlan
func goObfuscateSQLExecPlan(plan *C.char, normalize C.bool, errOut **C.char) *C.char {
	if h := current().ObfuscateSQLExecPlan; h != nil {
		res, err := h(goStr(plan), bool(normalize))
		setOut(errOut, err)
		return rtStringPtr(res)
	}
	return nil
}

//export goGetProcessStartTime
func goGetProcessStartTime() C.double {
	if h := current().GetProcessStartTime; h != nil {
		return C.double(h())
	}
	return 0
}

//export goObfuscateMongoDBString
func goObfuscateMongoDBString(command *C.char, errOut **C.char) *C.char {
	if h := current().ObfuscateMongoDBString; h != nil {
		res, err := h(goStr(command))
		setOut(errOut, err)
		return rtStringPtr(res)
	}
	return nil
}

//export goEmitAgentTelemetry
func goEmitAgentTelemetry(checkName, metricName *C.char, value C.double, metricType, labels *C.char) {
	if h := current().EmitAgentTelemetry; h != nil {
		h(goStr(checkName), goStr(metricName), float64(value), goStr(metricType), goStrPtr(labels))
	}
}

//export goReportIssue
func goReportIssue(checkName, report *C.char, errOut **C.char) {
	if h := current().ReportIssue; h != nil {
		setOut(errOut, h(goStr(checkName), goStrPtr(report)))
	}
}

//export goResolveIssue
func goResolveIssue(issueID *C.char, errOut **C.char) {
	if h := current().ResolveIssue; h != nil {
		setOut(errOut, h(goStr(issueID)))
	}
}

//export goGetSubprocessOutput
func goGetSubprocessOutput(argv **C.char, env **C.char, stdout **C.char, stderr **C.char, retCode *C.int, exception **C.char) {
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

//export goTags
func goTags(entityID *C.char, cardinality C.int) **C.char {
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

//export goGetConnectionInfo
func goGetConnectionInfo(out **C.char) { getter(current().GetConnectionInfo, out) }

//export goIsExcluded
func goIsExcluded(name, image, namespace *C.char) C.int {
	if h := current().IsExcluded; h != nil {
		return C.int(h(goStr(name), goStr(image), goStrPtr(namespace)))
	}
	return 0
}
