/*
 * datadog_agent.c: the `datadog_agent` module (BUILTINS.md §3): Agent getters, configuration,
 * logging, metadata, external host tags, the persistent cache, the obfuscators, telemetry and
 * health issues.
 *
 * Registration and argument parsing are upstream's, one for one: METH_VARARGS functions parsed
 * with PyArg_ParseTuple, METH_VARARGS|METH_KEYWORDS ones with PyArg_ParseTupleAndKeywords and the
 * same keyword lists, METH_NOARGS ones, so every argument error is the running CPython's own
 * text. None of these is on a hot path (the aggregator's are, and parse a vector: args.c). Each
 * function tests its callback first and returns None when it is unset, before parsing (§1.3);
 * `log` and `tracemalloc_enabled` are the documented exceptions.
 *
 * GIL: held around every callback (the SQL obfuscator relies on it, §1.5) except the two
 * persistent-cache callbacks, which block on disk and run inside Py_BEGIN_ALLOW_THREADS. The
 * strings they receive are borrowed from argument objects that the caller keeps alive for the
 * whole call, so releasing the GIL does not invalidate them.
 *
 * Host buffers (out-parameters and results) are released with rtl_cgo_free on every path.
 */
#include "builtins.h"
#include "convert.h"
#include "pycompat.h"
#include "rtl_errors.h"

#define RTL_ERR_EXT_TAGS_NOT_LIST "tags must be a list"
#define RTL_ERR_EXT_TAGS_NOT_TUPLE "external host tags list must contain only tuples"
#define RTL_ERR_EXT_TAGS_SHORT_TUPLE "external host tags tuple must have at least 2 elements"
#define RTL_ERR_EXT_TAGS_HOSTNAME "hostname is not a valid string"
#define RTL_ERR_EXT_TAGS_NOT_DICT "second elem of the host tags tuple must be a dict"
#define RTL_ERR_EXT_TAGS_SOURCE_TYPE "source_type is not a valid string"
#define RTL_ERR_EXT_TAGS_VALUE "dict value must be a list of tags"
#define RTL_ERR_EXT_TAGS_TOO_LARGE "tag list too large"
#define RTL_ERR_CACHE_READ "failed to read data"
#define RTL_ERR_EMPTY_SQL "internal error: empty cb_obfuscate_sql response"
#define RTL_ERR_EMPTY_EXEC_PLAN "internal error: empty cb_obfuscate_sql_exec_plan response"
#define RTL_ERR_EMPTY_MONGODB "internal error: empty cb_obfuscate_mongodb_string response"

/* ---- string getters (§3.1) ------------------------------------------------------------------- */

/* cb_get_version_t, cb_get_hostname_t, cb_get_clustername_t and cb_get_host_tags_t share it. */
typedef void (*rtl_string_getter_t)(char **);

static PyObject *rtl_get_string(rtl_string_getter_t cb)
{
    char *out = NULL;

    if (cb == NULL)
        Py_RETURN_NONE;
    cb(&out);
    return rtl_take_host_str_or_none(out); /* cgo_free on every path */
}

static PyObject *rtl_get_version(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return rtl_get_string(rtl_cb.get_version);
}

static PyObject *rtl_get_hostname(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return rtl_get_string(rtl_cb.get_hostname);
}

static PyObject *rtl_get_clustername(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return rtl_get_string(rtl_cb.get_clustername);
}

/* The JSON text is returned unparsed (§3.1). */
static PyObject *rtl_get_host_tags(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return rtl_get_string(rtl_cb.get_host_tags);
}

/* ---- configuration and headers (§3.2, §3.3) --------------------------------------------------- */

static PyObject *rtl_get_config(PyObject *self, PyObject *args)
{
    const char *key;
    char *data = NULL;
    PyObject *value;

    (void)self;
    if (rtl_cb.get_config == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTuple(args, "s", &key))
        return NULL;
    rtl_cb.get_config((char *)key, &data);
    value = rtl_from_json(data); /* new reference, or NULL */
    rtl_cgo_free(data);
    if (value == NULL) {
        PyErr_Clear(); /* unset key, bad JSON or bad UTF-8: None */
        Py_RETURN_NONE;
    }
    return value;
}

/* Also util.headers (§4). Positional arguments are ignored; http_host becomes "Host". */
PyObject *rtl_headers(PyObject *self, PyObject *args, PyObject *kwargs)
{
    char *data = NULL;
    PyObject *headers, *host;

    (void)self, (void)args;
    if (rtl_cb.headers == NULL)
        Py_RETURN_NONE;
    rtl_cb.headers(&data);
    headers = rtl_from_json(data); /* new reference, or NULL */
    rtl_cgo_free(data);
    if (headers == NULL || !PyDict_Check(headers)) {
        PyErr_Clear();
        Py_XDECREF(headers);
        Py_RETURN_NONE;
    }
    /* Borrowed; a dict of str keys made by CPython for the call, so the lookup cannot fail. */
    host = kwargs != NULL ? PyDict_GetItemString(kwargs, "http_host") : NULL;
    if (host != NULL && PyDict_SetItemString(headers, "Host", host) < 0) { /* the dict takes its own ref */
        Py_DECREF(headers);
        return NULL;
    }
    return headers;
}

