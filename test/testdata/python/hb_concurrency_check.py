# Check used by test/concurrency: behaviour is chosen by the check_id get_check sets.
#   "w<N>"     a worker's check: every run submits METRICS_PER_RUN gauges tagged with the run
#              number, waits briefly for a cancel (so cancels land mid-run), and returns "" or,
#              when a cancel arrived during the run, a JSON error list.
#   "block"    run() blocks until cancel() is called (at most 20 s).
import json
import threading

import aggregator
from datadog_checks.checks import AgentCheck

METRICS_PER_RUN = 3


class HbConcurrencyCheck(AgentCheck):
    def __init__(self, *args, **kwargs):
        super(HbConcurrencyCheck, self).__init__(*args, **kwargs)
        self.runs = 0
        self.cancels = 0
        self.cancelled_runs = 0
        self._cancel = threading.Event()
        self._stats()

    def _stats(self):
        # A str attribute the Go test reads with get_attr_string.
        self.stats = "%d %d %d" % (self.runs, self.cancels, self.cancelled_runs)

    def run(self):
        cid = getattr(self, "check_id", "")
        if cid == "block":
            ok = self._cancel.wait(20)
            self._cancel.clear()
            return "" if ok else json.dumps([{"message": "never cancelled"}])
        self.runs += 1
        for i in range(METRICS_PER_RUN):
            aggregator.submit_metric(self, cid, aggregator.GAUGE, "hb.concurrency", float(self.runs),
                                     ["run:%d" % self.runs, "i:%d" % i], "hb-host", False)
        # Give a cancel from another thread a chance to land mid-run (the GIL is released here).
        if self._cancel.wait(0.0002):
            self._cancel.clear()
            self.cancelled_runs += 1
            self._stats()
            return json.dumps([{"message": "cancelled", "run": self.runs}])
        self._stats()
        return ""

    def cancel(self):
        self.cancels += 1
        self._stats()
        self._cancel.set()
