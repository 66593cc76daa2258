/*
 * rtl_size.h: the one overflow-checked size computation, for every block whose size comes from a
 * Python length (len() may be a check's own __len__, and may claim 2**61) or from a host value.
 *
 * A wrapped `(n + 1) * sizeof(char *)` yields a small block that the following loop then writes
 * past (issue 11 item 1: get_checks_warnings with len 2**61). Every such computation goes through
 * rtl_array_size, and its callers report a failure as "too large" (no allocation is attempted).
 *
 * Audit (src/, issue 11): routed through rtl_array_size: get_checks_warnings' array and the
 * synthesised diagnosis (checks.c), the tag/argv string arrays (rtl_strv_init, convert.c), the
 * subprocess environment array (util_private.c), the recorded add_python_path array (three.c).
 * Left as they are, with the reason: sizes of strings that already exist in memory plus a small
 * constant (rtl_strndup's n + 1, strdupe, the "KEY=VALUE" copies, rtl_vformat's int + 1, the crash
 * handler's message): an object of that size exists, so the sum cannot wrap; constant sizes.
 */
#ifndef RTL_SIZE_H
#define RTL_SIZE_H

#include <stddef.h>

/* *out = n * elem + extra. Returns 1, or 0 (and *out untouched) when that does not fit a size_t. */
static inline int rtl_array_size(size_t n, size_t elem, size_t extra, size_t *out)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, elem, &bytes) || __builtin_add_overflow(bytes, extra, &bytes))
        return 0;
    *out = bytes;
    return 1;
}

#endif /* RTL_SIZE_H */
