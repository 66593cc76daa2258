/*
 * rtlc_run.c: starting rtloader and running checks the way the Agent's collector does.
 *
 * Why a thread per run: a check must be cancellable when it overstays --timeout, and only another
 * thread can do that. The worker takes the GIL with ensure_gil and calls run_check; the main
 * thread waits on a condition variable with a deadline. At the deadline a third, short-lived
 * thread takes the GIL (Python hands it over between bytecodes, so a check looping in Python
 * yields it) and calls cancel_check, like the Agent's check cancellation. A check that ignores the
 * cancel, or sits in C code holding the GIL, cannot be stopped from outside: after a grace period
 * the caller reports it and exits without waiting (a deliberate trade-off: never hang).
 */
#define _GNU_SOURCE
#include "rtlc_run.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtlc_host.h"
#include "rtlc_json.h"
#include "rtlc_signal.h"
#include "rtloader_mem.h"
#include "rtlc_util.h"

#define GRACE_MS 3000.0
#define SIGNAL_GRACE_MS 700.0 /* after SIGINT/SIGTERM the runner must be gone within about a second */

static char bundled_dir[PATH_MAX];

static void find_bundled_base(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    const char *env = getenv("RTLOADER_CHECK_BASE_DIR");
    if (env && env[0]) {
        snprintf(bundled_dir, sizeof(bundled_dir), "%s", env);
        return;
    }
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char *cand = rtlc_fmt("%s/../%s", exe, RTLC_INSTALL_PYTHON_REL);
            char *probe = rtlc_fmt("%s/datadog_checks/__init__.py", cand);
            int ok = rtlc_is_file(probe);
            free(probe);
            if (ok && realpath(cand, bundled_dir)) {
                free(cand);
                return;
            }
            free(cand);
        }
    }
    snprintf(bundled_dir, sizeof(bundled_dir), "%s", RTLC_SOURCE_PYTHON_DIR);
}

/* sys.executable for --python-home H: H/bin/python3.X (X from H/lib/python3.X/os.py) or H/bin/python3. */
static char *python_exe_for(const char *home)
{
    glob_t g;
    char *pattern = rtlc_fmt("%s/lib/python3.*/os.py", home), *exe = NULL;
    if (glob(pattern, 0, NULL, &g) == 0) {
        for (size_t i = g.gl_pathc; i > 0 && !exe; i--) {
            const char *p = g.gl_pathv[i - 1] + strlen(home) + strlen("/lib/");
            const char *end = strchr(p, '/');
            char *cand = rtlc_fmt("%s/bin/%.*s", home, (int)(end - p), p);
            if (access(cand, X_OK) == 0)
                exe = cand;
            else
                free(cand);
        }
        globfree(&g);
    }
    free(pattern);
    return exe ? exe : rtlc_fmt("%s/bin/python3", home);
}

/* s as a Python bytes literal (every byte escaped: any path, no quoting problem). */
static char *py_bytes(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 4 + 4), *p = out;
    if (!out)
        return NULL;
    p += sprintf(p, "b'");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "\\x%02x", (unsigned char)s[i]);
    sprintf(p, "'");
    return out;
}

/* --checks-dir paths into PYTHONPATH, for the check's child processes only: datadog_checks_base >=
 * 37 parses each instance's YAML in a `sys.executable` subprocess, which must import what the
 * checks folders hold. Done after init (the embedded interpreter read PYTHONPATH at init, so its
 * sys.path is unchanged), through os.environ so that both the C environment (putenv, inherited by
 * fork/exec) and os.environ (copied by subprocess callers that pass env=) have it. An existing
 * PYTHONPATH keeps its place, first. No other thread runs yet. Caller holds the GIL. */
static void export_checks_dirs(rtloader_t *rt, const rtlc_options_t *o)
{
    char *list = strdup("");
    for (size_t i = 0; list && i < o->nchecks_dirs; i++) {
        char real[PATH_MAX], *lit, *l;
        if (!rtlc_is_dir(o->checks_dirs[i]) || !realpath(o->checks_dirs[i], real) || !(lit = py_bytes(real)))
            continue;
        l = rtlc_fmt("%s%s,", list, lit);
        free(lit);
        free(list);
        list = l;
    }
    if (list && list[0]) {
        char *code = rtlc_fmt(
            "def _rtlc_export(dirs):\n"
            "    import os\n"
            "    old = os.environ.get('PYTHONPATH')\n"
            "    os.environ['PYTHONPATH'] = os.pathsep.join(([old] if old else []) + [os.fsdecode(d) for d in dirs])\n"
            "_rtlc_export((%s))\n"
            "del _rtlc_export\n",
            list);
        if (!run_simple_string(rt, code))
            fprintf(stderr, "rtloader-check: could not export --checks-dir to PYTHONPATH: %s\n", get_error(rt));
        clear_error(rt);
        free(code);
    }
    free(list);
}

