"""go_diag: a check with diagnoses."""
import json

from datadog_checks.base import AgentCheck


class GoDiagCheck(AgentCheck):
    def check(self, instance):
        pass

    def get_diagnoses(self):
        if self.instance.get('broken'):
            raise RuntimeError('no diagnoses today')
        return json.dumps([{'result': 0, 'name': 'connectivity', 'diagnosis': 'reachable', 'category': 'net'},
                           {'result': 2, 'name': 'auth', 'diagnosis': 'denied', 'rawerror': 'EACCES'}])
