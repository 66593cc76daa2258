/*
 * rtloader_types.h: the types shared by rtloader's public API.
 *
 * Everything here is part of the ABI that the Go Agent's cgo code (and any C host) compiles
 * against: the enum values, struct layouts and callback typedefs must not change. The header
 * compiles as C89 (-std=c89 -pedantic), C99 and C++.
 *
 * Ownership rules for every callback typedef below:
 *   - strings and arrays rtloader passes IN belong to rtloader and are valid only during the call;
 *     the host copies what it keeps;
 *   - strings, arrays and error strings the callback RETURNS (as a return value or through a
 *     char ** out-parameter) are allocated by the host; rtloader releases them with the function
 *     registered through set_cgo_free_cb;
 *   - callbacks must not call back into Python.
 */
#ifndef DATADOG_AGENT_RTLOADER_TYPES_H
#define DATADOG_AGENT_RTLOADER_TYPES_H

#include <stdbool.h>
#include <stdlib.h>

#ifndef DATADOG_AGENT_RTLOADER_API
#    ifdef DATADOG_AGENT_RTLOADER_TEST
#        define DATADOG_AGENT_RTLOADER_API
#    elif defined _WIN32
#        define DATADOG_AGENT_RTLOADER_API __declspec(dllexport)
#    else
#        if __GNUC__ >= 4
#            define DATADOG_AGENT_RTLOADER_API __attribute__((visibility("default")))
#        else
#            define DATADOG_AGENT_RTLOADER_API
#        endif
#    endif
#endif

#ifndef WIN32
#    define _strdup(x) strdupe(x)
#endif

/* `long long` is C99; __extension__ keeps the declaration clean under gcc -std=c89 -pedantic. */
#if defined(__GNUC__) && !defined(__cplusplus)
#    define RTLOADER_EXTENSION __extension__
#else
#    define RTLOADER_EXTENSION
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Result of ensure_gil: LOCKED when the thread already held the GIL (nested call). */
typedef enum rtloader_gilstate_e {
    DATADOG_AGENT_RTLOADER_GIL_LOCKED = 0,
    DATADOG_AGENT_RTLOADER_GIL_UNLOCKED
} rtloader_gilstate_t;

/* Legacy: kept so that host code naming it still compiles; no function uses it. */
typedef enum { DATADOG_AGENT_RTLOADER_ALLOCATION = 0, DATADOG_AGENT_RTLOADER_FREE } rtloader_mem_ops_t;

typedef void *(*rtloader_malloc_t)(size_t);
typedef void (*rtloader_free_t)(void *);

/* Metric types passed to cb_submit_metric_t (aggregator constants of the same names). */
typedef enum {
    DATADOG_AGENT_RTLOADER_GAUGE = 0,
    DATADOG_AGENT_RTLOADER_RATE,
    DATADOG_AGENT_RTLOADER_COUNT,
    DATADOG_AGENT_RTLOADER_MONOTONIC_COUNT,
    DATADOG_AGENT_RTLOADER_COUNTER,
    DATADOG_AGENT_RTLOADER_HISTOGRAM,
    DATADOG_AGENT_RTLOADER_HISTORATE
} metric_type_t;

/* Tagger cardinalities passed to cb_tags_t (tagger constants LOW, ORCHESTRATOR, HIGH). */
typedef enum {
    DATADOG_AGENT_RTLOADER_TAGGER_LOW = 0,
    DATADOG_AGENT_RTLOADER_TAGGER_ORCHESTRATOR,
    DATADOG_AGENT_RTLOADER_TAGGER_HIGH
} TaggerCardinality;

/* An event handed to cb_submit_event_t. Every field is owned by rtloader and valid only during
 * the callback; a string field is NULL when the Python dict lacked it (the host reads "").
 * ts is 0 when absent or unconvertible (the host reads 0 as "now"). */
typedef struct event_s {
    char *title;
    char *text;
    long ts;
    char *priority;
    char *host;
    char **tags; /* NULL-terminated, or NULL when the dict had no "tags" key */
    char *alert_type;
    char *aggregation_key;
    char *source_type_name;
    char *event_type;
} event_t;

/* Returned by get_py_info, released with free_py_info. */
typedef struct py_info_s {
    const char *version; /* returned by Py_GetVersion(); static string owned by Python */
    char *path;          /* allocated by get_py_info() */
} py_info_t;

/* Levels passed to cb_log_t (other ints from Python are passed through unchanged). */
typedef enum {
    DATADOG_AGENT_TRACE = 7,
    DATADOG_AGENT_DEBUG = 10,
    DATADOG_AGENT_INFO = 20,
    DATADOG_AGENT_WARNING = 30,
    DATADOG_AGENT_ERROR = 40,
    DATADOG_AGENT_CRITICAL = 50
} log_level_t;

