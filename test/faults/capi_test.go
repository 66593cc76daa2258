package faults

import (
	"strings"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// anyError: a C API call may fail on a failed allocation, but only with 0/NULL and an error
// that get_error reports (never "failed without an error").
var anyError = []string{"error: *"}

func withGIL(f func() string) func(t *testing.T) string {
	return func(t *testing.T) string {
		var s string
		helpers.Rt.WithGIL(func() { s = f() })
		return s
	}
}

// behaviourClass loads BehaviourCheck (test/testdata/python/behaviour_check.py) for the duration of t.
func behaviourClass(t *testing.T) bindings.PyObject {
	t.Helper()
	var c bindings.PyObject
	var err error
	helpers.Rt.WithGIL(func() { c, err = helpers.LoadClass(helpers.Rt, "behaviour_check") })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { helpers.Rt.WithGIL(func() { helpers.Rt.Decref(c) }) })
	return c
}

// behaviourCheck instantiates BehaviourCheck in the given mode for the duration of t.
func behaviourCheck(t *testing.T, mode string) bindings.PyObject {
	t.Helper()
	var chk bindings.PyObject
	var err error
	helpers.Rt.WithGIL(func() {
		chk, err = helpers.NewCheck(helpers.Rt, "behaviour_check", "init", mode, "behaviour:0123", "behaviour")
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { helpers.Rt.WithGIL(func() { helpers.Rt.Decref(chk) }) })
	return chk
}

// expectNoAllocation runs an operation whose only product is an error message built from a
// Python error: that message is stored outside the tracker (API.md section 12.5), so the
// operation makes no rtloader allocation at all and there is nothing to fail.
func expectNoAllocation(t *testing.T, run func(t *testing.T) string, want string) {
	t.Helper()
	defer helpers.CheckMemory(t)()
	if got := run(t); !match(want, got) { // warm-up
		t.Fatalf("outcome %q, want %q", got, want)
	}
	bindings.FaultArm(0)
	got := run(t)
	k, _ := bindings.FaultDisarm()
	if !match(want, got) || k != 0 {
		t.Errorf("outcome %q with %d rtloader allocations, want %q with none", got, k, want)
	}
}

// A constructor that raises: get_check's error message is built from the Python error. With
// sub-interpreters on, get_check first builds the instance's interpreter (its record and thread
// state table are rtloader allocations), so there each allocation is failed in turn instead.
func TestFaultsGetCheckError(t *testing.T) {
	c := behaviourClass(t)
	run := withGIL(func() string {
		chk, ok := helpers.Rt.GetCheck(c, "init", "ctor_raise", "behaviour:0123", "behaviour", "prov")
		if ok {
			helpers.Rt.Decref(chk)
			return "ok"
		}
		return capiError()
	})
	want := "error: *RuntimeError: constructor failed*"
	if helpers.SubinterpretersMode() {
		sweep(t, scenario{run: run, want: want, allowed: anyError})
		return
	}
	expectNoAllocation(t, run, want)
}

func TestFaultsRunCheck(t *testing.T) {
	for _, tc := range []struct{ mode, want, required string }{
		{"x", "ran x", "error: could not allocate memory for the 'run' result"},
		{"run_unicode", "caf\u00e9 \u2603", "error: could not allocate memory for the 'run' result"},
	} {
		tc := tc
		t.Run(tc.mode, func(t *testing.T) {
			chk := behaviourCheck(t, tc.mode)
			sweep(t, scenario{
				run: withGIL(func() string {
					s, ok := helpers.Rt.RunCheck(chk)
					if !ok {
						return capiError()
					}
					return s
				}),
				want:     tc.want,
				allowed:  anyError,
				required: []string{tc.required},
			})
		})
	}
	t.Run("run_raise", func(t *testing.T) {
		chk := behaviourCheck(t, "run_raise")
		expectNoAllocation(t, withGIL(func() string {
			if s, ok := helpers.Rt.RunCheck(chk); ok {
				return s
			}
			return capiError()
		}), "error: error invoking 'run' method: *RuntimeError: run failed*")
	})
}

func TestFaultsGetChecksWarnings(t *testing.T) {
	chk := behaviourCheck(t, "warn_mixed")
	sweep(t, scenario{
		run: withGIL(func() string {
			w := helpers.Rt.GetChecksWarnings(chk)
			if w == nil {
				return capiError()
			}
			return strings.Join(w, "|")
		}),
		want:     "first|second|caf\u00e9",
		allowed:  anyError,
		required: []string{"error: could not allocate memory to store warnings"},
	})
}

func TestFaultsGetCheckDiagnoses(t *testing.T) {
	chk := behaviourCheck(t, "x")
	sweep(t, scenario{
		run: withGIL(func() string {
			s, ok := helpers.Rt.GetCheckDiagnoses(chk)
			if !ok {
				return capiError()
			}
			return s
		}),
		want: "[*",
		// The copy lost: a synthesised diagnosis says so; that lost too: NULL with an error.
		allowed:  []string{diagNoMemory, "error: could not allocate memory for the diagnoses"},
		required: []string{diagNoMemory}, // one failure per run: the second allocation never fails here
	})
}

const diagNoMemory = `[{"result":3, "diagnosis": "check's get_diagnoses() method failed", ` +
	`"rawerror": "could not allocate memory for the 'get_diagnoses' result"}]`

func TestFaultsGetAttrString(t *testing.T) {
	chk := behaviourCheck(t, "x")
	sweep(t, scenario{
		run: withGIL(func() string {
			s, ok := helpers.Rt.GetAttrString(chk, "mode")
			if !ok {
				return capiError()
			}
			return s
		}),
		want:     "x",
		allowed:  anyError,
		required: []string{"error: could not allocate memory for attribute mode"},
	})
}

func TestFaultsErrorPaths(t *testing.T) {
	t.Run("get_class", func(t *testing.T) {
		sweep(t, scenario{
			run: withGIL(func() string {
				if _, _, ok := helpers.Rt.GetClass("no_such_module_for_faults"); ok {
					return "loaded"
				}
				return capiError()
			}),
			want:    "error: *no_such_module_for_faults*",
			allowed: anyError,
		})
	})
}

func TestFaultsInterpreterQueries(t *testing.T) {
	t.Run("get_py_info", func(t *testing.T) {
		sweep(t, scenario{
			run: withGIL(func() string {
				info, ok := helpers.Rt.GetPyInfo()
				if !ok {
					return capiError()
				}
				if info.Version == "" {
					return "no version"
				}
				if !info.PathOK {
					return "path NULL, " + capiError()
				}
				return "ok"
			}),
			want:     "ok",
			allowed:  append([]string{"path NULL, error: could not allocate memory for 'sys.path'"}, anyError...),
			required: []string{"error: could not allocate a py_info_t struct", "path NULL, error: could not allocate memory for 'sys.path'"},
		})
	})
	t.Run("get_integration_list", func(t *testing.T) {
		sweep(t, scenario{
			run: func(t *testing.T) string {
				s, ok := helpers.Rt.GetIntegrationList()
				if !ok {
					return capiError()
				}
				return s
			},
			want:    "[*",
			allowed: anyError,
		})
	})
	t.Run("get_interpreter_memory_usage", func(t *testing.T) {
		sweep(t, scenario{
			run: func(t *testing.T) string {
				s, ok := helpers.Rt.GetInterpreterMemoryUsage()
				if !ok {
					return capiError()
				}
				return s
			},
			want:    "{*",
			allowed: anyError,
		})
	})
}