/* ---- small callbacks (§3.4 to §3.7, §3.13) ----------------------------------------------------- */

static PyObject *rtl_tracemalloc_enabled(PyObject *self, PyObject *args)
{
    (void)self, (void)args; /* positional arguments are accepted and ignored */
    if (rtl_cb.tracemalloc_enabled == NULL)
        Py_RETURN_FALSE;
    return PyBool_FromLong(rtl_cb.tracemalloc_enabled());
}

/* Arguments are parsed even when no logger is set; rtl_log skips an unset callback. */
static PyObject *rtl_log_message(PyObject *self, PyObject *args)
{
    const char *message;
    int level;

    (void)self;
    if (!PyArg_ParseTuple(args, "si", &message, &level))
        return NULL;
    rtl_log(level, message);
    Py_RETURN_NONE;
}

static PyObject *rtl_send_log(PyObject *self, PyObject *args)
{
    const char *line, *check_id;

    (void)self;
    if (rtl_cb.send_log == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTuple(args, "ss", &line, &check_id))
        return NULL;
    rtl_cb.send_log((char *)line, (char *)check_id);
    Py_RETURN_NONE;
}

static PyObject *rtl_set_check_metadata(PyObject *self, PyObject *args)
{
    const char *check_id, *name, *value;

    (void)self;
    if (rtl_cb.set_check_metadata == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTuple(args, "sss", &check_id, &name, &value))
        return NULL;
    rtl_cb.set_check_metadata((char *)check_id, (char *)name, (char *)value);
    Py_RETURN_NONE;
}

static PyObject *rtl_get_process_start_time(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    if (rtl_cb.get_process_start_time == NULL)
        Py_RETURN_NONE;
    return PyFloat_FromDouble(rtl_cb.get_process_start_time());
}

/* ---- set_external_tags (§3.8) ------------------------------------------------------------------ */

/* One (hostname, {source_type: [tags]}) entry: validated, then sent. Returns 0 or -1 (raised). */
static int rtl_send_external_tags(PyObject *entry)
{
    PyObject *dict, *key = NULL, *value = NULL;
    const char *hostname, *source_type;
    Py_ssize_t pos = 0;
    rtl_strv_t tags;
    rtl_strv_status_t st;
    int ret = -1;

    rtl_strv_init(&tags, 0);
    if (!PyTuple_Check(entry)) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_EXT_TAGS_NOT_TUPLE);
        return -1;
    }
    if (PyTuple_GET_SIZE(entry) < 2) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_EXT_TAGS_SHORT_TUPLE);
        return -1;
    }
    /* The tuple (held by the caller) keeps its items, and so the borrowed hostname, alive. */
    hostname = rtl_borrow_string(PyTuple_GET_ITEM(entry, 0));
    if (hostname == NULL) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_EXT_TAGS_HOSTNAME);
        return -1;
    }
    dict = PyTuple_GET_ITEM(entry, 1); /* borrowed */
    if (!PyDict_Check(dict)) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_EXT_TAGS_NOT_DICT);
        return -1;
    }
    if (!PyDict_Next(dict, &pos, &key, &value)) /* borrowed key and value */
        return 0;                               /* an empty dict is skipped; only the first pair is ever used */
    Py_INCREF(key);                             /* the dict is mutable: own what we lend from */
    Py_INCREF(value);
    source_type = rtl_borrow_string(key);
    if (source_type == NULL) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_EXT_TAGS_SOURCE_TYPE);
        goto done;
    }
    if (!PyList_Check(value)) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_EXT_TAGS_VALUE);
        goto done;
    }
    st = rtl_strv_from_list(&tags, value, 0); /* non-string tags are skipped */
    if (st == RTL_STRV_TOO_LARGE) {
        PyErr_SetString(PyExc_OverflowError, RTL_ERR_EXT_TAGS_TOO_LARGE);
        goto done;
    }
    if (st != RTL_STRV_OK) {
        PyErr_SetString(PyExc_MemoryError, RTL_ERR_NO_MEMORY);
        goto done;
    }
    rtl_cb.set_external_tags((char *)hostname, (char *)source_type, tags.v);
    ret = 0;
done:
    rtl_strv_release(&tags);
    Py_DECREF(key);
    Py_DECREF(value);
    return ret;
}

