/*
 * driver.c: the ThreadSanitizer driver (issue 11, CI). A multi-threaded C host that replays what
 * the Go packages gil, concurrency and lifecycle do, against a loader and backend built with
 * -fsanitize=thread (make test-tsan). Go's race detector brings its own TSan runtime and does not
 * instrument C, so the C library is only checked for races when its host is C too.
 *
 *   rtloader-tsan-driver <scenario> <test dir> <python_home> <python_exe>
 *
 * One scenario per process, because a process gets one init (run.sh runs them all):
 *   gil          nested ensure_gil, a nested release keeps the GIL, idents and threading.local
 *                per thread and persistent across cycles, thread generations that exit (their
 *                thread states must be reclaimed: counted through libpython's own thread list),
 *                their stacks recycled by a thread that never synchronised with them, self-GIL
 *                functions with and without the GIL
 *   concurrency  8 threads run their checks while a ninth cancels them; a cancel unblocks a run
 *                on another thread; get_check/run/warnings/diagnoses/decref on many threads;
 *                errors set under the GIL while other threads test has_error without it;
 *                get_pymem_stats and the memory counters read while Python allocates
 *   callbacks    checks whose Python threads call built-ins at once; the persistent-cache and
 *                subprocess callbacks run with the GIL released, so host callbacks overlap
 *   errors       the error channel from many threads with no GIL to serialise them: before init
 *                and after a failed init (the mutex race fixed earlier)
 *   lifecycle    calls before init fail fast on every thread, init, second init, the GIL free
 *                after init, destroy while a thread with a parked state waits and exits after,
 *                make3 again, and the memory counters across all of it
 *
 * Every scenario asserts its results (counts of callbacks, runs, cancels, error texts, balanced
 * rtloader allocations), prints "tsan-driver: <scenario>: ..." and exits non-zero on any failure.
 * A watchdog (alarm) turns a deadlock into exit 3. Host callbacks are thread-safe (atomics), as
 * every host's must be.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datadog_agent_rtloader.h"
#include "rtloader_mem.h"

#define TSAN_WATCHDOG_SECONDS 600
#define TSAN_WORKERS 8
#define TSAN_RUNS_PER_WORKER 1250 /* 10,000 runs, as test/concurrency */
#define TSAN_METRICS_PER_RUN 3    /* METRICS_PER_RUN in test/testdata/python/hb_concurrency_check.py */
#define TSAN_PY_THREADS 4         /* THREADS in testdata/python/tsan_threads_check.py */
#define TSAN_PY_CALLS 25          /* CALLS in testdata/python/tsan_threads_check.py */
#define TSAN_CB_CHECKS 4          /* C threads running a tsan_threads_check each */
#define TSAN_CB_RUNS 5            /* runs per C thread */
#define TSAN_MAX_THREADS 16

static rtloader_t *rt;
static int failures;
static const char *scenario = "";

#define EXPECT(cond, ...)                                                                                              \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "tsan-driver: %s: FAILED %s:%d: ", scenario, __FILE__, __LINE__);                          \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);                                                        \
        }                                                                                                              \
    } while (0)

