# get_class fixture: several candidate classes. The first LEAF subclass of AgentCheck in
# alphabetical attribute-name order must win: "Abase" has a subclass (not a leaf), "AgentCheck"
# is the base itself, "Bleaf" is the answer, "Zleaf" comes later.
from datadog_checks.checks import AgentCheck

NOT_A_TYPE = 42


class NotACheck(object):
    pass


class Abase(AgentCheck):
    pass


class Zleaf(Abase):
    pass


class Bleaf(AgentCheck):
    pass
