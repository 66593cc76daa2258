/*
 * rtloader-check: run a Python check the way the Datadog Agent does, through rtloader's public API
 * only (make3 → callbacks → init → get_class → get_check → run_check), and show what it
 * submitted. See runner/README.md.
 *
 * Flow: options → configuration (YAML read in C, each part handed over as JSON text) → rtloader
 * start → check class → each instance (rtlc_instance.c) → what arrived outside any run → summary.
 * The output goes through a sink (rtlc_output.h: text or --json), which sees every path, errors
 * included, and turns a lost output into the exit status.
 * Exit status: 0 all runs OK, 1 a run (or a constructor) failed or timed out, 2 usage/config,
 * 3 the output could not be written, 128 + signal after SIGINT/SIGTERM, 141 stdout's reader left.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datadog_agent_rtloader.h"
#include "rtlc_conf.h"
#include "rtlc_host.h"
#include "rtlc_instance.h"
#include "rtlc_json.h"
#include "rtlc_options.h"
#include "rtlc_output.h"
#include "rtlc_run.h"
#include "rtlc_signal.h"
#include "rtlc_util.h"

/* An error before or instead of the runs: said on stderr, recorded in the document, and the sink
 * ends (--json still prints its one document). Returns the exit status. */
static int fail(const rtlc_sink_t *sink, json_t *doc, int code, const char *msg)
{
    fprintf(stderr, "rtloader-check: %s\n", msg);
    rtlc_jset(doc, "error", rtlc_jstr(msg));
    return sink->end(sink, doc, code);
}

/* Which check base is in use: into the document, and a note on stderr when it is the bundled one
 * (real integrations need datadog_checks_base; the bundled one only covers custom checks). */
static void note_base(rtloader_t *rt, json_t *doc)
{
    json_t *base = rtlc_probe_base(rt);
    if (json_is_true(json_object_get(base, "bundled")))
        fprintf(stderr,
                "rtloader-check: note: using the bundled minimal check base (datadog_checks.base %s from %s); "
                "integrations from integrations-core need the real datadog-checks-base installed\n",
                json_string_value(json_object_get(base, "version")), json_string_value(json_object_get(base, "file")));
    rtlc_jset(doc, "base", base);
}

/* --list: the check base, the installed integrations (get_integration_list) and the checks in the
 * checks folders. */