static long load(const long *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}
static void add(long *p, long n)
{
    __atomic_add_fetch(p, n, __ATOMIC_RELAXED);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void on_alarm(int sig)
{
    static const char msg[] = "tsan-driver: watchdog: the scenario did not finish (deadlock?)\n";
    (void)sig;
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(3);
}

static void phase(const char *what)
{
    printf("tsan-driver: %s: %s\n", scenario, what);
    fflush(stdout);
}

/* Runs fn(i) on n new threads and joins them all (each thread exits: its state is reclaimed). */
static void run_threads(int n, void *(*fn)(void *))
{
    pthread_t th[TSAN_MAX_THREADS];
    int i;
    if (n > TSAN_MAX_THREADS)
        n = TSAN_MAX_THREADS;
    for (i = 0; i < n; i++)
        if (pthread_create(&th[i], NULL, fn, (void *)(intptr_t)i) != 0) {
            EXPECT(0, "pthread_create failed");
            n = i;
        }
    for (i = 0; i < n; i++)
        pthread_join(th[i], NULL);
}

/* ---- host callbacks: thread-safe, counted ------------------------------------------------- */

static long n_metrics[TSAN_WORKERS]; /* hb.concurrency metrics per worker check "w<N>" */
static long n_thread_metrics, n_bad, n_hostnames, n_tags, n_cache_writes, n_cache_reads, n_subprocesses;

static void cb_submit_metric(char *id, metric_type_t t, char *name, double v, char **tags, char *host, bool flush)
{
    (void)t, (void)v, (void)flush;
    if (strcmp(name, "tsan.thread") == 0) {
        if (strcmp(host, "tsan-host") != 0 || tags[0] == NULL || strncmp(tags[0], "thread:", 7) != 0 || tags[1] == NULL
            || tags[2] != NULL)
            add(&n_bad, 1);
        add(&n_thread_metrics, 1);
        return;
    }
    if (strcmp(name, "hb.concurrency") != 0 || strcmp(host, "hb-host") != 0 || tags[0] == NULL
        || strncmp(tags[0], "run:", 4) != 0 || tags[1] == NULL || tags[2] != NULL || id[0] != 'w' || id[1] < '0'
        || id[1] >= '0' + TSAN_WORKERS || id[2] != '\0') {
        add(&n_bad, 1);
        return;
    }
    add(&n_metrics[id[1] - '0'], 1);
}

static void cb_get_hostname(char **out)
{
    add(&n_hostnames, 1);
    *out = strdupe("tsan-host");
}

static char **cb_tags(char *id, int card)
{
    char **v = _malloc(3 * sizeof(char *));
    add(&n_tags, 1);
    if (v == NULL)
        return NULL;
    v[0] = strdupe(id);
    v[1] = strdupe(card == DATADOG_AGENT_RTLOADER_TAGGER_HIGH ? "card:high" : "card:other");
    v[2] = NULL;
    return v;
}

/* The cache is a pure function of the key ("v:<key>"), so reads need no shared table. */
static void cb_write_persistent_cache(char *key, char *value)
{
    if (strncmp(value, "v:", 2) != 0 || strcmp(value + 2, key) != 0)
        add(&n_bad, 1);
    add(&n_cache_writes, 1);
}

static char *cb_read_persistent_cache(char *key)
{
    char *v = _malloc(strlen(key) + 3);
    add(&n_cache_reads, 1);
    if (v != NULL) {
        memcpy(v, "v:", 2);
        strcpy(v + 2, key);
    }
    return v;
}

/* "Runs" argv by printing it, as echo would. */
static void cb_get_subprocess_output(char **argv, char **env, char **out, char **err, int *rc, char **exc)
{
    size_t n = 1;
    int i;
    (void)env, (void)exc;
    add(&n_subprocesses, 1);
    for (i = 1; argv[i] != NULL; i++)
        n += strlen(argv[i]) + 1;
    *out = _malloc(n + 5);
    if (*out != NULL) {
        strcpy(*out, "echo");
        for (i = 1; argv[i] != NULL; i++) {
            strcat(*out, " ");
            strcat(*out, argv[i]);
        }
        strcat(*out, "\n");
    }
    *err = strdupe("");
    *rc = 0;
}

static void cb_log(char *msg, int level)
{
    (void)msg, (void)level;
}

static void set_callbacks(void)
{
    set_cgo_free_cb(rt, _free);
    set_submit_metric_cb(rt, cb_submit_metric);
    set_get_hostname_cb(rt, cb_get_hostname);
    set_tags_cb(rt, cb_tags);
    set_write_persistent_cache_cb(rt, cb_write_persistent_cache);
    set_read_persistent_cache_cb(rt, cb_read_persistent_cache);
    set_get_subprocess_output_cb(rt, cb_get_subprocess_output);
    set_log_cb(rt, cb_log);
}

/* ---- shared steps ---------------------------------------------------------------------------- */

/* The suite's shared fixtures, the driver's own modules, and the check base rtloader ships
 * (python/: datadog_checks, last on the path as the runner puts it). */
static char dir_fixtures[4096], dir_base[4096], dir_tsan[4096];

static void make_handle(const char *home, const char *exe)
{
    char *err = NULL;
    rt = make3(home, exe, &err);
    if (rt == NULL) {
        fprintf(stderr, "tsan-driver: make3(%s, %s): %s\n", home, exe, err ? err : "?");
        exit(1);
    }
}

static void init_or_die(void)
{
    if (!init(rt)) {
        fprintf(stderr, "tsan-driver: init: %s\n", get_error(rt));
        exit(1);
    }
}

/* Runs a Python statement with the GIL; 1 on success. */
static int py(const char *code)
{
    rtloader_gilstate_t st = ensure_gil(rt);
    int ok = run_simple_string(rt, code);
    release_gil(rt, st);
    return ok;
}

/* get_error (consumes the error) equals want. Serialised by the caller (API.md section 2.2). */
static void expect_error(const char *what, const char *want)
{
    const char *got = get_error(rt);
    EXPECT(strcmp(got, want) == 0, "%s: error \"%s\", want \"%s\"", what, got, want);
}

/* rtloader's allocation counters balance since they were last reset; resets them. */
static void expect_counters_balanced(const char *what)
{
    struct memory_stats ms = get_and_reset_memory_stats();
    EXPECT(ms.allocations == ms.frees && ms.allocated_bytes == ms.freed_bytes && ms.inuse_bytes == 0,
           "%s: rtloader memory not balanced: %zu allocations (%zu bytes), %zu frees (%zu bytes)", what, ms.allocations,
           ms.allocated_bytes, ms.frees, ms.freed_bytes);
}

/* Drops the handle's stored error message: it is counted until the next error call (issue 11
 * item 12), so it would unbalance a count that starts or ends around it. */
static void drop_error(void)
{
    clear_error(rt);
    (void)get_error(rt);
}

/* Counting starts here: the handle's own blocks (home, paths...) stay allocated. */
static void start_counting(void)
{
    drop_error();
    (void)get_and_reset_memory_stats();
}

/* The counters balance on a live handle; every object must be released first. */
static void expect_memory_balanced(const char *what)
{
    drop_error();
    expect_counters_balanced(what);
}

/* New check instance of <module>.<class found by get_class> with this check_id. [GIL] */
static rtloader_pyobject_t *new_check(const char *module, const char *check_id)
{
    rtloader_pyobject_t *mod = NULL, *klass = NULL, *check = NULL;
    if (!get_class(rt, module, &mod, &klass)) {
        EXPECT(0, "get_class(%s): %s", module, get_error(rt));
        return NULL;
    }
    if (!get_check(rt, klass, "", "{}", check_id, module, "", &check)) {
        EXPECT(0, "get_check(%s, %s): %s", module, check_id, get_error(rt));
        check = NULL;
    }
    rtloader_decref(rt, klass);
    rtloader_decref(rt, mod);
    return check;
}

/* run_check must return ""; 1 if it did. [GIL] */
static int run_ok(rtloader_pyobject_t *check, const char *what)
{
    char *out = run_check(rt, check);
    int empty = out != NULL && out[0] == '\0';
    EXPECT(empty, "%s: run_check = %s", what, out ? out : get_error(rt));
    rtloader_free(rt, out);
    return empty;
}

/* ---- libpython's own thread list (to see states reclaimed) ----------------------------------- */

typedef void *(*tsan_ptr_fn)(void *);
static void *(*py_interp_head)(void);
static tsan_ptr_fn py_thread_head, py_thread_next;

static int find_libpython(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    if (info->dlpi_name != NULL && strstr(info->dlpi_name, "libpython3") != NULL) {
        *(const char **)data = info->dlpi_name;
        return 1;
    }
    return 0;
}

/* Live Python thread states of the main interpreter; -1 if libpython's symbols are not found. [GIL] */
static int count_thread_states(void)
{
    void *ts;
    int n = 0;
    if (py_interp_head == NULL) {
        const char *path = NULL;
        void *lib;
        dl_iterate_phdr(find_libpython, &path);
        lib = path ? dlopen(path, RTLD_NOW | RTLD_NOLOAD) : NULL;
        if (lib == NULL)
            return -1;
        /* Python's debugger-support API (Include/cpython/pystate.h), stable since 3.x. */
        *(void **)&py_interp_head = dlsym(lib, "PyInterpreterState_Head");
        *(void **)&py_thread_head = dlsym(lib, "PyInterpreterState_ThreadHead");
        *(void **)&py_thread_next = dlsym(lib, "PyThreadState_Next");
        if (py_interp_head == NULL || py_thread_head == NULL || py_thread_next == NULL) {
            py_interp_head = NULL;
            return -1;
        }
    }
    for (ts = py_thread_head(py_interp_head()); ts != NULL; ts = py_thread_next(ts))
        n++;
    return n;
}

static int thread_states(void)
{
    rtloader_gilstate_t st = ensure_gil(rt);
    int n = count_thread_states();
    release_gil(rt, st);
    return n;
}

/* ---- scenario gil ----------------------------------------------------------------------------- */

static long gil_taken;

static void *gil_take_once(void *arg)
{
    rtloader_gilstate_t st = ensure_gil(rt);
    (void)arg;
    __atomic_store_n(&gil_taken, 1, __ATOMIC_RELEASE);
    release_gil(rt, st);
    return NULL;
}

static long gil_bad;

/* One thread generation member: nested cycles with a statement, on a thread that then exits. */
static void *gil_cycles(void *arg)
{
    int i;
    (void)arg;
    for (i = 0; i < 250; i++) {
        rtloader_gilstate_t s1 = ensure_gil(rt), s2 = ensure_gil(rt);
        if (s1 != DATADOG_AGENT_RTLOADER_GIL_UNLOCKED || s2 != DATADOG_AGENT_RTLOADER_GIL_LOCKED)
            add(&gil_bad, 1);
        if (!run_simple_string(rt, "x = [i for i in range(10)]"))
            add(&gil_bad, 1);
        release_gil(rt, s2);
        release_gil(rt, s1);
    }
    return NULL;
}

/* Sets threading.local().v on this thread, waits for the others, reads it back; also the ident. */
static pthread_barrier_t gil_barrier;

static void *gil_locals(void *arg)
{
    int i = (int)(intptr_t)arg;
    char code[256];
    snprintf(code, sizeof(code),
             "import __main__, threading\n__main__.per_thread.v = %d\n__main__.idents[%d] = threading.get_ident()", i,
             i);
    EXPECT(py(code), "set the thread-local on thread %d", i);
    pthread_barrier_wait(&gil_barrier); /* every thread has set its value and is still alive */
    snprintf(code, sizeof(code),
             "import __main__, threading\nassert __main__.per_thread.v == %d, __main__.per_thread.v\n"
             "assert __main__.idents[%d] == threading.get_ident()",
             i, i);
    EXPECT(py(code), "thread %d lost its thread-local value or ident across cycles", i);
    pthread_barrier_wait(&gil_barrier); /* no thread exits before all have read (idents stay unique) */
    return NULL;
}

/* A detached thread that never synchronises with anyone: when it exits, glibc queues its stack in
 * its cache of stacks and trims the cache (40 MB) from this thread, freeing the dynamic TLS blocks
 * of the oldest cached stacks' dead threads, in an order set by a glibc-internal lock TSan cannot
 * see. rtloader's thread-local is in static TLS (gil.c), so none of those blocks is rtloader's:
 * with the default (global-dynamic) model, TSan reported every such free against rtloader's last
 * access. libpython 3.12+'s blocks are among them; tsan.supp explains that suppression. The flags
 * are relaxed atomics: for TSan they order nothing, as intended. */
static int gil_generations_done, gil_unsynchronised_done;

static void *gil_unsynchronised_exit(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&gil_generations_done, __ATOMIC_RELAXED))
        sleep_ms(5);
    __atomic_store_n(&gil_unsynchronised_done, 1, __ATOMIC_RELAXED);
    return NULL; /* the stack cache is trimmed on the way out */
}

