/*
 * rtlc_host.c: the runner's host callbacks (see rtlc_host.h).
 *
 * Recording lasts the whole life of the process: a check's own threads submit whenever they like
 * (postgres DBM does), not only inside run_check. Each submission goes to the open run of the
 * check id the callback received (rtlc_host_open_run), so that with several instances running at
 * once each gets its own; a callback without an id (external tags, telemetry) goes to the only
 * open run when there is exactly one (so does one with an empty id: a constructor's, made before
 * the check id is set). Everything else lands in the "outside any run" record,
 * stamped with its check id and time.
 *
 * Callbacks may run on any thread, and with sub-interpreters on several at once: the open-run
 * table and the records are only touched under rec_lock.
 */
#define _GNU_SOURCE
#include "rtlc_host.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "rtlc_conf.h"
#include "rtlc_json.h"
#include "rtlc_obfuscate.h"
#include "rtlc_subprocess.h"
#include "rtlc_util.h"
#include "rtl_callback_list.h" /* the list of every callback (src/common) */

#define RTLC_AGENT_VERSION "7.0.0"

typedef struct {
    char *id;
    json_t *rec; /* borrowed from the caller of rtlc_host_open_run */
} open_run_t;

static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static open_run_t *open_runs; /* under rec_lock */
static size_t nopen, capopen;
static json_t *outside;   /* under rec_lock: what arrived outside any run */
static int recording = 1; /* under rec_lock: 0 once rtlc_host_outside froze the records */
static char *probe_value; /* under rec_lock: what the base probe reported */
static json_t *fallbacks; /* under rec_lock: {"<module>.<Class>": why it runs in the main interpreter} */
static int log_threshold = 20;
static double subprocess_timeout_s = 30;
static double start_time, start_ms;
static char cache_dir[4096];
static int obfuscate = 1; /* --no-obfuscator: the callbacks answer an error instead */

const char *rtlc_metric_type_name(int t)
{
    static const char *const names[] = {"gauge",   "rate",      "count",    "monotonic_count",
                                        "counter", "histogram", "historate"};
    return t >= 0 && t < 7 ? names[t] : "unknown";
}

json_t *rtlc_host_new_record(void)
{
    return rtlc_jcheck(json_pack("{s[]s[]s[]s[]s[]s[]s[]s[]s[]}", "metrics", "service_checks", "events",
                                 "histogram_buckets", "event_platform_events", "logs", "metadata", "external_tags",
                                 "telemetry"));
}

void rtlc_host_open_run(const char *check_id, json_t *run)
{
    char *id = strdup(check_id ? check_id : "");
    if (!id)
        rtlc_jcheck(NULL); /* out of memory: exits */
    pthread_mutex_lock(&rec_lock);
    if (nopen == capopen) {
        size_t nc = capopen ? capopen * 2 : 4;
        open_run_t *na = realloc(open_runs, nc * sizeof(*na));
        if (!na)
            rtlc_jcheck(NULL);
        open_runs = na;
        capopen = nc;
    }
    open_runs[nopen].id = id;
    open_runs[nopen].rec = run;
    nopen++;
    pthread_mutex_unlock(&rec_lock);
}

void rtlc_host_close_run(const char *check_id)
{
    pthread_mutex_lock(&rec_lock);
    for (size_t i = 0; i < nopen; i++) {
        if (strcmp(open_runs[i].id, check_id ? check_id : "") == 0) {
            free(open_runs[i].id);
            open_runs[i] = open_runs[--nopen];
            break;
        }
    }
    pthread_mutex_unlock(&rec_lock);
}

json_t *rtlc_host_outside(void)
{
    pthread_mutex_lock(&rec_lock);
    recording = 0;
    json_t *o = outside;
    pthread_mutex_unlock(&rec_lock);
    return o;
}

char *rtlc_host_take_probe(void)
{
    pthread_mutex_lock(&rec_lock);
    char *v = probe_value;
    probe_value = NULL;
    pthread_mutex_unlock(&rec_lock);
    return v;
}

/* File `item` (stolen) under `kind` in the run open for `id`, else in the outside record. An empty
 * id counts as none: the check base sets check_id only after the constructor returns, so what a
 * constructor submits carries "". */
