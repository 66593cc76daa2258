# get_check fixture: refuses the check_id / provider attributes set after construction (the base
# class's constructor sets them first, so the refusal starts once the constructor is done).
from datadog_checks.checks import AgentCheck


class SetattrCheck(AgentCheck):
    def __init__(self, *args, **kwargs):
        super(SetattrCheck, self).__init__(*args, **kwargs)
        object.__setattr__(self, "_constructed", True)

    def __setattr__(self, name, value):
        if name in ("check_id", "provider") and getattr(self, "_constructed", False):
            raise AttributeError("read-only " + name)
        object.__setattr__(self, name, value)
