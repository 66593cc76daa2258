/*
 * containers.c: the `containers` module (BUILTINS.md §8): the host's container exclusion
 * filter. The strings are borrowed from the arguments; the GIL is held during the callback.
 */
#include "builtins.h"
#include "pycompat.h"

/* is_excluded(name, image[, namespace]) */
static PyObject *rtl_is_excluded(PyObject *self, PyObject *args)
{
    const char *name, *image, *ns = NULL;

    (void)self;
    if (rtl_cb.is_excluded == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTuple(args, "ss|s", &name, &image, &ns))
        return NULL;
    /* The namespace is NULL when omitted; None is rejected by the 's' unit. */
    return PyBool_FromLong(rtl_cb.is_excluded((char *)name, (char *)image, (char *)ns) > 0);
}

static PyMethodDef rtl_containers_methods[] = {
    {"is_excluded", rtl_is_excluded, METH_VARARGS,
     "Returns whether a container is excluded per name, image and namespace."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot rtl_containers_slots[] = RTL_MODULE_SLOTS;

static struct PyModuleDef rtl_containers_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "containers",
    .m_methods = rtl_containers_methods,
    .m_slots = rtl_containers_slots,
};

PyObject *rtl_init_containers(void)
{
    return PyModuleDef_Init(&rtl_containers_def);
}