static void record(const char *kind, const char *id, json_t *item)
{
    rtlc_jcheck(item);
    if (id && !id[0])
        id = NULL;
    pthread_mutex_lock(&rec_lock);
    json_t *target = NULL;
    if (recording) {
        for (size_t i = 0; i < nopen && !target; i++)
            if (id && strcmp(open_runs[i].id, id) == 0)
                target = open_runs[i].rec;
        if (!target && !id && nopen == 1)
            target = open_runs[0].rec;
        if (!target && (target = outside) != NULL && json_is_object(item)) {
            if (id)
                rtlc_jset(item, "check_id", rtlc_jstr(id));
            rtlc_jset(item, "at_ms", json_real(rtlc_now_ms() - start_ms));
        }
    }
    if (target)
        rtlc_jappend(json_object_get(target, kind), item);
    else
        json_decref(item);
    pthread_mutex_unlock(&rec_lock);
}

static json_t *jtags(char **tags)
{
    json_t *a = rtlc_jcheck(json_array());
    for (size_t i = 0; tags && tags[i]; i++)
        rtlc_jappend(a, rtlc_jstr(tags[i]));
    return a;
}

/* ---- aggregator ------------------------------------------------------------------------------ */

static void cb_submit_metric(char *id, metric_type_t t, char *name, double value, char **tags, char *host,
                             bool flush_first)
{
    record("metrics", id,
           json_pack("{s:o,s:s,s:o,s:o,s:o,s:b}", "name", rtlc_jstr(name), "type", rtlc_metric_type_name((int)t),
                     "value", rtlc_jnum(value), "tags", jtags(tags), "hostname", rtlc_jstr(host), "flush_first_value",
                     flush_first));
}

static void cb_submit_service_check(char *id, char *name, int status, char **tags, char *host, char *message)
{
    record("service_checks", id,
           json_pack("{s:o,s:i,s:o,s:o,s:o}", "name", rtlc_jstr(name), "status", status, "tags", jtags(tags),
                     "hostname", rtlc_jstr(host), "message", rtlc_jstr(message)));
}

static void cb_submit_event(char *id, event_t *ev)
{
    record("events", id,
           json_pack("{s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "msg_title", rtlc_jstr(ev->title), "msg_text",
                     rtlc_jstr(ev->text), "timestamp", (json_int_t)ev->ts, "priority", rtlc_jstr(ev->priority), "host",
                     rtlc_jstr(ev->host), "tags", jtags(ev->tags), "alert_type", rtlc_jstr(ev->alert_type),
                     "aggregation_key", rtlc_jstr(ev->aggregation_key), "source_type_name",
                     rtlc_jstr(ev->source_type_name), "event_type", rtlc_jstr(ev->event_type)));
}

static void cb_submit_histogram_bucket(char *id, char *name, long long value, float lo, float hi, int monotonic,
                                       char *host, char **tags, bool flush_first)
{
    record("histogram_buckets", id,
           json_pack("{s:o,s:I,s:o,s:o,s:b,s:o,s:o,s:b}", "name", rtlc_jstr(name), "value", (json_int_t)value,
                     "lower_bound", rtlc_jnum((double)lo), "upper_bound", rtlc_jnum((double)hi), "monotonic",
                     monotonic != 0, "hostname", rtlc_jstr(host), "tags", jtags(tags), "flush_first_value",
                     flush_first));
}

static void cb_submit_event_platform_event(char *id, char *raw, int len, char *type)
{
    json_t *r = json_stringn(raw ? raw : "", raw && len > 0 ? (size_t)len : 0);
    record("event_platform_events", id,
           json_pack("{s:o,s:o}", "event_type", rtlc_jstr(type), "raw_event", r ? r : rtlc_jstr(raw ? raw : "")));
}

/* ---- datadog_agent --------------------------------------------------------------------------- */

static void cb_get_version(char **out)
{
    *out = strdup(RTLC_AGENT_VERSION);
}

static void cb_get_config(char *key, char **out)
{
    *out = rtlc_agent_config_get(key);
    if (!*out && key && strcmp(key, "log_level") == 0) /* the base classes set their level from it */
        *out = rtlc_fmt("\"%s\"", rtlc_level_name(log_threshold));
}

static void cb_headers(char **out)
{
    json_t *h = json_pack("{s:s,s:s,s:s}", "User-Agent", "Datadog Agent/" RTLC_AGENT_VERSION, "Content-Type",
                          "application/x-www-form-urlencoded", "Accept", "text/html, */*");
    *out = h ? json_dumps(h, JSON_COMPACT) : NULL;
    json_decref(h);
}

