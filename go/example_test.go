package rtloader_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"rtloader"
)

// printer is a host that prints the metrics and service checks it receives; every other
// callback gets NopHost's default.
type printer struct{ rtloader.NopHost }

func (printer) Hostname() string { return "example-host" }

func (printer) SubmitMetric(checkID string, t rtloader.MetricType, name string, value float64, tags []string, hostname string, flushFirstValue bool) {
	fmt.Printf("%s %s = %g %v\n", t, name, value, tags)
}

func (printer) SubmitServiceCheck(checkID, name string, status rtloader.ServiceCheckStatus, tags []string, hostname, message string) {
	fmt.Printf("service check %s: %s\n", name, status)
}

// options: the Python the test matrix selects (RTLOADER_PYTHON_HOME, "" for the default
// backend), the bundled check base (../python) and the example checks.
func options(h rtloader.Host) rtloader.Options {
	return rtloader.Options{
		PythonHome:  os.Getenv("RTLOADER_PYTHON_HOME"),
		PythonExe:   os.Getenv("RTLOADER_PYTHON_EXE"),
		PythonPaths: []string{"../python", "testdata/python"},
		Host:        h,
	}
}

// Open rtloader, load a check with its configuration as Go values, run it.
func Example() {
	rt, err := rtloader.Open(options(printer{}))
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()

	check, err := rt.LoadCheck("hello", nil, map[string]any{"tags": []string{"env:demo"}, "value": 42})
	if err != nil {
		log.Fatal(err)
	}
	defer check.Close()
	if _, err := check.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// gauge hello.world = 42 [env:demo host:example-host]
	// service check hello.ok: OK
}

// Warnings a check reports come back from Run; a failing check gives a *CheckError.
func ExampleCheck_Run() {
	rt, err := rtloader.Open(options(nil)) // nil: NopHost, submissions are dropped
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()

	check, err := rt.LoadCheck("hello", nil, map[string]string{"warn": "disk almost full"})
	if err != nil {
		log.Fatal(err)
	}
	defer check.Close()
	warnings, err := check.Run(context.Background())
	fmt.Println(warnings, err)

	failing, err := rt.LoadCheck("go_fail", nil, map[string]string{"host": "db1"})
	if err != nil {
		log.Fatal(err)
	}
	defer failing.Close()
	_, err = failing.Run(context.Background())
	var ce *rtloader.CheckError
	if errors.As(err, &ce) {
		fmt.Println(ce.Failures[0].Message)
	}
	// Output:
	// [asked to warn: disk almost full] <nil>
	// cannot reach db1
}

// A context deadline asks the check to stop (cancel_check calls its cancel() method); Run
// returns once the check's run() has returned.
func ExampleCheck_Run_timeout() {
	rt, err := rtloader.Open(options(nil))
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()

	check, err := rt.LoadCheck("go_slow", nil, nil) // runs until cancelled
	if err != nil {
		log.Fatal(err)
	}
	defer check.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = check.Run(ctx)
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output: true
}

// Loading a check that cannot be imported gives rtloader's own error text.
func ExampleRuntime_LoadCheck() {
	rt, err := rtloader.Open(options(nil))
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()

	_, err = rt.LoadCheck("no_such_check", nil, nil)
	var e *rtloader.Error
	if errors.As(err, &e) {
		fmt.Println(e.Op+":", e.Msg)
	}
	// Output: get_class: unable to import module 'no_such_check': No module named 'no_such_check'
}
