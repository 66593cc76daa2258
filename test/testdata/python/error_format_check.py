# Check fixture for Python error formatting (API.md section 7.4). The instance string selects how
# run() fails:
#   "surrogate"         raises ValueError('bad \udcff') from Python (a traceback)
#   "no_traceback"      run is a C callable raising AttributeError(... 'bad \udcff'): no traceback
#   "no_traceback_empty" run is a C callable raising StopIteration(): no traceback, empty str()
import functools

from datadog_checks.checks import AgentCheck


class ErrorFormatCheck(AgentCheck):
    def __init__(self, name, init_config, instances):
        super(ErrorFormatCheck, self).__init__(name, init_config, instances)
        self.mode = instances[0].get("raw", "")
        if self.mode == "no_traceback":
            self.run = functools.partial(getattr, object(), "bad \udcff")
        elif self.mode == "no_traceback_empty":
            self.run = functools.partial(next, iter(()))

    @staticmethod
    def load_config(s):
        return {"raw": s} if s else None

    def run(self):
        if self.mode == "surrogate":
            raise ValueError("bad \udcff")
        return ""
