/*
 * error.c: the handle's error channel (API.md §2.2) and Python error formatting (§7.4).
 *
 * The channel is one flag plus one rt-owned message per handle. Setting overwrites (last error
 * wins); get_error consumes: it clears the flag and returns the message, or, with no error
 * pending, drops the stored message and returns "" (never NULL). The pointer returned stays valid
 * until the next set/get/clear, which is why the consumed message is freed lazily on the next
 * operation rather than at once. get_error takes a const handle in the API, but the state lives
 * in the backend's mutable allocation, so it is updated through a cast.
 *
 * Upstream has no lock: the GIL serialises callers. But before init succeeds (or after it failed)
 * there is no GIL to serialise anything, and every call from every thread then reports
 * "rtloader is not initialized" into the same channel: unsynchronised, two threads would free
 * the same old message. A mutex makes set/get/clear atomic; the flag is also read without the
 * lock (has_error), so every write of it is an atomic store. What the mutex cannot do is keep a
 * message returned by get_error alive while another thread stores a new error: as the API says,
 * the pointer is valid until the next error operation, and hosts serialise those (Go's
 * stickyLock).
 *
 * The stored message is NOT counted by the memory tracker (API.md §12.5): it outlives the call
 * that failed (until the next error operation), and hosts check that allocations equal frees
 * right after a failed call, as upstream's std::string allowed. So this file is the backend's one
 * documented exception to "every allocation goes through the loader's pair": the stored message,
 * and only it, is allocated and freed with the C library's malloc/free (rtl_msg_* below). Every
 * other string here (rtl_fetch_pyerr's result) stays rt-owned and counted.
 */
#define RTL_ALLOW_RAW_MALLOC /* the stored message only: see above */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pycompat.h"
#include "rtl_format.h"
#include "three.h"

/* What get_error reports for an error whose message could not be allocated. */
#define RTL_ERR_NOT_STORED "out of memory: the error message could not be stored"

/* The stored message's allocator: the C library's, outside the tracker (see the design note). */
static void *rtl_msg_alloc(size_t n)
{
    return malloc(n ? n : 1);
}

static void rtl_msg_free(void *p)
{
    free(p);
}

/* Replaces the stored message and flag atomically, then frees the old message. */
static void rtl_swap_error(rtl_three_t *t, char *msg, int set)
{
    char *old;
    pthread_mutex_lock(&t->error_lock);
    old = t->error;
    t->error = msg;
    __atomic_store_n(&t->error_set, set, __ATOMIC_RELAXED); /* has_error reads it without the lock */
    pthread_mutex_unlock(&t->error_lock);
    rtl_msg_free(old);
}

/* Stores printf-style text (NULL when out of memory: get_error then reads RTL_ERR_NOT_STORED). */
static void rtl_store_vformat(rtl_three_t *t, const char *fmt, va_list ap)
{
    rtl_swap_error(t, rtl_vformat(rtl_msg_alloc, fmt, ap), 1);
}

