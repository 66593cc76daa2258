package aggregator

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/builtins/builtintest"
	"rtloader/test/helpers"
)

type metric struct {
	checkID, name, hostname string
	mtype                   int
	value                   float64
	tags                    []string
	flush                   bool
	calls                   int
}

// recordMetrics records submit_metric calls for the duration of t.
func recordMetrics(t *testing.T) *metric {
	m := &metric{}
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SubmitMetric = func(checkID string, mtype int, name string, value float64, tags []string, hostname string, flush bool) {
			*m = metric{checkID, name, hostname, mtype, value, tags, flush, m.calls + 1}
		}
	})
	return m
}

func TestConstants(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Expect(t, `
		import aggregator as a
		out.write(repr([a.GAUGE, a.RATE, a.COUNT, a.MONOTONIC_COUNT, a.COUNTER, a.HISTOGRAM, a.HISTORATE]))
	`, "[0, 1, 2, 3, 4, 5, 6]")
}

func TestSubmitMetric(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	builtintest.Expect(t, `
		import aggregator
		out.write(repr(aggregator.submit_metric(None, 'id', aggregator.RATE, 'my.metric', 21.5, ['foo', 21, 'bar', ["hey"]], 'myhost')))
	`, "None")
	want := metric{"id", "my.metric", "myhost", 1, 21.5, []string{"foo", "bar"}, false, 1}
	if !reflect.DeepEqual(*m, want) {
		t.Errorf("host received %+v, want %+v", *m, want)
	}
}

func TestSubmitMetricFlushFirstValue(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	builtintest.Expect(t, `
		import aggregator
		aggregator.submit_metric(None, 'id', aggregator.MONOTONIC_COUNT, 'm', 1, [], '', True)
		out.write('ok')
	`, "ok")
	if !m.flush || m.mtype != 3 || m.value != 1 || m.tags == nil || len(m.tags) != 0 {
		t.Errorf("host received %+v", *m)
	}
}

func TestSubmitMetricUnknownTypePassedThrough(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	builtintest.Expect(t, `
		import aggregator
		aggregator.submit_metric(None, 'id', 42, 'm', 1, [], '')
		out.write('ok')
	`, "ok")
	if m.mtype != 42 {
		t.Errorf("mtype = %d, want 42", m.mtype)
	}
}

func TestTagsStringSplitIntoCharacters(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	builtintest.Expect(t, `
		import aggregator
		aggregator.submit_metric(None, 'id', 0, 'm', 1, 'abc', '')
		out.write('ok')
	`, "ok")
	if !reflect.DeepEqual(m.tags, []string{"a", "b", "c"}) {
		t.Errorf("tags = %q", m.tags)
	}
}

func TestTagsTupleBytesAndSkips(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	builtintest.Expect(t, `
		import aggregator
		aggregator.submit_metric(None, 'id', 0, 'm', 1, ('a', b'b\0cut', None, 1.5, '\ud800', 'é'), '')
		out.write('ok')
	`, "ok")
	if !reflect.DeepEqual(m.tags, []string{"a", "b", "é"}) {
		t.Errorf("tags = %q", m.tags)
	}
}

// A tag sequence whose item fetch raises part-way (issue 11 item 10): the exception is raised as
// is and no callback is called (upstream skipped the item and dropped the exception, submitting
// the items read so far). Every tag-taking function.
func TestTagsItemErrorRaisedNothingSubmitted(t *testing.T) {
	defer helpers.CheckMemory(t)()
	calls := 0
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SubmitMetric = func(string, int, string, float64, []string, string, bool) { calls++ }
		h.SubmitServiceCheck = func(string, string, int, []string, string, string) { calls++ }
		h.SubmitEvent = func(string, *bindings.Event) { calls++ }
		h.SubmitHistogramBucket = func(string, string, int64, float32, float32, int, string, []string, bool) { calls++ }
	})
	for name, call := range map[string]string{
		"submit_metric":           "aggregator.submit_metric(None, 'id', 0, 'm', 1, Seq(), '')",
		"submit_service_check":    "aggregator.submit_service_check(None, 'id', 'sc', 0, Seq(), 'h', 'msg')",
		"submit_event":            "aggregator.submit_event(None, 'id', {'msg_title': 't', 'tags': Seq()})",
		"submit_histogram_bucket": "aggregator.submit_histogram_bucket(None, 'id', 'm', 1, 0.0, 1.0, 1, 'h', Seq())",
	} {
		calls = 0
		builtintest.Expect(t, `
			import aggregator
			class Seq:
				def __getitem__(self, i):
					if i == 1: raise KeyError('tag %d' % i)
					return 't%d' % i
				def __len__(self): return 3
			`+call+`
			out.write('submitted')
		`, "KeyError: 'tag 1'")
		if calls != 0 {
			t.Errorf("%s: the host received %d calls", name, calls)
		}
	}
}

