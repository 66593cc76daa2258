#!/bin/sh
# run.sh <build dir>: build the valgrind driver against <build dir>'s loader and run it under
#   valgrind --leak-check=full --error-exitcode=1
# with PYTHONMALLOC=malloc (so CPython's objects are individual malloc blocks valgrind can see)
# and python.supp (CPython's own uninitialised-value reports; commented there). Definite leaks
# are errors (--errors-for-leak-kinds=definite): the interpreter is deliberately never finalised,
# so CPython's live objects show up as "possibly lost"/"still reachable", never as definitely lost.
# Prints the driver's line and valgrind's summary; exits non-zero on any error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run.sh <build dir>}" && pwd)
CC=${CC:-cc}
out="$build/valgrind"
mkdir -p "$out"
"$CC" -std=c11 -g -O1 -Wall -Wextra -Werror -I"$here/../../include" -I"$here/../../src/common" "$here/driver.c" -o "$out/rtloader-vg-driver" \
    -L"$build" -Wl,-rpath,"$build" -ldatadog-agent-rtloader
log="$out/valgrind.log"
set +e
PYTHONMALLOC=malloc valgrind --leak-check=full --error-exitcode=1 --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --num-callers=40 --suppressions="$here/python.supp" \
    "$out/rtloader-vg-driver" "$here/../testdata/python" "$here/testdata/python" "$here/../../python" >"$log" 2>&1
rc=$?
set -e
grep -E "^vg-driver" "$log" || true
grep -E "definitely lost|indirectly lost|possibly lost|still reachable|ERROR SUMMARY" "$log" | sed 's/^==[0-9]*== */valgrind: /'
if [ "$rc" -ne 0 ]; then
    echo "valgrind: FAILED (exit $rc); full log: $log" >&2
    grep -E -A25 "^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|[0-9,]+ bytes in [0-9,]+ blocks are definitely)" "$log" | head -200 >&2
fi
exit "$rc"
