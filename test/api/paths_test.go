package api

import (
	"os"
	"testing"

	"rtloader/test/helpers"
)

// Issue 11 item 11: add_python_path after init keeps nothing (it used to record a copy that no
// later init would ever apply, which only destroy released: the counters stayed unbalanced). The
// live sys.path is not changed (API.md section 3.3); a path not recorded before init is accepted
// (1), every time, and one recorded before init is a duplicate (0), with no error either way.
func TestAddPythonPathAfterInitKeepsNothing(t *testing.T) {
	defer helpers.CheckMemory(t)()
	dir, err := os.MkdirTemp("", "rtloader-late-path")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for i := 0; i < 2; i++ {
		if !rt().AddPythonPath(dir) {
			t.Errorf("add_python_path after init (call %d) = 0, want 1", i+1)
		}
		expectNoError(t)
	}
	if rt().AddPythonPath(helpers.FixturesDir()) {
		t.Error("add_python_path of a path recorded before init = 1, want 0")
	}
	expectNoError(t)
	helpers.RunPyExpect(t, "import sys; out.write(str(sys.path.count("+helpers.PyString(dir)+")))", "0")
}
