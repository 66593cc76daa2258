/*
 * modules.c: registration of the seven built-in modules (BUILTINS.md §1.1). Called by the core
 * before the interpreter is initialised; the order is the spec's.
 */
#include "convert.h"

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
