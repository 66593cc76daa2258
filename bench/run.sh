#!/bin/sh
# bench/run.sh <builddir>: run rtloader's benchmarks (what `make bench` does after building).
#   1. the C driver <builddir>/bench/rtl_bench (figures 1-7), against the default backend;
#   2. the C driver's figure 9 (sub-interpreters) against a Python 3.12+ backend;
#   3. the Go benchmarks of test/bench (figure 8), through test/bindings.
# Prints the driver's table and METRIC lines, then a table and METRIC lines for the Go figures.
# Environment: BENCH_REPS (5), BENCH_MIN_REP_MS (300), BENCH_GO=0 skips the Go part,
# RTLOADER_PYTHON_HOME / RTLOADER_PYTHON_EXE select a versioned backend (default: the default one).
set -eu
build=${1:?usage: bench/run.sh <builddir>}
build=$(cd "$build" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
reps=${BENCH_REPS:-5}
min_ms=${BENCH_MIN_REP_MS:-300}
home=${RTLOADER_PYTHON_HOME:-}
exe=${RTLOADER_PYTHON_EXE:-}
GO=${GO:-go}

driver="$build/bench/rtl_bench"
[ -x "$driver" ] || { echo "bench: $driver not built (make build)" >&2; exit 1; }

set -- --python-path "$here/python" --reps "$reps" --min-rep-ms "$min_ms" --home "$home"
[ -n "$exe" ] && set -- "$@" --exe "$exe"
echo "=== bench: C driver ($driver)"
"$driver" "$@"

# Figure 9 (sub-interpreters) needs a Python 3.12+ backend: the one selected through
# RTLOADER_PYTHON_HOME when it is 3.12+, else the newest 3.12+ one in backends.txt.
sub_home="" sub_exe=""
if [ -n "$home" ] && [ -n "$exe" ]; then
    v=$("$exe" -c 'import sys; print("%d %d" % sys.version_info[:2])' 2>/dev/null || echo "0 0")
    set -- $v
    [ "$1" -eq 3 ] && [ "$2" -ge 12 ] && sub_home=$home sub_exe=$exe
fi
if [ -z "$sub_home" ] && [ -r "$build/backends.txt" ]; then
    while read -r name version bhome; do
        case "$name:$version" in
            default:* | *:3.[0-9] | *:3.1[01]) ;;
            *) sub_home=$bhome sub_exe="$bhome/bin/python$version" ;;
        esac
    done < "$build/backends.txt"
fi
echo
if [ -n "$sub_home" ]; then
    echo "=== bench: C driver, figure 9 (sub-interpreters; $sub_home)"
    "$driver" --python-path "$here/python" --reps "$reps" --min-rep-ms "$min_ms" --home "$sub_home" \
        --exe "$sub_exe" --only 9 --subinterpreters
else
    echo "=== bench: figure 9 (sub-interpreters) skipped: no Python 3.12+ backend built"
fi

[ "${BENCH_GO:-1}" = 0 ] && exit 0
if ! command -v "$GO" >/dev/null 2>&1; then
    echo "bench: $GO not found: Go figures (8) skipped" >&2
    exit 0
fi
echo
echo "=== bench: Go host (test/bench, go test -bench, -count $reps, -benchtime ${min_ms}ms)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM
(cd "$here/../test" && CGO_LDFLAGS="-L$build -Wl,-rpath,$build" RTLOADER_BUILD="$build" \
    RTLOADER_PYTHON_HOME="$home" RTLOADER_PYTHON_EXE="${exe:-/usr/bin/python3}" \
    "$GO" test -tags rtloader_bench -run '^$' -bench . -benchtime "${min_ms}ms" -count "$reps" ./bench/) >"$out" 2>&1 || {
    cat "$out" >&2
    echo "bench: go test -bench failed" >&2
    exit 1
}
# Median and spread of each benchmark's ns/op over the -count runs; the ratios Go/C use the
# figures of the benchmarks named in the test/bench package comment.
awk '
/^Benchmark/ {
    name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
    for (i = 2; i < NF; i++) if ($(i + 1) == "ns/op") { v[name] = v[name] " " $i; order[name] = order[name] ? order[name] : ++n; names[n] = name }
}
function median(s,    a, k, i, j, t) {
    k = split(s, a, " ")
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    lo = a[1]; hi = a[k]
    return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
END {
    for (i = 1; i <= n; i++) { nm = names[i]; med[nm] = median(v[nm]); sp[nm] = med[nm] > 0 ? (hi - lo) / med[nm] * 100 : 0 }
    rule = "-----------------------------------------------------------------------------------------------"
    print rule
    printf "%-4s %-48s %12s %8s  %s\n", "#", "figure (Go host, cgo)", "ns/op", "spread", "note"
    print rule
    for (i = 1; i <= n; i++) {
        nm = names[i]; note = ""
        if (nm ~ /^SubmitMetric/ && med["PythonFloor3Tags"] > 0) note = sprintf("%.2fx Python-side floor (8e)", med[nm] / med["PythonFloor3Tags"])
        if (nm == "RunCheck" && med["EnsureReleaseGIL"] > 0) note = sprintf("of which EnsureReleaseGIL (8b): %.0f%%", med["EnsureReleaseGIL"] / med[nm] * 100)
        printf "8%-3s %-48s %12.1f %7.1f%%  %s\n", substr("abcdefgh", i, 1), nm, med[nm], sp[nm], note
    }
    print rule
    for (i = 1; i <= n; i++) printf "METRIC go_%s %.1f\n", names[i], med[names[i]]
}' "$out"
