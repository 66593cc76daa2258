# The module rtloader imports the base class from (an alias of datadog_checks.base.checks).
from ..base.checks import AgentCheck  # noqa: F401

__all__ = ['AgentCheck']
