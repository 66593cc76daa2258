/*
 * datadog_agent_rtloader.h: the public C API of rtloader.
 *
 * A host links libdatadog-agent-rtloader.so (never libpython). make3() selects and loads the
 * Python-3 backend at run time; the host then registers its callbacks, adds Python paths, calls
 * init(), and runs checks.
 *
 * Conventions (hold for every function unless its comment says otherwise):
 *   - int functions return 1 for success/true and 0 for failure/false;
 *   - pointer functions return NULL on failure;
 *   - on failure an error message is stored in the handle: has_error() reports it, get_error()
 *     consumes it (and never returns NULL), clear_error() drops it. A successful call does not
 *     clear an earlier error;
 *   - every char *, char ** or struct returned is allocated with rtloader's _malloc: free it with
 *     rtloader_free() (or _free), never with the C library's free;
 *   - every const char * argument is borrowed: rtloader copies what it keeps;
 *   - every rtloader_pyobject_t ** out-parameter receives a new reference (release it with
 *     rtloader_decref, GIL held);
 *   - [GIL] means the caller must hold the GIL on the calling OS thread (ensure_gil);
 *     [no GIL] means it need not; [self-GIL] means the function takes the GIL itself;
 *   - [concurrent] on a callback setter: with sub-interpreters on (enable_subinterpreters),
 *     the callback may be called from several threads at the same time, so it must be
 *     thread-safe;
 *   - until init() has succeeded (and after it failed), every function that needs the
 *     interpreter returns at once (0, NULL or nothing) with the error "rtloader is not
 *     initialized", without touching Python.
 *
 * The header compiles as C89 (-std=c89 -pedantic), C99 and C++.
 */
#ifndef DATADOG_AGENT_RTLOADER_H
#define DATADOG_AGENT_RTLOADER_H

#include "rtloader_types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rtloader_s;
typedef struct rtloader_s rtloader_t;
struct rtloader_pyobject_s;
typedef struct rtloader_pyobject_s rtloader_pyobject_t; /* a PyObject * under another name */

/* FACTORY */

/*
 * make3: select and load the Python-3 backend and create the (single) rtloader instance. Python
 * is not initialised yet: register callbacks and paths, then call init().
 *   python_home: the Python installation prefix; NULL or "" selects the default backend with its
 *     build-time home. Otherwise the version 3.X found under python_home (lib/python3.X/os.py, or
 *     the name of python_exe) selects libdatadog-agent-three-3.X.so, falling back to the default
 *     libdatadog-agent-three.so when that was built for 3.X (and preferring the default when it
 *     was built for this very home). Backends are searched in the loader's own directory first,
 *     then through the dynamic linker's search path.
 *   python_exe: sys.executable for the interpreter; NULL or "" leaves Python's default.
 *   error: must not be NULL. On failure it receives a _malloc'ed message (free it with _free):
 *     "RtLoader already initialized!", "Unable to open three library: <dlerror>",
 *     "Unable to open three factory: <dlerror>", or
 *     "Unable to find a three library for Python 3.X in '<home>'; available versions: <list>".
 * Returns the handle, or NULL. After destroy(), make3 may be called again, but the interpreter
 * cannot be initialised a second time in one process (init then fails). [no GIL]
 */
DATADOG_AGENT_RTLOADER_API rtloader_t *make3(const char *python_home, const char *python_exe, char **error);

/* HELPERS */

/* Switch rtloader's allocator to the counting pair (process-wide). Call before make3. [no GIL] */
DATADOG_AGENT_RTLOADER_API void enable_memory_tracker(void);

/* API */

/*
 * destroy: tear the instance down and forget the backend so that make3 may run again (the library
 * stays mapped). If the interpreter was initialised, the GIL is re-acquired on the calling thread
 * and KEPT; Py_Finalize is not called, so no Python work may follow. A handle whose init failed
 * or never ran is freed without touching Python. NULL: no-op. [no GIL needed; may return holding it]
 */
DATADOG_AGENT_RTLOADER_API void destroy(rtloader_t *);

