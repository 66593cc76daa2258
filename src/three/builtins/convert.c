/*
 * convert.c: the conversion layer every built-in module shares.
 *
 * Three jobs, written once:
 *
 *  1. stringutils (BUILTINS.md §9.1): as_string, from_json, as_json, with json.loads/json.dumps
 *     kept in the current interpreter's state (state.c). The backend core uses them too.
 *
 *  2. String arrays for callbacks (tags, argv). The spec lets the project lend pointers into the
 *     Python objects instead of as_string copies, provided the host sees exactly as_string's
 *     result (§1.6). rtl_strv_t does that: each string is the object's own UTF-8 (str) or data
 *     (bytes) buffer, both NUL-terminated, so a C reader stops where as_string's copy would. The
 *     array holds a strong reference to every object it lends from, which keeps the buffers alive
 *     even when arbitrary code runs meanwhile (a finaliser triggered by an allocation, another
 *     thread while the GIL is released for the subprocess callback). Up to RTL_STRV_STACK strings
 *     need no allocation at all; beyond that one rtl_malloc block holds both arrays.
 *
 *  3. Strings coming back from the host (§1.7): strict UTF-8 decoding, every host buffer released
 *     with rtl_cgo_free on every path, and no partially built container ever escapes.
 *
 * The tag errors (§1.8) are raised here, for every aggregator function: their texts live here.
 */
#include "convert.h"
#include "rtl_size.h"
#include "state.h"

#include <stdint.h>
#include <string.h>

#define RTL_ERR_TAGS_NOT_SEQUENCE "tags must be a sequence"
#define RTL_ERR_TAGS_LENGTH "could not compute tags length"
#define RTL_ERR_TAGS_MEMORY "could not allocate memory for tags"

/* ============================================================================================ */
/* stringutils                                                                                   */
/* ============================================================================================ */

int rtl_init_stringutils(void)
{
    return rtl_istate() != NULL ? 0 : -1;
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
    rtl_istate_t *st;

    if (data == NULL)
        return NULL;
    if ((st = rtl_istate()) == NULL)
        return NULL;
    text = rtl_str_from_host(data); /* new reference; UnicodeDecodeError on invalid UTF-8 */
    if (text == NULL)
        return NULL;
    ret = PyObject_CallFunctionObjArgs(st->json_loads, text, NULL); /* new reference */
    Py_DECREF(text);
    return ret;
}

char *rtl_as_json(PyObject *obj)
{
    PyObject *text;
    char *ret;
    rtl_istate_t *st;

    if (obj == NULL || (st = rtl_istate()) == NULL)
        return NULL;
    text = PyObject_CallFunctionObjArgs(st->json_dumps, obj, NULL); /* new reference */
    if (text == NULL)
        return NULL; /* the TypeError of an unserialisable value stays set */
    ret = rtl_as_string(text);
    Py_DECREF(text);
    if (ret == NULL && !PyErr_Occurred())
        PyErr_NoMemory();
    return ret;
}

/* ============================================================================================ */
/* string arrays                                                                                 */
/* ============================================================================================ */

rtl_strv_status_t rtl_strv_init(rtl_strv_t *sv, Py_ssize_t len)
{
    size_t n, bytes;

    sv->n = 0;
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
    sv->refs[sv->n] = obj; /* keeps s alive */
    sv->v[sv->n++] = (char *)s;
    sv->v[sv->n] = NULL;
    return 1;
}

rtl_strv_status_t rtl_strv_convert_tags(rtl_strv_t *sv, PyObject *seq)
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
        /* Borrowed items, each kept alive by its own reference in sv. The size is re-read on
         * every step in case a finaliser shrinks a list meanwhile. */
        for (i = 0; i < len && i < PySequence_Fast_GET_SIZE(seq); i++) {
            PyObject *item = PySequence_Fast_GET_ITEM(seq, i); /* borrowed */
            Py_INCREF(item);
            rtl_strv_push(sv, item); /* steals */
        }
        return RTL_STRV_OK;
    }
    for (i = 0; i < len; i++) {
        PyObject *item = PySequence_GetItem(seq, i); /* new reference, or NULL */
        if (item == NULL)
            return RTL_STRV_ITEM_ERROR; /* raised as is: nothing is submitted (issue 11 item 10) */
        rtl_strv_push(sv, item);        /* steals */
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
    case RTL_STRV_OK:
    case RTL_STRV_ITEM_ERROR: break; /* the item's own exception is already set */
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
