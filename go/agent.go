package rtloader

import "rtloader/internal/capi"

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

// Logger receives the checks' log records and log lines (datadog_agent.log, send_log).
type Logger interface {
	Log(message string, level LogLevel)
	// SendLog receives a log line (JSON) a check sends to the logs pipeline.
	SendLog(logLine, checkID string)
}

func (NopHost) Version() string                                            { return "" }
func (NopHost) Hostname() string                                           { return "" }
func (NopHost) ClusterName() string                                        { return "" }
func (NopHost) HostTags() any                                              { return nil }
func (NopHost) Config(string) (any, bool)                                  { return nil, false }
func (NopHost) Headers() any                                               { return nil }
func (NopHost) TracemallocEnabled() bool                                   { return false }
func (NopHost) ProcessStartTime() float64                                  { return 0 }
func (NopHost) SetCheckMetadata(string, string, string)                    {}
func (NopHost) SetExternalTags(string, string, []string)                   {}
func (NopHost) ObfuscateSQL(string, string) (string, error)                { return "", ErrNotSupported }
func (NopHost) ObfuscateSQLExecPlan(string, bool) (string, error)          { return "", ErrNotSupported }
func (NopHost) ObfuscateMongoDBString(string) (string, error)              { return "", ErrNotSupported }
func (NopHost) EmitAgentTelemetry(string, string, float64, string, string) {}
func (NopHost) ReportIssue(string, string) error                           { return nil }
func (NopHost) ResolveIssue(string) error                                  { return nil }
func (NopHost) WritePersistentCache(string, string)                        {}
func (NopHost) ReadPersistentCache(string) (string, error)                 { return "", nil }
func (NopHost) Log(string, LogLevel)                                       {}
func (NopHost) SendLog(string, string)                                     {}

func agentHandlers(h Host, hs *capi.Handlers) {
	hs.GetVersion = func() *string { s := h.Version(); return &s }
	hs.GetHostname = func() *string { s := h.Hostname(); return &s }
	hs.GetClustername = func() *string { s := h.ClusterName(); return &s }
	hs.GetHostTags = func() *string { return jsonOf(h.HostTags()) }
	hs.GetConfig = func(key string) *string {
		v, ok := h.Config(key)
		if !ok {
			return nil
		}
		if v == nil {
			s := "null"
			return &s
		}
		return jsonOf(v)
	}
	hs.Headers = func() *string { return jsonOf(h.Headers()) }
	hs.TracemallocEnabled = h.TracemallocEnabled
	hs.GetProcessStartTime = h.ProcessStartTime
	hs.SetCheckMetadata = h.SetCheckMetadata
	hs.SetExternalTags = h.SetExternalTags
	hs.ObfuscateSQL = func(query string, options *string) (*string, *string) {
		return result(h.ObfuscateSQL(query, strOrEmpty(options)))
	}
	hs.ObfuscateSQLExecPlan = func(plan string, normalize bool) (*string, *string) {
		return result(h.ObfuscateSQLExecPlan(plan, normalize))
	}
	hs.ObfuscateMongoDBString = func(command string) (*string, *string) { return result(h.ObfuscateMongoDBString(command)) }
	hs.EmitAgentTelemetry = func(checkName, metricName string, v float64, metricType string, labels *string) {
		h.EmitAgentTelemetry(checkName, metricName, v, metricType, strOrEmpty(labels))
	}
	hs.ReportIssue = func(checkName string, report *string) *string {
		return errText(h.ReportIssue(checkName, strOrEmpty(report)))
	}
	hs.ResolveIssue = func(id string) *string { return errText(h.ResolveIssue(id)) }
	hs.WritePersistentCache = h.WritePersistentCache
	hs.ReadPersistentCache = func(key string) *string {
		v, err := h.ReadPersistentCache(key)
		if err != nil {
			return nil
		}
		return &v
	}
	hs.Log = func(message string, level int) { h.Log(message, LogLevel(level)) }
	hs.SendLog = h.SendLog
}