// The event dict's lookups report their errors too: a key whose __eq__ raises, met while looking
// up a field, raises that exception and nothing is submitted (PyDict_GetItemString, which the
// lookups used, drops it, and the event went out without the field).
func TestSubmitEventLookupErrorRaisedNothingSubmitted(t *testing.T) {
	defer helpers.CheckMemory(t)()
	calls := 0
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SubmitEvent = func(string, *bindings.Event) { calls++ }
	})
	for _, key := range []string{"msg_title", "event_type", "timestamp", "tags"} {
		builtintest.Expect(t, `
			import aggregator
			class K:
				def __hash__(self): return hash(`+helpers.PyString(key)+`)
				def __eq__(self, other): raise KeyError('eq')
			aggregator.submit_event(None, 'id', {K(): 1, 'msg_text': 'x'})
			out.write('submitted')
		`, "KeyError: 'eq'")
	}
	if calls != 0 {
		t.Errorf("the host received %d events", calls)
	}
}

func TestTagsHuge(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	builtintest.Expect(t, `
		import aggregator
		aggregator.submit_metric(None, 'id', 0, 'm' * (1 << 20), 1, ['tag%d' % i for i in range(100000)], 'h' * (1 << 20))
		out.write('ok')
	`, "ok")
	if len(m.tags) != 100000 || m.tags[99999] != "tag99999" || len(m.name) != 1<<20 || len(m.hostname) != 1<<20 {
		t.Errorf("host received %d tags, name of %d bytes, hostname of %d bytes", len(m.tags), len(m.name), len(m.hostname))
	}
}

type serviceCheck struct {
	checkID, name     string
	status            int
	tags              []string
	hostname, message string
	calls             int
}

func TestSubmitServiceCheck(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var sc serviceCheck
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SubmitServiceCheck = func(checkID, name string, status int, tags []string, hostname, message string) {
			sc = serviceCheck{checkID, name, status, tags, hostname, message, sc.calls + 1}
		}
	})
	builtintest.Expect(t, `
		import aggregator
		out.write(repr(aggregator.submit_service_check(None, 'id', 'my.sc', 2, ['a', 1, 'b'], 'host', 'msg')))
	`, "None")
	want := serviceCheck{"id", "my.sc", 2, []string{"a", "b"}, "host", "msg", 1}
	if !reflect.DeepEqual(sc, want) {
		t.Errorf("host received %+v, want %+v", sc, want)
	}
}

func recordEvents(t *testing.T) *[]bindings.Event {
	var evs []bindings.Event
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SubmitEvent = func(checkID string, ev *bindings.Event) {
			if checkID != "id" || ev == nil {
				t.Errorf("submit_event(%q, %v)", checkID, ev)
				return
			}
			evs = append(evs, *ev)
		}
	})
	return &evs
}

