#!/bin/sh
# asan-exec.sh: `go test -exec` wrapper for `make -C test asan`. Only the test binary (and the
# child processes it re-executes) run with the ASan runtime preloaded; the go tool and the C
# compiler do not.
LD_PRELOAD="$RTLOADER_ASAN_LIB${LD_PRELOAD:+:$LD_PRELOAD}" exec "$@"
