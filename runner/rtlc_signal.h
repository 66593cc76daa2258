/*
 * rtlc_signal.h: SIGINT and SIGTERM stop the runner promptly.
 *
 * Python's own SIGINT handler only acts on the interpreter's main thread, which in the runner
 * waits in C for the worker running the check: the KeyboardInterrupt would fire much later, in the
 * next instance's constructor. So after init the runner installs its own handler, which only
 * records the signal; the waits (rtlc_run_once, the pauses) look at it at least every
 * RTLC_SIGNAL_POLL_MS, cancel the running check and the runner exits with 128 + the signal number
 * (130 / 143). A second signal exits at once.
 */
#ifndef RTLC_SIGNAL_H
#define RTLC_SIGNAL_H

#define RTLC_SIGNAL_POLL_MS 50

/* Install the handlers for SIGINT and SIGTERM (after rtloader's init, which installs Python's). */
void rtlc_signal_install(void);
/* The signal received (SIGINT / SIGTERM), or 0. */
int rtlc_signal_received(void);
/* Sleep `ms` milliseconds, or less when a signal arrives. Returns rtlc_signal_received(). */
int rtlc_signal_sleep_ms(long ms);

#endif
