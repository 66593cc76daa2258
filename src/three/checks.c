/*
 * checks.c: the check lifecycle (API.md §7.1-§7.8): finding the check class, reading module and
 * class attributes, instantiating a check, and calling run/cancel/get_warnings/get_diagnoses.
 *
 * Every function here requires the GIL and a successfully initialised handle (rtl_ready); each
 * has a single exit that releases what it holds, and leaves the Python error indicator clear:
 * a pending Python error is turned into the handle's error text (rtl_set_error_py), never left
 * for the next caller to trip over.
 */
#include <string.h>

#include "rtl_size.h"
#include "state.h"
#include "three.h"

/* ---- get_class ---------------------------------------------------------------------------- */

/* The first leaf subclass of base in `module`, by dir() order (alphabetical); new reference, or
 * NULL with *err set to an rt-owned message. */
RTL_HIDDEN PyObject *rtl_find_subclass(PyObject *base, PyObject *module, char **err)
{
    PyObject *names = NULL, *found = NULL;
    Py_ssize_t i, n;

    *err = NULL;
    if (base == NULL || !PyType_Check(base)) {
        *err = rtl_strdup("base class is not of type 'Class'");
        return NULL;
    }
    if (!PyModule_Check(module)) {
        *err = rtl_strdup("module is not of type 'Module'");
        return NULL;
    }
    names = PyObject_Dir(module); /* new reference: a sorted list */
    if (names == NULL || !PyList_Check(names)) {
        PyErr_Clear();
        *err = rtl_strdup("there was an error calling dir() on module object");
        goto done;
    }
    n = PyList_GET_SIZE(names);
    for (i = 0; i < n; i++) {
        PyObject *name = PyList_GetItem(names, i); /* borrowed */
        PyObject *obj, *subs;
        int is_base, leaf;
        if (name == NULL) {
            PyErr_Clear();
            *err = rtl_strdup("there was an error browsing dir() output");
            goto done;
        }
        if (!PyUnicode_Check(name))
            continue;
        obj = PyObject_GetAttr(module, name); /* new reference */
        if (obj == NULL) {
            PyErr_Clear();
            continue;
        }
        if (!PyType_Check(obj) || !PyType_IsSubtype((PyTypeObject *)obj, (PyTypeObject *)base)) {
            Py_DECREF(obj);
            continue;
        }
        is_base = PyObject_RichCompareBool(obj, base, Py_EQ);
        if (is_base != 0) { /* the base itself, or the comparison raised */
            PyErr_Clear();
            Py_DECREF(obj);
            continue;
        }
        subs = PyObject_CallMethod(obj, "__subclasses__", NULL); /* new reference */
        leaf = subs != NULL && PyList_Check(subs) && PyList_GET_SIZE(subs) == 0;
        Py_XDECREF(subs);
        PyErr_Clear();
        if (!leaf) {
            Py_DECREF(obj);
            continue;
        }
        found = obj; /* ownership moves to the caller */
        break;
    }
    if (found == NULL && *err == NULL)
        *err = rtl_strdup("cannot find a subclass");
done:
    Py_XDECREF(names);
    return found;
}

RTL_HIDDEN int rtl_get_class(void *st, const char *name, rtloader_pyobject_t **py_module,
                             rtloader_pyobject_t **py_class)
{
    rtl_three_t *t = st;
    PyObject *module, *klass;
    char *err = NULL;

    if (!rtl_ready(t))
        return 0;
    if (name == NULL) {
        rtl_set_error(t, RTL_ERR_MODULE_NAME_NULL);
        return 0;
    }
    module = PyImport_ImportModule(name); /* new reference */
    if (module == NULL) {
        char *pyerr = rtl_fetch_pyerr();
        rtl_set_errorf(t, RTL_ERR_MODULE_IMPORT_F, name, pyerr ? pyerr : "");
        rtl_free(pyerr);
        return 0;
    }
    klass = rtl_find_subclass(t->base_class, module, &err);
    if (klass == NULL) {
        rtl_set_errorf(t, RTL_ERR_NO_SUBCLASS_F, name, err ? err : "");
        rtl_free(err);
        Py_DECREF(module);
        return 0;
    }
    if (py_module == NULL || py_class == NULL) {
        /* Never write through a NULL out-pointer (API.md §11 item 2). */
        rtl_set_error(t, RTL_ERR_GET_CLASS_NULL);
        Py_DECREF(klass);
        Py_DECREF(module);
        return 0;
    }
    *py_module = (rtloader_pyobject_t *)module;
    *py_class = (rtloader_pyobject_t *)klass;
    return 1;
}

