/*
 * convert.c: the conversion layer every built-in module shares.
 *
 * Four jobs, written once:
 *
 *  1. stringutils (BUILTINS.md §9.1): as_string, from_json, as_json, with json.loads/json.dumps
 *     cached at init. The backend core uses them too.
 *
 *  2. Argument parsing for METH_FASTCALL functions. Upstream registers METH_VARARGS functions and
 *     calls PyArg_ParseTuple(AndKeywords), which costs a tuple (and a dict) per call. Here the
 *     functions receive the vectorcall argument vector and rtl_parse_args walks a PyArg-style
 *     format over it. The messages are CPython's own (Python/getargs.c, 3.8 to 3.13), because
 *     callers and tests match on them: "function takes exactly 1 argument (0 given)", "argument 2
 *     must be str, not int", "get_subprocess_output() missing required argument 'command' (pos 1)".
 *     The private _PyArg_Parse* helpers would give those for free, but they change between minor
 *     versions; this file uses only the public API. Two wordings moved between versions and are
 *     kept per version: integer units reject float with 3.8/3.9's "integer argument expected, got
 *     float", and 3.13 reworded the unknown-keyword error.
 *
 *  3. String arrays for callbacks (tags, argv). The spec lets the project lend pointers into the
 *     Python objects instead of as_string copies, provided the host sees exactly as_string's
 *     result (§1.6). rtl_strv_t does that: each string is the object's own UTF-8 (str) or data
 *     (bytes) buffer, both NUL-terminated, so a C reader stops where as_string's copy would. The
 *     array holds a strong reference to every object it lends from, which keeps the buffers alive
 *     even when arbitrary code runs meanwhile (a finaliser triggered by an allocation, another
 *     thread while the GIL is released for the subprocess callback). Up to RTL_STRV_STACK strings
 *     need no allocation at all; beyond that one rtl_malloc block holds both arrays.
 *
 *  4. Strings coming back from the host (§1.7): strict UTF-8 decoding, every host buffer released
 *     with rtl_cgo_free on every path, and no partially built container ever escapes.
 *
 * Error texts shared by several modules are defined here, once.
 */
#include "convert.h"
#include "rtl_size.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#define RTL_ERR_TAGS_NOT_SEQUENCE "tags must be a sequence"
#define RTL_ERR_TAGS_LENGTH "could not compute tags length"
#define RTL_ERR_TAGS_MEMORY "could not allocate memory for tags"

/* json.loads / json.dumps: strong references, taken once by rtl_init_stringutils, never released
 * (the interpreter is never finalised while the process keeps using rtloader). */
static PyObject *rtl_json_loads = NULL;
static PyObject *rtl_json_dumps = NULL;

/* ============================================================================================ */
/* stringutils                                                                                   */
/* ============================================================================================ */

int rtl_init_stringutils(void)
{
    PyObject *json = NULL, *loads = NULL, *dumps = NULL;
    int ret = EXIT_FAILURE;

    json = PyImport_ImportModule("json"); /* new reference */
    if (json == NULL)
        goto done;
    loads = PyObject_GetAttrString(json, "loads"); /* new reference */
    if (loads == NULL)
        goto done;
    dumps = PyObject_GetAttrString(json, "dumps"); /* new reference */
    if (dumps == NULL)
        goto done;

    /* A second init (after a failed one, or another handle) replaces the cached pair. */
    Py_XSETREF(rtl_json_loads, loads);
    Py_XSETREF(rtl_json_dumps, dumps);
    loads = dumps = NULL;
    ret = EXIT_SUCCESS;
done:
    Py_XDECREF(json);
    Py_XDECREF(loads);
    Py_XDECREF(dumps);
    return ret;
}

const char *rtl_borrow_string(PyObject *obj)
{
    const char *s;

    if (obj == NULL)
        return NULL;
    if (PyBytes_Check(obj))
        return PyBytes_AS_STRING(obj); /* the bytes' own buffer, always NUL-terminated */
    if (!PyUnicode_Check(obj))
        return NULL; /* any other type: NULL with no error (§9.1) */
    /* The UTF-8 form is cached inside the str object and lives as long as it does. */
    s = PyUnicode_AsUTF8AndSize(obj, NULL);
    if (s == NULL)
        PyErr_Clear(); /* lone surrogates: as_string clears the UnicodeEncodeError */
    return s;
}

