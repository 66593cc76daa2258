/* rtlc_conf.c: finding and reading a check's configuration, and the --agent-config answers. */
#define _GNU_SOURCE
#include "rtlc_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtlc_util.h"
#include "rtlc_yaml.h"

static const char *kind_name(rtlc_ykind_t k)
{
    static const char *const names[] = {"null",     "a boolean", "an integer", "a float",
                                        "a string", "a list",    "a mapping"};
    return names[k];
}

char *rtlc_conf_find(const rtlc_options_t *o, char **err)
{
    static const char *const patterns[] = {"%s/%s.d/conf.yaml", "%s/%s.yaml", "%s/%s.d/conf.yaml.default",
                                           "%s/%s.yaml.default"};
    char *looked = NULL;
    *err = NULL;
    if (o->conf) {
        if (rtlc_is_file(o->conf))
            return strdup(o->conf);
        *err = rtlc_fmt("configuration file %s not found", o->conf);
        return NULL;
    }
    for (size_t d = 0; d < o->nconfd; d++) {
        for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
            char *path = rtlc_fmt(patterns[p], o->confd[d], o->check);
            if (rtlc_is_file(path)) {
                free(looked);
                return path;
            }
            char *l = rtlc_fmt("%s\n  %s", looked ? looked : "", path);
            free(looked);
            looked = l;
            free(path);
        }
    }
    *err = rtlc_fmt("no configuration for check '%s'; looked for:%s\n(use --conf FILE or --confd DIR)", o->check,
                    looked ? looked : " (no --confd folder)");
    free(looked);
    return NULL;
}

static char *where(const char *path, const rtlc_yval_t *v)
{
    size_t line, col;
    rtlc_yval_mark(v, &line, &col);
    return line ? rtlc_fmt("%s:%zu:%zu", path, line, col) : rtlc_fmt("%s", path);
}

int rtlc_conf_load(const char *path, rtlc_conf_t *c, char **err)
{
    char *buf = NULL, *w = NULL;
    size_t len;
    rtlc_ydoc_t *doc = NULL;
    int ok = 0;
    memset(c, 0, sizeof(*c));
    *err = NULL;
    c->path = strdup(path);
    if (!rtlc_read_file(path, &buf, &len, err))
        goto out;
    if (!rtlc_yaml_parse(buf, len, path, &doc, err))
        goto out;
    const rtlc_yval_t *root = rtlc_ydoc_root(doc);
    if (rtlc_yval_kind(root) != RTLC_Y_MAP) {
        w = where(path, root);
        *err = rtlc_fmt("%s: the configuration must be a mapping with 'init_config:' and 'instances:', found %s", w,
                        kind_name(rtlc_yval_kind(root)));
        goto out;
    }
    const rtlc_yval_t *init = rtlc_yval_get(root, "init_config");
    const rtlc_yval_t *inst = rtlc_yval_get(root, "instances");
    if (!inst) {
        *err = rtlc_fmt("%s: no 'instances:' list (a check needs at least one instance)", path);
        goto out;
    }
    if (rtlc_yval_kind(inst) != RTLC_Y_SEQ) {
        w = where(path, inst);
        *err = rtlc_fmt("%s: 'instances' must be a list of mappings, found %s", w, kind_name(rtlc_yval_kind(inst)));
        goto out;
    }
    if (rtlc_yval_len(inst) == 0) {
        w = where(path, inst);
        *err = rtlc_fmt("%s: 'instances' is an empty list (a check needs at least one instance)", w);
        goto out;
    }
    if (init && rtlc_yval_kind(init) != RTLC_Y_MAP && rtlc_yval_kind(init) != RTLC_Y_NULL) {
        w = where(path, init);
        *err = rtlc_fmt("%s: 'init_config' must be a mapping (or empty), found %s", w, kind_name(rtlc_yval_kind(init)));
        goto out;
    }
    if (!rtlc_yval_to_json(init, &c->init_config_json, err))
        goto json_failed;
    c->ninstances = rtlc_yval_len(inst);
    c->instances_json = calloc(c->ninstances, sizeof(char *));
    c->instance_names = calloc(c->ninstances, sizeof(char *));
    if (!c->instances_json || !c->instance_names) {
        *err = strdup("out of memory");
        goto out;
    }
    for (size_t i = 0; i < c->ninstances; i++) {
        const rtlc_yval_t *v = rtlc_yval_at(inst, i);
        if (rtlc_yval_kind(v) == RTLC_Y_NULL) { /* a bare `-`: the Agent reads it as {} */
            if (!(c->instances_json[i] = strdup("{}"))) {
                *err = strdup("out of memory");
                goto out;
            }
            continue;
        }
        if (rtlc_yval_kind(v) != RTLC_Y_MAP) {
            w = where(path, v);
            *err = rtlc_fmt("%s: instance #%zu must be a mapping, found %s", w, i + 1, kind_name(rtlc_yval_kind(v)));
            goto out;
        }
        if (!rtlc_yval_to_json(v, &c->instances_json[i], err))
            goto json_failed;
        const rtlc_yval_t *name = rtlc_yval_get(v, "name");
        if (rtlc_yval_kind(name) == RTLC_Y_STR)
            c->instance_names[i] = strdup(rtlc_yval_text(name, NULL));
    }
    ok = 1;
    goto out;
json_failed : {
    char *e = rtlc_fmt("%s: %s", path, *err);
    free(*err);
    *err = e;
}
out:
    free(w);
    free(buf);
    rtlc_ydoc_free(doc);
    if (!ok)
        rtlc_conf_free(c);
    return ok;
}

