/* rtlc_options.c: rtloader-check's command line (getopt_long, long options only). */
#define _GNU_SOURCE
#include "rtlc_options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rtlc_util.h"
#include "rtloader_types.h"

#define DEFAULT_TIMEOUT_S 30.0

static const char *const default_confd[] = {"conf.d", "/etc/datadog-agent/conf.d"};
static const char *const default_checksd[] = {"checks.d", "/etc/datadog-agent/checks.d"};

static const struct {
    const char *name;
    int level;
} levels[] = {
    {"trace", DATADOG_AGENT_TRACE},       {"debug", DATADOG_AGENT_DEBUG},
    {"info", DATADOG_AGENT_INFO},         {"warn", DATADOG_AGENT_WARNING},
    {"warning", DATADOG_AGENT_WARNING},   {"error", DATADOG_AGENT_ERROR},
    {"critical", DATADOG_AGENT_CRITICAL}, {"off", 1000},
};

const char *rtlc_level_name(int level)
{
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (levels[i].level == level)
            return levels[i].name;
    return "info";
}

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s [options] CHECK\n"
            "       %s --list [options]\n"
            "\n"
            "Run the Python check CHECK once per configured instance, exactly as the Datadog Agent does\n"
            "through rtloader (datadog_checks.CHECK first, then a module CHECK on the checks folders),\n"
            "and print everything it submitted, then a summary per instance.\n"
            "\n"
            "options:\n"
            "  --conf FILE          configuration file (default: search CONFD/CHECK.d/conf.yaml,\n"
            "                       then CONFD/CHECK.yaml, under each --confd)\n"
            "  --confd DIR          configuration folder; repeatable (default: conf.d,\n"
            "                       /etc/datadog-agent/conf.d)\n"
            "  --checks-dir DIR     folder of custom checks, added to sys.path; repeatable\n"
            "                       (default: checks.d, /etc/datadog-agent/checks.d, when present)\n"
            "  --python-home DIR    Python installation to use (default: the default backend's,\n"
            "                       /usr/bin/python3)\n"
            "  --times N            run each instance N times (default: 1)\n"
            "  --pause MS           pause between runs, in milliseconds (default: 0)\n"
            "  --instance K         run only the K-th instance, counted from 1 (default: all)\n"
            "  --timeout SECONDS    cancel a run that lasts longer (default: %g; 0: never)\n"
            "  --agent-config FILE  YAML answering datadog_agent.get_config (default: none)\n"
            "  --check-rate         run each instance twice, 1 s apart, and show the second run\n"
            "                       (rates and monotonic counts computed from the two)\n"
            "  --subinterpreters    run each instance in a sub-interpreter with its own GIL\n"
            "                       (Python 3.12+; a check that cannot falls back to the main one)\n"
            "  --parallel N         run up to N instances at once, on N threads (default: 1)\n"
            "  --json               print one JSON document on stdout instead of text\n"
            "  --list               list the installed integrations and the checks found\n"
            "  --no-obfuscator      datadog_agent.obfuscate_sql and friends fail instead of\n"
            "                       obfuscating (default: the runner's obfuscator, like the Agent's)\n"
            "  --log-level LEVEL    trace, debug, info, warning, error, critical, off: the lowest\n"
            "                       level of check log messages shown on stderr (default: info)\n"
            "  --help               this text\n"
            "\n"
            "exit status: 0 every run succeeded, 1 a run reported an error (or timed out),\n"
            "             2 usage or configuration error, 3 the output could not be written,\n"
            "             130/143 stopped by SIGINT/SIGTERM (141: stdout closed by its reader)\n",
            prog, prog, DEFAULT_TIMEOUT_S);
}

static int usage_error(rtlc_options_t *o, const char *fmt, const char *arg)
{
    free(o->error);
    o->error = rtlc_fmt(fmt, arg);
    return RTLC_EXIT_USAGE;
}

static int parse_long(const char *s, long min, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min)
        return 0;
    *out = v;
    return 1;
}

static int push(const char ***arr, size_t *n, const char *s)
{
    const char **na = realloc(*arr, (*n + 1) * sizeof(char *));
    if (!na)
        return 0;
    na[(*n)++] = s;
    *arr = na;
    return 1;
}

