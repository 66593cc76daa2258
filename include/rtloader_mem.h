/*
 * rtloader_mem.h: rtloader's allocator and its counters.
 *
 * Every C allocation rtloader makes, in the loader and in the backend, goes through the two
 * process-global pointers _malloc and _free. They start as the C library's malloc/free;
 * enable_memory_tracker() (or _enable_memory_tracker()) swaps in counting versions once, early,
 * before make3(). With the tracker on, get_and_reset_memory_stats() returns the deltas since its
 * previous call, so a test can assert that allocations and frees balance.
 *
 * Memory that rtloader returns to the host (strings, arrays) must be released with _free (or
 * rtloader_free), never with the C library's free.
 */
#ifndef DATADOG_AGENT_RTLOADER_MEM_H
#define DATADOG_AGENT_RTLOADER_MEM_H

#include <stddef.h>
#include <sys/types.h>

#include "rtloader_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The current allocator pair (process-global, exported by the loader). */
extern DATADOG_AGENT_RTLOADER_API void *(*_malloc)(size_t sz);
extern DATADOG_AGENT_RTLOADER_API void (*_free)(void *ptr);

/* _malloc plus a copy of the NUL-terminated s1. Returns NULL for a NULL s1 or when out of memory.
 * Free the result with _free. */
DATADOG_AGENT_RTLOADER_API char *strdupe(const char *s1);

/* Counter deltas since the previous get_and_reset_memory_stats() (all zero unless the tracker is
 * on). Sizes are the blocks' usable sizes; inuse_bytes is a signed delta. */
struct memory_stats {
    size_t allocations;
    size_t allocated_bytes;
    size_t frees;
    size_t freed_bytes;
    ssize_t inuse_bytes;
};

/* Returns the counters and atomically resets each one to 0. */
DATADOG_AGENT_RTLOADER_API struct memory_stats get_and_reset_memory_stats(void);

/* Internal, used by the loader and the backends: switch _malloc/_free to the counting pair, and
 * read the pair currently installed (handed to a backend at creation). */
DATADOG_AGENT_RTLOADER_API void _enable_memory_tracker(void);
DATADOG_AGENT_RTLOADER_API rtloader_malloc_t _get_tracked_malloc(void);
DATADOG_AGENT_RTLOADER_API rtloader_free_t _get_tracked_free(void);

/* rtloader's own sources never call malloc/free directly: they define RTLOADER_NO_RAW_MALLOC
 * before including this header, which turns any direct use into a build error under -Werror.
 * Host code is not affected. */
#if defined(RTLOADER_NO_RAW_MALLOC) && defined(__GNUC__)
#    define RTLOADER_MEM_DEPRECATION_MSG "use rtloader's _malloc/_free/strdupe instead"
extern void *malloc(size_t size) __attribute__((deprecated(RTLOADER_MEM_DEPRECATION_MSG)));
extern void free(void *ptr) __attribute__((deprecated(RTLOADER_MEM_DEPRECATION_MSG)));
#endif

#ifdef __cplusplus
}
#endif

#endif /* DATADOG_AGENT_RTLOADER_MEM_H */