func strp(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestSubmitEvent(t *testing.T) {
	defer helpers.CheckMemory(t)()
	evs := recordEvents(t)
	builtintest.Expect(t, `
		import aggregator
		aggregator.submit_event(None, 'id', {
			'msg_title': 'title', 'msg_text': 'text', 'timestamp': 1234567, 'priority': 'normal',
			'host': 'myhost', 'tags': ['a', 2, 'b'], 'alert_type': 'error', 'aggregation_key': 'key',
			'source_type_name': 'src', 'event_type': 'type', 'event_object': 'ignored'})
		out.write('ok')
	`, "ok")
	if len(*evs) != 1 {
		t.Fatalf("%d events", len(*evs))
	}
	ev := (*evs)[0]
	got := []string{strp(ev.Title), strp(ev.Text), strp(ev.Priority), strp(ev.Host), strp(ev.AlertType),
		strp(ev.AggregationKey), strp(ev.SourceTypeName), strp(ev.EventType), strings.Join(ev.Tags, ",")}
	want := []string{"title", "text", "normal", "myhost", "error", "key", "src", "type", "a,b"}
	if !reflect.DeepEqual(got, want) || ev.Ts != 1234567 {
		t.Errorf("event = %q ts %d, want %q ts 1234567", got, ev.Ts, want)
	}
}

func TestSubmitEventMissingAndNonStringFieldsAreNull(t *testing.T) {
	defer helpers.CheckMemory(t)()
	evs := recordEvents(t)
	builtintest.Expect(t, `
		import aggregator
		aggregator.submit_event(None, 'id', {'msg_title': 123, 'host': b'bytes-host'})
		out.write('ok')
	`, "ok")
	if len(*evs) != 1 {
		t.Fatalf("%d events", len(*evs))
	}
	ev := (*evs)[0]
	if ev.Title != nil || ev.Text != nil || ev.Tags != nil || ev.Ts != 0 || strp(ev.Host) != "bytes-host" {
		t.Errorf("event = %+v (title %q)", ev, strp(ev.Title))
	}
}

func TestSubmitEventTimestampFallsBackToZero(t *testing.T) {
	defer helpers.CheckMemory(t)()
	evs := recordEvents(t)
	builtintest.Expect(t, `
		import aggregator
		for ts in (-1, 'abc', 2**100, 12.5, None):
			aggregator.submit_event(None, 'id', {'timestamp': ts})
		out.write('ok')
	`, "ok")
	if len(*evs) != 5 {
		t.Fatalf("%d events", len(*evs))
	}
	for i, ev := range *evs {
		if ev.Ts != 0 {
			t.Errorf("event %d: ts = %d, want 0", i, ev.Ts)
		}
	}
}

// Every kind of key finds what a dict lookup finds: literal (interned) keys, equal strs built at
// run time, a str subclass (equal to the name, so a lookup finds it), near misses of the same
// length, non-ASCII keys, non-str keys, and a dict too large to be walked.
func TestSubmitEventKeysFoundAsALookupFindsThem(t *testing.T) {
	defer helpers.CheckMemory(t)()
	evs := recordEvents(t)
	builtintest.Expect(t, `
		import aggregator
		class S(str): pass
		built = lambda s: ''.join(list(s))
		events = [
			{'msg_title': 'a', 'timestamp': 5},
			{built('msg_title'): 'b', built('timestamp'): 6, built('tags'): ['x']},
			{S('msg_title'): 'c', 'timestamp': 7},
			{'msg_titlX': 'no', 'timestamp': 8, 'tagz': ['no'], 'msg_t\u00eftle': 'no', 1: 'no', None: 'no'},
			dict([('msg_title', 'e'), ('timestamp', 9)] + [('k%d' % i, i) for i in range(40)]),
			{'source_type_name': 'f', 'aggregation_key': 'g', 'host': 'h', 'tags': ('y',)},
		]
		for e in events:
			aggregator.submit_event(None, 'id', e)
		out.write('ok')
	`, "ok")
	want := []string{"a 5 ", "b 6 x", "c 7 ", "<nil> 8 ", "e 9 ", "<nil> 0 y"}
	if len(*evs) != len(want) {
		t.Fatalf("%d events, want %d", len(*evs), len(want))
	}
	for i, ev := range *evs {
		got := fmt.Sprintf("%s %d %s", strp(ev.Title), ev.Ts, strings.Join(ev.Tags, ","))
		if got != want[i] {
			t.Errorf("event %d: %q, want %q", i, got, want[i])
		}
	}
	last := (*evs)[5]
	if strp(last.SourceTypeName) != "f" || strp(last.AggregationKey) != "g" || strp(last.Host) != "h" {
		t.Errorf("event 5: %+v", last)
	}
}

// Timestamps are exact across the whole range of a C long, whatever the size of the int object
// (one internal digit, two, or more), and the fallbacks to 0 keep their meaning.
func TestSubmitEventTimestampRange(t *testing.T) {
	defer helpers.CheckMemory(t)()
	evs := recordEvents(t)
	builtintest.Expect(t, `
		import aggregator
		class I(int): pass
		class Idx:
			def __index__(self): return 1700000000
		for ts in (0, 1, 2**30 - 1, 2**30, 1700000000, 2**31, 2**60 - 1, 2**60, 2**62, 2**63 - 1,
				-2**30, -2**31, -2**62, -2**63, True, I(2**40), Idx()):
			aggregator.submit_event(None, 'id', {'timestamp': ts})
		out.write('ok')
	`, "ok")
	want := []int64{0, 1, 1<<30 - 1, 1 << 30, 1700000000, 1 << 31, 1<<60 - 1, 1 << 60, 1 << 62, 1<<63 - 1,
		-(1 << 30), -(1 << 31), -(1 << 62), -1 << 63, 1, 1 << 40, 1700000000}
	if len(*evs) != len(want) {
		t.Fatalf("%d events, want %d", len(*evs), len(want))
	}
	for i, ev := range *evs {
		if int64(ev.Ts) != want[i] {
			t.Errorf("event %d: ts = %d, want %d", i, ev.Ts, want[i])
		}
	}
}

// The strings lent to the host stay valid when Python code run before the callback (the
// timestamp's __index__) empties the dict they came from.
func TestSubmitEventFieldsOutliveTheDict(t *testing.T) {
	defer helpers.CheckMemory(t)()
	evs := recordEvents(t)
	builtintest.Expect(t, `
		import aggregator
		class Ts:
			def __index__(self):
				ev.clear()
				return 42
		ev = {'msg_title': ''.join(['ti', 'tle']), 'msg_text': 'x' * 1000, 'timestamp': Ts(),
			'tags': ['t%d' % i for i in range(3)]}
		aggregator.submit_event(None, 'id', ev)
		out.write('ok')
	`, "ok")
	if len(*evs) != 1 {
		t.Fatalf("%d events", len(*evs))
	}
	ev := (*evs)[0]
	if strp(ev.Title) != "title" || strp(ev.Text) != strings.Repeat("x", 1000) || ev.Ts != 42 ||
		strings.Join(ev.Tags, ",") != "t0,t1,t2" {
		t.Errorf("event = %q %d %q", strp(ev.Title), ev.Ts, ev.Tags)
	}
}

type bucket struct {
	checkID, name string
	value         int64
	lower, upper  float32
	monotonic     int
	hostname      string
	tags          []string
	flush         bool
	calls         int
}

func recordBuckets(t *testing.T) *bucket {
	b := &bucket{}
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SubmitHistogramBucket = func(checkID, name string, value int64, lower, upper float32, monotonic int, hostname string, tags []string, flush bool) {
			*b = bucket{checkID, name, value, lower, upper, monotonic, hostname, tags, flush, b.calls + 1}
		}
	})
	return b
}

