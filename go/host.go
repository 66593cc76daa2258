package rtloader

// host.go: the Host interface and how its methods become the cgo layer's callback handlers.
// Each group's interface, NopHost's defaults for it and its part of the handler set live
// together, one file per Python module (aggregator.go, agent.go for datadog_agent,
// system.go for tagger, _util, containers and kubeutil): adding a callback touches one of them.
// capi converts C arguments to Go values and Go results to rtloader-owned C memory; these files
// only adapt types (nullable strings, JSON values, errors). The handler set is installed as a
// whole with one atomic store and read with one atomic load per callback, so callbacks running
// on many threads at once need no lock here.

import (
	"encoding/json"
	"errors"

	"rtloader/internal/capi"
)

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

// ErrNotSupported is what NopHost's obfuscators and subprocess runner return: a check that
// needs them gets a Python exception saying so.
var ErrNotSupported = errors.New("not supported by this host")

// NopHost implements Host doing nothing: submissions are dropped, getters return zero values
// (strings "", JSON values nil, which Python sees as None), and the obfuscators and
// subprocess runner fail with ErrNotSupported. Embed it in a host type.
type NopHost struct{}

var _ Host = NopHost{}

// handlersFor returns the capi handlers that forward every callback to h.
func handlersFor(h Host) capi.Handlers {
	var hs capi.Handlers
	aggregatorHandlers(h, &hs)
	agentHandlers(h, &hs)
	systemHandlers(h, &hs)
	return hs
}

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

// result is a host's (value, error) answer as the (result, error message) pair of C.
func result(v string, err error) (*string, *string) {
	if err != nil {
		return nil, errText(err)
	}
	return &v, nil
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