/* Python allocator statistics (get_pymem_stats): bytes in use now, cumulative bytes allocated. */
typedef struct pymem_stats_s {
    size_t inuse, alloc;
} pymem_stats_t;

/* Legacy memory-tracker callback; no setter exists. */
typedef void (*cb_memory_tracker_t)(void *, size_t sz, rtloader_mem_ops_t op);

/* --- aggregator ---------------------------------------------------------------------------- */
/* (check_id, metric_type, metric_name, value, tags (NULL-terminated), hostname, flush_first_value) */
typedef void (*cb_submit_metric_t)(char *, metric_type_t, char *, double, char **, char *, bool);
/* (check_id, sc_name, status, tags, hostname, message) */
typedef void (*cb_submit_service_check_t)(char *, char *, int, char **, char *, char *);
/* (check_id, event) */
typedef void (*cb_submit_event_t)(char *, event_t *);
/* (check_id, metric_name, value, lower_bound, upper_bound, monotonic, hostname, tags,
 *  flush_first_value) */
RTLOADER_EXTENSION typedef void (*cb_submit_histogram_bucket_t)(char *, char *, long long, float, float, int, char *,
                                                                char **, bool);
/* (check_id, raw_event (NOT NUL-terminated), raw_event_length, event_type) */
typedef void (*cb_submit_event_platform_event_t)(char *, char *, int, char *);

/* --- datadog_agent ------------------------------------------------------------------------- */
/* Getters: the host stores a host-allocated string in *out, or leaves it NULL. */
typedef void (*cb_get_version_t)(char **);
/* (key, JSON value out; NULL when the key is not set) */
typedef void (*cb_get_config_t)(char *, char **);
/* (JSON object out) */
typedef void (*cb_headers_t)(char **);
typedef void (*cb_get_hostname_t)(char **);
/* (host tags as a JSON object out) */
typedef void (*cb_get_host_tags_t)(char **);
typedef void (*cb_get_clustername_t)(char **);
typedef bool (*cb_tracemalloc_enabled_t)(void);
/* (message, level as a log_level_t value) */
typedef void (*cb_log_t)(char *, int);
/* (log_line (JSON), check_id) */
typedef void (*cb_send_log_t)(char *, char *);
/* (check_id, name, value) */
typedef void (*cb_set_check_metadata_t)(char *, char *, char *);
/* (hostname, source_type_name, NULL-terminated tags) */
typedef void (*cb_set_external_tags_t)(char *, char *, char **);
/* (key, value); called with the GIL released */
typedef void (*cb_write_persistent_cache_t)(char *, char *);
/* (key) -> host-allocated value, or NULL on failure; called with the GIL released */
typedef char *(*cb_read_persistent_cache_t)(char *);
/* (query, options JSON or NULL, error out) -> host-allocated result */
typedef char *(*cb_obfuscate_sql_t)(char *, char *, char **);
/* (plan, normalize, error out) -> host-allocated result */
typedef char *(*cb_obfuscate_sql_exec_plan_t)(char *, bool, char **);
/* () -> seconds since the epoch */
typedef double (*cb_get_process_start_time_t)(void);
/* (command, error out) -> host-allocated result */
typedef char *(*cb_obfuscate_mongodb_string_t)(char *, char **);
/* (check_name, metric_name, metric_value, metric_type, labels JSON or NULL) */
typedef void (*cb_emit_agent_telemetry_t)(char *, char *, double, char *, char *);
/* (check_name, report JSON or NULL, error out) */
typedef void (*cb_report_issue_t)(char *, char *, char **);
/* (issue_id, error out) */
typedef void (*cb_resolve_issue_t)(char *, char **);

/* --- _util --------------------------------------------------------------------------------- */
/* (argv, env or NULL, stdout out, stderr out, return code out, exception out);
 * called with the GIL released */
typedef void (*cb_get_subprocess_output_t)(char **, char **, char **, char **, int *, char **);

/* --- cgo ----------------------------------------------------------------------------------- */
/* Frees memory the host allocated and handed to rtloader through a callback result. */
typedef void (*cb_cgo_free_t)(void *);

/* --- tagger / kubeutil / containers -------------------------------------------------------- */
/* (entity_id, cardinality) -> host-allocated NULL-terminated array of host strings, or NULL */
typedef char **(*cb_tags_t)(char *, int);
/* (JSON object out) */
typedef void (*cb_get_connection_info_t)(char **);
/* (container_name, image_name, namespace or NULL) -> non-zero if excluded */
typedef int (*cb_is_excluded_t)(char *, char *, char *);

#ifdef __cplusplus
}
#endif

#endif /* DATADOG_AGENT_RTLOADER_TYPES_H */
