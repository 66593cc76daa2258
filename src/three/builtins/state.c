/*
 * state.c: the backend's per-interpreter state (API.md §13.2, BUILTINS.md §1.1).
 *
 * With sub-interpreters that have their own GIL (PEP 684), no Python object may be shared
 * between interpreters: two threads running in two interpreters would change its reference count
 * at once, under two different GILs. So every Python object the backend caches lives in the
 * interpreter it was made in, and is released with it:
 *
 *  - the aggregator's NUL-scan cache is `aggregator` module state (aggregator.c), reached
 *    through the module object CPython passes to the function as `self`: the hot path pays one
 *    PyModule_GetState call;
 *  - what the backend core also needs (json.loads/json.dumps for stringutils, the method names
 *    checks.c calls) is rtl_istate_t, one per interpreter. Callers outside a module function have
 *    no module object at hand (checks.c, interp.c, three.c), so rtl_istate_t is owned by a
 *    capsule in the interpreter's own dict (PyInterpreterState_GetDict), the storage CPython
 *    provides for this: created on first use in an interpreter (in the main one by
 *    rtl_init_stringutils at init), freed by the capsule's destructor when the interpreter's dict
 *    is cleared at its end (the main interpreter is never finalised).
 *
 * Finding rtl_istate_t costs a dict lookup, so each thread remembers the last one it found, with
 * its interpreter's address and the generation: a process-wide counter that every state's
 * destruction increments. An entry can then only match while its interpreter, and so its state,
 * is alive: once an interpreter ends, a new one may reuse its address, but not the generation.
 * (Interpreter IDs are never reused either, but reading one costs a call on every lookup, and
 * run_check makes one lookup per run: figure 3a.)
 */
#include "state.h"
#include "pycompat.h"

#include <stdatomic.h>
#include <string.h>

#define RTL_ISTATE_KEY "rtloader.istate" /* key in the interpreter dict and capsule name */

static const char *const rtl_name_text[RTL_NAME_COUNT] = {
    [RTL_NAME_RUN] = "run",
    [RTL_NAME_CANCEL] = "cancel",
    [RTL_NAME_GET_WARNINGS] = "get_warnings",
    [RTL_NAME_GET_DIAGNOSES] = "get_diagnoses",
};

/* Incremented by every state's destruction (see the top of the file). */
static atomic_ulong rtl_istate_generation;

/* The last state this thread found, for which interpreter, in which generation. */
static __thread struct {
    PyInterpreterState *interp; /* NULL: none */
    unsigned long generation;
    rtl_istate_t *istate;
} rtl_tls;

static void rtl_istate_free(rtl_istate_t *st)
{
    int i;

    if (st == NULL)
        return;
    Py_CLEAR(st->json_loads);
    Py_CLEAR(st->json_dumps);
    for (i = 0; i < RTL_NAME_COUNT; i++)
        Py_CLEAR(st->names[i]);
    PyMem_Free(st);
}

static void rtl_istate_capsule_destructor(PyObject *capsule)
{
    rtl_istate_t *st = (rtl_istate_t *)PyCapsule_GetPointer(capsule, RTL_ISTATE_KEY);

    atomic_fetch_add(&rtl_istate_generation, 1); /* every thread's remembered entry is now stale */
    rtl_istate_free(st);
}

/* A new state for the current interpreter, or NULL with a Python error set. */
static rtl_istate_t *rtl_istate_new(void)
{
    /* The interpreter's own allocator, as CPython does for module state: the state belongs to
     * the interpreter like the objects it points to, and is not in rtloader's counters. */
    rtl_istate_t *st = (rtl_istate_t *)PyMem_Malloc(sizeof(*st));
    PyObject *json = NULL;
    int i;

    if (st == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    memset(st, 0, sizeof(*st));
    json = PyImport_ImportModule("json"); /* new reference */
    if (json == NULL)
        goto fail;
    st->json_loads = PyObject_GetAttrString(json, "loads"); /* new reference */
    if (st->json_loads == NULL)
        goto fail;
    st->json_dumps = PyObject_GetAttrString(json, "dumps"); /* new reference */
    if (st->json_dumps == NULL)
        goto fail;
    for (i = 0; i < RTL_NAME_COUNT; i++)
        if ((st->names[i] = PyUnicode_InternFromString(rtl_name_text[i])) == NULL) /* new reference */
            goto fail;
    Py_DECREF(json);
    return st;
fail:
    Py_XDECREF(json);
    rtl_istate_free(st);
    return NULL;
}

/* The dict lookup behind rtl_istate, creating the state on first use. */
static rtl_istate_t *rtl_istate_lookup(PyInterpreterState *interp, unsigned long generation)
{
    PyObject *dict = PyInterpreterState_GetDict(interp); /* borrowed; NULL without an error */
    PyObject *capsule;
    rtl_istate_t *st;

    if (dict == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "rtloader: the interpreter has no state dict");
        return NULL;
    }
    capsule = PyDict_GetItemString(dict, RTL_ISTATE_KEY); /* borrowed, or NULL */
    if (capsule != NULL) {
        st = (rtl_istate_t *)PyCapsule_GetPointer(capsule, RTL_ISTATE_KEY);
        if (st == NULL)
            return NULL;
    } else {
        if ((st = rtl_istate_new()) == NULL)
            return NULL;
        capsule = PyCapsule_New(st, RTL_ISTATE_KEY, rtl_istate_capsule_destructor); /* new reference */
        if (capsule == NULL) {
            rtl_istate_free(st);
            return NULL;
        }
        if (PyDict_SetItemString(dict, RTL_ISTATE_KEY, capsule) < 0) {
            Py_DECREF(capsule); /* the destructor frees st */
            return NULL;
        }
        Py_DECREF(capsule); /* the dict keeps it for the interpreter's lifetime */
    }
    rtl_tls.interp = interp;
    rtl_tls.generation = generation;
    rtl_tls.istate = st;
    return st;
}

rtl_istate_t *rtl_istate(void)
{
    PyInterpreterState *interp = rtl_interp_current();
    /* Read before the lookup: a destruction during it makes the entry stale, not wrong. */
    unsigned long generation = atomic_load(&rtl_istate_generation);

    if (interp == rtl_tls.interp && generation == rtl_tls.generation)
        return rtl_tls.istate;
    return rtl_istate_lookup(interp, generation);
}

PyObject *rtl_name(rtl_name_id_t which)
{
    rtl_istate_t *st = rtl_istate();

    return st != NULL ? st->names[which] : NULL;
}
