package rtloader

import "errors"

// Host is everything a Python check can ask of the program that runs it, grouped as a host
// thinks of it. Embed NopHost in your host type and implement only the methods you need:
//
//	type myHost struct{ rtloader.NopHost }
//
//	func (myHost) SubmitMetric(checkID string, t rtloader.MetricType, name string, v float64,
//		tags []string, hostname string, flushFirstValue bool) { ... }
//
// Concurrency: methods may be called from several OS threads at once (checks run from several
// goroutines; sub-interpreters; callbacks that run without the GIL), so a host must be safe for
// concurrent use. Arguments are Go copies: a host may keep them. A method must not call back
// into the Runtime (LoadCheck, Run, ...) on the same goroutine: it runs inside a Python call.
type Host interface {
	Aggregator
	Agent
	Cache
	Logger
	Tagger
	Subprocess
	Containers
	Kubernetes
}

// Aggregator receives what checks submit (the Python module aggregator).
type Aggregator interface {
	SubmitMetric(checkID string, t MetricType, name string, value float64, tags []string, hostname string, flushFirstValue bool)
	SubmitServiceCheck(checkID, name string, status ServiceCheckStatus, tags []string, hostname, message string)
	SubmitEvent(checkID string, ev Event)
	SubmitHistogramBucket(checkID, name string, value int64, lowerBound, upperBound float32, monotonic bool, hostname string, tags []string, flushFirstValue bool)
	// SubmitEventPlatformEvent receives raw bytes (not necessarily UTF-8 or NUL-free).
	SubmitEventPlatformEvent(checkID string, rawEvent []byte, eventType string)
}

// Agent answers the module datadog_agent. Values returned as `any` are marshalled to JSON for
// Python; nil means "no value" (Python gets None).
type Agent interface {
	Version() string
	Hostname() string
	ClusterName() string
	// HostTags returns the host tags (a JSON object for Python, e.g. map[string][]string).
	HostTags() any
	// Config returns the value of an Agent configuration key; ok false means unset (None).
	Config(key string) (value any, ok bool)
	// Headers returns the HTTP headers checks should send (a JSON object for Python).
	Headers() any
	TracemallocEnabled() bool
	// ProcessStartTime is the Agent's start time, in seconds since the epoch.
	ProcessStartTime() float64
	SetCheckMetadata(checkID, name, value string)
	SetExternalTags(hostname, sourceType string, tags []string)
	// The obfuscators: an error becomes a Python RuntimeError with its text. optionsJSON is ""
	// when the check passed none.
	ObfuscateSQL(query, optionsJSON string) (string, error)
	ObfuscateSQLExecPlan(plan string, normalize bool) (string, error)
	ObfuscateMongoDBString(command string) (string, error)
	// EmitAgentTelemetry: labelsJSON is "" when the check passed none.
	EmitAgentTelemetry(checkName, metricName string, value float64, metricType, labelsJSON string)
	// ReportIssue and ResolveIssue: an error is raised in Python. reportJSON is "" for None.
	ReportIssue(checkName, reportJSON string) error
	ResolveIssue(issueID string) error
}

// Cache is the persistent cache (datadog_agent.read/write_persistent_cache); called without the
// GIL, so other checks keep running meanwhile.
type Cache interface {
	WritePersistentCache(key, value string)
	// ReadPersistentCache: an error means the read failed (Python gets None).
	ReadPersistentCache(key string) (string, error)
}

// Logger receives the checks' log records and log lines.
type Logger interface {
	Log(message string, level LogLevel)
	// SendLog receives a log line (JSON) a check sends to the logs pipeline.
	SendLog(logLine, checkID string)
}

// Tagger answers tagger.tag / tagger.get_tags.
type Tagger interface {
	Tags(entityID string, cardinality TagCardinality) []string
}

// Subprocess runs the commands of _util.subprocess_output (called without the GIL). env is nil
// when the check gave none (inherit the host's environment). An error is raised in Python as
// Exception(<text>).
type Subprocess interface {
	SubprocessOutput(argv, env []string) (stdout, stderr string, returnCode int, err error)
}

// Containers answers containers.is_excluded. namespace is "" when the check passed none.
type Containers interface {
	IsExcluded(name, image, namespace string) bool
}

// Kubernetes answers kubeutil.get_connection_info (a JSON object for Python; nil: None).
type Kubernetes interface {
	ConnectionInfo() any
}

// ErrNotSupported is what NopHost's obfuscators and subprocess runner return: a check that
// needs them gets a Python exception saying so.
var ErrNotSupported = errors.New("not supported by this host")

// NopHost implements Host doing nothing: submissions are dropped, getters return zero values
// (strings "", JSON values nil, which Python sees as None), and the obfuscators and
// subprocess runner fail with ErrNotSupported. Embed it in a host type.
type NopHost struct{}

var _ Host = NopHost{}

func (NopHost) SubmitMetric(string, MetricType, string, float64, []string, string, bool)        {}
func (NopHost) SubmitServiceCheck(string, string, ServiceCheckStatus, []string, string, string) {}
func (NopHost) SubmitEvent(string, Event)                                                       {}
func (NopHost) SubmitHistogramBucket(string, string, int64, float32, float32, bool, string, []string, bool) {
}
func (NopHost) SubmitEventPlatformEvent(string, []byte, string) {}
func (NopHost) Version() string                                 { return "" }
func (NopHost) Hostname() string                                { return "" }
func (NopHost) ClusterName() string                             { return "" }
func (NopHost) HostTags() any                                   { return nil }
func (NopHost) Config(string) (any, bool)                       { return nil, false }
func (NopHost) Headers() any                                    { return nil }
func (NopHost) TracemallocEnabled() bool                        { return false }
func (NopHost) ProcessStartTime() float64                       { return 0 }
func (NopHost) SetCheckMetadata(string, string, string)         {}
func (NopHost) SetExternalTags(string, string, []string)        {}
func (NopHost) ObfuscateSQL(string, string) (string, error)     { return "", ErrNotSupported }
func (NopHost) ObfuscateSQLExecPlan(string, bool) (string, error) {
	return "", ErrNotSupported
}
func (NopHost) ObfuscateMongoDBString(string) (string, error)              { return "", ErrNotSupported }
func (NopHost) EmitAgentTelemetry(string, string, float64, string, string) {}
func (NopHost) ReportIssue(string, string) error                           { return nil }
func (NopHost) ResolveIssue(string) error                                  { return nil }
func (NopHost) WritePersistentCache(string, string)                        {}
func (NopHost) ReadPersistentCache(string) (string, error)                 { return "", nil }
func (NopHost) Log(string, LogLevel)                                       {}
func (NopHost) SendLog(string, string)                                     {}
func (NopHost) Tags(string, TagCardinality) []string                       { return nil }
func (NopHost) SubprocessOutput([]string, []string) (string, string, int, error) {
	return "", "", 0, ErrNotSupported
}
func (NopHost) IsExcluded(string, string, string) bool { return false }
func (NopHost) ConnectionInfo() any                    { return nil }
