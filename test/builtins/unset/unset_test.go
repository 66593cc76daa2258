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

// rows: the callback, Python code writing its result with out.write, what it must write. The
// arguments are deliberately missing or wrong.
var rows = []struct {
	cb         bindings.Callback
	code, want string
}{
	{bindings.CbSubmitMetric, "import aggregator\nout.write(repr(aggregator.submit_metric(1, 2, 3)))", "None"},
	{bindings.CbSubmitServiceCheck, "import aggregator\nout.write(repr(aggregator.submit_service_check()))", "None"},
	{bindings.CbSubmitEvent, "import aggregator\nout.write(repr(aggregator.submit_event(None, 'id', 'not a dict')))", "None"},
	{bindings.CbSubmitHistogramBucket, "import aggregator\nout.write(repr(aggregator.submit_histogram_bucket()))", "None"},
	{bindings.CbSubmitEventPlatformEvent, "import aggregator\nout.write(repr(aggregator.submit_event_platform_event(None)))", "None"},
	{bindings.CbGetVersion, "import datadog_agent\nout.write(repr(datadog_agent.get_version()))", "None"},
	{bindings.CbGetConfig, "import datadog_agent\nout.write(repr(datadog_agent.get_config(1)))", "None"},
	{bindings.CbHeaders, "import datadog_agent, util\nout.write(repr((datadog_agent.headers(), util.headers())))", "(None, None)"},
	{bindings.CbGetHostname, "import datadog_agent\nout.write(repr(datadog_agent.get_hostname()))", "None"},
	{bindings.CbGetHostTags, "import datadog_agent\nout.write(repr(datadog_agent.get_host_tags()))", "None"},
	{bindings.CbGetClustername, "import datadog_agent\nout.write(repr(datadog_agent.get_clustername()))", "None"},
	{bindings.CbTracemallocEnabled, "import datadog_agent\nout.write(repr(datadog_agent.tracemalloc_enabled()))", "False"},
	{bindings.CbLog, "import datadog_agent\nout.write(repr(datadog_agent.log('m', 10)))", "None"},
	{bindings.CbSendLog, "import datadog_agent\nout.write(repr(datadog_agent.send_log()))", "None"},
	{bindings.CbSetCheckMetadata, "import datadog_agent\nout.write(repr(datadog_agent.set_check_metadata(1)))", "None"},
	{bindings.CbSetExternalTags, "import datadog_agent\nout.write(repr(datadog_agent.set_external_tags('not a list')))", "None"},
	{bindings.CbWritePersistentCache, "import datadog_agent\nout.write(repr(datadog_agent.write_persistent_cache()))", "None"},
	{bindings.CbReadPersistentCache, "import datadog_agent\nout.write(repr(datadog_agent.read_persistent_cache()))", "None"},
	{bindings.CbObfuscateSQL, "import datadog_agent\nout.write(repr(datadog_agent.obfuscate_sql(None)))", "None"},
	{bindings.CbObfuscateSQLExecPlan, "import datadog_agent\nout.write(repr(datadog_agent.obfuscate_sql_exec_plan()))", "None"},
	{bindings.CbGetProcessStartTime, "import datadog_agent\nout.write(repr(datadog_agent.get_process_start_time()))", "None"},
	{bindings.CbObfuscateMongoDBString, "import datadog_agent\nout.write(repr(datadog_agent.obfuscate_mongodb_string()))", "None"},
	{bindings.CbEmitAgentTelemetry, "import datadog_agent\nout.write(repr(datadog_agent.emit_agent_telemetry()))", "None"},
	{bindings.CbReportIssue, "import datadog_agent\nout.write(repr(datadog_agent.report_issue()))", "None"},
	{bindings.CbResolveIssue, "import datadog_agent\nout.write(repr(datadog_agent.resolve_issue()))", "None"},
	{bindings.CbGetSubprocessOutput, "import _util\nout.write(repr((_util.subprocess_output(), _util.get_subprocess_output('not a list'))))", "(None, None)"},
	{bindings.CbTags, "import tagger\nout.write(repr((tagger.tag(1, 'x'), tagger.get_tags())))", "(None, None)"},
	{bindings.CbGetConnectionInfo, "import kubeutil\nout.write(repr(kubeutil.get_connection_info()))", "None"},
	{bindings.CbIsExcluded, "import containers\nout.write(repr(containers.is_excluded()))", "None"},
}

func TestUnsetCallbackReturnsNoneBeforeParsing(t *testing.T) {
	for _, r := range rows {
		r := r
		t.Run(r.cb.Name(), func(t *testing.T) {
			defer helpers.CheckMemory(t)()
			builtintest.Unset(t, r.cb)
			builtintest.Expect(t, r.code, r.want)
		})
	}
}

// TestEveryCallbackHasARow: every callback a built-in calls (all but cgo_free) has a row.
func TestEveryCallbackHasARow(t *testing.T) {
	have := map[bindings.Callback]bool{}
	for _, r := range rows {
		if have[r.cb] {
			t.Errorf("two rows for %s", r.cb.Name())
		}
		have[r.cb] = true
	}
	for _, cb := range bindings.AllCallbacks() {
		if !have[cb] && cb != bindings.CbCgoFree {
			t.Errorf("callback %s has no row", cb.Name())
		}
	}
}
