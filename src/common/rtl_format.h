/*
 * rtl_format.h: printf into a freshly allocated string, shared by the loader (make3's messages)
 * and the backend (its error channel). They are two libraries, so this is a static inline taking
 * the allocator: each side passes its own (both end up in the loader's _malloc).
 */
#ifndef RTL_FORMAT_H
#define RTL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* The formatted text in a block from alloc, or NULL if formatting or the allocation fails. */
static inline char *rtl_vformat(void *(*alloc)(size_t), const char *fmt, va_list ap)
{
    va_list again;
    char *s = NULL;
    int n;

    va_copy(again, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    if (n >= 0 && (s = alloc((size_t)n + 1)) != NULL)
        vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    return s;
}

#endif /* RTL_FORMAT_H */
