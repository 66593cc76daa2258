/*
 * aggregator.c: the `aggregator` module (BUILTINS.md §2): metrics, service checks, events,
 * histogram buckets and event-platform events, handed to the host's submit_* callbacks.
 *
 * Every function is positional-only (METH_FASTCALL without keywords, so CPython itself rejects
 * keyword arguments with "... takes no keyword arguments"), returns None, tests its callback
 * before parsing anything (§1.3), and calls it with the GIL held. The check instance (argument 1)
 * is accepted and ignored.
 *
 * Strings reach the host borrowed: the parsed arguments point into their str objects (which the
 * caller's argument vector keeps alive), and the tag arrays (rtl_strv_t) lend the tags' own
 * buffers while holding a reference to each tag, released after the callback: a callback that
 * runs Python and empties the tag list (forbidden by the header, tolerated by upstream, which
 * copied) cannot free a string the host is reading.
 * The event struct lives on the stack, so the spec's "could not allocate memory for event" cannot
 * occur here.
 */
#include "args.h"
#include "builtins.h"
#include "convert.h"
#include "pycompat.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

#define RTL_ERR_EVENT_NOT_DICT "event must be a dict"
#define RTL_ERR_EVENT_TOO_LARGE "event is too large"

/* The event_t string fields and the dict keys they come from (§2.3). */
static const struct {
    const char *key;
    size_t offset;
} rtl_event_fields[] = {
    {"msg_title", offsetof(event_t, title)},
    {"msg_text", offsetof(event_t, text)},
    {"priority", offsetof(event_t, priority)},
    {"host", offsetof(event_t, host)},
    {"alert_type", offsetof(event_t, alert_type)},
    {"aggregation_key", offsetof(event_t, aggregation_key)},
    {"source_type_name", offsetof(event_t, source_type_name)},
    {"event_type", offsetof(event_t, event_type)},
};
#define RTL_EVENT_NFIELDS (sizeof(rtl_event_fields) / sizeof(rtl_event_fields[0]))
/* The event dict's keys: the fields above, then these two. */
enum { RTL_EVENT_KEY_TS = RTL_EVENT_NFIELDS, RTL_EVENT_KEY_TAGS, RTL_EVENT_NKEYS };

/* The module's state, one per interpreter (state.c), released with the module; read and written
 * with that interpreter's GIL held. Strong references first (traverse and clear walk them as an
 * array: RTL_AGG_STATE_NREFS), then plain data.
 *
 * nul_free: strings already known to hold no NUL, one slot per string argument of the submit_*
 * fast paths (check_id and hostname slots are shared by all, each name has its own): a check
 * passes the same check_id and hostname objects on every call, and often the same name, so the
 * scan runs once per new object instead of once per call. Each slot holds a strong reference, so
 * a pointer equal to it is that very (immutable, exact) str; replacing one frees at most an exact
 * str, which runs no Python code. What a miss costs: `make bench`, figure 1m.
 *
 * event_keys: the event dict's keys, interned once: a literal key in a check's source is that very
 * object, and the lookups (rtl_event_read's general case) make no str per key and per call.
 *
 * by_len: the event keys of each length (at most RTL_EVENT_SAME_LEN share one), as indexes + 1
 * (0: none), so that a dict key is matched with at most two comparisons (rtl_event_key_index).
 *
 * guess: for each position in an event dict, the key index last found there. A check builds its
 * events from the same literal, so its keys come in the same order every time: one comparison
 * with the guessed interned key, with no load from the key object, usually settles it (figure 2b:
 * about 2 ns of its 55). A wrong guess only costs the rtl_event_key_index that follows. */
