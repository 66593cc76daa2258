/*
 * rtloader-check: run a Python check the way the Datadog Agent does, through rtloader's public API
 * only (make3 → callbacks → init → get_class → get_check → run_check), and show what it
 * submitted. See runner/README.md.
 *
 * Flow: options → configuration (YAML read in C, each part handed over as JSON text) → rtloader
 * start → check class → per instance: get_check (falling back to get_check_deprecated, like the
 * Agent), then --times runs on worker threads under --timeout → per-run output, summary.
 * Exit status: 0 all runs OK, 1 a run (or a constructor) failed or timed out, 2 usage/config.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datadog_agent_rtloader.h"
#include "rtlc_conf.h"
#include "rtlc_host.h"
#include "rtlc_options.h"
#include "rtlc_output.h"
#include "rtlc_run.h"
#include "rtlc_util.h"

/* Check ids look like the Agent's: name[:instance-name]:hash of the configuration. */
static char *make_check_id(const char *check, const char *name, const char *instance, const char *init_config)
{
    uint64_t h = 1469598103934665603ULL;
    const char *parts[2] = {instance, init_config};
    for (int p = 0; p < 2; p++) {
        for (const unsigned char *s = (const unsigned char *)parts[p]; *s; s++) {
            h ^= *s;
            h *= 1099511628211ULL;
        }
        h ^= 0xff;
        h *= 1099511628211ULL;
    }
    if (name && name[0])
        return rtlc_fmt("%s:%s:%016llx", check, name, (unsigned long long)h);
    return rtlc_fmt("%s:%016llx", check, (unsigned long long)h);
}

static int fail(const rtlc_options_t *o, int code, const char *msg)
{
    (void)o;
    fprintf(stderr, "rtloader-check: %s\n", msg);
    return code;
}

