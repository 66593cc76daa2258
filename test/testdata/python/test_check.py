from datadog_checks.checks import AgentCheck


class TestCheck(AgentCheck):
    def __init__(self, name, init_config, instances):
        super(TestCheck, self).__init__(name, init_config, instances)
        self.name = name
        self.init_config = init_config
        self.instances = instances
