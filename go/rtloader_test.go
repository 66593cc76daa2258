package rtloader

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"rtloader/internal/capi"
)

type metric struct {
	CheckID, Name, Host string
	Type                MetricType
	Value               float64
	Tags                []string
}

// recorder is a Host that records what checks submit; safe for concurrent use.
type recorder struct {
	NopHost
	mu       sync.Mutex
	metrics  []metric
	services []string
	events   []Event
	buckets  []string
	platform []string
	metadata []string
	logs     []string
}

func (r *recorder) SubmitMetric(id string, t MetricType, name string, v float64, tags []string, host string, _ bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.metrics = append(r.metrics, metric{CheckID: id, Name: name, Host: host, Type: t, Value: v, Tags: tags})
}

func (r *recorder) SubmitServiceCheck(id, name string, s ServiceCheckStatus, tags []string, host, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.services = append(r.services, fmt.Sprintf("%s %s %v %q %q", name, s, tags, host, msg))
}

func (r *recorder) SubmitEvent(id string, ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder) SubmitHistogramBucket(id, name string, v int64, lo, hi float32, mono bool, host string, tags []string, _ bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buckets = append(r.buckets, fmt.Sprintf("%s %d [%g,%g] %v %s %v", name, v, lo, hi, mono, host, tags))
}

func (r *recorder) SubmitEventPlatformEvent(id string, raw []byte, typ string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.platform = append(r.platform, fmt.Sprintf("%q %s", raw, typ))
}

func (r *recorder) SetCheckMetadata(id, name, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.metadata = append(r.metadata, name+"="+value)
}

func (r *recorder) Log(msg string, level LogLevel) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprintf("%d %s", level, msg))
}

// loadCheck loads a check in the shared runtime with h as host and checks the memory balance:
// both are undone when the test ends.
func loadCheck(t *testing.T, h Host, name string, initConfig, instance any) (*Runtime, *Check) {
	t.Helper()
	rt := shared(t, h)
	checkMemory(t, rt)
	c, err := rt.LoadCheck(name, initConfig, instance)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return rt, c
}

func TestRunDeliversEverySubmissionToTheHost(t *testing.T) {
	rec := &recorder{}
	_, c := loadCheck(t, rec, "go_submit", nil, map[string]any{"tags": []string{"a:1", "b:2"}, "name": "n1"})
	warnings, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(warnings, []string{"careful: n1"}) {
		t.Errorf("warnings = %q", warnings)
	}
	want := []metric{
		{CheckID: c.ID(), Name: "go.gauge", Host: "h1", Type: Gauge, Value: 1.5, Tags: []string{"a:1", "b:2"}},
		{CheckID: c.ID(), Name: "go.count", Host: "", Type: MonotonicCount, Value: 7, Tags: []string{"a:1", "b:2"}},
	}
	if !reflect.DeepEqual(rec.metrics, want) {
		t.Errorf("metrics = %+v\nwant %+v", rec.metrics, want)
	}
	if want := []string{`go.can_connect WARNING [a:1 b:2] "" "slow"`}; !reflect.DeepEqual(rec.services, want) {
		t.Errorf("service checks = %q, want %q", rec.services, want)
	}
	if want := []Event{{Title: "title", Text: "text", Ts: 1700000000, Tags: []string{"e:1"}}}; !reflect.DeepEqual(rec.events, want) {
		t.Errorf("events = %+v, want %+v", rec.events, want)
	}
	if want := []string{"go.bucket 3 [0,10] true h2 [a:1 b:2]"}; !reflect.DeepEqual(rec.buckets, want) {
		t.Errorf("buckets = %q, want %q", rec.buckets, want)
	}
	if want := []string{`"raw\x00bytes" dbm-samples`}; !reflect.DeepEqual(rec.platform, want) {
		t.Errorf("event platform = %q, want %q", rec.platform, want)
	}
	if want := []string{"version=1.2.3"}; !reflect.DeepEqual(rec.metadata, want) {
		t.Errorf("metadata = %q, want %q", rec.metadata, want)
	}
	found := false
	for _, l := range rec.logs {
		found = found || l == "20 hello from python"
	}
	if !found {
		t.Errorf("logs = %q, want one %q", rec.logs, "20 hello from python")
	}
	if !strings.HasPrefix(c.ID(), "go_submit:") || c.Name() != "go_submit" {
		t.Errorf("ID %q, Name %q", c.ID(), c.Name())
	}
}

