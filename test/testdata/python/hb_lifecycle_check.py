# Check used by test/lifecycle (hardening_test.go) and test/crash; the check_id get_check sets selects the behaviour.
#   "raise_in_del"   __del__ raises (Python reports it as "Exception ignored"; nothing may crash)
#   "big_output"     run() returns a 32 MiB string
#   "many_warnings"  100,000 warnings plus one of 8 MiB
#   "block_gil"      run() calls datadog_agent.get_config("hb.block"): a callback that keeps
#                    the GIL while the Go handler blocks
#   "block_nogil"    run() calls datadog_agent.read_persistent_cache("hb.block"): a callback
#                    around which the GIL is released
#   "segfault"       run() makes a C extension (ctypes) read address 0
import datadog_agent
from datadog_checks.checks import AgentCheck

BIG = 32 * 1024 * 1024


class HbLifecycleCheck(AgentCheck):
    def run(self):
        mode = getattr(self, "check_id", "")
        if mode == "big_output":
            return "x" * BIG
        if mode == "block_gil":
            return datadog_agent.get_config("hb.block") or ""
        if mode == "block_nogil":
            return datadog_agent.read_persistent_cache("hb.block") or ""
        if mode == "segfault":
            import ctypes
            return ctypes.string_at(0).decode()
        return ""

    def get_warnings(self):
        if getattr(self, "check_id", "") == "many_warnings":
            return ["warning %d" % i for i in range(100000)] + ["w" * (8 * 1024 * 1024)]
        return []

    def __del__(self):
        if getattr(self, "check_id", "") == "raise_in_del":
            raise RuntimeError("hb: raised in __del__")
