#!/bin/sh
# matrix.sh: run the whole Go suite (rtloader/...: this module's packages and the Go package's,
# go/, module rtloader, required from go.mod) once per backend listed in $BUILD/backends.txt, and
# once more with sub-interpreters on (RTLOADER_SUBINTERPRETERS=1, API.md section 13) for each
# Python 3.12+ backend: that pass is labelled "[sub-interpreters]".
# Called by `make -C test` (see Makefile); prints one summary line per pass and, last,
# "N passed, M failed". Exits non-zero if any test failed or no backend could be tested.
#   MATRIX_SUBINTERPRETERS=0 skips the sub-interpreter passes.
#   BUILD (absolute), GO, GOTESTFLAGS, MATRIX_VERSIONS (the versions the matrix should cover)
set -u
: "${BUILD:?BUILD must be set}"
GO=${GO:-go}
MATRIX_VERSIONS=${MATRIX_VERSIONS:-"3.8 3.9 3.10 3.11 3.12 3.13"}
here=$(cd "$(dirname "$0")" && pwd)
manifest="$BUILD/backends.txt"
if [ ! -r "$manifest" ]; then
    echo "matrix: $manifest not found (build first: make -C .. build)" >&2
    exit 1
fi
export CGO_LDFLAGS="-L$BUILD -Wl,-rpath,$BUILD"
export RTLOADER_BUILD="$BUILD"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Build the counting tool once, without the rtloader environment.
(cd "$here" && "$GO" build -o "$tmp/testcount" ./tools/testcount) || exit 1

total_pass=0 total_fail=0 runs=0 seen=""
lines=$(grep -v '^[[:space:]]*$' "$manifest")
summaries=""
while read -r name version home; do
    [ -n "${name:-}" ] || continue
    if [ "$name" = default ]; then
        pyhome="" pyexe=/usr/bin/python3 label="python $version (default backend, $home)"
    else
        pyhome="$home" pyexe="$home/bin/python$version" label="python $version ($home)"
    fi
    passes=0
    case "$version" in
        3.1[2-9] | 3.[2-9][0-9]) [ "${MATRIX_SUBINTERPRETERS:-1}" = 0 ] || passes="0 1" ;;
    esac
    for sub in $passes; do
        plabel=$label
        [ "$sub" = 1 ] && plabel="$label [sub-interpreters]"
        echo "=== matrix: $plabel"
        (cd "$here" && RTLOADER_PYTHON_HOME="$pyhome" RTLOADER_PYTHON_EXE="$pyexe" RTLOADER_SUBINTERPRETERS=$sub \
            "$GO" test -count=1 -json ${GOTESTFLAGS:-} rtloader/... 2>&1) | "$tmp/testcount" -summary "$tmp/sum"
        if [ -r "$tmp/sum" ]; then
            read -r p f s < "$tmp/sum"
            rm -f "$tmp/sum"
        else
            p=0 f=1 s=0
        fi
        line="matrix: $plabel: $p passed, $f failed"
        [ "$s" -gt 0 ] && line="$line, $s skipped"
        echo "$line"
        summaries="$summaries$line
"
        total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) runs=$((runs + 1))
    done
    seen="$seen $version"
done <<EOF_LINES
$lines
EOF_LINES

echo
printf '%s' "$summaries"
for v in $MATRIX_VERSIONS; do
    case " $seen " in
        *" $v "*) ;;
        *) echo "matrix: python $v: no backend built (not installed?): skipped" ;;
    esac
done
if [ "$runs" -eq 0 ]; then
    echo "matrix: no backend listed in $manifest" >&2
    total_fail=$((total_fail + 1))
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