char *rtl_as_string(PyObject *obj)
{
    const char *s = rtl_borrow_string(obj);

    /* rtl_strdup copies up to the first NUL, which is where as_string cuts bytes and str. */
    return s ? rtl_strdup(s) : NULL;
}

PyObject *rtl_from_json(const char *data)
{
    PyObject *text, *ret;

    if (data == NULL || rtl_json_loads == NULL)
        return NULL;
    text = rtl_str_from_host(data); /* new reference; UnicodeDecodeError on invalid UTF-8 */
    if (text == NULL)
        return NULL;
    ret = PyObject_CallFunctionObjArgs(rtl_json_loads, text, NULL); /* new reference */
    Py_DECREF(text);
    return ret;
}

char *rtl_as_json(PyObject *obj)
{
    PyObject *text;
    char *ret;

    if (obj == NULL || rtl_json_dumps == NULL)
        return NULL;
    text = PyObject_CallFunctionObjArgs(rtl_json_dumps, obj, NULL); /* new reference */
    if (text == NULL)
        return NULL; /* the TypeError of an unserialisable value stays set */
    ret = rtl_as_string(text);
    Py_DECREF(text);
    if (ret == NULL && !PyErr_Occurred())
        PyErr_NoMemory();
    return ret;
}

/* ============================================================================================ */
/* argument parsing                                                                              */
/* ============================================================================================ */

typedef struct {
    const char *fname; /* the text after ':' in the format, or NULL */
    int len;           /* number of units */
} rtl_fmt_t;

static void rtl_fmt_scan(const char *f, rtl_fmt_t *fi)
{
    fi->fname = NULL;
    fi->len = 0;
    for (; *f; f++) {
        if (*f == ':') {
            fi->fname = f + 1;
            return;
        }
        if (*f != '|' && *f != '$' && *f != '#')
            fi->len++;
    }
}

/* "function" or "name()", as getargs.c prints the callee. */
static const char *rtl_fn(const rtl_fmt_t *fi, char *buf, size_t n)
{
    if (fi->fname == NULL)
        return "function";
    snprintf(buf, n, "%.200s()", fi->fname);
    return buf;
}

/* getargs.c's converterr + seterror: "[name() ]argument N must be <expected>, not <type>". */
static void rtl_arg_type_error(const rtl_fmt_t *fi, int argno, const char *expected, PyObject *arg)
{
    char msg[512];

    snprintf(msg, sizeof(msg), "%.200s%sargument %d must be %.50s, not %.50s", fi->fname ? fi->fname : "",
             fi->fname ? "() " : "", argno, expected, arg == Py_None ? "None" : Py_TYPE(arg)->tp_name);
    PyErr_SetString(PyExc_TypeError, msg);
}

/* 's'/'z': the str's cached UTF-8, borrowed; rejects embedded NULs like CPython. */
static int rtl_conv_str(const rtl_fmt_t *fi, int argno, PyObject *arg, int none_ok, const char **out)
{
    const char *s;
    Py_ssize_t len;

    if (none_ok && arg == Py_None) {
        *out = NULL;
        return 0;
    }
    if (!PyUnicode_Check(arg)) {
        rtl_arg_type_error(fi, argno, none_ok ? "str or None" : "str", arg);
        return -1;
    }
    s = PyUnicode_AsUTF8AndSize(arg, &len); /* borrowed from arg; UnicodeEncodeError stays set */
    if (s == NULL)
        return -1;
    if (memchr(s, '\0', (size_t)len) != NULL) {
        PyErr_SetString(PyExc_ValueError, "embedded null character");
        return -1;
    }
    *out = s;
    return 0;
}

/* 's#': a str's UTF-8, or the buffer of a read-only bytes-like object (borrowed, NULs allowed). */
static int rtl_conv_buf(const rtl_fmt_t *fi, int argno, PyObject *arg, const char **out, Py_ssize_t *outlen)
{
    PyBufferProcs *pb;
    Py_buffer view;

    if (PyUnicode_Check(arg)) {
        *out = PyUnicode_AsUTF8AndSize(arg, outlen); /* borrowed from arg */
        return *out ? 0 : -1;
    }
    /* As getargs.c's convertbuffer: a type that needs bf_releasebuffer could move or free the
     * buffer once released, so only "read-only" objects like bytes lend theirs. */
    pb = Py_TYPE(arg)->tp_as_buffer;
    if (pb != NULL && pb->bf_releasebuffer != NULL) {
        rtl_arg_type_error(fi, argno, "read-only bytes-like object", arg);
        return -1;
    }
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) != 0)
        return -1; /* "a bytes-like object is required, not '<type>'" is set */
    *out = (const char *)view.buf;
    *outlen = view.len;
    PyBuffer_Release(&view); /* no bf_releasebuffer: the data stays valid while arg lives */
    return 0;
}

