/*
 * rtl_bench.c: the benchmark driver of rtloader (bench/README.md explains every figure).
 *
 * It uses only the public API (datadog_agent_rtloader.h, rtloader_mem.h), so it builds and runs
 * against any compatible library given its include and library folders:
 *
 *   cc -O2 -Wall -Wextra -Werror -I<inc> bench/rtl_bench.c -L<lib> -Wl,-rpath,<lib> \
 *      -ldatadog-agent-rtloader -lpthread -o rtl_bench
 *   ./rtl_bench --python-path bench/python [--home DIR --exe PATH] [--reps N] [--min-rep-ms MS]
 *
 * Method. Every timed figure is the median of --reps (default 5) repetitions; in a repetition the
 * figure runs chunks of its operation (calibrated to ~20 ms each, after one warm-up call) until
 * at least --min-rep-ms (default 300 ms) of its own operation time have accumulated; its
 * per-operation time is that time / operations. Figures that are compared (submit_metric and its
 * floor; a new thread and a bare create/join) are measured as one group: their chunks take
 * turns within each repetition, so a noisy phase of a shared machine hits them alike, and their
 * ratio is taken per repetition. The spread is (max - min) / median over the repetitions.
 * Python-side loops run inside one run_simple_string per chunk; compiling that one-line snippet
 * costs a few microseconds per chunk (< 0.1 %).
 *
 * The memory tracker is enabled before make3, so every figure also reports rtloader's own C
 * allocations per operation (get_and_reset_memory_stats around the repetitions).
 *
 * Output: one table, then one "METRIC <name> <value>" line per figure. The value is ns per
 * operation unless the name ends in _ratio, _kb, _allocs_per_op or _count.
 *
 * A child mode (--child-init, spawned by the driver itself through /proc/self/exe) measures
 * make3 + init in a fresh process and the RSS after it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "datadog_agent_rtloader.h"
#include "rtloader_mem.h"

#ifndef RTL_BENCH_PYDIR
#    define RTL_BENCH_PYDIR "bench/python"
#endif

#define MAX_REPS 51
#define CHUNK_NS 20000000LL /* calibrated chunk length */

extern char **environ;

/* ---- options and global state ---------------------------------------------------------------- */

static const char *opt_home = "";
static const char *opt_exe = NULL;
static const char *opt_pypath = RTL_BENCH_PYDIR;
static int opt_reps = 5;
static long long opt_min_rep_ns = 300000000LL;
static const char *opt_only = "1234567"; /* figures to run */
static int opt_subinterp;                /* --subinterpreters: enable them before init (figure 9) */

static int want(char fig)
{
    return strchr(opt_only, fig) != NULL;
}

