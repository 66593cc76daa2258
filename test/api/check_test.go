package api

import (
	"encoding/json"
	"strings"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// newCheck instantiates BehaviourCheck with the given instance string (its "mode").
func newCheck(t *testing.T, mode string) bindings.PyObject {
	t.Helper()
	chk, err := helpers.NewCheck(rt(), "behaviour_check", "init", mode, "", "behaviour")
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

func TestGetCheckTestCheck(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "test_check")
		chk, ok := rt().GetCheck(c, "", "{}", "checkid", "test_check", "")
		if !ok || chk == nil {
			t.Fatalf("get_check(TestCheck) failed: %s", rt().Error())
		}
		if v, ok := rt().GetAttrString(chk, "name"); !ok || v != "test_check" {
			t.Errorf("name = %q, %v", v, ok)
		}
		rt().Decref(chk)
		rt().Decref(c)
	})
	expectNoError(t)
}

func TestGetCheckPassesParsedArguments(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "behaviour_check")
		chk, ok := rt().GetCheck(c, "none", "inst", "", "my_check", "")
		if !ok {
			t.Fatalf("get_check: %s", rt().Error())
		}
		got, _ := rt().GetAttrString(chk, "received")
		// load_config("none") is None -> {}; the instance becomes a 1-tuple.
		want := `{"init_config": {}, "instances": [{"raw": "inst"}], "name": "my_check"}`
		if got != want {
			t.Errorf("constructor received %s, want %s", got, want)
		}
		rt().Decref(chk)
		rt().Decref(c)
	})
	expectNoError(t)
}

func TestGetCheckSetsCheckIDAndProvider(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "behaviour_check")
		chk, ok := rt().GetCheck(c, "", "x", "the_id", "n", "the_provider")
		if !ok {
			t.Fatalf("get_check: %s", rt().Error())
		}
		if v, ok := rt().GetAttrString(chk, "check_id"); !ok || v != "the_id" {
			t.Errorf("check_id = %q, %v", v, ok)
		}
		if v, ok := rt().GetAttrString(chk, "provider"); !ok || v != "the_provider" {
			t.Errorf("provider = %q, %v", v, ok)
		}
		rt().Decref(chk)
		// Empty or NULL check_id/provider: the attributes are not set.
		for _, v := range []string{"", bindings.NULL} {
			chk, ok = rt().GetCheck(c, "", "x", v, "n", v)
			if !ok {
				t.Fatalf("get_check: %s", rt().Error())
			}
			if _, ok := rt().GetAttrString(chk, "check_id"); ok {
				t.Error("check_id set for an empty/NULL id")
			}
			if _, ok := rt().GetAttrString(chk, "provider"); ok {
				t.Error("provider set for an empty/NULL provider")
			}
			rt().Decref(chk)
		}
		rt().Decref(c)
	})
	expectNoError(t)
}

func TestGetCheckDeprecatedCheckFailsWithNewAPI(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "deprecated_check")
		chk, ok := rt().GetCheck(c, "", "{}", "", "deprecated", "")
		if ok || chk != nil {
			t.Error("get_check(DeprecatedCheck) succeeded")
		}
		rt().Decref(c)
	})
	got := rt().Error()
	if !strings.Contains(got, "__init__() missing 1 required positional argument: 'agentConfig'") ||
		strings.HasPrefix(got, "error") {
		t.Errorf("error = %q, want the bare TypeError text", got)
	}
}

func TestGetCheckDeprecatedSucceedsWithAgentConfig(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "deprecated_check")
		chk, ok := rt().GetCheckDeprecated(c, "", "{}", "agent: config", "id", "deprecated", "prov")
		if !ok || chk == nil {
			t.Fatalf("get_check_deprecated failed: %s", rt().Error())
		}
		if v, ok := rt().GetAttrString(chk, "check_id"); !ok || v != "id" {
			t.Errorf("check_id = %q, %v", v, ok)
		}
		rt().Decref(chk)
		rt().Decref(c)
	})
	expectNoError(t)
}

func TestGetCheckDeprecatedWithNullAgentConfig(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "test_check")
		chk, ok := rt().GetCheckDeprecated(c, "", "{}", bindings.NULL, "", "test_check", "")
		if !ok {
			t.Fatalf("get_check_deprecated(NULL agent_config) failed: %s", rt().Error())
		}
		rt().Decref(chk)
		rt().Decref(c)
	})
	expectNoError(t)
}

