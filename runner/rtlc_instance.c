/* rtlc_instance.c: one configured instance, start to end (see rtlc_instance.h). */
#define _GNU_SOURCE
#include "rtlc_instance.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtlc_host.h"
#include "rtlc_json.h"
#include "rtlc_run.h"
#include "rtlc_signal.h"
#include "rtlc_util.h"

/* Check ids look like the Agent's: name[:instance-name]:hash of the configuration. */
static char *make_check_id(const char *check, const char *name, const char *instance, const char *init_config)
{
    uint64_t h = 1469598103934665603ULL;
    const char *parts[2] = {instance, init_config};
    for (int p = 0; p < 2; p++) {
        for (const unsigned char *c = (const unsigned char *)parts[p]; *c; c++) {
            h ^= *c;
            h *= 1099511628211ULL;
        }
        h ^= 0xff;
        h *= 1099511628211ULL;
    }
    if (name && name[0])
        return rtlc_fmt("%s:%s:%016llx", check, name, (unsigned long long)h);
    return rtlc_fmt("%s:%016llx", check, (unsigned long long)h);
}

/* The check object (new reference), or NULL with *msg (malloc'ed). Takes the GIL. */
static rtloader_pyobject_t *create_check(const rtlc_session_t *s, size_t i, const char *id, char **msg)
{
    rtloader_pyobject_t *check = NULL;
    const rtlc_conf_t *c = s->conf;
    rtloader_gilstate_t gs = ensure_gil(s->rt);
    *msg = NULL;
    if (!get_check(s->rt, s->klass, c->init_config_json, c->instances_json[i], id, s->o->check, "file", &check)) {
        char *e1 = strdup(get_error(s->rt));
        if (!get_check_deprecated(s->rt, s->klass, c->init_config_json, c->instances_json[i], s->agent_json, id,
                                  s->o->check, "file", &check)) {
            *msg = rtlc_fmt("could not create the check object (constructor failed).\n"
                            "New constructor API returned:\n%s\nDeprecated constructor API returned:\n%s",
                            e1, get_error(s->rt));
            check = NULL;
        } else {
            fprintf(stderr, "[WARN] %s: the check only accepts the deprecated agentConfig constructor\n", s->o->check);
        }
        free(e1);
    }
    release_gil(s->rt, gs);
    return check;
}

/* The run record's errors: the parsed JSON list run_check returned, or one synthesised entry. */
static json_t *run_errors(const rtlc_run_result_t *r)
{
    json_t *errors = rtlc_jcheck(json_array());
    if (r->result && r->result[0]) {
        json_t *p = json_loads(r->result, 0, NULL);
        if (json_is_array(p) && json_array_extend(errors, p) != 0)
            rtlc_jcheck(NULL);
        if (!json_is_array(p))
            rtlc_jappend(errors, json_pack("{s:o,s:s}", "message", rtlc_jstr(r->result), "traceback", ""));
        json_decref(p);
    }
    if (r->error)
        rtlc_jappend(errors, json_pack("{s:o,s:s}", "message", rtlc_jstr(r->error), "traceback", ""));
    return errors;
}

static void finish_record(json_t *record, long n, const rtlc_run_result_t *res)
{
    static const char *const names[] = {"OK", "ERROR", "TIMEOUT", "TIMEOUT", "INTERRUPTED"};
    json_t *w = rtlc_jcheck(json_array());
    rtlc_jset(record, "run", json_integer(n));
    rtlc_jset(record, "status", json_string(names[res->status]));
    rtlc_jset(record, "duration_ms", json_real(res->duration_ms));
    for (size_t k = 0; res->warnings && res->warnings[k]; k++)
        rtlc_jappend(w, rtlc_jstr(res->warnings[k]));
    rtlc_jset(record, "warnings", w);
    rtlc_jset(record, "errors", run_errors(res));
}

/* --check-rate: what the Agent's aggregator flushes after two samples, on the second run's rates
 * (per second) and monotonic counts (the increase; none after a reset), as "computed". */
static void compute_rates(const json_t *first, json_t *second, double seconds)
{
    size_t i, k;
    json_t *m, *p;
    json_array_foreach(json_object_get(second, "metrics"), i, m) {
        const char *type = json_string_value(json_object_get(m, "type"));
        int rate = type && strcmp(type, "rate") == 0;
        if (!type || (!rate && strcmp(type, "monotonic_count") != 0) || !json_is_number(json_object_get(m, "value")))
            continue;
        json_array_foreach(json_object_get(first, "metrics"), k, p) {
            if (!json_equal(json_object_get(p, "name"), json_object_get(m, "name"))
                || !json_equal(json_object_get(p, "type"), json_object_get(m, "type"))
                || !json_equal(json_object_get(p, "tags"), json_object_get(m, "tags"))
                || !json_equal(json_object_get(p, "hostname"), json_object_get(m, "hostname"))
                || !json_is_number(json_object_get(p, "value")))
                continue;
            double d = json_number_value(json_object_get(m, "value")) - json_number_value(json_object_get(p, "value"));
            if (rate && seconds > 0)
                rtlc_jset(m, "computed", rtlc_jnum(d / seconds));
            else if (!rate && d >= 0)
                rtlc_jset(m, "computed", rtlc_jnum(d));
            break;
        }
    }
}

