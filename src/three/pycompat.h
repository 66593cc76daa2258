/*
 * pycompat.h: every Python-version switch of the backend (core and built-in modules), in one
 * place (3.8 to 3.13).
 *
 * Each helper has one meaning on every version; the #if picks the non-deprecated API the running
 * headers offer, so the backend builds with -Werror=deprecated-declarations everywhere.
 */
#ifndef RTL_PYCOMPAT_H
#define RTL_PYCOMPAT_H

#include "three.h"

#include <string.h>

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

/* Whether rtl_tstate_unchecked() is the calling thread's own attached state (3.12+: the current
 * state is a C thread-local, valid in pthread key destructors too) rather than the runtime-wide
 * "current" state, whichever thread holds the GIL (3.8-3.11). With the runtime-wide value, "equal
 * to my own state" still means "I hold the GIL with it": only its owner thread attaches a state. */
#if PY_VERSION_HEX >= 0x030C0000
#    define RTL_TSTATE_CURRENT_IS_PER_THREAD 1
#else
#    define RTL_TSTATE_CURRENT_IS_PER_THREAD 0
#endif

/* 1 if the calling thread has a thread state attached (it holds a GIL). 3.12+: the current state
 * is per thread, and PyGILState_Check cannot be used (it answers 1 on every thread once a
 * sub-interpreter exists). 3.8-3.11 have no sub-interpreters here, but their current state is the
 * runtime-wide one (the GIL holder's, whichever thread that is): PyGILState_Check is the answer. */
static inline int rtl_thread_attached(void)
{
#if RTL_TSTATE_CURRENT_IS_PER_THREAD
    return rtl_tstate_unchecked() != NULL;
#else
    return PyGILState_Check();
#endif
}

/* The name of the allocator set at pre-initialisation ("pymalloc", "pymalloc_debug", "malloc",
 * "malloc_debug", 3.13's "mimalloc"...), or NULL for an unknown set. Exported by 3.8-3.13; declared
 * only in an internal header before 3.13's cpython/pymem.h, hence this (compatible) declaration. */
PyAPI_FUNC(const char *) _PyMem_GetCurrentAllocatorName(void);

/* The value of an exact int that fits in one internal digit (|v| < 2**30), read inline; 0 for
 * any other int, whose caller then calls PyLong_AsLong. 3.12 publishes this as the unstable
 * "compact" API; before it, the digit layout of longintrepr.h is the same idea (3.8-3.10 do not
 * include that header from Python.h). Only for objects that passed PyLong_CheckExact. */
#if PY_VERSION_HEX < 0x030B0000
#    include <longintrepr.h>
#endif
static inline int rtl_long_small(PyObject *o, long *out)
{
#if PY_VERSION_HEX >= 0x030C0000
    if (!PyUnstable_Long_IsCompact((PyLongObject *)o))
        return 0;
    *out = (long)PyUnstable_Long_CompactValue((PyLongObject *)o);
    return 1;
#else
    Py_ssize_t size = Py_SIZE(o);
    if (size < -1 || size > 1)
        return 0;
    *out = size == 0 ? 0 : (long)size * (long)((PyLongObject *)o)->ob_digit[0];
    return 1;
#endif
}

/* rtl_long_small, and also a positive int of exactly two digits (2**30 <= v < 2**60: a Unix time),
 * where that fits in a long. 3.12 keeps the digit count and sign in lv_tag; before it, Py_SIZE is
 * the signed digit count. Only for objects that passed PyLong_CheckExact. */
static inline int rtl_long_two_digits(PyObject *o, long *out)
{
#if (LONG_MAX >> (2 * PyLong_SHIFT)) > 0
    const digit *d;
#    if PY_VERSION_HEX >= 0x030C0000
    int two = ((PyLongObject *)o)->long_value.lv_tag == ((uintptr_t)2 << _PyLong_NON_SIZE_BITS); /* sign 0: + */
    d = ((PyLongObject *)o)->long_value.ob_digit;
#    else
    int two = Py_SIZE(o) == 2;
    d = ((PyLongObject *)o)->ob_digit;
#    endif
    if (two) {
        *out = (long)(((unsigned long)d[1] << PyLong_SHIFT) | d[0]);
        return 1;
    }
#endif
    return rtl_long_small(o, out);
}

