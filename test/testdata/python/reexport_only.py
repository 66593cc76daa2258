# get_class fixture: only re-exports the base class, so no subclass can be found.
from datadog_checks.checks import AgentCheck  # noqa: F401
