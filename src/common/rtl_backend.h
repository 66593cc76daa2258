/*
 * rtl_backend.h: the private contract between the loader (libdatadog-agent-rtloader.so) and a
 * Python backend (libdatadog-agent-three[-3.X].so).
 *
 * Why a table: upstream calls a C++ object through virtual methods and exports `create` and
 * `destroy` from the backend; the latter collides with the public API's `destroy` once the
 * backend is opened RTLD_GLOBAL. Here the backend is built with hidden visibility and exports one
 * symbol, RTL_BACKEND_ENTRY, which returns a static, constant table: the backend's identity
 * (Python version, build-time home), a pointer to its process-global callback table, and one
 * function per API operation. The loader's exported functions validate their arguments and
 * forward through this table; they never include Python.h.
 *
 * Every operation takes the opaque state returned by `create`. The error channel lives in that
 * state, so the loader reports its own argument errors through `set_error`.
 *
 * Compatibility rules (the loader checks both before using a table, and dlcloses a backend it
 * refuses):
 *   - `size` is sizeof(rtl_backend_t) as the backend was built. New operations are APPENDED at the
 *     end of the struct, never inserted: a loader refuses a backend whose table is smaller than its
 *     own sizeof(rtl_backend_t) (a stale backend left in a library folder), while a newer backend
 *     with a longer table still serves an older loader;
 *   - `abi` (RTL_BACKEND_ABI) is bumped only for an incompatible change: a field removed, moved
 *     or retyped. The entry symbol's name carries the number (RTL_BACKEND_ENTRY below), so a
 *     backend of another ABI does not even export the symbol the loader looks for.
 */
#ifndef RTL_BACKEND_H
#define RTL_BACKEND_H

#include "datadog_agent_rtloader.h"
#include "rtl_callback_list.h"

#define RTL_BACKEND_ABI 3

/* The entry point's identifier, rtl_three_backend_v<ABI>: the backend defines the function with
 * it, and the loader dlsym()s RTL_BACKEND_ENTRY_NAME, its spelling as a string. */
#define RTL_BACKEND_CAT_(a, b) a##b
#define RTL_BACKEND_CAT(a, b) RTL_BACKEND_CAT_(a, b)
#define RTL_BACKEND_STR_(x) #x
#define RTL_BACKEND_STR(x) RTL_BACKEND_STR_(x)
#define RTL_BACKEND_ENTRY RTL_BACKEND_CAT(rtl_three_backend_v, RTL_BACKEND_ABI)
#define RTL_BACKEND_ENTRY_NAME RTL_BACKEND_STR(RTL_BACKEND_ENTRY)

/* All host callbacks, process-global, NULL until set. One struct, not statics per module. */
#define RTL_CALLBACK_FIELD(name, type) type name;
struct rtl_callbacks {
    RTL_CALLBACK_LIST(RTL_CALLBACK_FIELD)
};
#undef RTL_CALLBACK_FIELD

typedef struct rtl_backend_s {
    int abi;                    /* RTL_BACKEND_ABI */
    size_t size;                /* sizeof(rtl_backend_t) in the backend's build */
    const char *python_version; /* "3.X" the backend was built for */
    const char *python_home;    /* the build-time default home */
    struct rtl_callbacks *callbacks;

    /* lifecycle */
    void *(*create)(const char *python_home, const char *python_exe, rtloader_malloc_t m, rtloader_free_t f);
    void (*destroy)(void *st);
    int (*init)(void *st);
    int (*add_python_path)(void *st, const char *path);

    /* error channel */
    int (*has_error)(const void *st);
    const char *(*get_error)(const void *st);
    void (*clear_error)(void *st);

    /* GIL */
    rtloader_gilstate_t (*ensure_gil)(void *st);
    void (*release_gil)(void *st, rtloader_gilstate_t state);

    /* checks */
    int (*get_class)(void *st, const char *name, rtloader_pyobject_t **py_module, rtloader_pyobject_t **py_class);
    int (*get_attr_string)(void *st, rtloader_pyobject_t *obj, const char *attr, char **value);
    int (*get_attr_bool)(void *st, rtloader_pyobject_t *obj, const char *attr, bool *value);
    int (*get_check)(void *st, rtloader_pyobject_t *py_class, const char *init_config, const char *instance,
                     const char *agent_config, int deprecated, const char *check_id, const char *check_name,
                     const char *provider, rtloader_pyobject_t **check);
    char *(*run_check)(void *st, rtloader_pyobject_t *check);
    void (*cancel_check)(void *st, rtloader_pyobject_t *check);
    char **(*get_checks_warnings)(void *st, rtloader_pyobject_t *check);
    char *(*get_check_diagnoses)(void *st, rtloader_pyobject_t *check);

    /* objects and interpreter helpers */
    void (*incref)(void *st, rtloader_pyobject_t *obj);
    void (*decref)(void *st, rtloader_pyobject_t *obj);
    void (*set_module_attr_string)(void *st, const char *module, const char *attr, const char *value);
    rtloader_pyobject_t *(*get_none)(const void *st);
    py_info_t *(*get_py_info)(void *st);
    int (*run_simple_string)(const void *st, const char *code);
    char *(*get_integration_list)(void *st);
    char *(*get_interpreter_memory_usage)(void *st);

    /* Python allocator statistics */
    void (*init_pymem_stats)(void *st);
    void (*get_pymem_stats)(void *st, pymem_stats_t *stats);

    /* sub-interpreters (API.md §13) */
    int (*enable_subinterpreters)(void *st, int on);
    int (*set_subinterpreter_blocklist)(void *st, const char *modules);
    int (*check_is_isolated)(void *st, rtloader_pyobject_t *check);
    int (*has_subinterpreter_support)(const void *st);

    /* New operations go here, at the end (see the compatibility rules above). */
} rtl_backend_t;

/* The one symbol a backend exports: returns its (static, constant) table. */
typedef const rtl_backend_t *(*rtl_backend_entry_t)(void);

#endif /* RTL_BACKEND_H */
