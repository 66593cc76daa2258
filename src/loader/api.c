/*
 * api.c: the exported C API (include/datadog_agent_rtloader.h).
 *
 * Every function here is thin: check the handle and the arguments the backend cannot check for
 * itself, then forward through the backend's function table (rtl_backend.h). A NULL handle has
 * no error channel, so such calls return 0/NULL/nothing silently. The loader never includes
 * Python.h: everything that touches Python lives in the backend.
 *
 * One instance per process (API.md §5.1): `rtl_instance` is the guard behind
 * "RtLoader already initialized!". destroy() clears it; the backend library stays mapped.
 */
#include <stddef.h>
#include <string.h>

#define RTLOADER_NO_RAW_MALLOC
#include "datadog_agent_rtloader.h"
#include "loader.h"
#include "rtloader_mem.h"

static rtloader_t *rtl_instance;

/* ---- FACTORY / HELPERS -------------------------------------------------------------------- */

DATADOG_AGENT_RTLOADER_API rtloader_t *make3(const char *python_home, const char *python_exe, char **error)
{
    const rtl_backend_t *ops;
    rtloader_t *rt;
    char *dummy = NULL;

    if (error == NULL)
        error = &dummy; /* the spec requires non-NULL; be safe anyway */
    *error = NULL;
    if (rtl_instance != NULL) {
        *error = strdupe("RtLoader already initialized!");
        goto fail;
    }
    ops = rtl_open_backend(python_home, python_exe, error);
    if (ops == NULL)
        goto fail;
    rt = _malloc(sizeof(*rt));
    if (rt == NULL) {
        *error = strdupe("Unable to create the three instance: out of memory");
        goto fail;
    }
    rt->ops = ops;
    /* Hand over the *current* allocator pair, so both libraries count through one tracker. */
    rt->state = ops->create(python_home, python_exe, _get_tracked_malloc(), _get_tracked_free());
    if (rt->state == NULL) {
        _free(rt);
        *error = strdupe("Unable to create the three instance: out of memory");
        goto fail;
    }
    rtl_instance = rt;
    return rt;
fail:
    if (error == &dummy)
        _free(dummy);
    return NULL;
}

DATADOG_AGENT_RTLOADER_API void enable_memory_tracker(void)
{
    _enable_memory_tracker();
}

/* ---- API ---------------------------------------------------------------------------------- */

DATADOG_AGENT_RTLOADER_API void destroy(rtloader_t *rt)
{
    if (rt == NULL)
        return;
    rt->ops->destroy(rt->state);
    if (rtl_instance == rt)
        rtl_instance = NULL;
    _free(rt);
}

DATADOG_AGENT_RTLOADER_API int init(rtloader_t *rt)
{
    return rt ? rt->ops->init(rt->state) : 0;
}

DATADOG_AGENT_RTLOADER_API int add_python_path(rtloader_t *rt, const char *path)
{
    if (rt == NULL || path == NULL)
        return 0;
    return rt->ops->add_python_path(rt->state, path);
}

DATADOG_AGENT_RTLOADER_API void clear_error(rtloader_t *rt)
{
    if (rt != NULL)
        rt->ops->clear_error(rt->state);
}

DATADOG_AGENT_RTLOADER_API rtloader_gilstate_t ensure_gil(rtloader_t *rt)
{
    return rt ? rt->ops->ensure_gil(rt->state) : DATADOG_AGENT_RTLOADER_GIL_UNLOCKED;
}

DATADOG_AGENT_RTLOADER_API void release_gil(rtloader_t *rt, rtloader_gilstate_t state)
{
    if (rt != NULL)
        rt->ops->release_gil(rt->state, state);
}

DATADOG_AGENT_RTLOADER_API int get_class(rtloader_t *rt, const char *name, rtloader_pyobject_t **py_module,
                                         rtloader_pyobject_t **py_class)
{
    return rt ? rt->ops->get_class(rt->state, name, py_module, py_class) : 0;
}

DATADOG_AGENT_RTLOADER_API int get_attr_string(rtloader_t *rt, rtloader_pyobject_t *py_class, const char *attr_name,
                                               char **value)
{
    return rt ? rt->ops->get_attr_string(rt->state, py_class, attr_name, value) : 0;
}

DATADOG_AGENT_RTLOADER_API int get_attr_bool(rtloader_t *rt, rtloader_pyobject_t *py_class, const char *attr_name,
                                             bool *value)
{
    return rt ? rt->ops->get_attr_bool(rt->state, py_class, attr_name, value) : 0;
}

DATADOG_AGENT_RTLOADER_API int get_check(rtloader_t *rt, rtloader_pyobject_t *py_class, const char *init_config,
                                         const char *instance, const char *check_id, const char *check_name,
                                         const char *provider, rtloader_pyobject_t **check)
{
    if (rt == NULL)
        return 0;
    return rt->ops->get_check(rt->state, py_class, init_config, instance, NULL, 0, check_id, check_name, provider,
                              check);
}

DATADOG_AGENT_RTLOADER_API int get_check_deprecated(rtloader_t *rt, rtloader_pyobject_t *py_class,
                                                    const char *init_config, const char *instance,
                                                    const char *agent_config, const char *check_id,
                                                    const char *check_name, const char *provider,
                                                    rtloader_pyobject_t **check)
{
    if (rt == NULL)
        return 0;
    return rt->ops->get_check(rt->state, py_class, init_config, instance, agent_config, 1, check_id, check_name,
                              provider, check);
}

