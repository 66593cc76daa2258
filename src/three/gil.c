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
 * reused as it is; we never own its state.
 *
 * Reclaiming: states we created are registered with a pthread key whose destructor runs when the
 * thread exits; it takes the GIL, clears the state and deletes it. The number of live states is
 * thus bounded by the number of live threads. After destroy() (the destroying thread keeps the GIL
 * forever) the destructor does nothing, as it could never get the GIL.
 *
 * The per-thread cache is a C thread-local in the initial-exec model: reading it costs no call
 * (the default model of a dlopened library goes through __tls_get_addr), and it lives in static
 * TLS, not in a block glibc mallocs per thread and frees from whichever thread later recycles
 * the dead thread's stack (under a glibc-internal lock ThreadSanitizer cannot see, so every such
 * free was reported as a race with the dead thread's last read). It takes 8 bytes of the surplus
 * glibc keeps for dlopened initial-exec variables.
 */
#include <pthread.h>

#include "pycompat.h"
#include "three.h"

static __thread PyThreadState *rtl_thread_ts __attribute__((tls_model("initial-exec")));
static pthread_key_t rtl_ts_key;
static int rtl_shutting_down;

static void rtl_ts_reclaim(void *p)
{
    PyThreadState *ts = p;
    if (ts == NULL || __atomic_load_n(&rtl_shutting_down, __ATOMIC_ACQUIRE))
        return;
    /* Not PyGILState_Release: glibc has already cleared Python's own thread-specific slot for
     * this thread (it clears every key before calling destructors), so the PyGILState API no
     * longer finds the state. Attach it explicitly, clear it, delete it (releases the GIL). */
    PyEval_RestoreThread(ts);
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
}

RTL_HIDDEN void rtl_gil_init(void)
{
    pthread_key_create(&rtl_ts_key, rtl_ts_reclaim);
}

RTL_HIDDEN void rtl_gil_shutdown(void)
{
    __atomic_store_n(&rtl_shutting_down, 1, __ATOMIC_RELEASE);
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
    }
    if (rtl_tstate_unchecked() == ts)
        return DATADOG_AGENT_RTLOADER_GIL_LOCKED; /* nested: this thread holds the GIL already */
    PyEval_RestoreThread(ts);
    return DATADOG_AGENT_RTLOADER_GIL_UNLOCKED;
}

RTL_HIDDEN void rtl_release_gil(void *st, rtloader_gilstate_t state)
{
    rtl_three_t *t = st;
    if (t->state != RTL_INIT_OK || state == DATADOG_AGENT_RTLOADER_GIL_LOCKED)
        return;
    /* Only release what this thread holds with its own state. */
    if (rtl_thread_ts != NULL && rtl_tstate_unchecked() == rtl_thread_ts)
        PyEval_SaveThread();
}
