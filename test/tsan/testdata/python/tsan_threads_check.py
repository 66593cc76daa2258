# Check used by the ThreadSanitizer driver (test/tsan/driver.c), "callbacks" scenario: run()
# starts THREADS Python threads that each call built-ins CALLS times, so host callbacks run on
# Python-created threads, several at once: the persistent-cache and subprocess built-ins release
# the GIL around their callback, so those callbacks overlap for real. Every result is compared
# with what the driver's callbacks return; run() returns "" or a JSON list of what went wrong.
# The driver checks the callback counts against THREADS and CALLS.
import json
import threading

import _util
import aggregator
import datadog_agent
import tagger
from datadog_checks.checks import AgentCheck

THREADS = 4  # TSAN_PY_THREADS in driver.c
CALLS = 25  # TSAN_PY_CALLS in driver.c


class TsanThreadsCheck(AgentCheck):
    def _worker(self, cid, k, problems):
        try:
            for i in range(CALLS):
                key = "%s-%d-%d" % (cid, k, i)
                aggregator.submit_metric(self, cid, aggregator.GAUGE, "tsan.thread", float(i),
                                         ["thread:%d" % k, "call:%d" % i], "tsan-host", False)
                if datadog_agent.get_hostname() != "tsan-host":
                    problems.append("get_hostname")
                if tagger.tag("entity:%s" % key, tagger.HIGH) != ["entity:%s" % key, "card:high"]:
                    problems.append("tagger.tag")
                datadog_agent.write_persistent_cache(key, "v:" + key)
                got = datadog_agent.read_persistent_cache(key)
                if got != "v:" + key:
                    problems.append("read_persistent_cache(%s) = %r" % (key, got))
                out, err, rc = _util.subprocess_output(["echo", key], False)
                if (out, err, rc) != ("echo " + key + "\n", "", 0):
                    problems.append("subprocess_output = %r" % ((out, err, rc),))
        except Exception as e:  # reported to the driver through run()'s result
            problems.append("%s: %s" % (type(e).__name__, e))

    def run(self):
        cid = getattr(self, "check_id", "")
        problems = []
        threads = [threading.Thread(target=self._worker, args=(cid, k, problems)) for k in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return json.dumps(problems[:10]) if problems else ""
