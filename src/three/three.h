/*
 * three.h: the backend's internal interface (shared by the backend's files and the built-in
 * modules; never installed).
 *
 * The backend state (rtl_three_t) is what the loader holds as an opaque pointer. Process-global
 * pieces (allocator pair, callback table, interpreter-initialised flag) live in three.c, because
 * one interpreter exists per process whatever the number of handles.
 *
 * Include Python.h (via this header) before any system header, as CPython requires.
 */
#ifndef RTL_THREE_H
#define RTL_THREE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>

#ifndef RTL_ALLOW_RAW_MALLOC /* only pymem.c, whose hooks must call the C library */
#    define RTLOADER_NO_RAW_MALLOC
#endif
#include "rtl_backend.h"
#include "rtloader_mem.h"

#define RTL_HIDDEN __attribute__((visibility("hidden")))

/* The error every interpreter-needing call reports before a successful init (API.md §12.2). */
#define RTL_ERR_NOT_INITIALIZED "rtloader is not initialized"
#define RTL_ERR_ALREADY_INITIALIZED "rtloader is already initialized"

typedef enum { RTL_INIT_NONE = 0, RTL_INIT_OK, RTL_INIT_FAILED } rtl_init_state_t;

typedef struct rtl_three_s {
    char *home;   /* python home (rt-owned) */
    char *exe;    /* python_exe or NULL (rt-owned) */
    char **paths; /* recorded add_python_path entries (rt-owned) */
    size_t npaths, cappaths;
    int path_lost;              /* add_python_path could not record a path (out of memory): init refuses */
    pthread_mutex_t error_lock; /* error channel (API.md §2.2): see error.c */
    int error_set;              /* flag */
    char *error;                /* rt-owned message, or NULL meaning "" */
    rtl_init_state_t state;     /* set by init */
    PyObject *base_class;       /* strong ref to datadog_checks.checks.AgentCheck */
    PyThreadState *main_ts;     /* saved by init (PyEval_SaveThread) */
    int pymem_requested;        /* init_pymem_stats called before init */
} rtl_three_t;

/* ---- memory (mem.c): the allocator pair received from the loader at creation ---- */
RTL_HIDDEN void rtl_mem_set(rtloader_malloc_t m, rtloader_free_t f);
RTL_HIDDEN void *rtl_malloc(size_t sz);
RTL_HIDDEN void rtl_free(void *ptr);
RTL_HIDDEN char *rtl_strdup(const char *s);
RTL_HIDDEN char *rtl_strndup(const char *s, size_t n);

/* ---- callbacks (three.c): the single process-global table, and the helpers around it ---- */
extern RTL_HIDDEN struct rtl_callbacks rtl_cb;
/* cgo_free (BUILTINS.md §9.3): release a host buffer; no-op when unset or ptr is NULL. */
RTL_HIDDEN void rtl_cgo_free(void *ptr);
/* agent_log (BUILTINS.md §9.4): forward to the log callback when both it and msg are set. */
RTL_HIDDEN void rtl_log(int level, const char *msg);

/* ---- error channel (error.c) ---- */
RTL_HIDDEN void rtl_set_error(rtl_three_t *t, const char *msg);
/* Sets "<prefix><pyerr>" where <pyerr> is the formatted pending Python error (API.md §7.4); the
 * Python error is cleared. */
RTL_HIDDEN void rtl_set_error_py(rtl_three_t *t, const char *prefix);
/* Sets printf-style text (used for messages with one or two %s). */
RTL_HIDDEN void rtl_set_errorf(rtl_three_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The pending Python error formatted as API.md §7.4 (rt-owned, never NULL unless out of memory);
 * clears the Python error indicator. */
RTL_HIDDEN char *rtl_fetch_pyerr(void);
RTL_HIDDEN int rtl_has_error(const void *st);
RTL_HIDDEN const char *rtl_get_error(const void *st);
RTL_HIDDEN void rtl_clear_error(void *st);

/* ---- readiness guard: 1 if the interpreter is up for this handle, else sets the error ---- */
RTL_HIDDEN int rtl_ready(rtl_three_t *t);

/* ---- GIL (gil.c) ---- */
RTL_HIDDEN rtloader_gilstate_t rtl_ensure_gil(void *st);
RTL_HIDDEN void rtl_release_gil(void *st, rtloader_gilstate_t s);
RTL_HIDDEN void rtl_gil_init(void);     /* after Py_Initialize, on the init thread */
RTL_HIDDEN void rtl_gil_shutdown(void); /* at destroy, GIL held: stop reclaiming exiting threads' states */

/* ---- checks (checks.c) ---- */
RTL_HIDDEN int rtl_get_class(void *st, const char *name, rtloader_pyobject_t **m, rtloader_pyobject_t **c);
RTL_HIDDEN int rtl_get_attr_string(void *st, rtloader_pyobject_t *obj, const char *attr, char **value);
RTL_HIDDEN int rtl_get_attr_bool(void *st, rtloader_pyobject_t *obj, const char *attr, bool *value);
RTL_HIDDEN int rtl_get_check(void *st, rtloader_pyobject_t *py_class, const char *init_config, const char *instance,
                             const char *agent_config, int deprecated, const char *check_id, const char *check_name,
                             const char *provider, rtloader_pyobject_t **check);
RTL_HIDDEN char *rtl_run_check(void *st, rtloader_pyobject_t *check);
RTL_HIDDEN void rtl_cancel_check(void *st, rtloader_pyobject_t *check);
RTL_HIDDEN char **rtl_get_checks_warnings(void *st, rtloader_pyobject_t *check);
RTL_HIDDEN char *rtl_get_check_diagnoses(void *st, rtloader_pyobject_t *check);

/* ---- interpreter helpers (interp.c) ---- */
RTL_HIDDEN void rtl_incref(void *st, rtloader_pyobject_t *obj);
RTL_HIDDEN void rtl_decref(void *st, rtloader_pyobject_t *obj);
RTL_HIDDEN void rtl_set_module_attr_string(void *st, const char *module, const char *attr, const char *value);
RTL_HIDDEN rtloader_pyobject_t *rtl_get_none(const void *st);
RTL_HIDDEN py_info_t *rtl_get_py_info(void *st);
RTL_HIDDEN int rtl_run_simple_string(const void *st, const char *code);
RTL_HIDDEN char *rtl_get_integration_list(void *st);
RTL_HIDDEN char *rtl_get_interpreter_memory_usage(void *st);

/* ---- Python allocator statistics (pymem.c) ---- */
RTL_HIDDEN void rtl_init_pymem_stats(void *st);
RTL_HIDDEN void rtl_get_pymem_stats(void *st, pymem_stats_t *stats);
RTL_HIDDEN void rtl_pymem_install(void); /* before Py_InitializeFromConfig, when requested */

/* ---- built-in modules (builtins/) ---- */
/* Appends the seven modules to the inittab, in the spec's order. Returns 0 on success. */
RTL_HIDDEN int rtl_builtins_register(void);

#endif /* RTL_THREE_H */
