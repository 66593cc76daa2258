/*
 * fuzz_builtins.c: libFuzzer target for every built-in function's argument handling (issue 7a).
 *
 * One live interpreter, made once through the public API exactly as a host does it (make3 of the
 * default backend, every callback registered, init). Each input is decoded into
 *   function index | 4 callback modes | misc byte | blob for callbacks | nargs, nkw | objects...
 * and the chosen built-in is called with Python objects built from the rest (fuzz_pyobj.c:
 * str/bytes/int/float/None/list/tuple/dict nesting, invalid UTF-8, embedded NULs, huge lengths),
 * with the GIL held, through the public API's ensure_gil. The host callbacks return data chosen
 * by the callback modes: NULL, empty, invalid UTF-8, huge, the fuzzed blob, or plausible JSON, all
 * allocated with rtloader's _malloc (as the Go host does) and released by rtloader via cgo_free.
 *
 * Beyond the sanitizers, every input must leave: rtloader's allocation counters balanced (every
 * rtloader allocation and every host buffer freed), no Python error pending, and no SystemError
 * for a function that returned a result with an error set (or NULL without one).
 */
#include "fuzz_pyobj.h"
#include "fuzz_rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datadog_agent_rtloader.h"
#include "rtl_callback_list.h" /* the list of every callback (src/common) */
#include "rtloader_mem.h"

static rtloader_t *fz_rt;

static const struct {
    const char *module, *name;
} fz_functions[] = {
    {"aggregator", "submit_metric"},
    {"aggregator", "submit_service_check"},
    {"aggregator", "submit_event"},
    {"aggregator", "submit_histogram_bucket"},
    {"aggregator", "submit_event_platform_event"},
    {"datadog_agent", "get_version"},
    {"datadog_agent", "get_hostname"},
    {"datadog_agent", "get_clustername"},
    {"datadog_agent", "get_host_tags"},
    {"datadog_agent", "get_config"},
    {"datadog_agent", "headers"},
    {"datadog_agent", "tracemalloc_enabled"},
    {"datadog_agent", "log"},
    {"datadog_agent", "send_log"},
    {"datadog_agent", "set_check_metadata"},
    {"datadog_agent", "set_external_tags"},
    {"datadog_agent", "write_persistent_cache"},
    {"datadog_agent", "read_persistent_cache"},
    {"datadog_agent", "obfuscate_sql"},
    {"datadog_agent", "obfuscate_sql_exec_plan"},
    {"datadog_agent", "get_process_start_time"},
    {"datadog_agent", "obfuscate_mongodb_string"},
    {"datadog_agent", "emit_agent_telemetry"},
    {"datadog_agent", "report_issue"},
    {"datadog_agent", "resolve_issue"},
    {"util", "headers"},
    {"_util", "subprocess_output"},
    {"_util", "get_subprocess_output"},
    {"tagger", "tag"},
    {"tagger", "get_tags"},
    {"kubeutil", "get_connection_info"},
    {"containers", "is_excluded"},
};
#define FZ_NFUNCS (sizeof(fz_functions) / sizeof(fz_functions[0]))
static PyObject *fz_callables[FZ_NFUNCS];

static const char *const fz_kwnames[] = {
    "flush_first_value", "env",       "raise_on_empty", "options",  "normalize", "labels", "report_json", "namespace",
    "command",           "http_host", "check_name",     "issue_id", "query",     "plan",   "key"};
#define FZ_NKW (sizeof(fz_kwnames) / sizeof(fz_kwnames[0]))

/* ---- callbacks returning fuzzed data ------------------------------------------------------- */

static uint8_t fz_modes[4];
static unsigned fz_mode_i;
static uint8_t fz_misc;
static const uint8_t *fz_blob;
static size_t fz_blob_len;
#define FZ_HUGE (256u * 1024u)

static char *fz_cb_str(void)
{
    uint8_t mode = fz_modes[fz_mode_i++ % 4] % 8;
    char *s;
    switch (mode) {
    case 0: return NULL;
    case 1: return strdupe("");
    case 2: return strdupe("\xff\xfe\xc3(\xed\xa0\x80");
    case 3:
        s = _malloc(FZ_HUGE + 3);
        if (s != NULL) {
            s[0] = '"';
            memset(s + 1, 'h', FZ_HUGE);
            s[FZ_HUGE + 1] = '"';
            s[FZ_HUGE + 2] = '\0';
        }
        return s;
    case 4:
        s = _malloc(fz_blob_len + 1);
        if (s != NULL) {
            memcpy(s, fz_blob, fz_blob_len);
            s[fz_blob_len] = '\0';
        }
        return s;
    case 5: return strdupe("{\"a\": [1, \"b\", null], \"url\": \"http://x\"}");
    case 6: return strdupe("[]");
    default: return strdupe("plain text");
    }
}
static void fz_out(char **out)
{
    if (out != NULL)
        *out = fz_cb_str();
}

