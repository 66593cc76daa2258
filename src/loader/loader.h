/*
 * loader.h: the loader's internal pieces (never installed).
 */
#ifndef RTL_LOADER_H
#define RTL_LOADER_H

#include "rtl_backend.h"

#define RTL_HIDDEN __attribute__((visibility("hidden")))

/* The handle the host holds. The loader owns it; `state` belongs to the backend. */
struct rtloader_s {
    const rtl_backend_t *ops;
    void *state;
};

/*
 * Picks the backend for (python_home, python_exe) as API.md §12.3 describes, opens it with
 * RTLD_LAZY|RTLD_GLOBAL and returns its table. On failure returns NULL and sets *error to a
 * _malloc'ed message. Remembers the library for the life of the process (it is never closed).
 */
RTL_HIDDEN const rtl_backend_t *rtl_open_backend(const char *python_home, const char *python_exe, char **error);

#endif /* RTL_LOADER_H */
