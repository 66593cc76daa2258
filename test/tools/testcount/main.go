// Command testcount reads `go test -json` on stdin, prints a compact report (package results,
// the output of failed tests, skip notes) and, with -summary FILE, writes "<passed> <failed>
// <skipped>" to FILE. A package that fails without any failed test (a build error, a crash
// outside a test) counts as one failure.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	summary := flag.String("summary", "", "file receiving '<passed> <failed> <skipped>'")
	verbose := flag.Bool("v", false, "print every test's output")
	flag.Parse()

	outputs := map[string][]string{} // package/test -> output lines
	pkgFailed := map[string]int{}    // package -> failed tests
	var passed, failed, skipped int
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if err := json.Unmarshal(line, &ev); err != nil {
			fmt.Println(string(line)) // not JSON: a build error printed by go itself
			continue
		}
		key := ev.Package + "/" + ev.Test
		switch ev.Action {
		case "output":
			if *verbose {
				fmt.Print(ev.Output)
			}
			outputs[key] = append(outputs[key], ev.Output)
		case "pass":
			if ev.Test != "" {
				passed++
			} else {
				fmt.Printf("ok   %s %.2fs\n", ev.Package, ev.Elapsed)
			}
			delete(outputs, key)
		case "skip":
			if ev.Test != "" {
				skipped++
				for _, o := range outputs[key] {
					if strings.Contains(o, ".go:") { // the t.Skip note
						fmt.Printf("skip %s: %s", ev.Test, strings.TrimSpace(o)+"\n")
					}
				}
			} else {
				fmt.Printf("ok   %s (no tests)\n", ev.Package)
			}
			delete(outputs, key)
		case "fail":
			if ev.Test != "" {
				failed++
				pkgFailed[ev.Package]++
				if !*verbose {
					fmt.Print(strings.Join(outputs[key], ""))
				}
			} else {
				if pkgFailed[ev.Package] == 0 {
					failed++ // the package failed outside any test (build error, crash)
					if !*verbose {
						fmt.Print(strings.Join(outputs[key], ""))
					}
				}
				fmt.Printf("FAIL %s %.2fs\n", ev.Package, ev.Elapsed)
			}
			delete(outputs, key)
		}
	}
	if *summary != "" {
		if err := os.WriteFile(*summary, []byte(fmt.Sprintf("%d %d %d\n", passed, failed, skipped)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
