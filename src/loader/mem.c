/*
 * mem.c: the process-global allocator pair and its counters (API.md §9.1).
 *
 * _malloc/_free start as the C library's pair. _enable_memory_tracker() swaps in counting
 * versions that account each block's usable size in relaxed atomics; get_and_reset_memory_stats
 * exchanges every counter with 0, so callers see deltas. The pair is swapped once, early, before
 * make3 hands it to the backend; after that both libraries allocate through the same functions.
 *
 * This is the one file allowed to call malloc/free directly (it does not define
 * RTLOADER_NO_RAW_MALLOC).
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "rtloader_mem.h"

static size_t usable_size(void *p)
{
#if defined(RTL_PLATFORM_LINUX)
    return malloc_usable_size(p);
#else
#    warning "no usable-size function on this platform: the memory tracker counts 0 bytes"
    (void)p;
    return 0;
#endif
}

static size_t c_allocations, c_allocated_bytes, c_frees, c_freed_bytes;
static ssize_t c_inuse_bytes;

static void *tracked_malloc(size_t sz)
{
    void *p = malloc(sz);
    if (p != NULL) {
        size_t n = usable_size(p);
        __atomic_add_fetch(&c_allocations, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&c_allocated_bytes, n, __ATOMIC_RELAXED);
        __atomic_add_fetch(&c_inuse_bytes, (ssize_t)n, __ATOMIC_RELAXED);
    }
    return p;
}

static void tracked_free(void *p)
{
    if (p != NULL) {
        size_t n = usable_size(p);
        __atomic_add_fetch(&c_frees, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&c_freed_bytes, n, __ATOMIC_RELAXED);
        __atomic_sub_fetch(&c_inuse_bytes, (ssize_t)n, __ATOMIC_RELAXED);
    }
    free(p);
}

DATADOG_AGENT_RTLOADER_API void *(*_malloc)(size_t sz) = malloc;
DATADOG_AGENT_RTLOADER_API void (*_free)(void *ptr) = free;

DATADOG_AGENT_RTLOADER_API char *strdupe(const char *s1)
{
    size_t n;
    char *s;
    if (s1 == NULL)
        return NULL;
    n = strlen(s1) + 1;
    s = _malloc(n);
    if (s != NULL)
        memcpy(s, s1, n);
    return s;
}

DATADOG_AGENT_RTLOADER_API struct memory_stats get_and_reset_memory_stats(void)
{
    struct memory_stats st;
    st.allocations = __atomic_exchange_n(&c_allocations, 0, __ATOMIC_RELAXED);
    st.allocated_bytes = __atomic_exchange_n(&c_allocated_bytes, 0, __ATOMIC_RELAXED);
    st.frees = __atomic_exchange_n(&c_frees, 0, __ATOMIC_RELAXED);
    st.freed_bytes = __atomic_exchange_n(&c_freed_bytes, 0, __ATOMIC_RELAXED);
    st.inuse_bytes = __atomic_exchange_n(&c_inuse_bytes, 0, __ATOMIC_RELAXED);
    return st;
}

DATADOG_AGENT_RTLOADER_API void _enable_memory_tracker(void)
{
    __atomic_store_n(&_malloc, tracked_malloc, __ATOMIC_RELAXED);
    __atomic_store_n(&_free, tracked_free, __ATOMIC_RELAXED);
}

DATADOG_AGENT_RTLOADER_API rtloader_malloc_t _get_tracked_malloc(void)
{
    return __atomic_load_n(&_malloc, __ATOMIC_RELAXED);
}

DATADOG_AGENT_RTLOADER_API rtloader_free_t _get_tracked_free(void)
{
    return __atomic_load_n(&_free, __ATOMIC_RELAXED);
}
