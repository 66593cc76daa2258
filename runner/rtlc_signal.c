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
    struct timespec end, now;
    clock_gettime(CLOCK_MONOTONIC, &end); /* an absolute deadline: the slices do not add up drift */
    end.tv_sec += ms / 1000;
    end.tv_nsec += (ms % 1000) * 1000000L;
    if (end.tv_nsec >= 1000000000L) {
        end.tv_sec++;
        end.tv_nsec -= 1000000000L;
    }
    while (!received) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long left_ns = (long long)(end.tv_sec - now.tv_sec) * 1000000000LL + (end.tv_nsec - now.tv_nsec);
        if (left_ns <= 0)
            break;
        long long step = left_ns < RTLC_SIGNAL_POLL_MS * 1000000LL ? left_ns : RTLC_SIGNAL_POLL_MS * 1000000LL;
        struct timespec ts = {(time_t)(step / 1000000000LL), (long)(step % 1000000000LL)};
        nanosleep(&ts, NULL);
    }
    return received;
}
