#!/bin/sh
# run.sh: build the libFuzzer targets with clang (build-fuzz/: the whole project with ASan +
# UBSan + coverage instrumentation) and run each for FUZZ_SECONDS (default 60) from its committed
# seed corpus (fuzz/corpus/<target>); new inputs go to fuzz/corpus-work/<target> (not committed).
# Prints one line per target with its execution count; exits non-zero on any crash, sanitizer
# report, timeout, leak (YAML, obfuscators) or unbalanced memory counter.
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_TARGETS   targets to run (default: "builtins checks convert yaml obfuscate")
#   FUZZ_BUILD     build directory (default: build-fuzz)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-"builtins checks convert yaml obfuscate"}
build=${FUZZ_BUILD:-$root/build-fuzz}
CLANG=${CLANG:-clang}
JOBS=${JOBS:-$(nproc)}

# One ASan runtime for the fuzzers and the instrumented shared libraries they load (loader,
# backend): -shared-libasan everywhere links clang's libclang_rt.asan-x86_64.so, found through the
# rpath below (clang's default static runtime would leave the libraries' __asan_* symbols
# undefined, which their -Wl,--no-undefined refuses).
asan_dir=$(dirname "$("$CLANG" -print-file-name=libclang_rt.asan-x86_64.so)")
[ -f "$asan_dir/libclang_rt.asan-x86_64.so" ] || asan_dir=$("$CLANG" -print-resource-dir)/lib/linux
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$CLANG" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DRTLOADER_SANITIZE=ON -DRTLOADER_FUZZ=ON -DRTLOADER_PYTHONS=/usr/bin/python3 \
    -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link -shared-libasan" \
    -DCMAKE_SHARED_LINKER_FLAGS="-shared-libasan -Wl,-rpath,$asan_dir" \
    -DCMAKE_EXE_LINKER_FLAGS="-shared-libasan -Wl,-rpath,$asan_dir" >/dev/null
cmake --build "$build" -j "$JOBS" --target datadog-agent-rtloader datadog-agent-three \
    $(for t in $FUZZ_TARGETS; do printf 'fuzz_%s ' "$t"; done) >/dev/null

fail=0
for t in $FUZZ_TARGETS; do
    bin="$build/fuzz/fuzz_$t"
    work="$here/corpus-work/$t"
    seeds="$here/corpus/$t"
    mkdir -p "$work" "$seeds"
    log="$build/fuzz/fuzz_$t.log"
    # Leaks: the YAML converter and the obfuscators are pure C and checked by LeakSanitizer per
    # input. The Python
    # targets keep an interpreter that is never finalised, so LSan is off there and the targets
    # check rtloader's own allocation counters after every input instead.
    case "$t" in
        yaml | obfuscate) leaks=1 ;;
        *) leaks=0 ;;
    esac
    set +e
    LD_PRELOAD="$asan_dir/libclang_rt.asan-x86_64.so" PYTHONMALLOC=malloc PYTHONDONTWRITEBYTECODE=1 \
        ASAN_OPTIONS="detect_leaks=$leaks:abort_on_error=1:allocator_may_return_null=1" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=30 -rss_limit_mb=4096 -max_len=8192 \
        -detect_leaks=$leaks -print_final_stats=1 -artifact_prefix="$build/fuzz/crash-$t-" \
        "$work" "$seeds" >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ "$rc" -ne 0 ]; then
        echo "fuzz: $t: FAILED (exit $rc) after ${execs:-?} executions; log: $log" >&2
        grep -E -A40 "ERROR: |runtime error|fuzz_[a-z]+: |Fatal Python|deadly signal" "$log" | head -80 >&2
        fail=1
    else
        echo "fuzz: $t: ${execs:-?} executions in ${FUZZ_SECONDS}s, no crash"
    fi
done
exit "$fail"