enum {
    RTL_NF_CHECK_ID,
    RTL_NF_NAME,
    RTL_NF_HOSTNAME,
    RTL_NF_SC_NAME,
    RTL_NF_MESSAGE,
    RTL_NF_BUCKET_NAME,
    RTL_NF_SLOTS
};
#define RTL_EVENT_MAX_LEN 16 /* "source_type_name" */
#define RTL_EVENT_SAME_LEN 2
#define RTL_EVENT_GUESSES 16 /* a power of two */
typedef struct {
    PyObject *nul_free[RTL_NF_SLOTS];
    PyObject *event_keys[RTL_EVENT_NKEYS];
    unsigned char by_len[RTL_EVENT_MAX_LEN + 1][RTL_EVENT_SAME_LEN];
    unsigned char guess[RTL_EVENT_GUESSES];
} rtl_aggregator_state_t;
#define RTL_AGG_STATE_NREFS (offsetof(rtl_aggregator_state_t, by_len) / sizeof(PyObject *))

static inline int rtl_fast_str(PyObject *o, PyObject **slot, const char **out)
{
    Py_ssize_t n;
    PyObject *old;
    const char *s = rtl_ascii_data(o, &n);

    if (s == NULL) {
        if (!PyUnicode_CheckExact(o))
            return 0;
        s = PyUnicode_AsUTF8AndSize(o, &n); /* borrowed buffer of `o` */
        if (s == NULL) {
            PyErr_Clear(); /* the slow path raises it again */
            return 0;
        }
    }
    if (o != *slot) {
        if (memchr(s, '\0', (size_t)n) != NULL)
            return 0;
        old = *slot;
        Py_INCREF(o);
        *slot = o;
        Py_XDECREF(old);
    }
    *out = s;
    return 1;
}

/* ---- fast argument conversions ----------------------------------------------------------------
 * Each accepts only an exact type that the general parser (args.c) accepts too, and converts it
 * the same way; for anything else (subclasses, other types, out-of-range values, NULs) it returns
 * 0 with no error set, and the caller runs rtl_parse_args, which then raises CPython's exact
 * error. So the fast paths change speed only, never behaviour (figures 1 and 2 of `make bench`). */

/* 'i' / 'L': an exact int within [lo, hi] (the range of the C type it goes to). */
static inline int rtl_fast_long(PyObject *o, long lo, long hi, long *out)
{
    long l;

    if (!PyLong_CheckExact(o))
        return 0;
    if (!rtl_long_small(o, &l)) {
        l = PyLong_AsLong(o);
        if (l == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
        }
    }
    *out = l;
    return l >= lo && l <= hi;
}

