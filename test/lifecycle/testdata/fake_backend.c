/*
 * fake_backend.c: a backend the loader must refuse (lifecycle/select_test.go), built with one of
 *   -DFAKE_NO_ENTRY           no entry symbol at all
 *   -DFAKE_ABI=<n>            a table of another ABI
 *   -DFAKE_SIZE=<n>           a table shorter than the loader's
 *   -DFAKE_VERSION="\"3.X\""  a table built for another Python version
 * Each refusal must unmap it (dlclose) before make3 returns.
 */
#include "rtl_backend.h"

#ifndef FAKE_ABI
#    define FAKE_ABI RTL_BACKEND_ABI
#endif
#ifndef FAKE_SIZE
#    define FAKE_SIZE sizeof(rtl_backend_t)
#endif
#ifndef FAKE_VERSION
#    define FAKE_VERSION "3.2"
#endif

#ifdef FAKE_NO_ENTRY
__attribute__((visibility("default"))) int rtl_fake_backend_without_entry(void)
{
    return 0;
}
#else
static const rtl_backend_t fake = {
    .abi = FAKE_ABI,
    .size = FAKE_SIZE,
    .python_version = FAKE_VERSION,
    .python_home = "/nonexistent",
};

__attribute__((visibility("default"))) const rtl_backend_t *RTL_BACKEND_ENTRY(void)
{
    return &fake;
}
#endif
