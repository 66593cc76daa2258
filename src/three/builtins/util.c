/*
 * util.c: the `util` module (BUILTINS.md §4), kept for backward compatibility. Its one function,
 * headers(), is datadog_agent.headers itself (rtl_headers in datadog_agent.c): same callback,
 * same http_host handling, same None cases.
 */
#include "builtins.h"
#include "pycompat.h"

static PyMethodDef rtl_util_methods[] = {
    {"headers", RTL_METH(rtl_headers), METH_VARARGS | METH_KEYWORDS, "Get standard set of HTTP headers."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot rtl_util_slots[] = RTL_MODULE_SLOTS;

static struct PyModuleDef rtl_util_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "util",
    .m_methods = rtl_util_methods,
    .m_slots = rtl_util_slots,
};

PyObject *rtl_init_util(void)
{
    return PyModuleDef_Init(&rtl_util_def);
}
