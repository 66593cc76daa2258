#!/usr/bin/env python3
"""gen_seeds.py: write the committed seed corpora (fuzz/corpus/<target>/) in the input formats of
fuzz_builtins.c and fuzz_convert.c (fuzz_pyobj.c's object encoding). Re-run after changing them."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

FUNCS = ["aggregator.submit_metric", "aggregator.submit_service_check", "aggregator.submit_event",
         "aggregator.submit_histogram_bucket", "aggregator.submit_event_platform_event",
         "datadog_agent.get_version", "datadog_agent.get_hostname", "datadog_agent.get_clustername",
         "datadog_agent.get_host_tags", "datadog_agent.get_config", "datadog_agent.headers",
         "datadog_agent.tracemalloc_enabled", "datadog_agent.log", "datadog_agent.send_log",
         "datadog_agent.set_check_metadata", "datadog_agent.set_external_tags",
         "datadog_agent.write_persistent_cache", "datadog_agent.read_persistent_cache",
         "datadog_agent.obfuscate_sql", "datadog_agent.obfuscate_sql_exec_plan",
         "datadog_agent.get_process_start_time", "datadog_agent.obfuscate_mongodb_string",
         "datadog_agent.emit_agent_telemetry", "datadog_agent.report_issue", "datadog_agent.resolve_issue",
         "util.headers", "_util.subprocess_output", "_util.get_subprocess_output", "tagger.tag",
         "tagger.get_tags", "kubeutil.get_connection_info", "containers.is_excluded"]
KW = ["flush_first_value", "env", "raise_on_empty", "options", "normalize", "labels", "report_json",
      "namespace", "command", "http_host", "check_name", "issue_id", "query", "plan", "key"]


def none(): return b"\x00"
def boolean(v): return b"\x01" + bytes([1 if v else 0])
def small(v): return b"\x02" + struct.pack("b", v)
def i64(v): return b"\x03" + struct.pack("<q", v)
def flt(v): return b"\x05" + struct.pack("<d", v)
def s(v): b = v.encode() if isinstance(v, str) else v; return b"\x07" + bytes([len(b)]) + b
def raw(v): return b"\x06" + bytes([len(v)]) + v
def byt(v): return b"\x08" + bytes([len(v)]) + v
def lst(*items): return b"\x09" + bytes([len(items)]) + b"".join(items)
def tup(*items): return b"\x0a" + bytes([len(items)]) + b"".join(items)
def dct(*pairs): return b"\x0b" + bytes([len(pairs)]) + b"".join(k + v for k, v in pairs)
def huge(k, nul=0): return b"\x0c" + bytes([k, nul])
def many(n): return b"\x0f" + bytes([n >> 4, n & 15])


def call(name, args, kwargs=(), modes=(5, 5, 5, 5), misc=0, blob=b'{"k": "v"}'):
    out = bytes([FUNCS.index(name)]) + bytes(modes) + bytes([misc, len(blob)]) + blob
    out += bytes([len(args), len(kwargs)]) + b"".join(args)
    for k, v in kwargs:
        out += bytes([KW.index(k)]) + v
    return out


T = [s("t:1"), byt(b"b:2")]
seeds = {
    "metric": call("aggregator.submit_metric", [none(), s("id"), small(0), s("m"), flt(1.5), lst(*T), s("h"), boolean(False)]),
    "metric_tags_str": call("aggregator.submit_metric", [none(), s("id"), small(1), s("m"), i64(3), s("abc"), s("h")]),
    "metric_many_tags": call("aggregator.submit_metric", [none(), s("id"), small(2), s("m"), flt(2.0), many(300), s("h")]),
    "service_check": call("aggregator.submit_service_check", [none(), s("id"), s("sc"), small(0), tup(*T), s("h"), s("msg")]),
    "event": call("aggregator.submit_event", [none(), s("id"), dct((s("msg_title"), s("t")), (s("msg_text"), raw(b"\xff")), (s("timestamp"), i64(7)), (s("tags"), lst(*T)))]),
    "histogram": call("aggregator.submit_histogram_bucket", [none(), s("id"), s("h"), i64(3), flt(0.0), flt(1.0), boolean(True), s("h"), lst(*T), boolean(False)]),
    "platform_event": call("aggregator.submit_event_platform_event", [none(), s("id"), byt(b"raw\x00ev"), s("dbm-samples")]),
    "get_version_null": call("datadog_agent.get_version", [], modes=(0, 0, 0, 0)),
    "get_hostname_invalid": call("datadog_agent.get_hostname", [], modes=(2, 2, 2, 2)),
    "get_clustername_huge": call("datadog_agent.get_clustername", [], modes=(3, 3, 3, 3)),
    "get_host_tags": call("datadog_agent.get_host_tags", [], modes=(5, 4, 3, 2)),
    "get_config": call("datadog_agent.get_config", [s("key")], modes=(4, 5, 6, 7), blob=b'{"a": [1, {"b": null}]}'),
    "get_config_bad_json": call("datadog_agent.get_config", [s("key")], modes=(4, 4, 4, 4), blob=b'{"a": '),
    "headers": call("datadog_agent.headers", [], [("http_host", s("x"))]),
    "tracemalloc": call("datadog_agent.tracemalloc_enabled", [small(1)], misc=1),
    "log": call("datadog_agent.log", [raw(b"msg\xff"), small(20)]),
    "send_log": call("datadog_agent.send_log", [s("line"), s("id")]),
    "metadata": call("datadog_agent.set_check_metadata", [s("id"), s("n"), s("v")]),
    "external_tags": call("datadog_agent.set_external_tags", [lst(tup(s("h"), dct((s("src"), lst(*T)))))]),
    "write_cache": call("datadog_agent.write_persistent_cache", [s("k"), huge(3)]),
    "read_cache": call("datadog_agent.read_persistent_cache", [s("k")], modes=(3, 0, 2, 4)),
    "obfuscate_sql": call("datadog_agent.obfuscate_sql", [s("select 1")], [("options", s("{}"))], misc=2),
    "obfuscate_plan": call("datadog_agent.obfuscate_sql_exec_plan", [s("{}")], [("normalize", boolean(True))]),
    "start_time": call("datadog_agent.get_process_start_time", [], misc=7),
    "mongodb": call("datadog_agent.obfuscate_mongodb_string", [s("{}")], misc=2, modes=(2, 2, 2, 2)),
    "telemetry": call("datadog_agent.emit_agent_telemetry", [s("c"), s("m"), flt(1.0), s("gauge")], [("labels", dct((s("l"), s("v"))))]),
    "report_issue": call("datadog_agent.report_issue", [s("c")], [("report_json", s("{}"))], misc=4),
    "resolve_issue": call("datadog_agent.resolve_issue", [s("id")], misc=4, modes=(2, 2, 2, 2)),
    "util_headers": call("util.headers", [], [("http_host", s("h"))]),
    "subprocess": call("_util.subprocess_output", [lst(s("ls"), s("-l"))], [("raise_on_empty", boolean(True)), ("env", dct((s("A"), s("1"))))], misc=8),
    "subprocess_huge": call("_util.get_subprocess_output", [lst(s("x"), huge(10, 1))], modes=(3, 2, 0, 4), misc=0x81),
    "tag": call("tagger.tag", [s("entity"), small(2)], misc=3, modes=(5, 2, 1, 3)),
    "get_tags": call("tagger.get_tags", [s("entity"), boolean(True)], misc=0x80),
    "connection_info": call("kubeutil.get_connection_info", [], modes=(5, 5, 5, 5)),
    "connection_info_bad": call("kubeutil.get_connection_info", [], modes=(2, 2, 2, 2)),
    "is_excluded": call("containers.is_excluded", [s("n"), s("i")], [("namespace", s("ns"))], misc=1),
}
d = os.path.join(HERE, "corpus", "builtins")
os.makedirs(d, exist_ok=True)
for name, data in seeds.items():
    open(os.path.join(d, name), "wb").write(data)

# fuzz_convert: op byte (0..10), then the op's data.
def host(b): return bytes([len(b)]) + b
conv = {
    "as_string_str": b"\x00" + s("hello"),
    "as_string_bytes_nul": b"\x00" + byt(b"a\x00b"),
    "as_string_surrogate": b"\x00" + raw(b"\xed\xa0\x80x"),
    "borrow": b"\x01" + s("x" * 40),
    "from_json": b"\x02" + host(b'{"a": [1, 2.5, null, "x"]}'),
    "from_json_bad": b"\x02" + host(b'{"a": \xff'),
    "as_json": b"\x03" + dct((s("a"), lst(small(1), flt(2.5), none()))),
    "as_json_unserialisable": b"\x03" + dct((small(1), byt(b"x"))),
    "tags": b"\x04" + lst(s("foo"), small(21), s("bar"), lst(s("hey"))),
    "tags_many": b"\x04" + many(40),
    "tags_str": b"\x04" + s("abc"),
    "list_skip": b"\x05" + lst(s("a"), none(), byt(b"b")),
    "list_strict": b"\x06" + lst(s("a"), small(1)),
    "host_str": b"\x07" + host(b"ok") + b"\x01" + host(b"\xff\xfe"),
    "host_strv": b"\x08" + bytes([3, 0]) + host(b"a") + host(b"\xc3(") + host(b""),
    "host_message": b"\x09" + host(b"boom \xff"),
    "parse0": b"\x0a" + bytes([0, 2, 0, 0]) + s("a") + none(),
    "parse1_kw": b"\x0a" + bytes([1, 1, 2, 1]) + s("a") + small(1) + none(),
    "parse2": b"\x0a" + bytes([2, 3, 1, 3]) + byt(b"x\x00y") + i64(1 << 40) + small(-1) + flt(1e308),
    "parse3": b"\x0a" + bytes([3, 1, 1, 7]) + s("select") + s("{}"),
    "parse4": b"\x0a" + bytes([4, 5, 0, 0]) + small(1) + i64(-5) + small(100) + flt(0.5) + flt(-0.0),
}
d = os.path.join(HERE, "corpus", "convert")
os.makedirs(d, exist_ok=True)
for name, data in conv.items():
    open(os.path.join(d, name), "wb").write(data)

# fuzz_checks: kind (0 plain, 1 claiming sequence, 2 generator, 3 odd items, 4 raising method),
# length choice (index into _LENS), fail index, exception choice (_EXCS), then the items.
def items(*sel_obj): return bytes([len(sel_obj)]) + b"".join(sel_obj)
def item(o): return b"\x02" + o          # an ordinary fuzzed object
STR_RAISES, SUB = b"\x00", b"\x01"       # hostile items
checks = {
    "plain_list": b"\x00\x00\x00\x00" + lst(s("w1"), small(1), raw(b"\xff"), s("w2")),
    "plain_str": b"\x00\x00\x00\x00" + s("[]"),
    "claims_2_61": b"\x01\x0a\xff\x00" + items(item(s("w"))),
    "claims_maxsize": b"\x01\x0c\xff\x00" + items(item(s("w"))),
    "claims_2_40": b"\x01\x08\xff\x00" + items(item(s("w"))),
    "claims_negative": b"\x01\x0d\xff\x00" + items(),
    "claims_fail_at_1": b"\x01\x04\x01\x01" + items(item(s("a")), STR_RAISES, SUB),
    "claims_short": b"\x01\x02\xff\x00" + items(item(s("a")), item(s("b")), item(s("c"))),
    "generator": b"\x02\x00\x00\x00" + items(item(s("g")), SUB),
    "odd_items": b"\x03\x00\x00\x00" + items(STR_RAISES, SUB, item(none()), item(byt(b"b")), item(s("z"))),
    "raises_unprintable": b"\x04\x00\x00\x06",
    "raises_system_exit": b"\x04\x00\x00\x04",
}
d = os.path.join(HERE, "corpus", "checks")
os.makedirs(d, exist_ok=True)
for name, data in checks.items():
    open(os.path.join(d, name), "wb").write(data)
