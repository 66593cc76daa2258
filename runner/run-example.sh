#!/bin/sh
# run-example.sh BUILD: `make run`: run rtloader-check on the bundled examples (real data from
# this machine: /proc statistics, a folder's file count and size measured with `du`, and CPU usage
# sampled by a check's own thread, shown in the "outside any run" section between two runs).
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$build/runner/rtloader-check"
[ -x "$bin" ] || { echo "run-example: $bin not found (build first: make build)" >&2; exit 2; }
status=0
for check in proc_stats dir_size "cpu_sampler --times 2 --pause 700"; do
    # shellcheck disable=SC2086 # the options after the check name are meant to split
    "$bin" --checks-dir "$here/examples/checks.d" --confd "$here/examples/conf.d" $check || status=$?
    echo
done
exit $status
