/*
 * tagger.c: the `tagger` module (BUILTINS.md §6): tags of an entity at a cardinality. The host
 * returns a NULL-terminated array of host strings; rtl_take_host_strv_list turns it into a list
 * and releases every string and the array, including when a string is not valid UTF-8 (then no
 * partial list escapes, §12.4). The GIL is held during the callback.
 */
#include "builtins.h"
#include "convert.h"
#include "pycompat.h"

#define RTL_ERR_BAD_CARDINALITY "Invalid cardinality"

static PyObject *rtl_tags_for(const char *entity, int cardinality)
{
    return rtl_take_host_strv_list(rtl_cb.tags((char *)entity, cardinality));
}

/* tag(entity_id, cardinality) */
static PyObject *rtl_tag(PyObject *self, PyObject *args)
{
    const char *entity;
    int cardinality;

    (void)self;
    if (rtl_cb.tags == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTuple(args, "si", &entity, &cardinality))
        return NULL;
    if (cardinality != DATADOG_AGENT_RTLOADER_TAGGER_LOW && cardinality != DATADOG_AGENT_RTLOADER_TAGGER_ORCHESTRATOR
        && cardinality != DATADOG_AGENT_RTLOADER_TAGGER_HIGH) {
        PyErr_SetString(PyExc_TypeError, RTL_ERR_BAD_CARDINALITY); /* TypeError, as upstream */
        return NULL;
    }
    return rtl_tags_for(entity, cardinality);
}

/* get_tags(entity_id, high_card): deprecated; > 0 means HIGH, anything else LOW. */
static PyObject *rtl_get_tags(PyObject *self, PyObject *args)
{
    const char *entity;
    int high_card;

    (void)self;
    if (rtl_cb.tags == NULL)
        Py_RETURN_NONE;
    if (!PyArg_ParseTuple(args, "si", &entity, &high_card))
        return NULL;
    return rtl_tags_for(entity, high_card > 0 ? DATADOG_AGENT_RTLOADER_TAGGER_HIGH : DATADOG_AGENT_RTLOADER_TAGGER_LOW);
}

static PyMethodDef rtl_tagger_methods[] = {
    {"tag", rtl_tag, METH_VARARGS, "Get tags for an entity."},
    {"get_tags", rtl_get_tags, METH_VARARGS, "(Deprecated) Get tags for an entity."},
    {NULL, NULL, 0, NULL},
};

/* Py_mod_exec: the cardinality constants (§6). */
static int rtl_tagger_exec(PyObject *m)
{
    if (PyModule_AddIntConstant(m, "LOW", DATADOG_AGENT_RTLOADER_TAGGER_LOW) < 0
        || PyModule_AddIntConstant(m, "ORCHESTRATOR", DATADOG_AGENT_RTLOADER_TAGGER_ORCHESTRATOR) < 0
        || PyModule_AddIntConstant(m, "HIGH", DATADOG_AGENT_RTLOADER_TAGGER_HIGH) < 0)
        return -1;
    return 0;
}

static PyModuleDef_Slot rtl_tagger_slots[] = RTL_MODULE_SLOTS_EXEC(rtl_tagger_exec);

static struct PyModuleDef rtl_tagger_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "tagger",
    .m_methods = rtl_tagger_methods,
    .m_slots = rtl_tagger_slots,
};

PyObject *rtl_init_tagger(void)
{
    return PyModuleDef_Init(&rtl_tagger_def);
}
