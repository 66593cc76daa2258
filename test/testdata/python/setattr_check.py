# get_check fixture: refuses the check_id / provider attributes set after construction.
from datadog_checks.checks import AgentCheck


class SetattrCheck(AgentCheck):
    def __setattr__(self, name, value):
        if name in ("check_id", "provider"):
            raise AttributeError("read-only " + name)
        object.__setattr__(self, name, value)
