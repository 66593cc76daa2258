/*
 * pymem.c: Python allocator statistics (API.md §3.8, §9.2).
 *
 * init_pymem_stats only records the request; init installs the hooks between pre-initialisation
 * and Py_InitializeFromConfig, so start-up allocations are counted. Two hooks:
 *   - the object arena allocator is wrapped: each arena (256 KiB on most builds) adds its size to
 *     `inuse` and `alloc`, and its release subtracts from `inuse`. Per-object allocations inside
 *     arenas are not seen: the figure is at arena granularity, which is what the host wants (RSS
 *     attribution), at no per-object cost;
 *   - the PYMEM_DOMAIN_RAW allocator is replaced by the C library's functions, accounting each
 *     block's usable size. Zero-size requests become 1 byte as Python requires.
 * Counters are relaxed atomics: get_pymem_stats may be called from any thread without the GIL.
 *
 * This file calls malloc/free directly on purpose: the raw domain *is* the C library.
 */
#define RTL_ALLOW_RAW_MALLOC
#include <malloc.h>
#include <stdlib.h>

#include "three.h"

static size_t rtl_pm_inuse, rtl_pm_alloc;
static PyObjectArenaAllocator rtl_prev_arena;
static int rtl_pm_installed;

static void rtl_pm_add(size_t n)
{
    __atomic_add_fetch(&rtl_pm_inuse, n, __ATOMIC_RELAXED);
    __atomic_add_fetch(&rtl_pm_alloc, n, __ATOMIC_RELAXED);
}

static void rtl_pm_sub(size_t n)
{
    __atomic_sub_fetch(&rtl_pm_inuse, n, __ATOMIC_RELAXED);
}

static void *rtl_arena_alloc(void *ctx, size_t size)
{
    void *p = rtl_prev_arena.alloc(ctx, size);
    (void)ctx;
    if (p != NULL)
        rtl_pm_add(size);
    return p;
}

static void rtl_arena_free(void *ctx, void *ptr, size_t size)
{
    rtl_prev_arena.free(ctx, ptr, size);
    rtl_pm_sub(size);
}

static void *rtl_raw_malloc(void *ctx, size_t size)
{
    void *p = malloc(size ? size : 1);
    (void)ctx;
    if (p != NULL)
        rtl_pm_add(malloc_usable_size(p));
    return p;
}

static void *rtl_raw_calloc(void *ctx, size_t nelem, size_t elsize)
{
    void *p;
    (void)ctx;
    if (nelem == 0 || elsize == 0)
        nelem = elsize = 1;
    p = calloc(nelem, elsize);
    if (p != NULL)
        rtl_pm_add(malloc_usable_size(p));
    return p;
}

static void *rtl_raw_realloc(void *ctx, void *ptr, size_t size)
{
    size_t old = ptr ? malloc_usable_size(ptr) : 0;
    void *p = realloc(ptr, size ? size : 1);
    (void)ctx;
    if (p != NULL) {
        rtl_pm_sub(old);
        rtl_pm_add(malloc_usable_size(p));
    }
    return p;
}

static void rtl_raw_free(void *ctx, void *ptr)
{
    (void)ctx;
    if (ptr != NULL)
        rtl_pm_sub(malloc_usable_size(ptr));
    free(ptr);
}

RTL_HIDDEN void rtl_pymem_install(void)
{
    PyObjectArenaAllocator arena;
    PyMemAllocatorEx raw;
    if (rtl_pm_installed)
        return;
    rtl_pm_installed = 1;
    PyObject_GetArenaAllocator(&rtl_prev_arena);
    arena.ctx = rtl_prev_arena.ctx;
    arena.alloc = rtl_arena_alloc;
    arena.free = rtl_arena_free;
    PyObject_SetArenaAllocator(&arena);
    raw.ctx = NULL;
    raw.malloc = rtl_raw_malloc;
    raw.calloc = rtl_raw_calloc;
    raw.realloc = rtl_raw_realloc;
    raw.free = rtl_raw_free;
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &raw);
}

RTL_HIDDEN void rtl_init_pymem_stats(void *st)
{
    rtl_three_t *t = st;
    t->pymem_requested = 1;
}

RTL_HIDDEN void rtl_get_pymem_stats(void *st, pymem_stats_t *stats)
{
    (void)st;
    if (stats == NULL)
        return;
    stats->inuse = __atomic_load_n(&rtl_pm_inuse, __ATOMIC_RELAXED);
    stats->alloc = __atomic_load_n(&rtl_pm_alloc, __ATOMIC_RELAXED);
}
