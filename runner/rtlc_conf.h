/* rtlc_conf.h: finding and reading a check's configuration, and the --agent-config answers. */
#ifndef RTLC_CONF_H
#define RTLC_CONF_H

#include <stddef.h>

#include "rtlc_options.h"

typedef struct {
    char *path;             /* the file read */
    char *init_config_json; /* JSON text of init_config ("null" when absent) */
    size_t ninstances;
    char **instances_json; /* JSON text of each instance (each a mapping; a null instance is {}) */
    char **instance_names; /* the instance's `name` string, or NULL */
} rtlc_conf_t;

/* The configuration file for o->check: o->conf, else the first of CONFD/CHECK.d/conf.yaml,
 * CONFD/CHECK.yaml (and the .default variants) over o->confd. Returns a malloc'ed path, or NULL
 * with *err listing every place looked at. */
char *rtlc_conf_find(const rtlc_options_t *o, char **err);

/* Read and validate `path` (YAML with init_config: and instances:). Returns 1, or 0 with *err
 * ("file:line:column: ..." where a position is known). */
int rtlc_conf_load(const char *path, rtlc_conf_t *c, char **err);
void rtlc_conf_free(rtlc_conf_t *c);

/* --agent-config: load the YAML file (NULL: none). Returns 1, or 0 with *err. */
int rtlc_agent_config_load(const char *path, char **err);
/* The value for `key` (or the dotted path a.b.c) as malloc'ed JSON text: from --agent-config,
 * else the Agent's default for the keys the check base reads (see rtlc_conf.c); NULL when not set. */
char *rtlc_agent_config_get(const char *key);
/* The whole agent configuration as JSON text (malloc'ed), "{}" when none. */
char *rtlc_agent_config_json(void);
void rtlc_agent_config_free(void);

#endif
