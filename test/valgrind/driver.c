/*
 * driver.c: the valgrind driver (issue 7). A C host that exercises every public API function and,
 * through testdata/python/vg_check.py, every built-in function once, with callbacks that return real data
 * allocated with rtloader's _malloc (as the Go host does), then checks that rtloader's allocation
 * counters balance. Run under valgrind by run.sh; exits non-zero on any unexpected result.
 *
 *   rtloader-vg-driver <python dir>...
 *
 * run.sh passes the suite's shared fixtures (test/testdata/python), the driver's own modules
 * (test/valgrind/testdata/python) and the check base rtloader ships (python/), in that order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datadog_agent_rtloader.h"
#include "rtl_callback_list.h" /* the list of every callback (src/common) */
#include "rtloader_mem.h"

static int vg_failures = 0;
static int vg_callbacks = 0;

#define VG_EXPECT(cond, ...)                                                                                           \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "vg-driver: FAILED %s:%d: ", __FILE__, __LINE__);                                          \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
            vg_failures++;                                                                                             \
        }                                                                                                              \
    } while (0)

/* ---- host callbacks: read every argument, return _malloc'ed data --------------------------- */

static size_t vg_strv_len(char **v)
{
    size_t n = 0, total = 0;
    if (v == NULL)
        return 0;
    for (; v[n] != NULL; n++)
        total += strlen(v[n]);
    return total + n;
}
static size_t vg_len(const char *s)
{
    return s ? strlen(s) : 0;
}
static char *vg_dup(const char *s)
{
    return strdupe(s);
}

static void cb_submit_metric(char *id, metric_type_t t, char *name, double v, char **tags, char *host, bool flush)
{
    (void)t, (void)v, (void)flush;
    vg_callbacks += (vg_len(id) + vg_len(name) + vg_strv_len(tags) + vg_len(host)) > 0;
}
static void cb_submit_service_check(char *id, char *name, int st, char **tags, char *host, char *msg)
{
    (void)st;
    vg_callbacks += (vg_len(id) + vg_len(name) + vg_strv_len(tags) + vg_len(host) + vg_len(msg)) > 0;
}
static void cb_submit_event(char *id, event_t *ev)
{
    vg_callbacks += (vg_len(id) + vg_len(ev->title) + vg_len(ev->text) + vg_len(ev->priority) + vg_len(ev->host)
                     + vg_strv_len(ev->tags) + vg_len(ev->alert_type) + vg_len(ev->aggregation_key)
                     + vg_len(ev->source_type_name) + vg_len(ev->event_type))
                    > 0;
}
static void cb_submit_histogram_bucket(char *id, char *name, long long v, float lo, float hi, int mono, char *host,
                                       char **tags, bool flush)
{
    (void)v, (void)lo, (void)hi, (void)mono, (void)flush;
    vg_callbacks += (vg_len(id) + vg_len(name) + vg_len(host) + vg_strv_len(tags)) > 0;
}
static void cb_submit_event_platform_event(char *id, char *raw, int len, char *type)
{
    int i, sum = 0;
    for (i = 0; i < len; i++)
        sum += raw[i];
    vg_callbacks += (vg_len(id) + vg_len(type) + (size_t)sum) > 0;
}
static void cb_get_version(char **out)
{
    *out = vg_dup("7.99.0");
    vg_callbacks++;
}
static void cb_get_config(char *key, char **out)
{
    (void)key;
    *out = vg_dup("{\"a\": [1, 2, \"x\"]}");
    vg_callbacks++;
}
static void cb_headers(char **out)
{
    *out = vg_dup("{\"User-Agent\": \"vg\"}");
    vg_callbacks++;
}
static void cb_get_hostname(char **out)
{
    *out = vg_dup("vg-host");
    vg_callbacks++;
}
static void cb_get_host_tags(char **out)
{
    *out = vg_dup("{\"system\": [\"a\"]}");
    vg_callbacks++;
}
static void cb_get_clustername(char **out)
{
    *out = vg_dup("vg-cluster");
    vg_callbacks++;
}
static bool cb_tracemalloc_enabled(void)
{
    vg_callbacks++;
    return false;
}
static void cb_log(char *msg, int level)
{
    (void)level;
    vg_callbacks += vg_len(msg) > 0;
}
static void cb_send_log(char *line, char *id)
{
    vg_callbacks += (vg_len(line) + vg_len(id)) > 0;
}
static void cb_set_check_metadata(char *id, char *n, char *v)
{
    vg_callbacks += (vg_len(id) + vg_len(n) + vg_len(v)) > 0;
}
static void cb_set_external_tags(char *h, char *src, char **tags)
{
    vg_callbacks += (vg_len(h) + vg_len(src) + vg_strv_len(tags)) > 0;
}
static void cb_write_persistent_cache(char *k, char *v)
{
    vg_callbacks += (vg_len(k) + vg_len(v)) > 0;
}
static char *cb_read_persistent_cache(char *k)
{
    (void)k;
    vg_callbacks++;
    return vg_dup("cached");
}
static char *cb_obfuscate_sql(char *q, char *opts, char **err)
{
    (void)err;
    vg_callbacks += (vg_len(q) + vg_len(opts)) > 0;
    return vg_dup("{\"query\": \"select ?\"}");
}
static char *cb_obfuscate_sql_exec_plan(char *plan, bool norm, char **err)
{
    (void)norm, (void)err;
    vg_callbacks += vg_len(plan) > 0;
    return vg_dup("{}");
}
static double cb_get_process_start_time(void)
{
    vg_callbacks++;
    return 12345.5;
}
static char *cb_obfuscate_mongodb_string(char *cmd, char **err)
{
    (void)err;
    vg_callbacks += vg_len(cmd) > 0;
    return vg_dup("{}");
}
static void cb_emit_agent_telemetry(char *c, char *m, double v, char *t, char *labels)
{
    (void)v;
    vg_callbacks += (vg_len(c) + vg_len(m) + vg_len(t) + vg_len(labels)) > 0;
}
static void cb_report_issue(char *c, char *report, char **err)
{
    (void)err;
    vg_callbacks += (vg_len(c) + vg_len(report)) > 0;
}
static void cb_resolve_issue(char *id, char **err)
{
    (void)err;
    vg_callbacks += vg_len(id) > 0;
}
static void cb_get_subprocess_output(char **argv, char **env, char **out, char **errout, int *rc, char **exc)
{
    (void)exc;
    vg_callbacks += (vg_strv_len(argv) + vg_strv_len(env)) > 0;
    *out = vg_dup("stdout text\n");
    *errout = vg_dup("");
    *rc = 0;
}
static void cb_cgo_free(void *p)
{
    _free(p);
}
static char **cb_tags(char *id, int card)
{
    char **v = _malloc(3 * sizeof(char *));
    (void)card;
    vg_callbacks += vg_len(id) > 0;
    if (v == NULL)
        return NULL;
    v[0] = vg_dup("tag:a");
    v[1] = vg_dup("tag:b");
    v[2] = NULL;
    return v;
}
static void cb_get_connection_info(char **out)
{
    *out = vg_dup("{\"url\": \"http://x\", \"verify\": true}");
    vg_callbacks++;
}
static int cb_is_excluded(char *n, char *i, char *ns)
{
    vg_callbacks += (vg_len(n) + vg_len(i) + vg_len(ns)) > 0;
    return 1;
}

