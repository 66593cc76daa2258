# Check fixture for get_checks_warnings / get_check_diagnoses fed hostile values (issue 11 item 1):
# sequences whose __len__ lies or fails, whose __getitem__ raises part-way, items that are not str
# or whose str() raises, generators, exceptions that cannot be printed. The instance string (the
# "raw" value given by load_config) names the mode; see WARNINGS and DIAGNOSES below.
import sys

from datadog_checks.checks import AgentCheck


class Claims(object):
    """A sequence claiming `length` items; item i is `item(i)` (which may raise)."""

    def __init__(self, length, item):
        self.length = length
        self.item = item

    def __len__(self):
        return self.length

    def __getitem__(self, i):
        return self.item(i)


def fail_at(k, exc):
    def item(i):
        if i >= k:
            raise exc
        return "w%d" % i

    return item


class StrRaises(object):
    def __str__(self):
        raise RuntimeError("str() refused")

    __repr__ = __str__


class StrSubclass(str):
    def __str__(self):
        raise RuntimeError("str() of a str subclass refused")


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("the exception cannot be printed")


WARNINGS = {
    "len_2_61": lambda: Claims(2**61, lambda i: "w"),
    "len_maxsize": lambda: Claims(sys.maxsize, lambda i: "w"),
    "len_negative": lambda: Claims(-1, lambda i: "w"),
    "len_2_64": lambda: Claims(2**64, lambda i: "w"),
    "len_raises": lambda: Claims(StrRaises(), lambda i: "w"),
    "len_short": lambda: Claims(2, lambda i: "w%d" % i),
    "len_long": lambda: Claims(5, fail_at(2, IndexError("no item 2"))),
    "getitem_keyerror": lambda: Claims(3, fail_at(1, KeyError("k1"))),
    "generator": lambda: ("g%d" % i for i in range(3)),
    "odd_items": lambda: ["a", StrRaises(), StrSubclass("sub"), None, 3, b"bytes", "\udcff", "z"],
    "dict": lambda: {"k": "v"},
    "str": lambda: "abc",
}

DIAGNOSES = {
    "diag_str_subclass": lambda: StrSubclass("[]"),
    "diag_unprintable": lambda: (_ for _ in ()).throw(Unprintable()),
    "diag_system_exit": lambda: sys.exit(3),
    "diag_bytes": lambda: b"[]",
    "diag_claims": lambda: Claims(2**61, lambda i: "x"),
}


class HostileCheck(AgentCheck):
    def __init__(self, name, init_config, instances):
        super(HostileCheck, self).__init__(name, init_config, instances)
        self.mode = instances[0].get("raw", "")

    @staticmethod
    def load_config(s):
        return {"raw": s}

    def get_warnings(self):
        return WARNINGS[self.mode]()

    def get_diagnoses(self):
        return DIAGNOSES[self.mode]()