/* ---- attributes --------------------------------------------------------------------------- */

RTL_HIDDEN int rtl_get_attr_string(void *st, rtloader_pyobject_t *obj, const char *attr, char **value)
{
    rtl_three_t *t = st;
    rtl_sub_switch_t sw;
    PyObject *a;
    const char *utf8;
    int ok = 0;

    if (!rtl_ready(t) || obj == NULL || attr == NULL || value == NULL)
        return 0;
    if (rtl_sub_enter(t, &sw, obj) < 0) /* an isolated check: into its interpreter */
        return 0;
    a = PyObject_GetAttrString(PY(obj), attr); /* new reference */
    if (a == NULL) {
        PyErr_Clear(); /* missing: no rtloader error (API.md §3.3) */
        rtl_sub_leave(&sw);
        return 0;
    }
    if (!PyUnicode_Check(a)) {
        rtl_set_errorf(t, RTL_ERR_ATTR_NOT_UNICODE_F, attr);
        goto done;
    }
    utf8 = PyUnicode_AsUTF8(a); /* borrowed buffer of `a` */
    if (utf8 == NULL) {
        PyErr_Clear();
        rtl_set_errorf(t, RTL_ERR_ATTR_CONVERT_F, attr);
        goto done;
    }
    if ((*value = rtl_strdup(utf8)) == NULL) {
        rtl_set_errorf(t, RTL_ERR_ATTR_MEMORY_F, attr);
        goto done;
    }
    ok = 1;
done:
    Py_DECREF(a);
    rtl_sub_leave(&sw);
    return ok;
}

RTL_HIDDEN int rtl_get_attr_bool(void *st, rtloader_pyobject_t *obj, const char *attr, bool *value)
{
    rtl_three_t *t = st;
    rtl_sub_switch_t sw;
    PyObject *a;
    int ok = 0;

    if (!rtl_ready(t) || obj == NULL || attr == NULL || value == NULL)
        return 0;
    if (rtl_sub_enter(t, &sw, obj) < 0)
        return 0;
    a = PyObject_GetAttrString(PY(obj), attr); /* new reference */
    if (a == NULL) {
        PyErr_Clear();
        rtl_set_errorf(t, RTL_ERR_ATTR_MISSING_F, attr);
        rtl_sub_leave(&sw);
        return 0;
    }
    if (!PyBool_Check(a)) {
        rtl_set_errorf(t, RTL_ERR_ATTR_NOT_BOOL_F, attr);
    } else {
        *value = (a == Py_True);
        ok = 1;
    }
    Py_DECREF(a);
    rtl_sub_leave(&sw);
    return ok;
}

/* ---- get_check ---------------------------------------------------------------------------- */

/* klass.load_config(text) as a new reference, or NULL with a Python error set. */
static PyObject *rtl_load_config(PyObject *klass, const char *text)
{
    return PyObject_CallMethod(klass, "load_config", "s", text ? text : "");
}

/* Sets obj.<attr> = str(value) when value is non-empty; 1 on success. */
static int rtl_set_str_attr(rtl_three_t *t, PyObject *obj, const char *attr, const char *value)
{
    PyObject *s;
    if (value == NULL || value[0] == '\0')
        return 1;
    s = PyUnicode_FromString(value); /* new reference */
    if (s == NULL) {
        PyErr_Clear();
        rtl_set_errorf(t, RTL_ERR_SET_ATTR_F, attr, value);
        return 0;
    }
    if (PyObject_SetAttrString(obj, attr, s) != 0) {
        char *pyerr = rtl_fetch_pyerr();
        rtl_set_errorf(t, RTL_ERR_SET_ATTR_PY_F, attr, pyerr ? pyerr : "");
        rtl_free(pyerr);
        Py_DECREF(s);
        return 0;
    }
    Py_DECREF(s);
    return 1;
}

RTL_HIDDEN int rtl_get_check(void *st, rtloader_pyobject_t *py_class, const char *init_config, const char *instance,
                             const char *agent_config, int deprecated, const char *check_id, const char *check_name,
                             const char *provider, rtloader_pyobject_t **check)
{
    rtl_three_t *t = st;
    int ok;

    if (!rtl_ready(t))
        return 0;
    if (py_class == NULL || check == NULL) {
        rtl_set_error(t, RTL_ERR_GET_CHECK_NULL);
        return 0;
    }
    /* With sub-interpreters on, in an interpreter of its own when it can (API.md §13.2) */
    ok = rtl_sub_get_check(t, PY(py_class), init_config, instance, agent_config, deprecated, check_id, check_name,
                           provider, check);
    if (ok >= 0)
        return ok;
    return rtl_check_new(t, PY(py_class), init_config, instance, agent_config, deprecated, check_id, check_name,
                         provider, check);
}