static PyObject *rtl_set_external_tags(PyObject *self, PyObject *args)
{
    PyObject *list;
    Py_ssize_t i;

    (void)self;
    if (rtl_cb.set_external_tags == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTuple(args, "O", &list))
        return NULL;
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_EXT_TAGS_NOT_LIST);
        return NULL;
    }
    /* Entries before the first invalid one have been sent when the error is raised. */
    for (i = 0; i < PyList_GET_SIZE(list); i++) {
        PyObject *entry = PyList_GET_ITEM(list, i); /* borrowed */
        int rc;

        Py_INCREF(entry);
        rc = rtl_send_external_tags(entry);
        Py_DECREF(entry);
        if (rc < 0)
            return NULL;
    }
    Py_RETURN_NONE;
}

/* ---- persistent cache (§3.9, §3.10): the GIL is released around the callback --------------------- */

static PyObject *rtl_write_persistent_cache(PyObject *self, PyObject *args)
{
    const char *key, *value;

    (void)self;
    if (rtl_cb.write_persistent_cache == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTuple(args, "ss", &key, &value))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
        rtl_cb.write_persistent_cache((char *)key, (char *)value);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *rtl_read_persistent_cache(PyObject *self, PyObject *args)
{
    const char *key;
    char *value;

    (void)self;
    if (rtl_cb.read_persistent_cache == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTuple(args, "s", &key))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
        value = rtl_cb.read_persistent_cache((char *)key);
    Py_END_ALLOW_THREADS
    if (value == NULL) {
        PyErr_SetString(PyExc_RuntimeError, RTL_ERR_CACHE_READ);
        return NULL;
    }
    return rtl_take_host_str_or_none(value);
}

/* ---- obfuscators (§3.11, §3.12, §3.14): the GIL stays held ------------------------------------- */

/* error_message first, then a NULL result, then the decoded result; both released. */
static PyObject *rtl_obfuscation_result(char *result, char *error, const char *empty_msg)
{
    PyObject *ret = NULL;

    if (error != NULL)
        rtl_raise_host_message(PyExc_RuntimeError, error);
    else if (result == NULL)
        PyErr_SetString(PyExc_RuntimeError, empty_msg);
    else
        ret = rtl_str_from_host(result);
    rtl_cgo_free(error);
    rtl_cgo_free(result);
    return ret;
}

static PyObject *rtl_obfuscate_sql(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static const char *const kwlist[] = {"query", "options", NULL};
    const char *query, *options = NULL;
    char *result, *error = NULL;

    (void)self;
    if (rtl_cb.obfuscate_sql == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|s", (char **)kwlist, &query, &options))
        return NULL;
    result = rtl_cb.obfuscate_sql((char *)query, (char *)options, &error);
    return rtl_obfuscation_result(result, error, RTL_ERR_EMPTY_SQL);
}

static PyObject *rtl_obfuscate_sql_exec_plan(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static const char *const kwlist[] = {"", "normalize", NULL};
    const char *plan;
    PyObject *normalize = NULL;
    char *result, *error = NULL;

    (void)self;
    if (rtl_cb.obfuscate_sql_exec_plan == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|O", (char **)kwlist, &plan, &normalize))
        return NULL;
    /* Only True itself normalises (§3.12). */
    result = rtl_cb.obfuscate_sql_exec_plan((char *)plan, normalize == Py_True, &error);
    return rtl_obfuscation_result(result, error, RTL_ERR_EMPTY_EXEC_PLAN);
}

/* Registered with keywords but parsed positionally: keyword arguments are ignored (§3.14). */
static PyObject *rtl_obfuscate_mongodb_string(PyObject *self, PyObject *args, PyObject *kwargs)
{
    const char *command;
    char *result, *error = NULL;

    (void)self, (void)kwargs;
    if (rtl_cb.obfuscate_mongodb_string == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTuple(args, "s", &command))
        return NULL;
    result = rtl_cb.obfuscate_mongodb_string((char *)command, &error);
    return rtl_obfuscation_result(result, error, RTL_ERR_EMPTY_MONGODB);
}

/* ---- telemetry and health issues (§3.15 to §3.17) ---------------------------------------------- */

static PyObject *rtl_emit_agent_telemetry(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static const char *const kwlist[] = {"check_name", "metric_name", "metric_value", "metric_type", "labels", NULL};
    const char *check_name, *metric_name, *metric_type;
    double metric_value;
    PyObject *labels = NULL;
    char *labels_json = NULL;

    (void)self;
    if (rtl_cb.emit_agent_telemetry == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ssds|O", (char **)kwlist, &check_name, &metric_name, &metric_value,
                                     &metric_type, &labels))
        return NULL;
    if (labels != NULL && labels != Py_None) {
        labels_json = rtl_as_json(labels); /* rt-owned */
        if (labels_json == NULL) {
            PyErr_Clear(); /* telemetry never breaks a check: drop the call */
            Py_RETURN_NONE;
        }
    }
    rtl_cb.emit_agent_telemetry((char *)check_name, (char *)metric_name, metric_value, (char *)metric_type,
                                labels_json);
    rtl_free(labels_json);
    Py_RETURN_NONE;
}

/* A host error string becomes RuntimeError; released in every case. */
static PyObject *rtl_issue_result(char *error)
{
    if (error == NULL)
        Py_RETURN_NONE;
    rtl_raise_host_message(PyExc_RuntimeError, error);
    rtl_cgo_free(error);
    return NULL;
}

static PyObject *rtl_report_issue(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static const char *const kwlist[] = {"check_name", "report_json", NULL};
    const char *check_name, *report_json = NULL;
    char *error = NULL;

    (void)self;
    if (rtl_cb.report_issue == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|z", (char **)kwlist, &check_name, &report_json))
        return NULL;
    rtl_cb.report_issue((char *)check_name, (char *)report_json, &error);
    return rtl_issue_result(error);
}

static PyObject *rtl_resolve_issue(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static const char *const kwlist[] = {"issue_id", NULL};
    const char *issue_id;
    char *error = NULL;

    (void)self;
    if (rtl_cb.resolve_issue == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s", (char **)kwlist, &issue_id))
        return NULL;
    rtl_cb.resolve_issue((char *)issue_id, &error);
    return rtl_issue_result(error);
}

/* ---- module --------------------------------------------------------------------------------------- */

static PyMethodDef rtl_datadog_agent_methods[] = {
    {"get_clustername", rtl_get_clustername, METH_NOARGS, "Get the cluster name."},
    {"get_config", rtl_get_config, METH_VARARGS, "Get an Agent config item."},
    {"get_hostname", rtl_get_hostname, METH_NOARGS, "Get the hostname."},
    {"get_host_tags", rtl_get_host_tags, METH_NOARGS, "Get the host tags."},
    {"tracemalloc_enabled", rtl_tracemalloc_enabled, METH_VARARGS, "Gets if tracemalloc is enabled."},
    {"get_version", rtl_get_version, METH_NOARGS, "Get Agent version."},
    {"headers", RTL_METH(rtl_headers), METH_VARARGS | METH_KEYWORDS, "Get standard set of HTTP headers."},
    {"log", rtl_log_message, METH_VARARGS, "Log a message through the agent logger."},
    {"send_log", rtl_send_log, METH_VARARGS, "Submit a log for Checks."},
    {"set_check_metadata", rtl_set_check_metadata, METH_VARARGS, "Send metadata for Checks."},
    {"set_external_tags", rtl_set_external_tags, METH_VARARGS, "Send external host tags."},
    {"write_persistent_cache", rtl_write_persistent_cache, METH_VARARGS, "Store a value for a given key."},
    {"read_persistent_cache", rtl_read_persistent_cache, METH_VARARGS, "Retrieve the value associated with a key."},
    {"obfuscate_sql", RTL_METH(rtl_obfuscate_sql), METH_VARARGS | METH_KEYWORDS, "Obfuscate & normalize a SQL string."},
    {"obfuscate_sql_exec_plan", RTL_METH(rtl_obfuscate_sql_exec_plan), METH_VARARGS | METH_KEYWORDS,
     "Obfuscate & normalize a SQL Execution Plan."},
    {"get_process_start_time", rtl_get_process_start_time, METH_NOARGS,
     "Get agent process startup time, in seconds since the epoch."},
    {"obfuscate_mongodb_string", RTL_METH(rtl_obfuscate_mongodb_string), METH_VARARGS | METH_KEYWORDS,
     "Obfuscate & normalize a MongoDB command string."},
    {"emit_agent_telemetry", RTL_METH(rtl_emit_agent_telemetry), METH_VARARGS | METH_KEYWORDS, "Emit agent telemetry."},
    {"report_issue", RTL_METH(rtl_report_issue), METH_VARARGS | METH_KEYWORDS, "Report a health platform issue."},
    {"resolve_issue", RTL_METH(rtl_resolve_issue), METH_VARARGS | METH_KEYWORDS,
     "Resolve a health platform issue by issue id."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot rtl_datadog_agent_slots[] = RTL_MODULE_SLOTS;

static struct PyModuleDef rtl_datadog_agent_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "datadog_agent",
    .m_methods = rtl_datadog_agent_methods,
    .m_slots = rtl_datadog_agent_slots,
};

PyObject *rtl_init_datadog_agent(void)
{
    return PyModuleDef_Init(&rtl_datadog_agent_def);
}
