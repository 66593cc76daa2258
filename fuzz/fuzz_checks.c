/*
 * fuzz_checks.c: libFuzzer target for get_checks_warnings and get_check_diagnoses fed hostile
 * values (issue 11 item 1), through the public API against a live interpreter (made once, as in
 * fuzz_builtins.c).
 *
 * Each input builds what the "check" (any object with get_warnings/get_diagnoses) returns:
 *   kind | length choice | fail index | exception choice | flags | objects (fuzz_pyobj.c)...
 * kinds: a plain object (str/bytes/list/tuple/dict/int/None... nested), a sequence whose __len__
 * claims a chosen value (0..1000, 2**40 + 1, 2**60, 2**61, sys.maxsize, negative, 2**64, a non-int)
 * and whose __getitem__ raises a chosen exception from a chosen index on, a generator, items that
 * are str subclasses or objects whose str() raises, or a method that raises an exception which
 * itself cannot be printed. Lengths between 1001 and 2**40 are left out on purpose: the spec makes
 * rtloader allocate len + 1 pointers, and libFuzzer would report a multi-GB malloc as a failure.
 *
 * Beyond the sanitizers, every input must leave: a NULL-terminated array of NUL-terminated
 * strings, or NULL with an rtloader error; a non-NULL diagnoses string; no Python error pending;
 * rtloader's allocation counters balanced.
 */
#include "fuzz_pyobj.h"
#include "fuzz_rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datadog_agent_rtloader.h"
#include "rtloader_mem.h"

static rtloader_t *fz_rt;
static PyObject *fz_check; /* a _Check instance (strong reference, kept) */
static volatile size_t fz_sink;

static const char fz_prelude[] = "import sys\n"
                                 "class _Claims(object):\n"
                                 "    def __init__(s, n, items, fail_at, exc):\n"
                                 "        s.n, s.items, s.fail_at, s.exc = n, items, fail_at, exc\n"
                                 "    def __len__(s):\n"
                                 "        return s.n\n"
                                 "    def __getitem__(s, i):\n"
                                 "        if i >= s.fail_at:\n"
                                 "            raise s.exc\n"
                                 "        if not s.items:\n"
                                 "            return 'i%d' % i\n"
                                 "        return s.items[i % len(s.items)]\n"
                                 "class _StrRaises(object):\n"
                                 "    def __str__(s):\n"
                                 "        raise RuntimeError('str() refused')\n"
                                 "    __repr__ = __str__\n"
                                 "class _Sub(str):\n"
                                 "    def __str__(s):\n"
                                 "        raise RuntimeError('str() of a subclass refused')\n"
                                 "class _Unprintable(Exception):\n"
                                 "    def __str__(s):\n"
                                 "        raise RuntimeError('cannot print')\n"
                                 "_LENS = [0, 1, 2, 3, 5, 17, 64, 1000, 2**40 + 1, 2**60, 2**61, 2**62, sys.maxsize,\n"
                                 "         -1, -2**63, 2**63, 2**64, 'x', 1.5, None]\n"
                                 "_EXCS = [IndexError('end'), KeyError('k'), RuntimeError('boom'), StopIteration(),\n"
                                 "         SystemExit(3), KeyboardInterrupt(), _Unprintable(), MemoryError()]\n"
                                 "class _Check(object):\n"
                                 "    def __init__(s):\n"
                                 "        s.payload, s.exc, s.gen = None, None, False\n"
                                 "    def _get(s):\n"
                                 "        if s.exc is not None:\n"
                                 "            raise s.exc\n"
                                 "        if s.gen:\n"
                                 "            return (x for x in s.payload)\n"
                                 "        return s.payload\n"
                                 "    def get_warnings(s):\n"
                                 "        return s._get()\n"
                                 "    def get_diagnoses(s):\n"
                                 "        return s._get()\n"
                                 "_fz_check = _Check()\n";

static PyObject *fz_main_attr(const char *name)
{
    PyObject *m = PyImport_AddModule("__main__"); /* borrowed */
    return m ? PyObject_GetAttrString(m, name) : NULL;
}

/* Item i of the list __main__.<name>, chosen modulo its length (new reference). */
static PyObject *fz_pick(const char *name, uint8_t sel)
{
    PyObject *l = fz_main_attr(name), *o = NULL;
    if (l != NULL && PyList_Check(l) && PyList_GET_SIZE(l) > 0) {
        o = PyList_GET_ITEM(l, sel % PyList_GET_SIZE(l));
        Py_INCREF(o);
    }
    Py_XDECREF(l);
    return o;
}

