/*
 * convert.h: the one conversion layer shared by every built-in module and by the backend core
 * (BUILTINS.md §9.1 "stringutils", plus the project's borrowed-string and tag-array helpers).
 *
 * All returned C memory is rt-owned (rtl_malloc); every function leaves no Python error set
 * unless its comment says so.
 */
#ifndef RTL_CONVERT_H
#define RTL_CONVERT_H

#include "three.h"

/* init_stringutils: import json and cache json.loads/json.dumps (strong refs, never released).
 * Returns EXIT_SUCCESS, or EXIT_FAILURE with the Python error left set. */
RTL_HIDDEN int rtl_init_stringutils(void);

/* as_string: NULL -> NULL; bytes -> copy cut at the first NUL; str -> strict UTF-8 copy (on
 * failure the error is cleared, NULL); any other type -> NULL with no error set. */
RTL_HIDDEN char *rtl_as_string(PyObject *obj);

/* from_json: json.loads(data) as a new reference. NULL input or uninitialised helpers -> NULL
 * without an error; a decode error -> NULL with the error set. */
RTL_HIDDEN PyObject *rtl_from_json(const char *data);

/* as_json: json.dumps(obj) as an rt-owned string, or NULL with the Python error left set. */
RTL_HIDDEN char *rtl_as_json(PyObject *obj);

#endif /* RTL_CONVERT_H */
