/* rtlc_output.c: the runner's text output (the JSON output is the records themselves). */
#include "rtlc_output.h"

#include <string.h>

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

void rtlc_print_run(FILE *f, const char *label, long times, const json_t *run)
{
    size_t i;
    json_t *m;
    const char *status = str(run, "status");
    fprintf(f, "=== %s, run %lld/%ld: %s in %.1f ms\n", label,
            (long long)json_integer_value(json_object_get(run, "run")), times, status,
            json_real_value(json_object_get(run, "duration_ms")));

    if (section(f, run, "metrics", "metrics")) {
        json_array_foreach(json_object_get(run, "metrics"), i, m) {
            fprintf(f, "    %-15s %s = ", str(m, "type"), str(m, "name"));
            print_value(f, json_object_get(m, "value"));
            fputs("  tags: ", f);
            print_tags(f, json_object_get(m, "tags"));
            if (str(m, "hostname")[0])
                fprintf(f, "  host: %s", str(m, "hostname"));
            if (json_is_true(json_object_get(m, "flush_first_value")))
                fputs("  flush_first_value", f);
            fputc('\n', f);
        }
    }
    if (section(f, run, "service_checks", "service checks")) {
        json_array_foreach(json_object_get(run, "service_checks"), i, m) {
            json_int_t st = json_integer_value(json_object_get(m, "status"));
            fprintf(f, "    %s: %s", str(m, "name"), st >= 0 && st <= 3 ? sc_status[st] : "?");
            fputs("  tags: ", f);
            print_tags(f, json_object_get(m, "tags"));
            if (str(m, "hostname")[0])
                fprintf(f, "  host: %s", str(m, "hostname"));
            if (str(m, "message")[0])
                fprintf(f, "  message: %s", str(m, "message"));
            fputc('\n', f);
        }
    }
    if (section(f, run, "events", "events")) {
        json_array_foreach(json_object_get(run, "events"), i, m) {
            fprintf(f, "    %s: %s  [alert_type: %s, priority: %s, source: %s, aggregation_key: %s, ts: %lld]  tags: ",
                    str(m, "msg_title"), str(m, "msg_text"), str(m, "alert_type"), str(m, "priority"),
                    str(m, "source_type_name"), str(m, "aggregation_key"),
                    (long long)json_integer_value(json_object_get(m, "timestamp")));
            print_tags(f, json_object_get(m, "tags"));
            fputc('\n', f);
        }
    }
    if (section(f, run, "histogram_buckets", "histogram buckets")) {
        json_array_foreach(json_object_get(run, "histogram_buckets"), i, m) {
            fprintf(f, "    %s [", str(m, "name"));
            print_value(f, json_object_get(m, "lower_bound"));
            fputs(", ", f);
            print_value(f, json_object_get(m, "upper_bound"));
            fprintf(f, "] = %lld%s  tags: ", (long long)json_integer_value(json_object_get(m, "value")),
                    json_is_true(json_object_get(m, "monotonic")) ? " (monotonic)" : "");
            print_tags(f, json_object_get(m, "tags"));
            fputc('\n', f);
        }
    }
    if (section(f, run, "event_platform_events", "event platform events")) {
        json_array_foreach(json_object_get(run, "event_platform_events"), i, m) {
            fprintf(f, "    %s: %s\n", str(m, "event_type"), str(m, "raw_event"));
        }
    }
    if (section(f, run, "logs", "logs")) {
        json_array_foreach(json_object_get(run, "logs"), i, m) {
            fputs("    ", f);
            print_json_inline(f, m);
            fputc('\n', f);
        }
    }
    if (section(f, run, "metadata", "metadata")) {
        json_array_foreach(json_object_get(run, "metadata"), i, m) {
            fprintf(f, "    %s = %s\n", str(m, "name"), str(m, "value"));
        }
    }
    if (section(f, run, "external_tags", "external tags")) {
        json_array_foreach(json_object_get(run, "external_tags"), i, m) {
            fprintf(f, "    %s (%s): ", str(m, "hostname"), str(m, "source_type"));
            print_tags(f, json_object_get(m, "tags"));
            fputc('\n', f);
        }
    }
    if (section(f, run, "telemetry", "agent telemetry")) {
        json_array_foreach(json_object_get(run, "telemetry"), i, m) {
            fprintf(f, "    %s %s = ", str(m, "type"), str(m, "metric_name"));
            print_value(f, json_object_get(m, "value"));
            fputc('\n', f);
        }
    }
    if (section(f, run, "warnings", "warnings")) {
        json_array_foreach(json_object_get(run, "warnings"), i, m) {
            fprintf(f, "    %s\n", json_string_value(m) ? json_string_value(m) : "");
        }
    }
    if (section(f, run, "errors", "errors")) {
        json_array_foreach(json_object_get(run, "errors"), i, m) {
            fprintf(f, "    %s\n", str(m, "message"));
            const char *tb = str(m, "traceback");
            if (tb[0]) {
                /* indent the traceback under its message */
                const char *p = tb;
                while (*p) {
                    const char *nl = strchr(p, '\n');
                    size_t n = nl ? (size_t)(nl - p) : strlen(p);
                    fprintf(f, "      %.*s\n", (int)n, p);
                    p += n + (nl ? 1 : 0);
                }
            }
        }
    }
    fputc('\n', f);
}