RTL_HIDDEN int rtl_check_new(rtl_three_t *t, PyObject *klass, const char *init_config, const char *instance,
                             const char *agent_config, int deprecated, const char *check_id, const char *check_name,
                             const char *provider, rtloader_pyobject_t **check)
{
    PyObject *init_dict = NULL, *inst = NULL, *instances = NULL, *args = NULL, *kwargs = NULL, *name = NULL;
    PyObject *agent = NULL, *obj = NULL;
    int ok = 0;

    /* 1. init_config */
    init_dict = rtl_load_config(klass, init_config);
    if (init_dict == NULL) {
        rtl_set_error_py(t, RTL_ERR_INIT_CONFIG_PARSE);
        goto done;
    }
    if (init_dict == Py_None) {
        Py_DECREF(init_dict);
        init_dict = PyDict_New();
        if (init_dict == NULL) {
            rtl_set_error_py(t, RTL_ERR_INIT_CONFIG_EMPTY);
            goto done;
        }
    } else if (!PyDict_Check(init_dict)) {
        rtl_set_error(t, RTL_ERR_INIT_CONFIG_NOT_DICT);
        goto done;
    }
    /* 2. instance (None is not accepted) */
    inst = rtl_load_config(klass, instance);
    if (inst == NULL) {
        rtl_set_error_py(t, RTL_ERR_INSTANCE_PARSE);
        goto done;
    }
    if (!PyDict_Check(inst)) {
        rtl_set_error(t, RTL_ERR_INSTANCE_NOT_DICT);
        goto done;
    }
    /* 3. instances = (inst,) */
    instances = PyTuple_New(1);
    if (instances == NULL) {
        rtl_set_error_py(t, RTL_ERR_INSTANCES_TUPLE);
        goto done;
    }
    Py_INCREF(inst);
    if (PyTuple_SetItem(instances, 0, inst) != 0) { /* steals the reference just taken */
        rtl_set_error_py(t, RTL_ERR_INSTANCES_ITEM);
        goto done;
    }
    /* 4. arguments */
    args = PyTuple_New(0);
    if (args == NULL) {
        rtl_set_error_py(t, RTL_ERR_ARGS_TUPLE);
        goto done;
    }
    kwargs = PyDict_New();
    if (kwargs == NULL) {
        rtl_set_error_py(t, RTL_ERR_KWARGS_DICT);
        goto done;
    }
    name = check_name ? PyUnicode_FromString(check_name) : NULL;
    if (name == NULL) {
        rtl_set_error_py(t, RTL_ERR_NAME_INIT);
        goto done;
    }
    if (PyDict_SetItemString(kwargs, "name", name) != 0) {
        rtl_set_error_py(t, RTL_ERR_NAME_KEY);
        goto done;
    }
    if (PyDict_SetItemString(kwargs, "init_config", init_dict) != 0) {
        rtl_set_error_py(t, RTL_ERR_INIT_CONFIG_KEY);
        goto done;
    }
    if (PyDict_SetItemString(kwargs, "instances", instances) != 0) {
        rtl_set_error_py(t, RTL_ERR_INSTANCES_KEY);
        goto done;
    }
    /* 5. agentConfig (deprecated constructor) */
    if (deprecated && agent_config != NULL) {
        agent = rtl_load_config(klass, agent_config);
        if (agent == NULL) {
            rtl_set_error_py(t, RTL_ERR_AGENT_CONFIG_PARSE);
            goto done;
        }
        if (!PyDict_Check(agent)) {
            rtl_set_error(t, RTL_ERR_AGENT_CONFIG_NOT_DICT);
            goto done;
        }
        if (PyDict_SetItemString(kwargs, "agentConfig", agent) != 0) {
            rtl_set_error_py(t, RTL_ERR_AGENT_CONFIG_KEY);
            goto done;
        }
    }
    /* 6. construct: the error is the bare formatted Python error */
    obj = PyObject_Call(klass, args, kwargs); /* new reference */
    if (obj == NULL) {
        rtl_set_error_py(t, "");
        goto done;
    }
    /* 7, 8. check_id and provider */
    if (!rtl_set_str_attr(t, obj, "check_id", check_id) || !rtl_set_str_attr(t, obj, "provider", provider)) {
        Py_CLEAR(obj);
        goto done;
    }
    *check = (rtloader_pyobject_t *)obj;
    ok = 1;
done:
    Py_XDECREF(init_dict);
    Py_XDECREF(inst);
    Py_XDECREF(instances);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    Py_XDECREF(name);
    Py_XDECREF(agent);
    PyErr_Clear();
    return ok;
}

