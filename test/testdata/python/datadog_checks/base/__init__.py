# Test stub of datadog_checks.base.
from .checks import AgentCheck  # noqa: F401
