/*
 * rtlc_output.c: the runner's two output sinks. Both receive the same JSON records: the text sink
 * prints each run as it ends and the summaries at the end; the JSON sink prints the whole document
 * once, at the end, on every path (errors included), so that a --json invocation always yields
 * exactly one JSON document.
 *
 * Output errors: every sink call reports whether stdout still works (ferror); the caller stops at
 * the first failure, and end() turns it into the exit status: RTLC_EXIT_EPIPE, quietly, when the
 * reader went away, else RTLC_EXIT_OUTPUT with the reason on stderr.
 */
#include "rtlc_output.h"

#include <errno.h>
#include <string.h>

#include "rtlc_json.h"
#include "rtlc_options.h"

static int out_errno; /* errno of the first failed write on the sink's stream */

static const char *const sc_status[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void print_tags(FILE *f, const json_t *tags)
{
    size_t i;
    json_t *t;
    fputs("[", f);
    json_array_foreach(tags, i, t) {
        fprintf(f, "%s%s", i ? ", " : "", json_string_value(t) ? json_string_value(t) : "");
    }
    fputs("]", f);
}

static void print_value(FILE *f, const json_t *v)
{
    if (json_is_real(v))
        fprintf(f, "%.15g", json_real_value(v));
    else if (json_is_integer(v))
        fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_string(v))
        fputs(json_string_value(v), f);
    else
        fputs("?", f);
}

static void print_json_inline(FILE *f, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    fputs(s ? s : "?", f);
    free(s);
}

static size_t section(FILE *f, const json_t *run, const char *key, const char *title)
{
    size_t n = json_array_size(json_object_get(run, key));
    if (n)
        fprintf(f, "  %s (%zu):\n", title, n);
    return n;
}

/* Where an item submitted outside any run came from, and when. */
static void print_origin(FILE *f, const json_t *m)
{
    const json_t *at = json_object_get(m, "at_ms");
    if (json_object_get(m, "check_id"))
        fprintf(f, "  check: %s", str(m, "check_id"));
    if (at)
        fprintf(f, "  at +%.3f s", json_real_value(at) / 1000.0);
}

/* One line per submitted item, each after its section's heading; the table below says which
 * printer serves which record key. Items that can come from outside any run end with their origin. */
static void print_metric(FILE *f, const json_t *m)
{
    fprintf(f, "    %-15s %s = ", str(m, "type"), str(m, "name"));
    print_value(f, json_object_get(m, "value"));
    fputs("  tags: ", f);
    print_tags(f, json_object_get(m, "tags"));
    if (str(m, "hostname")[0])
        fprintf(f, "  host: %s", str(m, "hostname"));
    if (json_is_true(json_object_get(m, "flush_first_value")))
        fputs("  flush_first_value", f);
    if (json_object_get(m, "computed")) { /* --check-rate: what the Agent's aggregator would flush */
        fputs("  => ", f);
        print_value(f, json_object_get(m, "computed"));
        fputs(strcmp(str(m, "type"), "rate") == 0 ? "/s" : " since the first run", f);
    }
}

static void print_service_check(FILE *f, const json_t *m)
{
    json_int_t st = json_integer_value(json_object_get(m, "status"));
    fprintf(f, "    %s: %s", str(m, "name"), st >= 0 && st <= 3 ? sc_status[st] : "?");
    fputs("  tags: ", f);
    print_tags(f, json_object_get(m, "tags"));
    if (str(m, "hostname")[0])
        fprintf(f, "  host: %s", str(m, "hostname"));
    if (str(m, "message")[0])
        fprintf(f, "  message: %s", str(m, "message"));
}

static void print_event(FILE *f, const json_t *m)
{
    fprintf(f, "    %s: %s  [alert_type: %s, priority: %s, source: %s, aggregation_key: %s, ts: %lld]  tags: ",
            str(m, "msg_title"), str(m, "msg_text"), str(m, "alert_type"), str(m, "priority"),
            str(m, "source_type_name"), str(m, "aggregation_key"),
            (long long)json_integer_value(json_object_get(m, "timestamp")));
    print_tags(f, json_object_get(m, "tags"));
}

static void print_bucket(FILE *f, const json_t *m)
{
    fprintf(f, "    %s [", str(m, "name"));
    print_value(f, json_object_get(m, "lower_bound"));
    fputs(", ", f);
    print_value(f, json_object_get(m, "upper_bound"));
    fprintf(f, "] = %lld%s  tags: ", (long long)json_integer_value(json_object_get(m, "value")),
            json_is_true(json_object_get(m, "monotonic")) ? " (monotonic)" : "");
    print_tags(f, json_object_get(m, "tags"));
}