/* ---- run / cancel / warnings / diagnoses --------------------------------------------------- */

/* check.<name>() with the method name interned once per interpreter and kept in its state
 * (rtl_name, builtins/state.c): the hot path (run_check on every check run) then builds neither a
 * name string nor a bound method per call. Returns a new reference, or NULL with a Python error
 * set. */
static PyObject *rtl_call_method(PyObject *obj, rtl_name_id_t which)
{
    PyObject *name = rtl_name(which); /* borrowed, the current interpreter's */

    return name != NULL ? PyObject_CallMethodObjArgs(obj, name, NULL) : NULL;
}

RTL_HIDDEN char *rtl_run_check(void *st, rtloader_pyobject_t *check)
{
    rtl_three_t *t = st;
    rtl_sub_switch_t sw;
    PyObject *res;
    char *out = NULL;
    const char *utf8;
    Py_ssize_t n;

    if (!rtl_ready(t) || check == NULL)
        return NULL;
    /* An isolated check runs in its own interpreter, the main GIL released meanwhile (§13.2) */
    if (rtl_sub_enter(t, &sw, check) < 0)
        return NULL;
    res = rtl_call_method(PY(check), RTL_NAME_RUN); /* new reference */
    if (res == NULL || !PyUnicode_Check(res)) {
        rtl_set_error_py(t, RTL_ERR_RUN_INVOKE);
        goto done;
    }
    utf8 = PyUnicode_AsUTF8AndSize(res, &n); /* borrowed buffer of `res` */
    if (utf8 == NULL) {
        PyErr_Clear();
        rtl_set_error(t, RTL_ERR_RUN_CONVERT);
    } else if ((out = rtl_strndup(utf8, (size_t)n)) == NULL) {
        rtl_set_error(t, RTL_ERR_RUN_MEMORY);
    }
done:
    Py_XDECREF(res);
    rtl_sub_leave(&sw);
    return out;
}

RTL_HIDDEN void rtl_cancel_check(void *st, rtloader_pyobject_t *check)
{
    rtl_three_t *t = st;
    rtl_sub_switch_t sw;
    PyObject *res;
    if (!rtl_ready(t) || check == NULL || rtl_sub_enter(t, &sw, check) < 0)
        return;
    res = rtl_call_method(PY(check), RTL_NAME_CANCEL); /* new reference, ignored */
    if (res == NULL)
        rtl_set_error_py(t, RTL_ERR_CANCEL_INVOKE);
    Py_XDECREF(res);
    rtl_sub_leave(&sw);
}

RTL_HIDDEN char **rtl_get_checks_warnings(void *st, rtloader_pyobject_t *check)
{
    rtl_three_t *t = st;
    rtl_sub_switch_t sw;
    PyObject *list;
    Py_ssize_t n, i, k = 0;
    size_t bytes;
    char **out = NULL;

    if (!rtl_ready(t) || check == NULL || rtl_sub_enter(t, &sw, check) < 0)
        return NULL;
    list = rtl_call_method(PY(check), RTL_NAME_GET_WARNINGS); /* new reference */
    if (list == NULL) {
        rtl_set_error_py(t, RTL_ERR_WARNINGS_INVOKE);
        rtl_sub_leave(&sw);
        return NULL;
    }
    n = PyObject_Length(list); /* the sequence's own __len__: any value up to PY_SSIZE_T_MAX */
    if (n < 0) {
        rtl_set_error_py(t, RTL_ERR_WARNINGS_LEN);
        goto done;
    }
    /* n + 1 pointers: a claimed length of 2**61 would wrap (issue 11 item 1). */
    if (!rtl_array_size((size_t)n, sizeof(char *), sizeof(char *), &bytes)) {
        rtl_set_error(t, RTL_ERR_WARNINGS_TOO_LARGE);
        goto done;
    }
    out = rtl_malloc(bytes);
    if (out == NULL) {
        rtl_set_error(t, RTL_ERR_WARNINGS_MEMORY);
        goto done;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_GetItem(list, i); /* new reference */
        const char *utf8;
        if (item == NULL) {
            rtl_set_error_py(t, RTL_ERR_WARNINGS_ITEM);
            goto fail;
        }
        /* Non-str or unencodable items are skipped; the array stays compact (§11 item 4). A
         * copy that cannot be allocated fails the call like the array would: dropping a
         * warning silently would hide the shortage. */
        if (PyUnicode_Check(item) && (utf8 = PyUnicode_AsUTF8(item)) != NULL) {
            if ((out[k] = rtl_strdup(utf8)) == NULL) {
                Py_DECREF(item);
                rtl_set_error(t, RTL_ERR_WARNINGS_MEMORY);
                goto fail;
            }
            k++;
        }
        PyErr_Clear();
        Py_DECREF(item);
    }
    out[k] = NULL;
    goto done;
fail:
    while (k > 0)
        rtl_free(out[--k]);
    rtl_free(out);
    out = NULL;
done:
    Py_DECREF(list);
    rtl_sub_leave(&sw);
    return out;
}

