/*
 * rtlc_instance.h: one configured instance, start to end: its check id, the check object
 * (get_check, falling back to get_check_deprecated like the Agent), its --times runs on worker
 * threads (rtlc_run_once), each run's record and the instance summary, handed to the output sink.
 *
 * Everything an instance needs is in the session (read-only) and its own JSON object, so running
 * instances on N threads only needs the sink calls serialised and the statuses merged.
 */
#ifndef RTLC_INSTANCE_H
#define RTLC_INSTANCE_H

#include <jansson.h>

#include "datadog_agent_rtloader.h"
#include "rtlc_conf.h"
#include "rtlc_options.h"
#include "rtlc_output.h"

typedef struct {
    rtloader_t *rt;
    rtloader_pyobject_t *klass; /* the check class (borrowed) */
    const rtlc_options_t *o;
    const rtlc_conf_t *conf;
    const char *agent_json; /* the agent configuration, for get_check_deprecated */
    const char *source;     /* "file:PATH", the summary's configuration source */
    const rtlc_sink_t *sink;
    const char *class_key; /* "<module>.<Class>" (--subinterpreters: its fallback reason), or NULL */
} rtlc_session_t;

typedef enum {
    RTLC_GO_ON,
    RTLC_STOP,    /* stop running instances: a signal arrived or the output failed */
    RTLC_ABANDON, /* stop and exit without touching Python: a cancelled check is still running */
} rtlc_next_t;

/* Run instance `index` (0-based). Returns its JSON object ({"instance", "check_id", "runs",
 * "summary"}, new reference); *status becomes RTLC_EXIT_RUN_ERROR when a run (or the constructor)
 * failed and is left alone otherwise; *next says whether to go on. The caller holds no GIL. */
json_t *rtlc_run_instance(const rtlc_session_t *s, size_t index, int *status, rtlc_next_t *next);

#endif
