package lifecycle

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"rtloader/test/helpers"
)

// Issue 11 item 16 (API.md sections 6.2, 12.5): the user site-packages directory is off, so a
// ~/.local/lib/python3.X/site-packages with a .pth file (which runs its "import" lines and adds
// its path lines) and a usercustomize module never runs inside the agent. The child runs with HOME
// pointing at such a fake home, for every Python version the matrix may use.
func TestUserSitePackagesAreNotRead(t *testing.T) {
	home := filepath.Join(os.TempDir(), "rtloader-fake-user-home")
	marker := filepath.Join(home, "user-site-path")
	if !helpers.IsChildProcess() {
		for minor := 8; minor <= 13; minor++ {
			site := filepath.Join(home, ".local", "lib", "python3."+strconv.Itoa(minor), "site-packages")
			if err := os.MkdirAll(site, 0o755); err != nil {
				t.Fatal(err)
			}
			pth := "import builtins; builtins.RTL_USER_PTH_RAN = True\n" + marker + "\n"
			if err := os.WriteFile(filepath.Join(site, "rtl_user.pth"), []byte(pth), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(site, "usercustomize.py"), []byte("import builtins; builtins.RTL_USERCUSTOMIZE_RAN = True\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(marker, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(home) })
	}
	child(t, func(t *testing.T) {
		r := makeDefault(t)
		helpers.AddPythonPaths(t, r)
		if !r.Init() {
			t.Fatalf("init: %s", r.Error())
		}
		tmp := filepath.Join(t.TempDir(), "out")
		r.WithGIL(func() {
			r.RunSimpleString(`import builtins, os, site, sys
with open(` + helpers.PyString(tmp) + `, 'w') as f:
    f.write('%s %s %s %s %s' % (os.path.expanduser('~') == ` + helpers.PyString(home) + `, site.ENABLE_USER_SITE,
        hasattr(builtins, 'RTL_USER_PTH_RAN'), hasattr(builtins, 'RTL_USERCUSTOMIZE_RAN'),
        ` + helpers.PyString(marker) + ` in sys.path))`)
		})
		b, err := os.ReadFile(tmp)
		if err != nil {
			t.Fatal(err)
		}
		// HOME is the fake home; the user site is disabled; neither the .pth nor usercustomize ran.
		if got, want := string(b), "True False False False False"; got != want {
			t.Errorf("expanduser('~') is the fake home, ENABLE_USER_SITE, .pth ran, usercustomize ran, .pth path added = %q, want %q", got, want)
		}
	}, "HOME="+home, "PYTHONNOUSERSITE=", "PYTHONUSERBASE=")
}
