# Figure 9 of rtloader's benchmark driver: a CPU-bound check (a pure-Python loop of
# instance["n"] iterations, sized by the driver to about 20 ms) and a no-op one, run in the main
# interpreter (blocklisted) or each in a sub-interpreter of its own.
from datadog_checks.checks import AgentCheck


class CpuCheck(AgentCheck):
    def check(self, instance):
        if not instance.get("n"):
            return
        x = 0
        for i in range(instance["n"]):
            x += i
        self.total = x
