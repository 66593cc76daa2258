/*
 * subinterp.c: checks in parallel: each check instance in a sub-interpreter with its own GIL
 * (PEP 684; API.md §13, DESIGN.md "Sub-interpreters"). Python 3.12+; below, the hooks are no-ops
 * and enable_subinterpreters refuses.
 *
 * The shape, and why:
 *   - An isolated check is a record: its interpreter, the check object (an object of that
 *     interpreter, owned by the record), the host's reference count, the number of calls in
 *     progress ("busy") and one PyThreadState per OS thread that has called it. The host keeps
 *     the check object's pointer as its handle, so every API call on an object first asks the
 *     registry (a small hash table keyed by that pointer) whether it is an isolated check; main
 *     interpreter objects (classes, modules, checks that fell back) pass through untouched.
 *   - A call on an isolated check arrives holding the main GIL (the host's ensure_gil). It saves
 *     the caller's main state (PyEval_SaveThread: the main GIL is free for other host threads),
 *     restores this thread's state of the check's interpreter (its own GIL), calls, and goes back
 *     the same way. That is how ensure_gil -> run_check -> release_gil on several host threads runs
 *     checks at once. A thread's state in an interpreter is created on its first call there
 *     (PyThreadState_New binds it to the calling OS thread) and kept, like the main states of
 *     gil.c; PyGILState_* know only the main interpreter and are never used here.
 *   - Host references are counted in the record, not on the Python object: incref/decref then
 *     need no switch and no GIL of the check's interpreter. When the count and busy both reach
 *     zero, whoever got them there ends the interpreter: drop the check, join its non-daemon
 *     threads, delete the other OS threads' states (they are idle), and Py_EndInterpreter, which
 *     is fatal if any other thread state is left. A daemon thread still running has one, so such
 *     an interpreter is parked and retried (at most every RTL_SUB_RETRY_MS) by later get_check and
 *     decref calls, until its daemon threads are gone: "a check's daemon threads may keep it alive".
 *   - One mutex guards the registry, and it is a leaf: nothing waits for a GIL while holding it.
 *   - A thread that exits gives its states back (pthread key destructor), as gil.c does for the
 *     main ones.
 *   - get_check builds the instance in a new interpreter (same sys.path as the main one, every
 *     set_module_attr_string re-applied, the class's module imported, the class found, §7.2 run
 *     there). Any failure ends that interpreter and the caller builds the check in the main one;
 *     the reason is logged once per class. Nothing is kept by hand: the usual failure is an
 *     extension without multi-interpreter support, which the import itself reports.
 *   - Memory: records, thread entries and the table are freed when the last check goes, so a
 *     host's allocation counters balance around a check's life.
 */
#include <string.h>
#include <time.h>

#include "convert.h"
#include "pycompat.h"
#include "three.h"

#define RTL_SUB_RETRY_MS 100 /* a parked interpreter is tried again at most this often */
#define RTL_ERR_NO_TSTATE "could not create a thread state in the check's sub-interpreter"
#define RTL_ERR_SUB_AFTER_INIT "sub-interpreters must be enabled before init"
#define RTL_ERR_SUB_NEED_312_F "sub-interpreters need Python 3.12 or newer (this is %d.%d)"
#define RTL_ERR_SUB_NULL_CHECK "check_is_isolated: NULL check"
#define RTL_ERR_SUB_BLOCKLIST_MEMORY "could not allocate memory for the sub-interpreter blocklist"

/* ---- API entries that exist on every version ----------------------------------------------- */

/* Guards the registry below and every handle's blocklist. */
static pthread_mutex_t rtl_sub_lock = PTHREAD_MUTEX_INITIALIZER;

RTL_HIDDEN int rtl_has_subinterpreter_support(const void *st)
{
    return ((const rtl_three_t *)st)->sub.on;
}

RTL_HIDDEN int rtl_set_subinterpreter_blocklist(void *st, const char *modules)
{
    rtl_three_t *t = st;
    char *copy = NULL, *old;

    if (modules != NULL && modules[0] != '\0' && (copy = rtl_strdup(modules)) == NULL) {
        rtl_set_error(t, RTL_ERR_SUB_BLOCKLIST_MEMORY);
        return 0;
    }
    pthread_mutex_lock(&rtl_sub_lock);
    old = t->sub.blocklist;
    t->sub.blocklist = copy;
    pthread_mutex_unlock(&rtl_sub_lock);
    rtl_free(old);
    return 1;
}

#if !RTL_HAVE_SUBINTERPRETERS

RTL_HIDDEN int rtl_enable_subinterpreters(void *st, int on)
{
    rtl_three_t *t = st;
    if (t->state != RTL_INIT_NONE) {
        rtl_set_error(t, RTL_ERR_SUB_AFTER_INIT);
        return 0;
    }
    if (on) {
        rtl_set_errorf(t, RTL_ERR_SUB_NEED_312_F, PY_MAJOR_VERSION, PY_MINOR_VERSION);
        return 0;
    }
    return 1;
}

RTL_HIDDEN int rtl_check_is_isolated(void *st, rtloader_pyobject_t *check)
{
    rtl_three_t *t = st;
    if (!rtl_ready(t))
        return -1;
    if (check == NULL) {
        rtl_set_error(t, RTL_ERR_SUB_NULL_CHECK);
        return -1;
    }
    return 0;
}

RTL_HIDDEN int rtl_sub_get_check(rtl_three_t *t, PyObject *klass, const char *init_config, const char *instance,
                                 const char *agent_config, int deprecated, const char *check_id, const char *check_name,
                                 const char *provider, rtloader_pyobject_t **check)
{
    (void)t, (void)klass, (void)init_config, (void)instance, (void)agent_config, (void)deprecated;
    (void)check_id, (void)check_name, (void)provider, (void)check;
    return -1;
}