static size_t fz_touch(const char *s)
{
    return s ? strlen(s) : 0;
}
static size_t fz_touchv(char **v)
{
    size_t n = 0;
    for (; v != NULL && *v != NULL; v++)
        n += strlen(*v);
    return n;
}
static volatile size_t fz_sink;

static void cb_submit_metric(char *id, metric_type_t t, char *name, double v, char **tags, char *host, bool f)
{
    (void)t, (void)v, (void)f;
    fz_sink += fz_touch(id) + fz_touch(name) + fz_touchv(tags) + fz_touch(host);
}
static void cb_submit_service_check(char *id, char *name, int st, char **tags, char *host, char *msg)
{
    (void)st;
    fz_sink += fz_touch(id) + fz_touch(name) + fz_touchv(tags) + fz_touch(host) + fz_touch(msg);
}
static void cb_submit_event(char *id, event_t *e)
{
    fz_sink += fz_touch(id);
    if (e != NULL)
        fz_sink += fz_touch(e->title) + fz_touch(e->text) + fz_touch(e->priority) + fz_touch(e->host)
                   + fz_touchv(e->tags) + fz_touch(e->alert_type) + fz_touch(e->aggregation_key)
                   + fz_touch(e->source_type_name) + fz_touch(e->event_type);
}
static void cb_submit_histogram_bucket(char *id, char *name, long long v, float lo, float hi, int mono, char *host,
                                       char **tags, bool f)
{
    (void)v, (void)lo, (void)hi, (void)mono, (void)f;
    fz_sink += fz_touch(id) + fz_touch(name) + fz_touch(host) + fz_touchv(tags);
}
static void cb_submit_event_platform_event(char *id, char *raw, int len, char *type)
{
    int i;
    for (i = 0; raw != NULL && i < len; i++)
        fz_sink += (unsigned char)raw[i];
    fz_sink += fz_touch(id) + fz_touch(type);
}
static void cb_get_version(char **o)
{
    fz_out(o);
}
static void cb_get_config(char *k, char **o)
{
    fz_sink += fz_touch(k);
    fz_out(o);
}
static void cb_headers(char **o)
{
    fz_out(o);
}
static void cb_get_hostname(char **o)
{
    fz_out(o);
}
static void cb_get_host_tags(char **o)
{
    fz_out(o);
}
static void cb_get_clustername(char **o)
{
    fz_out(o);
}
static bool cb_tracemalloc_enabled(void)
{
    return fz_misc & 1;
}
static void cb_log(char *m, int l)
{
    (void)l;
    fz_sink += fz_touch(m);
}
static void cb_send_log(char *a, char *b)
{
    fz_sink += fz_touch(a) + fz_touch(b);
}
static void cb_set_check_metadata(char *a, char *b, char *c)
{
    fz_sink += fz_touch(a) + fz_touch(b) + fz_touch(c);
}
static void cb_set_external_tags(char *a, char *b, char **t)
{
    fz_sink += fz_touch(a) + fz_touch(b) + fz_touchv(t);
}
static void cb_write_persistent_cache(char *a, char *b)
{
    fz_sink += fz_touch(a) + fz_touch(b);
}
static char *cb_read_persistent_cache(char *k)
{
    fz_sink += fz_touch(k);
    return fz_cb_str();
}
static char *cb_obfuscate_sql(char *q, char *o, char **err)
{
    fz_sink += fz_touch(q) + fz_touch(o);
    if (fz_misc & 2)
        fz_out(err);
    return fz_cb_str();
}
static char *cb_obfuscate_sql_exec_plan(char *p, bool n, char **err)
{
    (void)n;
    fz_sink += fz_touch(p);
    if (fz_misc & 2)
        fz_out(err);
    return fz_cb_str();
}
static double cb_get_process_start_time(void)
{
    return (double)fz_misc * 1.5;
}
static char *cb_obfuscate_mongodb_string(char *c, char **err)
{
    fz_sink += fz_touch(c);
    if (fz_misc & 2)
        fz_out(err);
    return fz_cb_str();
}
static void cb_emit_agent_telemetry(char *a, char *b, double v, char *c, char *d)
{
    (void)v;
    fz_sink += fz_touch(a) + fz_touch(b) + fz_touch(c) + fz_touch(d);
}
static void cb_report_issue(char *a, char *b, char **err)
{
    fz_sink += fz_touch(a) + fz_touch(b);
    if (fz_misc & 4)
        fz_out(err);
}
static void cb_resolve_issue(char *a, char **err)
{
    fz_sink += fz_touch(a);
    if (fz_misc & 4)
        fz_out(err);
}
static void cb_get_subprocess_output(char **argv, char **env, char **out, char **errout, int *rc, char **exc)
{
    fz_sink += fz_touchv(argv) + fz_touchv(env);
    fz_out(out);
    fz_out(errout);
    if (rc != NULL)
        *rc = (int)(int8_t)fz_misc;
    if (fz_misc & 8)
        fz_out(exc);
}
static void cb_cgo_free(void *p)
{
    _free(p);
}
static char **cb_tags(char *id, int card)
{
    size_t n = fz_misc % 5, i;
    char **v;
    (void)card;
    fz_sink += fz_touch(id);
    if (fz_misc & 0x80)
        return NULL;
    v = _malloc((n + 1) * sizeof(char *));
    if (v == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        v[i] = fz_cb_str();
        if (v[i] == NULL) /* a NULL item would end the array: use an empty string instead */
            v[i] = strdupe("");
    }
    v[n] = NULL;
    return v;
}
static void cb_get_connection_info(char **o)
{
    fz_out(o);
}
static int cb_is_excluded(char *a, char *b, char *c)
{
    fz_sink += fz_touch(a) + fz_touch(b) + fz_touch(c);
    return (int)(int8_t)fz_misc;
}