/* PyLong_AsLong as the integer units use it, with 3.8/3.9's float rejection. */
static int rtl_conv_long(PyObject *arg, long *out)
{
#if PY_VERSION_HEX < 0x030A0000
    if (PyFloat_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "integer argument expected, got float");
        return -1;
    }
#endif
    *out = PyLong_AsLong(arg);
    return (*out == -1 && PyErr_Occurred()) ? -1 : 0;
}

/* Convert one unit at *f (advanced past it) into the next va_arg output(s). */
static int rtl_conv(const rtl_fmt_t *fi, const char **f, int argno, PyObject *arg, va_list *ap)
{
    char c = *(*f)++;
    long l;
    double d;

    switch (c) {
    case 'O':
        *va_arg(*ap, PyObject **) = arg; /* borrowed */
        return 0;
    case 's':
        if (**f == '#') {
            const char **p;
            (*f)++;
            p = va_arg(*ap, const char **);
            return rtl_conv_buf(fi, argno, arg, p, va_arg(*ap, Py_ssize_t *));
        }
        return rtl_conv_str(fi, argno, arg, 0, va_arg(*ap, const char **));
    case 'z': return rtl_conv_str(fi, argno, arg, 1, va_arg(*ap, const char **));
    case 'i':
        if (rtl_conv_long(arg, &l) < 0)
            return -1;
        if (l > INT_MAX || l < INT_MIN) {
            PyErr_SetString(PyExc_OverflowError, l > INT_MAX ? "signed integer is greater than maximum"
                                                             : "signed integer is less than minimum");
            return -1;
        }
        *va_arg(*ap, int *) = (int)l;
        return 0;
    case 'b':
        if (rtl_conv_long(arg, &l) < 0)
            return -1;
        if (l < 0 || l > UCHAR_MAX) {
            PyErr_SetString(PyExc_OverflowError, l < 0 ? "unsigned byte integer is less than minimum"
                                                       : "unsigned byte integer is greater than maximum");
            return -1;
        }
        *va_arg(*ap, unsigned char *) = (unsigned char)l;
        return 0;
    case 'L': {
        long long ll;
#if PY_VERSION_HEX < 0x030A0000
        if (PyFloat_Check(arg)) {
            PyErr_SetString(PyExc_TypeError, "integer argument expected, got float");
            return -1;
        }
#endif
        ll = PyLong_AsLongLong(arg);
        if (ll == -1 && PyErr_Occurred())
            return -1;
        *va_arg(*ap, long long *) = ll;
        return 0;
    }
    case 'd':
    case 'f':
        d = PyFloat_AsDouble(arg);
        if (d == -1.0 && PyErr_Occurred())
            return -1;
        if (c == 'd')
            *va_arg(*ap, double *) = d;
        else
            *va_arg(*ap, float *) = (float)d;
        return 0;
    default: PyErr_Format(PyExc_SystemError, "rtloader: bad format unit '%c'", c); return -1;
    }
}

/* Step over a unit whose argument is absent, consuming its outputs. */
static void rtl_skip(const char **f, va_list *ap)
{
    char c = *(*f)++;

    (void)va_arg(*ap, void *);
    if (c == 's' && **f == '#') {
        (*f)++;
        (void)va_arg(*ap, void *);
    }
}

/* Skip '|' and '$' markers, noting where they occur. */
static void rtl_markers(const char **f, int i, int *min, int *max)
{
    for (;;) {
        if (**f == '|')
            *min = i;
        else if (**f == '$')
            *max = i;
        else
            return;
        (*f)++;
    }
}