RTL_HIDDEN int rtl_sub_enter(rtl_three_t *t, rtl_sub_switch_t *sw, rtloader_pyobject_t *obj)
{
    (void)t, (void)obj;
    sw->rec = NULL;
    return 0;
}

RTL_HIDDEN void rtl_sub_leave(rtl_sub_switch_t *sw)
{
    (void)sw;
}

RTL_HIDDEN int rtl_sub_incref(rtloader_pyobject_t *obj)
{
    (void)obj;
    return 0;
}

RTL_HIDDEN int rtl_sub_decref(rtloader_pyobject_t *obj)
{
    (void)obj;
    return 0;
}

RTL_HIDDEN void rtl_sub_record_attr(rtl_three_t *t, const char *module, const char *attr, PyObject *value)
{
    (void)t, (void)module, (void)attr, (void)value;
}

RTL_HIDDEN void rtl_sub_destroy(rtl_three_t *t)
{
    rtl_free(t->sub.blocklist);
    t->sub.blocklist = NULL;
}

#else /* RTL_HAVE_SUBINTERPRETERS */

/* ---- the registry ---------------------------------------------------------------------------- */

static int rtl_sub_active; /* atomic: a handle enabled sub-interpreters; until then hooks return at once */
static pthread_cond_t rtl_sub_exited = PTHREAD_COND_INITIALIZER; /* some record's `exiting` fell */

typedef enum { RTL_SUB_LIVE = 0, RTL_SUB_PARKED, RTL_SUB_ENDING } rtl_sub_where_t;

/* One OS thread's state in an interpreter. */
struct rtl_sub_thread {
    struct rtl_sub_thread *next;
    struct rtl_sub_s *rec; /* back pointer, for the thread-exit reclaim */
    pthread_t owner;
    PyThreadState *ts;
    int orphan; /* its thread exited, but it was the interpreter's last state: kept (see below) */
};

typedef struct rtl_sub_s {
    struct rtl_sub_s *next; /* hash chain (LIVE) or parked list (PARKED) */
    PyObject *check;        /* the instance, owned; an object of `interp` */
    PyInterpreterState *interp;
    long refs;    /* host references (get_check's plus increfs minus decrefs) */
    long busy;    /* calls in progress (pins the record) */
    long exiting; /* exiting threads giving their states back (the ender waits for them) */
    rtl_sub_where_t where;
    struct rtl_sub_thread *threads;
    struct timespec retry_after; /* PARKED: not before */
} rtl_sub_t;

/* All fields under rtl_sub_lock. The table exists while a LIVE record or a creation does. */
static struct {
    rtl_sub_t **buckets;
    size_t nbuckets, count;
    long creating; /* get_checks between reserving a slot and inserting */
    rtl_sub_t *parked;
    pthread_key_t key; /* non-NULL value on threads holding states: their exit reclaims them */
    int key_made;
    int shutdown; /* destroy ran: thread exits leave everything alone */
} rtl_reg;

static size_t rtl_slot(const void *p, size_t n)
{
    uintptr_t x = (uintptr_t)p >> 4; /* objects are 16-byte aligned */
    return (size_t)((x * 0x9E3779B97F4A7C15ull) >> 32) & (n - 1);
}

static rtl_sub_t *rtl_reg_find(const void *obj)
{
    rtl_sub_t *r;
    if (rtl_reg.buckets == NULL)
        return NULL;
    for (r = rtl_reg.buckets[rtl_slot(obj, rtl_reg.nbuckets)]; r != NULL; r = r->next)
        if (PY(r->check) == obj)
            return r;
    return NULL;
}

/* Called before creating an interpreter: make sure the table exists (so that the insert cannot
 * fail later). 0 if it cannot be allocated. */
static int rtl_reg_reserve(void)
{
    int ok = 1;
    pthread_mutex_lock(&rtl_sub_lock);
    if (rtl_reg.buckets == NULL) {
        rtl_reg.buckets = rtl_malloc(64 * sizeof(rtl_sub_t *));
        if (rtl_reg.buckets != NULL) {
            memset(rtl_reg.buckets, 0, 64 * sizeof(rtl_sub_t *));
            rtl_reg.nbuckets = 64;
        }
    }
    if (rtl_reg.buckets == NULL)
        ok = 0;
    else
        rtl_reg.creating++;
    pthread_mutex_unlock(&rtl_sub_lock);
    return ok;
}

/* Under the lock: free the table when nothing uses it. */
static void rtl_reg_trim_locked(void)
{
    if (rtl_reg.count == 0 && rtl_reg.creating == 0) {
        rtl_free(rtl_reg.buckets);
        rtl_reg.buckets = NULL;
        rtl_reg.nbuckets = 0;
    }
}

static void rtl_reg_unreserve(void)
{
    pthread_mutex_lock(&rtl_sub_lock);
    rtl_reg.creating--;
    rtl_reg_trim_locked();
    pthread_mutex_unlock(&rtl_sub_lock);
}

/* Under the lock: double the table at a load of 2 (a failed allocation keeps the old one). */
static void rtl_reg_grow_locked(void)
{
    size_t n = rtl_reg.nbuckets * 2, i;
    rtl_sub_t **b;
    if (rtl_reg.count < rtl_reg.nbuckets * 2 || (b = rtl_malloc(n * sizeof(*b))) == NULL)
        return;
    memset(b, 0, n * sizeof(*b));
    for (i = 0; i < rtl_reg.nbuckets; i++) {
        rtl_sub_t *r = rtl_reg.buckets[i], *next;
        for (; r != NULL; r = next) {
            size_t s = rtl_slot(r->check, n);
            next = r->next;
            r->next = b[s];
            b[s] = r;
        }
    }
    rtl_free(rtl_reg.buckets);
    rtl_reg.buckets = b;
    rtl_reg.nbuckets = n;
}

