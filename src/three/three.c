/*
 * three.c: the backend's lifecycle: its exported entry point, instance creation and teardown,
 * and init (API.md §5.3, §6, §12.2).
 *
 * Init is written as one straight sequence with two failure exits, because the rule that matters
 * most is about the GIL: Py_InitializeFromConfig leaves the calling thread holding it, even when
 * it fails half-way, and upstream could return from such a failure with the GIL still held (the
 * Agent's next ensure_gil then deadlocks). Here every exit after the interpreter may exist goes
 * through PyEval_SaveThread, and the handle records whether init succeeded, so that every later
 * call that needs Python fails fast with "rtloader is not initialized" instead of touching a
 * broken interpreter. A process gets one init attempt: CPython cannot be re-initialised after a
 * failure, and Py_Finalize is deliberately never called (see rtl_destroy).
 */
#include <stdio.h>
#include <string.h>

#include "convert.h"
#include "pycompat.h"
#include "rtl_size.h"
#include "three.h"

#ifndef RTL_PYTHON_VERSION
#    error "RTL_PYTHON_VERSION must be defined by the build"
#endif
#ifndef RTL_PYTHON_HOME
#    error "RTL_PYTHON_HOME must be defined by the build"
#endif

RTL_HIDDEN struct rtl_callbacks rtl_cb;

/* Process-wide: set by the first init attempt, successful or not. */
static int rtl_init_attempted;

RTL_HIDDEN void rtl_cgo_free(void *ptr)
{
    cb_cgo_free_t f = rtl_cb.cgo_free;
    if (f != NULL && ptr != NULL)
        f(ptr);
}

RTL_HIDDEN void rtl_log(int level, const char *msg)
{
    cb_log_t f = rtl_cb.log;
    if (f != NULL && msg != NULL)
        f((char *)msg, level);
}

RTL_HIDDEN int rtl_ready(rtl_three_t *t)
{
    if (t->state == RTL_INIT_OK)
        return 1;
    rtl_set_error(t, RTL_ERR_NOT_INITIALIZED);
    return 0;
}

static void *rtl_create(const char *home, const char *exe, rtloader_malloc_t m, rtloader_free_t f)
{
    rtl_three_t *t;
    rtl_mem_set(m, f);
    t = rtl_malloc(sizeof(*t));
    if (t == NULL)
        return NULL;
    memset(t, 0, sizeof(*t));
    pthread_mutex_init(&t->error_lock, NULL);
    t->home = rtl_strdup((home != NULL && home[0] != '\0') ? home : RTL_PYTHON_HOME);
    if (exe != NULL && exe[0] != '\0')
        t->exe = rtl_strdup(exe);
    if (t->home == NULL || (exe != NULL && exe[0] != '\0' && t->exe == NULL)) {
        pthread_mutex_destroy(&t->error_lock);
        rtl_free(t->home);
        rtl_free(t->exe);
        rtl_free(t);
        return NULL;
    }
    return t;
}

static void rtl_destroy(void *st)
{
    rtl_three_t *t = st;
    size_t i;
    if (t == NULL)
        return;
    if (t->state == RTL_INIT_OK) {
        /* Take the GIL for good on this thread (unless it holds it already), then drop our
         * reference. No Py_Finalize: finalising from another OS thread than the one that
         * initialised makes `threading` log KeyErrors, and the host exits right after. */
        if (!rtl_thread_attached())
            PyEval_RestoreThread(t->main_ts);
        rtl_gil_shutdown(); /* only now: a thread exiting with the GIL must still release it */
        Py_CLEAR(t->base_class);
    }
    rtl_sub_destroy(t); /* after the GIL is back, when init ran */
    for (i = 0; i < t->npaths; i++)
        rtl_free(t->paths[i]);
    rtl_free(t->paths);
    rtl_free(t->home);
    rtl_free(t->exe);
    rtl_clear_error(t); /* the stored message has error.c's own allocator */
    pthread_mutex_destroy(&t->error_lock);
    rtl_free(t);
}