/* PyDict_Next without its wrapper: through 3.12 the public function only forwards to the exported
 * _PyDict_Next, a second call per entry that figure 2b (submit_event's dict walk) measures; 3.13
 * made _PyDict_Next internal, so there the public function is the one call. */
static inline int rtl_dict_next(PyObject *d, Py_ssize_t *pos, PyObject **key, PyObject **value)
{
#if PY_VERSION_HEX < 0x030D0000
    return _PyDict_Next(d, pos, key, value, NULL);
#else
    return PyDict_Next(d, pos, key, value);
#endif
}

/* ---- sub-interpreters (subinterp.c) ----
 * A per-interpreter GIL (PEP 684) and Py_NewInterpreterFromConfig arrive in 3.12. 3.12 and 3.13
 * share the PyInterpreterConfig layout and its `gil` values (3.12's betas had a bool `own_gil`
 * instead; 3.12.0 final replaced it with `gil` = PyInterpreterConfig_OWN_GIL). Below 3.12 the
 * backend has no sub-interpreter support at all and every hook is a no-op. */
#if PY_VERSION_HEX >= 0x030C0000
#    define RTL_HAVE_SUBINTERPRETERS 1
/* API.md §13.2: own GIL and object allocator, threads (daemon too) and exec allowed, fork refused,
 * extensions checked for multi-interpreter support (required with an own allocator). */
static inline PyInterpreterConfig rtl_subinterp_config(void)
{
    PyInterpreterConfig c;
    memset(&c, 0, sizeof(c));
    c.use_main_obmalloc = 0;
    c.allow_fork = 0;
    c.allow_exec = 1;
    c.allow_threads = 1;
    c.allow_daemon_threads = 1;
    c.check_multi_interp_extensions = 1;
    c.gil = PyInterpreterConfig_OWN_GIL;
    return c;
}
#else
#    define RTL_HAVE_SUBINTERPRETERS 0
#endif

/* The current thread's interpreter (the thread must hold a GIL). Public from 3.9. */
static inline PyInterpreterState *rtl_interp_current(void)
{
#if PY_VERSION_HEX >= 0x03090000
    return PyInterpreterState_Get();
#else
    return _PyInterpreterState_Get();
#endif
}

/* PyArg's integer units (i, b, L) reject a float before converting it. 3.8 and 3.9 do it with
 * their own message; from 3.10 PyLong_AsLong refuses floats itself ("'float' object cannot be
 * interpreted as an integer"). Returns 1 with that TypeError set when arg is refused here. */
static inline int rtl_arg_float_rejected(PyObject *arg)
{
#if PY_VERSION_HEX < 0x030A0000
    if (PyFloat_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "integer argument expected, got float");
        return 1;
    }
#else
    (void)arg;
#endif
    return 0;
}

/* The slot array of a built-in module (multi-phase initialisation, PEP 489): its Py_mod_exec
 * function if it has one, then, from 3.12, the declaration that it is safe in an interpreter
 * with its own GIL (PEP 684; the slot does not exist before 3.12, where every interpreter shares
 * one GIL), then the terminator. */
#if PY_VERSION_HEX >= 0x030C0000
#    define RTL_SLOT_PER_INTERPRETER_GIL {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#else
#    define RTL_SLOT_PER_INTERPRETER_GIL
#endif
#define RTL_MODULE_SLOTS                                                                                               \
    {                                                                                                                  \
        RTL_SLOT_PER_INTERPRETER_GIL                                                                                   \
        {                                                                                                              \
            0, NULL                                                                                                    \
        }                                                                                                              \
    }
#define RTL_MODULE_SLOTS_EXEC(fn)                                                                                      \
    {                                                                                                                  \
        {Py_mod_exec, (void *)(fn)}, RTL_SLOT_PER_INTERPRETER_GIL                                                      \
        {                                                                                                              \
            0, NULL                                                                                                    \
        }                                                                                                              \
    }

#endif /* RTL_PYCOMPAT_H */
