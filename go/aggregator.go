package rtloader

import "rtloader/internal/capi"

// Aggregator receives what checks submit (the Python module aggregator).
type Aggregator interface {
	SubmitMetric(checkID string, t MetricType, name string, value float64, tags []string, hostname string, flushFirstValue bool)
	SubmitServiceCheck(checkID, name string, status ServiceCheckStatus, tags []string, hostname, message string)
	SubmitEvent(checkID string, ev Event)
	SubmitHistogramBucket(checkID, name string, value int64, lowerBound, upperBound float32, monotonic bool, hostname string, tags []string, flushFirstValue bool)
	// SubmitEventPlatformEvent receives raw bytes (not necessarily UTF-8 or NUL-free).
	SubmitEventPlatformEvent(checkID string, rawEvent []byte, eventType string)
}

func (NopHost) SubmitMetric(string, MetricType, string, float64, []string, string, bool)        {}
func (NopHost) SubmitServiceCheck(string, string, ServiceCheckStatus, []string, string, string) {}
func (NopHost) SubmitEvent(string, Event)                                                       {}
func (NopHost) SubmitHistogramBucket(string, string, int64, float32, float32, bool, string, []string, bool) {
}
func (NopHost) SubmitEventPlatformEvent(string, []byte, string) {}

func aggregatorHandlers(h Aggregator, hs *capi.Handlers) {
	hs.SubmitMetric = func(checkID string, t int, name string, v float64, tags []string, host string, flush bool) {
		h.SubmitMetric(checkID, MetricType(t), name, v, tags, host, flush)
	}
	hs.SubmitServiceCheck = func(checkID, name string, status int, tags []string, host, message string) {
		h.SubmitServiceCheck(checkID, name, ServiceCheckStatus(status), tags, host, message)
	}
	hs.SubmitEvent = func(checkID string, ev *capi.Event) {
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
	}
	hs.SubmitHistogramBucket = func(checkID, name string, v int64, lo, hi float32, monotonic int, host string, tags []string, flush bool) {
		h.SubmitHistogramBucket(checkID, name, v, lo, hi, monotonic != 0, host, tags, flush)
	}
	hs.SubmitEventPlatformEvent = h.SubmitEventPlatformEvent
}