static int rtl_add_python_path(void *st, const char *path)
{
    rtl_three_t *t = st;
    size_t i;
    char *copy;
    for (i = 0; i < t->npaths; i++)
        if (strcmp(t->paths[i], path) == 0)
            return 0; /* duplicate: no error (API.md §3.3) */
    /* After init the live sys.path is not changed (API.md §3.3) and no later init will ever apply
     * a recorded path, so nothing is kept: a copy would only sit in the handle until destroy
     * (issue 11 item 11). The call is accepted, as upstream's is. */
    if (t->state == RTL_INIT_OK)
        return 1;
    if (t->npaths == t->cappaths) {
        size_t cap = t->cappaths ? t->cappaths * 2 : 8, bytes;
        char **grown;
        if (!rtl_array_size(cap, sizeof(char *), 0, &bytes) || (grown = rtl_malloc(bytes)) == NULL)
            goto lost;
        if (t->npaths)
            memcpy(grown, t->paths, t->npaths * sizeof(char *));
        rtl_free(t->paths);
        t->paths = grown;
        t->cappaths = cap;
    }
    copy = rtl_strdup(path);
    if (copy == NULL)
        goto lost;
    t->paths[t->npaths++] = copy;
    return 1;
lost:
    /* Hosts ignore this result (Go does), and an init without the path would fail later with a
     * misleading error (or load checks from elsewhere), so init refuses to run instead. */
    t->path_lost = 1;
    rtl_set_error(t, RTL_ERR_PATH_LOST);
    return 0;
}

/* Sets "<what>[: <status message>]". */
static void rtl_status_error(rtl_three_t *t, const char *what, PyStatus status)
{
    if (status.err_msg != NULL)
        rtl_set_errorf(t, "%s: %s", what, status.err_msg);
    else
        rtl_set_error(t, what);
}

/* sys.path += recorded paths (API.md §6.2 step 7). 1 on success. */
static int rtl_apply_paths(rtl_three_t *t)
{
    PyObject *path = PySys_GetObject("path"); /* borrowed */
    size_t i;
    if (path == NULL) {
        rtl_set_error(t, RTL_ERR_SYS_PATH_ACCESS);
        return 0;
    }
    for (i = 0; i < t->npaths; i++) {
        PyObject *p = PyUnicode_DecodeFSDefault(t->paths[i]); /* new reference */
        if (p == NULL) {
            rtl_set_error_py(t, RTL_ERR_SYS_PATH_SET);
            return 0;
        }
        if (PyList_Append(path, p) != 0) {
            Py_DECREF(p);
            rtl_set_error_py(t, RTL_ERR_SYS_PATH_APPEND);
            return 0;
        }
        Py_DECREF(p);
    }
    return 1;
}

/* Imports datadog_checks.checks.AgentCheck into t->base_class (step 9). 1 on success. */
static int rtl_import_base_class(rtl_three_t *t)
{
    PyObject *mod = PyImport_ImportModule("datadog_checks.checks"); /* new reference */
    if (mod == NULL) {
        rtl_set_error_py(t, RTL_ERR_BASE_CLASS);
        return 0;
    }
    t->base_class = PyObject_GetAttrString(mod, "AgentCheck"); /* new reference, kept */
    Py_DECREF(mod);
    if (t->base_class == NULL) {
        rtl_set_error_py(t, RTL_ERR_BASE_CLASS);
        return 0;
    }
    return 1;
}