/* The synthesised diagnosis of API.md §7.8, with `msg` escaped byte by byte. */
static char *rtl_diagnosis_error(const char *msg)
{
    static const char head[] = "[{\"result\":3, \"diagnosis\": \"" RTL_ERR_DIAGNOSES_FAILED "\", "
                               "\"rawerror\": \"";
    static const char tail[] = "\"}]";
    size_t len = strlen(msg), i, bytes;
    char *out, *p;
    /* At most 6 bytes per input byte (\u00xx); head and tail each count their NUL once. */
    if (!rtl_array_size(len, 6, sizeof(head) + sizeof(tail), &bytes) || (out = rtl_malloc(bytes)) == NULL)
        return NULL;
    memcpy(out, head, sizeof(head) - 1);
    p = out + sizeof(head) - 1;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)msg[i];
        /* One escape per line, as the table of API.md §7.8. */
        /* clang-format off */
        switch (c) {
        case '"': *p++ = '\\'; *p++ = '"'; break;
        case '\\': *p++ = '\\'; *p++ = '\\'; break;
        case '\b': *p++ = '\\'; *p++ = 'b'; break;
        case '\f': *p++ = '\\'; *p++ = 'f'; break;
        case '\n': *p++ = '\\'; *p++ = 'n'; break;
        case '\r': *p++ = '\\'; *p++ = 'r'; break;
        case '\t': *p++ = '\\'; *p++ = 't'; break;
        default:
            if (c < 0x20) {
                static const char hex[] = "0123456789abcdef";
                *p++ = '\\'; *p++ = 'u'; *p++ = '0'; *p++ = '0';
                *p++ = hex[c >> 4]; *p++ = hex[c & 0xf];
            } else {
                *p++ = (char)c;
            }
        }
        /* clang-format on */
    }
    memcpy(p, tail, sizeof(tail)); /* includes the NUL */
    return out;
}

RTL_HIDDEN char *rtl_get_check_diagnoses(void *st, rtloader_pyobject_t *check)
{
    rtl_three_t *t = st;
    rtl_sub_switch_t sw;
    PyObject *res;
    char *out = NULL, *err = NULL;
    const char *utf8;
    Py_ssize_t n;

    if (!rtl_ready(t) || check == NULL || rtl_sub_enter(t, &sw, check) < 0)
        return NULL;
    res = rtl_call_method(PY(check), RTL_NAME_GET_DIAGNOSES); /* new reference */
    if (res == NULL || !PyUnicode_Check(res)) {
        err = rtl_fetch_pyerr(); /* "" for a non-str result: nothing is pending */
        out = rtl_diagnosis_error(err ? err : "");
        goto done;
    }
    utf8 = PyUnicode_AsUTF8AndSize(res, &n); /* borrowed buffer of `res` */
    if (utf8 == NULL) {
        PyErr_Clear();
        out = rtl_diagnosis_error(RTL_ERR_DIAGNOSES_CONVERT);
        goto done;
    }
    out = rtl_strndup(utf8, (size_t)n);
    if (out == NULL) /* still a diagnosis, if memory allows; else NULL with an error */
        out = rtl_diagnosis_error(RTL_ERR_DIAGNOSES_RESULT_MEMORY);
done:
    if (out == NULL)
        rtl_set_error(t, RTL_ERR_DIAGNOSES_MEMORY);
    rtl_free(err);
    Py_XDECREF(res);
    rtl_sub_leave(&sw);
    return out;
}
