# Checks for test/subinterp's concurrency and lifetime tests. The behaviour is chosen by the
# check's name (get_check's check_name):
#   "spin":     run() loops in pure Python for about SPIN_SECONDS, or until cancel() is called
#   "block":    run() calls datadog_agent.get_config("block"), which the test's host blocks
#   "threads":  the constructor starts a non-daemon thread that reports through submit_metric
#               after 0.3 s ("si.thread.done")
#   "daemon":   the constructor starts a daemon thread that reports after 0.3 s ("si.daemon.done")
#   "hoard":    run() keeps 200,000 small tuples (about 13 MB of object-allocator arenas)
#   "raise":    the constructor raises ValueError("si: bad instance")
#   any other:  run() does a little work and submits one metric tagged with its check_id
import threading
import time

import aggregator
import datadog_agent

from datadog_checks.checks import AgentCheck

SPIN_SECONDS = 0.3


def _report_later(check_id, name):
    time.sleep(0.3)
    aggregator.submit_metric(None, check_id, aggregator.GAUGE, name, 1.0, [], "", False)


class WorkerCheck(AgentCheck):
    def __init__(self, *args, **kwargs):
        super(WorkerCheck, self).__init__(*args, **kwargs)
        self.name = kwargs.get("name")
        self.cancelled = False
        self.runs = 0
        if self.name == "raise":
            raise ValueError("si: bad instance")
        if self.name in ("threads", "daemon"):
            t = threading.Thread(target=_report_later, args=("si:" + self.name, "si.%s.done" % (
                "thread" if self.name == "threads" else "daemon")))
            t.daemon = self.name == "daemon"
            t.start()

    def run(self):
        self.runs += 1
        if self.name == "spin":
            end = time.monotonic() + SPIN_SECONDS
            n = 0
            while time.monotonic() < end and not self.cancelled:
                n += 1
            return ""
        if self.name == "hoard":
            self.hoard = [(i, -i) for i in range(200000)]
            return ""
        if self.name == "block":
            datadog_agent.get_config("block")
            return ""
        total = sum(range(2000))
        aggregator.submit_metric(None, self.check_id, aggregator.GAUGE, "si.work", float(total), ["run:%d" % self.runs], "", False)
        return ""

    def cancel(self):
        self.cancelled = True

    def get_warnings(self):
        return ["runs=%d" % self.runs]