/* --list: the installed integrations (get_integration_list) and the checks on the folders. */
static int do_list(const rtlc_options_t *o)
{
    char *err = NULL, *pyinfo = NULL;
    rtloader_t *rt = rtlc_start(o, &pyinfo, &err);
    if (!rt) {
        int rc = fail(o, RTLC_EXIT_USAGE, err);
        free(err);
        return rc;
    }
    json_t *doc = json_object(), *integrations = json_array(), *checks = json_array();
    char *list = get_integration_list(rt);
    json_t *parsed = list ? json_loads(list, 0, NULL) : NULL;
    if (json_is_array(parsed))
        json_array_extend(integrations, parsed);
    else if (!list)
        fprintf(stderr, "rtloader-check: get_integration_list: %s\n", get_error(rt));
    json_decref(parsed);
    if (list)
        rtloader_free(rt, list);
    for (size_t i = 0; i < o->nchecks_dirs; i++) {
        DIR *d = opendir(o->checks_dirs[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            size_t n = strlen(e->d_name);
            if (e->d_name[0] == '.' || e->d_name[0] == '_')
                continue;
            if (n > 3 && strcmp(e->d_name + n - 3, ".py") == 0) {
                char *name = strndup(e->d_name, n - 3), *path = rtlc_fmt("%s/%s", o->checks_dirs[i], e->d_name);
                json_array_append_new(checks, json_pack("{s:s,s:s}", "name", name, "path", path));
                free(name);
                free(path);
            }
        }
        if (d)
            closedir(d);
    }
    json_object_set_new(doc, "integrations", integrations);
    json_object_set_new(doc, "checks", checks);
    if (o->json) {
        json_dumpf(doc, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else {
        size_t i;
        json_t *v;
        printf("Installed integrations (datadog_checks wheels): %zu\n", json_array_size(integrations));
        json_array_foreach(integrations, i, v)
            printf("  %s\n", json_is_string(v) ? json_string_value(v) : "?");
        printf("Checks in the checks folders: %zu\n", json_array_size(checks));
        json_array_foreach(checks, i, v)
            printf("  %-24s %s\n", json_string_value(json_object_get(v, "name")),
                   json_string_value(json_object_get(v, "path")));
    }
    json_decref(doc);
    free(pyinfo);
    destroy(rt);
    return RTLC_EXIT_OK;
}

/* The run record's errors: the parsed JSON list run_check returned, or one synthesised entry. */
static json_t *run_errors(const rtlc_run_result_t *r)
{
    json_t *errors = json_array();
    if (r->result && r->result[0]) {
        json_t *p = json_loads(r->result, 0, NULL);
        if (json_is_array(p))
            json_array_extend(errors, p);
        else
            json_array_append_new(errors, json_pack("{s:s,s:s}", "message", r->result, "traceback", ""));
        json_decref(p);
    }
    if (r->error)
        json_array_append_new(errors, json_pack("{s:s,s:s}", "message", r->error, "traceback", ""));
    return errors;
}

static void finish_json(json_t *doc, int status)
{
    json_object_set_new(doc, "exit_status", json_integer(status));
    json_dumpf(doc, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
}

static void print_summaries(const rtlc_options_t *o, json_t *doc)
{
    size_t i;
    json_t *inst;
    if (o->json)
        return;
    printf("=== Summary: %s (%s)\n", json_string_value(json_object_get(doc, "check")),
           json_string_value(json_object_get(doc, "check_version")));
    json_array_foreach(json_object_get(doc, "instances"), i, inst)
        rtlc_print_summary(stdout, json_object_get(inst, "summary"));
}

int main(int argc, char **argv)
{
    rtlc_options_t o;
    rtlc_conf_t conf;
    char *err = NULL, *path = NULL, *pyinfo = NULL, *version = NULL, *file = NULL;
    int status = RTLC_EXIT_OK;
    int rc = rtlc_options_parse(argc, argv, &o);
    if (rc >= 0) {
        rtlc_options_free(&o);
        return rc;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (o.list) {
        rc = do_list(&o);
        rtlc_options_free(&o);
        return rc;
    }
    if (!(path = rtlc_conf_find(&o, &err)) || !rtlc_conf_load(path, &conf, &err)
        || !rtlc_agent_config_load(o.agent_config, &err)) {
        rc = fail(&o, RTLC_EXIT_USAGE, err);
        free(err);
        free(path);
        rtlc_options_free(&o);
        return rc;
    }
    if (o.instance > 0 && (size_t)o.instance > conf.ninstances) {
        char *msg = rtlc_fmt("--instance %ld: %s has %zu instance(s)", o.instance, path, conf.ninstances);
        rc = fail(&o, RTLC_EXIT_USAGE, msg);
        free(msg);
        goto out_conf;
    }

    rtloader_t *rt = rtlc_start(&o, &pyinfo, &err);
    if (!rt) {
        rc = fail(&o, RTLC_EXIT_USAGE, err);
        free(err);
        goto out_conf;
    }
    rtloader_gilstate_t gs = ensure_gil(rt);
    rtloader_pyobject_t *klass = NULL;
    if (!rtlc_load_class(rt, o.check, pyinfo, &o, &klass, &version, &file, &err)) {
        release_gil(rt, gs);
        rc = fail(&o, RTLC_EXIT_USAGE, err);
        free(err);
        destroy(rt);
        goto out_conf;
    }
    release_gil(rt, gs);

    json_t *doc = json_pack("{s:s,s:s,s:s?,s:s,s:s?,s:s?,s:[]}", "check", o.check, "check_version",
                            version ? version : "unversioned", "module_file", file, "configuration", path, "python",
                            pyinfo, "bundled_base", rtlc_bundled_base_dir(), "instances");
    char *agent_json = rtlc_agent_config_json();
    char *source = rtlc_fmt("file:%s", path);
    if (!o.json)
        printf("Running check %s (%s, from %s) with %s\n\n", o.check, version ? version : "unversioned",
               file ? file : "?", path);

    for (size_t i = 0; i < conf.ninstances; i++) {
        if (o.instance > 0 && (size_t)o.instance != i + 1)
            continue;
        char *id = make_check_id(o.check, conf.instance_names[i], conf.instances_json[i], conf.init_config_json);
        char *label = rtlc_fmt("%s instance #%zu (%s)", o.check, i + 1, id);
        json_t *summary = rtlc_summary_new(i + 1, id, conf.instance_names[i], source);
        json_t *runs = json_array();
        json_array_append_new(json_object_get(doc, "instances"),
                              json_pack("{s:I,s:s,s:o,s:o}", "instance", (json_int_t)(i + 1), "check_id", id, "runs",
                                        runs, "summary", summary));
        json_t *record = rtlc_host_new_record(); /* also catches what the constructor submits */
        rtlc_host_record_into(record);

        rtloader_pyobject_t *check = NULL;
        gs = ensure_gil(rt);
        if (!get_check(rt, klass, conf.init_config_json, conf.instances_json[i], id, o.check, "file", &check)) {
            char *e1 = strdup(get_error(rt));
            if (!get_check_deprecated(rt, klass, conf.init_config_json, conf.instances_json[i], agent_json, id, o.check,
                                      "file", &check)) {
                char *msg = rtlc_fmt("could not create the check object (constructor failed).\n"
                                     "New constructor API returned:\n%s\nDeprecated constructor API returned:\n%s",
                                     e1, get_error(rt));
                json_object_set_new(summary, "init_error", json_string(msg));
                json_object_set_new(summary, "status", json_string("ERROR"));
                json_object_set_new(summary, "errors", json_integer(1));
                if (!o.json)
                    printf("=== %s: %s\n\n", label, msg);
                status = RTLC_EXIT_RUN_ERROR;
                free(msg);
                check = NULL;
            } else {
                fprintf(stderr, "[WARN] %s: the check only accepts the deprecated agentConfig constructor\n", o.check);
            }
            free(e1);
        }
        release_gil(rt, gs);

        for (long r = 1; check && r <= o.times; r++) {
            if (r > 1) {
                if (o.pause_ms > 0) {
                    struct timespec ts = {o.pause_ms / 1000, (o.pause_ms % 1000) * 1000000L};
                    nanosleep(&ts, NULL);
                }
                record = rtlc_host_new_record();
                rtlc_host_record_into(record);
            }
            rtlc_run_result_t res;
            rtlc_run_once(rt, check, o.timeout_s, &res);
            rtlc_host_record_into(NULL);
            static const char *const names[] = {"OK", "ERROR", "TIMEOUT", "TIMEOUT"};
            json_object_set_new(record, "run", json_integer(r));
            json_object_set_new(record, "status", json_string(names[res.status]));
            json_object_set_new(record, "duration_ms", json_real(res.duration_ms));
            json_t *w = json_array();
            for (size_t k = 0; res.warnings && res.warnings[k]; k++)
                json_array_append_new(w, json_string(res.warnings[k]));
            json_object_set_new(record, "warnings", w);
            json_object_set_new(record, "errors", run_errors(&res));
            json_array_append_new(runs, record);
            rtlc_summary_add_run(summary, record);
            if (!o.json)
                rtlc_print_run(stdout, label, o.times, record);
            if (res.status != RTLC_RUN_OK)
                status = RTLC_EXIT_RUN_ERROR;
            if (res.status == RTLC_RUN_STUCK) {
                /* the check still runs (it may hold the GIL): report and leave without waiting */
                fprintf(stderr, "rtloader-check: %s: %s; exiting\n", label, res.error);
                print_summaries(&o, doc);
                if (o.json)
                    finish_json(doc, status);
                fflush(stdout);
                fflush(stderr);
                _exit(status);
            }
            rtlc_run_result_free(&res);
        }
        if (check) {
            gs = ensure_gil(rt);
            rtloader_decref(rt, check);
            release_gil(rt, gs);
        }
        free(label);
        free(id);
    }
    print_summaries(&o, doc);
    if (o.json)
        finish_json(doc, status);
    json_decref(doc);
    free(agent_json);
    free(source);
    gs = ensure_gil(rt);
    rtloader_decref(rt, klass);
    release_gil(rt, gs);
    destroy(rt);
    rc = status;
out_conf:
    free(version);
    free(file);
    free(pyinfo);
    free(path);
    rtlc_conf_free(&conf);
    rtlc_agent_config_free();
    rtlc_options_free(&o);
    return rc;
}
