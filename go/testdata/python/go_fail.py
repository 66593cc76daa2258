"""go_fail: a check whose run fails."""
from datadog_checks.base import AgentCheck


class GoFailCheck(AgentCheck):
    def check(self, instance):
        raise ValueError('cannot reach {}'.format(instance.get('host', '?')))
