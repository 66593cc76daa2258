/* rtlc_run.h: starting rtloader, loading the check class and running one check on a worker thread
 * under a deadline. */
#ifndef RTLC_RUN_H
#define RTLC_RUN_H

#include <jansson.h>

#include "datadog_agent_rtloader.h"
#include "rtlc_options.h"

/* make3 with the Python chosen by --python-home, callbacks, sys.path (checks folders, then the
 * bundled base, last so that an installed datadog_checks_base wins), init, the SIGINT/SIGTERM
 * handlers (rtlc_signal.h), and the checks folders exported to PYTHONPATH for the check's child
 * processes. Returns the handle, or NULL with *err. *pyinfo receives "version | sys.path"
 * (malloc'ed) on success. */
rtloader_t *rtlc_start(const rtlc_options_t *o, char **pyinfo, char **err);

/* Which datadog_checks.base Python imports: {"module", "version", "file", "bundled"} or {"module",
 * "error"} (new reference). The caller holds no GIL. */
json_t *rtlc_probe_base(rtloader_t *rt);

/* Under the GIL: the class of check `name` (datadog_checks.NAME, then NAME). On failure *err
 * says what was tried and where. *version / *file: the module's __version__ / __file__ or NULL. */
int rtlc_load_class(rtloader_t *rt, const char *name, const char *pyinfo, const rtlc_options_t *o,
                    rtloader_pyobject_t **klass, char **version, char **file, char **err);

typedef enum {
    RTLC_RUN_OK,
    RTLC_RUN_ERROR,
    RTLC_RUN_TIMEOUT,
    RTLC_RUN_STUCK,      /* cancelled (timeout or signal) and still running: the caller must exit */
    RTLC_RUN_INTERRUPTED /* SIGINT/SIGTERM arrived: cancelled, and it stopped */
} rtlc_run_status_t;

typedef struct {
    rtlc_run_status_t status;
    char *result;    /* run_check's string ("" or the JSON error list), malloc'ed, or NULL */
    char *error;     /* rtloader error or timeout text, malloc'ed, or NULL */
    char **warnings; /* malloc'ed NULL-terminated list of malloc'ed strings, or NULL */
    double duration_ms;
    double started_ms; /* rtlc_now_ms() when the run started */
} rtlc_run_result_t;

/* Run `check` once on a fresh thread (GIL taken there with ensure_gil). With timeout_s > 0, a run
 * still going at the deadline is cancelled (cancel_check, from another thread, under the GIL):
 * RTLC_RUN_TIMEOUT if it then stops within the grace period, RTLC_RUN_STUCK if it does not (the
 * thread is abandoned; the caller should report and exit). SIGINT/SIGTERM (rtlc_signal.h) cancel
 * it the same way, with a grace period short enough to exit within about a second:
 * RTLC_RUN_INTERRUPTED, or RTLC_RUN_STUCK. The caller holds no GIL. Thread-safe: several runs of
 * different check objects may go on at once. */
void rtlc_run_once(rtloader_t *rt, rtloader_pyobject_t *check, double timeout_s, rtlc_run_result_t *r);
void rtlc_run_result_free(rtlc_run_result_t *r);

#endif