/* The check base's identity, asked from Python: the answer comes back through the host's
 * set_check_metadata callback under RTLC_HOST_PROBE_ID (the public API has no "import and read
 * an attribute" call that does not also look for a check class). */
static const char base_probe_code[] =
    "def _rtlc_probe():\n"
    "    import json, os, datadog_agent\n"
    "    def text(s):\n"
    "        return os.fsencode(s).decode('utf-8', 'backslashreplace')\n"
    "    try:\n"
    "        import datadog_checks.base as b\n"
    "        info = {'module': 'datadog_checks.base', 'version': str(getattr(b, '__version__', '') or ''),\n"
    "                'file': text(getattr(b, '__file__', None) or ''), 'bundled': bool(getattr(b, 'BUNDLED', False))}\n"
    "    except BaseException as e:\n"
    "        info = {'module': 'datadog_checks.base', 'error': text('%s: %s' % (type(e).__name__, e))}\n"
    "    datadog_agent.set_check_metadata('" RTLC_HOST_PROBE_ID "', 'base', json.dumps(info))\n"
    "_rtlc_probe()\n"
    "del _rtlc_probe\n";

json_t *rtlc_probe_base(rtloader_t *rt)
{
    rtloader_gilstate_t gs = ensure_gil(rt);
    int ok = run_simple_string(rt, base_probe_code);
    char *e = ok ? NULL : strdup(get_error(rt));
    clear_error(rt);
    release_gil(rt, gs);
    char *answer = rtlc_host_take_probe();
    json_t *info = answer ? json_loads(answer, 0, NULL) : NULL;
    free(answer);
    if (!json_is_object(info)) {
        json_decref(info);
        info = rtlc_jcheck(json_pack("{s:s,s:o}", "module", "datadog_checks.base", "error",
                                     rtlc_jstr(e ? e : "the probe gave no answer")));
    }
    free(e);
    return info;
}

rtloader_t *rtlc_start(const rtlc_options_t *o, char **pyinfo, char **err)
{
    char *mkerr = NULL, *exe = NULL;
    *err = NULL;
    *pyinfo = NULL;
    if (o->python_home && !rtlc_is_dir(o->python_home)) {
        *err = rtlc_fmt("--python-home %s: no such directory", o->python_home);
        return NULL;
    }
    exe = o->python_home ? python_exe_for(o->python_home) : strdup(RTLC_DEFAULT_PYTHON_EXE);
    rtloader_t *rt = make3(o->python_home, exe, &mkerr);
    free(exe);
    if (!rt) {
        *err = rtlc_fmt("could not load rtloader's Python backend: %s", mkerr ? mkerr : "unknown error");
        if (mkerr)
            _free(mkerr);
        return NULL;
    }
    for (size_t i = 0; i < o->nchecks_dirs; i++) {
        char real[PATH_MAX];
        if (rtlc_is_dir(o->checks_dirs[i]) && realpath(o->checks_dirs[i], real))
            add_python_path(rt, real);
    }
    find_bundled_base();
    add_python_path(rt, bundled_dir);
    rtlc_host_register(rt, o);
    if (o->subinterpreters && !enable_subinterpreters(rt, 1)) {
        *err = rtlc_fmt("--subinterpreters: %s", get_error(rt));
        destroy(rt);
        return NULL;
    }
    if (!init(rt)) {
        *err = rtlc_fmt("could not initialize rtloader: %s", get_error(rt));
        destroy(rt);
        return NULL;
    }
    rtlc_signal_install(); /* after init, which installed Python's SIGINT handler */
    rtloader_gilstate_t gs = ensure_gil(rt);
    export_checks_dirs(rt, o);
    py_info_t *info = get_py_info(rt);
    if (info) {
        *pyinfo = rtlc_fmt("%s\nsys.path: %s", info->version ? info->version : "?", info->path ? info->path : "?");
        free_py_info(rt, info);
    }
    clear_error(rt);
    release_gil(rt, gs);
    return rt;
}

