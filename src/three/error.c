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
 * the same old message. A mutex makes set/get/clear atomic. What it cannot do is keep a message
 * returned by get_error alive while another thread stores a new error: as the API says, the
 * pointer is valid until the next error operation, and hosts serialise those (Go's stickyLock).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pycompat.h"
#include "rtl_format.h"
#include "three.h"

/* What get_error reports for an error whose message could not be allocated. */
#define RTL_ERR_NOT_STORED "out of memory: the error message could not be stored"

/* Replaces the stored message and flag atomically, then frees the old message. */
static void rtl_swap_error(rtl_three_t *t, char *msg, int set)
{
    char *old;
    pthread_mutex_lock(&t->error_lock);
    old = t->error;
    t->error = msg;
    __atomic_store_n(&t->error_set, set, __ATOMIC_RELAXED); /* has_error reads it without the lock */
    pthread_mutex_unlock(&t->error_lock);
    rtl_free(old);
}

/* Stores an rt-owned message (NULL when out of memory: get_error then reads RTL_ERR_NOT_STORED). */
static void rtl_store_error(rtl_three_t *t, char *msg)
{
    rtl_swap_error(t, msg, 1);
}

RTL_HIDDEN void rtl_set_error(rtl_three_t *t, const char *msg)
{
    rtl_store_error(t, rtl_strdup(msg ? msg : ""));
}

RTL_HIDDEN void rtl_set_errorf(rtl_three_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rtl_store_error(t, rtl_vformat(rtl_malloc, fmt, ap)); /* NULL: get_error reports RTL_ERR_NOT_STORED */
    va_end(ap);
}

/* Joins the items of a list of str (traceback.format_exception's result); NULL if unusable. */
static char *rtl_join_lines(PyObject *lines)
{
    PyObject *empty = NULL, *joined = NULL;
    char *out = NULL;
    const char *utf8;

    if (!PyList_Check(lines))
        return NULL;
    empty = PyUnicode_FromString(""); /* new reference */
    if (empty == NULL)
        goto done;
    joined = PyUnicode_Join(empty, lines); /* new reference; fails on non-str items */
    if (joined == NULL)
        goto done;
    utf8 = PyUnicode_AsUTF8(joined); /* borrowed buffer of `joined` */
    if (utf8 != NULL)
        out = rtl_strdup(utf8);
done:
    Py_XDECREF(empty);
    Py_XDECREF(joined);
    PyErr_Clear();
    return out;
}

/* str(obj) as an rt-owned string, or NULL. */
static char *rtl_str_of(PyObject *obj)
{
    PyObject *s;
    const char *utf8;
    char *out = NULL;
    if (obj == NULL)
        return NULL;
    s = PyObject_Str(obj); /* new reference */
    if (s != NULL && (utf8 = PyUnicode_AsUTF8(s)) != NULL)
        out = rtl_strdup(utf8);
    Py_XDECREF(s);
    PyErr_Clear();
    return out;
}

RTL_HIDDEN char *rtl_fetch_pyerr(void)
{
    PyObject *type = NULL, *value = NULL, *tb = NULL;
    char *out = NULL;

    if (!PyErr_Occurred())
        return rtl_strdup("");
    /* Owned references to the three parts; the indicator is now clear. */
    rtl_err_fetch(&type, &value, &tb);

    if (tb != NULL) {
        PyObject *mod = PyImport_ImportModule("traceback"); /* new reference */
        if (mod == NULL) {
            out = rtl_strdup("can't format exception");
        } else {
            PyObject *lines = PyObject_CallMethod(mod, "format_exception", "OOO", type, value ? value : Py_None, tb);
            if (lines != NULL)
                out = rtl_join_lines(lines);
            if (out == NULL)
                out = rtl_strdup("unknown error");
            Py_XDECREF(lines);
            Py_DECREF(mod);
        }
    } else {
        out = rtl_str_of(value);
        if (out == NULL)
            out = rtl_str_of(type);
    }
    if (out != NULL && out[0] == '\0') {
        rtl_free(out);
        out = NULL;
    }
    if (out == NULL)
        out = rtl_strdup("unknown error");
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    return out;
}

RTL_HIDDEN void rtl_set_error_py(rtl_three_t *t, const char *prefix)
{
    char *err = rtl_fetch_pyerr();
    rtl_set_errorf(t, "%s%s", prefix, err ? err : "");
    rtl_free(err);
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
    rtl_free(old);
    return out;
}

RTL_HIDDEN void rtl_clear_error(void *st)
{
    rtl_swap_error(st, NULL, 0);
}