/* Insert a reserved record (the table exists: rtl_reg_reserve). */
static void rtl_reg_insert(rtl_sub_t *rec)
{
    size_t s;
    pthread_mutex_lock(&rtl_sub_lock);
    rtl_reg.creating--;
    rtl_reg_grow_locked();
    s = rtl_slot(rec->check, rtl_reg.nbuckets);
    rec->where = RTL_SUB_LIVE;
    rec->next = rtl_reg.buckets[s];
    rtl_reg.buckets[s] = rec;
    rtl_reg.count++;
    pthread_mutex_unlock(&rtl_sub_lock);
}

/* Under the lock: unlink a LIVE record. */
static void rtl_reg_remove_locked(rtl_sub_t *rec)
{
    rtl_sub_t **pp = &rtl_reg.buckets[rtl_slot(rec->check, rtl_reg.nbuckets)];
    while (*pp != rec)
        pp = &(*pp)->next;
    *pp = rec->next;
    rec->next = NULL;
    rtl_reg.count--;
    rtl_reg_trim_locked();
}

static void rtl_now_plus_ms(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_nsec += ms * 1000000L;
    ts->tv_sec += ts->tv_nsec / 1000000000L;
    ts->tv_nsec %= 1000000000L;
}

/* Park a record whose interpreter could not end yet (its daemon threads still run). */
static void rtl_reg_park(rtl_sub_t *rec, long delay_ms)
{
    pthread_mutex_lock(&rtl_sub_lock);
    rtl_now_plus_ms(&rec->retry_after, delay_ms);
    rec->where = RTL_SUB_PARKED;
    rec->next = rtl_reg.parked;
    rtl_reg.parked = rec;
    pthread_mutex_unlock(&rtl_sub_lock);
}

/* Under the lock: this thread's entry in rec, or NULL. */
static struct rtl_sub_thread *rtl_thread_of_locked(rtl_sub_t *rec)
{
    struct rtl_sub_thread *e;
    pthread_t self = pthread_self();
    for (e = rec->threads; e != NULL; e = e->next)
        if (!e->orphan && pthread_equal(e->owner, self))
            return e;
    return NULL;
}

static void rtl_add_thread(rtl_sub_t *rec, struct rtl_sub_thread *e, PyThreadState *ts)
{
    e->rec = rec;
    e->owner = pthread_self();
    e->ts = ts;
    e->orphan = 0;
    pthread_mutex_lock(&rtl_sub_lock);
    e->next = rec->threads;
    rec->threads = e;
    if (rtl_reg.key_made)
        pthread_setspecific(rtl_reg.key, &rtl_reg);
    pthread_mutex_unlock(&rtl_sub_lock);
}

/* This thread's state in rec's interpreter, created and kept on first use. rec must be pinned
 * (busy, or owned by an ender). NULL if it cannot be created. No GIL needed. */
static PyThreadState *rtl_sub_tstate(rtl_sub_t *rec)
{
    struct rtl_sub_thread *e;
    PyThreadState *ts;

    pthread_mutex_lock(&rtl_sub_lock);
    e = rtl_thread_of_locked(rec);
    pthread_mutex_unlock(&rtl_sub_lock);
    if (e != NULL)
        return e->ts;
    if ((e = rtl_malloc(sizeof(*e))) == NULL)
        return NULL;
    ts = PyThreadState_New(rec->interp); /* bound to this OS thread; not made current */
    if (ts == NULL) {
        rtl_free(e);
        return NULL;
    }
    rtl_add_thread(rec, e, ts);
    return ts;
}

/* ---- ending an interpreter ----------------------------------------------------------------- */

/* Join the interpreter's non-daemon `threading` threads (not this one, and not its main-thread
 * object, which stands for whichever host thread first imported threading there). Errors are
 * cleared: Py_EndInterpreter joins what is left anyway. [sub GIL] */
static void rtl_sub_join_threads(void)
{
    PyObject *name = NULL, *threading = NULL, *threads = NULL, *cur = NULL, *main = NULL;
    Py_ssize_t i, n;

    name = PyUnicode_FromString("threading"); /* new reference */
    if (name == NULL)
        goto done;
    threading = PyImport_GetModule(name); /* new reference; NULL if never imported here */
    if (threading == NULL)
        goto done;
    threads = PyObject_CallMethod(threading, "enumerate", NULL); /* new reference: a list */
    cur = PyObject_CallMethod(threading, "current_thread", NULL);
    main = PyObject_CallMethod(threading, "main_thread", NULL);
    if (threads == NULL || cur == NULL || main == NULL || !PyList_Check(threads))
        goto done;
    n = PyList_GET_SIZE(threads);
    for (i = 0; i < n; i++) {
        PyObject *th = PyList_GET_ITEM(threads, i); /* borrowed; the list keeps it */
        PyObject *daemon, *res;
        int is_daemon;
        if (th == cur || th == main)
            continue;
        daemon = PyObject_GetAttrString(th, "daemon"); /* new reference */
        is_daemon = daemon == NULL ? 1 : PyObject_IsTrue(daemon);
        Py_XDECREF(daemon);
        if (is_daemon != 0) {
            PyErr_Clear();
            continue;
        }
        res = PyObject_CallMethod(th, "join", NULL); /* releases this interpreter's GIL meanwhile */
        Py_XDECREF(res);
        PyErr_Clear();
    }
done:
    PyErr_Clear();
    Py_XDECREF(name);
    Py_XDECREF(threading);
    Py_XDECREF(threads);
    Py_XDECREF(cur);
    Py_XDECREF(main);
}