static rtloader_t *rt;
static rtloader_pyobject_t *py_module, *py_class, *noop_check;
static unsigned long cb_calls; /* bumped by the no-op callbacks (GIL held) */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("rtl_bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (rt != NULL && has_error(rt))
        fprintf(stderr, " (rtloader error: %s)", get_error(rt));
    fputc('\n', stderr);
    exit(1);
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* VmRSS of this process in kB (0 if unreadable). */
static long rss_kb(void)
{
    char line[256];
    long kb = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* ---- no-op callbacks ------------------------------------------------------------------------- */

static void cb_metric(char *id, metric_type_t t, char *name, double v, char **tags, char *host, bool flush)
{
    (void)id, (void)t, (void)name, (void)v, (void)tags, (void)host, (void)flush;
    cb_calls++;
}

static void cb_service_check(char *id, char *name, int status, char **tags, char *host, char *msg)
{
    (void)id, (void)name, (void)status, (void)tags, (void)host, (void)msg;
    cb_calls++;
}

static void cb_event(char *id, event_t *ev)
{
    (void)id, (void)ev;
    cb_calls++;
}

static void cb_histogram_bucket(char *id, char *name, long long v, float lo, float hi, int mono, char *host,
                                char **tags, bool flush)
{
    (void)id, (void)name, (void)v, (void)lo, (void)hi, (void)mono, (void)host, (void)tags, (void)flush;
    cb_calls++;
}

/* ---- the rtloader instance ------------------------------------------------------------------- */

static void make_and_init(void)
{
    char *err = NULL;
    rt = make3(opt_home, opt_exe, &err);
    if (rt == NULL) {
        fprintf(stderr, "rtl_bench: make3: %s\n", err ? err : "(no error text)");
        exit(1);
    }
    add_python_path(rt, opt_pypath);
    set_submit_metric_cb(rt, cb_metric);
    set_submit_service_check_cb(rt, cb_service_check);
    set_submit_event_cb(rt, cb_event);
    set_submit_histogram_bucket_cb(rt, cb_histogram_bucket);
    if (opt_subinterp && !enable_subinterpreters(rt, 1))
        die("enable_subinterpreters failed");
    if (!init(rt))
        die("init failed");
}

static void py(const char *code)
{
    if (!run_simple_string(rt, code))
        die("python snippet failed (traceback above): %s", code);
}

/* rtl_bench.<probe>() then rtl_bench.result as a long. [GIL] */
static long probe_long(const char *probe)
{
    char code[128], *s = NULL;
    long v;
    snprintf(code, sizeof(code), "import rtl_bench\nrtl_bench.%s()\n", probe);
    py(code);
    if (!get_attr_string(rt, py_module, "result", &s))
        die("cannot read rtl_bench.result");
    v = strcmp(s, "yes") == 0 ? 1 : strcmp(s, "no") == 0 ? 0 : strtol(s, NULL, 10);
    rtloader_free(rt, s);
    return v;
}

/* Thread states in the interpreter, taken on the calling thread (which must not hold the GIL). */
static long count_tstates(void)
{
    rtloader_gilstate_t g = ensure_gil(rt);
    long n = probe_long("count_tstates");
    release_gil(rt, g);
    return n;
}

/* ---- results --------------------------------------------------------------------------------- */

typedef struct {
    const char *id, *metric, *label;
    double ns[MAX_REPS];
    int nrep;
    double median, min, max, spread;
    double allocs_per_op; /* < 0: not measured */
    int kb;               /* the value is kB, not ns per operation */
    char note[160];
} result_t;

#define MAX_RESULTS 40
static result_t results[MAX_RESULTS];
static int nresults;

typedef struct {
    const char *metric;
    double value;
} extra_t;
static extra_t extras[MAX_RESULTS];
static int nextras;

static result_t *new_result(const char *id, const char *metric, const char *label)
{
    result_t *r;
    if (nresults == MAX_RESULTS)
        die("too many results");
    r = &results[nresults++];
    memset(r, 0, sizeof(*r));
    r->id = id, r->metric = metric, r->label = label;
    return r;
}

static void add_extra(const char *metric, double value)
{
    if (nextras == MAX_RESULTS)
        die("too many extra metrics");
    extras[nextras].metric = metric;
    extras[nextras++].value = value;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void summarise(result_t *r)
{
    double s[MAX_REPS];
    memcpy(s, r->ns, sizeof(double) * (size_t)r->nrep);
    qsort(s, (size_t)r->nrep, sizeof(double), cmp_double);
    r->min = s[0], r->max = s[r->nrep - 1];
    r->median = r->nrep % 2 ? s[r->nrep / 2] : (s[r->nrep / 2 - 1] + s[r->nrep / 2]) / 2;
    r->spread = r->median > 0 ? (r->max - r->min) / r->median : 0;
}

/* ---- the harness ----------------------------------------------------------------------------- */

typedef void (*op_fn)(void *ctx, long n); /* performs n operations */

/* One chunk size per figure: after one warm-up call (first-call costs such as imports or a
 * thread's state creation stay out), grow n until a chunk lasts CHUNK_NS. */
static long calibrate(op_fn fn, void *ctx)
{
    long n = 1;
    fn(ctx, n);
    for (;;) {
        long long t0 = now_ns(), t;
        fn(ctx, n);
        t = now_ns() - t0;
        if (t >= CHUNK_NS)
            return n;
        n = t < CHUNK_NS / 64 ? n * 16 : (long)((double)n * 1.1 * (double)CHUNK_NS / (double)(t > 0 ? t : 1)) + 1;
    }
}

/*
 * Measures k figures together. In each repetition the figures take turns chunk by chunk until
 * every one has run for at least opt_min_rep_ns, so a slow phase of a shared, noisy machine hits
 * all of them alike, and the ratio of two figures (taken per repetition, see median_ratio) is
 * much steadier than either figure alone.
 */
static void measure_group(result_t **rs, op_fn *fns, void **ctxs, int k)
{
    long n[8];
    long long t[8], ops[8], total_ops[8];
    size_t allocs[8];
    int i, rep;

    if (k > 8)
        die("measure_group: too many figures");
    for (i = 0; i < k; i++) {
        n[i] = calibrate(fns[i], ctxs[i]);
        total_ops[i] = 0, allocs[i] = 0;
    }
    for (rep = 0; rep < opt_reps; rep++) {
        int busy = 1;
        for (i = 0; i < k; i++)
            t[i] = ops[i] = 0;
        while (busy) {
            busy = 0;
            for (i = 0; i < k; i++) {
                long long t0;
                struct memory_stats ms;
                if (t[i] >= opt_min_rep_ns)
                    continue;
                get_and_reset_memory_stats();
                t0 = now_ns();
                fns[i](ctxs[i], n[i]);
                t[i] += now_ns() - t0;
                ms = get_and_reset_memory_stats();
                ops[i] += n[i];
                allocs[i] += ms.allocations;
                busy |= t[i] < opt_min_rep_ns;
            }
        }
        for (i = 0; i < k; i++) {
            rs[i]->ns[rep] = (double)t[i] / (double)ops[i];
            total_ops[i] += ops[i];
        }
    }
    for (i = 0; i < k; i++) {
        rs[i]->nrep = opt_reps;
        rs[i]->allocs_per_op = (double)allocs[i] / (double)total_ops[i];
        summarise(rs[i]);
    }
}

static void measure(result_t *r, op_fn fn, void *ctx)
{
    measure_group(&r, &fn, &ctx, 1);
}

/* Median over the repetitions of a->ns[i] / b->ns[i] (figures measured in one group). */
static double median_ratio(const result_t *a, const result_t *b)
{
    double q[MAX_REPS];
    int i, m = a->nrep < b->nrep ? a->nrep : b->nrep;
    for (i = 0; i < m; i++)
        q[i] = a->ns[i] / b->ns[i];
    qsort(q, (size_t)m, sizeof(double), cmp_double);
    return m % 2 ? q[m / 2] : (q[m / 2 - 1] + q[m / 2]) / 2;
}

/* A figure that is a's time minus b's, per repetition (a and b were measured as one group, so
 * each repetition's pair ran interleaved). */
static result_t *difference(const char *id, const char *metric, const char *label, const result_t *a, const result_t *b)
{
    int i;
    result_t *r = new_result(id, metric, label);
    r->nrep = a->nrep < b->nrep ? a->nrep : b->nrep;
    for (i = 0; i < r->nrep; i++)
        r->ns[i] = a->ns[i] - b->ns[i];
    summarise(r);
    r->allocs_per_op = a->allocs_per_op;
    return r;
}

/* ---- operations ------------------------------------------------------------------------------ */

/* ctx: a snippet with one %ld for n, run in __main__. [GIL] */
static void op_py(void *ctx, long n)
{
    char code[256];
    snprintf(code, sizeof(code), (const char *)ctx, n);
    py(code);
}

static void op_run_check_held(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++) {
        char *s = run_check(rt, noop_check);
        if (s == NULL)
            die("run_check failed");
        rtloader_free(rt, s);
    }
}

/* ctx: the check to run (NULL: the no-op check). */
static void op_run_check_gil(void *ctx, long n)
{
    rtloader_pyobject_t *check = ctx != NULL ? ctx : noop_check;
    for (long i = 0; i < n; i++) {
        rtloader_gilstate_t g = ensure_gil(rt);
        char *s = run_check(rt, check);
        if (s == NULL)
            die("run_check failed");
        rtloader_free(rt, s);
        release_gil(rt, g);
    }
}

static void op_gil_cycle(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++) {
        rtloader_gilstate_t g = ensure_gil(rt);
        release_gil(rt, g);
    }
}

static const char *bench_instance = "{\"host\": \"db.example.com\", \"port\": 5432, "
                                    "\"tags\": [\"env:bench\", \"role:database\", \"team:agent\"]}";

static void op_get_check(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++) {
        rtloader_pyobject_t *c = NULL;
        if (!get_check(rt, py_class, "{}", bench_instance, "noop:bench:0123456789abcdef", "noop", "file", &c))
            die("get_check failed");
        rtloader_decref(rt, c);
    }
}

