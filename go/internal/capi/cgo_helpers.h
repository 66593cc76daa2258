/*
 * cgo_helpers.h: the C half of package capi (go/internal/capi), the one cgo layer of the Go
 * package and of the test suite.
 *
 * They exist because cgo cannot call through the _malloc/_free function-pointer variables
 * directly, and because registering the exported Go callbacks is done from the callback list
 * (an X-macro) in C, so that the list is never copied by hand.
 */
#ifndef RTLGO_CGO_HELPERS_H
#define RTLGO_CGO_HELPERS_H

#include <stddef.h>

#include "datadog_agent_rtloader.h"
#include "rtloader_mem.h"
#include "rtl_callback_list.h"

/* A _malloc'ed, NUL-terminated copy of the n bytes at s (s may be NULL when n == 0). */
char *rtlgo_strndup(const char *s, size_t n);
/* A _malloc'ed, zeroed array of n + 1 char pointers (the last one stays NULL). */
char **rtlgo_alloc_array(size_t n);
/* _free(p), for Go. */
void rtlgo_free(void *p);
/* The function registered with set_cgo_free_cb: forwards to rtloader's _free. */
void rtlgo_cb_cgo_free(void *p);
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
/* The callbacks, derived from the one list (src/common/rtl_callback_list.h): RTLGO_CB_<name> is
 * the callback's number, in list order. Go names callbacks only through these constants
 * (C.RTLGO_CB_<name>) or by name (rtlgo_callback_name), so nothing on the Go side depends on the
 * list's order. Each callback <name> is implemented by the function rtlgo_cb_<name>: a Go export
 * (callbacks.go), except cgo_free, which is C. */
enum {
#define RTLGO_CB_ENUM(name, type) RTLGO_CB_##name,
    RTL_CALLBACK_LIST(RTLGO_CB_ENUM)
#undef RTLGO_CB_ENUM
        RTLGO_CB_COUNT
};

/* Register (on != 0) or unregister (on == 0) callback number `which` (RTLGO_CB_<name>). */
void rtlgo_set_callback(rtloader_t *r, int which, int on);
/* The name of callback number `which` (the <name> of set_<name>_cb), NULL when out of range. */
const char *rtlgo_callback_name(int which);

#endif