static void scenario_gil(void)
{
    pthread_attr_t detached;
    rtloader_gilstate_t outer, inner;
    pthread_t th;
    int gen, before, after;
    char *s;

    phase("nested ensure_gil");
    outer = ensure_gil(rt);
    inner = ensure_gil(rt);
    EXPECT(outer == DATADOG_AGENT_RTLOADER_GIL_UNLOCKED, "outer ensure_gil = %d", outer);
    EXPECT(inner == DATADOG_AGENT_RTLOADER_GIL_LOCKED, "nested ensure_gil = %d", inner);
    release_gil(rt, inner); /* LOCKED: this thread keeps the GIL */
    pthread_create(&th, NULL, gil_take_once, NULL);
    sleep_ms(100);
    EXPECT(__atomic_load_n(&gil_taken, __ATOMIC_ACQUIRE) == 0, "another thread took the GIL after a nested release");
    EXPECT(run_simple_string(rt, "x = 1"), "Python does not run under the outer hold");
    release_gil(rt, outer);
    pthread_join(th, NULL);
    EXPECT(__atomic_load_n(&gil_taken, __ATOMIC_ACQUIRE) == 1, "the other thread never got the GIL");

    phase("threading.local and idents per thread");
    EXPECT(py("import __main__, threading\n__main__.per_thread = threading.local()\n__main__.idents = {}"),
           "set-up of threading.local");
    pthread_barrier_init(&gil_barrier, NULL, 4);
    run_threads(4, gil_locals);
    pthread_barrier_destroy(&gil_barrier);
    EXPECT(py("import __main__\nassert len(set(__main__.idents.values())) == 4, __main__.idents"),
           "four threads did not get four idents");

    phase("thread generations: cycles on threads that exit");
    before = thread_states();
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    pthread_create(&th, &detached, gil_unsynchronised_exit, NULL);
    pthread_attr_destroy(&detached);
    for (gen = 0; gen < 4; gen++)
        run_threads(TSAN_WORKERS, gil_cycles);
    __atomic_store_n(&gil_generations_done, 1, __ATOMIC_RELAXED);
    while (!__atomic_load_n(&gil_unsynchronised_done, __ATOMIC_RELAXED))
        sleep_ms(5);
    sleep_ms(50); /* let it exit */
    after = thread_states();
    EXPECT(load(&gil_bad) == 0, "%ld unexpected GIL states or failed statements", load(&gil_bad));
    EXPECT(before > 0 && after == before, "Python thread states: %d before, %d after 32 threads exited", before, after);

    phase("self-GIL functions with and without the GIL");
    s = get_integration_list(rt);
    /* the fixtures' datadog-* distributions (the .dist-info folders of test/testdata/python) */
    EXPECT(s != NULL && strcmp(s, "[\"bar\", \"baz\", \"foo\"]") == 0, "get_integration_list = %s", s ? s : "NULL");
    rtloader_free(rt, s);
    outer = ensure_gil(rt);
    s = get_interpreter_memory_usage(rt);
    EXPECT(s != NULL && s[0] == '{', "get_interpreter_memory_usage = %s", s ? s : get_error(rt));
    rtloader_free(rt, s);
    EXPECT(run_simple_string(rt, "z = 3"), "the GIL was lost after a nested self-GIL call");
    release_gil(rt, outer);
    expect_memory_balanced("gil");
}