void rtlc_conf_free(rtlc_conf_t *c)
{
    for (size_t i = 0; i < c->ninstances; i++) {
        if (c->instances_json)
            free(c->instances_json[i]);
        if (c->instance_names)
            free(c->instance_names[i]);
    }
    free(c->instances_json);
    free(c->instance_names);
    free(c->init_config_json);
    free(c->path);
    memset(c, 0, sizeof(*c));
}

/* ---- --agent-config ------------------------------------------------------------------------- */

static rtlc_ydoc_t *agent_doc;

int rtlc_agent_config_load(const char *path, char **err)
{
    char *buf = NULL;
    size_t len;
    *err = NULL;
    if (!path)
        return 1;
    if (!rtlc_read_file(path, &buf, &len, err))
        return 0;
    int ok = rtlc_yaml_parse(buf, len, path, &agent_doc, err);
    free(buf);
    if (ok && rtlc_yval_kind(rtlc_ydoc_root(agent_doc)) != RTLC_Y_MAP
        && rtlc_yval_kind(rtlc_ydoc_root(agent_doc)) != RTLC_Y_NULL) {
        *err = rtlc_fmt("%s: the agent configuration must be a mapping", path);
        rtlc_agent_config_free();
        return 0;
    }
    return ok;
}

/* The Agent's defaults (pkg/config/setup) for the keys datadog_checks_base and the integrations
 * read through datadog_agent.get_config; an unset key answers None, as in the Agent. runner/README
 * lists them; --agent-config overrides each. log_level comes from --log-level (rtlc_host.c). */
static const struct {
    const char *key, *json;
} agent_defaults[] = {
    {"enable_metadata_collection", "true"}, /* AgentCheck.is_metadata_collection_enabled */
    {"disable_unsafe_yaml", "true"},        /* base: PyYAML's unsafe loaders patched away */
    {"integration_tracing", "false"},       /* base: utils/tracing.py */
    {"integration_tracing_exhaustive", "false"},
    {"integration_profiling", "false"},
    {"procfs_path", "\"/proc\""}, /* integrations reading /proc (not containerised) */
};

static char *agent_default(const char *key)
{
    for (size_t i = 0; i < sizeof(agent_defaults) / sizeof(agent_defaults[0]); i++)
        if (strcmp(agent_defaults[i].key, key) == 0)
            return strdup(agent_defaults[i].json);
    return NULL;
}

char *rtlc_agent_config_get(const char *key)
{
    char *out = NULL, *err = NULL;
    if (!key)
        return NULL;
    if (!agent_doc)
        return agent_default(key);
    const rtlc_yval_t *root = rtlc_ydoc_root(agent_doc);
    const rtlc_yval_t *v = rtlc_yval_get(root, key);
    if (!v && strchr(key, '.')) { /* viper-style dotted path */
        char *copy = strdup(key), *save = NULL;
        v = root;
        for (char *part = strtok_r(copy, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
            v = rtlc_yval_get(v, part);
        free(copy);
    }
    if (!v)
        return agent_default(key);
    if (!rtlc_yval_to_json(v, &out, &err)) {
        free(err);
        return NULL;
    }
    return out;
}

char *rtlc_agent_config_json(void)
{
    char *out = NULL, *err = NULL;
    if (!agent_doc || rtlc_yval_kind(rtlc_ydoc_root(agent_doc)) != RTLC_Y_MAP)
        return strdup("{}");
    if (!rtlc_yval_to_json(rtlc_ydoc_root(agent_doc), &out, &err)) {
        free(err);
        return strdup("{}");
    }
    return out;
}

void rtlc_agent_config_free(void)
{
    rtlc_ydoc_free(agent_doc);
    agent_doc = NULL;
}