static void cb_get_hostname(char **out)
{
    char name[256] = "";
    if (gethostname(name, sizeof(name) - 1) != 0 || !name[0])
        snprintf(name, sizeof(name), "localhost");
    *out = strdup(name);
}

static void cb_get_host_tags(char **out)
{
    *out = strdup("{}");
}
static void cb_get_clustername(char **out)
{
    *out = strdup("");
}
static bool cb_tracemalloc_enabled(void)
{
    return false;
}

/* rtloader logs once per class why a check runs in the main interpreter with sub-interpreters on
 * (API.md section 13.2): "check '<module>.<Class>' runs in the main interpreter: <reason>". */
static void note_fallback(const char *message)
{
    static const char head[] = "check '", mid[] = "' runs in the main interpreter: ";
    const char *end;
    if (strncmp(message, head, sizeof(head) - 1) != 0 || !(end = strstr(message, mid)))
        return;
    char *key = strndup(message + sizeof(head) - 1, (size_t)(end - message) - (sizeof(head) - 1));
    if (!key)
        rtlc_jcheck(NULL); /* out of memory: exits */
    pthread_mutex_lock(&rec_lock);
    if (!fallbacks)
        fallbacks = rtlc_jcheck(json_object());
    rtlc_jset(fallbacks, key, rtlc_jstr(end + sizeof(mid) - 1));
    pthread_mutex_unlock(&rec_lock);
    free(key);
}

char *rtlc_host_fallback_reason(const char *class_key)
{
    char *why = NULL;
    pthread_mutex_lock(&rec_lock);
    const char *s = json_string_value(json_object_get(fallbacks, class_key));
    if (s && !(why = strdup(s)))
        rtlc_jcheck(NULL);
    pthread_mutex_unlock(&rec_lock);
    return why;
}

static void cb_log(char *message, int level)
{
    if (message && level == DATADOG_AGENT_INFO)
        note_fallback(message);
    if (level < log_threshold || !message)
        return;
    const char *name = level >= 50   ? "CRITICAL"
                       : level >= 40 ? "ERROR"
                       : level >= 30 ? "WARN"
                       : level >= 20 ? "INFO"
                       : level >= 10 ? "DEBUG"
                                     : "TRACE";
    fprintf(stderr, "[%s] %s\n", name, message);
}

static void cb_send_log(char *line, char *id)
{
    json_t *parsed = json_loads(line ? line : "", JSON_DECODE_ANY, NULL);
    record("logs", id, parsed ? parsed : rtlc_jstr(line));
}

static void cb_set_check_metadata(char *id, char *name, char *value)
{
    if (id && strcmp(id, RTLC_HOST_PROBE_ID) == 0) { /* the runner's own question (rtlc_run.c), not the check's */
        pthread_mutex_lock(&rec_lock);
        free(probe_value);
        probe_value = strdup(value ? value : "");
        pthread_mutex_unlock(&rec_lock);
        return;
    }
    record("metadata", id, json_pack("{s:o,s:o}", "name", rtlc_jstr(name), "value", rtlc_jstr(value)));
}

static void cb_set_external_tags(char *host, char *source, char **tags)
{
    record(
        "external_tags", NULL,
        json_pack("{s:o,s:o,s:o}", "hostname", rtlc_jstr(host), "source_type", rtlc_jstr(source), "tags", jtags(tags)));
}

/* The cache file of `key`: unsafe bytes are %XX-encoded so that any key maps to one file name. */
static char *cache_path(const char *key)
{
    size_t n = strlen(key);
    char *enc = malloc(n * 3 + 1), *p = enc;
    if (!enc)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)key[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
            || (c == '.' && i > 0))
            *p++ = (char)c;
        else
            p += sprintf(p, "%%%02X", c);
    }
    *p = '\0';
    char *path = rtlc_fmt("%s/%s", cache_dir, enc);
    free(enc);
    return path;
}

static int mkdirs(const char *dir)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0700);
            *p = '/';
        }
    }
    return mkdir(tmp, 0700) == 0 || errno == EEXIST;
}

