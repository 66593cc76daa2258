/*
 * args.c: argument parsing for the aggregator's METH_FASTCALL functions.
 *
 * The aggregator's submit_* functions are the calls a check makes most (one per metric), and
 * METH_VARARGS would cost a tuple per call, with PyArg_ParseTuple walking it: the benchmark
 * (figures 1 and 2) shows that cost. So those functions receive the vectorcall argument vector,
 * and rtl_parse_args walks a PyArg-style format over it, with CPython's own messages
 * (Python/getargs.c), because callers and tests match on them: "function takes exactly 7
 * arguments (6 given)", "argument 2 must be str, not int". Every other built-in function uses
 * PyArg_ParseTuple(AndKeywords) itself, whose texts are the running version's by construction;
 * only what the aggregator needs is here: positional units O s s# i b L d f and '|'. The one
 * wording that differs between versions (3.8/3.9's float rejection in integer units) is in
 * pycompat.h. The private _PyArg_Parse* helpers would do this too, but they change between
 * minor versions; this file uses only the public API.
 */
#include "args.h"
#include "pycompat.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* getargs.c's converterr + seterror: "argument N must be <expected>, not <type>". */
static void rtl_arg_type_error(int argno, const char *expected, PyObject *arg)
{
    PyErr_Format(PyExc_TypeError, "argument %d must be %.50s, not %.50s", argno, expected,
                 arg == Py_None ? "None" : Py_TYPE(arg)->tp_name);
}

/* 's': the str's cached UTF-8, borrowed; rejects embedded NULs like CPython. */
static int rtl_conv_str(int argno, PyObject *arg, const char **out)
{
    const char *s;
    Py_ssize_t len;

    if (!PyUnicode_Check(arg)) {
        rtl_arg_type_error(argno, "str", arg);
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
static int rtl_conv_buf(int argno, PyObject *arg, const char **out, Py_ssize_t *outlen)
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
        rtl_arg_type_error(argno, "read-only bytes-like object", arg);
        return -1;
    }
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) != 0)
        return -1; /* "a bytes-like object is required, not '<type>'" is set */
    *out = (const char *)view.buf;
    *outlen = view.len;
    PyBuffer_Release(&view); /* no bf_releasebuffer: the data stays valid while arg lives */
    return 0;
}

/* PyLong_AsLong as the integer units use it. Returns 0, or -1 with the error set. */
static int rtl_conv_long(PyObject *arg, long *out)
{
    if (rtl_arg_float_rejected(arg))
        return -1;
    *out = PyLong_AsLong(arg);
    return (*out == -1 && PyErr_Occurred()) ? -1 : 0;
}

/* Convert one unit at *f (advanced past it) into the next va_arg output(s). */
static int rtl_conv(const char **f, int argno, PyObject *arg, va_list *ap)
{
    char c = *(*f)++;
    long l;
    long long ll;
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
            return rtl_conv_buf(argno, arg, p, va_arg(*ap, Py_ssize_t *));
        }
        return rtl_conv_str(argno, arg, va_arg(*ap, const char **));
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
    case 'L':
        if (rtl_arg_float_rejected(arg))
            return -1;
        ll = PyLong_AsLongLong(arg);
        if (ll == -1 && PyErr_Occurred())
            return -1;
        *va_arg(*ap, long long *) = ll;
        return 0;
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

int rtl_parse_args(PyObject *const *args, Py_ssize_t nargs, const char *format, ...)
{
    int min = -1, max = 0, i, ret = 0;
    const char *f;
    va_list ap;

    /* max: the number of units; min: the index of '|' (all of them without one). */
    for (f = format; *f; f++) {
        if (*f == '|')
            min = max;
        else if (*f != '#')
            max++;
    }
    if (min < 0)
        min = max;
    if (nargs < min || nargs > max) { /* getargs.c's vgetargs1, fname == NULL */
        int n = nargs < min ? min : max;
        PyErr_Format(PyExc_TypeError, "function takes %s %d argument%s (%zd given)",
                     min == max    ? "exactly"
                     : nargs < min ? "at least"
                                   : "at most",
                     n, n == 1 ? "" : "s", nargs);
        return -1;
    }
    va_start(ap, format);
    for (f = format, i = 0; i < nargs; i++) {
        if (*f == '|')
            f++;
        if (rtl_conv(&f, i + 1, args[i], &ap) < 0) {
            ret = -1;
            break;
        }
    }
    va_end(ap);
    return ret;
}
