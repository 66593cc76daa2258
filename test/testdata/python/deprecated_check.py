from datadog_checks.checks import AgentCheck


class DeprecatedCheck(AgentCheck):
    def __init__(self, name, init_config, agentConfig, instances=None):
        super(DeprecatedCheck, self).__init__(name, init_config, agentConfig, instances)
        self.name = name
        self.init_config = init_config
        self.agentConfig = agentConfig
        self.instances = instances