json_t *rtlc_summary_new(size_t index, const char *check_id, const char *name, const char *config_source)
{
    return json_pack("{s:I,s:s,s:s?,s:s,s:s,s:I,s:{s:I,s:I},s:{s:I,s:I},s:{s:I,s:I},s:{s:I,s:I},s:{s:I,s:I},"
                     "s:{s:I,s:I},s:I,s:f,s:f,s:f}",
                     "instance", (json_int_t)index, "check_id", check_id, "name", name, "configuration_source",
                     config_source, "status", "OK", "total_runs", (json_int_t)0, "metric_samples", "last_run",
                     (json_int_t)0, "total", (json_int_t)0, "events", "last_run", (json_int_t)0, "total", (json_int_t)0,
                     "service_checks", "last_run", (json_int_t)0, "total", (json_int_t)0, "histogram_buckets",
                     "last_run", (json_int_t)0, "total", (json_int_t)0, "event_platform_events", "last_run",
                     (json_int_t)0, "total", (json_int_t)0, "warnings", "last_run", (json_int_t)0, "total",
                     (json_int_t)0, "errors", (json_int_t)0, "total_execution_ms", 0.0, "average_execution_ms", 0.0,
                     "last_execution_ms", 0.0);
}

static void bump(json_t *summary, const char *key, size_t n)
{
    json_t *o = json_object_get(summary, key);
    json_object_set_new(o, "last_run", json_integer((json_int_t)n));
    json_object_set_new(o, "total", json_integer(json_integer_value(json_object_get(o, "total")) + (json_int_t)n));
}

void rtlc_summary_add_run(json_t *s, const json_t *run)
{
    json_int_t runs = json_integer_value(json_object_get(s, "total_runs")) + 1;
    double ms = json_real_value(json_object_get(run, "duration_ms"));
    double total = json_real_value(json_object_get(s, "total_execution_ms")) + ms;
    json_object_set_new(s, "total_runs", json_integer(runs));
    bump(s, "metric_samples", json_array_size(json_object_get(run, "metrics")));
    bump(s, "events", json_array_size(json_object_get(run, "events")));
    bump(s, "service_checks", json_array_size(json_object_get(run, "service_checks")));
    bump(s, "histogram_buckets", json_array_size(json_object_get(run, "histogram_buckets")));
    bump(s, "event_platform_events", json_array_size(json_object_get(run, "event_platform_events")));
    bump(s, "warnings", json_array_size(json_object_get(run, "warnings")));
    if (strcmp(str(run, "status"), "OK") != 0) {
        json_object_set_new(s, "errors", json_integer(json_integer_value(json_object_get(s, "errors")) + 1));
        json_object_set_new(s, "status", json_string("ERROR"));
    }
    json_object_set_new(s, "total_execution_ms", json_real(total));
    json_object_set_new(s, "average_execution_ms", json_real(total / (double)runs));
    json_object_set_new(s, "last_execution_ms", json_real(ms));
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
