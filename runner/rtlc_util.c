/* rtlc_util.c: small helpers shared by the runner's modules. */
#define _GNU_SOURCE
#include "rtlc_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

char *rtlc_fmt(const char *fmt, ...)
{
    va_list ap;
    char *out = NULL;
    va_start(ap, fmt);
    if (vasprintf(&out, fmt, ap) < 0)
        out = NULL;
    va_end(ap);
    return out ? out : strdup("out of memory");
}

int rtlc_read_file(const char *path, char **buf, size_t *len, char **err)
{
    FILE *f = path ? fopen(path, "rb") : stdin;
    char *b = NULL;
    size_t n = 0, cap = 0;
    *buf = NULL;
    *len = 0;
    if (!f) {
        *err = rtlc_fmt("cannot open %s: %s", path, strerror(errno));
        return 0;
    }
    for (;;) {
        if (cap - n < 4096) {
            size_t nc = cap ? cap * 2 : 8192;
            char *nb = realloc(b, nc);
            if (!nb) {
                free(b);
                if (path)
                    fclose(f);
                *err = rtlc_fmt("cannot read %s: out of memory", path ? path : "stdin");
                return 0;
            }
            b = nb;
            cap = nc;
        }
        size_t r = fread(b + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    if (path)
        fclose(f);
    if (bad) {
        free(b);
        *err = rtlc_fmt("cannot read %s", path ? path : "stdin");
        return 0;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 1;
}

void rtlc_buf_put(rtlc_buf_t *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->max && b->len + n > b->max) {
        b->failed = RTLC_BUF_TOO_BIG;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (b->max && cap > b->max + 1)
            cap = b->max + 1;
        char *nb = realloc(b->buf, cap);
        if (!nb) {
            b->failed = RTLC_BUF_NO_MEMORY;
            return;
        }
        b->buf = nb;
        b->cap = cap;
    }
    if (n > 0) /* s may be NULL for an empty piece (an empty buffer's text): memcpy must not see it */
        memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void rtlc_buf_puts(rtlc_buf_t *b, const char *s)
{
    rtlc_buf_put(b, s, strlen(s));
}

void rtlc_buf_clear(rtlc_buf_t *b)
{
    b->len = 0;
    if (b->buf)
        b->buf[0] = '\0';
}

double rtlc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int rtlc_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int rtlc_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
