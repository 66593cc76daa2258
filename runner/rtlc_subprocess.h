/* rtlc_subprocess.h: run a command the way the Agent host runs get_subprocess_output. */
#ifndef RTLC_SUBPROCESS_H
#define RTLC_SUBPROCESS_H

/* Run argv (NULL-terminated, argv[0] searched on PATH). env: NULL or empty to inherit the
 * runner's environment, else exactly these "K=V" entries. Captures stdout and stderr completely.
 * timeout_s > 0 kills the process group when exceeded. On success *out and *errout are malloc'ed
 * strings and *rc the exit code (-1 when killed by a signal). On failure only *exc is set
 * (malloc'ed message). */
void rtlc_subprocess_run(char **argv, char **env, double timeout_s, char **out, char **errout, int *rc, char **exc);

#endif