static void cb_write_persistent_cache(char *key, char *value)
{
    char *path = cache_path(key ? key : "");
    if (!path || !mkdirs(cache_dir)) {
        fprintf(stderr, "[ERROR] persistent cache: cannot create %s: %s\n", cache_dir, strerror(errno));
        free(path);
        return;
    }
    char *tmp = rtlc_fmt("%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(value ? value : "", 1, strlen(value ? value : ""), f) == strlen(value ? value : "");
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "[ERROR] persistent cache: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    free(path);
}

static char *cb_read_persistent_cache(char *key)
{
    char *path = cache_path(key ? key : ""), *buf = NULL, *err = NULL;
    size_t len;
    if (!path)
        return NULL;
    if (!rtlc_is_file(path)) { /* like the Agent: a missing entry reads as "" */
        free(path);
        return strdup("");
    }
    if (!rtlc_read_file(path, &buf, &len, &err)) {
        fprintf(stderr, "[ERROR] persistent cache: %s\n", err);
        free(err);
    }
    free(path);
    return buf;
}

static char *no_obfuscator(char **error)
{
    *error = strdup("rtloader-check has no obfuscator: obfuscation is provided by the Datadog Agent only");
    return NULL;
}

static char *cb_obfuscate_sql(char *q, char *opts, char **error)
{
    return obfuscate ? rtlc_obfuscate_sql(q, opts, error) : no_obfuscator(error);
}

static char *cb_obfuscate_sql_exec_plan(char *plan, bool normalize, char **error)
{
    return obfuscate ? rtlc_obfuscate_sql_exec_plan(plan, normalize, error) : no_obfuscator(error);
}

static char *cb_obfuscate_mongodb_string(char *cmd, char **error)
{
    return obfuscate ? rtlc_obfuscate_mongodb_string(cmd, error) : no_obfuscator(error);
}

static double cb_get_process_start_time(void)
{
    return start_time;
}

static void cb_emit_agent_telemetry(char *check, char *metric, double value, char *type, char *labels)
{
    json_t *l = labels ? json_loads(labels, 0, NULL) : NULL;
    record("telemetry", NULL,
           json_pack("{s:o,s:o,s:o,s:o,s:o}", "check_name", rtlc_jstr(check), "metric_name", rtlc_jstr(metric), "value",
                     rtlc_jnum(value), "type", rtlc_jstr(type), "labels", l ? l : json_null()));
}

static void cb_report_issue(char *check, char *report, char **err)
{
    (void)err;
    fprintf(stderr, "[WARN] %s reported a health issue: %s\n", check ? check : "", report ? report : "null");
}

static void cb_resolve_issue(char *id, char **err)
{
    (void)err;
    fprintf(stderr, "[INFO] health issue %s resolved\n", id ? id : "");
}

/* ---- _util, tagger, kubeutil, containers ----------------------------------------------------- */

static void cb_get_subprocess_output(char **argv, char **env, char **out, char **errout, int *rc, char **exc)
{
    rtlc_subprocess_run(argv, env, subprocess_timeout_s, out, errout, rc, exc);
}

static char **cb_tags(char *entity, int cardinality)
{
    (void)entity;
    (void)cardinality;
    return calloc(1, sizeof(char *)); /* no tagger here: an empty list */
}

static void cb_get_connection_info(char **out)
{
    *out = strdup("{}");
}

static int cb_is_excluded(char *name, char *image, char *ns)
{
    (void)name;
    (void)image;
    (void)ns;
    return 0;
}

/* cgo_free: every string the callbacks above return comes from malloc. */
static void cb_cgo_free(void *p)
{
    free(p);
}

const char *rtlc_host_cache_dir(void)
{
    return cache_dir;
}

void rtlc_host_register(rtloader_t *rt, const rtlc_options_t *o)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    start_time = (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
    start_ms = rtlc_now_ms();
    pthread_mutex_lock(&rec_lock);
    if (!outside)
        outside = rtlc_host_new_record();
    pthread_mutex_unlock(&rec_lock);
    log_threshold = o->log_level;
    subprocess_timeout_s = o->timeout_s > 0 ? o->timeout_s : 0;
    obfuscate = !o->no_obfuscator;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        snprintf(cache_dir, sizeof(cache_dir), "%s/rtloader-check", xdg);
    else
        snprintf(cache_dir, sizeof(cache_dir), "%s/.cache/rtloader-check", home && home[0] ? home : "/tmp");

        /* Every callback of the list, each to its handler cb_<name> above: a callback added to the
     * list without a handler here fails to build. */
#define RTLC_SET_CB(name, type) set_##name##_cb(rt, cb_##name);
    RTL_CALLBACK_LIST(RTLC_SET_CB)
#undef RTLC_SET_CB
}