static void fz_set_callbacks(rtloader_t *r)
{
#define FZ_SET(name, type) set_##name##_cb(r, cb_##name);
    RTL_CALLBACK_LIST(FZ_SET)
#undef FZ_SET
}

/* ---- libFuzzer entry points ---------------------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    rtloader_gilstate_t st;
    size_t i;

    (void)argc, (void)argv;
    fz_rt = fz_start("fuzz_builtins", fz_set_callbacks);
    st = ensure_gil(fz_rt);
    for (i = 0; i < FZ_NFUNCS; i++) {
        PyObject *m = PyImport_ImportModule(fz_functions[i].module);
        fz_callables[i] = m ? PyObject_GetAttrString(m, fz_functions[i].name) : NULL;
        Py_XDECREF(m);
        if (fz_callables[i] == NULL) {
            fprintf(stderr, "fuzz_builtins: %s.%s is missing\n", fz_functions[i].module, fz_functions[i].name);
            abort();
        }
    }
    release_gil(fz_rt, st);
    get_and_reset_memory_stats();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    PyObject *fn, *args = NULL, *kwargs = NULL, *res;
    rtloader_gilstate_t st;
    char what[64];
    size_t i, nargs, nkw;
    uint8_t fidx;

    fidx = fz_byte(&in);
    for (i = 0; i < 4; i++)
        fz_modes[i] = fz_byte(&in);
    fz_mode_i = 0;
    fz_misc = fz_byte(&in);
    fz_blob = fz_bytes(&in, fz_byte(&in), &fz_blob_len);
    nargs = fz_byte(&in) % 11;
    nkw = fz_byte(&in) % 4;
    fn = fz_callables[fidx % FZ_NFUNCS];

    get_and_reset_memory_stats();
    st = ensure_gil(fz_rt);
    args = PyTuple_New((Py_ssize_t)nargs);
    for (i = 0; args != NULL && i < nargs; i++)
        PyTuple_SET_ITEM(args, (Py_ssize_t)i, fz_object(&in, 0));
    if (nkw > 0)
        kwargs = PyDict_New();
    for (i = 0; kwargs != NULL && i < nkw; i++) {
        uint8_t ksel = fz_byte(&in);
        PyObject *k = (ksel < 0xf0) ? PyUnicode_FromString(fz_kwnames[ksel % FZ_NKW]) : fz_object(&in, 0);
        PyObject *v = fz_object(&in, 0);
        if (k == NULL || PyDict_SetItem(kwargs, k, v) < 0)
            PyErr_Clear();
        Py_XDECREF(k);
        Py_DECREF(v);
    }
    if (args == NULL) {
        fprintf(stderr, "fuzz_builtins: out of memory building arguments\n");
        abort();
    }
    res = PyObject_Call(fn, args, kwargs);
    if (res == NULL) {
        if (!PyErr_Occurred()) {
            fprintf(stderr, "fuzz_builtins: NULL without an exception\n");
            abort();
        }
        if (PyErr_ExceptionMatches(PyExc_SystemError)) { /* a C-API contract violation */
            PyErr_Print();
            fprintf(stderr, "fuzz_builtins: SystemError from %s.%s\n", fz_functions[fidx % FZ_NFUNCS].module,
                    fz_functions[fidx % FZ_NFUNCS].name);
            abort();
        }
        PyErr_Clear();
    } else if (PyErr_Occurred()) {
        PyErr_Print();
        fprintf(stderr, "fuzz_builtins: a result with an error set\n");
        abort();
    }
    Py_XDECREF(res);
    Py_DECREF(args);
    Py_XDECREF(kwargs);
    release_gil(fz_rt, st);
    if (has_error(fz_rt)) /* built-ins never use the handle's error channel; keep it empty anyway */
        clear_error(fz_rt);

    snprintf(what, sizeof(what), "%s.%s", fz_functions[fidx % FZ_NFUNCS].module, fz_functions[fidx % FZ_NFUNCS].name);
    fz_expect_balanced("fuzz_builtins", what);
    return 0;
}