func TestSubmitHistogramBucket(t *testing.T) {
	defer helpers.CheckMemory(t)()
	b := recordBuckets(t)
	builtintest.Expect(t, `
		import aggregator
		out.write(repr(aggregator.submit_histogram_bucket(None, 'id', 'hist', 1234567890123, 0.5, 10, 1, 'myhost', ['a', None, 'b'], True)))
	`, "None")
	want := bucket{"id", "hist", 1234567890123, 0.5, 10, 1, "myhost", []string{"a", "b"}, true, 1}
	if !reflect.DeepEqual(*b, want) {
		t.Errorf("host received %+v, want %+v", *b, want)
	}
}

func TestSubmitHistogramBucketFlushDefaultsFalse(t *testing.T) {
	defer helpers.CheckMemory(t)()
	b := recordBuckets(t)
	builtintest.Expect(t, `
		import aggregator
		aggregator.submit_histogram_bucket(None, 'id', 'hist', 1, 0, 1, 0, '', [])
		out.write('ok')
	`, "ok")
	if b.calls != 1 || b.flush {
		t.Errorf("host received %+v", *b)
	}
}

type platformEvent struct {
	checkID   string
	raw       []byte
	eventType string
	calls     int
}

func recordPlatformEvents(t *testing.T) *platformEvent {
	p := &platformEvent{}
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SubmitEventPlatformEvent = func(checkID string, raw []byte, eventType string) {
			*p = platformEvent{checkID, raw, eventType, p.calls + 1}
		}
	})
	return p
}

