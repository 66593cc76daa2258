/*
 * args.h: argument parsing for the aggregator's METH_FASTCALL functions (args.c).
 */
#ifndef RTL_ARGS_H
#define RTL_ARGS_H

#include "three.h"

/* Parse a vectorcall argument vector the way PyArg_ParseTuple parses a tuple, with the same error
 * texts, without building the tuple. Units: O s s# i b L d f, and '|' (optional from here).
 * Outputs of arguments that are not given are left untouched, so callers initialise their
 * defaults; every string output is borrowed from its argument object. Returns 0, or -1 with a
 * Python error set. */
RTL_HIDDEN int rtl_parse_args(PyObject *const *args, Py_ssize_t nargs, const char *format, ...);

#endif /* RTL_ARGS_H */