/* Delete the states of the other OS threads that called rec (idle: rec is not busy). [sub GIL,
 * held through `mine`] */
static void rtl_sub_drop_others(rtl_sub_t *rec, PyThreadState *mine)
{
    struct rtl_sub_thread *e, *next, *others = NULL, *keep = NULL;

    pthread_mutex_lock(&rtl_sub_lock);
    for (e = rec->threads; e != NULL; e = next) {
        next = e->next;
        if (e->ts == mine) {
            e->next = keep;
            keep = e;
        } else {
            e->next = others;
            others = e;
        }
    }
    rec->threads = keep;
    pthread_mutex_unlock(&rtl_sub_lock);
    for (e = others; e != NULL; e = next) {
        next = e->next;
        PyThreadState_Clear(e->ts);
        PyThreadState_Delete(e->ts);
        rtl_free(e);
    }
}

/* 1 if the interpreter has a thread state besides `mine` (a thread that is still running). */
static int rtl_sub_has_others(PyInterpreterState *interp, PyThreadState *mine)
{
    PyThreadState *p;
    for (p = PyInterpreterState_ThreadHead(interp); p != NULL; p = PyThreadState_Next(p))
        if (p != mine)
            return 1;
    return 0;
}

static void rtl_sub_free(rtl_sub_t *rec)
{
    struct rtl_sub_thread *e, *next;
    for (e = rec->threads; e != NULL; e = next) {
        next = e->next;
        rtl_free(e);
    }
    rtl_free(rec);
}

/* End rec's interpreter, this thread attached to it through `mine` (its GIL held). 1: ended,
 * rec freed, no thread state current. 0: threads still run; `mine` is detached again (no GIL
 * held) and rec is left to the caller. rec must belong to the caller alone. */
static int rtl_sub_finish(rtl_sub_t *rec, PyThreadState *mine)
{
    Py_CLEAR(rec->check);
    rtl_sub_join_threads();
    rtl_sub_drop_others(rec, mine);
    if (rtl_sub_has_others(rec->interp, mine)) {
        PyEval_SaveThread();
        return 0;
    }
    Py_EndInterpreter(mine); /* deletes `mine`; the interpreter's GIL goes with it */
    rtl_sub_free(rec);
    return 1;
}

/* End rec's interpreter, or park it. The calling thread holds no GIL. */
static void rtl_sub_end(rtl_sub_t *rec)
{
    PyThreadState *ts = rtl_sub_tstate(rec);
    if (ts != NULL) {
        PyEval_RestoreThread(ts);
        if (rtl_sub_finish(rec, ts))
            return;
    }
    rtl_reg_park(rec, RTL_SUB_RETRY_MS);
}

/* The same, from a caller that holds the main GIL (given back on return). */
static void rtl_sub_end_from_main(rtl_sub_t *rec)
{
    PyThreadState *main_ts = PyEval_SaveThread();
    rtl_sub_end(rec);
    PyEval_RestoreThread(main_ts);
}

/* Try again the parked interpreters that are due. [main GIL] */
static void rtl_sub_reap(void)
{
    rtl_sub_t *due = NULL, **pp, *rec;
    struct timespec now;

    if (__atomic_load_n(&rtl_reg.parked, __ATOMIC_RELAXED) == NULL)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&rtl_sub_lock);
    for (pp = &rtl_reg.parked; (rec = *pp) != NULL;) {
        int is_due = now.tv_sec > rec->retry_after.tv_sec
                     || (now.tv_sec == rec->retry_after.tv_sec && now.tv_nsec >= rec->retry_after.tv_nsec);
        if (rec->busy == 0 && rec->exiting == 0 && is_due) {
            *pp = rec->next;
            rec->where = RTL_SUB_ENDING;
            rec->next = due;
            due = rec;
        } else {
            pp = &rec->next;
        }
    }
    pthread_mutex_unlock(&rtl_sub_lock);
    while ((rec = due) != NULL) {
        due = rec->next;
        rec->next = NULL;
        rtl_sub_end_from_main(rec);
    }
}

/* A call is over: unpin rec, and end it if the host let go of it meanwhile. [main GIL] */
static void rtl_sub_unpin(rtl_sub_t *rec)
{
    int end;
    pthread_mutex_lock(&rtl_sub_lock);
    end = --rec->busy == 0 && rec->refs == 0 && rec->where == RTL_SUB_ENDING;
    while (end && rec->exiting > 0)
        pthread_cond_wait(&rtl_sub_exited, &rtl_sub_lock);
    pthread_mutex_unlock(&rtl_sub_lock);
    if (end)
        rtl_sub_end_from_main(rec);
}

/* Thread exit (pthread key destructor): give back this thread's states in every interpreter.
 * States of records being ended are left to their ender. The last decref (or last call) of a
 * record this thread is at waits for it (`exiting`: a GIL hand-off and a state deletion) before
 * ending the interpreter, so an interpreter never ends later than that decref returns.
 * An interpreter must never be left without any thread state while it lives: CPython hands the
 * next PyThreadState_New the interpreter's built-in initial state again, and 3.12 aborts
 * ("init_threadstate: thread state already initialized") when that one was used before. So the
 * state of a thread that is the record's only one is kept, as an orphan its ender deletes. */