static int do_list(const rtlc_options_t *o, const rtlc_sink_t *sink, json_t *doc)
{
    char *err = NULL, *pyinfo = NULL;
    rtloader_t *rt = rtlc_start(o, &pyinfo, &err);
    if (!rt) {
        int rc = fail(sink, doc, RTLC_EXIT_USAGE, err);
        free(err);
        return rc;
    }
    json_t *integrations = rtlc_jcheck(json_array()), *checks = rtlc_jcheck(json_array());
    rtlc_jset(doc, "integrations", integrations);
    rtlc_jset(doc, "checks", checks);
    note_base(rt, doc);
    char *list = get_integration_list(rt);
    json_t *parsed = list ? json_loads(list, 0, NULL) : NULL;
    if (json_is_array(parsed) && json_array_extend(integrations, parsed) != 0)
        rtlc_jcheck(NULL);
    if (!list)
        fprintf(stderr, "rtloader-check: get_integration_list: %s\n", get_error(rt));
    json_decref(parsed);
    if (list)
        rtloader_free(rt, list);
    for (size_t i = 0; i < o->nchecks_dirs; i++) {
        DIR *d = opendir(o->checks_dirs[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            size_t n = strlen(e->d_name);
            if (e->d_name[0] == '.' || e->d_name[0] == '_' || n <= 3 || strcmp(e->d_name + n - 3, ".py") != 0)
                continue;
            char *name = strndup(e->d_name, n - 3), *path = rtlc_fmt("%s/%s", o->checks_dirs[i], e->d_name);
            rtlc_jappend(checks, json_pack("{s:o,s:o}", "name", rtlc_jstr(name), "path", rtlc_jstr(path)));
            free(name);
            free(path);
        }
        if (d)
            closedir(d);
    }
    sink->list(sink, doc); /* a failed write is reported by end */
    free(pyinfo);
    destroy(rt);
    return sink->end(sink, doc, RTLC_EXIT_OK);
}

/* "<module>.<Class>" of the check class, the key of rtloader's fallback log line (malloc'ed, or
 * NULL). [GIL] */
static char *class_key(rtloader_t *rt, rtloader_pyobject_t *klass)
{
    char *mod = NULL, *name = NULL, *key = NULL;
    if (get_attr_string(rt, klass, "__module__", &mod) && get_attr_string(rt, klass, "__qualname__", &name))
        key = rtlc_fmt("%s.%s", mod, name);
    rtloader_free(rt, mod);
    rtloader_free(rt, name);
    clear_error(rt);
    return key;
}

/* --parallel N: the sink's calls come from N threads; each one runs whole under this lock, so a
 * run's text or JSON is never interleaved with another's. */
typedef struct {
    rtlc_sink_t base; /* what the instances see */
    const rtlc_sink_t *inner;
    pthread_mutex_t lock;
} locked_sink_t;

#define LOCKED(call)                                                                                                   \
    do {                                                                                                               \
        locked_sink_t *l = (locked_sink_t *)(uintptr_t)s;                                                              \
        pthread_mutex_lock(&l->lock);                                                                                  \
        int ok = call;                                                                                                 \
        pthread_mutex_unlock(&l->lock);                                                                                \
        return ok;                                                                                                     \
    } while (0)
static int locked_run(const rtlc_sink_t *s, const char *label, long times, const json_t *run)
{
    LOCKED(l->inner->run(l->inner, label, times, run));
}
static int locked_instance_error(const rtlc_sink_t *s, const char *label, const char *msg)
{
    LOCKED(l->inner->instance_error(l->inner, label, msg));
}
#undef LOCKED

/* The instances, spread over the threads: each takes the next one not yet started. */
typedef struct {
    const rtlc_session_t *s;
    size_t *order; /* the selected instances */
    size_t n, next;
    json_t **results; /* per selected instance, in configuration order */
    int status;
    rtlc_next_t stop; /* the first RTLC_STOP/RTLC_ABANDON stops the hand-out */
    size_t finished;  /* workers out of their loop */
    pthread_mutex_t lock;
    pthread_cond_t all_done;
} pool_t;

static void *pool_worker(void *arg)
{
    pool_t *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        int last = p->stop != RTLC_GO_ON || p->next == p->n;
        size_t k = last ? 0 : p->next++;
        if (last) { /* p may be gone as soon as the lock is released */
            p->finished++;
            pthread_cond_signal(&p->all_done);
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        pthread_mutex_unlock(&p->lock);
        int status = RTLC_EXIT_OK;
        rtlc_next_t next = RTLC_GO_ON;
        json_t *inst = rtlc_run_instance(p->s, p->order[k], &status, &next);
        pthread_mutex_lock(&p->lock);
        p->results[k] = inst;
        if (status != RTLC_EXIT_OK)
            p->status = status;
        if (next == RTLC_ABANDON || (next == RTLC_STOP && p->stop == RTLC_GO_ON))
            p->stop = next;
        pthread_mutex_unlock(&p->lock);
    }
}

/* Run the selected instances on up to o->parallel threads; their records go into doc's
 * "instances" in configuration order. Returns how to go on; *status as rtlc_run_instance. */
static rtlc_next_t run_parallel(const rtlc_session_t *s, json_t *doc, int *status)
{
    const rtlc_options_t *o = s->o;
    locked_sink_t sink = {*s->sink, s->sink, PTHREAD_MUTEX_INITIALIZER};
    rtlc_session_t ls = *s;
    pool_t p = {&ls, NULL, 0, 0, NULL, *status, RTLC_GO_ON, 0, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};
    size_t nthreads = 0;
    pthread_t th;
    sink.base.run = locked_run;
    sink.base.instance_error = locked_instance_error;
    ls.sink = &sink.base;
    p.order = calloc(s->conf->ninstances + 1, sizeof(size_t));
    p.results = calloc(s->conf->ninstances + 1, sizeof(json_t *));
    if (!p.order || !p.results)
        rtlc_jcheck(NULL); /* out of memory: exits */
    for (size_t i = 0; i < s->conf->ninstances; i++)
        if (o->instance <= 0 || (size_t)o->instance == i + 1)
            p.order[p.n++] = i;
    for (long t = 0; t < o->parallel && (size_t)t < p.n; t++)
        if (pthread_create(&th, NULL, pool_worker, &p) == 0 && pthread_detach(th) == 0)
            nthreads++;
    if (nthreads == 0) { /* no thread could be started: run them here */
        nthreads = 1;
        pool_worker(&p);
    }
    /* Wait for the workers to leave their loop, not for them to exit: a thread's exit gives its
     * Python thread states back, which waits for a GIL that a stuck, abandoned check may hold. A
     * stuck run makes its instance return RTLC_ABANDON, and no worker starts another after it. */
    pthread_mutex_lock(&p.lock);
    while (p.finished < nthreads)
        pthread_cond_wait(&p.all_done, &p.lock);
    pthread_mutex_unlock(&p.lock);
    for (size_t k = 0; k < p.n; k++)
        if (p.results[k])
            rtlc_jappend(json_object_get(doc, "instances"), p.results[k]);
    *status = p.status;
    free(p.order);
    free(p.results);
    return p.stop;
}

/* Load the check class and run every selected instance. Returns the exit status. */
static int run_check_instances(const rtlc_options_t *o, const rtlc_conf_t *conf, const rtlc_sink_t *sink, json_t *doc)
{
    char *err = NULL, *pyinfo = NULL, *version = NULL, *file = NULL;
    int status = RTLC_EXIT_OK;
    rtloader_t *rt = rtlc_start(o, &pyinfo, &err);
    if (!rt) {
        status = fail(sink, doc, RTLC_EXIT_USAGE, err);
        free(err);
        return status;
    }
    rtlc_jset(doc, "python", rtlc_jstr(pyinfo));
    note_base(rt, doc);
    rtloader_pyobject_t *klass = NULL;
    rtloader_gilstate_t gs = ensure_gil(rt);
    int loaded = rtlc_load_class(rt, o->check, pyinfo, o, &klass, &version, &file, &err);
    release_gil(rt, gs);
    free(pyinfo);
    if (!loaded) {
        status = fail(sink, doc, RTLC_EXIT_USAGE, err);
        free(err);
        destroy(rt);
        return status;
    }
    rtlc_jset(doc, "check_version", rtlc_jstr(version ? version : "unversioned"));
    if (file)
        rtlc_jset(doc, "module_file", rtlc_jstr(file));
    free(version);
    free(file);

    char *agent_json = rtlc_agent_config_json(), *source = rtlc_fmt("file:%s", conf->path), *key = NULL;
    if (o->subinterpreters) {
        gs = ensure_gil(rt);
        key = class_key(rt, klass);
        release_gil(rt, gs);
    }
    rtlc_session_t s = {rt, klass, o, conf, agent_json, source, sink, key};
    rtlc_next_t next = sink->begin(sink, doc) ? RTLC_GO_ON : RTLC_STOP;
    if (next == RTLC_GO_ON && o->parallel > 1)
        next = run_parallel(&s, doc, &status);
    for (size_t i = 0; i < conf->ninstances && next == RTLC_GO_ON && o->parallel <= 1; i++) {
        if (o->instance > 0 && (size_t)o->instance != i + 1)
            continue;
        rtlc_jappend(json_object_get(doc, "instances"), rtlc_run_instance(&s, i, &status, &next));
    }
    json_t *outside = rtlc_host_outside(); /* stops recording: the document no longer changes */
    if (outside)
        rtlc_jset(doc, "outside_runs", json_incref(outside));
    sink->summary(sink, doc); /* after a signal too: what was collected so far */
    if (rtlc_signal_received()) {
        fprintf(stderr, "rtloader-check: stopped by %s\n", strsignal(rtlc_signal_received()));
        status = 128 + rtlc_signal_received();
    }
    status = sink->end(sink, doc, status);
    if (next == RTLC_ABANDON) { /* a cancelled check still runs: never wait for it */
        fflush(stderr);
        _exit(status);
    }
    free(agent_json);
    free(source);
    free(key);
    gs = ensure_gil(rt);
    rtloader_decref(rt, klass);
    release_gil(rt, gs);
    destroy(rt);
    return status;
}

int main(int argc, char **argv)
{
    rtlc_options_t o;
    rtlc_conf_t conf;
    rtlc_sink_t sink;
    char *err = NULL, *path = NULL;
    int rc = rtlc_options_parse(argc, argv, &o);
    memset(&conf, 0, sizeof(conf));
    signal(SIGPIPE, SIG_IGN); /* a closed stdout is an EPIPE error, handled by the sink */
    setvbuf(stdout, NULL, _IOLBF, 0);
    rtlc_sink_init(&sink, o.json, stdout);
    json_t *doc = rtlc_jcheck(json_pack("{s:o?,s:[]}", "check", o.check ? rtlc_jstr(o.check) : NULL, "instances"));
    if (rc >= 0) { /* --help, or a usage error */
        if (o.error)
            rc = fail(&sink, doc, rc, o.error);
    } else if (o.list) {
        rc = do_list(&o, &sink, doc);
    } else if (!(path = rtlc_conf_find(&o, &err)) || !rtlc_conf_load(path, &conf, &err)
               || !rtlc_agent_config_load(o.agent_config, &err)) {
        rc = fail(&sink, doc, RTLC_EXIT_USAGE, err);
        free(err);
        rtlc_conf_free(&conf);
    } else {
        rtlc_jset(doc, "configuration", rtlc_jstr(path));
        if (o.instance > 0 && (size_t)o.instance > conf.ninstances) {
            char *msg = rtlc_fmt("--instance %ld: %s has %zu instance(s)", o.instance, path, conf.ninstances);
            rc = fail(&sink, doc, RTLC_EXIT_USAGE, msg);
            free(msg);
        } else {
            rc = run_check_instances(&o, &conf, &sink, doc);
        }
        rtlc_conf_free(&conf);
    }
    json_decref(doc);
    free(path);
    rtlc_agent_config_free();
    rtlc_options_free(&o);
    return rc;
}
