/*
 * crash.c: handle_crashes (API.md §8), POSIX only.
 *
 * A SIGSEGV inside C code called from Go would otherwise reach Go's handler, which can only say
 * "signal arrived during cgo execution" and print goroutines: the C frames are lost. This handler
 * prints the raw C return addresses first and then gives the fault back to the previous handler
 * (Go's), so the usual goroutine dump and exit code follow.
 *
 * Shape, and why:
 *   - it runs on a dedicated alternate stack (SA_ONSTACK), because a stack overflow is a SIGSEGV
 *     too and the faulting stack is then unusable; the lowest page of that stack is a PROT_NONE
 *     guard so that an overflow of the handler itself faults instead of scribbling;
 *   - it uses only async-signal-safe calls: write(2), backtrace() (its libgcc_s is loaded once
 *     at install time, outside signal context), sigaction, kill. No malloc, no stdio, no locks;
 *   - for a fault raised by the kernel (si_code > 0) it restores the previous action and returns:
 *     the instruction faults again and the kernel delivers it to Go's handler with a genuine
 *     context. For a signal sent with kill() there is no instruction to re-run, so it calls the
 *     previous handler directly;
 *   - installation is idempotent: a second call never records our own handler as "previous",
 *     which would make the handler chain to itself forever (§11 item 7).
 */
#ifndef _WIN32
#    include <errno.h>
#    include <signal.h>
#    include <stdio.h>
#    include <string.h>
#    include <sys/mman.h>
#    include <sys/resource.h>
#    include <unistd.h>
#    ifdef HAS_BACKTRACE_LIB
#        include <execinfo.h>
#    endif

#    define RTLOADER_NO_RAW_MALLOC
#    include "datadog_agent_rtloader.h"
#    include "rtloader_mem.h"

#    ifndef MAP_ANONYMOUS
#        define MAP_ANONYMOUS MAP_ANON
#    endif
#    ifndef MAP_STACK
#        define MAP_STACK 0
#    endif

#    define RTL_ALTSTACK_SIZE (64 * 1024)
#    define RTL_MAX_FRAMES 500

static struct sigaction rtl_prev_action;
static volatile sig_atomic_t rtl_handler_installed;
static int rtl_altstack_ready;