/*
 * init: initialise the interpreter (UTF-8 mode, home, program name/executable, built-in modules),
 * append the recorded Python paths to sys.path, set up the JSON helpers and import the base class
 * datadog_checks.checks.AgentCheck. Returns 1 on success, 0 with an error on failure. It returns
 * with the GIL released in every case. Runs at most once per process: a second call returns 0
 * with "rtloader is already initialized". [no GIL]
 */
DATADOG_AGENT_RTLOADER_API int init(rtloader_t *);

/* Record a directory that init() appends to sys.path (in call order). Returns 1 if recorded, 0 if
 * the same string was already recorded (no error set) or on bad input. After a successful init
 * the call has no effect: the live sys.path is not changed (append to it from Python instead) and
 * nothing is kept; it returns 1, or 0 for a path recorded before init, with no error. [no GIL] */
DATADOG_AGENT_RTLOADER_API int add_python_path(rtloader_t *, const char *path);

/* Drop the stored error (flag and message). [no GIL] */
DATADOG_AGENT_RTLOADER_API void clear_error(rtloader_t *);

/*
 * ensure_gil: make the calling OS thread hold the GIL. Returns DATADOG_AGENT_RTLOADER_GIL_LOCKED
 * when the thread already held it (nested call), DATADOG_AGENT_RTLOADER_GIL_UNLOCKED otherwise.
 * Each OS thread keeps one Python thread state across cycles (created on its first call,
 * reclaimed when the thread exits), so threading.local() values persist on a thread.
 * release_gil: undo the matching ensure_gil, on the same OS thread: with ..._GIL_UNLOCKED it
 * releases the GIL, with ..._GIL_LOCKED it keeps it. [no GIL]
 */
DATADOG_AGENT_RTLOADER_API rtloader_gilstate_t ensure_gil(rtloader_t *);
DATADOG_AGENT_RTLOADER_API void release_gil(rtloader_t *, rtloader_gilstate_t);

/*
 * get_class: import module `name` and find its check class: the first leaf subclass of the base
 * AgentCheck, in alphabetical attribute order. On success stores new references in *py_module and
 * *py_class and returns 1; on failure returns 0, sets an error and writes nothing (a NULL
 * out-pointer is never written through). [GIL]
 */
DATADOG_AGENT_RTLOADER_API int get_class(rtloader_t *rtloader, const char *name, rtloader_pyobject_t **py_module,
                                         rtloader_pyobject_t **py_class);

/*
 * get_attr_string: read the str attribute `attr_name` of any object. Success: *value receives a
 * _malloc'ed UTF-8 copy (free with rtloader_free), returns 1. A NULL object or a missing
 * attribute returns 0 with NO error set; a non-str attribute or a failed conversion returns 0
 * with an error. The Python error indicator is left clear. [GIL]
 */
DATADOG_AGENT_RTLOADER_API int get_attr_string(rtloader_t *rtloader, rtloader_pyobject_t *py_class,
                                               const char *attr_name, char **value);

/*
 * get_attr_bool: read the bool attribute `attr_name`. Success: *value = (attribute is True),
 * returns 1. A NULL object returns 0; a missing or non-bool attribute returns 0 with an error.
 * The Python error indicator is left clear. [GIL]
 */
DATADOG_AGENT_RTLOADER_API int get_attr_bool(rtloader_t *rtloader, rtloader_pyobject_t *py_class, const char *attr_name,
                                             bool *value);

/*
 * get_check: instantiate the check class as klass(name=check_name, init_config=<dict>,
 * instances=(<dict>,)), where both dicts come from the class's own load_config(str); then set
 * the check_id and provider attributes when non-empty. Stores a new reference in *check and
 * returns 1; returns 0 with an error otherwise (a constructor exception gives the bare formatted
 * Python error). [GIL]
 * get_check_deprecated: the same, plus the keyword agentConfig=load_config(agent_config) when
 * agent_config is not NULL. Its 5th argument is agent_config. [GIL]
 */
DATADOG_AGENT_RTLOADER_API int get_check(rtloader_t *rtloader, rtloader_pyobject_t *py_class, const char *init_config,
                                         const char *instance, const char *check_id, const char *check_name,
                                         const char *provider, rtloader_pyobject_t **check);
DATADOG_AGENT_RTLOADER_API int get_check_deprecated(rtloader_t *rtloader, rtloader_pyobject_t *py_class,
                                                    const char *init_config, const char *instance,
                                                    const char *agent_config, const char *check_id,
                                                    const char *check_name, const char *provider,
                                                    rtloader_pyobject_t **check);