static void rtl_sub_thread_exit(void *marker)
{
    struct rtl_sub_thread *mine = NULL, *e, **pp;
    rtl_sub_t *rec;
    size_t i;

    (void)marker;
    pthread_mutex_lock(&rtl_sub_lock);
    if (rtl_reg.shutdown) {
        pthread_mutex_unlock(&rtl_sub_lock);
        return;
    }
    for (i = 0; i <= rtl_reg.nbuckets; i++) {
        /* every live chain, then (i == nbuckets) the parked list */
        rec = i < rtl_reg.nbuckets ? rtl_reg.buckets[i] : rtl_reg.parked;
        for (; rec != NULL; rec = rec->next) {
            for (pp = &rec->threads; (e = *pp) != NULL; pp = &e->next)
                if (!e->orphan && pthread_equal(e->owner, pthread_self()))
                    break;
            if (e == NULL)
                continue;
            if (rec->threads == e && e->next == NULL) {
                e->orphan = 1; /* the last one: kept */
                continue;
            }
            *pp = e->next;
            e->next = mine;
            mine = e;
            rec->exiting++;
        }
    }
    pthread_mutex_unlock(&rtl_sub_lock);
    for (e = mine; e != NULL; e = e->next) {
        PyEval_RestoreThread(e->ts);
        PyThreadState_Clear(e->ts);
        PyThreadState_DeleteCurrent(); /* releases that interpreter's GIL */
    }
    while ((e = mine) != NULL) {
        mine = e->next;
        rec = e->rec;
        rtl_free(e);
        pthread_mutex_lock(&rtl_sub_lock);
        rec->exiting--;
        pthread_cond_broadcast(&rtl_sub_exited);
        pthread_mutex_unlock(&rtl_sub_lock);
    }
}

/* ---- API entries ----------------------------------------------------------------------------- */

RTL_HIDDEN int rtl_enable_subinterpreters(void *st, int on)
{
    rtl_three_t *t = st;
    if (t->state != RTL_INIT_NONE) {
        rtl_set_error(t, RTL_ERR_SUB_AFTER_INIT);
        return 0;
    }
    t->sub.on = on != 0;
    if (t->sub.on) {
        pthread_mutex_lock(&rtl_sub_lock);
        if (!rtl_reg.key_made && pthread_key_create(&rtl_reg.key, rtl_sub_thread_exit) == 0)
            rtl_reg.key_made = 1;
        rtl_reg.shutdown = 0;
        pthread_mutex_unlock(&rtl_sub_lock);
        __atomic_store_n(&rtl_sub_active, 1, __ATOMIC_RELEASE);
    }
    return 1;
}

RTL_HIDDEN int rtl_check_is_isolated(void *st, rtloader_pyobject_t *check)
{
    rtl_three_t *t = st;
    int found;
    if (!rtl_ready(t))
        return -1;
    if (check == NULL) {
        rtl_set_error(t, RTL_ERR_SUB_NULL_CHECK);
        return -1;
    }
    pthread_mutex_lock(&rtl_sub_lock);
    found = rtl_reg_find(check) != NULL;
    pthread_mutex_unlock(&rtl_sub_lock);
    return found;
}

RTL_HIDDEN int rtl_sub_enter(rtl_three_t *t, rtl_sub_switch_t *sw, rtloader_pyobject_t *obj)
{
    rtl_sub_t *rec;
    PyThreadState *ts;

    sw->rec = NULL;
    if (!__atomic_load_n(&rtl_sub_active, __ATOMIC_RELAXED) || obj == NULL)
        return 0;
    pthread_mutex_lock(&rtl_sub_lock);
    if ((rec = rtl_reg_find(obj)) != NULL)
        rec->busy++;
    pthread_mutex_unlock(&rtl_sub_lock);
    if (rec == NULL)
        return 0;
    if ((ts = rtl_sub_tstate(rec)) == NULL) {
        rtl_sub_unpin(rec);
        rtl_set_error(t, RTL_ERR_NO_TSTATE);
        return -1;
    }
    sw->rec = rec;
    sw->main_ts = PyEval_SaveThread(); /* the main GIL is free from here */
    PyEval_RestoreThread(ts);          /* the check's own GIL */
    return 1;
}

RTL_HIDDEN void rtl_sub_leave(rtl_sub_switch_t *sw)
{
    if (sw->rec == NULL)
        return;
    PyEval_SaveThread();
    PyEval_RestoreThread(sw->main_ts);
    rtl_sub_unpin(sw->rec);
    sw->rec = NULL;
}

RTL_HIDDEN int rtl_sub_incref(rtloader_pyobject_t *obj)
{
    rtl_sub_t *rec;
    if (!__atomic_load_n(&rtl_sub_active, __ATOMIC_RELAXED) || obj == NULL)
        return 0;
    pthread_mutex_lock(&rtl_sub_lock);
    if ((rec = rtl_reg_find(obj)) != NULL)
        rec->refs++;
    pthread_mutex_unlock(&rtl_sub_lock);
    return rec != NULL;
}

RTL_HIDDEN int rtl_sub_decref(rtloader_pyobject_t *obj)
{
    rtl_sub_t *rec;
    int end = 0;
    if (!__atomic_load_n(&rtl_sub_active, __ATOMIC_RELAXED) || obj == NULL)
        return 0;
    pthread_mutex_lock(&rtl_sub_lock);
    if ((rec = rtl_reg_find(obj)) != NULL && --rec->refs == 0) {
        rtl_reg_remove_locked(rec); /* no later call finds it; the last one out ends it */
        rec->where = RTL_SUB_ENDING;
        end = rec->busy == 0;
        while (end && rec->exiting > 0) /* a thread exit is giving its state back: brief */
            pthread_cond_wait(&rtl_sub_exited, &rtl_sub_lock);
    }
    pthread_mutex_unlock(&rtl_sub_lock);
    if (rec == NULL)
        return 0;
    if (end) {
        rtl_sub_end_from_main(rec);
        rtl_sub_reap();
    }
    return 1;
}

/* ---- settings recorded for new interpreters ------------------------------------------------ */

