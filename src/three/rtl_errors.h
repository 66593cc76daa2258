/*
 * rtl_errors.h: the backend's error texts that are not one module's own: texts used in more than
 * one place, and those of the backend core (checks.c, interp.c, three.c). They are part of the
 * contract (API.md, BUILTINS.md give them exactly): tests and hosts match on them, so each is
 * written once, here. A text used by one built-in module only stays in that module's file, next
 * to the code that raises it.
 */
#ifndef RTL_ERRORS_H
#define RTL_ERRORS_H

/* ---- built-in modules ---- */

/* MemoryError of set_external_tags and _util.subprocess_output (BUILTINS.md §3.8, §5.1). */
#define RTL_ERR_NO_MEMORY "unable to allocate memory, bailing out"

/* ---- backend core: host-facing errors (get_error), formats marked _F ---- */

/* readiness: what every interpreter-needing call reports before a successful init, and a second
 * init (API.md §12.2) */
#define RTL_ERR_NOT_INITIALIZED "rtloader is not initialized"
#define RTL_ERR_ALREADY_INITIALIZED "rtloader is already initialized"

/* init (three.c; API.md §6.2) */
#define RTL_ERR_PATH_LOST "could not allocate memory to record a path given to add_python_path"
#define RTL_ERR_PREINIT "Failed to pre-initialize Python"
#define RTL_ERR_SET_HOME "Failed to set python home"
#define RTL_ERR_SET_PROGRAM_NAME "Failed to set program name"
#define RTL_ERR_SET_EXECUTABLE "Failed to set executable path"
#define RTL_ERR_REGISTER_BUILTINS "Failed to initialize Python: could not register the built-in modules"
#define RTL_ERR_INITIALIZE "Failed to initialize Python"
#define RTL_ERR_SYS_PATH_ACCESS "could not access sys.path"
#define RTL_ERR_SYS_PATH_SET "could not set pythonPath: "
#define RTL_ERR_SYS_PATH_APPEND "could not append path to pythonPath: "
#define RTL_ERR_BASE_CLASS "could not import base class: "
#define RTL_ERR_STRINGUTILS "error initializing string utils: "

/* get_class (checks.c; API.md §7.1) */
#define RTL_ERR_MODULE_NAME_NULL "unable to import module '(null)': module name is NULL"
#define RTL_ERR_MODULE_IMPORT_F "unable to import module '%s': %s"
#define RTL_ERR_NO_SUBCLASS_F "unable to find a subclass of the base check in module '%s': %s"
#define RTL_ERR_GET_CLASS_NULL "get_class: NULL output argument"

/* get_attr_string, get_attr_bool (checks.c) */
#define RTL_ERR_ATTR_NOT_UNICODE_F "error attribute %s has a different type than unicode"
#define RTL_ERR_ATTR_CONVERT_F "error converting attribute %s to string"
#define RTL_ERR_ATTR_MEMORY_F "could not allocate memory for attribute %s"
#define RTL_ERR_ATTR_MISSING_F "error fetching attribute %s does not exist"
#define RTL_ERR_ATTR_NOT_BOOL_F "error attribute %s has a different type than bool"

/* get_check, get_check_deprecated (checks.c; API.md §7.2) */
#define RTL_ERR_SET_ATTR_F "error could not set %s: %s"
#define RTL_ERR_SET_ATTR_PY_F "error could not set '%s' attr: %s"
#define RTL_ERR_GET_CHECK_NULL "get_check: NULL check class or output argument"
#define RTL_ERR_INIT_CONFIG_PARSE "error parsing init_config: "
#define RTL_ERR_INIT_CONFIG_EMPTY "error 'init_config' can't be initialized to an empty dict: "
#define RTL_ERR_INIT_CONFIG_NOT_DICT "error 'init_config' is not a dict"
#define RTL_ERR_INSTANCE_PARSE "error parsing instance: "
#define RTL_ERR_INSTANCE_NOT_DICT "error instance is not a dict"
#define RTL_ERR_INSTANCES_TUPLE "could not create tuple for instances: "
#define RTL_ERR_INSTANCES_ITEM "could not set instance item on instances: "
#define RTL_ERR_ARGS_TUPLE "error 'args' can't be initialized to an empty tuple: "
#define RTL_ERR_KWARGS_DICT "error 'kwargs' can't be initialized to an empty dict: "
#define RTL_ERR_NAME_INIT "error 'name' can't be initialized: "
#define RTL_ERR_NAME_KEY "error 'name' key can't be set: "
#define RTL_ERR_INIT_CONFIG_KEY "error 'init_config' key can't be set: "
#define RTL_ERR_INSTANCES_KEY "error 'instances' key can't be set: "
#define RTL_ERR_AGENT_CONFIG_PARSE "error parsing agent_config: "
#define RTL_ERR_AGENT_CONFIG_NOT_DICT "error agent_config is not a dict"
#define RTL_ERR_AGENT_CONFIG_KEY "error 'agentConfig' key can't be set: "