static int rtl_init(void *st)
{
    rtl_three_t *t = st;
    PyPreConfig preconfig;
    PyConfig config;
    PyStatus status;

    if (rtl_init_attempted || t->state != RTL_INIT_NONE) {
        rtl_set_error(t, RTL_ERR_ALREADY_INITIALIZED);
        return 0;
    }
    rtl_init_attempted = 1;
    t->state = RTL_INIT_FAILED; /* until the last step succeeds */
    if (t->path_lost) {
        rtl_set_error(t, RTL_ERR_PATH_LOST);
        return 0;
    }

    PyPreConfig_InitPythonConfig(&preconfig);
    preconfig.utf8_mode = 1;
    status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status)) {
        rtl_status_error(t, RTL_ERR_PREINIT, status);
        goto fail_no_python;
    }

    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 1;
    /* Beyond upstream (API.md §6.2, §12.5): no user site-packages, so ~/.local/.../site-packages
     * .pth files and usercustomize never run inside an agent (often root). The README's
     * "Security" section lists what the interpreter still reads from the environment. */
    config.user_site_directory = 0;
    status = PyConfig_SetBytesString(&config, &config.home, t->home);
    if (PyStatus_Exception(status)) {
        rtl_status_error(t, RTL_ERR_SET_HOME, status);
        goto fail_config;
    }
    if (t->exe != NULL) {
        status = PyConfig_SetBytesString(&config, &config.program_name, t->exe);
        if (PyStatus_Exception(status)) {
            rtl_status_error(t, RTL_ERR_SET_PROGRAM_NAME, status);
            goto fail_config;
        }
        status = PyConfig_SetBytesString(&config, &config.executable, t->exe);
        if (PyStatus_Exception(status)) {
            rtl_status_error(t, RTL_ERR_SET_EXECUTABLE, status);
            goto fail_config;
        }
    }
    if (rtl_builtins_register() != 0) {
        rtl_set_error(t, RTL_ERR_REGISTER_BUILTINS);
        goto fail_config;
    }
    if (t->pymem_requested)
        rtl_pymem_install();

    status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        rtl_status_error(t, RTL_ERR_INITIALIZE, status);
        goto fail_no_python; /* a half-initialised interpreter may hold the GIL: released there */
    }

    if (!rtl_apply_paths(t))
        goto fail_python;
    if (rtl_init_stringutils() < 0) {
        rtl_set_error_py(t, RTL_ERR_STRINGUTILS);
        goto fail_python;
    }
    if (!rtl_import_base_class(t))
        goto fail_python;

    rtl_gil_init();
    t->main_ts = PyEval_SaveThread();
    t->state = RTL_INIT_OK;
    return 1;

fail_config:
    PyConfig_Clear(&config);
fail_no_python:
    if (rtl_tstate_unchecked() != NULL)
        t->main_ts = PyEval_SaveThread();
    return 0;
fail_python:
    PyErr_Clear();
    t->main_ts = PyEval_SaveThread();
    return 0;
}

/* Designated initializers: an entry can never land in another operation's slot, and a new
 * operation is one line wherever it sits here (its place in the struct is at the end). */
static const rtl_backend_t rtl_three_table = {
    .abi = RTL_BACKEND_ABI,
    .size = sizeof(rtl_backend_t),
    .python_version = RTL_PYTHON_VERSION,
    .python_home = RTL_PYTHON_HOME,
    .callbacks = &rtl_cb,
    .create = rtl_create,
    .destroy = rtl_destroy,
    .init = rtl_init,
    .add_python_path = rtl_add_python_path,
    .has_error = rtl_has_error,
    .get_error = rtl_get_error,
    .clear_error = rtl_clear_error,
    .ensure_gil = rtl_ensure_gil,
    .release_gil = rtl_release_gil,
    .get_class = rtl_get_class,
    .get_attr_string = rtl_get_attr_string,
    .get_attr_bool = rtl_get_attr_bool,
    .get_check = rtl_get_check,
    .run_check = rtl_run_check,
    .cancel_check = rtl_cancel_check,
    .get_checks_warnings = rtl_get_checks_warnings,
    .get_check_diagnoses = rtl_get_check_diagnoses,
    .incref = rtl_incref,
    .decref = rtl_decref,
    .set_module_attr_string = rtl_set_module_attr_string,
    .get_none = rtl_get_none,
    .get_py_info = rtl_get_py_info,
    .run_simple_string = rtl_run_simple_string,
    .get_integration_list = rtl_get_integration_list,
    .get_interpreter_memory_usage = rtl_get_interpreter_memory_usage,
    .init_pymem_stats = rtl_init_pymem_stats,
    .get_pymem_stats = rtl_get_pymem_stats,
    .enable_subinterpreters = rtl_enable_subinterpreters,
    .set_subinterpreter_blocklist = rtl_set_subinterpreter_blocklist,
    .check_is_isolated = rtl_check_is_isolated,
    .has_subinterpreter_support = rtl_has_subinterpreter_support,
};

/* The backend's only exported symbol (its name is RTL_BACKEND_ENTRY_NAME). */
__attribute__((visibility("default"))) const rtl_backend_t *RTL_BACKEND_ENTRY(void)
{
    return &rtl_three_table;
}
