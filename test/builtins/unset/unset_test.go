// Package unset tests, for every host callback at once, what a built-in does when the host never
// registered its callback (BUILTINS.md §1.3): it returns None (tracemalloc_enabled: False) at
// once, before parsing its arguments, so calls with missing or wrong arguments succeed. One row
// per callback of the C list (bindings.AllCallbacks); a callback without a row fails
// TestEveryCallbackHasARow.
package unset

import (
	"os"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/builtins/builtintest"
	"rtloader/test/helpers"
)

func TestMain(m *testing.M) { os.Exit(helpers.Main(m, true)) }

// rows: the callback (its name in the C list), Python code writing its result with out.write,
// what it must write. The arguments are deliberately missing or wrong.
var rows = []struct {
	cb, code, want string
}{
	{"submit_metric", "import aggregator\nout.write(repr(aggregator.submit_metric(1, 2, 3)))", "None"},
	{"submit_service_check", "import aggregator\nout.write(repr(aggregator.submit_service_check()))", "None"},
	{"submit_event", "import aggregator\nout.write(repr(aggregator.submit_event(None, 'id', 'not a dict')))", "None"},
	{"submit_histogram_bucket", "import aggregator\nout.write(repr(aggregator.submit_histogram_bucket()))", "None"},
	{"submit_event_platform_event", "import aggregator\nout.write(repr(aggregator.submit_event_platform_event(None)))", "None"},
	{"get_version", "import datadog_agent\nout.write(repr(datadog_agent.get_version()))", "None"},
	{"get_config", "import datadog_agent\nout.write(repr(datadog_agent.get_config(1)))", "None"},
	{"headers", "import datadog_agent, util\nout.write(repr((datadog_agent.headers(), util.headers())))", "(None, None)"},
	{"get_hostname", "import datadog_agent\nout.write(repr(datadog_agent.get_hostname()))", "None"},
	{"get_host_tags", "import datadog_agent\nout.write(repr(datadog_agent.get_host_tags()))", "None"},
	{"get_clustername", "import datadog_agent\nout.write(repr(datadog_agent.get_clustername()))", "None"},
	{"tracemalloc_enabled", "import datadog_agent\nout.write(repr(datadog_agent.tracemalloc_enabled()))", "False"},
	{"log", "import datadog_agent\nout.write(repr(datadog_agent.log('m', 10)))", "None"},
	{"send_log", "import datadog_agent\nout.write(repr(datadog_agent.send_log()))", "None"},
	{"set_check_metadata", "import datadog_agent\nout.write(repr(datadog_agent.set_check_metadata(1)))", "None"},
	{"set_external_tags", "import datadog_agent\nout.write(repr(datadog_agent.set_external_tags('not a list')))", "None"},
	{"write_persistent_cache", "import datadog_agent\nout.write(repr(datadog_agent.write_persistent_cache()))", "None"},
	{"read_persistent_cache", "import datadog_agent\nout.write(repr(datadog_agent.read_persistent_cache()))", "None"},
	{"obfuscate_sql", "import datadog_agent\nout.write(repr(datadog_agent.obfuscate_sql(None)))", "None"},
	{"obfuscate_sql_exec_plan", "import datadog_agent\nout.write(repr(datadog_agent.obfuscate_sql_exec_plan()))", "None"},
	{"get_process_start_time", "import datadog_agent\nout.write(repr(datadog_agent.get_process_start_time()))", "None"},
	{"obfuscate_mongodb_string", "import datadog_agent\nout.write(repr(datadog_agent.obfuscate_mongodb_string()))", "None"},
	{"emit_agent_telemetry", "import datadog_agent\nout.write(repr(datadog_agent.emit_agent_telemetry()))", "None"},
	{"report_issue", "import datadog_agent\nout.write(repr(datadog_agent.report_issue()))", "None"},
	{"resolve_issue", "import datadog_agent\nout.write(repr(datadog_agent.resolve_issue()))", "None"},
	{"get_subprocess_output", "import _util\nout.write(repr((_util.subprocess_output(), _util.get_subprocess_output('not a list'))))", "(None, None)"},
	{"tags", "import tagger\nout.write(repr((tagger.tag(1, 'x'), tagger.get_tags())))", "(None, None)"},
	{"get_connection_info", "import kubeutil\nout.write(repr(kubeutil.get_connection_info()))", "None"},
	{"is_excluded", "import containers\nout.write(repr(containers.is_excluded()))", "None"},
}

func TestUnsetCallbackReturnsNoneBeforeParsing(t *testing.T) {
	for _, r := range rows {
		r := r
		t.Run(r.cb, func(t *testing.T) {
			cb, ok := bindings.CallbackNamed(r.cb)
			if !ok {
				t.Fatalf("no callback %q in the C list", r.cb)
			}
			defer helpers.CheckMemory(t)()
			builtintest.Unset(t, cb)
			builtintest.Expect(t, r.code, r.want)
		})
	}
}

// TestEveryCallbackHasARow: every callback a built-in calls (all but cgo_free) has a row.
func TestEveryCallbackHasARow(t *testing.T) {
	have := map[string]bool{}
	for _, r := range rows {
		if have[r.cb] {
			t.Errorf("two rows for %s", r.cb)
		}
		have[r.cb] = true
	}
	for _, cb := range bindings.AllCallbacks() {
		if !have[cb.Name()] && cb != bindings.CbCgoFree {
			t.Errorf("callback %s has no row", cb.Name())
		}
	}
}
