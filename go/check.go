package rtloader

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sync"

	"rtloader/internal/capi"
)

// RawConfig is configuration text passed to the check as is (JSON, or YAML when the check base
// can parse it, as the Agent's datadog_checks_base does), instead of a Go value to marshal.
type RawConfig string

// Check is a loaded check instance. Its methods are safe for concurrent use; Close it when done.
type Check struct {
	rt   *Runtime
	name string
	id   string
	mu   sync.RWMutex // Close takes it exclusively; Run, Cancel and Diagnoses share it
	obj  capi.PyObject
}

// configText marshals a configuration value for get_check (nil: an empty mapping).
func configText(v any) (string, error) {
	switch c := v.(type) {
	case nil:
		return "{}", nil
	case RawConfig:
		return string(c), nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// LoadCheck imports the Python module name (from the Python paths), finds its check class and
// instantiates it with initConfig and instance: Go values marshalled to JSON (a map or struct;
// nil is an empty mapping), or RawConfig text. The check's ID is "<name>:<hash of the
// configuration>", as the Agent builds it.
func (r *Runtime) LoadCheck(name string, initConfig, instance any) (*Check, error) {
	ic, err := configText(initConfig)
	if err != nil {
		return nil, fmt.Errorf("rtloader: %s: init config: %w", name, err)
	}
	inst, err := configText(instance)
	if err != nil {
		return nil, fmt.Errorf("rtloader: %s: instance: %w", name, err)
	}
	h := fnv.New64a()
	h.Write([]byte(inst))
	h.Write([]byte{0})
	h.Write([]byte(ic))
	c := &Check{rt: r, name: name, id: fmt.Sprintf("%s:%016x", name, h.Sum64())}
	err = r.withGIL(func(rt *capi.Rtloader) error {
		mod, class, ok := rt.GetClass(name)
		if !ok {
			return fail(rt, "get_class")
		}
		rt.Decref(mod)
		defer rt.Decref(class)
		obj, ok := rt.GetCheck(class, ic, inst, c.id, name, "")
		if !ok {
			return fail(rt, "get_check")
		}
		c.obj = obj
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Name returns the check's module name; ID its check ID (the checkID the Host receives).
func (c *Check) Name() string { return c.name }

// ID returns the check ID passed to the Host's callbacks for this instance.
func (c *Check) ID() string { return c.id }

// withObj runs f with the GIL and the check object (an error after Close).
func (c *Check) withObj(f func(rt *capi.Rtloader, obj capi.PyObject) error) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.obj == nil {
		return fmt.Errorf("rtloader: check %s is closed", c.id)
	}
	return c.rt.withGIL(func(rt *capi.Rtloader) error { return f(rt, c.obj) })
}

// Run runs the check once (run_check) and returns the warnings it reported
// (get_checks_warnings). A check that failed gives a *CheckError with its messages and
// tracebacks; an rtloader failure an *Error.
//
// When ctx ends during the run, the check is asked to stop (cancel_check, which calls its
// cancel() method); Python cannot be interrupted, so Run still waits for run() to return, then
// returns an error wrapping ctx.Err(). A ctx already done skips the run.
func (c *Check) Run(ctx context.Context) (warnings []string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.RLock() // held until the watcher is done, so Close waits for both
	defer c.mu.RUnlock()
	if c.obj == nil {
		return nil, fmt.Errorf("rtloader: check %s is closed", c.id)
	}
	var cancelled bool
	if done := ctx.Done(); done != nil {
		finished := make(chan struct{})
		watcher := make(chan struct{})
		go func() {
			defer close(watcher)
			select {
			case <-done:
				cancelled = true
				_ = c.rt.withGIL(func(rt *capi.Rtloader) error { rt.CancelCheck(c.obj); return nil })
			case <-finished:
			}
		}()
		defer func() {
			close(finished)
			<-watcher
			if cancelled {
				if err != nil {
					err = fmt.Errorf("check %s cancelled (%w): %v", c.id, ctx.Err(), err)
				} else {
					err = fmt.Errorf("check %s cancelled: %w", c.id, ctx.Err())
				}
			}
		}()
	}
	var result string
	err = c.rt.withGIL(func(rt *capi.Rtloader) error {
		res, ok := rt.RunCheck(c.obj)
		if !ok {
			return fail(rt, "run_check")
		}
		result = res
		warnings = rt.GetChecksWarnings(c.obj)
		if warnings == nil && rt.HasError() {
			return fail(rt, "get_checks_warnings")
		}
		return nil
	})
	if err != nil || result == "" {
		return warnings, err
	}
	ce := &CheckError{CheckID: c.id}
	if json.Unmarshal([]byte(result), &ce.Failures) != nil || len(ce.Failures) == 0 {
		ce.Failures = []CheckFailure{{Message: result}}
	}
	return warnings, ce
}

// Cancel asks a running check to stop (cancel_check); Run's context does it for you.
func (c *Check) Cancel() error {
	return c.withObj(func(rt *capi.Rtloader, obj capi.PyObject) error {
		rt.CancelCheck(obj)
		if rt.HasError() {
			return fail(rt, "cancel_check")
		}
		return nil
	})
}

// Diagnoses returns what the check's get_diagnoses() reports (get_check_diagnoses). A failing
// get_diagnoses() is itself reported as one diagnosis, as rtloader synthesises it.
func (c *Check) Diagnoses() ([]Diagnosis, error) {
	var text string
	err := c.withObj(func(rt *capi.Rtloader, obj capi.PyObject) error {
		s, ok := rt.GetCheckDiagnoses(obj)
		if !ok {
			return fail(rt, "get_check_diagnoses")
		}
		text = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Diagnosis
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil, fmt.Errorf("rtloader: check %s: diagnoses are not a JSON list: %w", c.id, err)
	}
	return out, nil
}

// Close releases the check instance (rtloader_decref); it waits for a Run in progress.
func (c *Check) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.obj == nil {
		return nil
	}
	obj := c.obj
	c.obj = nil
	return c.rt.withGIL(func(rt *capi.Rtloader) error { rt.Decref(obj); return nil })
}
