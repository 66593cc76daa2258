/*
 * util_private.c: the `_util` module (BUILTINS.md §5): run a command through the host and return
 * (stdout, stderr, returncode). `subprocess_output` and `get_subprocess_output` are one function;
 * its messages always say get_subprocess_output.
 *
 * The callback blocks on a child process, so the GIL is released around it (§1.5). argv lends
 * the command items' own buffers through rtl_strv_t, which holds a strong reference to every
 * item: another thread may change the command list while the GIL is released, but it cannot free
 * the strings the host is reading. The environment entries are built ("KEY=VALUE"), so each is an
 * rtl_malloc copy.
 *
 * After the callback the checks run in upstream's order: empty output when asked to raise (a NULL
 * stdout counts as empty, §12.3), then the host's exception, then the result tuple. stdout,
 * stderr and the exception text are released with rtl_cgo_free on every path, and a string that
 * is not valid UTF-8 raises UnicodeDecodeError without a partial tuple (§12.4).
 */
#include "builtins.h"
#include "convert.h"
#include "pycompat.h"
#include "rtl_errors.h"
#include "rtl_size.h"

#include <string.h>

#define RTL_ERR_CMD_NOT_LIST "command args is not a list"
#define RTL_ERR_CMD_EMPTY "invalid command: empty list"
#define RTL_ERR_CMD_BAD_ARG "command argument must be valid strings"
#define RTL_ERR_ENV_NOT_DICT "env is not a dict"
#define RTL_ERR_ENV_KEY "env key is not a string"
#define RTL_ERR_ENV_VALUE "env value is not a string"
#define RTL_ERR_RAISE_NOT_BOOL "bad raise_on_empty argument: should be bool"
#define RTL_ERR_NO_UTIL "error: no module '_util'"
#define RTL_ERR_NO_EMPTY_ERROR "no attribute '_util.SubprocessOutputEmptyError' found"
#define RTL_MSG_EMPTY_OUTPUT "get_subprocess_output expected output but had none."

/* A NULL-terminated array of rt-owned "KEY=VALUE" strings, or NULL for an empty dict. */
static void rtl_env_free(char **env)
{
    size_t i;

    if (env == NULL)
        return;
    for (i = 0; env[i] != NULL; i++)
        rtl_free(env[i]);
    rtl_free(env);
}

/* Build the environment from a dict (validated by the caller). Returns 0 or -1 (raised, and
 * *out freed). */
static int rtl_env_build(PyObject *dict, char ***out)
{
    Py_ssize_t n = PyDict_GET_SIZE(dict), pos = 0, i;
    PyObject *key, *value;
    char **env;
    size_t bytes;

    *out = NULL;
    if (n == 0)
        return 0; /* an empty dict is passed as NULL */
    if (!rtl_array_size((size_t)n + 1, sizeof(char *), 0, &bytes) || (env = (char **)rtl_malloc(bytes)) == NULL) {
        PyErr_SetString(PyExc_MemoryError, RTL_ERR_NO_MEMORY);
        return -1;
    }
    memset(env, 0, bytes);
    for (i = 0; i < n && PyDict_Next(dict, &pos, &key, &value); i++) { /* borrowed key, value */
        const char *k, *v;
        size_t klen, vlen;

        /* Each pair is copied at once, so nothing here outlives the borrowed key and value. */
        k = rtl_borrow_string(key);
        if (k == NULL) {
            PyErr_SetString(PyExc_TypeError, RTL_ERR_ENV_KEY);
            goto fail;
        }
        klen = strlen(k);
        v = rtl_borrow_string(value);
        if (v == NULL) {
            PyErr_SetString(PyExc_TypeError, RTL_ERR_ENV_VALUE);
            goto fail;
        }
        vlen = strlen(v);
        env[i] = (char *)rtl_malloc(klen + 1 + vlen + 1);
        if (env[i] == NULL) {
            PyErr_SetString(PyExc_MemoryError, RTL_ERR_NO_MEMORY);
            goto fail;
        }
        memcpy(env[i], k, klen);
        env[i][klen] = '=';
        memcpy(env[i] + klen + 1, v, vlen + 1);
    }
    *out = env;
    return 0;
fail:
    rtl_env_free(env);
    return -1;
}

/* Raise _util.SubprocessOutputEmptyError, found by importing _util as upstream does. */
static void rtl_raise_empty_output(void)
{
    PyObject *mod, *cls;

    mod = PyImport_ImportModule("_util"); /* new reference */
    if (mod == NULL) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_NO_UTIL);
        return;
    }
    cls = PyObject_GetAttrString(mod, "SubprocessOutputEmptyError"); /* new reference */
    Py_DECREF(mod);
    if (cls == NULL) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_NO_EMPTY_ERROR);
        return;
    }
    PyErr_SetString(cls, RTL_MSG_EMPTY_OUTPUT);
    Py_DECREF(cls);
}

