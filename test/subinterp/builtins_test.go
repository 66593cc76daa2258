package subinterp

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// callLog records every host callback as "name|arguments".
type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (c *callLog) add(name string, args ...interface{}) {
	c.mu.Lock()
	c.calls = append(c.calls, name+"|"+fmt.Sprint(args...))
	c.mu.Unlock()
}

func (c *callLog) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = nil
	return out
}

// allHandlers answers every callback with a fixed value and records the call.
func allHandlers(c *callLog) func(h *bindings.Handlers) {
	return func(h *bindings.Handlers) {
		h.SubmitMetric = func(id string, mt int, name string, v float64, tags []string, host string, f bool) {
			c.add("submit_metric", id, mt, name, v, tags, host, f)
		}
		h.SubmitServiceCheck = func(id, name string, st int, tags []string, host, msg string) {
			c.add("submit_service_check", id, name, st, tags, host, msg)
		}
		h.SubmitEvent = func(id string, ev *bindings.Event) { c.add("submit_event", id, *ev.Title, *ev.Text, ev.Tags) }
		h.SubmitHistogramBucket = func(id, name string, v int64, lo, up float32, mono int, host string, tags []string, f bool) {
			c.add("submit_histogram_bucket", id, name, v, lo, up, mono, host, tags, f)
		}
		h.SubmitEventPlatformEvent = func(id string, raw []byte, et string) { c.add("submit_event_platform_event", id, string(raw), et) }
		h.GetVersion = func() *string { c.add("get_version"); return bindings.Str("7.99.0") }
		h.GetConfig = func(key string) *string { c.add("get_config", key); return bindings.Str(`{"k": [1, 2]}`) }
		h.Headers = func() *string { c.add("headers"); return bindings.Str(`{"User-Agent": "si"}`) }
		h.GetHostname = func() *string { c.add("get_hostname"); return bindings.Str("si-host") }
		h.GetHostTags = func() *string { c.add("get_host_tags"); return bindings.Str(`{"system": ["t:1"]}`) }
		h.GetClustername = func() *string { c.add("get_clustername"); return bindings.Str("si-cluster") }
		h.TracemallocEnabled = func() bool { c.add("tracemalloc_enabled"); return true }
		h.Log = func(msg string, level int) {
			if strings.HasPrefix(msg, "si ") {
				c.add("log", msg, level)
			}
		}
		h.SendLog = func(line, id string) { c.add("send_log", line, id) }
		h.SetCheckMetadata = func(id, name, value string) { c.add("set_check_metadata", id, name, value) }
		h.SetExternalTags = func(host, src string, tags []string) { c.add("set_external_tags", host, src, tags) }
		h.WritePersistentCache = func(k, v string) { c.add("write_persistent_cache", k, v) }
		h.ReadPersistentCache = func(k string) *string { c.add("read_persistent_cache", k); return bindings.Str("cached") }
		h.ObfuscateSQL = func(q string, o *string) (*string, *string) {
			c.add("obfuscate_sql", q)
			return bindings.Str(`{"query": "SELECT ?"}`), nil
		}
		h.ObfuscateSQLExecPlan = func(p string, n bool) (*string, *string) {
			c.add("obfuscate_sql_exec_plan", p, n)
			return bindings.Str("plan"), nil
		}
		h.GetProcessStartTime = func() float64 { c.add("get_process_start_time"); return 1234.5 }
		h.ObfuscateMongoDBString = func(cmd string) (*string, *string) {
			c.add("obfuscate_mongodb_string", cmd)
			return bindings.Str("mongo"), nil
		}
		h.EmitAgentTelemetry = func(cn, mn string, v float64, mt string, l *string) { c.add("emit_agent_telemetry", cn, mn, v, mt, *l) }
		h.ReportIssue = func(cn string, r *string) *string { c.add("report_issue", cn, *r); return nil }
		h.ResolveIssue = func(id string) *string { c.add("resolve_issue", id); return nil }
		h.GetSubprocessOutput = func(argv, env []string) (*string, *string, int, *string) {
			c.add("get_subprocess_output", argv)
			if argv[0] == "empty" {
				return bindings.Str(""), bindings.Str(""), 0, nil
			}
			return bindings.Str("out"), bindings.Str("err"), 3, nil
		}
		h.Tags = func(entity string, card int) []string { c.add("tags", entity, card); return []string{"e:1", "e:2"} }
		h.GetConnectionInfo = func() *string { c.add("get_connection_info"); return bindings.Str(`{"url": "https://k"}`) }
		h.IsExcluded = func(name, image string, ns *string) int { c.add("is_excluded", name, image, *ns); return 1 }
	}
}

// TestEveryBuiltinWorksInIsolatedCheck: a check that calls every function of the seven built-in
// modules gives the same results and the same host callbacks (every one of them) when it runs in
// its own interpreter as when the blocklist keeps it in the main one; memory balances.
func TestEveryBuiltinWorksInIsolatedCheck(t *testing.T) {
	requireSubinterpreters(t)
	addFixtures(t)
	calls := &callLog{}
	t.Cleanup(bindings.UpdateHandlers(allHandlers(calls)))
	defer helpers.CheckMemory(t)()
	defer rt().SetSubinterpreterBlocklist(bindings.NULL) // before the balance is checked
	run := func(isolated int) (string, []string) {
		var out string
		rt().WithGIL(func() {
			chk, err := helpers.NewCheck(rt(), "si_builtins", "", "{}", "si:builtins", "si_builtins")
			if err != nil {
				t.Fatal(err)
			}
			defer rt().Decref(chk)
			if got := rt().CheckIsIsolated(chk); got != isolated {
				t.Fatalf("check_is_isolated = %d, want %d", got, isolated)
			}
			// Only run() calls the built-ins. Construction differs by design: a new
			// interpreter imports the check base, which asks for the log level once (the main
			// interpreter did at init).
			calls.take()
			var ok bool
			if out, ok = rt().RunCheck(chk); !ok {
				t.Fatalf("run_check: %s", rt().Error())
			}
		})
		return out, calls.take()
	}
	subOut, subCalls := run(1)
	if !rt().SetSubinterpreterBlocklist("si_builtins") {
		t.Fatal(rt().Error())
	}
	mainOut, mainCalls := run(0)
	if subOut != mainOut {
		t.Errorf("results differ:\n isolated: %s\n     main: %s", subOut, mainOut)
	}
	if !reflect.DeepEqual(subCalls, mainCalls) {
		t.Errorf("host callbacks differ:\n isolated: %q\n     main: %q", subCalls, mainCalls)
	}
	seen := map[string]bool{}
	for _, c := range subCalls {
		seen[strings.SplitN(c, "|", 2)[0]] = true
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) != 29 {
		t.Errorf("%d distinct callbacks reached the host from the isolated check, want 29: %q", len(names), names)
	}
	for _, want := range []string{`"version": "7.99.0"`, `"config": {"k": [1, 2]}`, `"cache": "cached"`, `"excluded": true`,
		`"subprocess": ["out", "err", 3]`, `"empty": "get_subprocess_output expected output but had none."`,
		`"tags": ["e:1", "e:2"]`, `"start": 1234.5`} {
		if !strings.Contains(subOut, want) {
			t.Errorf("isolated result lacks %s: %s", want, subOut)
		}
	}
}