/* ---- scenario concurrency --------------------------------------------------------------------- */

static rtloader_pyobject_t *workers[TSAN_WORKERS];
static long run_results[TSAN_WORKERS], run_cancelled[TSAN_WORKERS], cancels_sent[TSAN_WORKERS], stop_cancels;

static void *conc_worker(void *arg)
{
    int w = (int)(intptr_t)arg, i;
    for (i = 0; i < TSAN_RUNS_PER_WORKER; i++) {
        rtloader_gilstate_t st = ensure_gil(rt);
        char *out = run_check(rt, workers[w]);
        if (out != NULL) {
            add(&run_results[w], 1);
            if (out[0] != '\0')
                add(&run_cancelled[w], 1);
        }
        rtloader_free(rt, out);
        release_gil(rt, st);
    }
    return NULL;
}

static void *conc_canceller(void *arg)
{
    int n;
    (void)arg;
    for (n = 0; !__atomic_load_n(&stop_cancels, __ATOMIC_ACQUIRE); n++) {
        rtloader_gilstate_t st = ensure_gil(rt);
        cancel_check(rt, workers[n % TSAN_WORKERS]);
        release_gil(rt, st);
        add(&cancels_sent[n % TSAN_WORKERS], 1);
        sleep_ms(1);
    }
    return NULL;
}

