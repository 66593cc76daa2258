from datadog_checks.checks import AgentCheck


class TestCheck2(AgentCheck):
    def __init__(self, *args, **kwargs):
        super(TestCheck2, self).__init__(*args, **kwargs)
