/*
 * rtlc_host.c: the runner's host callbacks (see rtlc_host.h).
 *
 * Callbacks run on whatever thread runs the check, with the GIL held (persistent cache and
 * subprocess calls without it), so the record is guarded by a mutex: after a timeout the
 * watchdog path may read it while a stuck check is still submitting.
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
#include "rtlc_subprocess.h"
#include "rtlc_util.h"
#include "rtl_callback_list.h" /* the list of every callback (src/common) */

#define RTLC_AGENT_VERSION "7.0.0"

static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *rec;
static int log_threshold = 20;
static double subprocess_timeout_s = 30;
static double start_time;
static char cache_dir[4096];

const char *rtlc_metric_type_name(int t)
{
    static const char *const names[] = {"gauge",   "rate",      "count",    "monotonic_count",
                                        "counter", "histogram", "historate"};
    return t >= 0 && t < 7 ? names[t] : "unknown";
}

json_t *rtlc_host_new_record(void)
{
    return json_pack("{s[]s[]s[]s[]s[]s[]s[]s[]s[]}", "metrics", "service_checks", "events", "histogram_buckets",
                     "event_platform_events", "logs", "metadata", "external_tags", "telemetry");
}

void rtlc_host_record_into(json_t *run)
{
    pthread_mutex_lock(&rec_lock);
    rec = run;
    pthread_mutex_unlock(&rec_lock);
}

static void record(const char *kind, json_t *item)
{
    if (!item)
        return;
    pthread_mutex_lock(&rec_lock);
    if (rec)
        json_array_append(json_object_get(rec, kind), item);
    pthread_mutex_unlock(&rec_lock);
    json_decref(item);
}

/* A JSON string from possibly-NULL C text (NULL → ""), invalid UTF-8 replaced rather than lost. */
static json_t *jstr(const char *s)
{
    if (!s)
        s = "";
    json_t *j = json_string(s);
    if (!j) { /* not UTF-8: keep the bytes visible as \xNN */
        size_t n = strlen(s);
        char *t = malloc(n * 4 + 1), *p = t;
        if (!t)
            return json_string("");
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            p += c < 0x80 ? sprintf(p, "%c", c) : sprintf(p, "\\x%02x", c);
        }
        j = json_string(t);
        free(t);
    }
    return j ? j : json_string("");
}

/* A JSON number, or a string for NaN/inf (JSON has neither). */
static json_t *jnum(double v)
{
    if (v != v)
        return json_string("nan");
    if (v > 1.7976931348623157e308 || v < -1.7976931348623157e308)
        return json_string(v > 0 ? "inf" : "-inf");
    return json_real(v);
}

static json_t *jtags(char **tags)
{
    json_t *a = json_array();
    for (size_t i = 0; tags && tags[i]; i++)
        json_array_append_new(a, jstr(tags[i]));
    return a;
}

/* ---- aggregator ------------------------------------------------------------------------------ */

static void cb_submit_metric(char *id, metric_type_t t, char *name, double value, char **tags, char *host,
                             bool flush_first)
{
    (void)id;
    record("metrics",
           json_pack("{s:o,s:s,s:o,s:o,s:o,s:b}", "name", jstr(name), "type", rtlc_metric_type_name((int)t), "value",
                     jnum(value), "tags", jtags(tags), "hostname", jstr(host), "flush_first_value", flush_first));
}

static void cb_submit_service_check(char *id, char *name, int status, char **tags, char *host, char *message)
{
    (void)id;
    record("service_checks", json_pack("{s:o,s:i,s:o,s:o,s:o}", "name", jstr(name), "status", status, "tags",
                                       jtags(tags), "hostname", jstr(host), "message", jstr(message)));
}

static void cb_submit_event(char *id, event_t *ev)
{
    (void)id;
    record("events", json_pack("{s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "msg_title", jstr(ev->title), "msg_text",
                               jstr(ev->text), "timestamp", (json_int_t)ev->ts, "priority", jstr(ev->priority), "host",
                               jstr(ev->host), "tags", jtags(ev->tags), "alert_type", jstr(ev->alert_type),
                               "aggregation_key", jstr(ev->aggregation_key), "source_type_name",
                               jstr(ev->source_type_name), "event_type", jstr(ev->event_type)));
}

static void cb_submit_histogram_bucket(char *id, char *name, long long value, float lo, float hi, int monotonic,
                                       char *host, char **tags, bool flush_first)
{
    (void)id;
    record("histogram_buckets",
           json_pack("{s:o,s:I,s:o,s:o,s:b,s:o,s:o,s:b}", "name", jstr(name), "value", (json_int_t)value, "lower_bound",
                     jnum((double)lo), "upper_bound", jnum((double)hi), "monotonic", monotonic != 0, "hostname",
                     jstr(host), "tags", jtags(tags), "flush_first_value", flush_first));
}

static void cb_submit_event_platform_event(char *id, char *raw, int len, char *type)
{
    (void)id;
    json_t *r = json_stringn(raw ? raw : "", raw && len > 0 ? (size_t)len : 0);
    record("event_platform_events",
           json_pack("{s:o,s:o}", "event_type", jstr(type), "raw_event", r ? r : json_string("<not UTF-8>")));
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

static void cb_log(char *message, int level)
{
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
    (void)id;
    json_t *parsed = json_loads(line ? line : "", JSON_DECODE_ANY, NULL);
    record("logs", parsed ? parsed : jstr(line));
}

static void cb_set_check_metadata(char *id, char *name, char *value)
{
    (void)id;
    record("metadata", json_pack("{s:o,s:o}", "name", jstr(name), "value", jstr(value)));
}

static void cb_set_external_tags(char *host, char *source, char **tags)
{
    record("external_tags",
           json_pack("{s:o,s:o,s:o}", "hostname", jstr(host), "source_type", jstr(source), "tags", jtags(tags)));
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
    (void)q;
    (void)opts;
    return no_obfuscator(error);
}

static char *cb_obfuscate_sql_exec_plan(char *plan, bool normalize, char **error)
{
    (void)plan;
    (void)normalize;
    return no_obfuscator(error);
}

static char *cb_obfuscate_mongodb_string(char *cmd, char **error)
{
    (void)cmd;
    return no_obfuscator(error);
}

static double cb_get_process_start_time(void)
{
    return start_time;
}

static void cb_emit_agent_telemetry(char *check, char *metric, double value, char *type, char *labels)
{
    json_t *l = labels ? json_loads(labels, 0, NULL) : NULL;
    record("telemetry", json_pack("{s:o,s:o,s:o,s:o,s:o}", "check_name", jstr(check), "metric_name", jstr(metric),
                                  "value", jnum(value), "type", jstr(type), "labels", l ? l : json_null()));
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
    log_threshold = o->log_level;
    subprocess_timeout_s = o->timeout_s > 0 ? o->timeout_s : 0;
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
