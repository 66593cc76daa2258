package rtloader

// dispatch.go: the Host's methods as the raw callback handlers of the cgo layer
// (internal/capi). capi converts C arguments to Go values and Go results to rtloader-owned C
// memory; this file only adapts types (nullable strings, JSON values, errors). The handler set
// is installed as a whole with one atomic store and read with one atomic load per callback, so
// callbacks running on many threads at once need no lock here.

import (
	"encoding/json"

	"rtloader/internal/capi"
)

func strOrEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func errText(err error) *string {
	if err == nil {
		return nil
	}
	s := err.Error()
	return &s
}

// jsonOf marshals a host value for Python; nil (or a value that cannot be marshalled) is NULL,
// which Python sees as None.
func jsonOf(v any) *string {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	s := string(b)
	return &s
}

// handlersFor returns the capi handlers that forward every callback to h.
func handlersFor(h Host) capi.Handlers {
	return capi.Handlers{
		SubmitMetric: func(checkID string, t int, name string, v float64, tags []string, host string, flush bool) {
			h.SubmitMetric(checkID, MetricType(t), name, v, tags, host, flush)
		},
		SubmitServiceCheck: func(checkID, name string, status int, tags []string, host, message string) {
			h.SubmitServiceCheck(checkID, name, ServiceCheckStatus(status), tags, host, message)
		},
		SubmitEvent: func(checkID string, ev *capi.Event) {
			var e Event
			if ev != nil {
				e = Event{
					Title: strOrEmpty(ev.Title), Text: strOrEmpty(ev.Text), Ts: ev.Ts,
					Priority: strOrEmpty(ev.Priority), Host: strOrEmpty(ev.Host), Tags: ev.Tags,
					AlertType: strOrEmpty(ev.AlertType), AggregationKey: strOrEmpty(ev.AggregationKey),
					SourceTypeName: strOrEmpty(ev.SourceTypeName), EventType: strOrEmpty(ev.EventType),
				}
			}
			h.SubmitEvent(checkID, e)
		},
		SubmitHistogramBucket: func(checkID, name string, v int64, lo, hi float32, monotonic int, host string, tags []string, flush bool) {
			h.SubmitHistogramBucket(checkID, name, v, lo, hi, monotonic != 0, host, tags, flush)
		},
		SubmitEventPlatformEvent: h.SubmitEventPlatformEvent,

		GetVersion:     func() *string { s := h.Version(); return &s },
		GetHostname:    func() *string { s := h.Hostname(); return &s },
		GetClustername: func() *string { s := h.ClusterName(); return &s },
		GetHostTags:    func() *string { return jsonOf(h.HostTags()) },
		GetConfig: func(key string) *string {
			v, ok := h.Config(key)
			if !ok {
				return nil
			}
			if v == nil {
				s := "null"
				return &s
			}
			return jsonOf(v)
		},
		Headers:             func() *string { return jsonOf(h.Headers()) },
		TracemallocEnabled:  h.TracemallocEnabled,
		GetProcessStartTime: h.ProcessStartTime,
		SetCheckMetadata:    h.SetCheckMetadata,
		SetExternalTags:     h.SetExternalTags,
		ObfuscateSQL: func(query string, options *string) (*string, *string) {
			res, err := h.ObfuscateSQL(query, strOrEmpty(options))
			if err != nil {
				return nil, errText(err)
			}
			return &res, nil
		},
		ObfuscateSQLExecPlan: func(plan string, normalize bool) (*string, *string) {
			res, err := h.ObfuscateSQLExecPlan(plan, normalize)
			if err != nil {
				return nil, errText(err)
			}
			return &res, nil
		},
		ObfuscateMongoDBString: func(command string) (*string, *string) {
			res, err := h.ObfuscateMongoDBString(command)
			if err != nil {
				return nil, errText(err)
			}
			return &res, nil
		},
		EmitAgentTelemetry: func(checkName, metricName string, v float64, metricType string, labels *string) {
			h.EmitAgentTelemetry(checkName, metricName, v, metricType, strOrEmpty(labels))
		},
		ReportIssue: func(checkName string, report *string) *string {
			return errText(h.ReportIssue(checkName, strOrEmpty(report)))
		},
		ResolveIssue: func(id string) *string { return errText(h.ResolveIssue(id)) },

		WritePersistentCache: h.WritePersistentCache,
		ReadPersistentCache: func(key string) *string {
			v, err := h.ReadPersistentCache(key)
			if err != nil {
				return nil
			}
			return &v
		},

		Log:     func(message string, level int) { h.Log(message, LogLevel(level)) },
		SendLog: h.SendLog,

		Tags: func(entityID string, cardinality int) []string {
			tags := h.Tags(entityID, TagCardinality(cardinality))
			if tags == nil {
				return []string{}
			}
			return tags
		},

		GetSubprocessOutput: func(argv, env []string) (*string, *string, int, *string) {
			out, errOut, rc, err := h.SubprocessOutput(argv, env)
			if err != nil {
				return nil, nil, 0, errText(err)
			}
			return &out, &errOut, rc, nil
		},

		IsExcluded: func(name, image string, namespace *string) int {
			if h.IsExcluded(name, image, strOrEmpty(namespace)) {
				return 1
			}
			return 0
		},

		GetConnectionInfo: func() *string { return jsonOf(h.ConnectionInfo()) },
	}
}
