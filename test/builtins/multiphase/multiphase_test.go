package multiphase

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/builtins/builtintest"
	"rtloader/test/helpers"
)

// inSubinterpreter is Python (main interpreter) that defines run_sub(code): code runs in a new
// sub-interpreter created by the stdlib's private interpreters module (Py_NewInterpreterFromConfig
// underneath; on 3.12+ its default config is the isolated one: own GIL, own allocator,
// single-phase extensions refused). Inside, emit(text) sends text back through a pipe; run_sub
// returns what was emitted, or "<error>" with the sub-interpreter's exception. The interpreter is
// destroyed before run_sub returns, so its module state has been released by then.
const inSubinterpreter = `
import os, sys
try:
    import _interpreters as interpreters          # 3.13
except ImportError:
    import _xxsubinterpreters as interpreters     # 3.8-3.12
def run_sub(code):
    r, w = os.pipe()
    iid = interpreters.create()
    try:
        prelude = "import os\ndef emit(s):\n    os.write(%d, s.encode())\n" % w
        try:
            res = interpreters.run_string(iid, prelude + code)
        except Exception as e:                      # 3.12 and older raise RunFailedError
            res = e
        if res is not None:                         # 3.13 returns the exception's snapshot
            msg = getattr(res, 'msg', None)
            tname = getattr(getattr(res, 'type', None), '__name__', '')
            os.write(w, ("<error> %s: %s" % (tname, msg) if msg is not None else "<error> %s" % res).encode())
    finally:
        interpreters.destroy(iid)
        os.close(w)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    return b"".join(chunks).decode()
`

func runSub(t *testing.T, code string) string {
	t.Helper()
	return helpers.RunPy(t, inSubinterpreter+"\nout.write(run_sub("+helpers.PyString(helpers.Dedent(code))+"))\n")
}

// ownGIL reports whether the backend's Python gives sub-interpreters their own GIL (3.12+).
func ownGIL(t *testing.T) bool {
	t.Helper()
	v := helpers.RunPy(t, "import sys\nout.write('%d' % (sys.version_info >= (3, 12)))")
	return v == "1"
}

// On 3.12+ the sub-interpreter has its own GIL and refuses single-phase modules ("module X does
// not support loading in subinterpreters"): every built-in must be multi-phase and declare
// per-interpreter GIL support. Below 3.12 the same code runs in a shared-GIL sub-interpreter.
func TestEveryModuleImportsInSubinterpreter(t *testing.T) {
	if !ownGIL(t) {
		t.Log("note: Python < 3.12: the sub-interpreter shares the main GIL (no per-interpreter GIL before PEP 684)")
	}
	defer helpers.CheckMemory(t)()
	got := runSub(t, `
		import aggregator, datadog_agent, util, _util, tagger, kubeutil, containers
		emit(repr([aggregator.GAUGE, aggregator.HISTORATE, tagger.LOW, tagger.ORCHESTRATOR, tagger.HIGH,
		           _util.SubprocessOutputEmptyError.__name__, issubclass(_util.SubprocessOutputEmptyError, Exception),
		           callable(util.headers), callable(kubeutil.get_connection_info), callable(containers.is_excluded)]))
	`)
	want := "[0, 6, 0, 1, 2, 'SubprocessOutputEmptyError', True, True, True, True]"
	if got != want {
		t.Errorf("sub-interpreter wrote %q, want %q", got, want)
	}
}

// The modules of a sub-interpreter are its own objects, not the main interpreter's, and they
// start with their own state: the main interpreter's modules are untouched by what the
// sub-interpreter does to its own.
func TestSubinterpreterHasItsOwnModules(t *testing.T) {
	defer helpers.CheckMemory(t)()
	helpers.RunPyExpect(t, `
		import aggregator
		aggregator.rtl_marker = 'main'
		out.write('ok')
	`, "ok")
	got := runSub(t, `
		import aggregator, _util
		emit(repr(getattr(aggregator, 'rtl_marker', None)))
		aggregator.rtl_marker = 'sub'
	`)
	if got != "None" {
		t.Errorf("the sub-interpreter's aggregator had marker %q: the module object is shared", got)
	}
	helpers.RunPyExpect(t, `
		import aggregator
		out.write(aggregator.rtl_marker)
		del aggregator.rtl_marker
	`, "main")
}

