/* fuzz_rt.c: see fuzz_rt.h. */
#include "fuzz_rt.h"

#include <stdio.h>
#include <stdlib.h>

#include "rtloader_mem.h"

rtloader_t *fz_start(const char *who, void (*setup)(rtloader_t *))
{
    char *err = NULL;
    rtloader_t *rt;

    enable_memory_tracker();
    rt = make3(NULL, NULL, &err);
    if (rt == NULL) {
        fprintf(stderr, "%s: make3: %s\n", who, err ? err : "?");
        abort();
    }
    add_python_path(rt, FUZZ_PYTHON_BASE);
    if (setup != NULL)
        setup(rt);
    if (!init(rt)) {
        fprintf(stderr, "%s: init: %s\n", who, get_error(rt));
        abort();
    }
    return rt;
}

void fz_expect_balanced(const char *who, const char *what)
{
    struct memory_stats ms = get_and_reset_memory_stats();
    if (ms.allocations != ms.frees || ms.allocated_bytes != ms.freed_bytes || ms.inuse_bytes != 0) {
        fprintf(stderr,
                "%s: rtloader memory not balanced after %s: %zu allocations (%zu bytes), %zu frees (%zu bytes)\n", who,
                what, ms.allocations, ms.allocated_bytes, ms.frees, ms.freed_bytes);
        abort();
    }
}
