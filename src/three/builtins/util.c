/*
 * util.c: the `util` module (BUILTINS.md §4), kept for backward compatibility. Its one function,
 * headers(), is datadog_agent.headers itself (rtl_headers in datadog_agent.c): same callback,
 * same http_host handling, same None cases.
 */
#include "convert.h"

static PyMethodDef rtl_util_methods[] = {
    {"headers", RTL_METH(rtl_headers), METH_FASTCALL | METH_KEYWORDS, "Get standard set of HTTP headers."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef rtl_util_def = {
    PyModuleDef_HEAD_INIT, "util", NULL, -1, rtl_util_methods, NULL, NULL, NULL, NULL,
};

PyObject *rtl_init_util(void)
{
    return PyModule_Create(&rtl_util_def); /* new reference */
}
