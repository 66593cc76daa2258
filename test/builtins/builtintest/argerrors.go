package builtintest

import (
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

// ArgError is one row of a module's argument-error table: a call with bad arguments, the exact
// exception it raises, and the callback it must not reach. Each module's tests hold one table
// (TestArgumentErrors), written with Row and run by ExpectArgErrors.
type ArgError struct {
	// Cb is the callback the function calls once its arguments are valid (its name in the C
	// list, as in test/builtins/unset).
	Cb string
	// Name says what is wrong with the arguments; the row's subtest is Cb/Name
	// ("submit_metric/check_id not str").
	Name string
	// Call is the Python code, usually the one call; it runs after the table's setup code.
	Call string
	// Want is the exception, written "<Type>: <message>": one text, or one per wording when
	// CPython words the error differently between the versions the suite runs (the row accepts
	// exactly one of them).
	Want []string
}

// Row is the ArgError {cb, name, call, want} (a table of calls reads better than keyed literals).
func Row(cb, name, call string, want ...string) ArgError {
	return ArgError{Cb: cb, Name: name, Call: call, Want: want}
}

// ExpectArgErrors runs each row as a subtest: setup (imports and any helper classes the calls
// use, indented or not) then the row's call, which must raise exactly one of the row's texts,
// with no callback reached (a handler counting its calls stands behind every callback: none may
// run, the row's own included), and with rtloader's allocation counters balanced afterwards.
func ExpectArgErrors(t *testing.T, setup string, rows []ArgError) {
	t.Helper()
	setup = helpers.Dedent(setup)
	seen := map[string]bool{}
	for _, r := range rows {
		r := r
		name := r.Cb + "/" + r.Name
		if seen[name] {
			t.Errorf("two rows named %q", name)
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			cb, ok := bindings.CallbackNamed(r.Cb)
			if !ok {
				t.Fatalf("no callback %q in the C list", r.Cb)
			}
			if len(r.Want) == 0 {
				t.Fatal("the row expects no error text")
			}
			defer helpers.CheckMemory(t)()
			calls := countCallbacks(t)
			got := helpers.RunPy(t, setup+"\n"+helpers.Dedent(r.Call))
			match := false
			for _, w := range r.Want {
				match = match || got == w
			}
			if !match {
				t.Errorf("%s\n got: %q\nwant: %q", r.Call, got, strings.Join(r.Want, `" or "`))
			}
			for name, n := range calls {
				if n := n.Load(); n != 0 {
					what := "another callback"
					if name == cb.Name() {
						what = "its callback"
					}
					t.Errorf("%s reached %s, %s, %d time(s)", r.Call, what, name, n)
				}
			}
		})
	}
}

// ExpectRowsForEveryFunction fails t unless every public function of module has a row in rows
// (a call module.f(...)), but those listed in anyArguments, which accept any arguments: a function
// added to a module needs its argument errors in the table.
func ExpectRowsForEveryFunction(t *testing.T, module string, rows []ArgError, anyArguments ...string) {
	t.Helper()
	names := helpers.RunPy(t, `
		import `+module+` as m
		out.write(' '.join(sorted(n for n, v in vars(m).items()
		                          if callable(v) and not isinstance(v, type) and not n.startswith('_'))))
	`)
	exempt := map[string]bool{}
	for _, f := range anyArguments {
		exempt[f] = true
	}
	if len(strings.Fields(names)) == 0 {
		t.Fatalf("module %s has no functions", module)
	}
	for _, f := range strings.Fields(names) {
		if exempt[f] {
			delete(exempt, f)
			continue
		}
		found := false
		for _, r := range rows {
			found = found || strings.Contains(r.Call, module+"."+f+"(")
		}
		if !found {
			t.Errorf("%s.%s has no row in the argument-error table", module, f)
		}
	}
	for f := range exempt {
		t.Errorf("%s has no function %s", module, f)
	}
}

// countCallbacks installs, for the duration of t, a handler behind every callback that counts
// its calls and returns the harmless default (zero values: NULL, false, 0). The handler fields are
// found by reflection: bindings.Handlers has one field per callback of the C list, named after it
// (TestEveryCallbackReachesTheHost in go/ checks that), so a new callback is counted with no
// change here. Returns the counters by callback name.
func countCallbacks(t *testing.T) map[string]*atomic.Int64 {
	byKey := map[string]string{} // "submitmetric" -> "submit_metric"
	for _, cb := range bindings.AllCallbacks() {
		byKey[strings.ReplaceAll(cb.Name(), "_", "")] = cb.Name()
	}
	calls := map[string]*atomic.Int64{}
	Handle(t, func(h *bindings.Handlers) {
		v := reflect.ValueOf(h).Elem()
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			name, ok := byKey[strings.ToLower(f.Name)]
			if !ok {
				continue // AggregatorEnter: a test hook, not a callback
			}
			n := new(atomic.Int64)
			calls[name] = n
			ft := f.Type
			v.Field(i).Set(reflect.MakeFunc(ft, func([]reflect.Value) []reflect.Value {
				n.Add(1) // callbacks may run on any thread
				out := make([]reflect.Value, ft.NumOut())
				for j := range out {
					out[j] = reflect.Zero(ft.Out(j))
				}
				return out
			}))
		}
	})
	if len(calls) != bindings.NumCallbacks-1 { // every callback but cgo_free (C)
		t.Fatalf("%d handler fields counted for %d callbacks", len(calls), bindings.NumCallbacks)
	}
	return calls
}

// NoKeywords is CPython's refusal of keyword arguments by module.f (METH_VARARGS or
// METH_FASTCALL without METH_KEYWORDS), which names the function with its module from 3.10 on.
func NoKeywords(module, f string) []string {
	return []string{"TypeError: " + f + "() takes no keyword arguments",
		"TypeError: " + module + "." + f + "() takes no keyword arguments"}
}

// NoArguments is CPython's refusal of n positional arguments by the METH_NOARGS function
// module.f, which names the function with its module from 3.10 on.
func NoArguments(module, f string, n int) []string {
	tail := "() takes no arguments (" + strconv.Itoa(n) + " given)"
	return []string{"TypeError: " + f + tail, "TypeError: " + module + "." + f + tail}
}
