/*
 * rtlc_subprocess.c: get_subprocess_output for the runner. fork + exec with three pipes (stdout,
 * stderr, and a close-on-exec pipe that carries exec's errno back), a poll loop that drains both
 * outputs so a chatty child never blocks, and a deadline after which the child's process group
 * is killed. Between fork and exec the child only makes async-signal-safe calls (the runner is
 * multi-threaded: Python and the watchdog run beside it).
 */
#define _GNU_SOURCE
#include "rtlc_subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rtlc_util.h"

typedef struct {
    char *b;
    size_t n, cap;
} buf_t;

static int buf_read(buf_t *b, int fd)
{
    if (b->cap - b->n < 4097) {
        size_t nc = b->cap ? b->cap * 2 : 8192;
        char *nb = realloc(b->b, nc);
        if (!nb)
            return -1;
        b->b = nb;
        b->cap = nc;
    }
    ssize_t r = read(fd, b->b + b->n, b->cap - b->n - 1);
    if (r > 0)
        b->n += (size_t)r;
    b->b[b->n] = '\0';
    return (int)r;
}

void rtlc_subprocess_run(char **argv, char **env, double timeout_s, char **out, char **errout, int *rc, char **exc)
{
    int po[2] = {-1, -1}, pe[2] = {-1, -1}, px[2] = {-1, -1};
    buf_t bo = {0}, be = {0};
    *out = *errout = *exc = NULL;
    *rc = 0;
    if (!argv || !argv[0]) {
        *exc = strdup("invalid command: empty list");
        return;
    }
    if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC) || pipe2(px, O_CLOEXEC)) {
        *exc = rtlc_fmt("could not create pipes for '%s': %s", argv[0], strerror(errno));
        goto cleanup;
    }
    pid_t pid = fork();
    if (pid < 0) {
        *exc = rtlc_fmt("could not fork to run '%s': %s", argv[0], strerror(errno));
        goto cleanup;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        /* restore default dispositions the runner's Python may have changed (SIGPIPE ignored) */
        signal(SIGPIPE, SIG_DFL);
        if (env && env[0])
            execvpe(argv[0], argv, env);
        else
            execvp(argv[0], argv);
        int e = errno;
        if (write(px[1], &e, sizeof(e)) < 0) {
        }
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    close(px[1]);
    po[1] = pe[1] = px[1] = -1;
    int exec_errno = 0;
    if (read(px[0], &exec_errno, sizeof(exec_errno)) == (ssize_t)sizeof(exec_errno)) {
        waitpid(pid, NULL, 0);
        *exc = rtlc_fmt("could not run '%s': %s", argv[0], strerror(exec_errno));
        goto cleanup;
    }
    double deadline = timeout_s > 0 ? rtlc_now_ms() + timeout_s * 1000.0 : 0;
    int open_o = 1, open_e = 1, timed_out = 0;
    while (open_o || open_e) {
        struct pollfd fds[2];
        int nf = 0;
        if (open_o)
            fds[nf++] = (struct pollfd){.fd = po[0], .events = POLLIN};
        if (open_e)
            fds[nf++] = (struct pollfd){.fd = pe[0], .events = POLLIN};
        int wait_ms = -1;
        if (deadline) {
            double left = deadline - rtlc_now_ms();
            if (left <= 0) {
                timed_out = 1;
                break;
            }
            wait_ms = left > 1000 ? 1000 : (int)left + 1;
        }
        int r = poll(fds, (nfds_t)nf, wait_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        for (int i = 0; i < nf; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int isout = fds[i].fd == po[0];
            int got = buf_read(isout ? &bo : &be, fds[i].fd);
            if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
                if (isout)
                    open_o = 0;
                else
                    open_e = 0;
            }
        }
    }
    if (timed_out)
        kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        *exc = rtlc_fmt("command '%s' timed out after %g s and was killed", argv[0], timeout_s);
        goto cleanup;
    }
    *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    *out = bo.b ? bo.b : strdup("");
    *errout = be.b ? be.b : strdup("");
    bo.b = be.b = NULL;
cleanup:
    for (int i = 0; i < 2; i++) {
        if (po[i] >= 0)
            close(po[i]);
        if (pe[i] >= 0)
            close(pe[i]);
        if (px[i] >= 0)
            close(px[i]);
    }
    free(bo.b);
    free(be.b);
}
