package api

import (
	"encoding/json"
	"strings"
	"testing"

	"rtloader/test/helpers"
)

// Issue 11 item 1: get_checks_warnings and get_check_diagnoses fed hostile values by a check
// (test/testdata/python/hostile_check.py). Each case must give the spec's result or a clean error: never
// a crash (ASan: heap overflow), a leak (the counters) or a Python error left pending.

// hostileWarnings runs get_checks_warnings on HostileCheck in the given mode.
func hostileWarnings(t *testing.T, mode string) []string {
	t.Helper()
	var w []string
	withGIL(func() {
		chk, err := helpers.NewCheck(rt(), "hostile_check", "", mode, "", "hostile")
		if err != nil {
			t.Fatal(err)
		}
		w = rt().GetChecksWarnings(chk)
		rt().Decref(chk)
		// Nothing is left pending for the next caller.
		if !rt().RunSimpleString("import sys; assert sys.exc_info()[0] is None") {
			t.Error("a Python error was left pending")
		}
	})
	return w
}

// The old code's (n + 1) * sizeof(char *) wrapped and the copy loop wrote past the block: a crash,
// so this runs in a child process.
func TestGetChecksWarningsClaimingHugeLengthIsTooLarge(t *testing.T) {
	if !helpers.InChild(t) {
		helpers.RunChild(t).ExpectPass(t)
		return
	}
	if err := helpers.Setup(); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"len_2_61", "len_maxsize"} {
		defer helpers.CheckMemory(t)()
		if w := hostileWarnings(t, mode); w != nil {
			t.Errorf("%s: warnings = %d items, want NULL", mode, len(w))
		}
		expectError(t, "warnings list too large")
	}
}

func TestGetChecksWarningsWithBadLengthFails(t *testing.T) {
	cases := map[string]string{
		"len_negative": "__len__() should return >= 0",
		"len_2_64":     "cannot fit 'int' into an index-sized integer",
		"len_raises":   "'StrRaises' object cannot be interpreted as an integer",
		"generator":    "object of type 'generator' has no len()",
	}
	for mode, msg := range cases {
		t.Run(mode, func(t *testing.T) {
			defer helpers.CheckMemory(t)()
			if w := hostileWarnings(t, mode); w != nil {
				t.Errorf("warnings = %q, want NULL", w)
			}
			expectError(t, "error computing 'len(warnings)': "+msg)
		})
	}
}

func TestGetChecksWarningsItemRaisingPartWayFailsWhole(t *testing.T) {
	cases := map[string]string{
		"len_long":         "IndexError: no item 2\n",
		"getitem_keyerror": "KeyError: 'k1'\n",
	}
	for mode, tail := range cases {
		t.Run(mode, func(t *testing.T) {
			defer helpers.CheckMemory(t)()
			if w := hostileWarnings(t, mode); w != nil {
				t.Errorf("warnings = %q, want NULL", w)
			}
			expectErrorPrefix(t, "there was an error browsing 'warnings' list: Traceback (most recent call last):\n", tail)
		})
	}
}

func TestGetChecksWarningsHostileButReadable(t *testing.T) {
	cases := map[string][]string{
		"len_short": {"w0", "w1"},      // a length that lies short: only that many are read
		"odd_items": {"a", "sub", "z"}, // non-str and unencodable items skipped; str() never called
		"str":       {"a", "b", "c"},   // a str is a sequence of str
	}
	for mode, want := range cases {
		t.Run(mode, func(t *testing.T) {
			defer helpers.CheckMemory(t)()
			w := hostileWarnings(t, mode)
			if w == nil || strings.Join(w, "|") != strings.Join(want, "|") {
				t.Errorf("warnings = %q, want %q", w, want)
			}
			expectNoError(t)
		})
	}
}

func TestGetChecksWarningsDictIsNotBrowsable(t *testing.T) {
	defer helpers.CheckMemory(t)()
	if w := hostileWarnings(t, "dict"); w != nil {
		t.Errorf("warnings = %q, want NULL", w)
	}
	expectErrorPrefix(t, "there was an error browsing 'warnings' list: ", "")
}

func TestGetCheckDiagnosesHostileResults(t *testing.T) {
	cases := map[string]string{
		"diag_str_subclass": "[]",                 // a str subclass is a str: its value, str() unused
		"diag_bytes":        diagnosisFailure(""), // not a str, nothing pending
		"diag_claims":       diagnosisFailure(""), // not a str, whatever its len
		"diag_unprintable":  "Unprintable: <",     // synthesised: the type survives, the message as far as traceback can print it
		"diag_system_exit":  "SystemExit: 3",      // an error like any other: the process goes on
	}
	for mode, want := range cases {
		t.Run(mode, func(t *testing.T) {
			defer helpers.CheckMemory(t)()
			var s string
			var ok bool
			withGIL(func() {
				chk, err := helpers.NewCheck(rt(), "hostile_check", "", mode, "", "hostile")
				if err != nil {
					t.Fatal(err)
				}
				s, ok = rt().GetCheckDiagnoses(chk)
				rt().Decref(chk)
			})
			if !ok {
				t.Fatalf("get_check_diagnoses returned NULL: %s", rt().Error())
			}
			expectNoError(t)
			if !strings.HasPrefix(want, "[") {
				var d []diagnosis
				if err := json.Unmarshal([]byte(s), &d); err != nil || len(d) != 1 || d[0].Result != 3 {
					t.Fatalf("diagnoses = %q (%v), want one synthesised diagnosis", s, err)
				}
				if !strings.HasPrefix(d[0].RawError, "Traceback (most recent call last):\n") || !strings.Contains(d[0].RawError, want) {
					t.Errorf("rawerror = %q, want a traceback containing %q", d[0].RawError, want)
				}
				return
			}
			if s != want {
				t.Errorf("diagnoses = %q, want %q", s, want)
			}
		})
	}
}
