package runner

// The YAML converter's size limits (issue 12 item 11): a limit that stops a configuration says
// which limit and where, and memory stays within a small multiple of the file's size. The child's
// peak RSS comes from wait4's rusage (ru_maxrss, KiB on Linux).
//
// These tests do not involve Python (the configuration is read before the backend is loaded), so
// they run once, against the default backend, not once per backend of the matrix.

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

const (
	mib = 1 << 20
	// What the runner needs before it reads a configuration (binary, libc, libyaml, jansson),
	// with room to spare; the limits below are 3x the file plus this.
	rssBaseline = 32 * mib
)

func defaultBackendOnly(t *testing.T) {
	t.Helper()
	if os.Getenv("RTLOADER_PYTHON_HOME") != "" {
		t.Skip("the YAML converter does not depend on the Python backend: run with the default backend only")
	}
}

// sanitized reports whether the binaries run under ASan, whose allocator (quarantine, shadow
// memory, realloc always copying) makes RSS figures meaningless.
func sanitized() bool {
	return os.Getenv("ASAN_OPTIONS") != "" || os.Getenv("RTLOADER_ASAN_LIB") != ""
}

// writeScalarConf writes a configuration whose one instance holds a plain scalar of n bytes.
func writeScalarConf(t *testing.T, path string, n int) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1*mib)
	w.WriteString("init_config:\ninstances:\n  - name: big\n    blob: ")
	chunk := bytes.Repeat([]byte("a"), mib)
	for left := n; left > 0; left -= len(chunk) {
		if left < len(chunk) {
			chunk = chunk[:left]
		}
		w.Write(chunk)
	}
	w.WriteString("\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

type measured struct {
	stdout, stderr string
	code           int
	peakRSS        int64 // bytes
}

// runMeasured runs a built binary with stdout sent to a file (a big JSON text would otherwise
// sit in the test's memory, which is not what is measured) and returns its peak RSS.
func runMeasured(t *testing.T, bin string, args ...string) measured {
	t.Helper()
	out, err := os.Create(filepath.Join(t.TempDir(), "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(binary(t, bin), args...)
	cmd.Env = childEnv("XDG_CACHE_HOME=" + t.TempDir())
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &errb
	err = cmd.Run()
	m := measured{stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		m.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.peakRSS = ru.Maxrss * 1024
	}
	st, err := out.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < 4*mib {
		b, _ := os.ReadFile(out.Name())
		m.stdout = string(b)
	} else {
		m.stdout = "(" + filepath.Base(out.Name()) + ": large)"
	}
	return m
}

func assertPeakWithin(t *testing.T, m measured, fileSize int64) {
	t.Helper()
	limit := 3*fileSize + rssBaseline
	t.Logf("file %d MiB, peak RSS %d MiB (limit %d MiB)", fileSize/mib, m.peakRSS/mib, limit/mib)
	if sanitized() {
		t.Log("ASan build: RSS not asserted")
		return
	}
	if m.peakRSS <= 0 {
		t.Fatal("no rusage for the child")
	}
	if m.peakRSS > limit {
		t.Errorf("peak RSS %d MiB for a %d MiB file, want at most %d MiB (3x the file + %d MiB)", m.peakRSS/mib,
			fileSize/mib, limit/mib, rssBaseline/mib)
	}
}

// A 200 MB scalar used to fail with "too many aliases?" after peaking at about 680 MB: the file
// is refused by size, before parsing, and the runner holds little more than the file it read.
func TestYAMLOverInputLimitNamesTheFileSizeAndStaysNearItsSize(t *testing.T) {
	defaultBackendOnly(t)
	conf := filepath.Join(t.TempDir(), "big.yaml")
	size := writeScalarConf(t, conf, 200*mib)
	m := runMeasured(t, "rtloader-check", "--conf", conf, "big_check")
	if m.code != 2 {
		t.Fatalf("exit status %d, want 2\nstderr: %s", m.code, m.stderr)
	}
	want := conf + ": the YAML text is " + strconv.FormatInt(size, 10) + " bytes, over the 67108864-byte (64 MiB) limit of a configuration file"
	if !strings.Contains(m.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, m.stderr)
	}
	if strings.Contains(m.stderr, "alias") {
		t.Errorf("a big scalar is not an alias problem:\n%s", m.stderr)
	}
	assertPeakWithin(t, m, size)
}

// Within the limits, a big configuration converts in about 3 times its size: the scalar is held
// once (libyaml's buffer is kept, not copied, and strings borrow it), plus the JSON text.
func TestYAMLWithinLimitsConvertsWithinThreeTimesItsSize(t *testing.T) {
	defaultBackendOnly(t)
	conf := filepath.Join(t.TempDir(), "large.yaml")
	size := writeScalarConf(t, conf, 40*mib)
	m := runMeasured(t, "rtlc-yaml2json", conf)
	if m.code != 0 {
		t.Fatalf("exit status %d, want 0\nstderr: %s", m.code, m.stderr)
	}
	assertPeakWithin(t, m, size)
}

// The JSON limit names its cause: aliases (with the repeated value's position), or one string
// whose escaped JSON form is too big (with its position and size), never a guess.
func TestYAMLJSONLimitNamesAliasesOrTheString(t *testing.T) {
	defaultBackendOnly(t)
	bomb := runMeasured(t, "rtlc-yaml2json", filepath.Join(fixtures(t), "bad", "alias_bomb.yaml"))
	if bomb.code != 1 || !strings.Contains(bomb.stderr,
		"the JSON text would exceed the 67108864-byte limit: aliases repeat the value at line 8, column 8 (an alias bomb?)") {
		t.Errorf("alias bomb: exit %d, stderr %q", bomb.code, bomb.stderr)
	}

	// 12M x U+FEFF: 36 MB of YAML (under the input limit) that JSON writes as \ufeff, 72 MB.
	conf := filepath.Join(t.TempDir(), "escapes.yaml")
	text := "a: 1\nb: \"" + strings.Repeat("\ufeff", 12000000) + "\"\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	m := runMeasured(t, "rtlc-yaml2json", conf)
	want := "the JSON text would exceed the 67108864-byte limit: the string at line 2, column 4 is 36000000 bytes"
	if m.code != 1 || !strings.Contains(m.stderr, want) {
		t.Errorf("exit %d, stderr %q, want status 1 and %q", m.code, m.stderr, want)
	}
	if strings.Contains(m.stderr, "alias") {
		t.Errorf("no alias here:\n%s", m.stderr)
	}
}
