package lifecycle

import (
	"strings"
	"testing"

	"rtloader/test/helpers"
)

// Issue 11 item 2 (API.md section 9.2): init_pymem_stats + init works under every allocator the
// environment can select (it used to abort with "munmap_chunk(): invalid pointer" under the debug
// hooks: blocks allocated by the debug-wrapped raw allocator during pre-initialisation were later
// freed with free()), and the figures count what Python allocates: 20 MB of 1000-byte objects
// raise both counters by at least 20 MB and releasing them lowers inuse, whether the objects come
// from pymalloc (beyond 512 bytes it asks the raw domain) or straight from malloc (the object and
// mem domains are counted then). Each allocator runs in its own child process.
func TestPymemStatsUnderEveryAllocator(t *testing.T) {
	for _, env := range [][]string{
		{"PYTHONMALLOC=", "PYTHONDEVMODE="},
		{"PYTHONMALLOC=", "PYTHONDEVMODE=1"},
		{"PYTHONMALLOC=debug", "PYTHONDEVMODE="},
		{"PYTHONMALLOC=pymalloc", "PYTHONDEVMODE="},
		{"PYTHONMALLOC=pymalloc_debug", "PYTHONDEVMODE="},
		{"PYTHONMALLOC=malloc", "PYTHONDEVMODE="},
		{"PYTHONMALLOC=malloc_debug", "PYTHONDEVMODE="},
	} {
		name := strings.Join(env, ",")
		t.Run(name, func(t *testing.T) {
			child(t, expectPymemCountsAllocations, env...)
		})
	}
}

// expectPymemCountsAllocations: init with init_pymem_stats, then 20 MB of 1000-byte objects must
// raise both counters by at least 20 MB, releasing them must lower inuse, and Python still runs.
func expectPymemCountsAllocations(t *testing.T) {
	r := makeDefault(t)
	r.InitPymemStats()
	helpers.AddPythonPaths(t, r)
	if !r.Init() {
		t.Fatalf("init: %s", r.Error())
	}
	inuse, alloc := r.GetPymemStats()
	if inuse == 0 || alloc < inuse {
		t.Fatalf("after init: inuse %d alloc %d", inuse, alloc)
	}
	r.WithGIL(func() {
		r.RunSimpleString("import __main__; __main__.big = [bytes(1000) for _ in range(20000)]")
	})
	inuse2, alloc2 := r.GetPymemStats()
	if alloc2 < alloc+20000*1000 || inuse2 < inuse+20000*1000 {
		t.Errorf("after allocating 20 MB: inuse %d -> %d, alloc %d -> %d", inuse, inuse2, alloc, alloc2)
	}
	r.WithGIL(func() { r.RunSimpleString("import __main__; del __main__.big") })
	inuse3, alloc3 := r.GetPymemStats()
	if inuse3 >= inuse2-10000*1000 || alloc3 < alloc2 {
		t.Errorf("after freeing: inuse %d -> %d, alloc %d -> %d", inuse2, inuse3, alloc2, alloc3)
	}
	r.WithGIL(func() {
		if !r.RunSimpleString("import json, threading; json.dumps({'a': [1] * 1000}); threading.Thread(target=len, args=('x',)).start()") {
			t.Error("Python does not run")
		}
	})
}