// agentHost answers everything go_agent asks.
type agentHost struct{ NopHost }

func (agentHost) Version() string     { return "7.99.0" }
func (agentHost) Hostname() string    { return "box" }
func (agentHost) ClusterName() string { return "" }
func (agentHost) HostTags() any       { return map[string][]string{"system": {"role:db"}} }
func (agentHost) Config(key string) (any, bool) {
	if key == "dd_url" {
		return "https://example.com", true
	}
	return nil, false
}
func (agentHost) TracemallocEnabled() bool  { return true }
func (agentHost) ProcessStartTime() float64 { return 1234.5 }
func (agentHost) ObfuscateSQL(q, opts string) (string, error) {
	if q == "bad" {
		return "", errors.New("cannot parse")
	}
	return "SELECT ? " + opts, nil
}
func (agentHost) ObfuscateMongoDBString(cmd string) (string, error) { return "mongo:" + cmd, nil }

var cache sync.Map

func (agentHost) WritePersistentCache(k, v string) { cache.Store(k, v) }
func (agentHost) ReadPersistentCache(k string) (string, error) {
	v, ok := cache.Load(k)
	if !ok {
		return "", errors.New("no such key")
	}
	return v.(string), nil
}
func (agentHost) Tags(id string, c TagCardinality) []string {
	return []string{id, fmt.Sprint("card:", int(c))}
}
func (agentHost) SubprocessOutput(argv, env []string) (string, string, int, error) {
	if argv[0] == "false" {
		return "", "", 0, errors.New("exec: false failed")
	}
	return strings.Join(argv[1:], " ") + "\n", "", 0, nil
}
func (agentHost) IsExcluded(name, image, ns string) bool { return ns == "ns" }
func (agentHost) ConnectionInfo() any                    { return map[string]string{"url": "https://k8s"} }
func (agentHost) ReportIssue(check, report string) error {
	return fmt.Errorf("issue from %s: %s", check, report)
}

func TestAgentQueriesReachTheHost(t *testing.T) {
	_, c := loadCheck(t, agentHost{}, "go_agent", nil, nil)
	warnings, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`version='7.99.0'`,
		`hostname='box'`,
		`clustername=''`,
		`host_tags='{"system":["role:db"]}'`,
		`config='https://example.com'`,
		`config_unset=None`,
		`tracemalloc=True`,
		`start_time=1234.5`,
		`sql='SELECT ? {"a": 1}'`,
		`sql_err=RuntimeError: cannot parse`,
		`mongo='mongo:{"find": 1}'`,
		`cache='v'`,
		`tags=['container_id://abc', 'card:2']`,
		`subprocess=('hi\n', '', 0)`,
		`subprocess_err=Exception: exec: false failed`,
		`excluded=True`,
		`k8s={'url': 'https://k8s'}`,
		`issue=RuntimeError: issue from go_agent: {"id": 1}`,
	}
	if !reflect.DeepEqual(warnings, want) {
		t.Errorf("answers:\n got %q\nwant %q", warnings, want)
	}
}