static void print_platform_event(FILE *f, const json_t *m)
{
    fprintf(f, "    %s: %s", str(m, "event_type"), str(m, "raw_event"));
}

static void print_log(FILE *f, const json_t *m)
{
    fputs("    ", f);
    print_json_inline(f, m);
}

static void print_metadata(FILE *f, const json_t *m)
{
    fprintf(f, "    %s = %s", str(m, "name"), str(m, "value"));
}

static void print_external_tags(FILE *f, const json_t *m)
{
    fprintf(f, "    %s (%s): ", str(m, "hostname"), str(m, "source_type"));
    print_tags(f, json_object_get(m, "tags"));
}

static void print_telemetry(FILE *f, const json_t *m)
{
    fprintf(f, "    %s %s = ", str(m, "type"), str(m, "metric_name"));
    print_value(f, json_object_get(m, "value"));
}

static void print_warning(FILE *f, const json_t *m)
{
    fprintf(f, "    %s", json_string_value(m) ? json_string_value(m) : "");
}

/* The message, then its traceback (if any) indented under it. */
static void print_error(FILE *f, const json_t *m)
{
    const char *p = str(m, "traceback");

    fprintf(f, "    %s", str(m, "message"));
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(f, "\n      %.*s", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
}

void rtlc_print_record(FILE *f, const json_t *run)
{
    static const struct {
        const char *key, *title;
        void (*print)(FILE *, const json_t *);
        int origin; /* the item may come from outside any run: print_origin */
    } sections[] = {
        {"metrics", "metrics", print_metric, 1},
        {"service_checks", "service checks", print_service_check, 1},
        {"events", "events", print_event, 1},
        {"histogram_buckets", "histogram buckets", print_bucket, 1},
        {"event_platform_events", "event platform events", print_platform_event, 1},
        {"logs", "logs", print_log, 0},
        {"metadata", "metadata", print_metadata, 1},
        {"external_tags", "external tags", print_external_tags, 1},
        {"telemetry", "agent telemetry", print_telemetry, 1},
        {"warnings", "warnings", print_warning, 0},
        {"errors", "errors", print_error, 0},
    };
    size_t s, i;
    json_t *m;

    for (s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
        if (!section(f, run, sections[s].key, sections[s].title))
            continue;
        json_array_foreach(json_object_get(run, sections[s].key), i, m) {
            sections[s].print(f, m);
            if (sections[s].origin)
                print_origin(f, m);
            fputc('\n', f);
        }
    }
}

void rtlc_print_run(FILE *f, const char *label, long times, const json_t *run)
{
    fprintf(f, "=== %s, run %lld/%ld: %s in %.1f ms\n", label,
            (long long)json_integer_value(json_object_get(run, "run")), times, str(run, "status"),
            json_real_value(json_object_get(run, "duration_ms")));
    if (json_is_true(json_object_get(run, "rate_baseline"))) {
        fprintf(f, "  (--check-rate: this first run only sets the baseline; its %zu metric samples are not shown)\n\n",
                json_array_size(json_object_get(run, "metrics")));
        return;
    }
    rtlc_print_record(f, run);
    fputc('\n', f);
}

json_t *rtlc_summary_new(size_t index, const char *check_id, const char *name, const char *config_source)
{
    return rtlc_jcheck(json_pack(
        "{s:I,s:o,s:o?,s:o,s:s,s:I,s:{s:I,s:I},s:{s:I,s:I},s:{s:I,s:I},s:{s:I,s:I},s:{s:I,s:I},"
        "s:{s:I,s:I},s:I,s:f,s:f,s:f}",
        "instance", (json_int_t)index, "check_id", rtlc_jstr(check_id), "name", name ? rtlc_jstr(name) : NULL,
        "configuration_source", rtlc_jstr(config_source), "status", "OK", "total_runs", (json_int_t)0, "metric_samples",
        "last_run", (json_int_t)0, "total", (json_int_t)0, "events", "last_run", (json_int_t)0, "total", (json_int_t)0,
        "service_checks", "last_run", (json_int_t)0, "total", (json_int_t)0, "histogram_buckets", "last_run",
        (json_int_t)0, "total", (json_int_t)0, "event_platform_events", "last_run", (json_int_t)0, "total",
        (json_int_t)0, "warnings", "last_run", (json_int_t)0, "total", (json_int_t)0, "errors", (json_int_t)0,
        "total_execution_ms", 0.0, "average_execution_ms", 0.0, "last_execution_ms", 0.0));
}

static void bump(json_t *summary, const char *key, size_t n)
{
    json_t *o = json_object_get(summary, key);
    rtlc_jset(o, "last_run", json_integer((json_int_t)n));
    rtlc_jset(o, "total", json_integer(json_integer_value(json_object_get(o, "total")) + (json_int_t)n));
}

void rtlc_summary_add_run(json_t *s, const json_t *run)
{
    json_int_t runs = json_integer_value(json_object_get(s, "total_runs")) + 1;
    double ms = json_real_value(json_object_get(run, "duration_ms"));
    double total = json_real_value(json_object_get(s, "total_execution_ms")) + ms;
    rtlc_jset(s, "total_runs", json_integer(runs));
    bump(s, "metric_samples", json_array_size(json_object_get(run, "metrics")));
    bump(s, "events", json_array_size(json_object_get(run, "events")));
    bump(s, "service_checks", json_array_size(json_object_get(run, "service_checks")));
    bump(s, "histogram_buckets", json_array_size(json_object_get(run, "histogram_buckets")));
    bump(s, "event_platform_events", json_array_size(json_object_get(run, "event_platform_events")));
    bump(s, "warnings", json_array_size(json_object_get(run, "warnings")));
    if (strcmp(str(run, "status"), "OK") != 0) {
        rtlc_jset(s, "errors", json_integer(json_integer_value(json_object_get(s, "errors")) + 1));
        rtlc_jset(s, "status", json_string("ERROR"));
    }
    rtlc_jset(s, "total_execution_ms", json_real(total));
    rtlc_jset(s, "average_execution_ms", json_real(total / (double)runs));
    rtlc_jset(s, "last_execution_ms", json_real(ms));
}

static void lt(FILE *f, const json_t *s, const char *key, const char *title)
{
    const json_t *o = json_object_get(s, key);
    fprintf(f, "    %s: Last Run: %lld, Total: %lld\n", title,
            (long long)json_integer_value(json_object_get(o, "last_run")),
            (long long)json_integer_value(json_object_get(o, "total")));
}

void rtlc_print_summary(FILE *f, const json_t *s)
{
    fprintf(f, "  Instance #%lld ID: %s [%s]\n", (long long)json_integer_value(json_object_get(s, "instance")),
            str(s, "check_id"), str(s, "status"));
    fprintf(f, "    Configuration Source: %s\n", str(s, "configuration_source"));
    if (str(s, "interpreter")[0]) /* --subinterpreters */
        fprintf(f, "    Interpreter: %s%s%s\n",
                strcmp(str(s, "interpreter"), "main") ? "its own sub-interpreter (own GIL)" : "main",
                str(s, "interpreter_reason")[0] ? ", because " : "", str(s, "interpreter_reason"));
    if (str(s, "init_error")[0]) {
        const char *e = str(s, "init_error"), *nl = strchr(e, '\n');
        fprintf(f, "    Initialization Error: %.*s (details above)\n", nl ? (int)(nl - e) : (int)strlen(e), e);
    }
    fprintf(f, "    Total Runs: %lld\n", (long long)json_integer_value(json_object_get(s, "total_runs")));
    lt(f, s, "metric_samples", "Metric Samples");
    lt(f, s, "events", "Events");
    lt(f, s, "service_checks", "Service Checks");
    lt(f, s, "histogram_buckets", "Histogram Buckets");
    lt(f, s, "event_platform_events", "Event Platform Events");
    lt(f, s, "warnings", "Warnings");
    fprintf(f, "    Errors: %lld\n", (long long)json_integer_value(json_object_get(s, "errors")));
    fprintf(f, "    Average Execution Time : %.1f ms\n", json_real_value(json_object_get(s, "average_execution_ms")));
    fprintf(f, "    Last Execution Time : %.1f ms\n", json_real_value(json_object_get(s, "last_execution_ms")));
}

/* ---- sinks ------------------------------------------------------------------------------------ */

/* 1 while the stream works; remembers the errno of the first failure. */
static int healthy(FILE *f)
{
    if (!ferror(f))
        return 1;
    if (!out_errno)
        out_errno = errno ? errno : EIO;
    return 0;
}

static int text_begin(const rtlc_sink_t *s, const json_t *doc)
{
    fprintf(s->out, "Running check %s (%s, from %s) with %s\n\n", str(doc, "check"), str(doc, "check_version"),
            json_object_get(doc, "module_file") ? str(doc, "module_file") : "?", str(doc, "configuration"));
    return healthy(s->out);
}

static int text_run(const rtlc_sink_t *s, const char *label, long times, const json_t *run)
{
    rtlc_print_run(s->out, label, times, run);
    return healthy(s->out);
}

static int text_instance_error(const rtlc_sink_t *s, const char *label, const char *msg)
{
    fprintf(s->out, "=== %s: %s\n\n", label, msg);
    return healthy(s->out);
}

static int text_summary(const rtlc_sink_t *s, const json_t *doc)
{
    size_t i, n = 0;
    json_t *inst, *v;
    const char *key;
    const json_t *outside = json_object_get(doc, "outside_runs");
    json_object_foreach((json_t *)outside, key, v)
        n += json_array_size(v);
    if (n) {
        fprintf(s->out, "=== Outside any run: %zu submission(s) from the check's own threads, between or after runs\n",
                n);
        rtlc_print_record(s->out, outside);
        fputc('\n', s->out);
    }
    fprintf(s->out, "=== Summary: %s (%s)\n", str(doc, "check"), str(doc, "check_version"));
    json_array_foreach(json_object_get(doc, "instances"), i, inst)
        rtlc_print_summary(s->out, json_object_get(inst, "summary"));
    return healthy(s->out);
}

static int text_list(const rtlc_sink_t *s, const json_t *doc)
{
    size_t i;
    json_t *v;
    const json_t *base = json_object_get(doc, "base"), *integrations = json_object_get(doc, "integrations"),
                 *checks = json_object_get(doc, "checks");
    if (json_object_get(base, "error"))
        fprintf(s->out, "Check base: datadog_checks.base could not be imported: %s\n", str(base, "error"));
    else
        fprintf(s->out, "Check base: datadog_checks.base %s (%s) from %s\n", str(base, "version"),
                json_is_true(json_object_get(base, "bundled")) ? "bundled with rtloader" : "installed",
                str(base, "file"));
    fprintf(s->out, "Installed integrations (datadog_checks wheels): %zu\n", json_array_size(integrations));
    json_array_foreach(integrations, i, v)
        fprintf(s->out, "  %s\n", json_is_string(v) ? json_string_value(v) : "?");
    fprintf(s->out, "Checks in the checks folders: %zu\n", json_array_size(checks));
    json_array_foreach(checks, i, v)
        fprintf(s->out, "  %-24s %s\n", str(v, "name"), str(v, "path"));
    return healthy(s->out);
}

/* Flush and close the stream; the exit status, changed when the output was lost. */
static int finish(const rtlc_sink_t *s, int status)
{
    int failed = !healthy(s->out);
    if (fflush(s->out) != 0 && !failed) {
        failed = 1;
        out_errno = errno;
    }
    if (fclose(s->out) != 0 && !failed) {
        failed = 1;
        out_errno = errno;
    }
    if (!failed)
        return status;
    if (out_errno == EPIPE)
        return RTLC_EXIT_EPIPE;
    fprintf(stderr, "rtloader-check: cannot write the output: %s\n", strerror(out_errno ? out_errno : EIO));
    return RTLC_EXIT_OUTPUT;
}

static int text_end(const rtlc_sink_t *s, json_t *doc, int status)
{
    (void)doc;
    return finish(s, status);
}

static int json_nothing(const rtlc_sink_t *s, const json_t *doc)
{
    (void)s;
    (void)doc;
    return 1;
}

static int json_run(const rtlc_sink_t *s, const char *label, long times, const json_t *run)
{
    (void)s;
    (void)label;
    (void)times;
    (void)run;
    return 1;
}

static int json_instance_error(const rtlc_sink_t *s, const char *label, const char *msg)
{
    (void)s;
    (void)label;
    (void)msg;
    return 1;
}

static int json_end(const rtlc_sink_t *s, json_t *doc, int status)
{
    rtlc_jset(doc, "exit_status", json_integer(status));
    if (json_dumpf(doc, s->out, JSON_INDENT(2)) != 0 || fputc('\n', s->out) == EOF)
        healthy(s->out);
    return finish(s, status);
}

static const rtlc_sink_t text_sink = {
    .list = text_list,
    .begin = text_begin,
    .run = text_run,
    .instance_error = text_instance_error,
    .summary = text_summary,
    .end = text_end,
};

static const rtlc_sink_t json_sink = {
    .list = json_nothing,
    .begin = json_nothing,
    .run = json_run,
    .instance_error = json_instance_error,
    .summary = json_nothing,
    .end = json_end,
};

void rtlc_sink_init(rtlc_sink_t *s, int json, FILE *out)
{
    *s = json ? json_sink : text_sink;
    s->out = out;
}