/* 'd' / 'f': an exact float, or an exact int that converts. */
static inline int rtl_fast_double(PyObject *o, double *out)
{
    if (PyFloat_CheckExact(o)) {
        *out = PyFloat_AS_DOUBLE(o);
        return 1;
    }
    if (!PyLong_CheckExact(o))
        return 0;
    *out = PyLong_AsDouble(o);
    if (*out == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

/* 'b' of a flush_first_value: True or False. */
static inline int rtl_fast_flag(PyObject *o, unsigned char *out)
{
    if (o != Py_True && o != Py_False)
        return 0;
    *out = (unsigned char)(o == Py_True);
    return 1;
}

/* The module's state, or NULL (no error set) for the general path. */
static inline rtl_aggregator_state_t *rtl_fast_state(PyObject *module)
{
    rtl_aggregator_state_t *st = (rtl_aggregator_state_t *)PyModule_GetState(module);

    if (st == NULL)
        PyErr_Clear();
    return st;
}

/* submit_metric's "OsisdOs|b", the hottest call a check makes (figure 1b). */
static int rtl_fast_metric_args(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char **check_id,
                                int *mtype, const char **name, double *value, PyObject **tags, const char **hostname,
                                unsigned char *flush)
{
    rtl_aggregator_state_t *st;
    long l;

    if ((nargs != 7 && nargs != 8) || (st = rtl_fast_state(module)) == NULL)
        return 0;
    if (!rtl_fast_str(args[1], &st->nul_free[RTL_NF_CHECK_ID], check_id)
        || !rtl_fast_str(args[3], &st->nul_free[RTL_NF_NAME], name)
        || !rtl_fast_str(args[6], &st->nul_free[RTL_NF_HOSTNAME], hostname)
        || !rtl_fast_long(args[2], INT_MIN, INT_MAX, &l) || !rtl_fast_double(args[4], value)
        || (nargs == 8 && !rtl_fast_flag(args[7], flush)))
        return 0;
    *mtype = (int)l;
    *tags = args[5];
    return 1;
}

/* submit_service_check's "OssiOss" (figure 2a). */
static int rtl_fast_service_check_args(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char **check_id,
                                       const char **name, int *status, PyObject **tags, const char **hostname,
                                       const char **message)
{
    rtl_aggregator_state_t *st;
    long l;

    if (nargs != 7 || (st = rtl_fast_state(module)) == NULL)
        return 0;
    if (!rtl_fast_str(args[1], &st->nul_free[RTL_NF_CHECK_ID], check_id)
        || !rtl_fast_str(args[2], &st->nul_free[RTL_NF_SC_NAME], name) || !rtl_fast_long(args[3], INT_MIN, INT_MAX, &l)
        || !rtl_fast_str(args[5], &st->nul_free[RTL_NF_HOSTNAME], hostname)
        || !rtl_fast_str(args[6], &st->nul_free[RTL_NF_MESSAGE], message))
        return 0;
    *status = (int)l;
    *tags = args[4];
    return 1;
}

/* submit_histogram_bucket's "OssLffisO|b" (figure 2c). */
static int rtl_fast_bucket_args(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char **check_id,
                                const char **name, long long *value, float *lower, float *upper, int *monotonic,
                                const char **hostname, PyObject **tags, unsigned char *flush)
{
    rtl_aggregator_state_t *st;
    double lo, hi;
    long v, mono;

    if ((nargs != 9 && nargs != 10) || (st = rtl_fast_state(module)) == NULL)
        return 0;
    if (!rtl_fast_str(args[1], &st->nul_free[RTL_NF_CHECK_ID], check_id)
        || !rtl_fast_str(args[2], &st->nul_free[RTL_NF_BUCKET_NAME], name)
        || !rtl_fast_long(args[3], LONG_MIN, LONG_MAX, &v) || !rtl_fast_double(args[4], &lo)
        || !rtl_fast_double(args[5], &hi) || !rtl_fast_long(args[6], INT_MIN, INT_MAX, &mono)
        || !rtl_fast_str(args[7], &st->nul_free[RTL_NF_HOSTNAME], hostname)
        || (nargs == 10 && !rtl_fast_flag(args[9], flush)))
        return 0;
    *value = v; /* a long always fits a long long */
    *lower = (float)lo, *upper = (float)hi;
    *monotonic = (int)mono;
    *tags = args[8];
    return 1;
}

/* The tag array for one callback, in *sv, which the caller releases after the callback. NULL,
 * with the spec's tag error raised and *sv released, when the tags are refused. */
static inline char **rtl_agg_tags(PyObject *py_tags, rtl_strv_t *sv)
{
    rtl_strv_status_t st = rtl_strv_from_tags(sv, py_tags);

    if (st != RTL_STRV_OK) {
        rtl_strv_release(sv);
        rtl_raise_tags_error(st);
        return NULL;
    }
    return sv->v;
}

/* submit_metric(check, check_id, mtype, name, value, tags, hostname[, flush_first_value]) */
static PyObject *rtl_submit_metric(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *check, *py_tags;
    const char *check_id, *name, *hostname;
    int mtype;
    double value;
    unsigned char flush = 0;
    char **v;
    rtl_strv_t tags;

    if (rtl_cb.submit_metric == NULL)
        Py_RETURN_NONE;
    if (!rtl_fast_metric_args(self, args, nargs, &check_id, &mtype, &name, &value, &py_tags, &hostname, &flush)
        && rtl_parse_args(args, nargs, "OsisdOs|b", &check, &check_id, &mtype, &name, &value, &py_tags, &hostname,
                          &flush)
               < 0)
        return NULL;
    if ((v = rtl_agg_tags(py_tags, &tags)) == NULL)
        return NULL;
    rtl_cb.submit_metric((char *)check_id, (metric_type_t)mtype, (char *)name, value, v, (char *)hostname, flush != 0);
    rtl_strv_release(&tags);
    Py_RETURN_NONE;
}

/* submit_service_check(check, check_id, name, status, tags, hostname, message) */
static PyObject *rtl_submit_service_check(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *check, *py_tags;
    const char *check_id, *name, *hostname, *message;
    int status;
    char **v;
    rtl_strv_t tags;

    if (rtl_cb.submit_service_check == NULL)
        Py_RETURN_NONE;
    if (!rtl_fast_service_check_args(self, args, nargs, &check_id, &name, &status, &py_tags, &hostname, &message)
        && rtl_parse_args(args, nargs, "OssiOss", &check, &check_id, &name, &status, &py_tags, &hostname, &message) < 0)
        return NULL;
    if ((v = rtl_agg_tags(py_tags, &tags)) == NULL)
        return NULL;
    rtl_cb.submit_service_check((char *)check_id, (char *)name, status, v, (char *)hostname, (char *)message);
    rtl_strv_release(&tags);
    Py_RETURN_NONE;
}

/* submit_histogram_bucket(check, check_id, name, value, lower_bound, upper_bound, monotonic,
 *                         hostname, tags[, flush_first_value]) */
static PyObject *rtl_submit_histogram_bucket(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *check, *py_tags;
    const char *check_id, *name, *hostname;
    long long value;
    float lower, upper;
    int monotonic;
    unsigned char flush = 0;
    char **v;
    rtl_strv_t tags;

    if (rtl_cb.submit_histogram_bucket == NULL)
        Py_RETURN_NONE;
    if (!rtl_fast_bucket_args(self, args, nargs, &check_id, &name, &value, &lower, &upper, &monotonic, &hostname,
                              &py_tags, &flush)
        && rtl_parse_args(args, nargs, "OssLffisO|b", &check, &check_id, &name, &value, &lower, &upper, &monotonic,
                          &hostname, &py_tags, &flush)
               < 0)
        return NULL;
    if ((v = rtl_agg_tags(py_tags, &tags)) == NULL)
        return NULL;
    rtl_cb.submit_histogram_bucket((char *)check_id, (char *)name, value, lower, upper, monotonic, (char *)hostname, v,
                                   flush != 0);
    rtl_strv_release(&tags);
    Py_RETURN_NONE;
}

/* submit_event_platform_event(check, check_id, raw_event, event_type) */
static PyObject *rtl_submit_event_platform_event(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *check;
    const char *check_id, *raw, *event_type;
    Py_ssize_t raw_len;

    (void)self;
    if (rtl_cb.submit_event_platform_event == NULL)
        Py_RETURN_NONE;
    if (rtl_parse_args(args, nargs, "Oss#s", &check, &check_id, &raw, &raw_len, &event_type) < 0)
        return NULL;
    if (raw_len > INT_MAX) {
        PyErr_SetString(PyExc_ValueError, RTL_ERR_EVENT_TOO_LARGE);
        return NULL;
    }
    /* raw is borrowed and not NUL-terminated by contract (bytes-like objects may lack one). */
    rtl_cb.submit_event_platform_event((char *)check_id, (char *)raw, (int)raw_len, (char *)event_type);
    Py_RETURN_NONE;
}

/* The event dict's key for index i (rtl_event_fields, then timestamp and tags). */
static const char *rtl_event_key_name(size_t i)
{
    return i < RTL_EVENT_NFIELDS ? rtl_event_fields[i].key : i == RTL_EVENT_KEY_TS ? "timestamp" : "tags";
}

/* timestamp: a C long; a failed conversion, or -1, gives 0 ("now") with the error cleared. An exact
 * int of up to two digits (any Unix time) is read inline; anything else goes through PyLong_AsLong
 * (which may call __index__), except floats, which PyLong_AsLong refuses from 3.10 on. */
static long rtl_event_ts(PyObject *ts)
{
    long v;

    if (ts == NULL)
        return 0;
    if (!PyLong_CheckExact(ts) || !rtl_long_two_digits(ts, &v)) {
        if (PyFloat_Check(ts))
            return 0;
        v = PyLong_AsLong(ts);
        if (v == -1)
            PyErr_Clear();
    }
    return v == -1 ? 0 : v;
}

/* A dict key's index among the event keys, or RTL_EVENT_NKEYS for any other key. Only for an exact
 * str: its equality with another exact str is its content, so this finds what a dict lookup would.
 * The candidates are the keys of its length: the interned name itself (a literal key in the check's
 * source is that very object) or else an ASCII str of the same characters (the names are ASCII). */
static inline size_t rtl_event_key_index(const rtl_aggregator_state_t *mst, PyObject *key)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(key);
    const unsigned char *c;
    const char *s;
    int j;

    if (n > RTL_EVENT_MAX_LEN)
        return RTL_EVENT_NKEYS;
    c = mst->by_len[n];
    for (j = 0; j < RTL_EVENT_SAME_LEN && c[j] != 0; j++)
        if (key == mst->event_keys[c[j] - 1])
            return c[j] - 1u;
    if ((s = rtl_ascii_data(key, NULL)) == NULL)
        return RTL_EVENT_NKEYS;
    for (j = 0; j < RTL_EVENT_SAME_LEN && c[j] != 0; j++)
        if (memcmp(rtl_event_key_name(c[j] - 1u), s, (size_t)n) == 0)
            return c[j] - 1u;
    return RTL_EVENT_NKEYS;
}

/* What submit_event reads from its dict: the event's strings (lent from the values), and the
 * timestamp and tags objects, with a strong reference to every value used (held[0..n)), so that
 * the lent strings outlive any Python code that runs before the callback returns (__index__ of
 * the timestamp, __getitem__ of a tag sequence, a callback that runs Python). */
typedef struct {
    event_t ev;
    PyObject *ts, *tags; /* borrowed from held, or NULL when absent */
    PyObject *held[RTL_EVENT_NKEYS];
    int n;
} rtl_event_read_t;

static void rtl_event_read_init(rtl_event_read_t *r)
{
    memset(&r->ev, 0, sizeof(r->ev));
    r->ts = r->tags = NULL;
    r->n = 0;
}

static void rtl_event_read_release(rtl_event_read_t *r)
{
    while (r->n > 0)
        Py_DECREF(r->held[--r->n]);
}

/* Take the value v (borrowed) of event key i. Each key is taken at most once. */
static inline void rtl_event_take(rtl_event_read_t *r, size_t i, PyObject *v)
{
    const char *s;

    Py_INCREF(v);
    r->held[r->n++] = v;
    if (i == RTL_EVENT_KEY_TS)
        r->ts = v;
    else if (i == RTL_EVENT_KEY_TAGS)
        r->tags = v;
    else {
        if ((s = rtl_ascii_data(v, NULL)) == NULL)
            s = rtl_borrow_string(v);
        *(const char **)((char *)&r->ev + rtl_event_fields[i].offset) = s;
    }
}

/* Dicts up to this size are walked once instead of looked up RTL_EVENT_NKEYS times. */
#define RTL_EVENT_WALK_MAX 16

/*
 * Read the event dict into r (initialised here). Returns 0, or -1 with the lookup's exception set
 * (a key whose __eq__ raises) and r holding nothing.
 *
 * The fast case, measured by figure 2b (`make bench`): a small dict whose keys are all exact strs
 * is walked once, each key matched by the guess for its position, else by its length
 * (rtl_event_key_index). For such keys this finds exactly what the lookups find, and runs no
 * Python code. Any other key (a str subclass, an object with its own
 * __eq__) could equal a name in its own way: the dict is then looked up key by key, in order.
 */
static int rtl_event_read(rtl_aggregator_state_t *mst, PyObject *dict, rtl_event_read_t *r)
{
    PyObject *k = NULL, *v;
    Py_ssize_t pos = 0;
    size_t i;

    rtl_event_read_init(r);
    if (PyDict_GET_SIZE(dict) <= RTL_EVENT_WALK_MAX) {
        while (rtl_dict_next(dict, &pos, &k, &v) && PyUnicode_CheckExact(k)) {           /* borrowed */
            unsigned char *g = &mst->guess[(size_t)(pos - 1) & (RTL_EVENT_GUESSES - 1)]; /* pos: entry + 1 */
            if (k == mst->event_keys[*g])
                i = *g;
            else if ((i = rtl_event_key_index(mst, k)) < RTL_EVENT_NKEYS)
                *g = (unsigned char)i;
            if (i < RTL_EVENT_NKEYS)
                rtl_event_take(r, i, v);
            k = NULL;
        }
        if (k == NULL) /* walked to the end */
            return 0;
        rtl_event_read_release(r); /* a key that is not an exact str: start again, by lookups */
        rtl_event_read_init(r);
    }
    for (i = 0; i < RTL_EVENT_NKEYS; i++) {
        v = PyDict_GetItemWithError(dict, mst->event_keys[i]); /* borrowed, or NULL */
        if (v != NULL)
            rtl_event_take(r, i, v); /* held: a later lookup's __eq__ may remove it */
        else if (PyErr_Occurred()) {
            rtl_event_read_release(r);
            return -1;
        }
    }
    return 0;
}

/* submit_event(check, check_id, event) */
static PyObject *rtl_submit_event(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *check, *dict, *ret = NULL;
    const char *check_id;
    rtl_aggregator_state_t *mst;
    rtl_event_read_t r;
    rtl_strv_t tags;

    if (rtl_cb.submit_event == NULL)
        Py_RETURN_NONE;
    if ((mst = (rtl_aggregator_state_t *)PyModule_GetState(self)) == NULL)
        return NULL;
    if (nargs == 3 && rtl_fast_str(args[1], &mst->nul_free[RTL_NF_CHECK_ID], &check_id))
        dict = args[2]; /* what the parser gives for an exact, NUL-free str check_id */
    else if (rtl_parse_args(args, nargs, "OsO", &check, &check_id, &dict) < 0)
        return NULL;
    if (!PyDict_Check(dict)) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_EVENT_NOT_DICT);
        return NULL;
    }
    if (rtl_event_read(mst, dict, &r) < 0)
        return NULL; /* a lookup raised: nothing is submitted */

    r.ev.ts = rtl_event_ts(r.ts); /* may run __index__: the values are held */
    if (r.tags == NULL || (r.ev.tags = rtl_agg_tags(r.tags, &tags)) != NULL) { /* absent: tags = NULL */
        rtl_cb.submit_event((char *)check_id, &r.ev);
        if (r.tags != NULL)
            rtl_strv_release(&tags);
        ret = Py_None;
        Py_INCREF(ret);
    }
    rtl_event_read_release(&r);
    return ret;
}