static void rtl_store_format(rtl_three_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rtl_store_format(rtl_three_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rtl_store_vformat(t, fmt, ap);
    va_end(ap);
}

RTL_HIDDEN void rtl_set_error(rtl_three_t *t, const char *msg)
{
    rtl_store_format(t, "%s", msg ? msg : "");
}

RTL_HIDDEN void rtl_set_errorf(rtl_three_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rtl_store_vformat(t, fmt, ap);
    va_end(ap);
}

/* A copy of str object `s` as UTF-8 in a block from alloc, text that UTF-8 cannot encode (lone
 * surrogates: an undecodable path, a message built from one) written as \udcff escapes
 * (backslashreplace, API.md §7.4). NULL if `s` is not a str or on failure; the Python error is
 * cleared. */
static char *rtl_utf8_copy(PyObject *s, void *(*alloc)(size_t))
{
    PyObject *bytes;
    char *out = NULL;
    if (s == NULL || !PyUnicode_Check(s)) {
        PyErr_Clear();
        return NULL;
    }
    bytes = PyUnicode_AsEncodedString(s, "utf-8", "backslashreplace"); /* new reference */
    if (bytes != NULL) {
        size_t n = strlen(PyBytes_AS_STRING(bytes)); /* stops at an embedded NUL, as a C string would */
        out = alloc(n + 1);
        if (out != NULL)
            memcpy(out, PyBytes_AS_STRING(bytes), n + 1);
        Py_DECREF(bytes);
    }
    PyErr_Clear();
    return out;
}

/* Joins the items of a list of str (traceback.format_exception's result); NULL if unusable. */
static char *rtl_join_lines(PyObject *lines, void *(*alloc)(size_t))
{
    PyObject *empty, *joined = NULL;
    char *out = NULL;

    if (!PyList_Check(lines))
        return NULL;
    empty = PyUnicode_FromString(""); /* new reference */
    if (empty != NULL)
        joined = PyUnicode_Join(empty, lines); /* new reference; fails on non-str items */
    out = rtl_utf8_copy(joined, alloc);
    Py_XDECREF(empty);
    Py_XDECREF(joined);
    return out;
}

/* str(obj) in a block from alloc, or NULL. */
static char *rtl_str_of(PyObject *obj, void *(*alloc)(size_t))
{
    PyObject *s;
    char *out;
    if (obj == NULL)
        return NULL;
    s = PyObject_Str(obj); /* new reference */
    out = rtl_utf8_copy(s, alloc);
    Py_XDECREF(s);
    return out;
}

/* A copy of s in a block from alloc (NULL when out of memory). */
static char *rtl_copy_with(const char *s, void *(*alloc)(size_t))
{
    size_t n = strlen(s) + 1;
    char *out = alloc(n);
    if (out != NULL)
        memcpy(out, s, n);
    return out;
}

/*
 * The pending Python error formatted as API.md §7.4, in a block from alloc (freed with its pair).
 * Beyond upstream: text is encoded with backslashreplace, and a result that would be empty (no
 * traceback and an empty str(value)) is the exception type's name, so that `unknown error` only
 * stands for an exception nothing could be formatted of.
 */
static char *rtl_format_pyerr(void *(*alloc)(size_t), void (*release)(void *))
{
    PyObject *type = NULL, *value = NULL, *tb = NULL;
    char *out = NULL;

    if (!PyErr_Occurred())
        return rtl_copy_with("", alloc);
    /* Owned references to the three parts; the indicator is now clear. */
    rtl_err_fetch(&type, &value, &tb);

    if (tb != NULL) {
        PyObject *mod = PyImport_ImportModule("traceback"); /* new reference */
        if (mod == NULL) {
            out = rtl_copy_with("can't format exception", alloc);
        } else {
            PyObject *lines = PyObject_CallMethod(mod, "format_exception", "OOO", type, value ? value : Py_None, tb);
            if (lines != NULL) /* new reference */
                out = rtl_join_lines(lines, alloc);
            if (out == NULL)
                out = rtl_copy_with("unknown error", alloc);
            Py_XDECREF(lines);
            Py_DECREF(mod);
        }
    } else {
        out = rtl_str_of(value, alloc);
        if (out == NULL)
            out = rtl_str_of(type, alloc);
    }
    if (out != NULL && out[0] == '\0') {
        release(out);
        out = NULL;
    }
    if (out == NULL && type != NULL && PyType_Check(type))
        out = rtl_copy_with(((PyTypeObject *)type)->tp_name, alloc);
    if (out == NULL)
        out = rtl_copy_with("unknown error", alloc);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    return out;
}

RTL_HIDDEN char *rtl_fetch_pyerr(void)
{
    return rtl_format_pyerr(rtl_malloc, rtl_free);
}

RTL_HIDDEN void rtl_set_error_py(rtl_three_t *t, const char *prefix)
{
    /* Formatted straight with the stored message's allocator: no counted block on this path. */
    char *err = rtl_format_pyerr(rtl_msg_alloc, rtl_msg_free);
    rtl_store_format(t, "%s%s", prefix, err ? err : "");
    rtl_msg_free(err);
}

RTL_HIDDEN int rtl_has_error(const void *st)
{
    return __atomic_load_n(&((const rtl_three_t *)st)->error_set, __ATOMIC_RELAXED) ? 1 : 0;
}

RTL_HIDDEN const char *rtl_get_error(const void *st)
{
    rtl_three_t *t = (rtl_three_t *)(uintptr_t)st; /* see the design note on const */
    const char *out = "";
    char *old = NULL;
    pthread_mutex_lock(&t->error_lock);
    if (t->error_set) {
        __atomic_store_n(&t->error_set, 0, __ATOMIC_RELAXED);
        out = t->error != NULL ? t->error : RTL_ERR_NOT_STORED;
    } else {
        old = t->error;
        t->error = NULL;
    }
    pthread_mutex_unlock(&t->error_lock);
    rtl_msg_free(old);
    return out;
}

RTL_HIDDEN void rtl_clear_error(void *st)
{
    rtl_swap_error(st, NULL, 0);
}
