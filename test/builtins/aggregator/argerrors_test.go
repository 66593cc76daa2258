package aggregator

import (
	"testing"

	"rtloader/test/builtins/builtintest"
)

// aggregator's argument errors (BUILTINS.md §1.4, §1.8, §2): the functions parse their own
// arguments (args.c) with CPython's texts; tags are converted as §1.8 says.
var argErrors = []builtintest.ArgError{
	builtintest.Row("submit_metric", "check_id not str", `aggregator.submit_metric(None, 123, aggregator.GAUGE, 'm', 1, [], '')`,
		"TypeError: argument 2 must be str, not int"),
	builtintest.Row("submit_metric", "name not str", `aggregator.submit_metric(None, 'id', 0, b'm', 1, [], '')`,
		"TypeError: argument 4 must be str, not bytes"),
	builtintest.Row("submit_metric", "hostname None", `aggregator.submit_metric(None, 'id', aggregator.GAUGE, 'm', 1, [], None)`,
		"TypeError: argument 7 must be str, not None"),
	builtintest.Row("submit_metric", "value not a number", `aggregator.submit_metric(None, 'id', aggregator.GAUGE, 'm', 'x', [], '')`,
		"TypeError: must be real number, not str"),
	builtintest.Row("submit_metric", "mtype float", `aggregator.submit_metric(None, 'id', 1.5, 'm', 1, [], '')`,
		"TypeError: integer argument expected, got float", "TypeError: 'float' object cannot be interpreted as an integer"),
	builtintest.Row("submit_metric", "mtype overflow", `aggregator.submit_metric(None, 'id', 2**40, 'm', 1, [], '')`,
		"OverflowError: signed integer is greater than maximum"),
	builtintest.Row("submit_metric", "flush above 255", `aggregator.submit_metric(None, 'id', 0, 'm', 1, [], '', 256)`,
		"OverflowError: unsigned byte integer is greater than maximum"),
	builtintest.Row("submit_metric", "flush negative", `aggregator.submit_metric(None, 'id', 0, 'm', 1, [], '', -1)`,
		"OverflowError: unsigned byte integer is less than minimum"),
	builtintest.Row("submit_metric", "NUL in name", `aggregator.submit_metric(None, 'id', 0, 'a\0b', 1, [], '')`,
		"ValueError: embedded null character"),
	builtintest.Row("submit_metric", "lone surrogate in name", `aggregator.submit_metric(None, 'id', 0, '\ud800', 1, [], '')`,
		`UnicodeEncodeError: 'utf-8' codec can't encode character '\ud800' in position 0: surrogates not allowed`),
	builtintest.Row("submit_metric", "too few arguments", `aggregator.submit_metric(None, 'id', 0)`,
		"TypeError: function takes at least 7 arguments (3 given)"),
	builtintest.Row("submit_metric", "too many arguments", `aggregator.submit_metric(None, 'id', 0, 'm', 1, [], '', True, 9)`,
		"TypeError: function takes at most 8 arguments (9 given)"),
	builtintest.Row("submit_metric", "keyword argument", `aggregator.submit_metric(None, 'id', 0, 'm', 1, [], '', flush_first_value=True)`,
		builtintest.NoKeywords("aggregator", "submit_metric")...),
	builtintest.Row("submit_metric", "tags None", `aggregator.submit_metric(None, 'id', 0, 'm', 1, None, '')`,
		"TypeError: tags must be a sequence"),
	builtintest.Row("submit_metric", "tags dict", `aggregator.submit_metric(None, 'id', 0, 'm', 1, {'a': 1}, '')`,
		"TypeError: tags must be a sequence"),
	builtintest.Row("submit_metric", "tags set", `aggregator.submit_metric(None, 'id', 0, 'm', 1, {'a'}, '')`,
		"TypeError: tags must be a sequence"),
	builtintest.Row("submit_metric", "tags int", `aggregator.submit_metric(None, 'id', 0, 'm', 1, 123, '')`,
		"TypeError: tags must be a sequence"),
	builtintest.Row("submit_metric", "tags length fails", `aggregator.submit_metric(None, 'id', 0, 'm', 1, NoLen(), '')`,
		"RuntimeError: could not compute tags length"),
	builtintest.Row("submit_metric", "tags too many for an array", `aggregator.submit_metric(None, 'id', 0, 'm', 1, Huge(), '')`,
		"RuntimeError: could not allocate memory for tags"),

	builtintest.Row("submit_service_check", "check_id not str", `aggregator.submit_service_check(None, 1, 'sc', 0, [], 'host', 'msg')`,
		"TypeError: argument 2 must be str, not int"),
	builtintest.Row("submit_service_check", "status not int", `aggregator.submit_service_check(None, 'id', 'sc', 'ok', [], 'host', 'msg')`,
		"TypeError: an integer is required (got type str)", "TypeError: 'str' object cannot be interpreted as an integer"),
	builtintest.Row("submit_service_check", "message not str", `aggregator.submit_service_check(None, 'id', 'sc', 0, [], 'host', 3)`,
		"TypeError: argument 7 must be str, not int"),
	builtintest.Row("submit_service_check", "too few arguments", `aggregator.submit_service_check(None, 'id', 'sc', 0, [], 'host')`,
		"TypeError: function takes exactly 7 arguments (6 given)"),
	builtintest.Row("submit_service_check", "too many arguments", `aggregator.submit_service_check(None, 'id', 'sc', 0, [], 'host', 'msg', 1)`,
		"TypeError: function takes exactly 7 arguments (8 given)"),
	builtintest.Row("submit_service_check", "keyword argument", `aggregator.submit_service_check(None, 'id', 'sc', 0, [], 'host', message='msg')`,
		builtintest.NoKeywords("aggregator", "submit_service_check")...),
	builtintest.Row("submit_service_check", "tags None", `aggregator.submit_service_check(None, 'id', 'sc', 0, None, 'host', 'msg')`,
		"TypeError: tags must be a sequence"),
	builtintest.Row("submit_service_check", "tags length fails", `aggregator.submit_service_check(None, 'id', 'sc', 0, NoLen(), 'host', 'msg')`,
		"RuntimeError: could not compute tags length"),
	builtintest.Row("submit_service_check", "tags too many for an array", `aggregator.submit_service_check(None, 'id', 'sc', 0, Huge(), '', '')`,
		"RuntimeError: could not allocate memory for tags"),

	builtintest.Row("submit_event", "check_id None", `aggregator.submit_event(None, None, {})`,
		"TypeError: argument 2 must be str, not None"),
	builtintest.Row("submit_event", "event not a dict", `aggregator.submit_event(None, 'id', ['msg_title'])`,
		"TypeError: event must be a dict"),
	builtintest.Row("submit_event", "too few arguments", `aggregator.submit_event(None, 'id')`,
		"TypeError: function takes exactly 3 arguments (2 given)"),
	builtintest.Row("submit_event", "too many arguments", `aggregator.submit_event(None, 'id', {}, {})`,
		"TypeError: function takes exactly 3 arguments (4 given)"),
	builtintest.Row("submit_event", "keyword argument", `aggregator.submit_event(None, 'id', event={})`,
		builtintest.NoKeywords("aggregator", "submit_event")...),
	builtintest.Row("submit_event", "tags None", `aggregator.submit_event(None, 'id', {'msg_title': 't', 'tags': None})`,
		"TypeError: tags must be a sequence"),
	builtintest.Row("submit_event", "tags int", `aggregator.submit_event(None, 'id', {'msg_title': 't', 'tags': 123})`,
		"TypeError: tags must be a sequence"),
	builtintest.Row("submit_event", "tags length fails", `aggregator.submit_event(None, 'id', {'msg_title': 't', 'tags': NoLen()})`,
		"RuntimeError: could not compute tags length"),
	builtintest.Row("submit_event", "tags too many for an array", `aggregator.submit_event(None, 'id', {'msg_title': 't', 'tags': Huge()})`,
		"RuntimeError: could not allocate memory for tags"),

	builtintest.Row("submit_histogram_bucket", "check_id not str", `aggregator.submit_histogram_bucket(None, 1, 'hist', 1, 0, 1, 0, '', [])`,
		"TypeError: argument 2 must be str, not int"),
	builtintest.Row("submit_histogram_bucket", "value float", `aggregator.submit_histogram_bucket(None, 'id', 'hist', 1.5, 0, 1, 0, '', [])`,
		"TypeError: integer argument expected, got float", "TypeError: 'float' object cannot be interpreted as an integer"),
	builtintest.Row("submit_histogram_bucket", "lower_bound not a number", `aggregator.submit_histogram_bucket(None, 'id', 'hist', 1, 'x', 1, 0, '', [])`,
		"TypeError: must be real number, not str"),
	builtintest.Row("submit_histogram_bucket", "hostname not str", `aggregator.submit_histogram_bucket(None, 'id', 'hist', 1, 0, 1, 0, [], '')`,
		"TypeError: argument 8 must be str, not list"),
	builtintest.Row("submit_histogram_bucket", "too few arguments", `aggregator.submit_histogram_bucket(None, 'id', 'hist', 1, 0, 1, 0, '')`,
		"TypeError: function takes at least 9 arguments (8 given)"),
	builtintest.Row("submit_histogram_bucket", "too many arguments", `aggregator.submit_histogram_bucket(None, 'id', 'hist', 1, 0, 1, 0, '', [], True, 1)`,
		"TypeError: function takes at most 10 arguments (11 given)"),
	builtintest.Row("submit_histogram_bucket", "keyword argument", `aggregator.submit_histogram_bucket(None, 'id', 'hist', 1, 0, 1, 0, '', [], flush_first_value=True)`,
		builtintest.NoKeywords("aggregator", "submit_histogram_bucket")...),
	builtintest.Row("submit_histogram_bucket", "tags None", `aggregator.submit_histogram_bucket(None, 'id', 'hist', 1, 0, 1, 0, '', None)`,
		"TypeError: tags must be a sequence"),
	builtintest.Row("submit_histogram_bucket", "tags length fails", `aggregator.submit_histogram_bucket(None, 'id', 'hist', 1, 0.0, 1.0, 1, '', NoLen())`,
		"RuntimeError: could not compute tags length"),
	builtintest.Row("submit_histogram_bucket", "tags too many for an array", `aggregator.submit_histogram_bucket(None, 'id', 'h', 1, 0.0, 1.0, 1, '', Huge())`,
		"RuntimeError: could not allocate memory for tags"),

	builtintest.Row("submit_event_platform_event", "check_id not str", `aggregator.submit_event_platform_event(None, 1, 'raw', 'x')`,
		"TypeError: argument 2 must be str, not int"),
	builtintest.Row("submit_event_platform_event", "raw_event bytearray", `aggregator.submit_event_platform_event(None, 'id', bytearray(b'raw'), 'x')`,
		"TypeError: argument 3 must be read-only bytes-like object, not bytearray"),
	builtintest.Row("submit_event_platform_event", "raw_event int", `aggregator.submit_event_platform_event(None, 'id', 1, 'x')`,
		"TypeError: a bytes-like object is required, not 'int'"),
	// The callback's length is a C int. bytes(n) is calloc'ed: its 2 GiB of zero pages are never
	// touched, and the object is gone once the call returns.
	builtintest.Row("submit_event_platform_event", "raw_event over INT_MAX bytes", `aggregator.submit_event_platform_event(None, 'id', bytes(2**31), 'dbm-samples')`,
		"ValueError: event is too large"),
	builtintest.Row("submit_event_platform_event", "event_type not str", `aggregator.submit_event_platform_event(None, 'id', 'raw', 1)`,
		"TypeError: argument 4 must be str, not int"),
	builtintest.Row("submit_event_platform_event", "too few arguments", `aggregator.submit_event_platform_event(None, 'id', 'raw')`,
		"TypeError: function takes exactly 4 arguments (3 given)"),
	builtintest.Row("submit_event_platform_event", "too many arguments", `aggregator.submit_event_platform_event(None, 'id', 'raw', 'x', 'y')`,
		"TypeError: function takes exactly 4 arguments (5 given)"),
	builtintest.Row("submit_event_platform_event", "keyword argument", `aggregator.submit_event_platform_event(None, 'id', 'raw', event_type='x')`,
		builtintest.NoKeywords("aggregator", "submit_event_platform_event")...),
}

func TestArgumentErrors(t *testing.T) {
	builtintest.ExpectArgErrors(t, `
		import aggregator, sys
		class NoLen:  # a sequence whose length cannot be computed
			def __getitem__(self, i): return 'x'
			def __len__(self): raise ValueError('no length')
		class Huge:  # a sequence too long for any tag array
			def __getitem__(self, i): return 'x'
			def __len__(self): return sys.maxsize
	`, argErrors)
}

func TestEveryFunctionHasArgumentErrorRows(t *testing.T) {
	builtintest.ExpectRowsForEveryFunction(t, "aggregator", argErrors)
}
