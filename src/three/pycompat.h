/*
 * pycompat.h: every Python-version switch of the backend core, in one place (3.8 to 3.13).
 *
 * Each helper has one meaning on every version; the #if picks the non-deprecated API the running
 * headers offer, so the backend builds with -Werror=deprecated-declarations everywhere.
 */
#ifndef RTL_PYCOMPAT_H
#define RTL_PYCOMPAT_H

#include "three.h"

/* Fetch and normalise the pending exception, clearing the indicator. Owned references (each
 * may be NULL). 3.12 deprecates PyErr_Fetch in favour of PyErr_GetRaisedException. */
static inline void rtl_err_fetch(PyObject **type, PyObject **value, PyObject **tb)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *exc = PyErr_GetRaisedException(); /* new reference, already normalised */
    *type = NULL;
    *value = exc;
    *tb = NULL;
    if (exc != NULL) {
        *type = (PyObject *)Py_TYPE(exc);
        Py_INCREF(*type);
        *tb = PyException_GetTraceback(exc); /* new reference or NULL */
    }
#else
    PyErr_Fetch(type, value, tb);
    PyErr_NormalizeException(type, value, tb);
    if (*tb != NULL && *value != NULL)
        PyException_SetTraceback(*value, *tb);
#endif
}

/* The calling thread's current thread state, or NULL, without any check (safe when the
 * interpreter is half-initialised). 3.13 makes it public as PyThreadState_GetUnchecked. */
static inline PyThreadState *rtl_tstate_unchecked(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return PyThreadState_GetUnchecked();
#else
    return _PyThreadState_UncheckedGet();
#endif
}

#endif /* RTL_PYCOMPAT_H */