static void *thread_gil_once(void *arg)
{
    rtloader_gilstate_t g = ensure_gil(rt);
    (void)arg;
    release_gil(rt, g);
    return NULL;
}

static void *thread_empty(void *arg)
{
    return arg;
}

static void op_thread(void *ctx, long n)
{
    void *(*body)(void *) = *(void *(**)(void *))ctx;
    for (long i = 0; i < n; i++) {
        pthread_t th;
        if (pthread_create(&th, NULL, body, NULL) != 0)
            die("pthread_create failed");
        pthread_join(th, NULL);
    }
}

/* ---- figures run on one long-lived non-init thread -------------------------------------------- */

typedef struct {
    result_t *r;
    op_fn fn;
    long tstates_during; /* states counted from this thread after its measurement */
    long tl_persists;
} thread_job_t;

static void *thread_measure(void *arg)
{
    thread_job_t *job = arg;
    rtloader_gilstate_t g = ensure_gil(rt); /* this thread's first cycle: creates its state */
    py("import rtl_bench\nrtl_bench.tl_set()\n");
    release_gil(rt, g);
    measure(job->r, job->fn, NULL);
    g = ensure_gil(rt);
    job->tstates_during = probe_long("count_tstates");
    job->tl_persists = probe_long("tl_check");
    release_gil(rt, g);
    return NULL;
}

static void run_on_thread(thread_job_t *job)
{
    pthread_t th;
    if (pthread_create(&th, NULL, thread_measure, job) != 0)
        die("pthread_create failed");
    pthread_join(th, NULL);
}

/* ---- 4 contending threads --------------------------------------------------------------------- */

#define NCONTEND 4

static struct {
    pthread_barrier_t start, done;
    int stop, quit;
    long long ops[NCONTEND];
} contend;

static void *thread_contend(void *arg)
{
    long idx = (long)(intptr_t)arg;
    rtloader_gilstate_t g = ensure_gil(rt); /* warm-up: the state is created here */
    release_gil(rt, g);
    for (;;) {
        long long ops = 0;
        pthread_barrier_wait(&contend.start);
        if (__atomic_load_n(&contend.quit, __ATOMIC_ACQUIRE))
            break;
        while (!__atomic_load_n(&contend.stop, __ATOMIC_RELAXED)) {
            g = ensure_gil(rt);
            release_gil(rt, g);
            ops++;
        }
        contend.ops[idx] = ops;
        pthread_barrier_wait(&contend.done);
    }
    return NULL;
}

static void measure_contended(result_t *r, long *tstates_during, long *allocs)
{
    pthread_t th[NCONTEND];
    struct timespec d;
    size_t a = 0;
    long long total = 0;
    int i, rep;

    pthread_barrier_init(&contend.start, NULL, NCONTEND + 1);
    pthread_barrier_init(&contend.done, NULL, NCONTEND + 1);
    contend.stop = contend.quit = 0;
    for (i = 0; i < NCONTEND; i++)
        if (pthread_create(&th[i], NULL, thread_contend, (void *)(intptr_t)i) != 0)
            die("pthread_create failed");
    d.tv_sec = opt_min_rep_ns / 1000000000LL;
    d.tv_nsec = opt_min_rep_ns % 1000000000LL;
    for (rep = -1; rep < opt_reps; rep++) { /* rep -1: warm-up */
        long long t0, t, ops = 0;
        struct memory_stats ms;
        __atomic_store_n(&contend.stop, 0, __ATOMIC_RELAXED);
        get_and_reset_memory_stats();
        pthread_barrier_wait(&contend.start);
        t0 = now_ns();
        nanosleep(&d, NULL);
        __atomic_store_n(&contend.stop, 1, __ATOMIC_RELAXED);
        pthread_barrier_wait(&contend.done);
        t = now_ns() - t0;
        ms = get_and_reset_memory_stats();
        for (i = 0; i < NCONTEND; i++)
            ops += contend.ops[i];
        if (rep < 0)
            continue;
        a += ms.allocations;
        total += ops;
        r->ns[rep] = (double)t / (double)ops;
    }
    /* the workers are parked at the start barrier: nobody creates or deletes a state now */
    *tstates_during = count_tstates();
    __atomic_store_n(&contend.quit, 1, __ATOMIC_RELEASE);
    pthread_barrier_wait(&contend.start);
    for (i = 0; i < NCONTEND; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&contend.start);
    pthread_barrier_destroy(&contend.done);
    r->nrep = opt_reps;
    r->allocs_per_op = (double)a / (double)total;
    *allocs = (long)a;
    summarise(r);
}