RTL_HIDDEN void rtl_sub_record_attr(rtl_three_t *t, const char *module, const char *attr, PyObject *value)
{
    PyObject *key;
    if (!t->sub.on)
        return;
    if (t->sub.attrs == NULL && (t->sub.attrs = PyDict_New()) == NULL) {
        PyErr_Clear();
        return;
    }
    key = Py_BuildValue("(ss)", module, attr); /* new reference */
    if (key == NULL || PyDict_SetItem(t->sub.attrs, key, value) != 0)
        PyErr_Clear(); /* out of memory: later interpreters miss this attribute */
    Py_XDECREF(key);
}

RTL_HIDDEN void rtl_sub_destroy(rtl_three_t *t)
{
    pthread_mutex_lock(&rtl_sub_lock);
    rtl_free(t->sub.blocklist);
    t->sub.blocklist = NULL;
    if (t->sub.on)
        rtl_reg.shutdown = 1; /* live interpreters stay as they are, like upstream's */
    pthread_mutex_unlock(&rtl_sub_lock);
    if (t->state == RTL_INIT_OK) { /* destroy holds the main GIL then */
        Py_CLEAR(t->sub.attrs);
        Py_CLEAR(t->sub.reported);
    }
    t->sub.on = 0;
}

/* ---- get_check in a new interpreter -------------------------------------------------------- */

/* The pending Python error as "<prefix><Type>: <message>" (rt-owned), cleared. The last line of
 * a traceback is what a log line needs; the whole traceback would be noise there. */
static char *rtl_sub_pyerr(const char *prefix)
{
    PyObject *type = NULL, *value = NULL, *tb = NULL, *str = NULL;
    const char *msg = NULL;
    char *out;

    rtl_err_fetch(&type, &value, &tb);
    if (value != NULL && (str = PyObject_Str(value)) != NULL) /* new reference */
        msg = PyUnicode_AsUTF8(str);                          /* borrowed from str */
    PyErr_Clear();
    if (type == NULL)
        out = rtl_format("%s(no Python error)", prefix);
    else if (msg != NULL && msg[0] != '\0')
        out = rtl_format("%s%s: %s", prefix, ((PyTypeObject *)type)->tp_name, msg);
    else
        out = rtl_format("%s%s", prefix, ((PyTypeObject *)type)->tp_name);
    Py_XDECREF(str);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return out;
}

/* An error text fit for one log line: "<prefix>Traceback ...\n...\n<Type>: <msg>" (API.md §7.4)
 * becomes "<prefix><Type>: <msg>". rt-owned copy. */
static char *rtl_sub_one_line(const char *err)
{
    const char *tb = strstr(err, "Traceback (most recent call last):"), *end, *last;
    if (tb == NULL)
        return rtl_strdup(err);
    for (end = err + strlen(err); end > tb && (end[-1] == '\n' || end[-1] == ' '); end--)
        ;
    for (last = end; last > tb && last[-1] != '\n'; last--)
        ;
    return rtl_format("%.*s%.*s", (int)(tb - err), err, (int)(end - last), last);
}

/* What a new interpreter gets from the main one, copied to C memory under the main GIL (the main
 * objects may change as soon as it is released). */
struct rtl_sub_seed {
    char **paths; /* sys.path entries, file-system encoded */
    size_t npaths;
    char **attrs; /* module, attr, value (UTF-8), three per attribute */
    size_t nattrs;
};

static void rtl_seed_free(struct rtl_sub_seed *s)
{
    size_t i;
    for (i = 0; i < s->npaths; i++)
        rtl_free(s->paths[i]);
    for (i = 0; i < s->nattrs * 3; i++)
        rtl_free(s->attrs[i]);
    rtl_free(s->paths);
    rtl_free(s->attrs);
    memset(s, 0, sizeof(*s));
}

/* 1 on success; 0 with *why set (rt-owned, or NULL when out of memory). [main GIL] */
static int rtl_seed_take(rtl_three_t *t, struct rtl_sub_seed *s, char **why)
{
    PyObject *path = PySys_GetObject("path"); /* borrowed */
    PyObject *key, *value;
    Py_ssize_t i, n, pos = 0;

    memset(s, 0, sizeof(*s));
    n = path != NULL && PyList_Check(path) ? PyList_GET_SIZE(path) : 0;
    if (n > 0 && (s->paths = rtl_malloc((size_t)n * sizeof(char *))) == NULL)
        goto oom;
    for (i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(path, i); /* borrowed */
        PyObject *bytes;
        if (!PyUnicode_Check(item))
            continue;                                            /* what the import system would skip too */
        if ((bytes = PyUnicode_EncodeFSDefault(item)) == NULL) { /* new reference */
            PyErr_Clear();
            continue;
        }
        s->paths[s->npaths] = rtl_strndup(PyBytes_AS_STRING(bytes), (size_t)PyBytes_GET_SIZE(bytes));
        Py_DECREF(bytes);
        if (s->paths[s->npaths] == NULL)
            goto oom;
        s->npaths++;
    }
    n = t->sub.attrs != NULL ? PyDict_GET_SIZE(t->sub.attrs) : 0;
    if (n > 0 && (s->attrs = rtl_malloc((size_t)n * 3 * sizeof(char *))) == NULL)
        goto oom;
    while (n > 0 && PyDict_Next(t->sub.attrs, &pos, &key, &value)) { /* borrowed */
        const char *m = PyUnicode_AsUTF8(PyTuple_GET_ITEM(key, 0)), *a = PyUnicode_AsUTF8(PyTuple_GET_ITEM(key, 1));
        const char *v = PyUnicode_AsUTF8(value);
        char **slot = s->attrs + s->nattrs * 3;
        if (m == NULL || a == NULL || v == NULL) {
            PyErr_Clear();
            continue;
        }
        slot[0] = rtl_strdup(m);
        slot[1] = rtl_strdup(a);
        slot[2] = rtl_strdup(v);
        s->nattrs++;
        if (slot[0] == NULL || slot[1] == NULL || slot[2] == NULL)
            goto oom;
    }
    return 1;
oom:
    rtl_seed_free(s);
    *why = NULL;
    return 0;
}

