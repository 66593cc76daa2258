# Fixtures of rtloader's benchmark driver (bench/rtl_bench.c): the no-op check, the Python loops
# the driver times, and the probes it reads back (through get_attr_string(module, "result")).
#
# Every loop binds what it uses to locals first, so the loop body is LOAD_FAST x N + CALL: the
# measured figure is the call, not global/attribute lookups. The floor loop differs from the
# submit_metric loop only in the callee.
import itertools
import sys
import threading

import aggregator
from datadog_checks.checks import AgentCheck


class NoopCheck(AgentCheck):
    def check(self, instance):
        pass


TAGS = {
    0: [],
    3: ["env:bench", "role:database", "availability-zone:us-east-1a"],
    20: ["tag%02d:value-%02d" % (i, i) for i in range(20)],
}
CHECK_ID = "noop:bench:0123456789abcdef"
HOST = "bench-host.example.com"
result = ""


def metric(n, ntags):
    f, chk, cid, mt, name, v, tags, host = aggregator.submit_metric, None, CHECK_ID, aggregator.GAUGE, "bench.metric", 1.5, TAGS[ntags], HOST
    for _ in range(n):
        f(chk, cid, mt, name, v, tags, host, False)


def metric_names(n, nnames):
    # Figures 1d/1e: the loop of metric() over an iterator of names, cycling through nnames
    # distinct str objects (equal text, so the callback sees the same data).
    names = tuple("".join(["bench.", "metric"]) for _ in range(nnames))  # distinct objects
    f, chk, cid, mt, v, tags, host = aggregator.submit_metric, None, CHECK_ID, aggregator.GAUGE, 1.5, TAGS[3], HOST
    for name in itertools.islice(itertools.cycle(names), n):
        f(chk, cid, mt, name, v, tags, host, False)


def floor(n, ntags):
    # sys.audit is a METH_FASTCALL C builtin; with no audit hook installed it returns None without
    # looking at its arguments: the pure cost of a Python -> C call with this argument vector.
    # Its first argument must be a str (the event name), so it stands in for the check object.
    f, chk, cid, mt, name, v, tags, host = sys.audit, "rtl_bench.floor", CHECK_ID, aggregator.GAUGE, "bench.metric", 1.5, TAGS[ntags], HOST
    for _ in range(n):
        f(chk, cid, mt, name, v, tags, host, False)


def service_check(n):
    f, chk, cid, name, status, tags, host, msg = aggregator.submit_service_check, None, CHECK_ID, "bench.can_connect", 0, TAGS[3], HOST, "ok"
    for _ in range(n):
        f(chk, cid, name, status, tags, host, msg)


EVENT = {
    "msg_title": "bench event",
    "msg_text": "something happened",
    "timestamp": 1700000000,
    "priority": "normal",
    "alert_type": "info",
    "tags": TAGS[3],
}


def event(n):
    f, chk, cid, ev = aggregator.submit_event, None, CHECK_ID, EVENT
    for _ in range(n):
        f(chk, cid, ev)


def histogram_bucket(n):
    f, chk, cid, name, host, tags = aggregator.submit_histogram_bucket, None, CHECK_ID, "bench.bucket", HOST, TAGS[3]
    for _ in range(n):
        f(chk, cid, name, 10, 0.0, 1.0, 1, host, tags, False)


# ---- probes ----------------------------------------------------------------------------------

_api = None


def _pyapi():
    # libpython through ctypes: the backend dlopens it RTLD_LOCAL, so ctypes.pythonapi (the global
    # namespace) may not see it; dlopen of its own path returns the same, already loaded, library.
    global _api
    if _api is None:
        import ctypes

        path = None
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split(None, 5)
                if len(parts) == 6 and "/libpython3" in parts[5]:
                    path = parts[5].strip()
                    break
        lib = ctypes.PyDLL(path) if path else ctypes.pythonapi
        vp = ctypes.c_void_p
        lib.PyInterpreterState_Head.restype = vp
        lib.PyInterpreterState_Head.argtypes = []
        lib.PyInterpreterState_ThreadHead.restype = vp
        lib.PyInterpreterState_ThreadHead.argtypes = [vp]
        lib.PyThreadState_Next.restype = vp
        lib.PyThreadState_Next.argtypes = [vp]
        _api = lib
    return _api


def count_tstates():
    # The number of PyThreadState objects in the interpreter's own list (what PyThreadState_New
    # appends to and PyThreadState_Delete removes from). The driver calls it only while no other
    # thread can create or delete a state. "-1" when ctypes is unavailable.
    global result
    try:
        api = _pyapi()
        n = 0
        ts = api.PyInterpreterState_ThreadHead(api.PyInterpreterState_Head())
        while ts:
            n += 1
            ts = api.PyThreadState_Next(ts)
        result = str(n)
    except Exception as e:  # noqa: BLE001
        sys.stderr.write("rtl_bench: cannot count thread states: %s\n" % e)
        result = "-1"


TL = threading.local()


def tl_set():
    TL.ident = threading.get_ident()


def tl_check():
    global result
    result = "yes" if getattr(TL, "ident", None) == threading.get_ident() else "no"