/* ---- sub-interpreters (figure 9: --subinterpreters, Python 3.12+) ------------------------------ */

static rtloader_pyobject_t *cpu_class;

/* A check of rtl_bench_cpu with this instance, isolated (its own interpreter) or in the main
 * interpreter (the blocklist keeps it there). [GIL] */
static rtloader_pyobject_t *cpu_check(int isolated, const char *instance)
{
    rtloader_pyobject_t *c = NULL;
    set_subinterpreter_blocklist(rt, isolated ? NULL : "rtl_bench_cpu");
    if (!get_check(rt, cpu_class, "{}", instance, "cpu:bench", "cpu", "file", &c))
        die("get_check(rtl_bench_cpu) failed");
    if (check_is_isolated(rt, c) != isolated)
        die("check_is_isolated is %d, wanted %d (see the log of the fallback reason)", check_is_isolated(rt, c),
            isolated);
    set_subinterpreter_blocklist(rt, NULL);
    return c;
}

#define NCPU_THREADS 2

typedef struct {
    rtloader_pyobject_t *check;
    long runs;
    pthread_barrier_t *start;
} cpu_job_t;

/* ensure_gil + run_check + free + release_gil, runs times, after one warm-up run (this thread's
 * states are created then) and the start barrier. */
static void *cpu_worker(void *arg)
{
    cpu_job_t *job = arg;
    op_run_check_gil(job->check, 1);
    pthread_barrier_wait(job->start);
    op_run_check_gil(job->check, job->runs);
    return NULL;
}

