"""go_submit: submits one of everything the aggregator, datadog_agent and the logs take."""
import datadog_agent

from datadog_checks.base import AgentCheck


class GoSubmitCheck(AgentCheck):
    def check(self, instance):
        tags = instance.get('tags', [])
        self.gauge('go.gauge', 1.5, tags=tags, hostname='h1')
        self.monotonic_count('go.count', 7, tags=tags)
        self.service_check('go.can_connect', self.WARNING, tags=tags, message='slow')
        self.event({'msg_title': 'title', 'msg_text': 'text', 'timestamp': 1700000000, 'tags': ['e:1']})
        self.submit_histogram_bucket('go.bucket', 3, 0.0, 10.0, True, 'h2', tags)
        self.event_platform_event(b'raw\x00bytes', 'dbm-samples')
        self.set_metadata('version', '1.2.3')
        datadog_agent.log('hello from python', 20)
        self.warning('careful: %s', instance.get('name', '?'))