static PyMethodDef rtl_aggregator_methods[] = {
    {"submit_metric", RTL_METH(rtl_submit_metric), METH_FASTCALL, "Submit metrics."},
    {"submit_service_check", RTL_METH(rtl_submit_service_check), METH_FASTCALL, "Submit service checks."},
    {"submit_event", RTL_METH(rtl_submit_event), METH_FASTCALL, "Submit events."},
    {"submit_histogram_bucket", RTL_METH(rtl_submit_histogram_bucket), METH_FASTCALL, "Submit histogram bucket."},
    {"submit_event_platform_event", RTL_METH(rtl_submit_event_platform_event), METH_FASTCALL,
     "Submit event platform event."},
    {NULL, NULL, 0, NULL},
};

/* Py_mod_exec: the metric type constants (§2). */
static int rtl_aggregator_exec(PyObject *m)
{
    static const struct {
        const char *name;
        long value;
    } consts[] = {
        {"GAUGE", DATADOG_AGENT_RTLOADER_GAUGE},         {"RATE", DATADOG_AGENT_RTLOADER_RATE},
        {"COUNT", DATADOG_AGENT_RTLOADER_COUNT},         {"MONOTONIC_COUNT", DATADOG_AGENT_RTLOADER_MONOTONIC_COUNT},
        {"COUNTER", DATADOG_AGENT_RTLOADER_COUNTER},     {"HISTOGRAM", DATADOG_AGENT_RTLOADER_HISTOGRAM},
        {"HISTORATE", DATADOG_AGENT_RTLOADER_HISTORATE},
    };
    rtl_aggregator_state_t *st = (rtl_aggregator_state_t *)PyModule_GetState(m);
    size_t i;

    if (st == NULL)
        return -1;
    for (i = 0; i < sizeof(consts) / sizeof(consts[0]); i++)
        if (PyModule_AddIntConstant(m, consts[i].name, consts[i].value) < 0)
            return -1;
    for (i = 0; i < RTL_EVENT_NKEYS; i++) {
        size_t n = strlen(rtl_event_key_name(i));
        int j = 0;
        while (j < RTL_EVENT_SAME_LEN && n <= RTL_EVENT_MAX_LEN && st->by_len[n][j] != 0)
            j++;
        if (n > RTL_EVENT_MAX_LEN || j == RTL_EVENT_SAME_LEN) { /* a new key: widen the table */
            PyErr_SetString(PyExc_SystemError, "aggregator: event key table too small");
            return -1;
        }
        st->by_len[n][j] = (unsigned char)(i + 1);
        if ((st->event_keys[i] = PyUnicode_InternFromString(rtl_event_key_name(i))) == NULL) /* new ref */
            return -1;
    }
    return 0;
}

