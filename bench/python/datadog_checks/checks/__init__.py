# rtloader's init imports datadog_checks.checks.AgentCheck; as in the integrations, this module is
# an alias of datadog_checks.base.checks.
from datadog_checks.base.checks import AgentCheck  # noqa: F401
