# The check the valgrind driver runs: run() calls every built-in function once (BUILTINS.md
# sections 2-8) and reports what failed as its JSON result, so the driver can insist on "".
import json

import _util
import aggregator
import containers
import datadog_agent
import kubeutil
import tagger
import util
from datadog_checks.checks import AgentCheck


class VgCheck(AgentCheck):
    label = "vg"
    enabled = True

    def run(self):
        cid = getattr(self, "check_id", "vg")
        calls = [
            lambda: aggregator.submit_metric(self, cid, aggregator.GAUGE, "vg.m", 1.5, ["a:1", b"b:2", 3], "h", False),
            lambda: aggregator.submit_service_check(self, cid, "vg.sc", 0, ("t",), "h", "msg"),
            lambda: aggregator.submit_event(self, cid, {
                "msg_title": "t", "msg_text": "x", "timestamp": 1, "priority": "normal", "host": "h",
                "tags": ["e:1"], "alert_type": "info", "aggregation_key": "k", "source_type_name": "s",
                "event_type": "et"}),
            lambda: aggregator.submit_histogram_bucket(self, cid, "vg.h", 3, 0.0, 1.0, True, "h", ["t"], False),
            lambda: aggregator.submit_event_platform_event(self, cid, b"raw\x00event", "dbm-samples"),
            datadog_agent.get_version,
            datadog_agent.get_hostname,
            datadog_agent.get_clustername,
            datadog_agent.get_host_tags,
            lambda: datadog_agent.get_config("vg_key"),
            datadog_agent.headers,
            lambda: datadog_agent.headers(http_host="x"),
            datadog_agent.tracemalloc_enabled,
            lambda: datadog_agent.log("vg log", 20),
            lambda: datadog_agent.send_log("line", cid),
            lambda: datadog_agent.set_check_metadata(cid, "name", "value"),
            lambda: datadog_agent.set_external_tags([("h1", {"src": ["t1", "t2"]})]),
            lambda: datadog_agent.write_persistent_cache("k", "v"),
            lambda: datadog_agent.read_persistent_cache("k"),
            lambda: datadog_agent.obfuscate_sql("select 1", json.dumps({"a": 1})),
            lambda: datadog_agent.obfuscate_sql_exec_plan("{}", True),
            datadog_agent.get_process_start_time,
            lambda: datadog_agent.obfuscate_mongodb_string("{}"),
            lambda: datadog_agent.emit_agent_telemetry("c", "m", 1.0, "gauge", {"l": "v"}),
            lambda: datadog_agent.report_issue("c", "{}"),
            lambda: datadog_agent.resolve_issue("id"),
            util.headers,
            lambda: _util.subprocess_output(["vg", "arg"], False, env={"A": "1"}),
            lambda: _util.get_subprocess_output(["vg"], True),
            lambda: tagger.tag("entity", tagger.HIGH),
            lambda: tagger.get_tags("entity", True),
            kubeutil.get_connection_info,
            lambda: containers.is_excluded("n", "i", "ns"),
        ]
        failed = []
        for i, call in enumerate(calls):
            try:
                call()
            except Exception as e:  # every call must succeed with the driver's callbacks
                failed.append("call %d: %s: %s" % (i, type(e).__name__, e))
        # Argument errors too (each must raise, none may leak).
        for bad in (lambda: aggregator.submit_metric(self, cid, aggregator.GAUGE, "m", 1.0, None, "h"),
                    lambda: datadog_agent.get_config(1),
                    lambda: _util.subprocess_output([1, 2]),
                    lambda: tagger.tag("e", 99)):
            try:
                bad()
                failed.append("an invalid call did not raise")
            except Exception:
                pass
        return json.dumps(failed) if failed else ""

    def get_warnings(self):
        return ["w1", "w2"]

    def get_diagnoses(self):
        return json.dumps([{"result": 0, "name": "vg", "diagnosis": "ok"}])
