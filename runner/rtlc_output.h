/* rtlc_output.h: what the runner prints: each run's submissions, what arrived outside any run and a
 * summary per instance, as text for people or as one JSON document (--json). Both are built from
 * the same JSON records, and reach the output through a sink. */
#ifndef RTLC_OUTPUT_H
#define RTLC_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

/* An output format. Every call returns 1 while the output works and 0 once a write failed (the
 * caller then stops producing output and goes to end). With several instances running at once,
 * the caller serialises the calls. */
typedef struct rtlc_sink rtlc_sink_t;
struct rtlc_sink {
    FILE *out;
    /* --list: doc has "base", "integrations" and "checks" */
    int (*list)(const rtlc_sink_t *s, const json_t *doc);
    /* the check is loaded: doc has "check", "check_version", "module_file", "configuration" */
    int (*begin)(const rtlc_sink_t *s, const json_t *doc);
    /* one finished run of the instance `label` (a run record, see rtlc_print_run) */
    int (*run)(const rtlc_sink_t *s, const char *label, long times, const json_t *run);
    /* the check object of instance `label` could not be created */
    int (*instance_error)(const rtlc_sink_t *s, const char *label, const char *msg);
    /* after the last run: doc has "outside_runs" and every instance's "summary" */
    int (*summary)(const rtlc_sink_t *s, const json_t *doc);
    /* the last call, on every path, errors included: records "exit_status", closes the stream and
     * returns the exit status (RTLC_EXIT_OUTPUT / RTLC_EXIT_EPIPE when the output was lost) */
    int (*end)(const rtlc_sink_t *s, json_t *doc, int status);
};

/* The text sink (json == 0) or the JSON sink, writing to `out`. */
void rtlc_sink_init(rtlc_sink_t *s, int json, FILE *out);

/* Text of one run record (see rtlc_host.h; plus "run", "status", "duration_ms", "errors",
 * "warnings", and "rate_baseline" for --check-rate's first run). `label` names the instance. */
void rtlc_print_run(FILE *f, const char *label, long times, const json_t *run);
/* The submission sections of a record alone. */
void rtlc_print_record(FILE *f, const json_t *record);

/* Text of an instance summary (keys of rtlc_summary_new). */
void rtlc_print_summary(FILE *f, const json_t *summary);

/* A fresh summary object for an instance, and its update after each run. */
json_t *rtlc_summary_new(size_t index, const char *check_id, const char *name, const char *config_source);
void rtlc_summary_add_run(json_t *summary, const json_t *run);

#endif