/* A list of up to 8 fuzzed items, some replaced by hostile objects. */
static PyObject *fz_items(fz_in_t *in)
{
    size_t n = fz_byte(in) % 9, i;
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (i = 0; l != NULL && i < n; i++) {
        uint8_t sel = fz_byte(in);
        PyObject *o = NULL;
        if (sel % 8 == 0) {
            PyObject *cls = fz_main_attr("_StrRaises");
            o = cls ? PyObject_CallObject(cls, NULL) : NULL;
            Py_XDECREF(cls);
        } else if (sel % 8 == 1) {
            PyObject *cls = fz_main_attr("_Sub");
            o = cls ? PyObject_CallFunction(cls, "s", "sub") : NULL;
            Py_XDECREF(cls);
        }
        if (o == NULL) {
            PyErr_Clear();
            o = fz_object(in, 1);
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, o); /* steals */
    }
    return l;
}

/* Sets the check's payload, exc and gen from the input. 0 on success. */
static int fz_arm(fz_in_t *in)
{
    uint8_t kind = fz_byte(in) % 5, lsel = fz_byte(in), fail = fz_byte(in), esel = fz_byte(in);
    PyObject *payload = NULL, *exc = Py_None, *gen = Py_False;
    int rc = -1;

    Py_INCREF(exc);
    Py_INCREF(gen);
    switch (kind) {
    case 0: payload = fz_object(in, 0); break;
    case 1: { /* a lying or failing sequence */
        PyObject *cls = fz_main_attr("_Claims"), *n = fz_pick("_LENS", lsel), *items = fz_items(in);
        PyObject *e = fz_pick("_EXCS", esel);
        if (cls && n && items && e)
            payload = PyObject_CallFunction(cls, "OOiO", n, items, (int)fail, e);
        Py_XDECREF(cls);
        Py_XDECREF(n);
        Py_XDECREF(items);
        Py_XDECREF(e);
        break;
    }
    case 2: /* a generator over hostile items */
        payload = fz_items(in);
        Py_SETREF(gen, Py_True);
        Py_INCREF(gen);
        break;
    case 3: payload = fz_items(in); break;
    default: /* the method raises */
        payload = Py_None;
        Py_INCREF(payload);
        Py_SETREF(exc, fz_pick("_EXCS", esel));
        break;
    }
    if (payload != NULL && exc != NULL && PyObject_SetAttrString(fz_check, "payload", payload) == 0
        && PyObject_SetAttrString(fz_check, "exc", exc) == 0 && PyObject_SetAttrString(fz_check, "gen", gen) == 0)
        rc = 0;
    Py_XDECREF(payload);
    Py_XDECREF(exc);
    Py_XDECREF(gen);
    return rc;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    rtloader_gilstate_t st;

    (void)argc, (void)argv;
    fz_rt = fz_start("fuzz_checks", NULL);
    st = ensure_gil(fz_rt);
    if (!run_simple_string(fz_rt, fz_prelude) || (fz_check = fz_main_attr("_fz_check")) == NULL) {
        fprintf(stderr, "fuzz_checks: prelude failed\n");
        abort();
    }
    release_gil(fz_rt, st);
    get_and_reset_memory_stats();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    rtloader_gilstate_t st;
    char **w, *d;
    size_t i;

    get_and_reset_memory_stats();
    st = ensure_gil(fz_rt);
    if (fz_arm(&in) != 0) {
        PyErr_Clear();
        release_gil(fz_rt, st);
        return 0;
    }
    w = get_checks_warnings(fz_rt, (rtloader_pyobject_t *)fz_check);
    if (w == NULL && !has_error(fz_rt)) {
        fprintf(stderr, "fuzz_checks: get_checks_warnings returned NULL without an error\n");
        abort();
    }
    for (i = 0; w != NULL && w[i] != NULL; i++) {
        fz_sink += strlen(w[i]); /* ASan checks every byte up to the NUL */
        _free(w[i]);
    }
    _free(w);
    clear_error(fz_rt);
    d = get_check_diagnoses(fz_rt, (rtloader_pyobject_t *)fz_check);
    if (d == NULL) {
        fprintf(stderr, "fuzz_checks: get_check_diagnoses returned NULL: %s\n", get_error(fz_rt));
        abort();
    }
    fz_sink += strlen(d);
    _free(d);
    if (PyErr_Occurred()) {
        PyErr_Print();
        fprintf(stderr, "fuzz_checks: a Python error was left pending\n");
        abort();
    }
    release_gil(fz_rt, st);
    clear_error(fz_rt);

    fz_expect_balanced("fuzz_checks", "get_checks_warnings + get_check_diagnoses");
    return 0;
}
