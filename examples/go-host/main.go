// go-host runs the bundled example checks (examples/checks.d, configured by examples/conf.d)
// through the Go package rtloader and prints what they submitted: a Go host in one file.
//
//	cd examples/go-host && CGO_LDFLAGS="-L$PWD/../../build -Wl,-rpath,$PWD/../../build" go build
//	./go-host -repo ../.. [-python-home /root/.pyenv/versions/3.12.1] [check ...]
//
// Configuration files are YAML; the Go standard library has no YAML parser, so go-host converts
// them with the repository's own converter, build/runner/rtlc-yaml2json (the one rtloader-check
// uses), and hands each instance to the check as a Go value.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"rtloader"
)

// recorder keeps what the checks submit, by check ID (callbacks may come from several threads).
type recorder struct {
	rtloader.NopHost
	mu    sync.Mutex
	lines map[string][]string
}

func (r *recorder) add(checkID, line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines[checkID] = append(r.lines[checkID], line)
}

func (r *recorder) take(checkID string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.lines[checkID]
	delete(r.lines, checkID)
	return out
}

func (r *recorder) Hostname() string { h, _ := os.Hostname(); return h }

func (r *recorder) SubmitMetric(id string, t rtloader.MetricType, name string, v float64, tags []string, host string, _ bool) {
	r.add(id, fmt.Sprintf("metric        %-15s %s = %g  tags: %v", t, name, v, tags))
}

func (r *recorder) SubmitServiceCheck(id, name string, s rtloader.ServiceCheckStatus, tags []string, host, msg string) {
	r.add(id, fmt.Sprintf("service check %s: %s %q  tags: %v", name, s, msg, tags))
}

func (r *recorder) SubmitEvent(id string, ev rtloader.Event) {
	r.add(id, fmt.Sprintf("event         %q: %q  tags: %v", ev.Title, ev.Text, ev.Tags))
}

func (r *recorder) SetCheckMetadata(id, name, value string) {
	r.add(id, fmt.Sprintf("metadata      %s = %s", name, value))
}

func (r *recorder) Log(msg string, level rtloader.LogLevel) {
	if level >= rtloader.LevelWarning {
		fmt.Fprintf(os.Stderr, "log %d: %s\n", level, msg)
	}
}

// SubprocessOutput runs a check's command as the Agent does: env nil inherits go-host's
// environment; a command that cannot start is an error (a Python exception), a non-zero exit is
// only a return code.
func (r *recorder) SubprocessOutput(argv, env []string) (string, string, int, error) {
	if len(argv) == 0 {
		return "", "", 0, fmt.Errorf("empty command")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return "", "", 0, err
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode(), nil
}

// config reads <confd>/<name>.yaml or <confd>/<name>.d/conf.yaml as JSON.
func config(yaml2json, confd, name string) (initConfig any, instances []map[string]any, err error) {
	path := filepath.Join(confd, name+".yaml")
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(confd, name+".d", "conf.yaml")
	}
	out, err := exec.Command(yaml2json, path).Output()
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %v", yaml2json, path, err)
	}
	var conf struct {
		InitConfig any              `json:"init_config"`
		Instances  []map[string]any `json:"instances"`
	}
	if err := json.Unmarshal(out, &conf); err != nil {
		return nil, nil, err
	}
	return conf.InitConfig, conf.Instances, nil
}

func main() {
	repo := flag.String("repo", ".", "the repository root (checks, conf.d, python/, build/)")
	home := flag.String("python-home", "", "python_home for make3 (\"\": the default backend)")
	exe := flag.String("python-exe", "", "python_exe for make3")
	timeout := flag.Duration("timeout", 30*time.Second, "run timeout per instance")
	flag.Parse()
	checksDir := filepath.Join(*repo, "examples", "checks.d")
	names := flag.Args()
	if len(names) == 0 {
		files, _ := filepath.Glob(filepath.Join(checksDir, "*.py"))
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".py")
			// sql_demo needs an SQL obfuscator (datadog_agent.obfuscate_sql), which this host
			// does not provide (rtloader-check and the Agent do): name it to see it fail.
			if name != "sql_demo" {
				names = append(names, name)
			}
		}
		sort.Strings(names)
	}

	host := &recorder{lines: map[string][]string{}}
	rt, err := rtloader.Open(rtloader.Options{
		PythonHome:  *home,
		PythonExe:   *exe,
		PythonPaths: []string{filepath.Join(*repo, "python"), checksDir},
		Host:        host,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer rt.Close()

	failed := false
	for _, name := range names {
		initConfig, instances, err := config(filepath.Join(*repo, "build", "runner", "rtlc-yaml2json"),
			filepath.Join(*repo, "examples", "conf.d"), name)
		if err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
			failed = true
			continue
		}
		for i, instance := range instances {
			check, err := rt.LoadCheck(name, initConfig, instance)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				failed = true
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), *timeout)
			warnings, err := check.Run(ctx)
			cancel()
			status := "OK"
			if err != nil {
				status, failed = "ERROR: "+err.Error(), true
			}
			fmt.Printf("=== %s instance #%d (%s): %s\n", name, i+1, check.ID(), status)
			for _, line := range host.take(check.ID()) {
				fmt.Println("  " + line)
			}
			for _, w := range warnings {
				fmt.Println("  warning       " + w)
			}
			check.Close()
		}
	}
	if failed {
		rt.Close()
		os.Exit(1)
	}
}
