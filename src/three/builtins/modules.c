/*
 * modules.c: registration of the seven built-in modules (BUILTINS.md §1.1), called by the core
 * before the interpreter is initialised, in the spec's order; and rtl_module_add, which their
 * exec functions use.
 */
#include "builtins.h"

int rtl_builtins_register(void)
{
    static const struct {
        const char *name;
        PyObject *(*init)(void);
    } modules[] = {
        {"aggregator", rtl_init_aggregator},
        {"datadog_agent", rtl_init_datadog_agent},
        {"util", rtl_init_util},
        {"_util", rtl_init_util_private},
        {"tagger", rtl_init_tagger},
        {"kubeutil", rtl_init_kubeutil},
        {"containers", rtl_init_containers},
    };
    size_t i;

    for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
        if (PyImport_AppendInittab(modules[i].name, modules[i].init) < 0)
            return -1;
    return 0;
}

int rtl_module_add(PyObject *module, const char *name, PyObject *value)
{
    if (value == NULL)
        return -1;
    if (PyModule_AddObject(module, name, value) < 0) { /* steals only on success */
        Py_DECREF(value);
        return -1;
    }
    return 0;
}
