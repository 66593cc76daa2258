# Backward-compatible alias: datadog_checks.checks.AgentCheck is what rtloader's init imports.
from ..base.checks import *  # noqa: F401,F403
from ..base.checks import AgentCheck  # noqa: F401
