/*
 * rtlc_subprocess.c: get_subprocess_output for the runner. fork + exec with three pipes (stdout,
 * stderr, and a close-on-exec pipe that carries exec's errno back), a poll loop that drains both
 * outputs so a chatty child never blocks, and a deadline after which the child's process group
 * is killed; so is it when SIGINT/SIGTERM stops the runner (the loop wakes every
 * RTLC_SIGNAL_POLL_MS to look), so that a check waiting for a long command can stop in time and
 * no command outlives the runner.
 *
 * The runner is multi-threaded (Python, the check's threads, the watchdog): between fork and exec
 * the child may only make async-signal-safe calls. So everything that may allocate or read shared
 * state is done before fork: the program is looked up on PATH here (execvp may allocate and is
 * not async-signal-safe), argv, the environment and the /bin/sh argv for a file without a #! line
 * (execvp's ENOEXEC fallback) are ready, and the child calls only setpgid, open, dup2, signal,
 * execve, write and _exit. The child is put in its own process group by both
 * sides (the classic race-free pattern), so a timeout's kill(-pid) always finds the group.
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

#include "rtlc_signal.h"
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

/* The file execvp would run for `name`: itself when it holds a '/', else the first executable
 * regular file NAME in the runner's PATH (as execvp, whatever the child's environment). Returns a
 * malloc'ed path, or NULL with *err = ENOENT / EACCES (as execvp reports). */
static char *resolve_program(const char *name, int *err)
{
    *err = ENOMEM;
    if (strchr(name, '/'))
        return strdup(name);
    const char *path = getenv("PATH");
    char *dirs = strdup(path && path[0] ? path : "/bin:/usr/bin"), *found = NULL;
    *err = ENOENT;
    if (!dirs) {
        *err = ENOMEM;
        return NULL;
    }
    /* split by hand: an empty entry means the current folder (strtok_r would skip it) */
    for (char *d = dirs, *next; d && !found; d = next) {
        next = strchr(d, ':');
        if (next)
            *next++ = '\0';
        char *cand = rtlc_fmt("%s/%s", d[0] ? d : ".", name);
        if (rtlc_is_file(cand)) {
            if (access(cand, X_OK) == 0)
                found = cand;
            else
                *err = EACCES;
        }
        if (!found)
            free(cand);
    }
    free(dirs);
    return found;
}

void rtlc_subprocess_run(char **argv, char **env, double timeout_s, char **out, char **errout, int *rc, char **exc)
{
    int po[2] = {-1, -1}, pe[2] = {-1, -1}, px[2] = {-1, -1}, lookup_err = 0;
    buf_t bo = {0}, be = {0};
    char *program = NULL, **sh_argv = NULL;
    extern char **environ;
    char **envp = env && env[0] ? env : environ;
    *out = *errout = *exc = NULL;
    *rc = 0;
    if (!argv || !argv[0]) {
        *exc = strdup("invalid command: empty list");
        return;
    }
    if (!(program = resolve_program(argv[0], &lookup_err))) {
        *exc = rtlc_fmt("could not run '%s': %s", argv[0], strerror(lookup_err));
        return;
    }
    /* execvp runs a file without a #! line with /bin/sh: the same, prepared before fork */
    size_t argc = 0;
    while (argv[argc])
        argc++;
    sh_argv = calloc(argc + 2, sizeof(char *));
    if (!sh_argv) {
        *exc = rtlc_fmt("could not run '%s': %s", argv[0], strerror(ENOMEM));
        goto cleanup;
    }
    sh_argv[0] = (char *)"/bin/sh";
    sh_argv[1] = program;
    for (size_t i = 1; i < argc; i++)
        sh_argv[i + 1] = argv[i];
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
        execve(program, argv, envp);
        if (errno == ENOEXEC)
            execve("/bin/sh", sh_argv, envp);
        int e = errno;
        if (write(px[1], &e, sizeof(e)) < 0) {
        }
        _exit(127);
    }
    setpgid(pid, pid); /* also here: the group exists whichever side runs first (EACCES once it exec'ed: fine) */
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
    int open_o = 1, open_e = 1, timed_out = 0, interrupted = 0;
    while (open_o || open_e) {
        struct pollfd fds[2];
        int nf = 0;
        if (open_o)
            fds[nf++] = (struct pollfd){.fd = po[0], .events = POLLIN};
        if (open_e)
            fds[nf++] = (struct pollfd){.fd = pe[0], .events = POLLIN};
        int wait_ms = RTLC_SIGNAL_POLL_MS;
        if (rtlc_signal_received()) { /* the runner is stopping: so does the command */
            interrupted = 1;
            break;
        }
        if (deadline) {
            double left = deadline - rtlc_now_ms();
            if (left <= 0) {
                timed_out = 1;
                break;
            }
            if (left < wait_ms)
                wait_ms = (int)left + 1;
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
    if (timed_out || interrupted)
        kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        *exc = rtlc_fmt("command '%s' timed out after %g s and was killed", argv[0], timeout_s);
        goto cleanup;
    }
    if (interrupted) {
        *exc = rtlc_fmt("command '%s' was killed: rtloader-check is stopping (%s)", argv[0],
                        strsignal(rtlc_signal_received()));
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
    free(program);
    free(sh_argv);
}