/* sys.path and the recorded module attributes, in the new interpreter (attributes whose module
 * cannot be imported there are skipped, as upstream does). 1, or 0 with *why. [sub GIL] */
static int rtl_seed_apply(const struct rtl_sub_seed *s, char **why)
{
    PyObject *list = PyList_New((Py_ssize_t)s->npaths); /* new reference */
    size_t i;

    if (list == NULL) {
        *why = rtl_sub_pyerr("could not build sys.path: ");
        return 0;
    }
    for (i = 0; i < s->npaths; i++) {
        PyObject *p = PyUnicode_DecodeFSDefault(s->paths[i]); /* new reference */
        if (p == NULL) {
            Py_DECREF(list);
            *why = rtl_sub_pyerr("could not build sys.path: ");
            return 0;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, p); /* steals p */
    }
    if (PySys_SetObject("path", list) != 0) {
        Py_DECREF(list);
        *why = rtl_sub_pyerr("could not set sys.path: ");
        return 0;
    }
    Py_DECREF(list);
    for (i = 0; i < s->nattrs; i++) {
        char *const *a = s->attrs + i * 3;
        PyObject *mod = PyImport_ImportModule(a[0]); /* new reference */
        PyObject *val = mod != NULL ? PyUnicode_FromString(a[2]) : NULL;
        if (val == NULL || PyObject_SetAttrString(mod, a[1], val) != 0)
            PyErr_Clear();
        Py_XDECREF(val);
        Py_XDECREF(mod);
    }
    return 1;
}

/* The check class in the new interpreter: the class of that qualified name in its module when it
 * is a subclass of the base there, else the §7.1 choice. New reference, or NULL with *why. */
static PyObject *rtl_sub_class(PyObject *module, const char *modname, const char *qualname, char **why)
{
    PyObject *holder = NULL, *base = NULL, *obj;
    char *err = NULL, *name, *part, *save = NULL;

    holder = PyImport_ImportModule("datadog_checks.checks"); /* new reference */
    base = holder != NULL ? PyObject_GetAttrString(holder, "AgentCheck") : NULL;
    Py_XDECREF(holder);
    if (base == NULL) {
        *why = rtl_sub_pyerr("could not import base class: ");
        return NULL;
    }
    obj = module;
    Py_INCREF(obj);
    if ((name = rtl_strdup(qualname)) != NULL) {
        for (part = strtok_r(name, ".", &save); part != NULL && obj != NULL; part = strtok_r(NULL, ".", &save))
            Py_SETREF(obj, PyObject_GetAttrString(obj, part)); /* new reference or NULL */
        rtl_free(name);
    } else {
        Py_CLEAR(obj);
    }
    PyErr_Clear();
    if (obj != NULL && PyType_Check(obj) && obj != base
        && PyType_IsSubtype((PyTypeObject *)obj, (PyTypeObject *)base)) {
        Py_DECREF(base);
        return obj;
    }
    Py_XDECREF(obj);
    obj = rtl_find_subclass(base, module, &err);
    if (obj == NULL)
        *why = rtl_format("unable to find a subclass of the base check in module '%s': %s", modname,
                          err != NULL ? err : "");
    rtl_free(err);
    Py_DECREF(base);
    return obj;
}

struct rtl_check_args {
    const char *init_config, *instance, *agent_config;
    int deprecated;
    const char *check_id, *check_name, *provider;
};

/* Everything of get_check that runs inside the new interpreter. New reference to the check, or
 * NULL with *why. [sub GIL] */
static PyObject *rtl_sub_build(rtl_three_t *t, const struct rtl_sub_seed *seed, const char *modname,
                               const char *qualname, const struct rtl_check_args *a, char **why)
{
    PyObject *module = NULL, *klass = NULL;
    rtloader_pyobject_t *check = NULL;
    char *prior = NULL;

    if (!rtl_seed_apply(seed, why))
        return NULL;
    if ((module = PyImport_ImportModule(modname)) == NULL) { /* new reference */
        *why = rtl_sub_pyerr("");
        return NULL;
    }
    klass = rtl_sub_class(module, modname, qualname, why);
    Py_DECREF(module);
    if (klass == NULL)
        return NULL;
    /* rtl_check_new reports through the handle's error channel: a failure here is only a
     * reason to fall back, so an error the host had not read yet is kept. */
    if (rtl_has_error(t))
        prior = rtl_strdup(rtl_get_error(t));
    if (!rtl_check_new(t, klass, a->init_config, a->instance, a->agent_config, a->deprecated, a->check_id,
                       a->check_name, a->provider, &check)) {
        *why = rtl_sub_one_line(rtl_get_error(t));
        check = NULL;
    }
    if (prior != NULL)
        rtl_set_error(t, prior);
    rtl_free(prior);
    Py_DECREF(klass);
    return PY(check);
}

/* Create the interpreter, build the check there and register it. 1 on success (back on the
 * main interpreter, *check set); 0 with *why, the interpreter gone. [main GIL] */