/* run_check: call check.run() and return a _malloc'ed copy of its str result ("" on success, or
 * a JSON list of errors); free it with rtloader_free. NULL on error, or for a NULL check (no
 * error set then). [GIL] */
DATADOG_AGENT_RTLOADER_API char *run_check(rtloader_t *, rtloader_pyobject_t *check);

/* cancel_check: call check.cancel(); returns nothing (an exception sets an error). NULL check:
 * no-op. [GIL] */
DATADOG_AGENT_RTLOADER_API void cancel_check(rtloader_t *, rtloader_pyobject_t *check);

/* get_checks_warnings: check.get_warnings() as a NULL-terminated _malloc'ed array of _malloc'ed
 * strings (non-str items skipped). Free every element, then the array, with rtloader_free. NULL
 * on error or for a NULL check; a len() too large for an array of len() + 1 pointers (a sequence
 * claiming 2**61 items) is an error: "warnings list too large". [GIL] */
DATADOG_AGENT_RTLOADER_API char **get_checks_warnings(rtloader_t *, rtloader_pyobject_t *check);

/* get_check_diagnoses: check.get_diagnoses() (a JSON list) as a _malloc'ed string. A failure of
 * the method yields a synthesised JSON error diagnosis (result 3) instead, with no error set.
 * NULL only for a NULL check (or before init). Free with rtloader_free. [GIL] */
DATADOG_AGENT_RTLOADER_API char *get_check_diagnoses(rtloader_t *, rtloader_pyobject_t *check);

/* Free memory returned by rtloader (rtloader's _free). NULL: no-op. [no GIL] */
DATADOG_AGENT_RTLOADER_API void rtloader_free(rtloader_t *, void *ptr);

/* Py_XDECREF / Py_XINCREF of a Python object; NULL: no-op. [GIL] */
DATADOG_AGENT_RTLOADER_API void rtloader_decref(rtloader_t *, rtloader_pyobject_t *);
DATADOG_AGENT_RTLOADER_API void rtloader_incref(rtloader_t *, rtloader_pyobject_t *);

/* set_module_attr_string(rtloader, module, attr, value): import `module` and set module.attr to
 * the str `value`. Errors are reported through the error channel. [GIL] */
DATADOG_AGENT_RTLOADER_API void set_module_attr_string(rtloader_t *, char *, char *, char *);

/* CONST API */

/* The None object, BORROWED: never decref it. Makes no Python call (works before init). [no GIL] */
DATADOG_AGENT_RTLOADER_API rtloader_pyobject_t *get_none(const rtloader_t *);

/* get_py_info: a _malloc'ed py_info_t: version is Py_GetVersion() (borrowed, static), path a
 * _malloc'ed repr(sys.path) (NULL, with an error set, if that failed). Release with free_py_info.
 * NULL if the struct cannot be allocated. [GIL] */
DATADOG_AGENT_RTLOADER_API py_info_t *get_py_info(rtloader_t *);

/* Free a py_info_t and its path. NULL: no-op. [no GIL] */
DATADOG_AGENT_RTLOADER_API void free_py_info(rtloader_t *, py_info_t *);

/* Run `code` in __main__. Returns 1 if it finished without an uncaught exception, else 0 (Python
 * prints the traceback to stderr, without calling sys.excepthook; no rtloader error is set).
 * SystemExit never exits the host: it is printed, 0 is returned, and its formatted text
 * ("...SystemExit: 5\n") is stored as the error (API.md §12.5). [GIL] */
DATADOG_AGENT_RTLOADER_API int run_simple_string(const rtloader_t *, const char *code);

/* 1 if an error is stored (does not consume it). [no GIL] */
DATADOG_AGENT_RTLOADER_API int has_error(const rtloader_t *);

/* Consume the stored error: returns its message and clears the flag; with no error stored,
 * returns "". Never NULL. The pointer is borrowed (valid until the next error operation): never
 * free it. [no GIL] */
DATADOG_AGENT_RTLOADER_API const char *get_error(const rtloader_t *);