func TestSubmitEventPlatformEvent(t *testing.T) {
	defer helpers.CheckMemory(t)()
	p := recordPlatformEvents(t)
	builtintest.Expect(t, `
		import aggregator
		out.write(repr(aggregator.submit_event_platform_event(None, 'id', 'raw-event', 'dbm-sample')))
	`, "None")
	if p.calls != 1 || p.checkID != "id" || string(p.raw) != "raw-event" || p.eventType != "dbm-sample" {
		t.Errorf("host received %+v", *p)
	}
}

func TestSubmitEventPlatformEventEmpty(t *testing.T) {
	defer helpers.CheckMemory(t)()
	p := recordPlatformEvents(t)
	builtintest.Expect(t, `
		import aggregator
		out.write(repr(aggregator.submit_event_platform_event(None, 'id', '', '')))
	`, "None")
	if p.calls != 1 || len(p.raw) != 0 || p.eventType != "" {
		t.Errorf("host received %+v", *p)
	}
}

func TestSubmitEventPlatformEventBytesWithNULs(t *testing.T) {
	defer helpers.CheckMemory(t)()
	p := recordPlatformEvents(t)
	builtintest.Expect(t, `
		import aggregator
		aggregator.submit_event_platform_event(None, 'id', b'a\0b\0', 'dbm-metrics')
		aggregator.submit_event_platform_event(None, 'id', 'x\0' * (1 << 19), 'dbm-activity')
		out.write('ok')
	`, "ok")
	if p.calls != 2 || len(p.raw) != 1<<20 || p.raw[1] != 0 || p.eventType != "dbm-activity" {
		t.Errorf("host received %d calls, %d bytes, type %q", p.calls, len(p.raw), p.eventType)
	}
}

// The fast argument path (exact str/int/float/bool) and the general parser must agree: values of
// subclasses, an int flush flag and an int metric value take the general parser and reach the
// host exactly as their exact-type equivalents do.
func TestSubmitMetricSubclassesAndIntFlushMatchFastPath(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	builtintest.Expect(t, `
		import aggregator
		class S(str): pass
		class F(float): pass
		aggregator.submit_metric(None, S('id'), True, S('m.sub'), F(2.5), ('a', 'b'), S('h'), 1)
		out.write('ok')
	`, "ok")
	want := metric{"id", "m.sub", "h", 1, 2.5, []string{"a", "b"}, true, 1}
	if !reflect.DeepEqual(*m, want) {
		t.Errorf("general path: host received %+v, want %+v", *m, want)
	}
	builtintest.Expect(t, `
		import aggregator
		aggregator.submit_metric(None, 'id', 1, 'm.sub', 2.5, ('a', 'b'), 'h', True)
		out.write('ok')
	`, "ok")
	want.calls = 2
	if !reflect.DeepEqual(*m, want) {
		t.Errorf("fast path: host received %+v, want %+v", *m, want)
	}
}

// Tags that are all exact ASCII strs are lent without references; a non-ASCII tag or a str
// subclass after some ASCII ones switches to the general path from the start. Both must give the
// host every tag, in order.
func TestTagsAsciiThenNonAsciiAndSubclass(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	builtintest.Expect(t, `
		import aggregator
		class S(str): pass
		aggregator.submit_metric(None, 'id', 0, 'm', 1.0, ['a', 'b', 'h\u00e9llo', 'z'], '')
		aggregator.submit_metric(None, 'id', 0, 'm', 1.0, ('a', S('sub'), 'z'), '')
		out.write('ok')
	`, "ok")
	if want := []string{"a", "sub", "z"}; !reflect.DeepEqual(m.tags, want) || m.calls != 2 {
		t.Errorf("host received %+v, want tags %q after 2 calls", *m, want)
	}
}

func TestTagsNonAsciiReachHost(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	builtintest.Expect(t, `
		import aggregator
		aggregator.submit_metric(None, 'id', 0, 'm', 1.0, ['a', 'b', 'h\u00e9llo', 'z'], '')
		out.write('ok')
	`, "ok")
	if want := []string{"a", "b", "héllo", "z"}; !reflect.DeepEqual(m.tags, want) {
		t.Errorf("host received tags %q, want %q", m.tags, want)
	}
}