func TestNopHostRefusesObfuscationAndSubprocesses(t *testing.T) {
	_, c := loadCheck(t, NopHost{}, "go_agent", nil, nil)
	warnings, _ := c.Run(context.Background())
	got := map[string]string{}
	for _, w := range warnings {
		k, v, _ := strings.Cut(w, "=")
		got[k] = v
	}
	for k, want := range map[string]string{
		"sql":        "RuntimeError: not supported by this host",
		"subprocess": "Exception: not supported by this host",
		"hostname":   "''",
		"config":     "None",
		"host_tags":  "None",
		"tags":       "[]",
		"excluded":   "False",
		"k8s":        "{}",
		"issue":      "None",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}

func TestRunReportsTheChecksFailureAsCheckError(t *testing.T) {
	_, c := loadCheck(t, NopHost{}, "go_fail", map[string]any{}, map[string]any{"host": "db1"})
	_, err := c.Run(context.Background())
	var ce *CheckError
	if !errors.As(err, &ce) {
		t.Fatalf("Run error = %v (%T), want a *CheckError", err, err)
	}
	if len(ce.Failures) != 1 || ce.Failures[0].Message != "cannot reach db1" ||
		!strings.Contains(ce.Failures[0].Traceback, "ValueError: cannot reach db1") || ce.CheckID != c.ID() {
		t.Errorf("CheckError = %+v", ce)
	}
	if err.Error() != "check "+c.ID()+" failed: cannot reach db1" {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestLoadCheckErrorsCarryRtloadersText(t *testing.T) {
	rt := shared(t, NopHost{})
	checkMemory(t, rt)
	_, err := rt.LoadCheck("go_no_such_module", nil, nil)
	var e *Error
	if !errors.As(err, &e) || e.Op != "get_class" ||
		e.Msg != "unable to import module 'go_no_such_module': No module named 'go_no_such_module'" {
		t.Errorf("LoadCheck(missing) = %v (%#v)", err, e)
	}
	_, err = rt.LoadCheck("go_fail", nil, RawConfig("[1, 2]"))
	if !errors.As(err, &e) || e.Op != "get_check" || e.Msg != "error instance is not a dict" {
		t.Errorf("LoadCheck(list instance) = %v", err)
	}
	if _, err = rt.LoadCheck("go_fail", nil, func() {}); err == nil || !strings.Contains(err.Error(), "instance") {
		t.Errorf("LoadCheck(unmarshallable) = %v", err)
	}
}

func TestRunContextDeadlineCancelsTheCheck(t *testing.T) {
	rec := &recorder{}
	_, c := loadCheck(t, rec, "go_slow", nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Run(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run error = %v, want one wrapping context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run took %v: the check was not cancelled", d)
	}
	if len(rec.metrics) != 1 || rec.metrics[0].Name != "go.slow.cancelled" || rec.metrics[0].Value != 1 {
		t.Errorf("metrics = %+v, want go.slow.cancelled = 1 (the check saw cancel())", rec.metrics)
	}
	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	if _, err := c.Run(done); !errors.Is(err, context.Canceled) || len(rec.metrics) != 1 {
		t.Errorf("Run(done ctx) = %v and ran (%d metrics): want context.Canceled without a run", err, len(rec.metrics))
	}
}

func TestDiagnosesComeBackAsGoValues(t *testing.T) {
	rt, c := loadCheck(t, NopHost{}, "go_diag", nil, nil)
	d, err := c.Diagnoses()
	want := []Diagnosis{
		{Result: DiagnosisSuccess, Name: "connectivity", Diagnosis: "reachable", Category: "net"},
		{Result: DiagnosisFail, Name: "auth", Diagnosis: "denied", RawError: "EACCES"},
	}
	if err != nil || !reflect.DeepEqual(d, want) {
		t.Errorf("Diagnoses = %+v, %v", d, err)
	}
	broken, err := rt.LoadCheck("go_diag", nil, map[string]bool{"broken": true})
	if err != nil {
		t.Fatal(err)
	}
	defer broken.Close()
	d, err = broken.Diagnoses()
	if err != nil || len(d) != 1 || d[0].Result != DiagnosisWarning || !strings.Contains(d[0].RawError, "no diagnoses today") {
		t.Errorf("Diagnoses of a failing get_diagnoses = %+v, %v", d, err)
	}
}

func TestClosedCheckRefusesCalls(t *testing.T) {
	rt := shared(t, NopHost{})
	checkMemory(t, rt)
	c, err := rt.LoadCheck("go_noop", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := c.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "is closed") {
		t.Errorf("Run after Close = %v", err)
	}
	if _, err := c.Diagnoses(); err == nil {
		t.Errorf("Diagnoses after Close succeeded")
	}
}

// TestChecksRunFromManyGoroutines runs checks from many goroutines at once, each with its own
// instance, while others load and close checks: every submission arrives, memory balances.
func TestChecksRunFromManyGoroutines(t *testing.T) {
	rec := &recorder{}
	rt := shared(t, rec)
	checkMemory(t, rt)
	const workers, runs = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c, err := rt.LoadCheck("go_submit", nil, map[string]any{"tags": []string{fmt.Sprint("w:", w)}})
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for i := 0; i < runs; i++ {
				if _, err := c.Run(context.Background()); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	perWorker := map[string]int{}
	for _, m := range rec.metrics {
		perWorker[strings.Join(m.Tags, ",")]++
	}
	for w := 0; w < workers; w++ {
		if n := perWorker[fmt.Sprint("w:", w)]; n != 2*runs {
			t.Errorf("worker %d: %d metrics, want %d", w, n, 2*runs)
		}
	}
}

// TestEveryCallbackReachesTheHost checks the routing against the C callback list: every
// callback but cgo_free (C) has a capi handler field named after it, and handlersFor fills
// every field, so a callback added to the list without a Host method fails here.
func TestEveryCallbackReachesTheHost(t *testing.T) {
	h := reflect.ValueOf(handlersFor(NopHost{}))
	typ := h.Type()
	fields := map[string]int{}
	for i := 0; i < typ.NumField(); i++ {
		if typ.Field(i).Name == "AggregatorEnter" {
			continue // a test hook run before the aggregator handlers, not a callback
		}
		fields[strings.ToLower(typ.Field(i).Name)] = i
		if h.Field(i).IsNil() {
			t.Errorf("handlersFor leaves %s unset", typ.Field(i).Name)
		}
	}
	var names []string
	for _, cb := range capi.AllCallbacks() {
		name := cb.Name()
		names = append(names, name)
		if name == "cgo_free" {
			continue
		}
		if _, ok := fields[strings.ReplaceAll(name, "_", "")]; !ok {
			t.Errorf("callback %s has no capi.Handlers field", name)
		}
	}
	if len(names) != capi.NumCallbacks || len(fields) != capi.NumCallbacks-1 {
		t.Errorf("%d callbacks in the C list, %d handler fields", len(names), len(fields))
	}
	sort.Strings(names)
	for i := 1; i < len(names); i++ {
		if names[i] == names[i-1] || names[i] == "" {
			t.Errorf("callback names not unique: %q", names)
		}
	}
}

// TestCloseLeavesTheProcessUnableToReopen: Close destroys; calls on the closed Runtime and its
// checks fail; Open cannot run again (CPython is never finalised).
func TestCloseLeavesTheProcessUnableToReopen(t *testing.T) {
	if !ownProcess(t) {
		return
	}
	rt, err := Open(testOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(testOptions(nil)); err == nil {
		t.Fatal("a second Open succeeded")
	}
	c, err := rt.LoadCheck("go_noop", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rt.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := c.Run(context.Background()); !errors.Is(err, errNotOpen) {
		t.Errorf("Run after Close = %v, want %v", err, errNotOpen)
	}
	if _, err := rt.LoadCheck("go_noop", nil, nil); !errors.Is(err, errNotOpen) {
		t.Errorf("LoadCheck after Close = %v", err)
	}
	var e *Error
	if _, err := Open(testOptions(nil)); !errors.As(err, &e) || !strings.Contains(e.Msg, "cannot be initialised twice") {
		t.Errorf("Open after Close = %v", err)
	}
}

// TestOpenReportsMake3Errors: a Python home with no backend gives make3's text.
func TestOpenReportsMake3Errors(t *testing.T) {
	if !ownProcess(t) {
		return
	}
	o := testOptions(nil)
	o.PythonHome, o.PythonExe = t.TempDir(), "/nonexistent/python3.99"
	_, err := Open(o)
	var e *Error
	if !errors.As(err, &e) || e.Op != "make3" || !strings.Contains(e.Msg, "3.99") {
		t.Fatalf("Open = %v, want make3's error naming 3.99", err)
	}
}

// TestOpenWithSubinterpreters: the option either runs checks in sub-interpreters or, on a backend
// older than 3.12, fails with rtloader's reason.
func TestOpenWithSubinterpreters(t *testing.T) {
	if !ownProcess(t) {
		return
	}
	o := testOptions(nil)
	o.Subinterpreters = true
	rt, err := Open(o)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Op != "enable_subinterpreters" ||
			!strings.HasPrefix(e.Msg, "sub-interpreters need Python 3.12 or newer (this is 3.") {
			t.Fatalf("Open(Subinterpreters) = %v, want an enable_subinterpreters error", err)
		}
		t.Logf("no sub-interpreters here: %v", err)
		return
	}
	if !rt.Subinterpreters() {
		t.Error("Open(Subinterpreters) succeeded but has_subinterpreter_support is 0")
	}
	c, err := rt.LoadCheck("go_noop", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Run(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestPythonVersion(t *testing.T) {
	rt := shared(t, NopHost{})
	checkMemory(t, rt)
	v, err := rt.PythonVersion()
	if err != nil || !strings.HasPrefix(v, "3.") {
		t.Errorf("PythonVersion = %q, %v", v, err)
	}
}

func TestCancelFromAnotherGoroutineStopsARun(t *testing.T) {
	rec := &recorder{}
	_, c := loadCheck(t, rec, "go_slow", nil, nil)
	go func() {
		time.Sleep(50 * time.Millisecond)
		if err := c.Cancel(); err != nil {
			t.Errorf("Cancel: %v", err)
		}
	}()
	start := time.Now()
	if _, err := c.Run(context.Background()); err != nil {
		t.Errorf("Run = %v (a Background context is never cancelled)", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run took %v: Cancel did not reach the check", d)
	}
	if len(rec.metrics) != 1 || rec.metrics[0].Value != 1 {
		t.Errorf("metrics = %+v, want go.slow.cancelled = 1", rec.metrics)
	}
}

// TestOpenReportsInitErrors: without the check base on the Python path, init fails with
// rtloader's text; Open destroys the handle and returns.
func TestOpenReportsInitErrors(t *testing.T) {
	if !ownProcess(t) {
		return
	}
	o := testOptions(nil)
	o.PythonPaths = []string{t.TempDir()}
	_, err := Open(o)
	var e *Error
	if !errors.As(err, &e) || e.Op != "init" || !strings.HasPrefix(e.Msg, "could not import base class: ") {
		t.Fatalf("Open = %v, want init's 'could not import base class: ...'", err)
	}
}

// TestOpenHandleCrashesInstallsTheHandler: with Options.HandleCrashes, a segfault prints
// rtloader's crash report (then Go's) and the process dies.
func TestOpenHandleCrashesInstallsTheHandler(t *testing.T) {
	if os.Getenv(childEnv) == t.Name() {
		o := testOptions(nil)
		o.HandleCrashes = true
		if _, err := Open(o); err != nil {
			t.Fatal(err)
		}
		capi.Segfault()
		t.Fatal("survived a SIGSEGV")
	}
	out, err := childCommand(t.Name()).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "HANDLER CAUGHT signal 11") ||
		!strings.Contains(string(out), "C-LAND STACKTRACE") || strings.Contains(string(out), "--- PASS") {
		t.Errorf("child (%v) did not die with rtloader's crash report:\n%s", err, out)
	}
}

// TestTrackMemoryCountsAllocations: with Options.TrackMemory, MemoryStats counts rtloader's
// allocations (a check's load, run and close allocate) and they balance.
func TestTrackMemoryCountsAllocations(t *testing.T) {
	rt := shared(t, NopHost{})
	rt.MemoryStats()
	c, err := rt.LoadCheck("go_noop", nil, map[string]string{"a": "b"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Close()
	s := rt.MemoryStats()
	if s.Allocations == 0 || s.Allocations != s.Frees || s.InuseBytes != 0 {
		t.Errorf("MemoryStats = %+v, want allocations counted and balanced", s)
	}
}
