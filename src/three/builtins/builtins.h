/*
 * builtins.h: the plumbing shared by the seven built-in modules (one file each) and modules.c,
 * which registers them (BUILTINS.md §1.1). What the modules share to convert values is convert.h;
 * the aggregator's argument parser is args.h; per-interpreter state is state.h.
 */
#ifndef RTL_BUILTINS_H
#define RTL_BUILTINS_H

#include "three.h"

/* The init function of each module, for the inittab: PyModuleDef_Init of its multi-phase
 * definition (the slots come from pycompat.h's RTL_MODULE_SLOTS). */
RTL_HIDDEN PyObject *rtl_init_aggregator(void);
RTL_HIDDEN PyObject *rtl_init_datadog_agent(void);
RTL_HIDDEN PyObject *rtl_init_util(void);
RTL_HIDDEN PyObject *rtl_init_util_private(void);
RTL_HIDDEN PyObject *rtl_init_tagger(void);
RTL_HIDDEN PyObject *rtl_init_kubeutil(void);
RTL_HIDDEN PyObject *rtl_init_containers(void);

/* Cast a METH_FASTCALL or METH_KEYWORDS implementation for a PyMethodDef without
 * -Wcast-function-type noise and without the version-dependent typedef names. */
#define RTL_METH(fn) ((PyCFunction)(void (*)(void))(fn))

/* Add an object to a module (steals value, on success and on failure). Returns 0 or -1. */
RTL_HIDDEN int rtl_module_add(PyObject *module, const char *name, PyObject *value);

/* datadog_agent.headers, shared with util.headers (BUILTINS.md §3.3, §4). */
RTL_HIDDEN PyObject *rtl_headers(PyObject *self, PyObject *args, PyObject *kwargs);

#endif /* RTL_BUILTINS_H */
