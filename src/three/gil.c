/*
 * gil.c: ensure_gil/release_gil with one persistent PyThreadState per OS thread (API.md §3.3,
 * §12.1; DESIGN.md "Threads and the GIL").
 *
 * Upstream wraps PyGILState_Ensure/Release: on a thread Python does not know, every cycle creates
 * a thread state and tears it down again, so each Go call pays for interpreter bookkeeping and
 * Python code sees a "new thread" each time. Here a thread's state is created on its first
 * ensure_gil, by PyGILState_Ensure itself, and that outermost PyGILState hold is simply never
 * released. Consequences, all intended:
 *   - the state is registered as the thread's PyGILState state, so PyGILState_Ensure calls made
 *     by builtins or C extensions during a cycle find it (never two states for one thread), and
 *     their nesting counter never drops to zero, so they can never delete it;
 *   - a later cycle is PyEval_RestoreThread / PyEval_SaveThread: a lock hand-off, no allocation;
 *   - threading.get_ident() and threading.local() values persist across cycles.
 * A thread that Python already knows (the thread that ran init, a thread started by Python) is
 * reused as it is; we never own its state. The init thread's state (the main state, which lives
 * forever: no Py_Finalize) is still registered, tagged, so that if that thread exits holding the
 * GIL with it, the GIL is released (the state itself stays, for destroy).
 *
 * Reclaiming: states we created are registered with a pthread key whose destructor runs on the
 * thread itself when it exits. Two cases (issue 11 item 3):
 *   - the thread does not hold the GIL (the normal case): take it with the state, clear the
 *     state, delete it (which releases the GIL);
 *   - the thread exits holding the GIL with its state attached (ensure_gil without release_gil:
 *     a Go goroutine that dies locked to its OS thread does this): re-attaching would deadlock on
 *     a GIL we hold (3.8-3.12) or abort (3.13: "non-NULL old thread state"), so the state is
 *     cleared and deleted as the current one, which releases the GIL for the other threads.
 * The number of live states is thus bounded by the number of live threads.
 *
 * destroy() takes the GIL for good. A reclaim must never wait for it then, or its thread blocks
 * forever in pthread_exit. destroy first takes the GIL, then sets rtl_shutting_down, then lets
 * every reclaim already committed to waiting (counted in rtl_reclaiming) pass through, by
 * releasing the GIL briefly until none is left; a reclaim that starts later sees the flag and
 * leaves its state alone. The flag is set only once destroy holds the GIL: a thread that exits
 * holding it must still be able to release it, or destroy itself would wait forever. The counter
 * and the flag form a Dekker pair (each side writes its own, then reads the other's, both
 * sequentially consistent), so at least one side sees the other.
 *
 * The per-thread cache is a C thread-local in the initial-exec model: reading it costs no call
 * (the default model of a dlopened library goes through __tls_get_addr), and it lives in static
 * TLS, not in a block glibc mallocs per thread and frees from whichever thread later recycles
 * the dead thread's stack (under a glibc-internal lock ThreadSanitizer cannot see, so every such
 * free was reported as a race with the dead thread's last read). It takes 8 bytes of the surplus
 * glibc keeps for dlopened initial-exec variables.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#include "pycompat.h"
#include "three.h"

static __thread PyThreadState *rtl_thread_ts __attribute__((tls_model("initial-exec")));
/* This thread holds the GIL through ensure_gil with the main state. Needed because before 3.12
 * "current == main state" does not tell which thread holds it (destroy attaches the main state on
 * whichever thread calls it). */
static __thread int rtl_thread_holds_main __attribute__((tls_model("initial-exec")));
static pthread_key_t rtl_ts_key;
static int rtl_shutting_down;          /* set by destroy once it holds the GIL for good */
static int rtl_reclaiming;             /* reclaims past the shutdown check, which may be waiting for the GIL */
static PyThreadState *rtl_main_ts;     /* the init thread's state (Python's own, never deleted) */
#define RTL_TS_BORROWED ((uintptr_t)1) /* key value tag: a state we do not own (the main state) */

/* Clears and deletes ts, the state attached on the calling thread, which holds the GIL with it;
 * returns with the GIL released. */
static void rtl_ts_delete_current(PyThreadState *ts)
{
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
}

