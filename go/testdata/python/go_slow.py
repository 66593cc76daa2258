"""go_slow: runs until cancelled (cancel_check), then reports it; gives up after 10 s."""
import time

from datadog_checks.base import AgentCheck


class GoSlowCheck(AgentCheck):
    def check(self, instance):
        deadline = time.time() + 10
        while not getattr(self, '_cancelled', False) and time.time() < deadline:
            time.sleep(0.005)
        self.gauge('go.slow.cancelled', 1 if getattr(self, '_cancelled', False) else 0)
