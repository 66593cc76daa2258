# A check that reports what it sees of its interpreter: module globals (RUNS), sys.modules
# (identity, and a marker entry the first run adds), sys.path and a module attribute set with
# set_module_attr_string. test/subinterp compares two instances.
import json
import sys

from datadog_checks.checks import AgentCheck

RUNS = 0


class IsolationCheck(AgentCheck):
    si_bool = True

    def run(self):
        global RUNS
        RUNS += 1
        had_marker = "si_isolation_marker" in sys.modules
        sys.modules["si_isolation_marker"] = sys.modules[__name__]
        attrs = sys.modules.get("si_attrs")
        return json.dumps(
            {
                "runs": RUNS,
                "sys_modules": id(sys.modules),
                "had_marker": had_marker,
                "path": sys.path,
                "attr": getattr(attrs, "VALUE", None),
            }
        )
