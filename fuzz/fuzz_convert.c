/*
 * fuzz_convert.c: libFuzzer target for the conversion layer (issue 7b). src/three/builtins/convert.c
 * is compiled into this binary; the few backend symbols it uses (allocator, cgo_free, callback
 * table, log) are defined here, with counting allocators, and the interpreter is initialised
 * directly (no loader). Each input picks one conversion and feeds it objects built from the
 * rest of the input (fuzz_pyobj.c) or raw bytes (as a host would return them):
 *   as_string, borrow_string, from_json, as_json, the tag/argv arrays (strv), str_from_host,
 *   take_host_str_or_none, take_host_strv_list, raise_host_message, and rtl_parse_args with
 *   the aggregator's formats and every format unit, with optional parts.
 * After each input: no Python error pending (except where the function documents one, then
 * cleared), and every allocation and every "host" buffer freed (the counters balance).
 */
#include "args.h"
#include "convert.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_pyobj.h"

/* ---- the backend symbols convert.c uses -------------------------------------------------- */

static atomic_long fz_live;

/* The counting pair (the loader's tracker is not linked here). */
static void *fz_malloc(size_t n)
{
    void *p = PyMem_RawMalloc(n ? n : 1);
    if (p != NULL)
        atomic_fetch_add(&fz_live, 1);
    return p;
}
static void fz_free(void *p)
{
    if (p != NULL) {
        atomic_fetch_sub(&fz_live, 1);
        PyMem_RawFree(p);
    }
}

