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
 *
 * The allocator PYTHONMALLOC / PYTHONDEVMODE selected at pre-initialisation matters (issue 11
 * item 2), and is read by name (_PyMem_GetCurrentAllocatorName, exported by 3.8-3.13):
 *   - "*_debug" (also what PYTHONDEVMODE=1 selects): the domains are Python's debug hooks over
 *     the C library, and blocks allocated under them during pre-initialisation are freed later.
 *     The counting allocator is installed beneath the hooks (PyMem_SetupDebugHooks re-wraps it),
 *     so every block, old or new, still reaches the C library through the hooks, with the pointer
 *     the C library returned. (Replacing the hooks outright made those old blocks reach free()
 *     with the hooks' offset pointer: "munmap_chunk(): invalid pointer".) Counted sizes include
 *     the hooks' guard bytes;
 *   - "malloc" / "malloc_debug": there is no pymalloc, hence no arena, and objects come straight
 *     from malloc through the mem and object domains, which the raw hook never sees (the figures
 *     were a few KB for a process of 100 MB). Those two domains get the same counting C-library
 *     allocator (the allocator they already used), so every block is counted;
 *   - "pymalloc" / "pymalloc_debug": objects up to 512 bytes live in arenas (counted per arena),
 *     larger ones come from the raw domain (counted per block);
 *   - any other allocator (e.g. 3.13's mimalloc, or an unknown name): only the arena hook, which
 *     wraps whatever is there; the figures then leave out what that allocator hands out.
 * Blocks allocated before the hooks (pre-initialisation: a few KB) are subtracted when freed
 * although they were never added; `inuse` is therefore a signed sum, reported clamped at 0.
 * Counters are relaxed atomics: get_pymem_stats may be called from any thread without the GIL.
 *
 * This file calls malloc/free directly on purpose: the hooked domains *are* the C library.
 */
#define RTL_ALLOW_RAW_MALLOC
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "pycompat.h"
#include "three.h"

static long long rtl_pm_inuse; /* signed: see the note on blocks older than the hooks */
static size_t rtl_pm_alloc;
static PyObjectArenaAllocator rtl_prev_arena;
static int rtl_pm_installed;

static void rtl_pm_add(size_t n)
{
    __atomic_add_fetch(&rtl_pm_inuse, (long long)n, __ATOMIC_RELAXED);
    __atomic_add_fetch(&rtl_pm_alloc, n, __ATOMIC_RELAXED);
}

static void rtl_pm_sub(size_t n)
{
    __atomic_sub_fetch(&rtl_pm_inuse, (long long)n, __ATOMIC_RELAXED);
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
    PyMemAllocatorEx libc = {NULL, rtl_raw_malloc, rtl_raw_calloc, rtl_raw_realloc, rtl_raw_free};
    const char *name;
    size_t len;

    if (rtl_pm_installed)
        return;
    rtl_pm_installed = 1;
    name = _PyMem_GetCurrentAllocatorName(); /* static string, or NULL for an unknown set */
    PyObject_GetArenaAllocator(&rtl_prev_arena);
    arena.ctx = rtl_prev_arena.ctx;
    arena.alloc = rtl_arena_alloc;
    arena.free = rtl_arena_free;
    PyObject_SetArenaAllocator(&arena);
    if (name == NULL || (strncmp(name, "pymalloc", 8) != 0 && strncmp(name, "malloc", 6) != 0))
        return; /* domains that are not the C library's: leave them alone (see the design note) */
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &libc);
    if (strncmp(name, "malloc", 6) == 0) {
        PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &libc);
        PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &libc);
    }
    len = strlen(name);
    if (len > 6 && strcmp(name + len - 6, "_debug") == 0)
        PyMem_SetupDebugHooks(); /* back on top of ours, in every domain that lost them */
}

RTL_HIDDEN void rtl_init_pymem_stats(void *st)
{
    rtl_three_t *t = st;
    t->pymem_requested = 1;
}

RTL_HIDDEN void rtl_get_pymem_stats(void *st, pymem_stats_t *stats)
{
    long long inuse;

    (void)st;
    if (stats == NULL)
        return;
    inuse = __atomic_load_n(&rtl_pm_inuse, __ATOMIC_RELAXED);
    stats->inuse = inuse > 0 ? (size_t)inuse : 0;
    stats->alloc = __atomic_load_n(&rtl_pm_alloc, __ATOMIC_RELAXED);
}
