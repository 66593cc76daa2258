from datadog_checks.checks import AgentCheck

__version__ = '0.4.2'


class FakeCheck(AgentCheck):
    def check(self, instance):
        pass

    def get_warnings(self):
        return ["warning 1", "warning 2", "warning 3"]