/* PyArg_ParseTuple over a vector (getargs.c's vgetargs1). */
static int rtl_parse_positional(PyObject *const *args, Py_ssize_t nargs, const char *f, const rtl_fmt_t *fi,
                                va_list *ap)
{
    int min = INT_MAX, max = INT_MAX, i;
    const char *p;
    char fn[256];

    /* min: index of '|'. */
    for (p = f, i = 0; *p && *p != ':'; p++) {
        if (*p == '|')
            min = i;
        else if (*p != '#' && *p != '$')
            i++;
    }
    max = fi->len;
    if (min > max)
        min = max;
    if (nargs < min || nargs > max) {
        int n = nargs < min ? min : max;
        PyErr_Format(PyExc_TypeError, "%s takes %s %d argument%s (%zd given)", rtl_fn(fi, fn, sizeof(fn)),
                     min == max    ? "exactly"
                     : nargs < min ? "at least"
                                   : "at most",
                     n, n == 1 ? "" : "s", nargs);
        return -1;
    }
    for (i = 0; i < fi->len; i++) {
        int dummy_min, dummy_max;
        rtl_markers(&f, i, &dummy_min, &dummy_max);
        if (i < nargs) {
            if (rtl_conv(fi, &f, i + 1, args[i], ap) < 0)
                return -1;
        } else {
            rtl_skip(&f, ap);
        }
    }
    return 0;
}

static PyObject *rtl_kw_get(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, const char *name)
{
    Py_ssize_t j, n = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;

    for (j = 0; j < n; j++)
        if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, j), name) == 0)
            return args[nargs + j]; /* borrowed */
    return NULL;
}

/* PyArg_ParseTupleAndKeywords over a vector (getargs.c's vgetargskeywords), message for
 * message, including the order in which the checks fire. */
static int rtl_parse_keywords(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, const char *f,
                              const rtl_fmt_t *fi, const char *const *kwlist, va_list *ap)
{
    int len = fi->len, pos, min = INT_MAX, max = INT_MAX, i, skip = 0;
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0, j;
    char fn[256];

    for (pos = 0; pos < len && kwlist[pos][0] == '\0'; pos++) {
    }
    if (nargs + nkw > len) {
        PyErr_Format(PyExc_TypeError, "%s takes at most %d %sargument%s (%zd given)", rtl_fn(fi, fn, sizeof(fn)), len,
                     nargs == 0 ? "keyword " : "", len == 1 ? "" : "s", nargs + nkw);
        return -1;
    }
    for (i = 0; i < len; i++) {
        PyObject *arg = NULL;
        int newmax = max;

        rtl_markers(&f, i, &min, &newmax);
        if (newmax != max) {
            max = newmax;
            if (skip)
                break;
            if (max < nargs) {
                if (max == 0)
                    PyErr_Format(PyExc_TypeError, "%s takes no positional arguments", rtl_fn(fi, fn, sizeof(fn)));
                else
                    PyErr_Format(PyExc_TypeError, "%s takes %s %d positional argument%s (%zd given)",
                                 rtl_fn(fi, fn, sizeof(fn)), min != INT_MAX ? "at most" : "exactly", max,
                                 max == 1 ? "" : "s", nargs);
                return -1;
            }
        }
        if (!skip) {
            if (i < nargs) {
                arg = args[i];
            } else if (nkw && i >= pos) {
                arg = rtl_kw_get(args, nargs, kwnames, kwlist[i]);
                if (arg)
                    nkw--;
            }
            if (arg) {
                if (rtl_conv(fi, &f, i + 1, arg, ap) < 0)
                    return -1;
                continue;
            }
            if (i < min) {
                if (i < pos) {
                    skip = 1; /* report once the positional bounds are known */
                } else {
                    PyErr_Format(PyExc_TypeError, "%s missing required argument '%s' (pos %d)",
                                 rtl_fn(fi, fn, sizeof(fn)), kwlist[i], i + 1);
                    return -1;
                }
            }
            if (!nkw && !skip)
                return 0; /* everything left is optional and absent */
        }
        rtl_skip(&f, ap);
    }
    if (skip) {
        int m = pos < min ? pos : min;
        PyErr_Format(PyExc_TypeError, "%s takes %s %d positional argument%s (%zd given)", rtl_fn(fi, fn, sizeof(fn)),
                     m < i ? "at least" : "exactly", m, m == 1 ? "" : "s", nargs);
        return -1;
    }
    if (nkw > 0) {
        Py_ssize_t total = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
        /* given by name and by position */
        for (i = pos; i < nargs; i++) {
            if (rtl_kw_get(args, nargs, kwnames, kwlist[i]) != NULL) {
                PyErr_Format(PyExc_TypeError, "argument for %s given by name ('%s') and position (%d)",
                             rtl_fn(fi, fn, sizeof(fn)), kwlist[i], i + 1);
                return -1;
            }
        }
        /* unknown names (and names of positional-only parameters) */
        for (j = 0; j < total; j++) {
            PyObject *key = PyTuple_GET_ITEM(kwnames, j); /* borrowed */
            int match = 0;
            for (i = pos; i < len && !match; i++)
                match = PyUnicode_CompareWithASCIIString(key, kwlist[i]) == 0;
            if (!match) {
#if PY_VERSION_HEX >= 0x030D0000
                PyErr_Format(PyExc_TypeError, "%s%s got an unexpected keyword argument '%S'",
                             fi->fname ? fi->fname : "this function", fi->fname ? "()" : "", key);
#else
                PyErr_Format(PyExc_TypeError, "'%U' is an invalid keyword argument for %s%s", key,
                             fi->fname ? fi->fname : "this function", fi->fname ? "()" : "");
#endif
                return -1;
            }
        }
    }
    return 0;
}