static void vg_set_callbacks(rtloader_t *r)
{
#define VG_SET(name, type) set_##name##_cb(r, cb_##name);
    RTL_CALLBACK_LIST(VG_SET)
#undef VG_SET
}

/* ---- the run ------------------------------------------------------------------------------- */

static void vg_expect_no_error(rtloader_t *r, const char *what)
{
    if (has_error(r)) {
        VG_EXPECT(0, "%s: unexpected error: %s", what, get_error(r));
    }
}

static void vg_checks(rtloader_t *r)
{
    rtloader_pyobject_t *mod = NULL, *klass = NULL, *check = NULL, *check2 = NULL;
    char *s = NULL, **warnings;
    bool b = false;
    py_info_t *info;
    int i;

    info = get_py_info(r);
    VG_EXPECT(info != NULL && info->version != NULL && info->path != NULL, "get_py_info");
    free_py_info(r, info);

    VG_EXPECT(get_class(r, "vg_check", &mod, &klass) == 1, "get_class: %s", get_error(r));
    if (klass == NULL)
        return;
    VG_EXPECT(get_attr_string(r, klass, "label", &s) == 1 && s && strcmp(s, "vg") == 0, "get_attr_string");
    rtloader_free(r, s);
    VG_EXPECT(get_attr_string(r, klass, "missing", &s) == 0, "get_attr_string(missing)");
    VG_EXPECT(get_attr_bool(r, klass, "enabled", &b) == 1 && b, "get_attr_bool");
    VG_EXPECT(get_attr_bool(r, klass, "label", &b) == 0, "get_attr_bool(str)");
    clear_error(r);

    VG_EXPECT(get_check(r, klass, "{}", "{}", "vg:1", "vg", "file", &check) == 1, "get_check: %s", get_error(r));
    VG_EXPECT(get_check_deprecated(r, klass, "{}", "{}", "{}", "vg:2", "vg", "", &check2) == 1,
              "get_check_deprecated: %s", get_error(r));
    /* a failing get_check (constructor error) must not leak either */
    VG_EXPECT(get_check(r, mod, "{}", "{}", "", "vg", "", &check2) == 0 || (rtloader_decref(r, check2), 1),
              "get_check on a module");
    clear_error(r);
    for (i = 0; i < 3 && check != NULL; i++) {
        s = run_check(r, check);
        VG_EXPECT(s != NULL && strcmp(s, "") == 0, "run_check #%d: %s", i, s ? s : get_error(r));
        rtloader_free(r, s);
    }
    cancel_check(r, check);
    vg_expect_no_error(r, "cancel_check");
    warnings = get_checks_warnings(r, check);
    VG_EXPECT(warnings && warnings[0] && warnings[1] && !warnings[2], "get_checks_warnings");
    for (i = 0; warnings && warnings[i]; i++)
        rtloader_free(r, warnings[i]);
    rtloader_free(r, warnings);
    s = get_check_diagnoses(r, check);
    VG_EXPECT(s != NULL, "get_check_diagnoses");
    rtloader_free(r, s);
    s = get_check_diagnoses(r, mod); /* a failing get_diagnoses: synthesised diagnosis */
    rtloader_free(r, s);
    clear_error(r);
    rtloader_incref(r, check);
    rtloader_decref(r, check);
    rtloader_decref(r, check);
    rtloader_decref(r, check2);
    rtloader_decref(r, klass);
    rtloader_decref(r, mod);
    VG_EXPECT(get_class(r, "vg_no_such_module", &mod, &klass) == 0, "get_class(missing)");
    VG_EXPECT(has_error(r) && strlen(get_error(r)) > 0, "get_class error");

    set_module_attr_string(r, "sys", "vg_attr", "value");
    vg_expect_no_error(r, "set_module_attr_string");
    VG_EXPECT(run_simple_string(r, "import sys; assert sys.vg_attr == 'value'") == 1, "run_simple_string");
    VG_EXPECT(get_none(r) != NULL, "get_none");
}

