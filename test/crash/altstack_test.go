package crash

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"rtloader/test/helpers"
)

// handle_crashes called while the thread runs on an alternate stack (from a signal handler):
// sigaltstack fails with EPERM, handle_crashes returns 0 with the error, and the alternate stack
// it had mapped is unmapped again instead of leaking. Driven from C (helpers.RunLoaderDriver),
// since the call must come from inside a signal handler.
func TestHandleCrashesUnmapsStackWhenSigaltstackFails(t *testing.T) {
	loader := filepath.Join(helpers.BuildDir(), "libdatadog-agent-rtloader.so")
	out, code := helpers.RunLoaderDriver(t, t.TempDir(), nil, loader, "crash-in-handler")
	if code != 0 || !strings.Contains(out, "handle_crashes 0: unable to set alternate stack: Operation not permitted\n") {
		t.Fatalf("want handle_crashes to fail on sigaltstack (exit %d):\n%s", code, out)
	}
	var before, after int
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "altstack mappings: ") {
			if n, _ := fmt.Sscanf(line, "altstack mappings: %d -> %d", &before, &after); n != 2 {
				t.Fatalf("unreadable line %q", line)
			}
		}
	}
	if after != before {
		t.Errorf("the alternate stack leaked: guard+stack mappings %d before, %d after\n%s", before, after, out)
	}
}
