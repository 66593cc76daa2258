"""hello: the checks of the examples: a gauge, a service check and, when asked, a warning."""
import datadog_agent

from datadog_checks.base import AgentCheck


class HelloCheck(AgentCheck):
    def check(self, instance):
        tags = instance.get('tags', []) + ['host:' + (datadog_agent.get_hostname() or 'unknown')]
        self.gauge('hello.world', instance.get('value', 1), tags=tags)
        self.service_check('hello.ok', self.OK, tags=tags)
        if instance.get('warn'):
            self.warning('asked to warn: %s', instance['warn'])