/* The state as the array of strong references it is. */
static PyObject **rtl_aggregator_refs(PyObject *m)
{
    return (PyObject **)PyModule_GetState(m);
}

static int rtl_aggregator_traverse(PyObject *m, visitproc visit, void *arg)
{
    PyObject **refs = rtl_aggregator_refs(m);
    size_t i;

    if (refs != NULL)
        for (i = 0; i < RTL_AGG_STATE_NREFS; i++)
            Py_VISIT(refs[i]);
    return 0;
}

static int rtl_aggregator_clear(PyObject *m)
{
    PyObject **refs = rtl_aggregator_refs(m);
    size_t i;

    if (refs != NULL)
        for (i = 0; i < RTL_AGG_STATE_NREFS; i++)
            Py_CLEAR(refs[i]);
    return 0;
}

static void rtl_aggregator_free(void *m)
{
    rtl_aggregator_clear((PyObject *)m);
}

static PyModuleDef_Slot rtl_aggregator_slots[] = RTL_MODULE_SLOTS_EXEC(rtl_aggregator_exec);

static struct PyModuleDef rtl_aggregator_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "aggregator",
    .m_size = sizeof(rtl_aggregator_state_t),
    .m_methods = rtl_aggregator_methods,
    .m_slots = rtl_aggregator_slots,
    .m_traverse = rtl_aggregator_traverse,
    .m_clear = rtl_aggregator_clear,
    .m_free = rtl_aggregator_free,
};

PyObject *rtl_init_aggregator(void)
{
    return PyModuleDef_Init(&rtl_aggregator_def);
}