/* Reads the worker check's "stats": "<runs> <cancels> <cancelled runs>". [GIL] */
static void check_stats(int w)
{
    char *s = NULL;
    int runs = -1, cancels = -1, cancelled = -1;
    EXPECT(get_attr_string(rt, workers[w], "stats", &s), "stats of worker %d: %s", w, get_error(rt));
    if (s != NULL)
        EXPECT(sscanf(s, "%d %d %d", &runs, &cancels, &cancelled) == 3, "bad stats %s", s);
    rtloader_free(rt, s);
    EXPECT(runs == TSAN_RUNS_PER_WORKER, "worker %d: the check counted %d runs", w, runs);
    EXPECT(cancels == load(&cancels_sent[w]), "worker %d: the check saw %d cancels, %ld were sent", w, cancels,
           load(&cancels_sent[w]));
    EXPECT(cancelled == load(&run_cancelled[w]), "worker %d: the check counted %d cancelled runs, the host %ld", w,
           cancelled, load(&run_cancelled[w]));
}

static rtloader_pyobject_t *blocked_check;
static long blocked_ok;

static void *conc_blocked_run(void *arg)
{
    rtloader_gilstate_t st = ensure_gil(rt);
    (void)arg;
    if (run_ok(blocked_check, "blocked run"))
        add(&blocked_ok, 1);
    release_gil(rt, st);
    return NULL;
}

/* get_check, run, warnings, diagnoses, incref/decref: the whole life of a check, on many threads. */
static void *conc_check_life(void *arg)
{
    int w = (int)(intptr_t)arg, i;
    char id[32];
    for (i = 0; i < 20; i++) {
        rtloader_gilstate_t st = ensure_gil(rt);
        rtloader_pyobject_t *c;
        char **warn, *diag;
        int n;
        snprintf(id, sizeof(id), "life%d", w);
        c = new_check("fake_check", id);
        if (c != NULL) {
            run_ok(c, "fake_check");
            warn = get_checks_warnings(rt, c);
            for (n = 0; warn != NULL && warn[n] != NULL; n++)
                rtloader_free(rt, warn[n]);
            EXPECT(n == 3, "fake_check: %d warnings, want 3", n);
            rtloader_free(rt, warn);
            diag = get_check_diagnoses(rt, c);
            EXPECT(diag != NULL && strcmp(diag, "[]") == 0, "get_check_diagnoses = %s", diag ? diag : "NULL");
            rtloader_free(rt, diag);
            rtloader_incref(rt, c);
            rtloader_decref(rt, c);
            rtloader_decref(rt, c);
        }
        release_gil(rt, st);
    }
    return NULL;
}

/* Errors set and read under the GIL on some threads, has_error without it on the others. */
static long errors_stop;

static void *conc_error_setter(void *arg)
{
    int i;
    rtloader_pyobject_t *mod = NULL, *klass = NULL;
    (void)arg;
    for (i = 0; i < 100; i++) {
        rtloader_gilstate_t st = ensure_gil(rt);
        const char *e;
        EXPECT(get_class(rt, "tsan_no_such_module", &mod, &klass) == 0, "get_class of a missing module succeeded");
        EXPECT(has_error(rt), "no error after a failed get_class");
        e = get_error(rt);
        EXPECT(strstr(e, "No module named 'tsan_no_such_module'") != NULL, "get_class error: %s", e);
        release_gil(rt, st);
    }
    return NULL;
}

static void *conc_error_tester(void *arg)
{
    long seen = 0;
    struct memory_stats ms;
    pymem_stats_t pst;
    (void)arg;
    while (!__atomic_load_n(&errors_stop, __ATOMIC_ACQUIRE)) {
        seen += has_error(rt);
        get_pymem_stats(rt, &pst); /* no GIL needed: read while Python allocates */
        ms = get_and_reset_memory_stats();
        (void)ms;
        sched_yield();
    }
    (void)seen; /* any value is right: only the absence of a race matters here */
    return NULL;
}

static void *conc_error_mixed(void *arg)
{
    return (int)(intptr_t)arg < 4 ? conc_error_setter(arg) : conc_error_tester(arg);
}

