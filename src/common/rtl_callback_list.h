/*
 * rtl_callback_list.h: the one list of host callbacks, as an X-macro.
 *
 * X(name, type) is expanded once per callback, in the header's order. `name` is both the field
 * of struct rtl_callbacks and the middle of its public setter, set_<name>_cb. The loader derives
 * its setters from this list and the backend its callback table, so adding a callback is one
 * line here (plus its typedef in rtloader_types.h). The hosts that register every callback
 * expand it too: the runner (rtlc_host.c), the valgrind driver and the fuzz target, naming their
 * handlers cb_<name>, and the Go cgo layer (go/internal/capi), whose handlers are rtlgo_cb_<name>.
 * README.md ("Adding a host callback") lists every file a new callback touches.
 */
#ifndef RTL_CALLBACK_LIST_H
#define RTL_CALLBACK_LIST_H

#include "rtloader_types.h"

#define RTL_CALLBACK_LIST(X)                                                                                           \
    X(submit_metric, cb_submit_metric_t)                                                                               \
    X(submit_service_check, cb_submit_service_check_t)                                                                 \
    X(submit_event, cb_submit_event_t)                                                                                 \
    X(submit_histogram_bucket, cb_submit_histogram_bucket_t)                                                           \
    X(submit_event_platform_event, cb_submit_event_platform_event_t)                                                   \
    X(get_version, cb_get_version_t)                                                                                   \
    X(get_config, cb_get_config_t)                                                                                     \
    X(headers, cb_headers_t)                                                                                           \
    X(get_hostname, cb_get_hostname_t)                                                                                 \
    X(get_host_tags, cb_get_host_tags_t)                                                                               \
    X(get_clustername, cb_get_clustername_t)                                                                           \
    X(tracemalloc_enabled, cb_tracemalloc_enabled_t)                                                                   \
    X(log, cb_log_t)                                                                                                   \
    X(send_log, cb_send_log_t)                                                                                         \
    X(set_check_metadata, cb_set_check_metadata_t)                                                                     \
    X(set_external_tags, cb_set_external_tags_t)                                                                       \
    X(write_persistent_cache, cb_write_persistent_cache_t)                                                             \
    X(read_persistent_cache, cb_read_persistent_cache_t)                                                               \
    X(obfuscate_sql, cb_obfuscate_sql_t)                                                                               \
    X(obfuscate_sql_exec_plan, cb_obfuscate_sql_exec_plan_t)                                                           \
    X(get_process_start_time, cb_get_process_start_time_t)                                                             \
    X(obfuscate_mongodb_string, cb_obfuscate_mongodb_string_t)                                                         \
    X(emit_agent_telemetry, cb_emit_agent_telemetry_t)                                                                 \
    X(report_issue, cb_report_issue_t)                                                                                 \
    X(resolve_issue, cb_resolve_issue_t)                                                                               \
    X(get_subprocess_output, cb_get_subprocess_output_t)                                                               \
    X(cgo_free, cb_cgo_free_t)                                                                                         \
    X(tags, cb_tags_t)                                                                                                 \
    X(get_connection_info, cb_get_connection_info_t)                                                                   \
    X(is_excluded, cb_is_excluded_t)

#endif /* RTL_CALLBACK_LIST_H */
