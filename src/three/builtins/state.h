/*
 * state.h: the backend's per-interpreter state (state.c): what the backend caches for one
 * interpreter, never shared with another (API.md §13.2). Created on first use in each
 * interpreter, released when that interpreter ends. Every function needs the GIL of the current
 * interpreter.
 */
#ifndef RTL_STATE_H
#define RTL_STATE_H

#include "three.h"

typedef enum {
    RTL_NAME_RUN,
    RTL_NAME_CANCEL,
    RTL_NAME_GET_WARNINGS,
    RTL_NAME_GET_DIAGNOSES,
    RTL_NAME_COUNT
} rtl_name_id_t;

typedef struct rtl_istate_s {
    PyObject *json_loads, *json_dumps; /* json.loads / json.dumps (strong references) */
    PyObject *names[RTL_NAME_COUNT];   /* interned method names (strong references) */
} rtl_istate_t;

/* The current interpreter's state (borrowed, valid while the interpreter lives), or NULL with a
 * Python error set (json could not be imported, out of memory). */
RTL_HIDDEN rtl_istate_t *rtl_istate(void);
/* The current interpreter's interned method name (borrowed), or NULL with a Python error set. */
RTL_HIDDEN PyObject *rtl_name(rtl_name_id_t which);

#endif /* RTL_STATE_H */
