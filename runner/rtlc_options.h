/* rtlc_options.h: rtloader-check's command line. */
#ifndef RTLC_OPTIONS_H
#define RTLC_OPTIONS_H

#include <stddef.h>

#define RTLC_EXIT_OK 0
#define RTLC_EXIT_RUN_ERROR 1
#define RTLC_EXIT_USAGE 2
#define RTLC_EXIT_OUTPUT 3  /* stdout could not be written (message on stderr) */
#define RTLC_EXIT_EPIPE 141 /* stdout's reader went away (quiet, as a SIGPIPE death reads in a shell) */

typedef struct {
    const char *check;  /* the positional CHECK */
    const char *conf;   /* --conf FILE, or NULL to search the confd folders */
    const char **confd; /* --confd DIR (repeatable) */
    size_t nconfd;
    const char **checks_dirs; /* --checks-dir DIR (repeatable) */
    size_t nchecks_dirs;
    const char *python_home;  /* --python-home DIR; NULL: the default backend */
    long times;               /* --times N (>= 1) */
    long pause_ms;            /* --pause MS between runs */
    long instance;            /* --instance K (1-based); 0: every instance */
    int json;                 /* --json */
    int list;                 /* --list */
    int log_level;            /* --log-level, as a log_level_t value; 1000 = off */
    double timeout_s;         /* --timeout SECONDS per run; 0: none */
    const char *agent_config; /* --agent-config FILE */
    int check_rate;           /* --check-rate: two runs 1 s apart, the second shown */
    int subinterpreters;      /* --subinterpreters: each instance in a sub-interpreter of its own */
    long parallel;            /* --parallel N: instances run concurrently on N threads (>= 1) */
    char *error;              /* the usage error rtlc_options_parse returned 2 for (malloc'ed), or NULL */
    int no_obfuscator;        /* --no-obfuscator: the obfuscation callbacks fail, as before */
} rtlc_options_t;

/* Parse argv. Returns -1 to go on, 0 after printing --help, or 2 with the usage error in o->error
 * (not printed: the caller reports it, as JSON too under --json, which is honoured wherever it
 * appears). The arrays are malloc'ed; rtlc_options_free releases them. */
int rtlc_options_parse(int argc, char **argv, rtlc_options_t *o);
void rtlc_options_free(rtlc_options_t *o);
/* "debug", "info", ... for a log_level_t value. */
const char *rtlc_level_name(int level);

#endif
