/* rtlc_util.h: small helpers shared by the runner's modules (files, time, strings). */
#ifndef RTLC_UTIL_H
#define RTLC_UTIL_H

#include <stddef.h>

/* Read a whole file (NULL path: stdin). Returns 1 with a malloc'ed NUL-terminated *buf, or 0 with
 * a malloc'ed *err naming the file. */
int rtlc_read_file(const char *path, char **buf, size_t *len, char **err);
/* malloc'ed printf. Never returns NULL (aborts the message to "out of memory" instead). */
char *rtlc_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Monotonic clock in milliseconds. */
double rtlc_now_ms(void);
/* 1 if path is a directory / a regular file. */
int rtlc_is_dir(const char *path);
int rtlc_is_file(const char *path);

#endif