// The metric type is read inline when it is a small exact int (any sign) and through
// PyLong_AsLong otherwise; both reach the host unchanged.
func TestSubmitMetricTypeSmallAndLargeInts(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	for _, tc := range []struct {
		expr string
		want int
	}{{"0", 0}, {"-3", -3}, {"2**30 - 1", 1<<30 - 1}, {"2**30", 1 << 30}, {"-(2**31)", -(1 << 31)}, {"True", 1}} {
		builtintest.Expect(t, `
			import aggregator
			aggregator.submit_metric(None, 'id', `+tc.expr+`, 'm', 1.0, [], '')
			out.write('ok')
		`, "ok")
		if m.mtype != tc.want {
			t.Errorf("mtype %s reached the host as %d, want %d", tc.expr, m.mtype, tc.want)
		}
	}
}

// submit_metric remembers, per string argument, the last str it found free of NULs and skips
// the scan when the same object comes again. Every other object, including one equal to the
// remembered string but for a NUL, must still be scanned: in each position, a clean string is
// accepted twice, then a string with a NUL (ASCII or not) is refused, then the clean one again
// is accepted.
func TestSubmitMetricNulCheckedForEveryNewString(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	builtintest.Expect(t, `
		import aggregator
		def call(check_id, name, host):
		    try:
		        aggregator.submit_metric(None, check_id, 0, name, 1.0, [], host)
		        return 'ok'
		    except ValueError as e:
		        return str(e)
		res = []
		for pos in range(3):
		    for clean, bad in (('abc', 'abc\0'), ('h\u00e9', 'h\u00e9\0'), ('x' * 100, 'x' * 99 + '\0')):
		        args = ['id', 'name', 'host']
		        for value in (clean, clean, bad, clean):
		            args[pos] = value
		            res.append(call(*args))
		out.write(' '.join(sorted(set(res))) + ' ' + str(res.count('ok')))
	`, "embedded null character ok 27")
	if m.calls != 27 {
		t.Errorf("host received %d calls, want 27", m.calls)
	}
}

// Up to 64 exact-ASCII tags go to the host from submit_metric's stack array without any
// conversion state; more take the general array, which keeps 16 on the stack and allocates past
// that. Both sides of both boundaries, in lists, tuples and a list subclass, must reach the host
// complete and in order.
func TestTagsAroundTheStackArrayBoundaries(t *testing.T) {
	defer helpers.CheckMemory(t)()
	m := recordMetrics(t)
	for _, n := range []int{15, 16, 17, 64, 65} {
		for _, wrap := range []string{"list", "tuple", "L"} {
			builtintest.Expect(t, `
				import aggregator
				class L(list): pass
				aggregator.submit_metric(None, 'id', 0, 'm', 1.0, `+wrap+`('t%d' % i for i in range(`+strconv.Itoa(n)+`)), '')
				out.write('ok')
			`, "ok")
			want := make([]string, n)
			for i := range want {
				want[i] = "t" + strconv.Itoa(i)
			}
			if !reflect.DeepEqual(m.tags, want) {
				t.Errorf("%s of %d tags: host received %q, want %q", wrap, n, m.tags, want)
			}
		}
	}
}