// getCheckErr runs get_check (or the deprecated variant when agentConfig != "-") on the given
// fixture class and returns whether it succeeded.
func getCheckErr(t *testing.T, module, initConfig, instance, agentConfig, checkID, name, provider string) bool {
	t.Helper()
	var ok bool
	withGIL(func() {
		c := loadClass(t, module)
		var chk bindings.PyObject
		if agentConfig == "-" {
			chk, ok = rt().GetCheck(c, initConfig, instance, checkID, name, provider)
		} else {
			chk, ok = rt().GetCheckDeprecated(c, initConfig, instance, agentConfig, checkID, name, provider)
		}
		if ok {
			rt().Decref(chk)
		} else if chk != nil {
			t.Error("failed get_check wrote *check")
		}
		rt().Decref(c)
	})
	return ok
}

// Every way get_check and get_check_deprecated refuse their input: each row fails with exactly
// its error (API.md section 7.1), writes no check, and leaves the counters balanced. A row whose
// error ends with a traceback gives its start (want) and the traceback's last line (tail).
// agentConfig "-" means get_check; anything else, get_check_deprecated with that agent_config.
// (A NULL class: TestGetCheckNullClassFails.)
func TestGetCheckErrors(t *testing.T) {
	tb := "Traceback (most recent call last):\n"
	for _, c := range []struct {
		name, module, initConfig, instance, agentConfig, checkID, checkName, provider string
		want, tail                                                                    string
	}{
		{"init_config parse error", "behaviour_check", "raise", "x", "-", "", "n", "",
			"error parsing init_config: " + tb, tracebackTail("ValueError", "load_config boom")},
		{"init_config not a dict", "behaviour_check", "list", "x", "-", "", "n", "",
			"error 'init_config' is not a dict", ""},
		{"instance parse error", "behaviour_check", "", "raise", "-", "", "n", "",
			"error parsing instance: " + tb, tracebackTail("ValueError", "load_config boom")},
		{"instance empty", "behaviour_check", "", "", "-", "", "n", "", "error instance is not a dict", ""},
		{"instance None", "behaviour_check", "", "none", "-", "", "n", "", "error instance is not a dict", ""},
		{"instance a list", "behaviour_check", "", "list", "-", "", "n", "", "error instance is not a dict", ""},
		{"NULL name", "test_check", "", "{}", "-", "", bindings.NULL, "", "error 'name' can't be initialized: ", ""},
		{"constructor raises: no prefix", "behaviour_check", "", "ctor_raise", "-", "", "n", "",
			tb, tracebackTail("RuntimeError", "constructor failed")},
		{"check_id attribute refused", "setattr_check", "", "{}", "-", "the_id", "n", "",
			"error could not set 'check_id' attr: " + tb, tracebackTail("AttributeError", "read-only check_id")},
		{"provider attribute refused", "setattr_check", "", "{}", "-", "", "n", "prov",
			"error could not set 'provider' attr: " + tb, tracebackTail("AttributeError", "read-only provider")},
		{"check_id not UTF-8", "test_check", "", "{}", "-", "bad\xffid", "n", "",
			"error could not set check_id: bad\xffid", ""},
		{"provider not UTF-8", "test_check", "", "{}", "-", "", "n", "bad\xffprov",
			"error could not set provider: bad\xffprov", ""},
		{"deprecated: agent_config parse error", "behaviour_check", "", "x", "raise", "", "n", "",
			"error parsing agent_config: " + tb, tracebackTail("ValueError", "load_config boom")},
		{"deprecated: agent_config not a dict", "behaviour_check", "", "x", "list", "", "n", "",
			"error agent_config is not a dict", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer helpers.CheckMemory(t)()
			if getCheckErr(t, c.module, c.initConfig, c.instance, c.agentConfig, c.checkID, c.checkName, c.provider) {
				t.Fatal("succeeded")
			}
			if c.tail != "" {
				expectErrorPrefix(t, c.want, c.tail)
			} else {
				expectError(t, c.want)
			}
		})
	}
}

func TestRunCheckReturnsString(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		chk := newCheck(t, "fine")
		if s, ok := rt().RunCheck(chk); !ok || s != "ran fine" {
			t.Errorf("run_check = %q, %v; want \"ran fine\"", s, ok)
		}
		rt().Decref(chk)
		chk = newCheck(t, "run_unicode")
		if s, ok := rt().RunCheck(chk); !ok || s != "caf\u00e9 \u2603" {
			t.Errorf("run_check = %q, %v", s, ok)
		}
		rt().Decref(chk)
	})
	expectNoError(t)
}

func TestRunCheckFakeCheckReturnsEmptyString(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		c := loadClass(t, "fake_check")
		chk, ok := rt().GetCheck(c, "", "{}", "", "fake", "")
		if !ok {
			t.Fatalf("get_check: %s", rt().Error())
		}
		if s, ok := rt().RunCheck(chk); !ok || s != "" {
			t.Errorf("run_check = %q, %v; want \"\", non-NULL", s, ok)
		}
		rt().Decref(chk)
		rt().Decref(c)
	})
	expectNoError(t)
}

