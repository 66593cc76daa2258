/* rtlc_util.h: small helpers shared by the runner's modules (files, time, strings). */
#ifndef RTLC_UTIL_H
#define RTLC_UTIL_H

#include <stddef.h>

/* Read a whole file (NULL path: stdin). Returns 1 with a malloc'ed NUL-terminated *buf, or 0 with
 * a malloc'ed *err naming the file. */
int rtlc_read_file(const char *path, char **buf, size_t *len, char **err);
/* malloc'ed printf. Never returns NULL (aborts the message to "out of memory" instead). */
char *rtlc_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A growing byte buffer, always NUL-terminated once written to. `max` (0: none) bounds its
 * length; once an append fails, `failed` says why (RTLC_BUF_TOO_BIG, RTLC_BUF_NO_MEMORY) and
 * later appends do nothing. Zero-initialise it; release buf with free(). */
typedef struct {
    char *buf;
    size_t len, cap, max;
    int failed;
} rtlc_buf_t;
enum { RTLC_BUF_OK = 0, RTLC_BUF_TOO_BIG, RTLC_BUF_NO_MEMORY };
void rtlc_buf_put(rtlc_buf_t *b, const char *s, size_t n);
void rtlc_buf_puts(rtlc_buf_t *b, const char *s);
/* Empty it (keeping its memory and any failure). */
void rtlc_buf_clear(rtlc_buf_t *b);
/* Monotonic clock in milliseconds. */
double rtlc_now_ms(void);
/* 1 if path is a directory / a regular file. */
int rtlc_is_dir(const char *path);
int rtlc_is_file(const char *path);

#endif