static PyObject *rtl_str_or_none(const char *s)
{
    if (s == NULL)
        Py_RETURN_NONE;
    return rtl_str_from_host(s); /* new reference, or NULL (UnicodeDecodeError) */
}

/* subprocess_output(command, raise_on_empty=None, *, env=None) */
static PyObject *rtl_subprocess_output(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static const char *const kwlist[] = {"command", "raise_on_empty", "env", NULL};
    PyObject *cmd, *raise_obj = NULL, *env_obj = NULL, *ret = NULL;
    PyObject *py_out = NULL, *py_err = NULL, *py_rc = NULL;
    char **env = NULL;
    char *out = NULL, *err = NULL, *exc = NULL;
    int rc = 0;
    rtl_strv_t argv;
    rtl_strv_status_t st;

    (void)self;
    if (rtl_cb.get_subprocess_output == NULL)
        Py_RETURN_NONE;
    rtl_strv_init(&argv, 0);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O$O:get_subprocess_output", (char **)kwlist, &cmd, &raise_obj,
                                     &env_obj))
        return NULL;

    if (!PyList_Check(cmd)) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_CMD_NOT_LIST);
        goto done;
    }
    if (PyList_GET_SIZE(cmd) == 0) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_CMD_EMPTY);
        goto done;
    }
    st = rtl_strv_from_list(&argv, cmd, 1);
    if (st == RTL_STRV_BAD_ITEM) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_CMD_BAD_ARG);
        goto done;
    }
    if (st != RTL_STRV_OK) {
        PyErr_SetString(PyExc_MemoryError, RTL_ERR_NO_MEMORY);
        goto done;
    }
    if (env_obj != NULL && env_obj != Py_None) {
        if (!PyDict_Check(env_obj)) {
            PyErr_SetString(PyExc_TypeError, RTL_ERR_ENV_NOT_DICT);
            goto done;
        }
        if (rtl_env_build(env_obj, &env) < 0)
            goto done;
    }
    /* Given at all, even as None, it must be a bool; only True turns the check on. */
    if (raise_obj != NULL && !PyBool_Check(raise_obj)) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_RAISE_NOT_BOOL);
        goto done;
    }

    Py_BEGIN_ALLOW_THREADS
        rtl_cb.get_subprocess_output(argv.v, env, &out, &err, &rc, &exc);
    Py_END_ALLOW_THREADS

    if (raise_obj == Py_True && (out == NULL || out[0] == '\0')) {
        rtl_raise_empty_output();
        goto done;
    }
    if (exc != NULL) {
        rtl_raise_host_message(PyExc_Exception, exc);
        goto done;
    }
    if ((py_out = rtl_str_or_none(out)) == NULL || (py_err = rtl_str_or_none(err)) == NULL
        || (py_rc = PyLong_FromLong(rc)) == NULL)
        goto done;
    ret = PyTuple_Pack(3, py_out, py_err, py_rc); /* new reference; the items get their own refs */
done:
    Py_XDECREF(py_out);
    Py_XDECREF(py_err);
    Py_XDECREF(py_rc);
    rtl_cgo_free(out);
    rtl_cgo_free(err);
    rtl_cgo_free(exc);
    rtl_env_free(env);
    rtl_strv_release(&argv);
    return ret;
}

static PyMethodDef rtl_util_private_methods[] = {
    {"subprocess_output", RTL_METH(rtl_subprocess_output), METH_VARARGS | METH_KEYWORDS,
     "Exec a process and return the output."},
    {"get_subprocess_output", RTL_METH(rtl_subprocess_output), METH_VARARGS | METH_KEYWORDS,
     "Exec a process and return the output."},
    {NULL, NULL, 0, NULL},
};

/* Py_mod_exec: the module's own exception class, one per interpreter (§5). */
static int rtl_util_private_exec(PyObject *m)
{
    /* New reference; rtl_module_add steals it whether or not it succeeds. */
    return rtl_module_add(m, "SubprocessOutputEmptyError",
                          PyErr_NewException("_util.SubprocessOutputEmptyError", NULL, NULL));
}

static PyModuleDef_Slot rtl_util_private_slots[] = RTL_MODULE_SLOTS_EXEC(rtl_util_private_exec);

static struct PyModuleDef rtl_util_private_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_util",
    .m_methods = rtl_util_private_methods,
    .m_slots = rtl_util_private_slots,
};

PyObject *rtl_init_util_private(void)
{
    return PyModuleDef_Init(&rtl_util_private_def);
}
