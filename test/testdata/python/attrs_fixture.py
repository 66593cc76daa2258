# get_attr_string / get_attr_bool fixture.
from datadog_checks.checks import AgentCheck

__version__ = '1.2.3'
AN_INT = 1
NOT_UTF8 = '\udcff'  # a lone surrogate: cannot be encoded as UTF-8


class AttrsCheck(AgentCheck):
    HA_SUPPORTED = True
    NOT_HA = False
    ONE = 1
