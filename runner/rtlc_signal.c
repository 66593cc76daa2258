/* rtlc_signal.c: SIGINT / SIGTERM handling for the runner (see rtlc_signal.h). */
#define _GNU_SOURCE
#include "rtlc_signal.h"

#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t received;

static void on_signal(int sig)
{
    if (received) /* the second one: the user insists */
        _exit(128 + sig);
    received = sig;
}

void rtlc_signal_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* the check's system calls go on; the waits poll */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int rtlc_signal_received(void)
{
    return received;
}

int rtlc_signal_sleep_ms(long ms)
{
    while (ms > 0 && !received) {
        long step = ms < RTLC_SIGNAL_POLL_MS ? ms : RTLC_SIGNAL_POLL_MS;
        struct timespec ts = {step / 1000, (step % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return received;
}
