package lifecycle

// Selection hardening (API.md section 12.5; issue 11 items 5-7): the loader's folder, the
// version rule, refused homes, refused backends and the search after destroy. Tests that must
// open the loader in a way the Go test binary cannot (a relative path, a copy in another folder)
// drive it through helpers.RunLoaderDriver (a small C host compiled with the system C compiler).

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/helpers"
)

const loaderFile = "libdatadog-agent-rtloader.so"

// ccompile builds testdata/<src> into out with the system C compiler and extra flags.
func ccompile(t *testing.T, out, src string, flags ...string) {
	t.Helper()
	helpers.CCompile(t, out, filepath.Join("testdata", src), flags...)
}

// matrixHomeExe is the (python_home, python_exe) of the backend this run of the matrix tests.
func matrixHomeExe() (string, string) {
	exe := helpers.PythonExe()
	if exe == "" {
		exe = "-"
	}
	return helpers.PythonHome(), exe
}

// The loader's folder is resolved once, when it is loaded: opened through a relative path, a later
// chdir must not make make3 load a library from another folder (API.md section 12.5).
func TestRelativeLoaderFolderSurvivesChdir(t *testing.T) {
	tmp := t.TempDir()
	helpers.CopyFile(t, filepath.Join(helpers.BuildDir(), loaderFile), filepath.Join(tmp, "lib", loaderFile))
	// Plant a library under every backend name in <elsewhere>/lib: the folder the relative "lib"
	// names once the driver has moved to <elsewhere>.
	plant := filepath.Join(tmp, "planted.so")
	ccompile(t, plant, "planted_backend.c", "-shared", "-fPIC")
	names := []string{"libdatadog-agent-three.so"}
	for _, b := range helpers.Backends() {
		names = append(names, "libdatadog-agent-three-"+b.Version+".so")
	}
	for _, n := range names {
		helpers.CopyFile(t, plant, filepath.Join(tmp, "elsewhere", "lib", n))
	}
	marker := filepath.Join(tmp, "planted-ran")
	home, exe := matrixHomeExe()
	out, code := helpers.RunLoaderDriver(t, tmp, []string{"LD_LIBRARY_PATH=" + helpers.BuildDir(), "RTLOADER_PLANT_MARKER=" + marker},
		"lib/"+loaderFile, "cd", filepath.Join(tmp, "elsewhere"), "make3", home, exe, "maps", "/elsewhere/")
	if _, err := os.Stat(marker); err == nil || code == 97 {
		t.Fatalf("make3 loaded the planted library from the new working directory (exit %d):\n%s", code, out)
	}
	if code != 0 || !strings.Contains(out, "make3 ok\n") || !strings.Contains(out, "maps /elsewhere/: 0\n") {
		t.Errorf("driver (exit %d):\n%s", code, out)
	}
}

// matrixVersion is the Python version ("3.X") of the backend this run of the matrix tests.
func matrixVersion(t *testing.T) string {
	t.Helper()
	home := helpers.PythonHome()
	for _, b := range helpers.Backends() {
		if (home == "" && b.Name == "default") || (home != "" && b.Name != "default" && b.Home == home) {
			return b.Version
		}
	}
	t.Skipf("note: the matrix backend for home %q is not listed in backends.txt", home)
	return ""
}

// backendFileFor is the library make3 must open for a home of version v that is not the default
// backend's own installation: the versioned backend, else the default one when built for v.
func backendFileFor(t *testing.T, v string) string {
	t.Helper()
	versioned := "libdatadog-agent-three-" + v + ".so"
	if _, err := os.Stat(filepath.Join(helpers.BuildDir(), versioned)); err == nil {
		return versioned
	}
	if v == helpers.DefaultBackendVersion() {
		return "libdatadog-agent-three.so"
	}
	t.Skipf("note: no backend for Python %s is built", v)
	return ""
}

