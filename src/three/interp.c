/*
 * interp.c: interpreter helpers of the API that are not about checks (API.md §3.3-§3.6, §7.9,
 * §7.10): references, module attributes, None, py_info, run_simple_string, the integration list
 * and the interpreter's memory report.
 *
 * get_integration_list and get_interpreter_memory_usage take the GIL themselves; they do it
 * through rtl_ensure_gil, so a thread keeps its persistent state there too.
 */
#include <string.h>

#include "convert.h"
#include "pycompat.h"
#include "three.h"

RTL_HIDDEN void rtl_incref(void *st, rtloader_pyobject_t *obj)
{
    if (((rtl_three_t *)st)->state == RTL_INIT_OK && !rtl_sub_incref(obj))
        Py_XINCREF(PY(obj));
}

/* An isolated check's references are counted by its interpreter record (subinterp.c). */
RTL_HIDDEN void rtl_decref(void *st, rtloader_pyobject_t *obj)
{
    if (((rtl_three_t *)st)->state == RTL_INIT_OK && !rtl_sub_decref(obj))
        Py_XDECREF(PY(obj));
}

RTL_HIDDEN rtloader_pyobject_t *rtl_get_none(const void *st)
{
    (void)st;
    return (rtloader_pyobject_t *)Py_None; /* borrowed: a static object, no Python call */
}

RTL_HIDDEN void rtl_set_module_attr_string(void *st, const char *module, const char *attr, const char *value)
{
    rtl_three_t *t = st;
    PyObject *mod, *val;

    if (!rtl_ready(t))
        return;
    if (module == NULL || attr == NULL || value == NULL) {
        rtl_set_error(t, RTL_ERR_MODULE_ATTR_NULL);
        return;
    }
    mod = PyImport_ImportModule(module); /* new reference */
    if (mod == NULL) {
        char *pyerr = rtl_fetch_pyerr();
        rtl_set_errorf(t, RTL_ERR_MODULE_ATTR_IMPORT_F, module, pyerr ? pyerr : "");
        rtl_free(pyerr);
        return;
    }
    val = PyUnicode_FromString(value); /* new reference */
    if (val == NULL || PyObject_SetAttrString(mod, attr, val) != 0) {
        char *pyerr = rtl_fetch_pyerr();
        rtl_set_errorf(t, RTL_ERR_MODULE_ATTR_SET_F, module, attr, pyerr ? pyerr : "");
        rtl_free(pyerr);
    } else {
        rtl_sub_record_attr(t, module, attr, val); /* re-applied in every later sub-interpreter */
    }
    Py_XDECREF(val);
    Py_DECREF(mod);
}

RTL_HIDDEN py_info_t *rtl_get_py_info(void *st)
{
    rtl_three_t *t = st;
    py_info_t *info;
    PyObject *sys = NULL, *path = NULL, *repr = NULL;
    const char *utf8;

    if (!rtl_ready(t))
        return NULL;
    info = rtl_malloc(sizeof(*info));
    if (info == NULL) {
        rtl_set_error(t, RTL_ERR_PY_INFO_MEMORY);
        return NULL;
    }
    info->version = Py_GetVersion(); /* static string owned by Python */
    info->path = NULL;
    sys = PyImport_ImportModule("sys"); /* new reference */
    if (sys == NULL) {
        rtl_set_error_py(t, RTL_ERR_PY_INFO_SYS);
        goto done;
    }
    path = PyObject_GetAttrString(sys, "path"); /* new reference */
    if (path == NULL) {
        rtl_set_error_py(t, RTL_ERR_PY_INFO_PATH);
        goto done;
    }
    repr = PyObject_Repr(path); /* new reference */
    if (repr == NULL || (utf8 = PyUnicode_AsUTF8(repr)) == NULL) {
        rtl_set_error_py(t, RTL_ERR_PY_INFO_PATH_REPR);
        goto done;
    }
    if ((info->path = rtl_strdup(utf8)) == NULL)
        rtl_set_error(t, RTL_ERR_PY_INFO_PATH_MEMORY);
done:
    Py_XDECREF(sys);
    Py_XDECREF(path);
    Py_XDECREF(repr);
    return info;
}

/* Prints the pending exception to sys.stderr (PyErr_Display: the default hook's output) and
 * clears it. Not PyErr_Print: it ends the process for SystemExit (handle_system_exit), and also
 * when sys.excepthook, which it calls, raises SystemExit; a check or a host snippet must never end
 * the agent (API.md §12.5; issue 11 item 4). So sys.excepthook is not called, and sys.last_* are
 * not set. This is the backend's only place that prints an exception. */
