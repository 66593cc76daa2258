package rtloader

import "fmt"

// MetricType is the type of a submitted metric (aggregator.GAUGE, ...).
type MetricType int

// The metric types (rtloader's metric_type_t).
const (
	Gauge MetricType = iota
	Rate
	Count
	MonotonicCount
	Counter
	Histogram
	Historate
)

var metricTypeNames = [...]string{"gauge", "rate", "count", "monotonic_count", "counter", "histogram", "historate"}

func (t MetricType) String() string {
	if t >= 0 && int(t) < len(metricTypeNames) {
		return metricTypeNames[t]
	}
	return fmt.Sprintf("metric_type(%d)", int(t))
}

// ServiceCheckStatus is a service check's status (AgentCheck.OK, ...).
type ServiceCheckStatus int

// The service check statuses.
const (
	OK ServiceCheckStatus = iota
	Warning
	Critical
	Unknown
)

func (s ServiceCheckStatus) String() string {
	switch s {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	case Unknown:
		return "UNKNOWN"
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// LogLevel is the level of a check's log record (rtloader's log_level_t; other values are
// passed through).
type LogLevel int

// The log levels.
const (
	LevelTrace    LogLevel = 7
	LevelDebug    LogLevel = 10
	LevelInfo     LogLevel = 20
	LevelWarning  LogLevel = 30
	LevelError    LogLevel = 40
	LevelCritical LogLevel = 50
)

// TagCardinality is the cardinality a check asks the tagger for.
type TagCardinality int

// The tagger cardinalities (tagger.LOW, ORCHESTRATOR, HIGH).
const (
	LowCardinality TagCardinality = iota
	OrchestratorCardinality
	HighCardinality
)

// Event is an event a check submitted (aggregator.submit_event). A field the check left out is
// "" (Ts 0, Tags nil).
type Event struct {
	Title, Text, Priority, Host, AlertType, AggregationKey, SourceTypeName, EventType string
	Ts                                                                                int64
	Tags                                                                              []string
}

// Diagnosis is one entry of a check's get_diagnoses() result.
type Diagnosis struct {
	Result      DiagnosisResult `json:"result"`
	Name        string          `json:"name,omitempty"`
	Diagnosis   string          `json:"diagnosis"`
	Category    string          `json:"category,omitempty"`
	Description string          `json:"description,omitempty"`
	Remediation string          `json:"remediation,omitempty"`
	RawError    string          `json:"rawerror,omitempty"`
}

// DiagnosisResult is a diagnosis' outcome.
type DiagnosisResult int

// The diagnosis results.
const (
	DiagnosisSuccess DiagnosisResult = iota
	DiagnosisNotEnabled
	DiagnosisFail
	DiagnosisWarning
	DiagnosisUnexpectedError
)

// MemoryStats are rtloader's counters of its own C allocations (Options.TrackMemory).
type MemoryStats struct {
	Allocations, AllocatedBytes, Frees, FreedBytes uint64
	InuseBytes                                     int64
}
