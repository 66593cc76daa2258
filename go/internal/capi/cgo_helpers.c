/* cgo_helpers.c: see cgo_helpers.h. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

#include "cgo_helpers.h"
#include "_cgo_export.h"

char *rtlgo_strndup(const char *s, size_t n)
{
    char *p = _malloc(n + 1);
    if (p == NULL) {
        return NULL;
    }
    if (n > 0) {
        memcpy(p, s, n);
    }
    p[n] = '\0';
    return p;
}

char **rtlgo_alloc_array(size_t n)
{
    char **a = _malloc((n + 1) * sizeof(char *));
    if (a != NULL) {
        memset(a, 0, (n + 1) * sizeof(char *));
    }
    return a;
}

void rtlgo_free(void *p)
{
    _free(p);
}

void *rtlgo_malloc(size_t n)
{
    return _malloc(n);
}

static void *(*rtlgo_next_malloc)(size_t);
static long rtlgo_fault_at, rtlgo_fault_seen; /* read and written with __atomic builtins */
static int rtlgo_fault_armed, rtlgo_fault_hit;

static void *rtlgo_faulty_malloc(size_t n)
{
    if (__atomic_load_n(&rtlgo_fault_armed, __ATOMIC_ACQUIRE)) {
        long seen = __atomic_add_fetch(&rtlgo_fault_seen, 1, __ATOMIC_ACQ_REL);
        if (seen == __atomic_load_n(&rtlgo_fault_at, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&rtlgo_fault_hit, 1, __ATOMIC_RELEASE);
            return NULL;
        }
    }
    return rtlgo_next_malloc(n);
}

void rtlgo_install_faulty_malloc(void)
{
    if (_malloc != rtlgo_faulty_malloc) {
        rtlgo_next_malloc = _malloc;
        _malloc = rtlgo_faulty_malloc;
    }
}

void rtlgo_fault_arm(long n)
{
    __atomic_store_n(&rtlgo_fault_seen, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&rtlgo_fault_hit, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&rtlgo_fault_at, n, __ATOMIC_RELEASE);
    __atomic_store_n(&rtlgo_fault_armed, 1, __ATOMIC_RELEASE);
}

long rtlgo_fault_disarm(int *hit)
{
    __atomic_store_n(&rtlgo_fault_armed, 0, __ATOMIC_RELEASE);
    *hit = __atomic_load_n(&rtlgo_fault_hit, __ATOMIC_ACQUIRE);
    return __atomic_load_n(&rtlgo_fault_seen, __ATOMIC_ACQUIRE);
}

void rtlgo_segfault(void)
{
    volatile int *p = NULL;
    *p = 42;
}

/* The C implementation of cgo_free; every other rtlgo_cb_<name> is a Go export. */
void rtlgo_cb_cgo_free(void *p)
{
    _free(p);
}

/* Each implementation must have exactly the callback's C type: a Go export whose parameters
 * drift from the typedef fails the build here instead of misreading arguments at run time. */
#define RTLGO_CB_TYPECHECK(name, type)                                                                                 \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&rtlgo_cb_##name), type),                                   \
                   "rtlgo_cb_" #name " does not match " #type);
RTL_CALLBACK_LIST(RTLGO_CB_TYPECHECK)
#undef RTLGO_CB_TYPECHECK

void rtlgo_set_callback(rtloader_t *r, int which, int on)
{
    switch (which) {
#define RTLGO_CB_CASE(name, type)                                                                                      \
    case RTLGO_CB_##name: set_##name##_cb(r, on ? rtlgo_cb_##name : NULL); break;
        RTL_CALLBACK_LIST(RTLGO_CB_CASE)
#undef RTLGO_CB_CASE
    default: break;
    }
}

const char *rtlgo_callback_name(int which)
{
    static const char *const names[] = {
#define RTLGO_CB_NAME(name, type) #name,
        RTL_CALLBACK_LIST(RTLGO_CB_NAME)
#undef RTLGO_CB_NAME
    };
    return which >= 0 && which < RTLGO_CB_COUNT ? names[which] : NULL;
}

int rtlgo_lsan_check(void)
{
    int (*check)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "__lsan_do_recoverable_leak_check");
    if (check == NULL) {
        return -1;
    }
    return check();
}