int main(int argc, char **argv)
{
    rtloader_t *r;
    rtloader_gilstate_t st;
    char *err = NULL, *s;
    struct memory_stats ms;
    pymem_stats_t pst = {0, 0};
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s <python dir>...\n", argv[0]);
        return 2;
    }
    VG_EXPECT(handle_crashes(0, 0, &err) == 1, "handle_crashes");
    enable_memory_tracker();
    r = make3(NULL, "/usr/bin/python3", &err);
    if (r == NULL) {
        fprintf(stderr, "vg-driver: make3: %s\n", err ? err : "?");
        _free(err);
        return 1;
    }
    init_pymem_stats(r);
    for (i = 1; i < argc; i++)
        VG_EXPECT(add_python_path(r, argv[i]) == 1, "add_python_path %s", argv[i]);
    VG_EXPECT(add_python_path(r, argv[argc - 1]) == 0, "add_python_path duplicate");
    vg_set_callbacks(r);
    VG_EXPECT(has_subinterpreter_support(r) == 0, "has_subinterpreter_support");
    if (!init(r)) {
        fprintf(stderr, "vg-driver: init: %s\n", get_error(r));
        destroy(r);
        return 1;
    }
    VG_EXPECT(init(r) == 0, "second init");
    clear_error(r);
    get_and_reset_memory_stats();

    st = ensure_gil(r);
    VG_EXPECT(ensure_gil(r) == DATADOG_AGENT_RTLOADER_GIL_LOCKED, "nested ensure_gil");
    release_gil(r, DATADOG_AGENT_RTLOADER_GIL_LOCKED);
    vg_checks(r);
    release_gil(r, st);

    s = get_integration_list(r); /* [self-GIL]; the fixtures' datadog-* distributions */
    VG_EXPECT(s != NULL && strcmp(s, "[\"bar\", \"baz\", \"foo\"]") == 0, "get_integration_list = %s",
              s ? s : get_error(r));
    rtloader_free(r, s);
    s = get_interpreter_memory_usage(r);
    rtloader_free(r, s);
    clear_error(r);
    get_pymem_stats(r, &pst);
    get_pymem_stats(r, NULL);
    VG_EXPECT(pst.alloc > 0, "get_pymem_stats: alloc %zu", pst.alloc);
    rtloader_free(r, NULL);
    free_py_info(r, NULL);
    VG_EXPECT(vg_callbacks >= 30, "only %d callbacks ran", vg_callbacks);

    ms = get_and_reset_memory_stats();
    VG_EXPECT(ms.allocations == ms.frees && ms.allocated_bytes == ms.freed_bytes && ms.inuse_bytes == 0,
              "rtloader memory not balanced: %zu allocations (%zu bytes), %zu frees (%zu bytes)", ms.allocations,
              ms.allocated_bytes, ms.frees, ms.freed_bytes);
    printf("vg-driver: %d callbacks, %zu rtloader allocations (all freed), %d failures\n", vg_callbacks, ms.allocations,
           vg_failures);
    destroy(r);
    destroy(NULL);
    return vg_failures ? 1 : 0;
}
