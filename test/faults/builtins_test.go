package faults

import (
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/builtins/builtintest"
)

const (
	errTags   = "RuntimeError: could not allocate memory for tags"
	errBail   = "MemoryError: unable to allocate memory, bailing out"
	tags65    = "['t\u00e9g%d' % i for i in range(65)]" // non-ASCII: converted, not lent, heap past 64
	argv65    = "['arg%d' % i for i in range(65)]"      // past the 64 stack slots of an argv
	noopCheck = "None, 'id'"
)

var str = bindings.Str

func TestFaultsAggregatorTagArrays(t *testing.T) {
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SubmitMetric = func(string, int, string, float64, []string, string, bool) {}
		h.SubmitServiceCheck = func(string, string, int, []string, string, string) {}
		h.SubmitHistogramBucket = func(string, string, int64, float32, float32, int, string, []string, bool) {}
		h.SubmitEvent = func(string, *bindings.Event) {}
	})
	for name, call := range map[string]string{
		"submit_metric":           "aggregator.submit_metric(" + noopCheck + ", 0, 'm', 1.0, " + tags65 + ", 'h')",
		"submit_service_check":    "aggregator.submit_service_check(" + noopCheck + ", 'sc', 0, " + tags65 + ", 'h', 'msg')",
		"submit_histogram_bucket": "aggregator.submit_histogram_bucket(" + noopCheck + ", 'b', 1, 0.0, 1.0, 1, 'h', " + tags65 + ")",
		"submit_event":            "aggregator.submit_event(" + noopCheck + ", {'msg_title': 't', 'tags': " + tags65 + "})",
	} {
		call := call
		t.Run(name, func(t *testing.T) {
			sweep(t, scenario{
				run:      py("import aggregator\n" + call + "\nout.write('ok')\n"),
				want:     "ok",
				allowed:  []string{errTags},
				required: []string{errTags},
			})
		})
	}
}

func TestFaultsSetExternalTags(t *testing.T) {
	calls := 0
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SetExternalTags = func(string, string, []string) { calls++ }
	})
	sweep(t, scenario{
		run: py(`
			import datadog_agent
			datadog_agent.set_external_tags([('h1', {'src': ` + tags65 + `}), ('h2', {'src': ` + tags65 + `})])
			out.write('ok')
		`),
		want:     "ok",
		allowed:  []string{errBail},
		required: []string{errBail},
	})
	if calls == 0 {
		t.Error("the host never received external tags")
	}
}

func TestFaultsSubprocessOutput(t *testing.T) {
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.GetSubprocessOutput = func(argv, env []string) (*string, *string, int, *string) {
			return str("out"), str("err"), 3, nil
		}
	})
	sweep(t, scenario{
		run: py(`
			import _util
			out.write(repr(_util.get_subprocess_output(` + argv65 + `, False, env={'A': '1', 'LONGER_NAME': 'value'})))
		`),
		want: "('out', 'err', 3)",
		// A failed copy of a host string reaches rtloader as a NULL stream.
		allowed:  []string{errBail, "(None, 'err', 3)", "('out', None, 3)"},
		required: []string{errBail},
	})
}

func TestFaultsEmitAgentTelemetryLabels(t *testing.T) {
	var got []string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.EmitAgentTelemetry = func(_, _ string, _ float64, _ string, labels *string) {
			if labels != nil {
				got = append(got, *labels)
			}
		}
	})
	sweep(t, scenario{
		run: py(`
			import datadog_agent
			out.write(repr(datadog_agent.emit_agent_telemetry('chk', 'm', 1.0, 'gauge', {'label': 'v'})))
		`),
		want: "None",
	})
	for _, l := range got {
		if l != `{"label": "v"}` {
			t.Errorf("host received labels %q", l)
		}
	}
}

// Strings and arrays the host returns are copied with rtloader's _malloc by the Go handlers; when
// that copy fails the handler hands back NULL, and each builtin gives its spec's NULL outcome.
func TestFaultsHostReturnsNull(t *testing.T) {
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.GetVersion = func() *string { return str("7.50.0") }
		h.GetHostname = func() *string { return str("host") }
		h.GetClustername = func() *string { return str("cluster") }
		h.GetHostTags = func() *string { return str(`{"system": ["a"]}`) }
		h.GetConfig = func(string) *string { return str("5001") }
		h.Headers = func() *string { return str(`{"User-Agent": "x"}`) }
		h.ReadPersistentCache = func(string) *string { return str("cached") }
		h.ObfuscateSQL = func(string, *string) (*string, *string) { return str("SELECT ?"), nil }
		h.ObfuscateSQLExecPlan = func(string, bool) (*string, *string) { return str("plan"), nil }
		h.ObfuscateMongoDBString = func(string) (*string, *string) { return str("{}"), nil }
		h.ReportIssue = func(string, *string) *string { return str("refused") }
		h.ResolveIssue = func(string) *string { return str("unknown issue") }
		h.Tags = func(string, int) []string { return []string{"a", "b"} }
		h.GetConnectionInfo = func() *string { return str(`{"url": "u"}`) }
	})
	cases := []struct {
		name, call, want string
		allowed          []string
	}{
		{"get_version", "datadog_agent.get_version()", "'7.50.0'", []string{"None"}},
		{"get_hostname", "datadog_agent.get_hostname()", "'host'", []string{"None"}},
		{"get_clustername", "datadog_agent.get_clustername()", "'cluster'", []string{"None"}},
		{"get_host_tags", "datadog_agent.get_host_tags()", `'{"system": ["a"]}'`, []string{"None"}},
		{"get_config", "datadog_agent.get_config('cmd_port')", "5001", []string{"None"}},
		{"headers", "datadog_agent.headers(http_host='h')", "{'User-Agent': 'x', 'Host': 'h'}", []string{"None"}},
		{"read_persistent_cache", "datadog_agent.read_persistent_cache('k')", "'cached'",
			[]string{"RuntimeError: failed to read data"}},
		{"obfuscate_sql", "datadog_agent.obfuscate_sql('SELECT 1')", "'SELECT ?'",
			[]string{"RuntimeError: internal error: empty cb_obfuscate_sql response"}},
		{"obfuscate_sql_exec_plan", "datadog_agent.obfuscate_sql_exec_plan('p')", "'plan'",
			[]string{"RuntimeError: internal error: empty cb_obfuscate_sql_exec_plan response"}},
		{"obfuscate_mongodb_string", "datadog_agent.obfuscate_mongodb_string('{}')", "'{}'",
			[]string{"RuntimeError: internal error: empty cb_obfuscate_mongodb_string response"}},
		// The host's error string lost: the call succeeds, as with no error.
		{"report_issue", "datadog_agent.report_issue('chk', '{}')", "RuntimeError: refused", []string{"None"}},
		{"resolve_issue", "datadog_agent.resolve_issue('id')", "RuntimeError: unknown issue", []string{"None"}},
		// The array or one of its strings lost: the bindings then return NULL (no tags).
		{"tagger.tag", "tagger.tag('e', tagger.HIGH)", "['a', 'b']", []string{"[]"}},
		{"kubeutil.get_connection_info", "kubeutil.get_connection_info()", "{'url': 'u'}", []string{"{}"}},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			sweep(t, scenario{
				run:      py("import datadog_agent, tagger, kubeutil\nout.write(repr(" + c.call + "))\n"),
				want:     c.want,
				allowed:  c.allowed,
				required: c.allowed,
			})
		})
	}
}
