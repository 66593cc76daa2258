/* fuzz_pyobj.h: build Python objects from fuzz input (shared by fuzz_builtins and fuzz_convert). */
#ifndef FUZZ_PYOBJ_H
#define FUZZ_PYOBJ_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *p;
    size_t n;
} fz_in_t;

/* Next byte (0 when the input is exhausted). */
uint8_t fz_byte(fz_in_t *in);
/* Up to n bytes: *len receives how many were available. */
const uint8_t *fz_bytes(fz_in_t *in, size_t n, size_t *len);
/* A new reference to an object decoded from the input (never NULL: None when out of input or on
 * a construction failure, with the Python error cleared). Shapes: None, bool, small/64-bit/huge
 * ints, floats (NaN, inf), str (valid, with lone surrogates from invalid UTF-8, with NULs, huge),
 * bytes (huge too), list/tuple/dict nested up to a bounded depth, many-string lists. */
PyObject *fz_object(fz_in_t *in, int depth);

#endif
