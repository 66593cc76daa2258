# A check importing si_single_phase, a single-phase-init C extension module that the tests
# compile at run time: it cannot be loaded in a sub-interpreter with its own GIL, so this check
# falls back to the main interpreter.
import si_single_phase  # noqa: F401

from datadog_checks.checks import AgentCheck


class FallbackCheck(AgentCheck):
    def run(self):
        return "fallback ran"