struct rtl_callbacks rtl_cb;
void *rtl_malloc(size_t sz)
{
    return fz_malloc(sz);
}
void rtl_free(void *ptr)
{
    fz_free(ptr);
}
char *rtl_strdup(const char *s)
{
    size_t n = strlen(s);
    char *p = fz_malloc(n + 1);
    if (p != NULL)
        memcpy(p, s, n + 1);
    return p;
}
char *rtl_strndup(const char *s, size_t n)
{
    char *p = fz_malloc(n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}
void rtl_cgo_free(void *ptr)
{
    fz_free(ptr);
}
void rtl_log(int level, const char *msg)
{
    (void)level, (void)msg;
}

/* ---- helpers -------------------------------------------------------------------------------- */

static char *fz_host_str(fz_in_t *in)
{
    size_t len;
    const uint8_t *b = fz_bytes(in, fz_byte(in), &len);
    char *s = fz_malloc(len + 1);
    if (s != NULL) {
        memcpy(s, b, len);
        s[len] = '\0';
    }
    return s;
}

static void fz_expect_no_error(const char *what)
{
    if (PyErr_Occurred()) {
        PyErr_Print();
        fprintf(stderr, "fuzz_convert: %s left a Python error set\n", what);
        abort();
    }
}

static volatile size_t fz_sink;
static void fz_sink_len(const char *s)
{
    fz_sink += strlen(s);
}

static void fz_parse(fz_in_t *in)
{
    PyObject *argv[10], *o1 = NULL, *o2 = NULL;
    Py_ssize_t nargs, i;
    const char *s1 = NULL, *s2 = NULL, *s3 = NULL, *buf = NULL; /* buf: s#, not NUL-terminated */
    Py_ssize_t l1 = 0;
    int i1 = 0, i2 = 0, rc = 0;
    unsigned char b1 = 0;
    long long ll = 0;
    double d1 = 0;
    float f1 = 0, f2 = 0;
    uint8_t which = fz_byte(in) % 5;

    nargs = fz_byte(in) % 11;
    for (i = 0; i < nargs; i++)
        argv[i] = fz_object(in, 1);
    switch (which) { /* the aggregator's formats, and every unit with and without '|' */
    case 0: rc = rtl_parse_args(argv, nargs, "OsisdOs|b", &o1, &s1, &i1, &s2, &d1, &o2, &s3, &b1); break;
    case 1: rc = rtl_parse_args(argv, nargs, "OssLffisO|b", &o1, &s1, &s2, &ll, &f1, &f2, &i1, &s3, &o2, &b1); break;
    case 2: rc = rtl_parse_args(argv, nargs, "Oss#s", &o1, &s1, &buf, &l1, &s3); break;
    case 3: rc = rtl_parse_args(argv, nargs, "OssiOss", &o1, &s1, &s2, &i2, &o2, &s3, &s3); break;
    default: rc = rtl_parse_args(argv, nargs, "|iLbdfs#O", &i1, &ll, &b1, &d1, &f1, &buf, &l1, &o1); break;
    }
    if (rc == 0) {
        fz_expect_no_error("rtl_parse_args success");
        if (s1 != NULL)
            fz_sink_len(s1);
        if (s2 != NULL)
            fz_sink_len(s2);
        if (s3 != NULL)
            fz_sink_len(s3);
        if (l1 < 0 || (l1 > 0 && buf == NULL))
            abort();
        for (i = 0; i < l1; i++)
            fz_sink += (unsigned char)buf[i];
    } else if (rc == -1) {
        if (!PyErr_Occurred())
            abort();
        PyErr_Clear();
    } else {
        abort();
    }
    for (i = 0; i < nargs; i++)
        Py_DECREF(argv[i]);
}

static void fz_strv(PyObject *o, int mode)
{
    rtl_strv_t sv;
    rtl_strv_status_t st;
    Py_ssize_t i;
    if (mode != 0 && !PyList_Check(o)) /* rtl_strv_from_list's contract: callers pass a list */
        return;
    if (mode == 0)
        st = rtl_strv_from_tags(&sv, o);
    else
        st = rtl_strv_from_list(&sv, o, mode == 2);
    if (st != RTL_STRV_ITEM_ERROR) /* the one status that leaves the item's exception set */
        fz_expect_no_error("rtl_strv_from_*");
    else if (!PyErr_Occurred())
        abort();
    if (st == RTL_STRV_OK) {
        for (i = 0; i < sv.n; i++)
            fz_sink_len(sv.v[i]);
        if (sv.v[sv.n] != NULL)
            abort();
    } else {
        rtl_raise_tags_error(st);
        PyErr_Clear();
    }
    rtl_strv_release(&sv);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    PyConfig config;
    (void)argc, (void)argv;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;
    if (PyStatus_Exception(Py_InitializeFromConfig(&config)))
        abort();
    PyConfig_Clear(&config);
    if (rtl_init_stringutils() < 0) {
        PyErr_Print();
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    PyObject *o = NULL, *r;
    char *s, **v;
    const char *cs;
    size_t n, i;
    uint8_t op = fz_byte(&in);

    atomic_store(&fz_live, 0);
    switch (op % 11) {
    case 0:
        o = fz_object(&in, 0);
        s = rtl_as_string(o);
        fz_expect_no_error("as_string");
        if (s != NULL)
            fz_sink_len(s);
        rtl_free(s);
        break;
    case 1:
        o = fz_object(&in, 0);
        cs = rtl_borrow_string(o);
        fz_expect_no_error("borrow_string");
        s = rtl_as_string(o);
        if ((cs == NULL) != (s == NULL) || (cs != NULL && strcmp(cs, s) != 0)) {
            fprintf(stderr, "fuzz_convert: borrow_string and as_string disagree\n");
            abort();
        }
        rtl_free(s);
        break;
    case 2:
        s = fz_host_str(&in);
        r = rtl_from_json(s);
        if (r == NULL)
            PyErr_Clear();
        Py_XDECREF(r);
        rtl_free(s);
        break;
    case 3:
        o = fz_object(&in, 0);
        s = rtl_as_json(o);
        if (s == NULL)
            PyErr_Clear();
        rtl_free(s);
        break;
    case 4:
    case 5:
    case 6:
        o = fz_object(&in, 0);
        fz_strv(o, op % 11 - 4);
        break;
    case 7:
        s = fz_host_str(&in);
        r = rtl_str_from_host(s);
        if (r == NULL)
            PyErr_Clear();
        Py_XDECREF(r);
        rtl_free(s);
        r = rtl_take_host_str_or_none((fz_byte(&in) & 1) ? fz_host_str(&in) : NULL);
        if (r == NULL)
            PyErr_Clear();
        Py_XDECREF(r);
        break;
    case 8:
        n = fz_byte(&in) % 40;
        v = (fz_byte(&in) & 1) ? NULL : fz_malloc((n + 1) * sizeof(char *));
        for (i = 0; v != NULL && i < n; i++)
            v[i] = fz_host_str(&in);
        if (v != NULL)
            v[n] = NULL;
        r = rtl_take_host_strv_list(v);
        if (r == NULL)
            PyErr_Clear();
        else if (!PyList_Check(r))
            abort();
        Py_XDECREF(r);
        break;
    case 9:
        s = fz_host_str(&in);
        rtl_raise_host_message(PyExc_RuntimeError, s);
        if (!PyErr_Occurred())
            abort();
        PyErr_Clear();
        rtl_free(s);
        break;
    default: fz_parse(&in); break;
    }
    Py_XDECREF(o);
    fz_expect_no_error("the conversion");
    if (atomic_load(&fz_live) != 0) {
        fprintf(stderr, "fuzz_convert: %ld allocations not freed (op %d)\n", (long)atomic_load(&fz_live), op % 11);
        abort();
    }
    return 0;
}