#ifndef _WIN32
/*
 * handle_crashes(enable_coredump, enable_stacktrace, error): with enable_coredump, raise
 * RLIMIT_CORE to unlimited; with enable_stacktrace, install (once per process) a SIGSEGV handler
 * on a guard-paged alternate stack that prints the C stack with write(2) and then hands the
 * signal to the previous handler (for Go: its goroutine dump). Takes no handle: call it first.
 * Returns 1 on success (also when both flags are 0); 0 with a _malloc'ed *error (free with _free)
 * on failure. [no GIL]
 */
DATADOG_AGENT_RTLOADER_API int handle_crashes(const int, const int, char **error);
#endif

/* SUB-INTERPRETER SUPPORT (Python 3.12 and newer)
 *
 * With sub-interpreters on, get_check builds each check instance in a sub-interpreter of its own,
 * with its own GIL (PEP 684): run_check on such an "isolated" check releases the main GIL while
 * the check runs, so host threads that call ensure_gil -> run_check -> release_gil run checks on
 * several cores at once. Nothing else changes for the host: the check object is used, released
 * and passed to every function exactly as before, and every call on it (run_check, cancel_check,
 * get_checks_warnings, get_check_diagnoses, get_attr_*, rtloader_incref/decref) goes into its
 * interpreter and back by itself. A check whose module cannot be used in a sub-interpreter
 * (typically an extension module without multi-interpreter support: psutil, pydantic-core)
 * runs in the main interpreter instead; the reason is logged once per class at INFO level:
 * "check '<module>.<Class>' runs in the main interpreter: <reason>". The new interpreter gets the
 * main one's sys.path and every set_module_attr_string made so far. The last rtloader_decref of
 * an isolated check ends its interpreter once the check's non-daemon threads are done (joined
 * there; a check whose daemon threads still run keeps its interpreter until they end). destroy
 * leaves live sub-interpreters alone. run_simple_string, get_class, get_py_info and
 * set_module_attr_string keep running in the main interpreter; the Python allocator statistics
 * cover every interpreter. */

/* 1 once enable_subinterpreters(rt, 1) succeeded, else 0. [no GIL] */
DATADOG_AGENT_RTLOADER_API int has_subinterpreter_support(const rtloader_t *);

/* enable_subinterpreters: before init, on = 1 asks for one sub-interpreter per check instance
 * (on = 0: the default, every check in the main interpreter). Returns 1 on success; 0 with an
 * error when init already ran ("sub-interpreters must be enabled before init") or, for on = 1,
 * when the backend's Python is older than 3.12 ("sub-interpreters need Python 3.12 or newer
 * (this is 3.X)"). [no GIL] */
DATADOG_AGENT_RTLOADER_API int enable_subinterpreters(rtloader_t *, int on);

/* set_subinterpreter_blocklist: comma-separated module names whose checks always run in the main
 * interpreter: an entry matches a check class's __module__ exactly, or as a prefix when it ends
 * in '.' ("mod,pkg." matches mod, pkg.a, pkg.a.b). NULL or "" clears the list. May be called at
 * any time, from any thread; applies to later get_check calls. The string is copied. Returns 1;
 * 0 with an error if the copy cannot be allocated. [no GIL] */
DATADOG_AGENT_RTLOADER_API int set_subinterpreter_blocklist(rtloader_t *, const char *modules);

/* check_is_isolated: 1 if this check object runs in a sub-interpreter of its own, 0 if in the
 * main one (or it is not a check); -1 with an error for a NULL check or before init. [no GIL] */
DATADOG_AGENT_RTLOADER_API int check_is_isolated(rtloader_t *, rtloader_pyobject_t *check);

/* PYTHON HELPERS */

/* A _malloc'ed JSON array of the installed Datadog wheels
 * (datadog_checks.base.utils.agent.packages.get_datadog_wheels()), or NULL with an error.
 * [self-GIL] */
DATADOG_AGENT_RTLOADER_API char *get_integration_list(rtloader_t *);

/* A _malloc'ed JSON object from utils.py_mem.get_mem_stats(), or NULL with an error. [self-GIL] */
DATADOG_AGENT_RTLOADER_API char *get_interpreter_memory_usage(rtloader_t *);