static char *take_error(rtloader_t *rt)
{
    return strdup(has_error(rt) ? get_error(rt) : "unknown error");
}

int rtlc_load_class(rtloader_t *rt, const char *name, const char *pyinfo, const rtlc_options_t *o,
                    rtloader_pyobject_t **klass, char **version, char **file, char **err)
{
    rtloader_pyobject_t *module = NULL;
    char *e1, *e2, *dotted = rtlc_fmt("datadog_checks.%s", name);
    *klass = NULL;
    *version = *file = NULL;
    if (get_class(rt, dotted, &module, klass)) {
        free(dotted);
        goto found;
    }
    e1 = take_error(rt);
    if (get_class(rt, name, &module, klass)) {
        free(e1);
        free(dotted);
        goto found;
    }
    e2 = take_error(rt);
    char *dirs = strdup("");
    for (size_t i = 0; i < o->nchecks_dirs; i++) {
        char *d = rtlc_fmt("%s\n    %s%s", dirs, o->checks_dirs[i], rtlc_is_dir(o->checks_dirs[i]) ? "" : " (missing)");
        free(dirs);
        dirs = d;
    }
    *err = rtlc_fmt("could not load check '%s'.\n"
                    "  tried module %s: %s\n"
                    "  tried module %s: %s\n"
                    "  checks folders:%s\n"
                    "  Python %s",
                    name, dotted, e1, name, e2, dirs, pyinfo ? pyinfo : "");
    free(dirs);
    free(e1);
    free(e2);
    free(dotted);
    return 0;
found:
    if (get_attr_string(rt, module, "__version__", version) && *version) {
        char *v = strdup(*version);
        rtloader_free(rt, *version);
        *version = v;
    } else {
        *version = NULL;
    }
    if (get_attr_string(rt, module, "__file__", file) && *file) {
        char *f = strdup(*file);
        rtloader_free(rt, *file);
        *file = f;
    } else {
        *file = NULL;
    }
    clear_error(rt);
    rtloader_decref(rt, module);
    return 1;
}

/* ---- one run on a worker thread --------------------------------------------------------------- */

typedef struct {
    rtloader_t *rt;
    rtloader_pyobject_t *check;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done, cancel_done;
    char *result, *error, **warnings;
    double t0, t1;
} job_t;

static void *worker(void *arg)
{
    job_t *j = arg;
    rtloader_gilstate_t gs = ensure_gil(j->rt);
    j->t0 = rtlc_now_ms();
    char *res = run_check(j->rt, j->check);
    double t1 = rtlc_now_ms();
    char *result = NULL, *error = NULL, **warnings = NULL;
    if (res) {
        result = strdup(res);
        rtloader_free(j->rt, res);
    } else {
        error = take_error(j->rt);
    }
    char **w = get_checks_warnings(j->rt, j->check);
    if (w) {
        size_t n = 0;
        while (w[n])
            n++;
        warnings = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
            if (warnings)
                warnings[i] = strdup(w[i]);
            rtloader_free(j->rt, w[i]);
        }
        rtloader_free(j->rt, w);
    } else {
        clear_error(j->rt);
    }
    release_gil(j->rt, gs);
    pthread_mutex_lock(&j->lock);
    j->t1 = t1;
    j->result = result;
    j->error = error;
    j->warnings = warnings;
    j->done = 1;
    pthread_cond_broadcast(&j->cond);
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