static int rtl_sub_create(rtl_three_t *t, const struct rtl_sub_seed *seed, const char *modname, const char *qualname,
                          const struct rtl_check_args *a, rtloader_pyobject_t **check, char **why)
{
    PyInterpreterConfig config = rtl_subinterp_config();
    PyThreadState *main_ts = PyThreadState_Get(), *ts = NULL;
    struct rtl_sub_thread *e = rtl_malloc(sizeof(*e));
    rtl_sub_t *rec = rtl_malloc(sizeof(*rec));
    PyStatus status;
    PyObject *obj;

    if (e == NULL || rec == NULL || !rtl_reg_reserve()) {
        rtl_free(e);
        rtl_free(rec);
        *why = NULL;
        return 0;
    }
    memset(rec, 0, sizeof(*rec));
    /* Releases the main GIL and returns attached to the new interpreter, its GIL held. On
     * failure it is back on main_ts. */
    status = Py_NewInterpreterFromConfig(&ts, &config);
    if (PyStatus_Exception(status) || ts == NULL) {
        *why = rtl_format("could not create a sub-interpreter: %s",
                          status.err_msg != NULL ? status.err_msg : "unknown error");
        PyErr_Clear();
        rtl_reg_unreserve();
        rtl_free(e);
        rtl_free(rec);
        return 0;
    }
    rec->interp = PyThreadState_GetInterpreter(ts);
    rtl_add_thread(rec, e, ts);
    obj = rtl_sub_build(t, seed, modname, qualname, a, why);
    if (obj == NULL) {
        rec->where = RTL_SUB_ENDING;
        if (!rtl_sub_finish(rec, ts))
            rtl_reg_park(rec, RTL_SUB_RETRY_MS);
        PyEval_RestoreThread(main_ts);
        rtl_reg_unreserve();
        return 0;
    }
    rec->check = obj;
    rec->refs = 1;
    PyEval_SaveThread();
    PyEval_RestoreThread(main_ts);
    rtl_reg_insert(rec);
    *check = (rtloader_pyobject_t *)obj;
    return 1;
}

/* Reads klass.<attr> as an rt-owned UTF-8 copy, or NULL. [main GIL] */
static char *rtl_class_str(PyObject *klass, const char *attr)
{
    PyObject *v = PyObject_GetAttrString(klass, attr); /* new reference */
    const char *s = v != NULL && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
    char *copy = s != NULL ? rtl_strdup(s) : NULL;
    PyErr_Clear();
    Py_XDECREF(v);
    return copy;
}

/* The blocklist entry that matches modname (exact, or a prefix ending in '.'), as an rt-owned
 * reason, or NULL. */
static char *rtl_blocked(rtl_three_t *t, const char *modname)
{
    const char *p, *end;
    char *why = NULL;
    size_t n, m = strlen(modname);

    pthread_mutex_lock(&rtl_sub_lock);
    for (p = t->sub.blocklist; p != NULL && *p != '\0' && why == NULL; p = *end ? end + 1 : end) {
        while (*p == ' ')
            p++;
        end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        for (n = (size_t)(end - p); n > 0 && p[n - 1] == ' ';)
            n--;
        if (n > 0 && (p[n - 1] == '.' ? m >= n && strncmp(modname, p, n) == 0 : m == n && strncmp(modname, p, n) == 0))
            why = rtl_format("its module matches '%.*s' in the sub-interpreter blocklist", (int)n, p);
    }
    pthread_mutex_unlock(&rtl_sub_lock);
    return why;
}

/* Log, once per class, why it runs in the main interpreter (API.md §13.2). [main GIL] */
static void rtl_sub_report(rtl_three_t *t, const char *modname, const char *qualname, const char *why)
{
    PyObject *key;
    char *msg;
    int seen;

    if (t->sub.reported == NULL && (t->sub.reported = PySet_New(NULL)) == NULL) {
        PyErr_Clear();
        return;
    }
    key = PyUnicode_FromFormat("%s.%s", modname, qualname); /* new reference */
    seen = key == NULL ? -1 : PySet_Contains(t->sub.reported, key);
    if (seen == 0 && PySet_Add(t->sub.reported, key) == 0) {
        msg = rtl_format("check '%s.%s' runs in the main interpreter: %s", modname, qualname,
                         why != NULL ? why : "out of memory");
        rtl_log(DATADOG_AGENT_INFO, msg);
        rtl_free(msg);
    }
    PyErr_Clear();
    Py_XDECREF(key);
}

RTL_HIDDEN int rtl_sub_get_check(rtl_three_t *t, PyObject *klass, const char *init_config, const char *instance,
                                 const char *agent_config, int deprecated, const char *check_id, const char *check_name,
                                 const char *provider, rtloader_pyobject_t **check)
{
    struct rtl_check_args a;
    struct rtl_sub_seed seed;
    char *modname, *qualname, *why = NULL;
    int ok = 0;

    if (!t->sub.on)
        return -1;
    rtl_sub_reap();
    a.init_config = init_config;
    a.instance = instance;
    a.agent_config = agent_config;
    a.deprecated = deprecated;
    a.check_id = check_id;
    a.check_name = check_name;
    a.provider = provider;
    modname = rtl_class_str(klass, "__module__");
    qualname = rtl_class_str(klass, "__qualname__");
    if (modname == NULL || qualname == NULL)
        why = rtl_strdup("the class has no __module__ or __qualname__ string");
    else if ((why = rtl_blocked(t, modname)) != NULL)
        ;
    else if (rtl_seed_take(t, &seed, &why)) {
        ok = rtl_sub_create(t, &seed, modname, qualname, &a, check, &why);
        rtl_seed_free(&seed);
    }
    if (!ok) {
        /* The fallback. Logged only when the check does run in the main interpreter: a check
         * that fails there too (its constructor raises, say) gets its error as usual instead. */
        ok = rtl_check_new(t, klass, init_config, instance, agent_config, deprecated, check_id, check_name, provider,
                           check);
        if (ok)
            rtl_sub_report(t, modname ? modname : "?", qualname ? qualname : "?", why);
    }
    rtl_free(why);
    rtl_free(modname);
    rtl_free(qualname);
    return ok;
}

#endif /* RTL_HAVE_SUBINTERPRETERS */