// mappedBackends lists the backend files mapped in this process (from /proc/self/maps).
func mappedBackends(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		i := strings.IndexByte(line, '/')
		if i < 0 {
			continue
		}
		name := filepath.Base(line[i:])
		if strings.HasPrefix(name, "libdatadog-agent-three") && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// fakeHome makes a python home under dir. Each spec names a lib/python<v> folder: "3.11" is a
// complete stdlib (os.py and lib-dynload), "3.11:os" only holds os.py.
func fakeHome(t *testing.T, dir string, specs ...string) string {
	t.Helper()
	for _, spec := range specs {
		v, partial := strings.TrimSuffix(spec, ":os"), strings.HasSuffix(spec, ":os")
		lib := filepath.Join(dir, "lib", "python"+v)
		if err := os.MkdirAll(lib, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(lib, "os.py"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if !partial {
			if err := os.MkdirAll(filepath.Join(lib, "lib-dynload"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// nextMinor is "3.<X+1>" for v = "3.X".
func nextMinor(v string) string {
	return "3." + strconv.Itoa(versionKey(v)%1000+1)
}

// expectSelected runs make3(home, exe) in a child process and requires that exactly `want` was
// mapped.
func expectSelected(t *testing.T, home, exe, want string) {
	t.Helper()
	child(t, func(t *testing.T) {
		r, err := bindings.Make3(home, exe)
		if err != nil {
			t.Fatalf("make3(%q, %q): %v", home, exe, err)
		}
		defer r.Destroy()
		if got := mappedBackends(t); len(got) != 1 || got[0] != want {
			t.Errorf("make3(%q, %q) mapped %q, want %s", home, exe, got, want)
		}
	})
}

// expectFakeHomeSelectsMatrixVersion makes a fake home named name holding the stdlibs that
// specs(v) lists (see fakeHome; v is the matrix's version) and requires make3(home, "") to open
// the backend for v.
func expectFakeHomeSelectsMatrixVersion(t *testing.T, name string, specs func(v string) []string) {
	t.Helper()
	v := matrixVersion(t)
	want := backendFileFor(t, v)
	home := filepath.Join(os.TempDir(), name)
	if !helpers.IsChildProcess() {
		os.RemoveAll(home)
		fakeHome(t, home, specs(v)...)
		t.Cleanup(func() { os.RemoveAll(home) })
	}
	expectSelected(t, home, "", want)
}

// Only complete stdlibs count: a stray lib/python3.<X+1>/os.py (and a stray 3.14) next to a full
// 3.X does not take the selection (API.md section 12.5).
func TestSelectIgnoresIncompleteStdlib(t *testing.T) {
	expectFakeHomeSelectsMatrixVersion(t, "rtloader-select-incomplete", func(v string) []string {
		return []string{v, nextMinor(v) + ":os", "3.14:os"}
	})
}

// Among complete stdlibs, versions with a backend are preferred: a full 3.99 next to a full 3.X
// selects 3.X.
func TestSelectPrefersVersionsWithABackend(t *testing.T) {
	expectFakeHomeSelectsMatrixVersion(t, "rtloader-select-available", func(v string) []string {
		return []string{v, "3.99"}
	})
}

// python_exe's version (its name after resolving links) wins over the highest complete stdlib.
func TestSelectPythonExeVersionWins(t *testing.T) {
	v := matrixVersion(t)
	want := backendFileFor(t, v)
	other := ""
	for _, b := range helpers.Backends() { // the highest other version with a backend
		if b.Version != v && (other == "" || versionKey(b.Version) > versionKey(other)) {
			other = b.Version
		}
	}
	if other == "" {
		t.Skip("note: a single backend version is built: nothing to choose between")
	}
	home := filepath.Join(os.TempDir(), "rtloader-select-exe")
	exe := filepath.Join(home, "bin", "python3")
	if !helpers.IsChildProcess() {
		os.RemoveAll(home)
		fakeHome(t, home, v, other)
		if err := os.MkdirAll(filepath.Join(home, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, "bin", "python"+v), nil, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("python"+v, exe); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(home) })
	}
	expectSelected(t, home, exe, want)
}

// A home with no lib/python3.X stdlib at all and an exe that names no version: upstream's
// behaviour, the default backend (README, "Choosing the Python at run time").
func TestSelectUnknownLayoutLoadsDefault(t *testing.T) {
	if helpers.DefaultBackendVersion() == "" {
		t.Skip("note: no default backend listed in backends.txt")
	}
	home := filepath.Join(os.TempDir(), "rtloader-select-unknown")
	if !helpers.IsChildProcess() {
		os.RemoveAll(home)
		fakeHome(t, home, "3.12:os") // incomplete: does not count
		t.Cleanup(func() { os.RemoveAll(home) })
	}
	expectSelected(t, home, "", "libdatadog-agent-three.so")
}

// Homes make3 refuses at once, with the texts of API.md section 12.5.
func TestSelectRefusesHome(t *testing.T) {
	base := filepath.Join(os.TempDir(), "rtloader-select-refused")
	file := filepath.Join(base, "a-file")
	py2 := filepath.Join(base, "py27")
	py37 := filepath.Join(base, "py37")
	ft := filepath.Join(base, "py313t")
	both := filepath.Join(base, "py313-and-t")
	ftExe := filepath.Join(both, "bin", "python3.13t")
	if !helpers.IsChildProcess() {
		os.RemoveAll(base)
		fakeHome(t, py2, "2.7")
		fakeHome(t, py37, "3.7")
		fakeHome(t, ft, "3.13t")
		fakeHome(t, both, "3.13", "3.13t")
		if err := os.MkdirAll(filepath.Dir(ftExe), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{file, ftExe} {
			if err := os.WriteFile(f, nil, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() { os.RemoveAll(base) })
	}
	for _, tc := range []struct{ name, home, exe, want string }{
		{"missing", filepath.Join(base, "nowhere"), "", "python home '" + filepath.Join(base, "nowhere") + "' is not a directory"},
		{"file", file, "", "python home '" + file + "' is not a directory"},
		{"python2", py2, "", "Python 2.7 is not supported (3.8 or newer is required)"},
		{"python37", py37, "", "Python 3.7 is not supported (3.8 or newer is required)"},
		{"exe-python2", both, "/usr/bin/python2.7", "Python 2.7 is not supported (3.8 or newer is required)"},
		{"free-threaded", ft, "", "free-threaded Python 3.13t is not supported"},
		{"free-threaded-exe", both, ftExe, "free-threaded Python 3.13t is not supported"},
	} {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			child(t, func(t *testing.T) {
				bindings.EnableMemoryTracker()
				r, err := bindings.Make3(tc.home, tc.exe)
				if err == nil || r != nil {
					t.Fatalf("make3(%q, %q) succeeded", tc.home, tc.exe)
				}
				if err.Error() != tc.want {
					t.Errorf("make3(%q, %q):\n got: %q\nwant: %q", tc.home, tc.exe, err.Error(), tc.want)
				}
				if got := mappedBackends(t); len(got) != 0 {
					t.Errorf("a refused home mapped %q", got)
				}
				makeDefault(t) // nothing was kept: the matrix's own make3 works afterwards
			})
		})
	}
}

// After destroy, make3 of the same home finds its backend again by the same search, also when it
// was found through the dynamic linker's path (the loader's folder holds no backend).
func TestMake3AfterDestroyFindsBackendAgain(t *testing.T) {
	tmp := t.TempDir()
	helpers.CopyFile(t, filepath.Join(helpers.BuildDir(), loaderFile), filepath.Join(tmp, "lib", loaderFile))
	home, exe := matrixHomeExe()
	out, code := helpers.RunLoaderDriver(t, tmp, []string{"LD_LIBRARY_PATH=" + helpers.BuildDir()}, filepath.Join(tmp, "lib", loaderFile),
		"make3", home, exe, "destroy", "make3", home, exe, "maps", "libdatadog-agent-three")
	if code != 0 || strings.Count(out, "make3 ok\n") != 2 || !strings.Contains(out, "maps libdatadog-agent-three: 1\n") {
		t.Errorf("make3, destroy, make3 (exit %d):\n%s", code, out)
	}
}

// A backend opened and then refused (no entry symbol, another ABI, a short table, another Python
// version) is unmapped before make3 returns, and not remembered: a later make3 works.
func TestRefusedBackendIsClosed(t *testing.T) {
	v := matrixVersion(t)
	tmp := t.TempDir()
	lib := filepath.Join(tmp, "lib")
	helpers.CopyFile(t, filepath.Join(helpers.BuildDir(), loaderFile), filepath.Join(lib, loaderFile))
	home := fakeHome(t, filepath.Join(tmp, "home"), v)
	fake := filepath.Join(lib, "libdatadog-agent-three-"+v+".so")
	repo := filepath.Join(helpers.TestDir(), "..")
	for _, tc := range []struct{ name, define, want string }{
		{"no-entry", "-DFAKE_NO_ENTRY", "Unable to open three factory: " + fake + ": undefined symbol: rtl_three_backend_v"},
		{"abi", "-DFAKE_ABI=999", "Unable to open three factory: " + fake + " has backend ABI 999, the loader expects "},
		{"short-table", "-DFAKE_SIZE=16", "Unable to open three factory: " + fake + " has a backend table of 16 bytes, the loader needs "},
		{"version", `-DFAKE_VERSION="3.2"`, "Unable to find a three library for Python " + v + " in '" + home + "'; available versions: 3.2 (" + fake + " is built for it)"},
	} {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			ccompile(t, fake, "fake_backend.c", "-shared", "-fPIC", "-fvisibility=hidden", tc.define,
				"-I"+filepath.Join(repo, "include"), "-I"+filepath.Join(repo, "src", "common"))
			out, code := helpers.RunLoaderDriver(t, tmp, []string{"LD_LIBRARY_PATH=" + helpers.BuildDir()}, filepath.Join(lib, loaderFile),
				"make3", home, "-", "maps", fake, "make3", "", "-", "maps", "libdatadog-agent-three")
			if code != 0 || !strings.Contains(out, "make3 error: "+tc.want) {
				t.Errorf("want the error %q (exit %d):\n%s", tc.want, code, out)
			}
			if !strings.Contains(out, "maps "+fake+": 0\n") {
				t.Errorf("the refused backend is still mapped:\n%s", out)
			}
			if !strings.Contains(out, "make3 ok\n") || !strings.Contains(out, "maps libdatadog-agent-three: 1\n") {
				t.Errorf("make3 after the refusal (want the default backend, alone):\n%s", out)
			}
		})
	}
}

// pythonStdlib asks exe for its stdlib folder (sysconfig), as the build does.
func pythonStdlib(t *testing.T, exe string) string {
	t.Helper()
	out, err := exec.Command(exe, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])").Output()
	if err != nil {
		t.Skipf("note: cannot run %s: %v", exe, err)
	}
	return strings.TrimSpace(string(out))
}

// The home Python sees keeps upstream's spelling, <stdlib dir>/../.. (hosts read it in
// sys.prefix): with an empty python_home that is the default backend's build-time home, and a home
// given in that spelling selects its backend by its canonical path (API.md section 12.5).
func TestHomeKeepsUpstreamSpelling(t *testing.T) {
	v := matrixVersion(t)
	home, exe := helpers.PythonHome(), helpers.PythonExe()
	want := pythonStdlib(t, exe) + "/../.."
	if home != "" {
		home = want
	}
	child(t, func(t *testing.T) {
		r := make3(t, home, exe)
		helpers.AddPythonPaths(t, r)
		if !r.Init() {
			t.Fatalf("init: %s", r.Error())
		}
		tmp := filepath.Join(t.TempDir(), "prefix")
		r.WithGIL(func() {
			r.RunSimpleString("import sys\nwith open(" + helpers.PyString(tmp) + ", 'w') as f: f.write('%d.%d %s' % (sys.version_info[:2] + (sys.prefix,)))")
		})
		if b, _ := os.ReadFile(tmp); string(b) != v+" "+want {
			t.Errorf("make3(%q): Python %q, want %q", home, b, v+" "+want)
		}
	})
}

// A home reached through a folder whose name is not UTF-8: the error texts that name files under
// it keep the exception, the name escaped (API.md section 7.4).
func TestErrorTextKeepsNonUTF8Home(t *testing.T) {
	v := matrixVersion(t)
	real := helpers.PythonHome()
	if real == "" {
		for _, b := range helpers.Backends() {
			if b.Name == "default" {
				real = b.Home
			}
		}
	}
	link := filepath.Join(os.TempDir(), "rtloader-home-"+v+"-\xff")
	if !helpers.IsChildProcess() {
		os.Remove(link)
		if err := os.Symlink(real, link); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(link) })
	}
	child(t, func(t *testing.T) {
		r := make3(t, link, helpers.PythonExe())
		helpers.AddPythonPaths(t, r)
		escaped := strings.Replace(link, "\xff", `\udcff`, 1)
		under := `File "` + escaped + "/lib/python" + v + "/"
		if !r.Init() {
			// Python 3.13 cannot import a C extension (here _json) from a folder whose name is
			// not UTF-8, so init itself fails: its error is then the text to check.
			got := r.Error()
			t.Logf("note: init failed with home %q (CPython %s): checking its error", link, v)
			if !strings.HasPrefix(got, "error initializing string utils: Traceback (most recent call last):\n") ||
				!strings.Contains(got, under) || strings.Contains(got, "unknown error") {
				t.Errorf("init error = %q, want a traceback through %q", got, under)
			}
			return
		}
		var got string
		r.WithGIL(func() {
			if _, _, ok := r.GetClass("error_format_stdlib"); ok {
				t.Error("get_class succeeded")
			}
			got = r.Error()
		})
		if !strings.HasPrefix(got, "unable to import module 'error_format_stdlib': Traceback (most recent call last):\n") ||
			!strings.Contains(got, under+"json/") || !strings.Contains(got, "JSONDecodeError: ") {
			t.Errorf("error = %q, want a traceback through %q", got, under+"json/")
		}
	})
}