static void rtl_write(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

static void rtl_write_str(const char *s)
{
    rtl_write(s, strlen(s));
}

/* Formats v in decimal (base 10) or lowercase hex (base 16) without any library call. */
static void rtl_write_num(unsigned long v, unsigned base)
{
    char buf[32];
    int i = (int)sizeof(buf);
    do {
        buf[--i] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0 && i > 0);
    rtl_write(buf + i, sizeof(buf) - (size_t)i);
}

static void rtl_chain(int sig, siginfo_t *info, void *ctx)
{
    if ((rtl_prev_action.sa_flags & SA_SIGINFO) && rtl_prev_action.sa_sigaction != NULL) {
        rtl_prev_action.sa_sigaction(sig, info, ctx);
        return;
    }
    if (!(rtl_prev_action.sa_flags & SA_SIGINFO) && rtl_prev_action.sa_handler != SIG_DFL
        && rtl_prev_action.sa_handler != SIG_IGN) {
        rtl_prev_action.sa_handler(sig);
        return;
    }
    rtl_write_str("Received SIGSEGV and no handler to chain to. Aborting.\n");
    kill(getpid(), SIGABRT);
}

static void rtl_crash_handler(int sig, siginfo_t *info, void *ctx)
{
#    ifdef HAS_BACKTRACE_LIB
    void *frames[RTL_MAX_FRAMES];
    int n = backtrace(frames, RTL_MAX_FRAMES);
    int i;
#    endif
    int prev_ignored = !(rtl_prev_action.sa_flags & SA_SIGINFO) && rtl_prev_action.sa_handler == SIG_IGN;

    rtl_write_str("HANDLER CAUGHT signal ");
    rtl_write_num((unsigned long)sig, 10);
    rtl_write_str("\n");
#    ifdef HAS_BACKTRACE_LIB
    rtl_write_str("C-LAND STACKTRACE (raw addresses; symbolize offline):\n");
    for (i = 0; i < n; i++) {
        rtl_write_str("  0x");
        rtl_write_num((unsigned long)frames[i], 16);
        rtl_write_str("\n");
    }
#    endif

    if (info != NULL && info->si_code > 0 && !prev_ignored) {
        /* Kernel fault: hand the re-executed fault to the previous handler. */
        if (sigaction(SIGSEGV, &rtl_prev_action, NULL) == 0) {
            rtl_handler_installed = 0;
            return;
        }
        rtl_write_str("unable to restore the previous handler, chaining directly\n");
    }
    rtl_chain(sig, info, ctx);
}

/* Sets *error to "<what>: <strerror(errnum)>" (a _malloc'ed message). */
static int rtl_crash_fail(char **error, const char *what, int errnum)
{
    const char *reason = strerror(errnum);
    size_t n = strlen(what) + strlen(reason) + 3;
    if (error != NULL) {
        *error = _malloc(n);
        if (*error != NULL)
            snprintf(*error, n, "%s: %s", what, reason);
    }
    return 0;
}

static int rtl_setup_altstack(char **error)
{
    long page = sysconf(_SC_PAGESIZE);
    stack_t ss;
    char *mem;

    if (page <= 0)
        return rtl_crash_fail(error, "unable to determine the page size", errno);
    mem = mmap(NULL, RTL_ALTSTACK_SIZE + (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
               -1, 0);
    if (mem == MAP_FAILED)
        return rtl_crash_fail(error, "unable to allocate alternate stack", errno);
    if (mprotect(mem, (size_t)page, PROT_NONE) != 0) {
        int e = errno;
        munmap(mem, RTL_ALTSTACK_SIZE + (size_t)page);
        return rtl_crash_fail(error, "unable to set up the alternate stack guard page", e);
    }
    memset(&ss, 0, sizeof(ss));
    ss.ss_sp = mem + page;
    ss.ss_size = RTL_ALTSTACK_SIZE;
    ss.ss_flags = 0;
    /* Affects the calling thread only; Go's threads have alternate stacks of their own. The
     * mapping is never freed: the handler may run at any time until the process dies. */
    if (sigaltstack(&ss, NULL) != 0) {
        /* e.g. EPERM: called from a handler running on another alternate stack */
        int e = errno;
        munmap(mem, RTL_ALTSTACK_SIZE + (size_t)page);
        return rtl_crash_fail(error, "unable to set alternate stack", e);
    }
    rtl_altstack_ready = 1;
    return 1;
}

DATADOG_AGENT_RTLOADER_API int handle_crashes(const int enable_coredump, const int enable_stacktrace, char **error)
{
    if (enable_coredump) {
        struct rlimit lim;
        lim.rlim_cur = RLIM_INFINITY;
        lim.rlim_max = RLIM_INFINITY;
        if (setrlimit(RLIMIT_CORE, &lim) != 0)
            return rtl_crash_fail(error, "unable to enable core dump", errno);
    }
    if (!enable_stacktrace)
        return 1;

    if (!rtl_altstack_ready && !rtl_setup_altstack(error))
        return 0;
#    ifdef HAS_BACKTRACE_LIB
    {
        /* Loads libgcc_s now, so that the handler's backtrace() never calls the loader. */
        void *warm[2];
        (void)backtrace(warm, 2);
    }
#    endif
    if (!rtl_handler_installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sa.sa_sigaction = rtl_crash_handler;
        if (sigaction(SIGSEGV, &sa, &rtl_prev_action) != 0)
            return rtl_crash_fail(error, "unable to set crash handler", errno);
        rtl_handler_installed = 1;
    }
    return 1;
}
#endif /* _WIN32 */