int rtl_parse_args(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, const char *format,
                   const char *const *kwlist, ...)
{
    rtl_fmt_t fi;
    va_list ap;
    int ret;

    rtl_fmt_scan(format, &fi);
    va_start(ap, kwlist);
    if (kwlist == NULL)
        ret = rtl_parse_positional(args, nargs, format, &fi, &ap);
    else
        ret = rtl_parse_keywords(args, nargs, kwnames, format, &fi, kwlist, &ap);
    va_end(ap);
    return ret;
}

/* ============================================================================================ */
/* string arrays                                                                                 */
/* ============================================================================================ */

rtl_strv_status_t rtl_strv_init(rtl_strv_t *sv, Py_ssize_t len)
{
    size_t n, bytes;

    sv->n = 0;
    sv->nrefs = 0;
    sv->heap = NULL;
    sv->v = sv->stack_v;
    sv->refs = sv->stack_refs;
    sv->v[0] = NULL;
    if (len <= RTL_STRV_STACK)
        return RTL_STRV_OK;

    /* One block: len + 1 string pointers, then len object pointers. */
    n = (size_t)len;
    if (!rtl_array_size(2 * n + 1, sizeof(void *), 0, &bytes)) /* 2n + 1 fits: n <= PY_SSIZE_T_MAX */
        return RTL_STRV_TOO_LARGE;
    sv->heap = rtl_malloc(bytes);
    if (sv->heap == NULL)
        return RTL_STRV_NO_MEMORY;
    sv->v = (char **)sv->heap;
    sv->refs = (PyObject **)(sv->v + n + 1);
    sv->v[0] = NULL;
    return RTL_STRV_OK;
}

int rtl_strv_push(rtl_strv_t *sv, PyObject *obj)
{
    const char *s = rtl_borrow_string(obj);

    if (s == NULL) {
        Py_XDECREF(obj);
        return 0;
    }
    sv->refs[sv->nrefs++] = obj; /* keeps s alive */
    sv->v[sv->n++] = (char *)s;
    sv->v[sv->n] = NULL;
    return 1;
}

void rtl_strv_release(rtl_strv_t *sv)
{
    Py_ssize_t i;

    for (i = 0; i < sv->nrefs; i++)
        Py_DECREF(sv->refs[i]);
    sv->n = 0;
    sv->nrefs = 0;
    if (sv->heap != NULL) {
        rtl_free(sv->heap);
        sv->heap = NULL;
    }
    sv->v = sv->stack_v;
    sv->refs = sv->stack_refs;
    sv->v[0] = NULL;
}