/* This process's CPU time (user + system), in ns. */
static long long cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL
           + ((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

/* Wall time per run of NCPU_THREADS host threads each running its own check `runs` times; *busy
 * gets the CPU time over the wall time (2.0: both threads ran all along). */
static double cpu_round(rtloader_pyobject_t **checks, long runs, double *busy)
{
    pthread_t th[NCPU_THREADS];
    cpu_job_t jobs[NCPU_THREADS];
    pthread_barrier_t start;
    long long t0, c0;
    int i;
    pthread_barrier_init(&start, NULL, NCPU_THREADS + 1);
    for (i = 0; i < NCPU_THREADS; i++) {
        jobs[i].check = checks[i], jobs[i].runs = runs, jobs[i].start = &start;
        if (pthread_create(&th[i], NULL, cpu_worker, &jobs[i]) != 0)
            die("pthread_create failed");
    }
    pthread_barrier_wait(&start);
    t0 = now_ns();
    c0 = cpu_ns();
    for (i = 0; i < NCPU_THREADS; i++)
        pthread_join(th[i], NULL);
    t0 = now_ns() - t0;
    *busy = (double)(cpu_ns() - c0) / (double)t0;
    pthread_barrier_destroy(&start);
    return (double)t0 / (double)(NCPU_THREADS * runs);
}

/* 9a/9b: CPU-bound checks from 2 host threads, shared GIL against one GIL per check; rounds
 * alternate within each repetition and the ratio is taken per repetition. */
static void measure_cpu_throughput(double *ratio)
{
    rtloader_pyobject_t *shared[NCPU_THREADS], *own[NCPU_THREADS];
    result_t *a = new_result("9a", "subinterp_cpu_shared_gil", "CPU-bound checks, 2 threads, shared GIL");
    result_t *b = new_result("9b", "subinterp_cpu_own_gil", "CPU-bound checks, 2 threads, own GILs");
    char instance[64];
    long n = 100000, runs;
    double one, q[MAX_REPS], busy_a[MAX_REPS], busy_b[MAX_REPS];
    rtloader_gilstate_t g = ensure_gil(rt);
    int i, rep;

    /* size the loop to ~20 ms in the main interpreter (the fastest of 3 runs: on a shared
     * machine a slow run only means the thread was not scheduled) */
    for (;;) {
        rtloader_pyobject_t *c;
        int k;
        snprintf(instance, sizeof(instance), "{\"n\": %ld}", n);
        c = cpu_check(0, instance);
        for (k = 0, one = 1e18; k < 3; k++) {
            long long t0 = now_ns();
            double d;
            rtloader_free(rt, run_check(rt, c));
            d = (double)(now_ns() - t0);
            one = d < one ? d : one;
        }
        rtloader_decref(rt, c);
        if (one >= 15e6 && one <= 30e6)
            break;
        n = (long)((double)n * 20e6 / (one > 1e5 ? one : 1e5));
    }
    for (i = 0; i < NCPU_THREADS; i++) {
        shared[i] = cpu_check(0, instance);
        own[i] = cpu_check(1, instance);
    }
    release_gil(rt, g);
    runs = (long)((double)opt_min_rep_ns / one) + 1;
    if (runs < 3)
        runs = 3;
    for (rep = 0; rep < opt_reps; rep++) {
        a->ns[rep] = cpu_round(shared, runs, &busy_a[rep]);
        b->ns[rep] = cpu_round(own, runs, &busy_b[rep]);
        q[rep] = a->ns[rep] / b->ns[rep];
    }
    a->nrep = b->nrep = opt_reps;
    a->allocs_per_op = b->allocs_per_op = -1;
    summarise(a);
    summarise(b);
    qsort(q, (size_t)opt_reps, sizeof(double), cmp_double);
    *ratio = opt_reps % 2 ? q[opt_reps / 2] : (q[opt_reps / 2 - 1] + q[opt_reps / 2]) / 2;
    qsort(busy_a, (size_t)opt_reps, sizeof(double), cmp_double);
    qsort(busy_b, (size_t)opt_reps, sizeof(double), cmp_double);
    snprintf(a->note, sizeof(a->note), "wall / run (a run alone: %.1f ms, n = %ld); %ld runs per thread; CPU/wall %.2f",
             one / 1e6, n, runs, busy_a[opt_reps / 2]);
    snprintf(b->note, sizeof(b->note), "throughput %.2fx 9a (goal >= 1.8x on 2 cores: %s); CPU/wall %.2f", *ratio,
             *ratio >= 1.8 ? "met" : "MISSED", busy_b[opt_reps / 2]);
    add_extra("subinterp_cpu_shared_gil_cpu_per_wall_ratio", busy_a[opt_reps / 2]);
    add_extra("subinterp_cpu_own_gil_cpu_per_wall_ratio", busy_b[opt_reps / 2]);
    g = ensure_gil(rt);
    for (i = 0; i < NCPU_THREADS; i++) {
        rtloader_decref(rt, shared[i]);
        rtloader_decref(rt, own[i]);
    }
    release_gil(rt, g);
}

/* 9c: run_check on a no-op check, isolated against the main interpreter. */
static void measure_isolated_run_check(void)
{
    rtloader_pyobject_t *main_c, *iso_c;
    result_t *g9[2], *r;
    op_fn f9[2] = {op_run_check_gil, op_run_check_gil};
    void *c9[2];
    rtloader_gilstate_t g = ensure_gil(rt);
    main_c = cpu_check(0, "{}");
    iso_c = cpu_check(1, "{}");
    release_gil(rt, g);
    c9[0] = main_c, c9[1] = iso_c;
    g9[0] = new_result("9c0", "subinterp_run_check_main", "ensure + run_check + release, no-op, main");
    g9[1] = new_result("9c1", "subinterp_run_check_isolated", "ensure + run_check + release, no-op, isolated");
    measure_group(g9, f9, c9, 2);
    r = difference("9c", "subinterp_run_check_extra", "extra cost of run_check on an isolated check", g9[1], g9[0]);
    snprintf(r->note, sizeof(r->note), "9c1 - 9c0 per repetition: 2 GIL hand-offs more");
    g = ensure_gil(rt);
    rtloader_decref(rt, main_c);
    rtloader_decref(rt, iso_c);
    release_gil(rt, g);
}

/* 9d-9f: creating isolated instances (get_check), their RSS, releasing them (the last decref
 * ends the interpreter). NINST per repetition. */
#define NINST 20
static void measure_isolated_instances(void)
{
    result_t *mk = new_result("9d", "subinterp_get_check", "get_check, isolated no-op check (new interpreter)");
    result_t *rss = new_result("9e", "subinterp_rss_per_instance", "RSS per isolated instance");
    result_t *rel = new_result("9f", "subinterp_decref", "last rtloader_decref (ends the interpreter)");
    rtloader_pyobject_t *c[NINST];
    rtloader_gilstate_t g = ensure_gil(rt);
    long after_release = 0;
    int rep, i;
    rtloader_decref(rt, cpu_check(1, "{}")); /* warm: imports cached by the OS, first-use costs */
    for (rep = 0; rep < opt_reps; rep++) {
        long before = rss_kb(), after;
        long long t0 = now_ns();
        for (i = 0; i < NINST; i++)
            c[i] = cpu_check(1, "{}");
        mk->ns[rep] = (double)(now_ns() - t0) / NINST;
        after = rss_kb();
        rss->ns[rep] = (double)(after - before) / NINST;
        t0 = now_ns();
        for (i = 0; i < NINST; i++)
            rtloader_decref(rt, c[i]);
        rel->ns[rep] = (double)(now_ns() - t0) / NINST;
        after_release = rss_kb() - before;
    }
    release_gil(rt, g);
    mk->nrep = rss->nrep = rel->nrep = opt_reps;
    mk->allocs_per_op = rss->allocs_per_op = rel->allocs_per_op = -1;
    summarise(mk);
    summarise(rss);
    summarise(rel);
    rss->kb = 1;
    snprintf(mk->note, sizeof(mk->note), "%.2f ms; %d instances alive at once", mk->median / 1e6, NINST);
    snprintf(rss->note, sizeof(rss->note), "VmRSS growth / %d; %ld kB left after releasing them", NINST, after_release);
    snprintf(rel->note, sizeof(rel->note), "%.2f ms", rel->median / 1e6);
    add_extra("subinterp_rss_per_instance_kb", rss->median);
}

/* ---- fresh-process init (figure 6) ------------------------------------------------------------ */

static int child_init(void)
{
    long before = rss_kb(), after;
    long long t0 = now_ns(), t;
    make_and_init();
    t = now_ns() - t0;
    after = rss_kb();
    printf("CHILD_INIT %lld %ld %ld\n", t, before, after);
    fflush(stdout);
    return 0;
}

/* Spawns `rtl_bench --child-init ...` and parses its line; 0 on failure. */
static int spawn_child(long long *ns, long *rss_before, long *rss_after)
{
    int pfd[2], status, ok = 0;
    char buf[256];
    ssize_t got, len = 0;
    pid_t pid;
    posix_spawn_file_actions_t fa;
    char *argv[12];
    int argc = 0;

    argv[argc++] = "rtl_bench";
    argv[argc++] = "--child-init";
    argv[argc++] = "--home";
    argv[argc++] = (char *)opt_home;
    argv[argc++] = "--python-path";
    argv[argc++] = (char *)opt_pypath;
    if (opt_exe != NULL) {
        argv[argc++] = "--exe";
        argv[argc++] = (char *)opt_exe;
    }
    argv[argc] = NULL;
    if (pipe(pfd) != 0)
        return 0;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pfd[0]);
    posix_spawn_file_actions_addclose(&fa, pfd[1]);
    if (posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        close(pfd[0]), close(pfd[1]);
        return 0;
    }
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    while (len < (ssize_t)sizeof(buf) - 1 && (got = read(pfd[0], buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
        len += got;
    buf[len] = '\0';
    close(pfd[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0
        && sscanf(buf, "CHILD_INIT %lld %ld %ld", ns, rss_before, rss_after) == 3)
        ok = 1;
    return ok;
}

static void measure_init(result_t *r, long *rss_before, long *rss_after)
{
    static long rb[1024], ra[1024];
    long nchild = 0;
    int rep;
    for (rep = -1; rep < opt_reps; rep++) { /* rep -1: warm the page cache */
        long long t0 = now_ns(), sum = 0, ns;
        long cnt = 0, b, a;
        do {
            if (!spawn_child(&ns, &b, &a))
                die("the --child-init process failed");
            sum += ns, cnt++;
            if (rep >= 0 && nchild < 1024)
                rb[nchild] = b, ra[nchild++] = a;
        } while (now_ns() - t0 < opt_min_rep_ns);
        if (rep >= 0)
            r->ns[rep] = (double)sum / (double)cnt;
    }
    r->nrep = opt_reps;
    summarise(r);
    {
        double d[1024];
        long i;
        for (i = 0; i < nchild; i++)
            d[i] = (double)rb[i];
        qsort(d, (size_t)nchild, sizeof(double), cmp_double);
        *rss_before = (long)d[nchild / 2];
        for (i = 0; i < nchild; i++)
            d[i] = (double)ra[i];
        qsort(d, (size_t)nchild, sizeof(double), cmp_double);
        *rss_after = (long)d[nchild / 2];
    }
}

/* ---- output ---------------------------------------------------------------------------------- */

static void print_rule(void)
{
    puts("-----------------------------------------------------------------------------------------------------"
         "-----------");
}

static void print_report(const char *pyversion)
{
    int i;
    char when[64];
    time_t now = time(NULL);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
    printf("\nrtloader benchmarks: Python %s, %s, %ld CPUs; median of %d repetitions of >= %.2f s each\n", pyversion,
           when, sysconf(_SC_NPROCESSORS_ONLN), opt_reps, (double)opt_min_rep_ns / 1e9);
    print_rule();
    printf("%-4s %-48s %12s %8s %10s  %s\n", "#", "figure", "ns/op", "spread", "allocs/op", "note");
    print_rule();
    for (i = 0; i < nresults; i++) {
        result_t *r = &results[i];
        char allocs[32];
        if (r->allocs_per_op < 0)
            snprintf(allocs, sizeof(allocs), "-");
        else
            snprintf(allocs, sizeof(allocs), "%.2f", r->allocs_per_op);
        if (r->kb)
            printf("%-4s %-48s %9.0f kB %8s %10s  %s\n", r->id, r->label, r->median, "-", allocs, r->note);
        else
            printf("%-4s %-48s %12.1f %7.1f%% %10s  %s\n", r->id, r->label, r->median, r->spread * 100, allocs,
                   r->note);
    }
    print_rule();
    puts("ns/op: median; spread: (max-min)/median over the repetitions; allocs/op: rtloader C allocations");
    puts("(memory tracker) per operation. Thread-state counts come from the interpreter's own list.");
    puts("");
    for (i = 0; i < nresults; i++)
        if (!results[i].kb)
            printf("METRIC %s %.1f\n", results[i].metric, results[i].median);
    for (i = 0; i < nextras; i++)
        printf("METRIC %s %.3f\n", extras[i].metric, extras[i].value);
    fflush(stdout);
}

/* ---- main ------------------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: rtl_bench [--python-path DIR] [--home DIR] [--exe PATH] [--reps N] [--min-rep-ms MS]\n"
                    "                 [--only FIGURES (e.g. 34; default 1234567)]\n"
                    "                 [--subinterpreters (with --only 9: Python 3.12+)]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int i, child = 0;
    result_t *r, *floor3 = NULL, *sm[3], *rc_gil = NULL;
    rtloader_pyobject_t *r_module;
    long rss_b, rss_a, ts0, ts_after, tl_ok;
    char pyversion[32] = "?";
    rtloader_gilstate_t g;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--child-init") == 0)
            child = 1;
        else if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
            opt_home = argv[++i];
        else if (strcmp(argv[i], "--exe") == 0 && i + 1 < argc)
            opt_exe = argv[++i];
        else if (strcmp(argv[i], "--python-path") == 0 && i + 1 < argc)
            opt_pypath = argv[++i];
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            opt_reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            opt_only = argv[++i];
        else if (strcmp(argv[i], "--min-rep-ms") == 0 && i + 1 < argc)
            opt_min_rep_ns = atoll(argv[++i]) * 1000000LL;
        else if (strcmp(argv[i], "--subinterpreters") == 0)
            opt_subinterp = 1;
        else
            usage();
    }
    if (opt_reps < 1 || opt_reps > MAX_REPS || opt_min_rep_ns <= 0)
        usage();
    if (child)
        return child_init();

    setvbuf(stdout, NULL, _IOLBF, 0);

    /* 6. make3 + init in fresh processes, before this process starts its own interpreter. */
    if (want('6')) {
        fprintf(stderr, "rtl_bench: [6] make3 + init in fresh processes\n");
        r = new_result("6", "init_make3_init", "make3 + init, fresh process (wall)");
        measure_init(r, &rss_b, &rss_a);
        r->allocs_per_op = -1;
        snprintf(r->note, sizeof(r->note), "RSS %ld kB before make3, %ld kB after init", rss_b, rss_a);
        add_extra("init_rss_after_kb", (double)rss_a);
        add_extra("init_rss_before_kb", (double)rss_b);
    }

    enable_memory_tracker();
    make_and_init();

    g = ensure_gil(rt);
    {
        py_info_t *info = get_py_info(rt);
        if (info != NULL) {
            snprintf(pyversion, sizeof(pyversion), "%s", info->version);
            pyversion[strcspn(pyversion, " ")] = '\0';
            free_py_info(rt, info);
        }
    }
    if (!get_class(rt, "rtl_bench", &py_module, &py_class))
        die("get_class(rtl_bench) failed");
    if (!get_check(rt, py_class, "{}", bench_instance, "noop:bench:0123456789abcdef", "noop", "file", &noop_check))
        die("get_check failed");
    py("import rtl_bench"); /* the loops below run in __main__ */

    /* 1. submit_metric and its floor, from a Python loop, GIL held by this (init) thread. */
    if (want('1')) {
        fprintf(stderr, "rtl_bench: [1] submit_metric\n");
        {
            static const char *ids[] = {"1a", "1b", "1c"};
            static const char *metrics[] = {"submit_metric_0tags", "submit_metric_3tags", "submit_metric_20tags"};
            static const char *labels[] = {"submit_metric, 0 tags (Python loop)", "submit_metric, 3 tags (Python loop)",
                                           "submit_metric, 20 tags (Python loop)"};
            static const char *codes[] = {"rtl_bench.metric(%ld, 0)", "rtl_bench.metric(%ld, 3)",
                                          "rtl_bench.metric(%ld, 20)"};
            result_t *g1[4];
            op_fn f1[4] = {op_py, op_py, op_py, op_py};
            void *c1[4];
            double q[3];
            unsigned long before;
            floor3 = new_result("1f", "submit_metric_floor", "floor: sys.audit, same 8 args (Python loop)");
            snprintf(floor3->note, sizeof(floor3->note), "METH_FASTCALL C builtin returning None at once");
            g1[0] = floor3, c1[0] = (void *)"rtl_bench.floor(%ld, 3)";
            for (i = 0; i < 3; i++) {
                g1[i + 1] = sm[i] = new_result(ids[i], metrics[i], labels[i]);
                c1[i + 1] = (void *)codes[i];
            }
            before = cb_calls;
            measure_group(g1, f1, c1, 4);
            if (cb_calls == before)
                die("submit_metric never reached the callback");
            for (i = 0; i < 3; i++) {
                q[i] = median_ratio(sm[i], floor3);
                snprintf(sm[i]->note, sizeof(sm[i]->note), "%.2fx floor", q[i]);
            }
            add_extra("submit_metric_0tags_floor_ratio", q[0]);
            add_extra("submit_metric_3tags_floor_ratio", q[1]);
            add_extra("submit_metric_20tags_floor_ratio", q[2]);
            snprintf(sm[1]->note, sizeof(sm[1]->note), "%.2fx floor (target <= 1.5x: %s)", q[1],
                     q[1] <= 1.5 ? "met" : "MISSED");
        }
        {
            /* What the per-argument NUL-scan cache saves, and what a check pays that passes a new
         * name object on every call: two identical loops over an iterator of names, one
         * alternating between two objects (a miss every call), one repeating a single object. */
            result_t *g[2], *miss, *hit;
            op_fn f[2] = {op_py, op_py};
            void *c[2] = {(void *)"rtl_bench.metric_names(%ld, 2)", (void *)"rtl_bench.metric_names(%ld, 1)"};
            g[0] = miss =
                new_result("1d", "submit_metric_3tags_name_changes", "submit_metric, 3 tags, new name each call");
            g[1] = hit =
                new_result("1e", "submit_metric_3tags_name_repeats", "submit_metric, 3 tags, one name (1d loop)");
            measure_group(g, f, c, 2);
            r = difference("1m", "submit_metric_name_scan", "cost of a new name object (1d - 1e)", miss, hit);
            snprintf(r->note, sizeof(r->note), "the NUL scan the cache skips, per repetition");
        }
    }

    /* 2. the other aggregator submissions. */
    if (want('2')) {
        fprintf(stderr, "rtl_bench: [2] service check, event, histogram bucket\n");
        {
            static const struct {
                const char *id, *metric, *label, *code;
            } f2[] = {
                {"2a", "submit_service_check", "submit_service_check, 3 tags", "rtl_bench.service_check(%ld)"},
                {"2b", "submit_event", "submit_event, 6 keys, 3 tags", "rtl_bench.event(%ld)"},
                {"2c", "submit_histogram_bucket", "submit_histogram_bucket, 3 tags", "rtl_bench.histogram_bucket(%ld)"},
            };
            for (i = 0; i < 3; i++) {
                unsigned long before = cb_calls;
                r = new_result(f2[i].id, f2[i].metric, f2[i].label);
                measure(r, op_py, (void *)f2[i].code);
                if (cb_calls == before)
                    die("%s never reached the callback", f2[i].metric);
                if (floor3 != NULL)
                    snprintf(r->note, sizeof(r->note), "%.2fx floor (medians)", r->median / floor3->median);
            }
        }
    }

    /* 5. get_check + decref. */
    if (want('5')) {
        fprintf(stderr, "rtl_bench: [5] get_check\n");
        r = new_result("5", "get_check_decref", "get_check + rtloader_decref, 3-key instance");
        measure(r, op_get_check, NULL);
        snprintf(r->note, sizeof(r->note), "load_config = json.loads (the bench's base)");
    }

    /* 3a. run_check with the GIL held across the loop. */
    if (want('3')) {
        fprintf(stderr, "rtl_bench: [3] run_check\n");
        r = new_result("3a", "run_check_gil_held", "run_check + free, no-op check, GIL held");
        measure(r, op_run_check_held, NULL);
        snprintf(r->note, sizeof(r->note), "init thread");
    }
    release_gil(rt, g);

    /* 3b. ensure_gil / run_check / free / release_gil per run, on a long-lived non-init thread
     * (a Go host runs checks on worker threads). */
    if (want('3')) {
        thread_job_t job;
        memset(&job, 0, sizeof(job));
        rc_gil = job.r = new_result("3b", "run_check_ensure_release", "ensure + run_check + free + release");
        job.fn = op_run_check_gil;
        run_on_thread(&job);
        snprintf(rc_gil->note, sizeof(rc_gil->note), "long-lived thread (Go host path)");
    }

    /* 4. ensure_gil + release_gil. */
    if (want('4')) {
        fprintf(stderr, "rtl_bench: [4] ensure_gil + release_gil\n");
        ts0 = count_tstates();
        r = new_result("4a", "gil_init_thread", "ensure_gil + release_gil, init thread");
        measure(r, op_gil_cycle, NULL);
        snprintf(r->note, sizeof(r->note), "thread states: %ld", ts0);
        {
            thread_job_t job;
            memset(&job, 0, sizeof(job));
            r = job.r = new_result("4b", "gil_other_thread", "ensure_gil + release_gil, long-lived thread");
            job.fn = op_gil_cycle;
            run_on_thread(&job);
            ts_after = count_tstates();
            tl_ok = job.tl_persists;
            snprintf(r->note, sizeof(r->note), "states %ld -> %ld live -> %ld after exit; threading.local kept: %s",
                     ts0, job.tstates_during, ts_after, tl_ok ? "yes" : "NO");
            add_extra("gil_other_thread_tstates_created_count", (double)(job.tstates_during - ts0));
            add_extra("gil_other_thread_tstates_left_after_exit_count", (double)(ts_after - ts0));
        }
        {
            long during, allocs;
            r = new_result("4c", "gil_4_threads_contending", "ensure_gil + release_gil, 4 threads contending");
            measure_contended(r, &during, &allocs);
            ts_after = count_tstates();
            snprintf(r->note, sizeof(r->note), "wall / all cycles; states %ld live, %ld after exit", during, ts_after);
            add_extra("gil_4_threads_tstates_created_count", (double)(during - ts0));
        }
        {
            void *(*body)(void *) = thread_gil_once;
            void *(*empty)(void *) = thread_empty;
            result_t *base, *raw;
            result_t *g4[2];
            op_fn f4[2] = {op_thread, op_thread};
            void *c4[2] = {&empty, &body};
            g4[0] = base = new_result("4d0", "thread_create_join", "pthread_create + join, empty thread");
            g4[1] = raw = new_result("4d1", "gil_new_thread_raw", "new thread: create + ensure + release + join");
            measure_group(g4, f4, c4, 2);
            base->allocs_per_op = -1;
            ts_after = count_tstates();
            snprintf(raw->note, sizeof(raw->note), "states after: %ld (reclaimed at exit)", ts_after);
            r = difference("4d", "gil_new_thread", "ensure_gil + release_gil, new thread per cycle", raw, base);
            snprintf(r->note, sizeof(r->note), "4d1 - 4d0, per repetition");
            add_extra("gil_new_thread_tstates_left_count", (double)(ts_after - ts0));
        }
    }

    /* 9. sub-interpreters (Python 3.12+, --subinterpreters). */
    if (want('9')) {
        double ratio;
        if (!opt_subinterp)
            die("figure 9 needs --subinterpreters");
        fprintf(stderr, "rtl_bench: [9] sub-interpreters\n");
        g = ensure_gil(rt);
        if (!get_class(rt, "rtl_bench_cpu", &r_module, &cpu_class))
            die("get_class(rtl_bench_cpu) failed");
        rtloader_decref(rt, r_module);
        release_gil(rt, g);
        measure_cpu_throughput(&ratio);
        add_extra("subinterp_throughput_ratio", ratio);
        measure_isolated_run_check();
        measure_isolated_instances();
    }

    /* 7. RSS growth over 200,000 cycles (after 20,000 warm-up cycles). */
    if (want('7')) {
        fprintf(stderr, "rtl_bench: [7] RSS growth\n");
        {
            long before, after;
            struct memory_stats ms;
            op_run_check_gil(NULL, 20000);
            before = rss_kb();
            get_and_reset_memory_stats();
            op_run_check_gil(NULL, 200000);
            ms = get_and_reset_memory_stats();
            after = rss_kb();
            r = new_result("7a", "rss_run_check_200k", "RSS growth, 200,000 ensure+run_check+release");
            r->nrep = 1, r->median = (double)(after - before), r->allocs_per_op = (double)ms.allocations / 200000.0;
            r->ns[0] = r->median, r->kb = 1;
            snprintf(r->note, sizeof(r->note), "rtloader in-use delta %zd B; target < 1024 kB", ms.inuse_bytes);
            add_extra("rss_growth_run_check_200k_kb", r->median);

            g = ensure_gil(rt);
            py("rtl_bench.metric(20000, 3)");
            before = rss_kb();
            get_and_reset_memory_stats();
            py("rtl_bench.metric(200000, 3)");
            ms = get_and_reset_memory_stats();
            after = rss_kb();
            release_gil(rt, g);
            r = new_result("7b", "rss_submit_metric_200k", "RSS growth, 200,000 submit_metric (3 tags)");
            r->nrep = 1, r->median = (double)(after - before), r->allocs_per_op = (double)ms.allocations / 200000.0;
            r->ns[0] = r->median, r->kb = 1;
            snprintf(r->note, sizeof(r->note), "rtloader in-use delta %zd B; target < 1024 kB", ms.inuse_bytes);
            add_extra("rss_growth_submit_metric_200k_kb", r->median);
        }
    }

    /* allocation figures, machine-readable */
    if (rc_gil != NULL)
        add_extra("run_check_ensure_release_allocs_per_op", rc_gil->allocs_per_op);
    for (i = 0; i < nresults; i++)
        if (strcmp(results[i].metric, "gil_other_thread") == 0)
            add_extra("gil_other_thread_allocs_per_op", results[i].allocs_per_op);

    print_report(pyversion);
    return 0;
}
