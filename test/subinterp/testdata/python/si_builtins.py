# A check that calls every function of every built-in module from its own interpreter and returns
# what each gave back (test/subinterp: TestEveryBuiltinWorksInIsolatedCheck).
import json

import _util
import aggregator
import containers
import datadog_agent
import kubeutil
import tagger
import util

from datadog_checks.checks import AgentCheck


class BuiltinsCheck(AgentCheck):
    def run(self):
        cid = "si:builtins"
        got = {}
        aggregator.submit_metric(None, cid, aggregator.GAUGE, "si.metric", 1.5, ["a:1"], "h", False)
        aggregator.submit_service_check(None, cid, "si.sc", 2, ["a:1"], "h", "msg")
        aggregator.submit_event(None, cid, {"msg_title": "t", "msg_text": "x", "tags": ["a:1"]})
        aggregator.submit_histogram_bucket(None, cid, "si.hist", 3, 1.0, 2.0, 1, "h", ["a:1"], False)
        aggregator.submit_event_platform_event(None, cid, b"raw", "dbm-samples")
        got["version"] = datadog_agent.get_version()
        got["config"] = datadog_agent.get_config("si_key")
        got["headers"] = datadog_agent.headers({}, http_host="example")
        got["util_headers"] = util.headers({})
        got["hostname"] = datadog_agent.get_hostname()
        got["host_tags"] = datadog_agent.get_host_tags()
        got["clustername"] = datadog_agent.get_clustername()
        got["tracemalloc"] = datadog_agent.tracemalloc_enabled()
        datadog_agent.log("si log line", 30)
        datadog_agent.send_log('{"message": "hi"}', cid)
        datadog_agent.set_check_metadata(cid, "version.raw", "1.2.3")
        datadog_agent.set_external_tags([("eh", {"src": ["e:1"]})])
        datadog_agent.write_persistent_cache("si_k", "si_v")
        got["cache"] = datadog_agent.read_persistent_cache("si_k")
        got["sql"] = datadog_agent.obfuscate_sql("SELECT 1")
        got["plan"] = datadog_agent.obfuscate_sql_exec_plan("{}", True)
        got["start"] = datadog_agent.get_process_start_time()
        got["mongo"] = datadog_agent.obfuscate_mongodb_string("{}")
        datadog_agent.emit_agent_telemetry("si", "si.tel", 1.0, "gauge", {"k": "v"})
        datadog_agent.report_issue("si", '{"id": "x"}')
        datadog_agent.resolve_issue("x")
        got["subprocess"] = list(_util.get_subprocess_output(["echo", "hi"], False))
        try:
            _util.subprocess_output(["empty"], True)
            got["empty"] = "no exception"
        except _util.SubprocessOutputEmptyError as e:
            got["empty"] = str(e)
        got["tags"] = tagger.tag("entity", tagger.HIGH)
        got["get_tags"] = tagger.get_tags("entity", False)
        got["kube"] = kubeutil.get_connection_info()
        got["excluded"] = containers.is_excluded("n", "i", "ns")
        return json.dumps(got, sort_keys=True)