rtl_strv_status_t rtl_strv_from_tags(rtl_strv_t *sv, PyObject *seq)
{
    rtl_strv_status_t st;
    Py_ssize_t len, i;

    rtl_strv_init(sv, 0);
    if (PyList_CheckExact(seq) || PyTuple_CheckExact(seq)) {
        len = PySequence_Fast_GET_SIZE(seq); /* what the general calls below would return */
    } else {
        if (!PySequence_Check(seq))
            return RTL_STRV_NOT_SEQUENCE;
        len = PySequence_Size(seq);
        if (len < 0) {
            PyErr_Clear();
            return RTL_STRV_NO_LENGTH;
        }
    }
    st = rtl_strv_init(sv, len);
    if (st != RTL_STRV_OK)
        return st;
    if (PyList_Check(seq) || PyTuple_Check(seq)) {
        /* Fastest path, the usual one: every item an exact ASCII str, lent without references
         * (nrefs stays 0, so release has nothing to drop). */
        Py_ssize_t lent = rtl_tags_lend(seq, sv->v, len);
        if (lent >= 0) {
            sv->n = lent;
            return RTL_STRV_OK;
        }
        sv->v[0] = NULL; /* start again, with references: converting may now run Python code */
        /* Fast path: borrowed items, each kept alive by its own reference in sv. The size is
         * re-read on every step in case a finaliser shrinks a list meanwhile. */
        for (i = 0; i < len && i < PySequence_Fast_GET_SIZE(seq); i++) {
            PyObject *item = PySequence_Fast_GET_ITEM(seq, i); /* borrowed */
            Py_INCREF(item);
            rtl_strv_push(sv, item); /* steals */
        }
        return RTL_STRV_OK;
    }
    for (i = 0; i < len; i++) {
        PyObject *item = PySequence_GetItem(seq, i); /* new reference, or NULL */
        if (item == NULL) {
            PyErr_Clear(); /* an item that cannot be fetched is skipped */
            continue;
        }
        rtl_strv_push(sv, item); /* steals */
    }
    return RTL_STRV_OK;
}

rtl_strv_status_t rtl_strv_from_list(rtl_strv_t *sv, PyObject *list, int strict)
{
    rtl_strv_status_t st;
    Py_ssize_t len = PyList_GET_SIZE(list), i;

    st = rtl_strv_init(sv, len);
    if (st != RTL_STRV_OK)
        return st;
    for (i = 0; i < len && i < PyList_GET_SIZE(list); i++) {
        PyObject *item = PyList_GET_ITEM(list, i); /* borrowed */
        Py_INCREF(item);
        if (!rtl_strv_push(sv, item) && strict) /* steals */
            return RTL_STRV_BAD_ITEM;
    }
    return RTL_STRV_OK;
}

void rtl_raise_tags_error(rtl_strv_status_t st)
{
    switch (st) {
    case RTL_STRV_OK: break;
    case RTL_STRV_NOT_SEQUENCE: PyErr_SetString(PyExc_TypeError, RTL_ERR_TAGS_NOT_SEQUENCE); break;
    case RTL_STRV_NO_LENGTH: PyErr_SetString(PyExc_RuntimeError, RTL_ERR_TAGS_LENGTH); break;
    case RTL_STRV_TOO_LARGE:
    case RTL_STRV_NO_MEMORY:
    case RTL_STRV_BAD_ITEM: PyErr_SetString(PyExc_RuntimeError, RTL_ERR_TAGS_MEMORY); break;
    }
}

/* ============================================================================================ */
/* host strings                                                                                  */
/* ============================================================================================ */

PyObject *rtl_str_from_host(const char *s)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), NULL); /* new reference, strict */
}

PyObject *rtl_take_host_str_or_none(char *s)
{
    PyObject *ret;

    if (s == NULL)
        Py_RETURN_NONE;
    ret = rtl_str_from_host(s);
    rtl_cgo_free(s);
    return ret;
}

void rtl_raise_host_message(PyObject *exc, const char *msg)
{
    PyObject *text = rtl_str_from_host(msg); /* new reference */

    if (text == NULL)
        return; /* the UnicodeDecodeError is raised instead */
    PyErr_SetObject(exc, text);
    Py_DECREF(text);
}

PyObject *rtl_take_host_strv_list(char **v)
{
    PyObject *list = NULL;
    Py_ssize_t n = 0, i;

    if (v == NULL)
        return PyList_New(0);
    while (v[n] != NULL)
        n++;
    list = PyList_New(n); /* new reference, items NULL until set */
    for (i = 0; i < n; i++) {
        if (list != NULL) {
            PyObject *s = rtl_str_from_host(v[i]);
            if (s == NULL)
                Py_CLEAR(list); /* a list with NULL items must not escape */
            else
                PyList_SET_ITEM(list, i, s); /* steals s */
        }
        rtl_cgo_free(v[i]);
    }
    rtl_cgo_free(v);
    return list;
}

/* ============================================================================================ */
/* modules                                                                                       */
/* ============================================================================================ */

int rtl_module_add(PyObject *module, const char *name, PyObject *value)
{
    if (value == NULL)
        return -1;
    if (PyModule_AddObject(module, name, value) < 0) { /* steals only on success */
        Py_DECREF(value);
        return -1;
    }
    return 0;
}
