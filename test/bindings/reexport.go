// Package bindings is the test suite's name for rtloader's one cgo layer, the internal package
// rtloader/internal/capi of the Go module in go/ (which the public package rtloader is built on
// too). It holds no cgo of its own: every name here is capi's (see its documentation for the
// conventions: NULL strings, (value, ok) results, EnsureGIL/ReleaseGIL and the thread lock).
// Tests use it for what the public package must not expose: raw PyObjects and GIL states,
// single C calls with NULL arguments, callbacks unset one by one, fault injection.
package bindings

import "rtloader/internal/capi"

// NULL is a sentinel string argument passed to C as a NULL pointer.
const NULL = capi.NULL

// GIL states returned by EnsureGIL.
const (
	GILLocked   = capi.GILLocked
	GILUnlocked = capi.GILUnlocked
)

// Types (aliases: values move freely between bindings and capi).
type (
	Callback    = capi.Callback
	Event       = capi.Event
	Handlers    = capi.Handlers
	MemoryStats = capi.MemoryStats
	PyInfo      = capi.PyInfo
	PyObject    = capi.PyObject
	Rtloader    = capi.Rtloader
)

// The callbacks (values from the C callback list).
const (
	CbSubmitMetric             = capi.CbSubmitMetric
	CbSubmitServiceCheck       = capi.CbSubmitServiceCheck
	CbSubmitEvent              = capi.CbSubmitEvent
	CbSubmitHistogramBucket    = capi.CbSubmitHistogramBucket
	CbSubmitEventPlatformEvent = capi.CbSubmitEventPlatformEvent
	CbGetVersion               = capi.CbGetVersion
	CbGetConfig                = capi.CbGetConfig
	CbHeaders                  = capi.CbHeaders
	CbGetHostname              = capi.CbGetHostname
	CbGetHostTags              = capi.CbGetHostTags
	CbGetClustername           = capi.CbGetClustername
	CbTracemallocEnabled       = capi.CbTracemallocEnabled
	CbLog                      = capi.CbLog
	CbSendLog                  = capi.CbSendLog
	CbSetCheckMetadata         = capi.CbSetCheckMetadata
	CbSetExternalTags          = capi.CbSetExternalTags
	CbWritePersistentCache     = capi.CbWritePersistentCache
	CbReadPersistentCache      = capi.CbReadPersistentCache
	CbObfuscateSQL             = capi.CbObfuscateSQL
	CbObfuscateSQLExecPlan     = capi.CbObfuscateSQLExecPlan
	CbGetProcessStartTime      = capi.CbGetProcessStartTime
	CbObfuscateMongoDBString   = capi.CbObfuscateMongoDBString
	CbEmitAgentTelemetry       = capi.CbEmitAgentTelemetry
	CbReportIssue              = capi.CbReportIssue
	CbResolveIssue             = capi.CbResolveIssue
	CbGetSubprocessOutput      = capi.CbGetSubprocessOutput
	CbCgoFree                  = capi.CbCgoFree
	CbTags                     = capi.CbTags
	CbGetConnectionInfo        = capi.CbGetConnectionInfo
	CbIsExcluded               = capi.CbIsExcluded
)

// NumCallbacks is the number of callbacks in the C list.
const NumCallbacks = capi.NumCallbacks

// Functions.
var (
	AllCallbacks                = capi.AllCallbacks
	CallbackNamed               = capi.CallbackNamed
	DestroyNil                  = capi.DestroyNil
	EnableMemoryTracker         = capi.EnableMemoryTracker
	EnableMemoryTrackerInternal = capi.EnableMemoryTrackerInternal
	FaultArm                    = capi.FaultArm
	FaultDisarm                 = capi.FaultDisarm
	Free                        = capi.Free
	GetAndResetMemoryStats      = capi.GetAndResetMemoryStats
	GoStringAt                  = capi.GoStringAt
	HandleCrashes               = capi.HandleCrashes
	InstallFaultyMalloc         = capi.InstallFaultyMalloc
	LeakCheck                   = capi.LeakCheck
	Make3                       = capi.Make3
	LastMade                    = capi.LastMade
	Malloc                      = capi.Malloc
	ResetHandlers               = capi.ResetHandlers
	Segfault                    = capi.Segfault
	SetBeforeMake3              = capi.SetBeforeMake3
	SetBeforeInit               = capi.SetBeforeInit
	SetHandlers                 = capi.SetHandlers
	Str                         = capi.Str
	Strdupe                     = capi.Strdupe
	StrdupeRaw                  = capi.StrdupeRaw
	TrackedAllocatorsInstalled  = capi.TrackedAllocatorsInstalled
	UpdateHandlers              = capi.UpdateHandlers
)
