"""go_noop: does nothing (the Run benchmark), and the submit_metric loop of the benchmarks."""
import aggregator

from datadog_checks.base import AgentCheck

TAGS3 = ['env:bench', 'role:database', 'availability-zone:us-east-1a']


def submit_loop(n):
    f, chk, cid, mt, name, v, tags, host = (aggregator.submit_metric, None, 'noop:bench:0123456789abcdef', 0,
                                            'bench.metric', 1.5, TAGS3, 'bench-host.example.com')
    for _ in range(n):
        f(chk, cid, mt, name, v, tags, host, False)


class GoNoopCheck(AgentCheck):
    def check(self, instance):
        pass
