/*
 * cgo_helpers.h: small C helpers for the Go bindings (test/bindings).
 *
 * They exist because cgo cannot call through the _malloc/_free function-pointer variables
 * directly, and because registering the exported Go callbacks is simplest from C.
 */
#ifndef RTLGO_CGO_HELPERS_H
#define RTLGO_CGO_HELPERS_H

#include <stddef.h>

#include "datadog_agent_rtloader.h"
#include "rtloader_mem.h"

/* A _malloc'ed, NUL-terminated copy of the n bytes at s (s may be NULL when n == 0). */
char *rtlgo_strndup(const char *s, size_t n);
/* A _malloc'ed, zeroed array of n + 1 char pointers (the last one stays NULL). */
char **rtlgo_alloc_array(size_t n);
/* _free(p), for Go. */
void rtlgo_free(void *p);
/* The function registered with set_cgo_free_cb: forwards to rtloader's _free. */
void rtlgo_cgo_free(void *p);
/* _malloc(n), for Go (tests that allocate and free directly). */
void *rtlgo_malloc(size_t n);
/* Write through a NULL pointer: a real, kernel-raised SIGSEGV (crash-handler tests). */
void rtlgo_segfault(void);
/* Run LeakSanitizer now if it is loaded: 1 if leaks were found, 0 if none, -1 without LSan. */
int rtlgo_lsan_check(void);
/* Fault injection (test/faults). rtlgo_install_faulty_malloc puts a wrapper in front of the
 * current _malloc; it must run before make3, which hands the pointer to the backend. Once armed
 * with n > 0, the wrapper counts the allocations it sees and fails the n-th one (returns NULL
 * without allocating), once; n == 0 only counts. rtlgo_fault_disarm stops counting and failing
 * and returns the number of allocations seen since arming; *hit tells whether the n-th came. */
void rtlgo_install_faulty_malloc(void);
void rtlgo_fault_arm(long n);
long rtlgo_fault_disarm(int *hit);
/* Register (on != 0) or unregister (on == 0) the Go callback number `which` (see RTLGO_CB_*). */
void rtlgo_set_callback(rtloader_t *r, int which, int on);

enum {
    RTLGO_CB_SUBMIT_METRIC = 0,
    RTLGO_CB_SUBMIT_SERVICE_CHECK,
    RTLGO_CB_SUBMIT_EVENT,
    RTLGO_CB_SUBMIT_HISTOGRAM_BUCKET,
    RTLGO_CB_SUBMIT_EVENT_PLATFORM_EVENT,
    RTLGO_CB_GET_VERSION,
    RTLGO_CB_GET_CONFIG,
    RTLGO_CB_HEADERS,
    RTLGO_CB_GET_HOSTNAME,
    RTLGO_CB_GET_HOST_TAGS,
    RTLGO_CB_GET_CLUSTERNAME,
    RTLGO_CB_TRACEMALLOC_ENABLED,
    RTLGO_CB_LOG,
    RTLGO_CB_SEND_LOG,
    RTLGO_CB_SET_CHECK_METADATA,
    RTLGO_CB_SET_EXTERNAL_TAGS,
    RTLGO_CB_WRITE_PERSISTENT_CACHE,
    RTLGO_CB_READ_PERSISTENT_CACHE,
    RTLGO_CB_OBFUSCATE_SQL,
    RTLGO_CB_OBFUSCATE_SQL_EXEC_PLAN,
    RTLGO_CB_GET_PROCESS_START_TIME,
    RTLGO_CB_OBFUSCATE_MONGODB_STRING,
    RTLGO_CB_EMIT_AGENT_TELEMETRY,
    RTLGO_CB_REPORT_ISSUE,
    RTLGO_CB_RESOLVE_ISSUE,
    RTLGO_CB_GET_SUBPROCESS_OUTPUT,
    RTLGO_CB_CGO_FREE,
    RTLGO_CB_TAGS,
    RTLGO_CB_GET_CONNECTION_INFO,
    RTLGO_CB_IS_EXCLUDED,
    RTLGO_CB_COUNT
};

#endif