// Calls from a sub-interpreter reach the host: submit_metric (whose NUL-scan cache is module
// state), and the functions that use the per-interpreter json callables (get_config: json.loads;
// emit_agent_telemetry: json.dumps); _util raises its own interpreter's exception class. The
// counters balance once the interpreter is gone (its state is released with it).
func TestBuiltinsWorkInSubinterpreter(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var metrics []string
	var labels []string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SubmitMetric = func(checkID string, mtype int, name string, value float64, tags []string, hostname string, flush bool) {
			metrics = append(metrics, checkID+"|"+name+"|"+strings.Join(tags, ",")+"|"+hostname)
		}
		h.GetConfig = func(key string) *string {
			s := `{"key": "` + key + `", "n": [1, 2]}`
			return &s
		}
		h.EmitAgentTelemetry = func(checkName, metricName string, value float64, metricType string, l *string) {
			if l != nil {
				labels = append(labels, *l)
			}
		}
		h.GetSubprocessOutput = func(argv []string, env []string) (stdout, stderr *string, retCode int, exception *string) {
			return nil, nil, 0, nil
		}
	})
	got := runSub(t, `
		import aggregator, datadog_agent, _util
		for i in range(3):
		    aggregator.submit_metric(None, 'sub-id', aggregator.GAUGE, 'm%d' % i, 1.0, ['a', 'b'], 'host')
		cfg = datadog_agent.get_config('answer')
		datadog_agent.emit_agent_telemetry('c', 'm', 1.0, 'gauge', {'k': 'v'})
		try:
		    _util.get_subprocess_output(['ls'], True)
		    exc = 'no exception'
		except _util.SubprocessOutputEmptyError as e:
		    exc = 'own class: %s' % e
		emit(repr(cfg) + ';' + exc)
	`)
	want := "{'key': 'answer', 'n': [1, 2]};own class: get_subprocess_output expected output but had none."
	if got != want {
		t.Errorf("sub-interpreter wrote %q, want %q", got, want)
	}
	wantMetrics := []string{"sub-id|m0|a,b|host", "sub-id|m1|a,b|host", "sub-id|m2|a,b|host"}
	if !reflect.DeepEqual(metrics, wantMetrics) {
		t.Errorf("host received metrics %q, want %q", metrics, wantMetrics)
	}
	if !reflect.DeepEqual(labels, []string{`{"k": "v"}`}) {
		t.Errorf("host received telemetry labels %q", labels)
	}
}

// Each thread remembers the last interpreter state it used (state.c). Interpreters created one
// after another, on one thread, often get the same address: each must still get its own state
// (json callables taken in it: here a json.loads each sub-interpreter patches before its first
// use), never the ended one's (freed: using it may crash, hence the child process), and so must
// the main interpreter after them.
func TestEachNewSubinterpreterGetsItsOwnState(t *testing.T) {
	if !helpers.InChild(t) {
		helpers.RunChild(t).ExpectPass(t)
		return
	}
	if err := helpers.Setup(); err != nil {
		t.Fatal(err)
	}
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.GetConfig = func(key string) *string { return bindings.Str(`{"key": "` + key + `"}`) }
	})
	got := helpers.RunPy(t, inSubinterpreter+`
import datadog_agent
res = []
for i in range(5):
    # json.loads patched before the interpreter's state is made: the state keeps this one
    res.append(run_sub("import json, datadog_agent\njson.loads = lambda s, i=%d: {'sub': i}\nemit(repr(datadog_agent.get_config('k')))" % i))
res.append(repr(datadog_agent.get_config('main')))
out.write(';'.join(res))
`)
	var want []string
	for i := 0; i < 5; i++ {
		want = append(want, "{'sub': "+strconv.Itoa(i)+"}")
	}
	want = append(want, "{'key': 'main'}")
	if got != strings.Join(want, ";") {
		t.Errorf("got %q, want %q", got, strings.Join(want, ";"))
	}
}