func TestRunCheckRaises(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		chk := newCheck(t, "run_raise")
		if _, ok := rt().RunCheck(chk); ok {
			t.Error("run_check succeeded")
		}
		rt().Decref(chk)
	})
	expectErrorPrefix(t, "error invoking 'run' method: Traceback (most recent call last):\n", tracebackTail("RuntimeError", "run failed"))
}

func TestRunCheckNonStringResult(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		chk := newCheck(t, "run_int")
		if _, ok := rt().RunCheck(chk); ok {
			t.Error("run_check succeeded")
		}
		rt().Decref(chk)
	})
	expectError(t, "error invoking 'run' method: ")
}

func TestRunCheckUnencodableResult(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		chk := newCheck(t, "run_surrogate")
		if _, ok := rt().RunCheck(chk); ok {
			t.Error("run_check succeeded")
		}
		rt().Decref(chk)
	})
	expectError(t, "error converting 'run' result to string")
	helpers.RunPyExpect(t, `out.write("ok")`, "ok")
}

func TestRunCheckNullCheck(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		if _, ok := rt().RunCheck(nil); ok {
			t.Error("run_check(NULL) returned a string")
		}
	})
	expectNoError(t)
}

func TestCancelCheckCallsCancel(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		chk := newCheck(t, "fine")
		if v, ok := rt().GetAttrBool(chk, "cancelled"); !ok || v {
			t.Fatalf("cancelled before cancel_check = %v, %v", v, ok)
		}
		rt().CancelCheck(chk)
		if v, ok := rt().GetAttrBool(chk, "cancelled"); !ok || !v {
			t.Errorf("cancelled after cancel_check = %v, %v", v, ok)
		}
		rt().Decref(chk)
	})
	expectNoError(t)
}

func TestCancelCheckRaises(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		chk := newCheck(t, "cancel_raise")
		rt().CancelCheck(chk)
		rt().Decref(chk)
	})
	expectErrorPrefix(t, "error invoking 'cancel' method: Traceback (most recent call last):\n", tracebackTail("RuntimeError", "cancel failed"))
}

func TestCancelCheckNullCheck(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() { rt().CancelCheck(nil) })
	expectNoError(t)
}

func TestGetChecksWarningsFakeCheck(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var w []string
	withGIL(func() {
		c := loadClass(t, "fake_check")
		chk, ok := rt().GetCheck(c, "", "{}", "", "fake", "")
		if !ok {
			t.Fatalf("get_check: %s", rt().Error())
		}
		w = rt().GetChecksWarnings(chk)
		rt().Decref(chk)
		rt().Decref(c)
	})
	want := []string{"warning 1", "warning 2", "warning 3"}
	if strings.Join(w, "|") != strings.Join(want, "|") || len(w) != 3 {
		t.Errorf("warnings = %q, want %q", w, want)
	}
	expectNoError(t)
}

func TestGetChecksWarningsSkipsNonStrings(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var w []string
	withGIL(func() {
		chk := newCheck(t, "warn_mixed")
		w = rt().GetChecksWarnings(chk)
		rt().Decref(chk)
	})
	want := []string{"first", "second", "caf\u00e9"}
	if w == nil || strings.Join(w, "|") != strings.Join(want, "|") {
		t.Errorf("warnings = %q, want %q", w, want)
	}
	expectNoError(t)
}

func TestGetChecksWarningsEmpty(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var w []string
	withGIL(func() {
		chk := newCheck(t, "warn_empty")
		w = rt().GetChecksWarnings(chk)
		rt().Decref(chk)
	})
	if w == nil || len(w) != 0 {
		t.Errorf("warnings = %#v, want an empty non-NULL array", w)
	}
	expectNoError(t)
}

func TestGetChecksWarningsRaises(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		chk := newCheck(t, "warn_raise")
		if w := rt().GetChecksWarnings(chk); w != nil {
			t.Errorf("warnings = %q, want NULL", w)
		}
		rt().Decref(chk)
	})
	expectErrorPrefix(t, "error invoking 'get_warnings' method: Traceback (most recent call last):\n", tracebackTail("RuntimeError", "warnings failed"))
}

func TestGetChecksWarningsNotAList(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		chk := newCheck(t, "warn_int")
		if w := rt().GetChecksWarnings(chk); w != nil {
			t.Errorf("warnings = %q, want NULL", w)
		}
		rt().Decref(chk)
	})
	expectError(t, "error computing 'len(warnings)': object of type 'int' has no len()")
}