static void rtl_ts_reclaim(void *p)
{
    PyThreadState *ts = (PyThreadState *)((uintptr_t)p & ~RTL_TS_BORROWED);
    PyThreadState *current;

    if (ts == NULL)
        return;
    /* Not PyGILState_Release: glibc has already cleared Python's own thread-specific slot for
     * this thread (it clears every key before calling destructors), so the PyGILState API no
     * longer finds the state. */
    current = rtl_tstate_unchecked();
    if ((uintptr_t)p & RTL_TS_BORROWED) {
        /* The main state: if this thread exits holding the GIL with it, detach it (it stays for
         * destroy) and so release the GIL; otherwise there is nothing of ours to do. */
        if (rtl_thread_holds_main && current == ts)
            PyEval_SaveThread();
        return;
    }
    if (current == ts) {
        /* Exiting while holding the GIL. Released even after destroy (whose thread this then is):
         * a GIL owned by a dead thread would block every other thread forever. */
        rtl_ts_delete_current(ts);
        return;
    }
    if (RTL_TSTATE_CURRENT_IS_PER_THREAD && current != NULL) {
        /* This thread holds the GIL with another state (the destroying thread, with the main
         * state): attaching ts would abort. Leave ts; the process is going away. */
        return;
    }
    __atomic_add_fetch(&rtl_reclaiming, 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&rtl_shutting_down, __ATOMIC_SEQ_CST)) {
        PyEval_RestoreThread(ts); /* destroy lets us through: see the design note */
        rtl_ts_delete_current(ts);
    }
    __atomic_sub_fetch(&rtl_reclaiming, 1, __ATOMIC_SEQ_CST);
}

RTL_HIDDEN void rtl_gil_init(void)
{
    rtl_main_ts = PyThreadState_Get(); /* init's thread holds the GIL with the main state */
    pthread_key_create(&rtl_ts_key, rtl_ts_reclaim);
}

RTL_HIDDEN void rtl_gil_shutdown(void)
{
    __atomic_store_n(&rtl_shutting_down, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&rtl_reclaiming, __ATOMIC_SEQ_CST) > 0) {
        /* A committed reclaim waits for the GIL: hand it over, then take it back. */
        Py_BEGIN_ALLOW_THREADS
            sched_yield();
        Py_END_ALLOW_THREADS
    }
}

RTL_HIDDEN rtloader_gilstate_t rtl_ensure_gil(void *st)
{
    PyThreadState *ts = rtl_thread_ts;

    if (!rtl_ready((rtl_three_t *)st))
        return DATADOG_AGENT_RTLOADER_GIL_UNLOCKED;
    if (ts == NULL) {
        ts = PyGILState_GetThisThreadState(); /* borrowed: a state Python made for this thread */
        if (ts == NULL) {
            /* First cycle on a thread Python has never seen: create its state and keep the
             * outermost hold forever (see the design note). Returns holding the GIL. */
            PyGILState_Ensure();
            rtl_thread_ts = PyThreadState_Get();
            pthread_setspecific(rtl_ts_key, rtl_thread_ts);
            return DATADOG_AGENT_RTLOADER_GIL_UNLOCKED;
        }
        rtl_thread_ts = ts;
        if (ts == rtl_main_ts) /* see the design note; other borrowed states may be deleted by Python */
            pthread_setspecific(rtl_ts_key, (void *)((uintptr_t)ts | RTL_TS_BORROWED));
    }
    if (rtl_tstate_unchecked() == ts)
        return DATADOG_AGENT_RTLOADER_GIL_LOCKED; /* nested: this thread holds the GIL already */
    PyEval_RestoreThread(ts);
    rtl_thread_holds_main = (ts == rtl_main_ts);
    return DATADOG_AGENT_RTLOADER_GIL_UNLOCKED;
}

RTL_HIDDEN void rtl_release_gil(void *st, rtloader_gilstate_t state)
{
    rtl_three_t *t = st;
    if (t->state != RTL_INIT_OK || state == DATADOG_AGENT_RTLOADER_GIL_LOCKED)
        return;
    /* Only release what this thread holds with its own state. */
    if (rtl_thread_ts != NULL && rtl_tstate_unchecked() == rtl_thread_ts) {
        rtl_thread_holds_main = 0;
        PyEval_SaveThread();
    }
}
