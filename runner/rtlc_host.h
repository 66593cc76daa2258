/*
 * rtlc_host.h: the host side of rtloader for the runner: every callback a real host registers,
 * behaving like the Agent where it can (hostname, subprocesses, persistent cache on disk) and
 * recording what the check submits, for the whole life of the process, into the JSON record of the
 * run it belongs to.
 *
 * Memory: every string a callback returns is malloc'ed and the runner registers free() as the
 * cgo_free callback, so rtloader releases them with the matching function.
 */
#ifndef RTLC_HOST_H
#define RTLC_HOST_H

#include <jansson.h>

#include "datadog_agent_rtloader.h"
#include "rtlc_options.h"

/* Register all callbacks (before init). */
void rtlc_host_register(rtloader_t *rt, const rtlc_options_t *o);

/* A fresh, empty run record: a JSON object whose arrays ("metrics", "service_checks", "events",
 * "histogram_buckets", "event_platform_events", "logs", "metadata", "external_tags", "telemetry")
 * the callbacks append to. */
json_t *rtlc_host_new_record(void);

/* From now on, what check `check_id` submits goes to `run` (borrowed; it must outlive the matching
 * rtlc_host_close_run). Several runs (of different check ids) may be open at once. */
void rtlc_host_open_run(const char *check_id, json_t *run);
void rtlc_host_close_run(const char *check_id);

/* Stop recording and return what arrived outside any run (a record as above whose items also carry
 * "check_id" when the callback had one and "at_ms", the time since rtlc_host_register). Borrowed;
 * NULL before rtlc_host_register. */
json_t *rtlc_host_outside(void);

/* The check id under which the runner's own Python probe reports through set_check_metadata (no
 * check name contains '/'), and the value it reported (malloc'ed; NULL when none), taken once. */
#define RTLC_HOST_PROBE_ID "rtloader-check/probe"
char *rtlc_host_take_probe(void);

/* With --subinterpreters: why check class `class_key` ("<module>.<Class>") runs in the main
 * interpreter, as rtloader logged it (malloc'ed), or NULL when it did not say. */
char *rtlc_host_fallback_reason(const char *class_key);

/* The persistent cache folder ($XDG_CACHE_HOME/rtloader-check, else ~/.cache/rtloader-check). */
const char *rtlc_host_cache_dir(void);

/* The metric type's name ("gauge", ...). */
const char *rtlc_metric_type_name(int t);

#endif
