/*
 * rtlc_host.h: the host side of rtloader for the runner: every callback a real host registers,
 * behaving like the Agent where it can (hostname, subprocesses, persistent cache on disk) and
 * recording what the check submits into the current run's JSON record.
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

/* Where submissions go from now on: a JSON object whose arrays ("metrics", "service_checks",
 * "events", "histogram_buckets", "event_platform_events", "logs", "metadata", "external_tags",
 * "telemetry") the callbacks append to. The object is borrowed; NULL stops recording. */
void rtlc_host_record_into(json_t *run);
/* A fresh, empty run record. */
json_t *rtlc_host_new_record(void);

/* The persistent cache folder ($XDG_CACHE_HOME/rtloader-check, else ~/.cache/rtloader-check). */
const char *rtlc_host_cache_dir(void);

/* The metric type's name ("gauge", ...). */
const char *rtlc_metric_type_name(int t);

#endif