static void *canceller(void *arg)
{
    job_t *j = arg;
    rtloader_gilstate_t gs = ensure_gil(j->rt);
    cancel_check(j->rt, j->check);
    if (has_error(j->rt)) {
        fprintf(stderr, "[WARN] cancel_check: %s\n", get_error(j->rt));
    }
    release_gil(j->rt, gs);
    pthread_mutex_lock(&j->lock);
    j->cancel_done = 1;
    pthread_cond_broadcast(&j->cond);
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

static void deadline_in(struct timespec *ts, double ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000.0);
    ts->tv_nsec += (long)((ms - (double)(long long)(ms / 1000.0) * 1000.0) * 1e6);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Wait until j->done, the deadline or (with watch_signals) SIGINT/SIGTERM; returns j->done. The
 * wait wakes every RTLC_SIGNAL_POLL_MS to look at the signal flag (a handler cannot signal a
 * condition variable). Lock held by the caller. */
static int wait_done(job_t *j, double ms, int watch_signals)
{
    double end = rtlc_now_ms() + ms;
    while (!j->done) {
        double left = end - rtlc_now_ms();
        if (left <= 0 || (watch_signals && rtlc_signal_received()))
            break;
        struct timespec ts;
        deadline_in(&ts, left < RTLC_SIGNAL_POLL_MS ? left : RTLC_SIGNAL_POLL_MS);
        pthread_cond_timedwait(&j->cond, &j->lock, &ts);
    }
    return j->done;
}

void rtlc_run_once(rtloader_t *rt, rtloader_pyobject_t *check, double timeout_s, rtlc_run_result_t *r)
{
    job_t *j = calloc(1, sizeof(*j));
    pthread_condattr_t ca;
    pthread_t tid, ctid;
    memset(r, 0, sizeof(*r));
    if (!j) {
        r->status = RTLC_RUN_ERROR;
        r->error = strdup("out of memory");
        return;
    }
    j->rt = rt;
    j->check = check;
    pthread_mutex_init(&j->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&j->cond, &ca);
    pthread_condattr_destroy(&ca);
    double start = rtlc_now_ms();
    r->started_ms = start;
    if (pthread_create(&tid, NULL, worker, j) != 0) {
        r->status = RTLC_RUN_ERROR;
        r->error = rtlc_fmt("could not start a thread for the check: %s", strerror(errno));
        free(j);
        return;
    }
    pthread_mutex_lock(&j->lock);
    int finished = wait_done(j, timeout_s > 0 ? timeout_s * 1000.0 : 1e15, 1);
    int timed_out = 0, sig = finished ? 0 : rtlc_signal_received();
    if (!finished) {
        timed_out = 1;
        pthread_mutex_unlock(&j->lock);
        if (pthread_create(&ctid, NULL, canceller, j) == 0)
            pthread_detach(ctid);
        pthread_mutex_lock(&j->lock);
        finished = wait_done(j, sig ? SIGNAL_GRACE_MS : GRACE_MS, 0);
    }
    pthread_mutex_unlock(&j->lock);
    if (!finished) {
        /* abandoned: the worker and the canceller still use j, so it is never freed */
        pthread_detach(tid);
        r->status = RTLC_RUN_STUCK;
        r->duration_ms = rtlc_now_ms() - start;
        if (sig)
            r->error = rtlc_fmt("interrupted by %s: the check was cancelled (cancel_check) and had not stopped %g s "
                                "later",
                                strsignal(sig), SIGNAL_GRACE_MS / 1000.0);
        else
            r->error = rtlc_fmt("the check did not return within --timeout %g s, was cancelled (cancel_check) and "
                                "still had not stopped %g s later",
                                timeout_s, GRACE_MS / 1000.0);
        return;
    }
    pthread_join(tid, NULL);
    if (timed_out) {
        /* the canceller may still be running (detached): wait for it before freeing j */
        pthread_mutex_lock(&j->lock);
        struct timespec ts;
        deadline_in(&ts, sig ? SIGNAL_GRACE_MS : GRACE_MS);
        while (!j->cancel_done && pthread_cond_timedwait(&j->cond, &j->lock, &ts) != ETIMEDOUT) {
        }
        int cdone = j->cancel_done;
        pthread_mutex_unlock(&j->lock);
        r->status = sig ? RTLC_RUN_INTERRUPTED : RTLC_RUN_TIMEOUT;
        r->duration_ms = j->t1 - j->t0;
        r->result = j->result;
        r->warnings = j->warnings;
        free(j->error);
        if (sig)
            r->error = rtlc_fmt("interrupted by %s: the check was cancelled (cancel_check)", strsignal(sig));
        else
            r->error =
                rtlc_fmt("the check did not return within --timeout %g s and was cancelled (cancel_check)", timeout_s);
        if (!cdone)
            return; /* leak j rather than free it under the canceller */
    } else {
        r->duration_ms = j->t1 - j->t0;
        r->result = j->result;
        r->error = j->error;
        r->warnings = j->warnings;
        r->status = RTLC_RUN_OK;
        if (!r->result || r->result[0])
            r->status = RTLC_RUN_ERROR;
    }
    pthread_mutex_destroy(&j->lock);
    pthread_cond_destroy(&j->cond);
    free(j);
}

void rtlc_run_result_free(rtlc_run_result_t *r)
{
    free(r->result);
    free(r->error);
    for (size_t i = 0; r->warnings && r->warnings[i]; i++)
        free(r->warnings[i]);
    free(r->warnings);
    memset(r, 0, sizeof(*r));
}