json_t *rtlc_run_instance(const rtlc_session_t *s, size_t i, int *status, rtlc_next_t *next)
{
    const rtlc_options_t *o = s->o;
    char *id =
        make_check_id(o->check, s->conf->instance_names[i], s->conf->instances_json[i], s->conf->init_config_json);
    char *label = rtlc_fmt("%s instance #%zu (%s)", o->check, i + 1, id), *msg = NULL;
    json_t *summary = rtlc_summary_new(i + 1, id, s->conf->instance_names[i], s->source);
    json_t *runs = rtlc_jcheck(json_array()), *first = NULL;
    json_t *inst = rtlc_jcheck(json_pack("{s:I,s:o,s:o,s:o}", "instance", (json_int_t)(i + 1), "check_id",
                                         rtlc_jstr(id), "runs", runs, "summary", summary));
    double first_start = 0;
    *next = RTLC_GO_ON;

    json_t *record = rtlc_host_new_record(); /* what the constructor submits counts in run 1 */
    rtlc_host_open_run(id, record);
    rtloader_pyobject_t *check = create_check(s, i, id, &msg);
    if (!check) {
        rtlc_host_close_run(id);
        json_decref(record);
        rtlc_jset(summary, "init_error", rtlc_jstr(msg));
        rtlc_jset(summary, "status", json_string("ERROR"));
        rtlc_jset(summary, "errors", json_integer(1));
        *status = RTLC_EXIT_RUN_ERROR;
        if (!s->sink->instance_error(s->sink, label, msg))
            *next = RTLC_STOP;
        free(msg);
    }
    if (check && o->subinterpreters) { /* which interpreter it runs in, and why not its own */
        int isolated = check_is_isolated(s->rt, check) == 1;
        char *why = isolated || !s->class_key ? NULL : rtlc_host_fallback_reason(s->class_key);
        rtlc_jset(summary, "interpreter", json_string(isolated ? "sub-interpreter" : "main"));
        if (why)
            rtlc_jset(summary, "interpreter_reason", rtlc_jstr(why));
        free(why);
    }
    for (long r = 1; check && r <= o->times && *next == RTLC_GO_ON; r++) {
        if (rtlc_signal_received()) { /* arrived while the constructor ran */
            *next = RTLC_STOP;
            break;
        }
        if (r > 1) {
            if (rtlc_signal_sleep_ms(o->pause_ms)) {
                *next = RTLC_STOP;
                break;
            }
            record = rtlc_host_new_record();
            rtlc_host_open_run(id, record);
        }
        rtlc_run_result_t res;
        rtlc_run_once(s->rt, check, o->timeout_s, &res);
        rtlc_host_close_run(id);
        finish_record(record, r, &res);
        if (o->check_rate && r == 1) {
            rtlc_jset(record, "rate_baseline", json_true());
            first = record;
            first_start = res.started_ms;
        } else if (o->check_rate && first) {
            compute_rates(first, record, (res.started_ms - first_start) / 1000.0);
        }
        rtlc_jappend(runs, record); /* the runs array now holds it (and `first`) */
        rtlc_summary_add_run(summary, record);
        if (res.status != RTLC_RUN_OK)
            *status = RTLC_EXIT_RUN_ERROR;
        if (!s->sink->run(s->sink, label, o->times, record))
            *next = RTLC_STOP;
        if (res.status == RTLC_RUN_STUCK) {
            /* the check still runs (it may hold the GIL): report and leave without waiting */
            fprintf(stderr, "rtloader-check: %s: %s; exiting\n", label, res.error);
            *next = RTLC_ABANDON;
        } else if (res.status == RTLC_RUN_INTERRUPTED || rtlc_signal_received()) {
            *next = RTLC_STOP;
        }
        rtlc_run_result_free(&res);
    }
    if (check && *next != RTLC_ABANDON) {
        rtloader_gilstate_t gs = ensure_gil(s->rt);
        rtloader_decref(s->rt, check);
        release_gil(s->rt, gs);
    }
    free(label);
    free(id);
    return inst;
}