// Tags are lent to the host from the tag strs themselves. A host callback that runs Python (the
// header forbids it; upstream tolerated it because it copied the tags) may empty the tag list
// while the callback runs: the strs the host is reading must stay alive until it returns
// (issue 11 item 9). The callback here empties the list, then allocates strs of the same size,
// which reuse freed memory at once, before the host reads its tags: freed tags would show up as
// the new text (or garbage). One case per tag-taking function, the usual short ASCII list (the
// inline path) and a non-ASCII one (the general path).
func TestLentTagsOutliveACallbackThatEmptiesTheList(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var got [][]string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.AggregatorEnter = func() {
			if !helpers.Rt.RunSimpleString(`
import __main__
__main__.rtl_tags.clear()
__main__.rtl_junk = [('%0' + str(__main__.rtl_taglen) + 'd') % i for i in range(1000)]
`) {
				t.Error("the callback's Python failed")
			}
		}
		h.SubmitMetric = func(_ string, _ int, _ string, _ float64, tags []string, _ string, _ bool) {
			got = append(got, tags)
		}
		h.SubmitServiceCheck = func(_, _ string, _ int, tags []string, _, _ string) { got = append(got, tags) }
		h.SubmitEvent = func(_ string, ev *bindings.Event) { got = append(got, ev.Tags) }
		h.SubmitHistogramBucket = func(_, _ string, _ int64, _, _ float32, _ int, _ string, tags []string, _ bool) {
			got = append(got, tags)
		}
	})
	calls := map[string]string{
		"submit_metric":           "aggregator.submit_metric(None, 'id', 0, 'm', 1.0, tags, 'h')",
		"submit_service_check":    "aggregator.submit_service_check(None, 'id', 'sc', 0, tags, 'h', 'msg')",
		"submit_event":            "aggregator.submit_event(None, 'id', {'msg_title': 't', 'tags': tags})",
		"submit_histogram_bucket": "aggregator.submit_histogram_bucket(None, 'id', 'm', 1, 0.0, 1.0, 1, 'h', tags)",
	}
	for name, call := range calls {
		for _, prefix := range []string{"tag", "tàg"} {
			got = nil
			builtintest.Expect(t, `
				import aggregator, __main__
				# fresh strs that only the list holds
				tags = [`+helpers.PyString(prefix)+` + '-%d-' % i + 'x' * 40 for i in range(3)]
				__main__.rtl_tags, __main__.rtl_taglen = tags, len(tags[0])
				`+call+`
				out.write(repr(__main__.rtl_tags))
				del __main__.rtl_tags, __main__.rtl_taglen, __main__.rtl_junk
			`, "[]")
			want := make([]string, 3)
			for i := range want {
				want[i] = prefix + "-" + strconv.Itoa(i) + "-" + strings.Repeat("x", 40)
			}
			if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
				t.Errorf("%s, %s tags emptied during the callback: host received %q, want [%q]", name, prefix, got, want)
			}
		}
	}
}

// The submit_* fast paths (exact types, read inline) and the general parser give the host the same
// values: every call below runs twice, as written and with check_id a str subclass, which the fast
// paths leave to the general parser.
func TestFastAndGeneralPathsAgree(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var got []string
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.SubmitMetric = func(id string, mtype int, name string, v float64, tags []string, host string, flush bool) {
			got = append(got, fmt.Sprintf("metric %s %d %s %v %q %s %v", id, mtype, name, v, tags, host, flush))
		}
		h.SubmitServiceCheck = func(id, name string, status int, tags []string, host, msg string) {
			got = append(got, fmt.Sprintf("sc %s %s %d %q %s %s", id, name, status, tags, host, msg))
		}
		h.SubmitHistogramBucket = func(id, name string, v int64, lo, hi float32, mono int, host string, tags []string, flush bool) {
			got = append(got, fmt.Sprintf("bucket %s %s %d %v %v %d %s %q %v", id, name, v, lo, hi, mono, host, tags, flush))
		}
	})
	builtintest.Expect(t, `
		import aggregator
		class S(str): pass
		calls = [
			(aggregator.submit_metric, (None, 'id', 0, 'm', 1.5, ['a'], 'h')),
			(aggregator.submit_metric, (None, 'id', -3, 'm\u00e9', 2**70, ('b',), 'h\u00f4te', True)),
			(aggregator.submit_metric, (None, 'id', 2**31 - 1, 'm', -7, [], '', False)),
			(aggregator.submit_service_check, (None, 'id', 'sc', 0, ['a'], 'h', 'msg')),
			(aggregator.submit_service_check, (None, 'id', 'sc\u00e9', -2**31, [], 'h\u00f4te', 'm\u00ebssage')),
			(aggregator.submit_service_check, (None, 'id', 'sc', 2**31 - 1, ('t',), '', '')),
			(aggregator.submit_histogram_bucket, (None, 'id', 'b', 0, 0, 1, 0, 'h', ['a'])),
			(aggregator.submit_histogram_bucket, (None, 'id', 'b\u00e9', -2**62, 2.5, 10**30, -7, 'h\u00f4te', [], True)),
			(aggregator.submit_histogram_bucket, (None, 'id', 'b', 2**62, 1e300, -0.0, 2**31 - 1, '', ('t',), False)),
		]
		for f, args in calls:
			f(*args)
			f(args[0], S(args[1]), *args[2:])
		out.write('ok')
	`, "ok")
	if len(got) != 18 {
		t.Fatalf("%d calls reached the host, want 18", len(got))
	}
	for i := 0; i < len(got); i += 2 {
		if got[i] != got[i+1] {
			t.Errorf("fast path: %s\ngeneral:   %s", got[i], got[i+1])
		}
	}
}
