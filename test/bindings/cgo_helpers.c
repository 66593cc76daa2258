/* cgo_helpers.c: see cgo_helpers.h. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

#include "cgo_helpers.h"
#include "_cgo_export.h"

char *rtlgo_strndup(const char *s, size_t n)
{
    char *p = _malloc(n + 1);
    if (p == NULL) {
        return NULL;
    }
    if (n > 0) {
        memcpy(p, s, n);
    }
    p[n] = '\0';
    return p;
}

char **rtlgo_alloc_array(size_t n)
{
    char **a = _malloc((n + 1) * sizeof(char *));
    if (a != NULL) {
        memset(a, 0, (n + 1) * sizeof(char *));
    }
    return a;
}

void rtlgo_free(void *p)
{
    _free(p);
}

void rtlgo_cgo_free(void *p)
{
    _free(p);
}

void *rtlgo_malloc(size_t n)
{
    return _malloc(n);
}

static void *(*rtlgo_next_malloc)(size_t);
static long rtlgo_fault_at, rtlgo_fault_seen; /* read and written with __atomic builtins */
static int rtlgo_fault_armed, rtlgo_fault_hit;

static void *rtlgo_faulty_malloc(size_t n)
{
    if (__atomic_load_n(&rtlgo_fault_armed, __ATOMIC_ACQUIRE)) {
        long seen = __atomic_add_fetch(&rtlgo_fault_seen, 1, __ATOMIC_ACQ_REL);
        if (seen == __atomic_load_n(&rtlgo_fault_at, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&rtlgo_fault_hit, 1, __ATOMIC_RELEASE);
            return NULL;
        }
    }
    return rtlgo_next_malloc(n);
}

void rtlgo_install_faulty_malloc(void)
{
    if (_malloc != rtlgo_faulty_malloc) {
        rtlgo_next_malloc = _malloc;
        _malloc = rtlgo_faulty_malloc;
    }
}

void rtlgo_fault_arm(long n)
{
    __atomic_store_n(&rtlgo_fault_seen, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&rtlgo_fault_hit, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&rtlgo_fault_at, n, __ATOMIC_RELEASE);
    __atomic_store_n(&rtlgo_fault_armed, 1, __ATOMIC_RELEASE);
}

long rtlgo_fault_disarm(int *hit)
{
    __atomic_store_n(&rtlgo_fault_armed, 0, __ATOMIC_RELEASE);
    *hit = __atomic_load_n(&rtlgo_fault_hit, __ATOMIC_ACQUIRE);
    return __atomic_load_n(&rtlgo_fault_seen, __ATOMIC_ACQUIRE);
}

void rtlgo_segfault(void)
{
    volatile int *p = NULL;
    *p = 42;
}

void rtlgo_set_callback(rtloader_t *r, int which, int on)
{
#define RTLGO_SET(setter, fn)                                                                                          \
    setter(r, on ? (fn) : NULL);                                                                                       \
    break
    switch (which) {
    case RTLGO_CB_SUBMIT_METRIC: RTLGO_SET(set_submit_metric_cb, goSubmitMetric);
    case RTLGO_CB_SUBMIT_SERVICE_CHECK: RTLGO_SET(set_submit_service_check_cb, goSubmitServiceCheck);
    case RTLGO_CB_SUBMIT_EVENT: RTLGO_SET(set_submit_event_cb, goSubmitEvent);
    case RTLGO_CB_SUBMIT_HISTOGRAM_BUCKET: RTLGO_SET(set_submit_histogram_bucket_cb, goSubmitHistogramBucket);
    case RTLGO_CB_SUBMIT_EVENT_PLATFORM_EVENT:
        RTLGO_SET(set_submit_event_platform_event_cb, goSubmitEventPlatformEvent);
    case RTLGO_CB_GET_VERSION: RTLGO_SET(set_get_version_cb, goGetVersion);
    case RTLGO_CB_GET_CONFIG: RTLGO_SET(set_get_config_cb, goGetConfig);
    case RTLGO_CB_HEADERS: RTLGO_SET(set_headers_cb, goHeaders);
    case RTLGO_CB_GET_HOSTNAME: RTLGO_SET(set_get_hostname_cb, goGetHostname);
    case RTLGO_CB_GET_HOST_TAGS: RTLGO_SET(set_get_host_tags_cb, goGetHostTags);
    case RTLGO_CB_GET_CLUSTERNAME: RTLGO_SET(set_get_clustername_cb, goGetClustername);
    case RTLGO_CB_TRACEMALLOC_ENABLED: RTLGO_SET(set_tracemalloc_enabled_cb, goTracemallocEnabled);
    case RTLGO_CB_LOG: RTLGO_SET(set_log_cb, goLog);
    case RTLGO_CB_SEND_LOG: RTLGO_SET(set_send_log_cb, goSendLog);
    case RTLGO_CB_SET_CHECK_METADATA: RTLGO_SET(set_set_check_metadata_cb, goSetCheckMetadata);
    case RTLGO_CB_SET_EXTERNAL_TAGS: RTLGO_SET(set_set_external_tags_cb, goSetExternalTags);
    case RTLGO_CB_WRITE_PERSISTENT_CACHE: RTLGO_SET(set_write_persistent_cache_cb, goWritePersistentCache);
    case RTLGO_CB_READ_PERSISTENT_CACHE: RTLGO_SET(set_read_persistent_cache_cb, goReadPersistentCache);
    case RTLGO_CB_OBFUSCATE_SQL: RTLGO_SET(set_obfuscate_sql_cb, goObfuscateSQL);
    case RTLGO_CB_OBFUSCATE_SQL_EXEC_PLAN: RTLGO_SET(set_obfuscate_sql_exec_plan_cb, goObfuscateSQLExecPlan);
    case RTLGO_CB_GET_PROCESS_START_TIME: RTLGO_SET(set_get_process_start_time_cb, goGetProcessStartTime);
    case RTLGO_CB_OBFUSCATE_MONGODB_STRING: RTLGO_SET(set_obfuscate_mongodb_string_cb, goObfuscateMongoDBString);
    case RTLGO_CB_EMIT_AGENT_TELEMETRY: RTLGO_SET(set_emit_agent_telemetry_cb, goEmitAgentTelemetry);
    case RTLGO_CB_REPORT_ISSUE: RTLGO_SET(set_report_issue_cb, goReportIssue);
    case RTLGO_CB_RESOLVE_ISSUE: RTLGO_SET(set_resolve_issue_cb, goResolveIssue);
    case RTLGO_CB_GET_SUBPROCESS_OUTPUT: RTLGO_SET(set_get_subprocess_output_cb, goGetSubprocessOutput);
    case RTLGO_CB_CGO_FREE: RTLGO_SET(set_cgo_free_cb, rtlgo_cgo_free);
    case RTLGO_CB_TAGS: RTLGO_SET(set_tags_cb, goTags);
    case RTLGO_CB_GET_CONNECTION_INFO: RTLGO_SET(set_get_connection_info_cb, goGetConnectionInfo);
    case RTLGO_CB_IS_EXCLUDED: RTLGO_SET(set_is_excluded_cb, goIsExcluded);
    default: break;
    }
#undef RTLGO_SET
}

int rtlgo_lsan_check(void)
{
    int (*check)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "__lsan_do_recoverable_leak_check");
    if (check == NULL) {
        return -1;
    }
    return check();
}
