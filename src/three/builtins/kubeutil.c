/*
 * kubeutil.c: the `kubeutil` module (BUILTINS.md §7): kubelet connection information, a JSON
 * object the host serialises. Unset callback: None; any later failure (NULL payload, bad JSON,
 * bad UTF-8, not an object): a new empty dict, with the error cleared.
 */
#include "builtins.h"
#include "convert.h"
#include "pycompat.h"

static PyObject *rtl_get_connection_info(PyObject *self, PyObject *unused)
{
    char *data = NULL;
    PyObject *info;

    (void)self, (void)unused;
    if (rtl_cb.get_connection_info == NULL)
        Py_RETURN_NONE;
    rtl_cb.get_connection_info(&data);
    info = rtl_from_json(data); /* new reference, or NULL */
    rtl_cgo_free(data);
    if (info == NULL || !PyDict_Check(info)) {
        PyErr_Clear();
        Py_XDECREF(info);
        return PyDict_New(); /* new reference */
    }
    return info;
}

static PyMethodDef rtl_kubeutil_methods[] = {
    {"get_connection_info", rtl_get_connection_info, METH_NOARGS, "Get kubelet connection information."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot rtl_kubeutil_slots[] = RTL_MODULE_SLOTS;

static struct PyModuleDef rtl_kubeutil_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "kubeutil",
    .m_methods = rtl_kubeutil_methods,
    .m_slots = rtl_kubeutil_slots,
};

PyObject *rtl_init_kubeutil(void)
{
    return PyModuleDef_Init(&rtl_kubeutil_def);
}