DATADOG_AGENT_RTLOADER_API char *run_check(rtloader_t *rt, rtloader_pyobject_t *check)
{
    return rt ? rt->ops->run_check(rt->state, check) : NULL;
}

DATADOG_AGENT_RTLOADER_API void cancel_check(rtloader_t *rt, rtloader_pyobject_t *check)
{
    if (rt != NULL)
        rt->ops->cancel_check(rt->state, check);
}

DATADOG_AGENT_RTLOADER_API char **get_checks_warnings(rtloader_t *rt, rtloader_pyobject_t *check)
{
    return rt ? rt->ops->get_checks_warnings(rt->state, check) : NULL;
}

DATADOG_AGENT_RTLOADER_API char *get_check_diagnoses(rtloader_t *rt, rtloader_pyobject_t *check)
{
    return rt ? rt->ops->get_check_diagnoses(rt->state, check) : NULL;
}

DATADOG_AGENT_RTLOADER_API void rtloader_free(rtloader_t *rt, void *ptr)
{
    (void)rt;
    if (ptr != NULL)
        _free(ptr);
}

DATADOG_AGENT_RTLOADER_API void rtloader_decref(rtloader_t *rt, rtloader_pyobject_t *obj)
{
    if (rt != NULL)
        rt->ops->decref(rt->state, obj);
}

DATADOG_AGENT_RTLOADER_API void rtloader_incref(rtloader_t *rt, rtloader_pyobject_t *obj)
{
    if (rt != NULL)
        rt->ops->incref(rt->state, obj);
}

DATADOG_AGENT_RTLOADER_API void set_module_attr_string(rtloader_t *rt, char *module, char *attr, char *value)
{
    if (rt != NULL)
        rt->ops->set_module_attr_string(rt->state, module, attr, value);
}

/* ---- CONST API ---------------------------------------------------------------------------- */

DATADOG_AGENT_RTLOADER_API rtloader_pyobject_t *get_none(const rtloader_t *rt)
{
    return rt ? rt->ops->get_none(rt->state) : NULL;
}

DATADOG_AGENT_RTLOADER_API py_info_t *get_py_info(rtloader_t *rt)
{
    return rt ? rt->ops->get_py_info(rt->state) : NULL;
}

DATADOG_AGENT_RTLOADER_API void free_py_info(rtloader_t *rt, py_info_t *info)
{
    (void)rt;
    if (info == NULL)
        return;
    _free(info->path);
    _free(info);
}

DATADOG_AGENT_RTLOADER_API int run_simple_string(const rtloader_t *rt, const char *code)
{
    if (rt == NULL || code == NULL)
        return 0;
    return rt->ops->run_simple_string(rt->state, code);
}

DATADOG_AGENT_RTLOADER_API int has_error(const rtloader_t *rt)
{
    return rt ? rt->ops->has_error(rt->state) : 0;
}

DATADOG_AGENT_RTLOADER_API const char *get_error(const rtloader_t *rt)
{
    return rt ? rt->ops->get_error(rt->state) : "";
}

/* ---- SUB-INTERPRETERS / PYTHON HELPERS ---------------------------------------------------- */

DATADOG_AGENT_RTLOADER_API int has_subinterpreter_support(const rtloader_t *rt)
{
    return rt ? rt->ops->has_subinterpreter_support(rt->state) : 0;
}

DATADOG_AGENT_RTLOADER_API int enable_subinterpreters(rtloader_t *rt, int on)
{
    return rt ? rt->ops->enable_subinterpreters(rt->state, on) : 0;
}

DATADOG_AGENT_RTLOADER_API int set_subinterpreter_blocklist(rtloader_t *rt, const char *modules)
{
    return rt ? rt->ops->set_subinterpreter_blocklist(rt->state, modules) : 0;
}

DATADOG_AGENT_RTLOADER_API int check_is_isolated(rtloader_t *rt, rtloader_pyobject_t *check)
{
    return rt ? rt->ops->check_is_isolated(rt->state, check) : -1;
}

DATADOG_AGENT_RTLOADER_API char *get_integration_list(rtloader_t *rt)
{
    return rt ? rt->ops->get_integration_list(rt->state) : NULL;
}

DATADOG_AGENT_RTLOADER_API char *get_interpreter_memory_usage(rtloader_t *rt)
{
    return rt ? rt->ops->get_interpreter_memory_usage(rt->state) : NULL;
}

/* ---- callback setters: one process-global table in the backend ---------------------------- */

#define RTL_SETTER(field, type)                                                                                        \
    DATADOG_AGENT_RTLOADER_API void set_##field##_cb(rtloader_t *rt, type cb)                                          \
    {                                                                                                                  \
        if (rt != NULL)                                                                                                \
            rt->ops->callbacks->field = cb;                                                                            \
    }

RTL_CALLBACK_LIST(RTL_SETTER)

/* ---- Python allocator statistics ---------------------------------------------------------- */

DATADOG_AGENT_RTLOADER_API void init_pymem_stats(rtloader_t *rt)
{
    if (rt != NULL)
        rt->ops->init_pymem_stats(rt->state);
}

DATADOG_AGENT_RTLOADER_API void get_pymem_stats(rtloader_t *rt, pymem_stats_t *stats)
{
    if (rt != NULL && stats != NULL)
        rt->ops->get_pymem_stats(rt->state, stats);
}
