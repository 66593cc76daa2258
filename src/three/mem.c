/*
 * mem.c: the backend's allocator pair.
 *
 * The loader hands its current _malloc/_free to the backend at creation (API.md §5.3), so blocks
 * allocated on either side are freed and counted by the same functions. Until then (never, in
 * practice) the C library's pair is used.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rtl_format.h"
#include "three.h"

static rtloader_malloc_t rtl_malloc_fn;
static rtloader_free_t rtl_free_fn;

RTL_HIDDEN void rtl_mem_set(rtloader_malloc_t m, rtloader_free_t f)
{
    rtl_malloc_fn = m;
    rtl_free_fn = f;
}

RTL_HIDDEN void *rtl_malloc(size_t sz)
{
    return rtl_malloc_fn(sz ? sz : 1);
}

RTL_HIDDEN void rtl_free(void *ptr)
{
    if (ptr != NULL)
        rtl_free_fn(ptr);
}

RTL_HIDDEN char *rtl_strndup(const char *s, size_t n)
{
    char *d;
    if (s == NULL)
        return NULL;
    d = rtl_malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

RTL_HIDDEN char *rtl_strdup(const char *s)
{
    return s ? rtl_strndup(s, strlen(s)) : NULL;
}

RTL_HIDDEN char *rtl_format(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    s = rtl_vformat(rtl_malloc, fmt, ap);
    va_end(ap);
    return s;
}