/* Callback setters. Each stores a process-global pointer (the handle only routes the call); NULL
 * disables the callback, and the built-in then returns None or does nothing. Call them before
 * init(), from one thread. [no GIL]
 * Concurrency: with sub-interpreters on (enable_subinterpreters), checks in different
 * interpreters run at the same time, so EVERY callback below may be called concurrently from
 * several threads: callbacks must be thread-safe. */

/* AGGREGATOR API */
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_submit_metric_cb(rtloader_t *, cb_submit_metric_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_submit_service_check_cb(rtloader_t *, cb_submit_service_check_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_submit_event_cb(rtloader_t *, cb_submit_event_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_submit_histogram_bucket_cb(rtloader_t *, cb_submit_histogram_bucket_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_submit_event_platform_event_cb(rtloader_t *, cb_submit_event_platform_event_t);

/* DATADOG_AGENT API */
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_get_version_cb(rtloader_t *, cb_get_version_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_get_config_cb(rtloader_t *, cb_get_config_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_headers_cb(rtloader_t *, cb_headers_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_get_hostname_cb(rtloader_t *, cb_get_hostname_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_get_host_tags_cb(rtloader_t *, cb_get_host_tags_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_get_clustername_cb(rtloader_t *, cb_get_clustername_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_tracemalloc_enabled_cb(rtloader_t *, cb_tracemalloc_enabled_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_log_cb(rtloader_t *, cb_log_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_send_log_cb(rtloader_t *, cb_send_log_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_set_check_metadata_cb(rtloader_t *, cb_set_check_metadata_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_set_external_tags_cb(rtloader_t *, cb_set_external_tags_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_write_persistent_cache_cb(rtloader_t *, cb_write_persistent_cache_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_read_persistent_cache_cb(rtloader_t *, cb_read_persistent_cache_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_obfuscate_sql_cb(rtloader_t *, cb_obfuscate_sql_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_obfuscate_sql_exec_plan_cb(rtloader_t *, cb_obfuscate_sql_exec_plan_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_get_process_start_time_cb(rtloader_t *, cb_get_process_start_time_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_obfuscate_mongodb_string_cb(rtloader_t *, cb_obfuscate_mongodb_string_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_emit_agent_telemetry_cb(rtloader_t *, cb_emit_agent_telemetry_t);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_report_issue_cb(rtloader_t *rtloader, cb_report_issue_t cb);
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_resolve_issue_cb(rtloader_t *rtloader, cb_resolve_issue_t cb);

/* _UTIL API */
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_get_subprocess_output_cb(rtloader_t *rtloader, cb_get_subprocess_output_t cb);

/* CGO API: the function that frees what callbacks return (Go registers rtloader's _free). */
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_cgo_free_cb(rtloader_t *, cb_cgo_free_t);

/* TAGGER API */
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_tags_cb(rtloader_t *, cb_tags_t);

/* KUBEUTIL API */
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_get_connection_info_cb(rtloader_t *, cb_get_connection_info_t);

/* CONTAINERS */
/* [concurrent] */
DATADOG_AGENT_RTLOADER_API void set_is_excluded_cb(rtloader_t *, cb_is_excluded_t);

/* PYTHON ALLOCATOR STATISTICS */

/* Ask for Python allocator hooks (raw domain + object arenas); call after make3, before init, so
 * start-up allocations are counted. Works under every PYTHONMALLOC / PYTHONDEVMODE setting: with
 * the debug hooks the counting allocator goes beneath them (their guard bytes are counted); with
 * PYTHONMALLOC=malloc or malloc_debug (no pymalloc, no arenas) the mem and object domains are
 * counted per block too. Not counted: what an allocator other than pymalloc or the C library
 * hands out (e.g. 3.13's PYTHONMALLOC=mimalloc), and blocks allocated before init installed the
 * hooks (a few KB; inuse is clamped at 0). See the README, "Python allocator statistics". [no GIL] */
DATADOG_AGENT_RTLOADER_API void init_pymem_stats(rtloader_t *);
/* Fill *stats with {inuse, alloc} (atomic loads). NULL stats: no-op. [no GIL] */
DATADOG_AGENT_RTLOADER_API void get_pymem_stats(rtloader_t *, pymem_stats_t *);

#ifdef __cplusplus
}
#endif

#endif /* DATADOG_AGENT_RTLOADER_H */
