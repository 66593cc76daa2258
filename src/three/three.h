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

/* Only two files may call the C library's malloc/free: pymem.c, whose hooks must, and error.c for the
 * stored error message, which stays outside the memory tracker (API.md §12.5). */
#ifndef RTL_ALLOW_RAW_MALLOC
#    define RTLOADER_NO_RAW_MALLOC
#endif
#include "rtl_backend.h"
#include "rtloader_mem.h"

#define RTL_HIDDEN __attribute__((visibility("hidden")))

/* The PyObject behind a host's opaque rtloader_pyobject_t. */
#define PY(o) ((PyObject *)(o))

#include "rtl_errors.h" /* every error text of the backend that is not one module's own */

typedef enum { RTL_INIT_NONE = 0, RTL_INIT_OK, RTL_INIT_FAILED } rtl_init_state_t;

/* The handle's sub-interpreter settings (subinterp.c; API.md §13). The Python objects belong to
 * the main interpreter and are only touched with its GIL held. */
struct rtl_sub_conf {
    int on;             /* enable_subinterpreters(rt, 1) succeeded */
    char *blocklist;    /* set_subinterpreter_blocklist (rt-owned) or NULL; read under the registry lock */
    PyObject *attrs;    /* {(module, attr): value} of every set_module_attr_string, in call order */
    PyObject *reported; /* {"<module>.<Class>"}: classes whose fallback was already logged */
};

typedef struct rtl_three_s {
    char *home;   /* python home (rt-owned) */
    char *exe;    /* python_exe or NULL (rt-owned) */
    char **paths; /* recorded add_python_path entries (rt-owned) */
    size_t npaths, cappaths;
    int path_lost;              /* add_python_path could not record a path (out of memory): init refuses */
    pthread_mutex_t error_lock; /* error channel (API.md §2.2): see error.c */
    int error_set;              /* flag */
    char *error;                /* stored message (C malloc, outside the tracker: error.c), or NULL = "" */
    rtl_init_state_t state;     /* set by init */
    PyObject *base_class;       /* strong ref to datadog_checks.checks.AgentCheck */
    PyThreadState *main_ts;     /* saved by init (PyEval_SaveThread) */
    int pymem_requested;        /* init_pymem_stats called before init */
    struct rtl_sub_conf sub;    /* sub-interpreters (subinterp.c) */
} rtl_three_t;

/* ---- memory (mem.c): the allocator pair received from the loader at creation ---- */
RTL_HIDDEN void rtl_mem_set(rtloader_malloc_t m, rtloader_free_t f);
RTL_HIDDEN void *rtl_malloc(size_t sz);
RTL_HIDDEN void rtl_free(void *ptr);
RTL_HIDDEN char *rtl_strdup(const char *s);
RTL_HIDDEN char *rtl_strndup(const char *s, size_t n);
/* printf into rt-owned memory; NULL if out of memory. */
RTL_HIDDEN char *rtl_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
/* §7.1: the first leaf subclass of base in module (new reference), or NULL with *err rt-owned. */
RTL_HIDDEN PyObject *rtl_find_subclass(PyObject *base, PyObject *module, char **err);
/* §7.2 steps 1-8 on klass, in the current interpreter: 1 with *check a new reference, or 0 with
 * the handle's error set. */
RTL_HIDDEN int rtl_check_new(rtl_three_t *t, PyObject *klass, const char *init_config, const char *instance,
                             const char *agent_config, int deprecated, const char *check_id, const char *check_name,
                             const char *provider, rtloader_pyobject_t **check);
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

/* ---- sub-interpreters (subinterp.c; API.md §13, DESIGN.md "Sub-interpreters") ----
 * Every hook is a no-op (one relaxed load) unless sub-interpreters were enabled. */
RTL_HIDDEN int rtl_enable_subinterpreters(void *st, int on);
RTL_HIDDEN int rtl_set_subinterpreter_blocklist(void *st, const char *modules);
RTL_HIDDEN int rtl_check_is_isolated(void *st, rtloader_pyobject_t *check);
RTL_HIDDEN int rtl_has_subinterpreter_support(const void *st);
/* get_check when sub-interpreters are on: the check in a new interpreter, else (blocklisted, or
 * any failure there) in the main one, the reason logged once per class; returns get_check's
 * result. -1: sub-interpreters are off, the caller builds the check itself. [main GIL] */
RTL_HIDDEN int rtl_sub_get_check(rtl_three_t *t, PyObject *klass, const char *init_config, const char *instance,
                                 const char *agent_config, int deprecated, const char *check_id, const char *check_name,
                                 const char *provider, rtloader_pyobject_t **check);
/* A call on an object switches into its interpreter when it is an isolated check:
 *     rtl_sub_switch_t sw;
 *     if (rtl_sub_enter(t, &sw, obj) < 0) return <error>;   (error set)
 *     ... Python calls on obj ...
 *     rtl_sub_leave(&sw);
 * enter releases the main GIL and takes the check's; leave gives it back. Objects of the main
 * interpreter pass through untouched. [main GIL] */
typedef struct rtl_sub_switch_s {
    struct rtl_sub_s *rec;  /* NULL: main-interpreter object, nothing switched */
    PyThreadState *main_ts; /* the caller's state, restored by leave */
} rtl_sub_switch_t;
RTL_HIDDEN int rtl_sub_enter(rtl_three_t *t, rtl_sub_switch_t *sw, rtloader_pyobject_t *obj);
RTL_HIDDEN void rtl_sub_leave(rtl_sub_switch_t *sw);
/* incref/decref of an isolated check (1 = handled; 0 = not one: use Py_XINCREF/Py_XDECREF). The
 * last decref ends the check's interpreter. [main GIL] */
RTL_HIDDEN int rtl_sub_incref(rtloader_pyobject_t *obj);
RTL_HIDDEN int rtl_sub_decref(rtloader_pyobject_t *obj);
/* set_module_attr_string succeeded: remember it for the interpreters made later. [main GIL] */
RTL_HIDDEN void rtl_sub_record_attr(rtl_three_t *t, const char *module, const char *attr, PyObject *value);
/* destroy: forget the settings; live interpreters are left alone (as upstream). [main GIL] */
RTL_HIDDEN void rtl_sub_destroy(rtl_three_t *t);

/* ---- Python allocator statistics (pymem.c) ---- */
RTL_HIDDEN void rtl_init_pymem_stats(void *st);
RTL_HIDDEN void rtl_get_pymem_stats(void *st, pymem_stats_t *stats);
RTL_HIDDEN void rtl_pymem_install(void); /* before Py_InitializeFromConfig, when requested */

/* ---- built-in modules (builtins/) ---- */
/* Appends the seven modules to the inittab, in the spec's order. Returns 0 on success. */
RTL_HIDDEN int rtl_builtins_register(void);

#endif /* RTL_THREE_H */