static void *conc_error_setters_then_stop(void *arg)
{
    pthread_t th[4];
    int i;
    (void)arg;
    for (i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, conc_error_setter, NULL);
    for (i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    __atomic_store_n(&errors_stop, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void scenario_concurrency(void)
{
    pthread_t canceller, th[4];
    rtloader_gilstate_t st;
    int w, round;
    long total_cancelled = 0, total_sent = 0;
    pymem_stats_t pst = {0, 0};

    phase("8 threads run checks while a ninth cancels them");
    st = ensure_gil(rt);
    for (w = 0; w < TSAN_WORKERS; w++) {
        char id[8];
        snprintf(id, sizeof(id), "w%d", w);
        workers[w] = new_check("hb_concurrency_check", id);
    }
    release_gil(rt, st);
    for (w = 0; w < TSAN_WORKERS; w++)
        if (workers[w] == NULL)
            return;
    expect_memory_balanced("before the runs"); /* resets the counters: only the runs count now */
    pthread_create(&canceller, NULL, conc_canceller, NULL);
    run_threads(TSAN_WORKERS, conc_worker);
    __atomic_store_n(&stop_cancels, 1, __ATOMIC_RELEASE);
    pthread_join(canceller, NULL);
    st = ensure_gil(rt);
    for (w = 0; w < TSAN_WORKERS; w++) {
        EXPECT(load(&run_results[w]) == TSAN_RUNS_PER_WORKER, "worker %d: %ld results, want %d", w,
               load(&run_results[w]), TSAN_RUNS_PER_WORKER);
        EXPECT(load(&n_metrics[w]) == TSAN_RUNS_PER_WORKER * TSAN_METRICS_PER_RUN,
               "worker %d: %ld metrics reached the host, want %d", w, load(&n_metrics[w]),
               TSAN_RUNS_PER_WORKER * TSAN_METRICS_PER_RUN);
        check_stats(w);
        total_cancelled += load(&run_cancelled[w]);
        total_sent += load(&cancels_sent[w]);
        rtloader_decref(rt, workers[w]);
    }
    release_gil(rt, st);
    EXPECT(load(&n_bad) == 0, "%ld metrics arrived with the wrong id, name, host or tags", load(&n_bad));
    EXPECT(!has_error(rt), "unexpected error: %s", get_error(rt));
    printf("tsan-driver: concurrency: %d runs, %ld cancels sent, %ld runs cancelled mid-run\n",
           TSAN_WORKERS * TSAN_RUNS_PER_WORKER, total_sent, total_cancelled);
    expect_memory_balanced("concurrent runs");

    phase("a cancel unblocks a run on another thread");
    st = ensure_gil(rt);
    blocked_check = new_check("hb_concurrency_check", "block");
    release_gil(rt, st);
    for (round = 0; blocked_check != NULL && round < 10; round++) {
        pthread_t runner;
        pthread_create(&runner, NULL, conc_blocked_run, NULL);
        sleep_ms(20);
        st = ensure_gil(rt);
        cancel_check(rt, blocked_check);
        release_gil(rt, st);
        pthread_join(runner, NULL);
    }
    EXPECT(load(&blocked_ok) == 10, "%ld of 10 blocked runs returned \"\"", load(&blocked_ok));
    st = ensure_gil(rt);
    rtloader_decref(rt, blocked_check);
    release_gil(rt, st);

    phase("the life of a check on many threads at once");
    run_threads(TSAN_WORKERS, conc_check_life);
    expect_memory_balanced("check lives");

    phase("errors under the GIL, has_error and the counters without it");
    pthread_create(&th[0], NULL, conc_error_setters_then_stop, NULL);
    for (w = 1; w < 4; w++)
        pthread_create(&th[w], NULL, conc_error_mixed, (void *)(intptr_t)(4 + w));
    for (w = 0; w < 4; w++)
        pthread_join(th[w], NULL);
    get_pymem_stats(rt, &pst);
    EXPECT(pst.alloc > 0, "get_pymem_stats: alloc %zu (init_pymem_stats was called)", pst.alloc);
    clear_error(rt);
    (void)get_and_reset_memory_stats(); /* the testers reset the counters concurrently: start over */
}

/* ---- scenario callbacks ------------------------------------------------------------------------ */

static void *cb_check_runner(void *arg)
{
    int c = (int)(intptr_t)arg, i;
    char id[16];
    rtloader_gilstate_t st = ensure_gil(rt);
    rtloader_pyobject_t *check;
    snprintf(id, sizeof(id), "cb%d", c);
    check = new_check("tsan_threads_check", id);
    release_gil(rt, st);
    for (i = 0; check != NULL && i < TSAN_CB_RUNS; i++) {
        st = ensure_gil(rt);
        run_ok(check, "tsan_threads_check");
        release_gil(rt, st);
    }
    st = ensure_gil(rt);
    rtloader_decref(rt, check);
    release_gil(rt, st);
    return NULL;
}

static void scenario_callbacks(void)
{
    const long calls = (long)TSAN_CB_CHECKS * TSAN_CB_RUNS * TSAN_PY_THREADS * TSAN_PY_CALLS;
    phase("Python threads of several checks call built-ins at once");
    run_threads(TSAN_CB_CHECKS, cb_check_runner);
    EXPECT(load(&n_thread_metrics) == calls, "%ld metrics, want %ld", load(&n_thread_metrics), calls);
    /* and one more per check: the base class's constructor asks for the hostname */
    EXPECT(load(&n_hostnames) == calls + TSAN_CB_CHECKS, "%ld get_hostname callbacks, want %ld", load(&n_hostnames),
           calls + TSAN_CB_CHECKS);
    EXPECT(load(&n_tags) == calls, "%ld tags callbacks, want %ld", load(&n_tags), calls);
    EXPECT(load(&n_cache_writes) == calls, "%ld cache writes, want %ld", load(&n_cache_writes), calls);
    EXPECT(load(&n_cache_reads) == calls, "%ld cache reads, want %ld", load(&n_cache_reads), calls);
    EXPECT(load(&n_subprocesses) == calls, "%ld subprocess callbacks, want %ld", load(&n_subprocesses), calls);
    EXPECT(load(&n_bad) == 0, "%ld callbacks got wrong arguments", load(&n_bad));
    printf("tsan-driver: callbacks: %ld calls of each of 6 callbacks from %d Python threads\n", calls,
           TSAN_CB_CHECKS * TSAN_PY_THREADS);
    expect_memory_balanced("callbacks");
}

/* ---- scenario errors --------------------------------------------------------------------------- */

static void *err_race(void *arg)
{
    int i;
    (void)arg;
    for (i = 0; i < 2000; i++) {
        rtloader_pyobject_t *mod = NULL, *klass = NULL;
        if (run_simple_string(rt, "x") || get_class(rt, "fake_check", &mod, &klass))
            add(&n_bad, 1);
        if (ensure_gil(rt) != DATADOG_AGENT_RTLOADER_GIL_UNLOCKED)
            add(&n_bad, 1);
        release_gil(rt, DATADOG_AGENT_RTLOADER_GIL_UNLOCKED);
        (void)has_error(rt);
        if (i % 7 == 0)
            clear_error(rt);
    }
    return NULL;
}

static void scenario_errors(void)
{
    const char *e;
    phase("failures from 8 threads before init");
    run_threads(TSAN_WORKERS, err_race);
    EXPECT(load(&n_bad) == 0, "%ld calls succeeded or locked the GIL before init", load(&n_bad));
    run_simple_string(rt, "x");
    expect_error("after the race", "rtloader is not initialized");
    expect_error("second get_error", "");

    phase("failures from 8 threads after a failed init");
    EXPECT(!init(rt), "init succeeded without the check base (no datadog_checks)");
    e = get_error(rt);
    EXPECT(strncmp(e, "could not import base class: ", 29) == 0 && strstr(e, "datadog_checks") != NULL,
           "init error: %s", e);
    run_threads(TSAN_WORKERS, err_race);
    EXPECT(load(&n_bad) == 0, "%ld calls succeeded or locked the GIL after a failed init", load(&n_bad));
    EXPECT(!init(rt), "second init succeeded");
    expect_error("second init", "rtloader is already initialized");
    destroy(rt); /* everything since make3 is freed now */
    expect_counters_balanced("make3, failed init, destroy");
}

/* ---- scenario lifecycle ------------------------------------------------------------------------ */

/* Every interpreter-needing call fails at once with "rtloader is not initialized"; one thread. */
static void *lc_not_initialized(void *arg)
{
    const char *want = "rtloader is not initialized";
    rtloader_pyobject_t *mod = NULL, *klass = NULL, *check = NULL;
    char *s = NULL;
    bool b;
    (void)arg;
    clear_error(rt);
    EXPECT(ensure_gil(rt) == DATADOG_AGENT_RTLOADER_GIL_UNLOCKED, "ensure_gil before init");
    expect_error("ensure_gil", want);
    release_gil(rt, DATADOG_AGENT_RTLOADER_GIL_UNLOCKED);
    EXPECT(!get_class(rt, "fake_check", &mod, &klass), "get_class succeeded");
    expect_error("get_class", want);
    EXPECT(!get_attr_string(rt, get_none(rt), "x", &s), "get_attr_string succeeded");
    expect_error("get_attr_string", want);
    EXPECT(!get_attr_bool(rt, get_none(rt), "x", &b), "get_attr_bool succeeded");
    expect_error("get_attr_bool", want);
    EXPECT(!get_check(rt, get_none(rt), "", "{}", "", "n", "", &check), "get_check succeeded");
    expect_error("get_check", want);
    EXPECT(run_check(rt, get_none(rt)) == NULL, "run_check succeeded");
    expect_error("run_check", want);
    cancel_check(rt, get_none(rt));
    expect_error("cancel_check", want);
    EXPECT(get_checks_warnings(rt, get_none(rt)) == NULL, "get_checks_warnings succeeded");
    expect_error("get_checks_warnings", want);
    EXPECT(get_check_diagnoses(rt, get_none(rt)) == NULL, "get_check_diagnoses succeeded");
    expect_error("get_check_diagnoses", want);
    EXPECT(get_py_info(rt) == NULL, "get_py_info succeeded");
    expect_error("get_py_info", want);
    EXPECT(get_integration_list(rt) == NULL, "get_integration_list succeeded");
    expect_error("get_integration_list", want);
    EXPECT(get_interpreter_memory_usage(rt) == NULL, "get_interpreter_memory_usage succeeded");
    expect_error("get_interpreter_memory_usage", want);
    EXPECT(!run_simple_string(rt, "x = 1"), "run_simple_string succeeded");
    expect_error("run_simple_string", want);
    set_module_attr_string(rt, "sys", "x", "1");
    expect_error("set_module_attr_string", want);
    rtloader_incref(rt, get_none(rt));
    rtloader_decref(rt, get_none(rt));
    EXPECT(has_subinterpreter_support(rt) == 0, "has_subinterpreter_support");
    return NULL;
}

/* Sequential threads (the checks read the error channel, which hosts serialise). */
static void lc_not_initialized_on_threads(void)
{
    int i;
    for (i = 0; i < 3; i++)
        run_threads(1, lc_not_initialized);
}

static pthread_mutex_t lc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lc_cond = PTHREAD_COND_INITIALIZER;
static int lc_stage; /* 1: the parked thread has its state; 2: destroy done, it may exit */

/* Gets a thread state, parks (GIL released) across destroy, then exits: reclaim must not block. */
static void *lc_parked(void *arg)
{
    (void)arg;
    EXPECT(py("import threading; assert threading.get_ident() > 0"), "Python on the parked thread");
    pthread_mutex_lock(&lc_lock);
    lc_stage = 1;
    pthread_cond_broadcast(&lc_cond);
    while (lc_stage != 2)
        pthread_cond_wait(&lc_cond, &lc_lock);
    pthread_mutex_unlock(&lc_lock);
    return NULL;
}

static void *lc_work(void *arg)
{
    rtloader_gilstate_t st = ensure_gil(rt);
    rtloader_pyobject_t *c = new_check("fake_check", "lc");
    (void)arg;
    if (c != NULL)
        run_ok(c, "fake_check after init");
    rtloader_decref(rt, c);
    release_gil(rt, st);
    return NULL;
}

static void scenario_lifecycle(const char *home, const char *exe)
{
    char *err = NULL;
    pthread_t parked;

    phase("a second make3 without destroy fails");
    EXPECT(make3(home, exe, &err) == NULL && err != NULL && strcmp(err, "RtLoader already initialized!") == 0,
           "second make3: %s", err ? err : "(no error)");
    _free(err);

    phase("calls before init fail fast on every thread");
    lc_not_initialized_on_threads();
    EXPECT(add_python_path(rt, dir_fixtures) == 1, "add_python_path after the failures");
    EXPECT(add_python_path(rt, dir_base) == 1, "add_python_path of the check base");

    phase("init, second init, the GIL free for other threads");
    init_or_die();
    EXPECT(!init(rt), "second init succeeded");
    expect_error("second init", "rtloader is already initialized");
    start_counting();
    run_threads(4, lc_work);
    expect_memory_balanced("checks after init");

    phase("destroy while a thread with a parked state waits; it exits after");
    pthread_create(&parked, NULL, lc_parked, NULL);
    pthread_mutex_lock(&lc_lock);
    while (lc_stage != 1)
        pthread_cond_wait(&lc_cond, &lc_lock);
    pthread_mutex_unlock(&lc_lock);
    destroy(rt); /* keeps the GIL on this thread for good */
    pthread_mutex_lock(&lc_lock);
    lc_stage = 2;
    pthread_cond_broadcast(&lc_cond);
    pthread_mutex_unlock(&lc_lock);
    pthread_join(parked, NULL);

    phase("make3 again after destroy: init refused, calls fail fast, memory balanced");
    (void)get_and_reset_memory_stats();
    make_handle(home, exe);
    set_callbacks();
    add_python_path(rt, dir_fixtures);
    add_python_path(rt, dir_base);
    EXPECT(!init(rt), "init after destroy succeeded");
    expect_error("init after destroy", "rtloader is already initialized");
    lc_not_initialized_on_threads();
    destroy(rt);
    destroy(NULL);
    expect_counters_balanced("make3 again, refused init, destroy");
}

/* ---- main --------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    const char *home, *exe;

    if (argc != 5) {
        fprintf(stderr, "usage: %s gil|concurrency|callbacks|errors|lifecycle <test dir> <python_home> <python_exe>\n",
                argv[0]);
        return 2;
    }
    scenario = argv[1];
    home = argv[3];
    exe = argv[4];
    snprintf(dir_fixtures, sizeof(dir_fixtures), "%s/testdata/python", argv[2]);
    snprintf(dir_base, sizeof(dir_base), "%s/../python", argv[2]);
    snprintf(dir_tsan, sizeof(dir_tsan), "%s/tsan/testdata/python", argv[2]);
    signal(SIGALRM, on_alarm);
    alarm(TSAN_WATCHDOG_SECONDS);

    enable_memory_tracker();
    make_handle(home, exe);
    set_callbacks();
    if (strcmp(scenario, "errors") == 0) {
        scenario_errors();
    } else if (strcmp(scenario, "lifecycle") == 0) {
        scenario_lifecycle(home, exe);
    } else {
        init_pymem_stats(rt);
        add_python_path(rt, dir_fixtures);
        add_python_path(rt, dir_tsan);
        add_python_path(rt, dir_base);
        init_or_die();
        start_counting();
        if (strcmp(scenario, "gil") == 0)
            scenario_gil();
        else if (strcmp(scenario, "concurrency") == 0)
            scenario_concurrency();
        else if (strcmp(scenario, "callbacks") == 0)
            scenario_callbacks();
        else {
            fprintf(stderr, "tsan-driver: unknown scenario %s\n", scenario);
            return 2;
        }
    }
    printf("tsan-driver: %s: done, %d failures\n", scenario, __atomic_load_n(&failures, __ATOMIC_RELAXED));
    return __atomic_load_n(&failures, __ATOMIC_RELAXED) ? 1 : 0;
}