static void rtl_print_pyerr(void)
{
    PyObject *type, *value, *tb;

    rtl_err_fetch(&type, &value, &tb); /* owned references; the indicator is now clear */
    if (type != NULL)
        PyErr_Display(type, value, tb);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear(); /* in case printing itself failed */
}

/* PyRun_SimpleString without its PyErr_Print: the same run in __main__'s namespace, but an
 * uncaught exception is printed by rtl_print_pyerr. */
RTL_HIDDEN int rtl_run_simple_string(const void *st, const char *code)
{
    PyObject *main, *globals, *res;

    if (!rtl_ready((rtl_three_t *)(uintptr_t)st))
        return 0;
    main = PyImport_AddModule("__main__"); /* borrowed */
    if (main == NULL) {
        rtl_print_pyerr();
        return 0;
    }
    globals = PyModule_GetDict(main);                                     /* borrowed */
    res = PyRun_StringFlags(code, Py_file_input, globals, globals, NULL); /* new reference */
    if (res == NULL) {
        if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
            /* API.md §12.5: SystemExit never ends the host; it is printed like any uncaught
             * exception and, beyond upstream (which exited), also stored as the error. Other
             * exceptions keep upstream's rule of §2.2: printed, no error stored. */
            PyObject *type, *value, *tb;
            rtl_err_fetch(&type, &value, &tb); /* owned references */
            if (type != NULL)
                PyErr_Display(type, value, tb);
            PyErr_Clear();                  /* in case printing itself failed */
            PyErr_Restore(type, value, tb); /* steals all three */
            rtl_set_error_py((rtl_three_t *)(uintptr_t)st, "");
        } else {
            rtl_print_pyerr();
        }
        return 0;
    }
    Py_DECREF(res);
    return 1;
}

/* Calls <module>.<func>() and returns json.dumps of its result, which must pass `check`; the
 * error texts are the caller's (API.md §7.9, §7.10). GIL taken and released here. */
struct rtl_json_call {
    const char *module, *func;
    int (*check)(PyObject *);
    const char *err_import, *err_attr, *err_call, *err_type, *err_json;
};

static int rtl_is_list(PyObject *o)
{
    return PyList_Check(o);
}

static int rtl_is_dict(PyObject *o)
{
    return PyDict_Check(o);
}

static char *rtl_call_to_json(rtl_three_t *t, const struct rtl_json_call *c)
{
    rtloader_gilstate_t gs;
    PyObject *mod = NULL, *fn = NULL, *res = NULL;
    char *out = NULL;

    if (!rtl_ready(t))
        return NULL;
    gs = rtl_ensure_gil(t);
    mod = PyImport_ImportModule(c->module); /* new reference */
    if (mod == NULL) {
        rtl_set_error_py(t, c->err_import);
        goto done;
    }
    fn = PyObject_GetAttrString(mod, c->func); /* new reference */
    if (fn == NULL) {
        rtl_set_error_py(t, c->err_attr);
        goto done;
    }
    res = PyObject_CallObject(fn, NULL); /* new reference */
    if (res == NULL) {
        rtl_set_error_py(t, c->err_call);
        goto done;
    }
    if (!c->check(res)) {
        rtl_set_error(t, c->err_type);
        goto done;
    }
    out = rtl_as_json(res);
    if (out == NULL)
        rtl_set_error_py(t, c->err_json);
done:
    Py_XDECREF(mod);
    Py_XDECREF(fn);
    Py_XDECREF(res);
    PyErr_Clear();
    rtl_release_gil(t, gs);
    return out;
}

RTL_HIDDEN char *rtl_get_integration_list(void *st)
{
    static const struct rtl_json_call c = {
        "datadog_checks.base.utils.agent.packages",
        "get_datadog_wheels",
        rtl_is_list,
        RTL_ERR_WHEELS_IMPORT,
        RTL_ERR_WHEELS_ATTR,
        RTL_ERR_WHEELS_CALL,
        RTL_ERR_WHEELS_NOT_LIST,
        RTL_ERR_WHEELS_JSON,
    };
    return rtl_call_to_json(st, &c);
}

RTL_HIDDEN char *rtl_get_interpreter_memory_usage(void *st)
{
    static const struct rtl_json_call c = {
        "utils.py_mem",   "get_mem_stats",  rtl_is_dict,          RTL_ERR_MEM_IMPORT,
        RTL_ERR_MEM_ATTR, RTL_ERR_MEM_CALL, RTL_ERR_MEM_NOT_DICT, RTL_ERR_MEM_JSON,
    };
    return rtl_call_to_json(st, &c);
}
