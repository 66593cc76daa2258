#!/usr/bin/env bash
# hardening.sh: the hardening jobs of issue 7, called by .ci/run after the version matrix.
#   1. make test-asan      the whole Go suite against the ASan+UBSan build (counts the tests)
#   2. make valgrind       the C driver under valgrind (every API function and built-in once)
#   3. make fuzz           each libFuzzer target for FUZZ_SECONDS (default 60 here)
#   4. make test-tsan      the ThreadSanitizer driver (test/tsan), every scenario on every backend
# Runs every job even when one fails, prints a summary, exits non-zero if any job failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export FUZZ_SECONDS=${FUZZ_SECONDS:-60}
start=$(date +%s)
fail=0
summary=""
note() { summary="$summary$*"$'\n'; }

echo "=== hardening: make test-asan"
log=$(mktemp)
make test-asan GOTESTFLAGS="-v ${GOTESTFLAGS:-}" 2>&1 | tee "$log" | grep -E '^(ok|FAIL|---|panic:)|ERROR: (Address|Leak|Undefined)|runtime error:' || true
rc=${PIPESTATUS[0]}
passed=$(grep -cE '^\s*--- PASS' "$log" || true)
failed=$(grep -cE '^\s*--- FAIL' "$log" || true)
skipped=$(grep -cE '^\s*--- SKIP' "$log" || true)
reports=$(grep -cE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$log" || true)
rm -f "$log"
if [ "$rc" -ne 0 ] || [ "$reports" -ne 0 ]; then fail=1; fi
note "asan: $passed tests passed, $failed failed, $skipped skipped under ASan+UBSan; $reports sanitizer reports (exit $rc)"

echo "=== hardening: make valgrind"
out=$(make valgrind 2>&1)
rc=$?
echo "$out" | tail -20
[ "$rc" -eq 0 ] || fail=1
note "valgrind: $(echo "$out" | grep -E 'vg-driver:|definitely lost|ERROR SUMMARY' | sed 's/^valgrind: //' | tr '\n' ';' ) (exit $rc)"

echo "=== hardening: make fuzz (FUZZ_SECONDS=$FUZZ_SECONDS)"
out=$(make fuzz 2>&1)
rc=$?
echo "$out" | tail -60
[ "$rc" -eq 0 ] || fail=1
while read -r line; do note "$line"; done <<<"$(echo "$out" | grep -E '^fuzz: ')"

echo "=== hardening: make test-tsan"
out=$(make test-tsan 2>&1)
rc=$?
echo "$out" | grep -E '^tsan: |^tsan-driver: .*FAILED|^SUMMARY: ThreadSanitizer' | tail -60
[ "$rc" -eq 0 ] || fail=1
note "$(echo "$out" | grep -E '^tsan: [0-9]+ scenarios' | tail -1 || true) (exit $rc)"

echo
echo "=== hardening summary ($(( $(date +%s) - start ))s)"
printf '%s' "$summary"
exit "$fail"
