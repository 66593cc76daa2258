/* fuzz_pyobj.c: see fuzz_pyobj.h. */
#include "fuzz_pyobj.h"

#include <string.h>

#define FZ_MAX_DEPTH 6

uint8_t fz_byte(fz_in_t *in)
{
    uint8_t b;
    if (in->n == 0)
        return 0;
    b = in->p[0];
    in->p++;
    in->n--;
    return b;
}

const uint8_t *fz_bytes(fz_in_t *in, size_t n, size_t *len)
{
    const uint8_t *p = in->p;
    if (n > in->n)
        n = in->n;
    in->p += n;
    in->n -= n;
    *len = n;
    return p;
}

static PyObject *fz_huge_str(size_t n, int with_nul)
{
    PyObject *s = PyUnicode_New((Py_ssize_t)n, 127);
    if (s == NULL)
        return NULL;
    memset(PyUnicode_DATA(s), 'a', n);
    if (with_nul && n > 2)
        ((char *)PyUnicode_DATA(s))[n / 2] = '\0';
    return s;
}

static PyObject *fz_make(fz_in_t *in, int depth)
{
    uint8_t tag = fz_byte(in);
    size_t len, i, n;
    const uint8_t *b;
    PyObject *o = NULL, *k, *v;
    char hex[2 * 64 + 4];
    int64_t i64;
    double d;

    if (depth > FZ_MAX_DEPTH)
        tag = 0;
    switch (tag % 16) {
    case 0: Py_RETURN_NONE;
    case 1: return PyBool_FromLong(fz_byte(in) & 1);
    case 2: return PyLong_FromLong((int8_t)fz_byte(in));
    case 3:
        b = fz_bytes(in, 8, &len);
        i64 = 0;
        memcpy(&i64, b, len);
        return PyLong_FromLongLong(i64);
    case 4: /* an int of up to 512 bits, either sign */
        n = fz_byte(in) % 64 + 1;
        b = fz_bytes(in, n, &len);
        hex[0] = (n & 1) ? '-' : '0';
        hex[1] = '0';
        hex[2] = 'x';
        for (i = 0; i < len; i++) {
            static const char digits[] = "0123456789abcdef";
            hex[3 + 2 * i] = digits[b[i] >> 4];
            hex[4 + 2 * i] = digits[b[i] & 15];
        }
        hex[3 + 2 * len] = '\0';
        if (len == 0)
            return PyLong_FromLong(0);
        return PyLong_FromString(hex[0] == '-' ? hex : hex + 1, NULL, 0);
    case 5:
        b = fz_bytes(in, 8, &len);
        d = 0;
        memcpy(&d, b, len);
        return PyFloat_FromDouble(d);
    case 6: /* str from arbitrary bytes: invalid UTF-8 becomes lone surrogates */
        b = fz_bytes(in, fz_byte(in), &len);
        return PyUnicode_DecodeUTF8((const char *)b, (Py_ssize_t)len, "surrogateescape");
    case 7: /* valid str */
        b = fz_bytes(in, fz_byte(in), &len);
        return PyUnicode_DecodeUTF8((const char *)b, (Py_ssize_t)len, "replace");
    case 8: b = fz_bytes(in, fz_byte(in), &len); return PyBytes_FromStringAndSize((const char *)b, (Py_ssize_t)len);
    case 9:
    case 10:
        n = fz_byte(in) % 8;
        o = PyList_New(0);
        for (i = 0; o != NULL && i < n; i++) {
            v = fz_object(in, depth + 1);
            if (PyList_Append(o, v) < 0)
                Py_CLEAR(o);
            Py_DECREF(v);
        }
        if (o != NULL && tag % 16 == 10) {
            v = PyList_AsTuple(o);
            Py_DECREF(o);
            o = v;
        }
        return o;
    case 11:
        n = fz_byte(in) % 6;
        o = PyDict_New();
        for (i = 0; o != NULL && i < n; i++) {
            k = fz_object(in, depth + 1);
            v = fz_object(in, depth + 1);
            if (PyDict_SetItem(o, k, v) < 0)
                PyErr_Clear(); /* unhashable key: skip it */
            Py_DECREF(k);
            Py_DECREF(v);
        }
        return o;
    case 12: /* huge str, maybe with an embedded NUL */
        n = ((size_t)fz_byte(in) + 1) * 4096;
        return fz_huge_str(n, fz_byte(in) & 1);
    case 13:
        n = ((size_t)fz_byte(in) + 1) * 4096;
        o = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
        if (o != NULL)
            memset(PyBytes_AS_STRING(o), 'b', n);
        return o;
    case 14: /* str with an embedded NUL */
        b = fz_bytes(in, fz_byte(in) % 32, &len);
        o = PyUnicode_FromStringAndSize("a\0b", 3);
        if (o != NULL && len > 0) {
            v = PyUnicode_DecodeUTF8((const char *)b, (Py_ssize_t)len, "replace");
            if (v != NULL)
                PyUnicode_Append(&o, v);
            Py_XDECREF(v);
        }
        return o;
    default: /* a list of many short strings (large tag arrays, argv) */
        n = ((size_t)fz_byte(in) << 4) + fz_byte(in) % 16;
        o = PyList_New((Py_ssize_t)n);
        for (i = 0; o != NULL && i < n; i++) {
            v = PyUnicode_FromFormat("t%zu:%d", i, (int)(i & 7));
            if (v == NULL) {
                Py_CLEAR(o);
                break;
            }
            PyList_SET_ITEM(o, (Py_ssize_t)i, v);
        }
        return o;
    }
}

PyObject *fz_object(fz_in_t *in, int depth)
{
    PyObject *o = fz_make(in, depth);
    if (o == NULL) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return o;
}