func TestGetChecksWarningsNullCheck(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		if w := rt().GetChecksWarnings(nil); w != nil {
			t.Errorf("warnings = %q, want NULL", w)
		}
	})
	rt().ClearError()
}

// diagnosisFailure is the synthesised text of API.md section 7.8.
func diagnosisFailure(escaped string) string {
	return `[{"result":3, "diagnosis": "check's get_diagnoses() method failed", "rawerror": "` + escaped + `"}]`
}

// escapeDiag is the byte-by-byte escaping of API.md section 7.8.
func escapeDiag(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&15])
			} else {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

type diagnosis struct {
	Result    int    `json:"result"`
	Diagnosis string `json:"diagnosis"`
	RawError  string `json:"rawerror"`
	Name      string `json:"name"`
	Category  string `json:"category"`
}

func diagnoses(t *testing.T, mode string) string {
	t.Helper()
	var s string
	var ok bool
	withGIL(func() {
		chk := newCheck(t, mode)
		s, ok = rt().GetCheckDiagnoses(chk)
		rt().Decref(chk)
	})
	if !ok {
		t.Fatalf("get_check_diagnoses returned NULL: %s", rt().Error())
	}
	expectNoError(t)
	return s
}

func TestGetCheckDiagnosesReturnsTheCheckString(t *testing.T) {
	defer helpers.CheckMemory(t)()
	s := diagnoses(t, "fine")
	if s != `[{"result": 0, "diagnosis": "all good", "name": "n", "category": "c"}]` {
		t.Errorf("diagnoses = %q", s)
	}
}

func TestGetCheckDiagnosesDefault(t *testing.T) {
	defer helpers.CheckMemory(t)()
	var s string
	var ok bool
	withGIL(func() {
		c := loadClass(t, "fake_check")
		chk, _ := rt().GetCheck(c, "", "{}", "", "fake", "")
		s, ok = rt().GetCheckDiagnoses(chk)
		rt().Decref(chk)
		rt().Decref(c)
	})
	if !ok || s != "[]" {
		t.Errorf("diagnoses = %q, %v; want []", s, ok)
	}
}

func TestGetCheckDiagnosesRaisingIsSynthesisedAndEscaped(t *testing.T) {
	defer helpers.CheckMemory(t)()
	s := diagnoses(t, "diag_raise")
	var d []diagnosis
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("synthesised diagnoses are not JSON (%v): %q", err, s)
	}
	if len(d) != 1 || d[0].Result != 3 || d[0].Diagnosis != "check's get_diagnoses() method failed" {
		t.Fatalf("diagnoses = %+v", d)
	}
	msg := "diag \"quoted\" back\\slash\b\f\n\r\t\x01\x1f\x7f \u00e9 end"
	if !strings.HasPrefix(d[0].RawError, "Traceback (most recent call last):\n") ||
		!strings.HasSuffix(d[0].RawError, tracebackTail("RuntimeError", msg)) {
		t.Errorf("rawerror = %q", d[0].RawError)
	}
	if want := diagnosisFailure(escapeDiag(d[0].RawError)); s != want {
		t.Errorf("synthesised text:\n got: %q\nwant: %q", s, want)
	}
	if !strings.Contains(s, `\u0001\u001f`+"\x7f \u00e9") || !strings.Contains(s, `\b\f\n\r\t`) {
		t.Errorf("escapes missing in %q", s)
	}
}

func TestGetCheckDiagnosesNonStringResult(t *testing.T) {
	defer helpers.CheckMemory(t)()
	if s := diagnoses(t, "diag_int"); s != diagnosisFailure("") {
		t.Errorf("diagnoses = %q, want %q", s, diagnosisFailure(""))
	}
}

func TestGetCheckDiagnosesUnencodableResult(t *testing.T) {
	defer helpers.CheckMemory(t)()
	want := diagnosisFailure("error converting 'get_diagnoses' result to string")
	if s := diagnoses(t, "diag_surrogate"); s != want {
		t.Errorf("diagnoses = %q, want %q", s, want)
	}
}

func TestGetCheckDiagnosesNullCheck(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		if s, ok := rt().GetCheckDiagnoses(nil); ok {
			t.Errorf("get_check_diagnoses(NULL) = %q", s)
		}
	})
	rt().ClearError()
}

func TestGetCheckNullClassFails(t *testing.T) {
	defer helpers.CheckMemory(t)()
	withGIL(func() {
		if chk, ok := rt().GetCheck(nil, "", "{}", "", "n", ""); ok || chk != nil {
			t.Fatalf("get_check(NULL class) = %v, %v; want failure", chk, ok)
		}
	})
	expectError(t, "get_check: NULL check class or output argument")
}