/* run_check, cancel_check, get_checks_warnings, get_check_diagnoses (checks.c; API.md §7.5-7.8) */
#define RTL_ERR_RUN_INVOKE "error invoking 'run' method: "
#define RTL_ERR_RUN_CONVERT "error converting 'run' result to string"
#define RTL_ERR_RUN_MEMORY "could not allocate memory for the 'run' result"
#define RTL_ERR_CANCEL_INVOKE "error invoking 'cancel' method: "
#define RTL_ERR_WARNINGS_INVOKE "error invoking 'get_warnings' method: "
#define RTL_ERR_WARNINGS_LEN "error computing 'len(warnings)': "
#define RTL_ERR_WARNINGS_MEMORY "could not allocate memory to store warnings"
/* get_warnings() claiming more items than an array of len + 1 pointers can hold (beyond
 * API.md §7.7; worded like the built-ins' "tag list too large"). */
#define RTL_ERR_WARNINGS_TOO_LARGE "warnings list too large"
#define RTL_ERR_WARNINGS_ITEM "there was an error browsing 'warnings' list: "
#define RTL_ERR_DIAGNOSES_CONVERT "error converting 'get_diagnoses' result to string"
#define RTL_ERR_DIAGNOSES_RESULT_MEMORY "could not allocate memory for the 'get_diagnoses' result"
#define RTL_ERR_DIAGNOSES_MEMORY "could not allocate memory for the diagnoses"
#define RTL_ERR_DIAGNOSES_FAILED "check's get_diagnoses() method failed" /* the synthesised diagnosis */

/* set_module_attr_string, get_py_info (interp.c) */
#define RTL_ERR_MODULE_ATTR_NULL "error setting a module attribute: NULL argument"
#define RTL_ERR_MODULE_ATTR_IMPORT_F "error importing python '%s' module: %s"
#define RTL_ERR_MODULE_ATTR_SET_F "error setting the '%s.%s' attribute: %s"
#define RTL_ERR_PY_INFO_MEMORY "could not allocate a py_info_t struct"
#define RTL_ERR_PY_INFO_SYS "could not import module 'sys': "
#define RTL_ERR_PY_INFO_PATH "could not get 'sys.path': "
#define RTL_ERR_PY_INFO_PATH_REPR "could not compute a string representation of 'sys.path': "
#define RTL_ERR_PY_INFO_PATH_MEMORY "could not allocate memory for 'sys.path'"

/* get_integration_list, get_interpreter_memory_usage (interp.c; API.md §7.9, §7.10) */
#define RTL_ERR_WHEELS_IMPORT "could not import datadog_checks.base.utils.agent.packages: "
#define RTL_ERR_WHEELS_ATTR "could not fetch get_datadog_wheels attr: "
#define RTL_ERR_WHEELS_CALL "error fetching wheels list: "
#define RTL_ERR_WHEELS_NOT_LIST "'get_datadog_wheels' did not return a list"
#define RTL_ERR_WHEELS_JSON "'packages' could not be serialized to json: "
#define RTL_ERR_MEM_IMPORT "could not import utils.py_mem: "
#define RTL_ERR_MEM_ATTR "could not fetch get_mem_stats attr: "
#define RTL_ERR_MEM_CALL "error fetching interpreter memory usage: "
#define RTL_ERR_MEM_NOT_DICT "'get_mem_stats' did not return a dictionary"
#define RTL_ERR_MEM_JSON "'get_mem_stats' result could not be serialized to json: "

#endif /* RTL_ERRORS_H */
