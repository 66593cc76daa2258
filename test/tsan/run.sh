#!/bin/sh
# run.sh <tsan build dir>: build the ThreadSanitizer driver (driver.c) against the loader of
# <tsan build dir> (configured with -DRTLOADER_TSAN=ON) and run every scenario in its own process,
# once per backend listed in <tsan build dir>/backends.txt (TSAN_BACKENDS=<a name of that list>,
# e.g. default or 3.12: that backend only). TSan's options: tsan.supp (each suppression explained
# there); a report does not stop the run (every report is counted) but makes it fail.
# Prints one line per run and a summary:
#   tsan: <N> scenarios (<S> x <B> backends), <R> reports, <F> failed, <M> suppressed
# Exits non-zero on any report or any failed scenario; logs stay in <tsan build dir>/tsan/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run.sh <tsan build dir>}" && pwd)
CC=${CC:-cc}
out="$build/tsan"
scenarios="gil concurrency callbacks errors lifecycle"
mkdir -p "$out"
"$CC" -std=c11 -g -O1 -fsanitize=thread -fno-omit-frame-pointer -Wall -Wextra -Werror -I"$here/../../include" \
    "$here/driver.c" -o "$out/rtloader-tsan-driver" -L"$build" -Wl,-rpath,"$build" -ldatadog-agent-rtloader \
    -lpthread -ldl
export TSAN_OPTIONS="suppressions=$here/tsan.supp print_suppressions=1 halt_on_error=0 second_deadlock_stack=1"
runs=0 reports=0 failed=0 suppressed=0 backends=0
while read -r name version home; do
    if [ -n "${TSAN_BACKENDS:-}" ] && [ "$TSAN_BACKENDS" != "$name" ]; then
        continue
    fi
    if [ "$name" = default ]; then
        h="" exe=/usr/bin/python3
    else
        h="$home" exe="$home/bin/python$version"
    fi
    backends=$((backends + 1))
    for s in $scenarios; do
        log="$out/$name-$s.log"
        start=$(date +%s)
        set +e
        "$out/rtloader-tsan-driver" "$s" "$here/.." "$h" "$exe" >"$log" 2>&1
        rc=$?
        set -e
        r=$(grep -c '^WARNING: ThreadSanitizer' "$log" || true)
        m=$(sed -n 's/^ThreadSanitizer: Matched \([0-9]*\) suppressions.*/\1/p' "$log" | head -1)
        runs=$((runs + 1))
        reports=$((reports + r))
        suppressed=$((suppressed + ${m:-0}))
        status=ok
        if [ "$rc" -ne 0 ] || [ "$r" -ne 0 ]; then
            failed=$((failed + 1))
            status="FAILED (exit $rc, $r reports; log $log)"
        fi
        echo "tsan: python $version ($name) $s: $status, $((${m:-0})) suppressed, $(($(date +%s) - start))s"
        if [ "$status" != ok ]; then
            grep -E '^tsan-driver: .*FAILED|^SUMMARY: ThreadSanitizer|watchdog' "$log" | head -20 >&2 || true
        fi
    done
done <"$build/backends.txt"
echo "tsan: $runs scenarios ($(echo $scenarios | wc -w) x $backends backends), $reports reports, $failed failed, $suppressed suppressed"
[ "$runs" -gt 0 ] && [ "$reports" -eq 0 ] && [ "$failed" -eq 0 ]
