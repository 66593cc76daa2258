/* rtlc_output.h: what the runner prints: each run's submissions and a summary per instance, as
 * text for people or as one JSON document (--json). Both are built from the same JSON records. */
#ifndef RTLC_OUTPUT_H
#define RTLC_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

/* Text of one run record (see rtlc_host.h; plus "run", "status", "duration_ms", "errors",
 * "warnings"). `label` names the instance ("instance #1 (check:id)"). */
void rtlc_print_run(FILE *f, const char *label, long times, const json_t *run);

/* Text of an instance summary (keys of rtlc_summary_new). */
void rtlc_print_summary(FILE *f, const json_t *summary);

/* A fresh summary object for an instance, and its update after each run. */
json_t *rtlc_summary_new(size_t index, const char *check_id, const char *name, const char *config_source);
void rtlc_summary_add_run(json_t *summary, const json_t *run);

#endif