int rtlc_options_parse(int argc, char **argv, rtlc_options_t *o)
{
    enum {
        O_CONF = 256,
        O_CONFD,
        O_CHECKS,
        O_HOME,
        O_TIMES,
        O_PAUSE,
        O_INSTANCE,
        O_JSON,
        O_LIST,
        O_LOG,
        O_TIMEOUT,
        O_AGENT,
        O_CHECK_RATE,
        O_SUBINTERP,
        O_PARALLEL,
        O_NO_OBFUSCATOR,
        O_HELP
    };
    static const struct option opts[] = {
        {"conf", required_argument, NULL, O_CONF},
        {"confd", required_argument, NULL, O_CONFD},
        {"checks-dir", required_argument, NULL, O_CHECKS},
        {"python-home", required_argument, NULL, O_HOME},
        {"times", required_argument, NULL, O_TIMES},
        {"pause", required_argument, NULL, O_PAUSE},
        {"instance", required_argument, NULL, O_INSTANCE},
        {"json", no_argument, NULL, O_JSON},
        {"list", no_argument, NULL, O_LIST},
        {"log-level", required_argument, NULL, O_LOG},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"agent-config", required_argument, NULL, O_AGENT},
        {"check-rate", no_argument, NULL, O_CHECK_RATE},
        {"subinterpreters", no_argument, NULL, O_SUBINTERP},
        {"parallel", required_argument, NULL, O_PARALLEL},
        {"no-obfuscator", no_argument, NULL, O_NO_OBFUSCATOR},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *prog = argv[0] ? argv[0] : "rtloader-check";
    memset(o, 0, sizeof(*o));
    o->times = 1;
    o->parallel = 1;
    o->log_level = DATADOG_AGENT_INFO;
    o->timeout_s = DEFAULT_TIMEOUT_S;
    opterr = 0;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) /* --json wherever it is, errors too */
        if (strcmp(argv[i], "--json") == 0)
            o->json = 1;
    int c, times_given = 0, pause_given = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *bad = NULL;
        switch (c) {
        case O_CONF: o->conf = optarg; break;
        case O_CONFD:
            if (!push(&o->confd, &o->nconfd, optarg))
                bad = "out of memory";
            break;
        case O_CHECKS:
            if (!push(&o->checks_dirs, &o->nchecks_dirs, optarg))
                bad = "out of memory";
            break;
        case O_HOME: o->python_home = optarg[0] ? optarg : NULL; break;
        case O_TIMES:
            if (!parse_long(optarg, 1, &o->times))
                bad = "--times needs an integer >= 1";
            times_given = 1;
            break;
        case O_PAUSE:
            if (!parse_long(optarg, 0, &o->pause_ms))
                bad = "--pause needs a number of milliseconds >= 0";
            pause_given = 1;
            break;
        case O_INSTANCE:
            if (!parse_long(optarg, 1, &o->instance))
                bad = "--instance needs an instance number >= 1";
            break;
        case O_JSON: o->json = 1; break;
        case O_LIST: o->list = 1; break;
        case O_LOG: {
            size_t i;
            for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
                if (strcasecmp(optarg, levels[i].name) == 0)
                    break;
            if (i == sizeof(levels) / sizeof(levels[0]))
                bad = "--log-level must be one of trace, debug, info, warning, error, critical, off";
            else
                o->log_level = levels[i].level;
            break;
        }
        case O_TIMEOUT: {
            char *end;
            errno = 0;
            o->timeout_s = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(o->timeout_s >= 0) || o->timeout_s > 1e7)
                bad = "--timeout needs a number of seconds >= 0";
            break;
        }
        case O_AGENT: o->agent_config = optarg; break;
        case O_CHECK_RATE: o->check_rate = 1; break;
        case O_SUBINTERP: o->subinterpreters = 1; break;
        case O_PARALLEL:
            if (!parse_long(optarg, 1, &o->parallel) || o->parallel > 1024)
                bad = "--parallel needs a number of threads from 1 to 1024";
            break;
        case O_NO_OBFUSCATOR: o->no_obfuscator = 1; break;
        case O_HELP: usage(stdout, prog); return RTLC_EXIT_OK;
        default:
            return usage_error(o, optopt ? "option %s needs a value (see --help)" : "unknown option %s (see --help)",
                               argv[optind - 1]);
        }
        if (bad)
            return usage_error(o, "%s", bad);
    }
    if (optind < argc)
        o->check = argv[optind++];
    if (optind < argc)
        return usage_error(o, "unexpected argument '%s' (one CHECK at a time; see --help)", argv[optind]);
    if (!o->check && !o->list)
        return usage_error(o, "%s", "missing CHECK (see --help)");
    if (o->check && (!o->check[0] || strchr(o->check, '/')))
        return usage_error(o, "'%s' is not a check name (a Python module name, without .py)", o->check);
    if (o->check_rate && (times_given || pause_given))
        return usage_error(o, "%s", "--check-rate runs twice, 1 s apart: it does not combine with --times or --pause");
    if (o->check_rate) {
        o->times = 2;
        o->pause_ms = 1000;
    }
    if (o->nconfd == 0)
        for (size_t i = 0; i < sizeof(default_confd) / sizeof(default_confd[0]); i++)
            push(&o->confd, &o->nconfd, default_confd[i]);
    if (o->nchecks_dirs == 0)
        for (size_t i = 0; i < sizeof(default_checksd) / sizeof(default_checksd[0]); i++)
            push(&o->checks_dirs, &o->nchecks_dirs, default_checksd[i]);
    return -1;
}

void rtlc_options_free(rtlc_options_t *o)
{
    free(o->confd);
    free(o->checks_dirs);
    free(o->error);
    o->confd = o->checks_dirs = NULL;
    o->error = NULL;
}
