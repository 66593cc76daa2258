/*
 * rtlc_yaml_compose.c: stage 1 of the YAML -> JSON converter (see rtlc_yaml_internal.h): libyaml's
 * events become a graph of nodes owned by the document. Anchors are resolved here (an alias is
 * the anchored node itself, shared), a recursive alias or nesting deeper than RTLC_YAML_MAX_DEPTH
 * is refused, and every error names its position.
 */
#define _GNU_SOURCE
#include "rtlc_yaml_internal.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Move the event's scalar text into the node (no copy: a big scalar is not held twice). libyaml
 * allocates it with malloc (yaml_malloc) and grows it by doubling, so the spare capacity is given
 * back with realloc; yaml_event_delete then frees NULL. Returns 1, or 0 when out of memory. */
static int take_scalar(rtlc_ynode_t *node, yaml_event_t *ev)
{
    size_t n = ev->data.scalar.length;
    char *v = realloc(ev->data.scalar.value, n + 1);
    if (!v)
        return 0;
    v[n] = '\0';
    ev->data.scalar.value = NULL;
    node->value = v;
    node->len = n;
    return 1;
}

static rtlc_ynode_t *new_node(rtlc_ydoc_t *d, int kind, const yaml_mark_t *m, const yaml_char_t *tag)
{
    rtlc_ynode_t *n = calloc(1, sizeof(*n));
    if (!n || !rtlc_y_push((void ***)&d->nodes, &d->nn, &d->ncap, n)) {
        free(n);
        return NULL;
    }
    n->kind = kind;
    n->line = m->line;
    n->col = m->column;
    if (tag && !(n->tag = strdup((const char *)tag)))
        return NULL;
    return n;
}

int rtlc_y_compose(rtlc_ydoc_t *d, const char *buf, size_t len, rtlc_ynode_t **root_out)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    rtlc_ynode_t **stack = NULL;
    size_t sn = 0, scap = 0;
    rtlc_yhtab_t anchors = {0};
    char **anchor_names = NULL;
    size_t an = 0, acap = 0;
    rtlc_ynode_t *root = NULL;
    int docs = 0, ok = 0, done = 0;

    if (!yaml_parser_initialize(&parser)) {
        rtlc_y_err(d, 0, 0, "could not initialise the YAML parser");
        return 0;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            const char *prob = parser.problem ? parser.problem : "YAML syntax error";
            if (parser.context)
                rtlc_y_err(d, parser.problem_mark.line, parser.problem_mark.column, "%s %s", parser.context, prob);
            else
                rtlc_y_err(d, parser.problem_mark.line, parser.problem_mark.column, "%s", prob);
            goto out;
        }
        rtlc_ynode_t *node = NULL;
        const yaml_char_t *anchor = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                rtlc_y_err(d, ev.start_mark.line, ev.start_mark.column,
                           "expected a single document in the stream, but found another document");
                yaml_event_delete(&ev);
                goto out;
            }
            break;
        case YAML_SCALAR_EVENT:
            node = new_node(d, N_SCALAR, &ev.start_mark, ev.data.scalar.tag);
            if (node && take_scalar(node, &ev))
                node->plain_implicit = ev.data.scalar.plain_implicit;
            else
                node = NULL;
            anchor = ev.data.scalar.anchor;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            int seq = ev.type == YAML_SEQUENCE_START_EVENT;
            node = new_node(d, seq ? N_SEQ : N_MAP, &ev.start_mark,
                            seq ? ev.data.sequence_start.tag : ev.data.mapping_start.tag);
            anchor = seq ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor;
            if (node)
                node->open = 1;
            break;
        }
        case YAML_ALIAS_EVENT: {
            const char *name = (const char *)ev.data.alias.anchor;
            node = rtlc_yhtab_get(&anchors, name, strlen(name));
            if (!node) {
                rtlc_y_err(d, ev.start_mark.line, ev.start_mark.column, "found undefined alias '%s'", name);
                yaml_event_delete(&ev);
                goto out;
            }
            if (node->open) {
                rtlc_y_err(d, ev.start_mark.line, ev.start_mark.column,
                           "recursive alias '%s' cannot be represented in JSON", name);
                yaml_event_delete(&ev);
                goto out;
            }
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            node = stack[--sn];
            node->open = 0;
            break;
        default: break;
        }
        if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_SEQUENCE_START_EVENT
            || ev.type == YAML_MAPPING_START_EVENT) {
            if (!node) {
                rtlc_y_err(d, ev.start_mark.line, ev.start_mark.column, "out of memory");
                yaml_event_delete(&ev);
                goto out;
            }
            if (anchor && rtlc_yhtab_get(&anchors, (const char *)anchor, strlen((const char *)anchor))) {
                rtlc_y_err(d, ev.start_mark.line, ev.start_mark.column, "found duplicate anchor '%s'", anchor);
                yaml_event_delete(&ev);
                goto out;
            }
            if (anchor) {
                char *name = strdup((const char *)anchor);
                int herr;
                if (!name || !rtlc_y_push((void ***)&anchor_names, &an, &acap, name)) {
                    free(name);
                    rtlc_y_err(d, ev.start_mark.line, ev.start_mark.column, "out of memory");
                    yaml_event_delete(&ev);
                    goto out;
                }
                rtlc_yhtab_put(&anchors, name, strlen(name), node, 1, &herr);
                if (herr) {
                    rtlc_y_err(d, ev.start_mark.line, ev.start_mark.column, "out of memory");
                    yaml_event_delete(&ev);
                    goto out;
                }
            }
        }
        /* attach a completed node (scalar, alias, or closed collection) or open a new one */
        if (node && (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)) {
            if (sn >= RTLC_YAML_MAX_DEPTH) {
                rtlc_y_err(d, ev.start_mark.line, ev.start_mark.column, "nesting deeper than %d levels",
                           RTLC_YAML_MAX_DEPTH);
                yaml_event_delete(&ev);
                goto out;
            }
            if (!rtlc_y_push((void ***)&stack, &sn, &scap, node)) {
                rtlc_y_err(d, ev.start_mark.line, ev.start_mark.column, "out of memory");
                yaml_event_delete(&ev);
                goto out;
            }
        } else if (node) {
            if (sn == 0) {
                root = node;
            } else if (!rtlc_y_push((void ***)&stack[sn - 1]->kids, &stack[sn - 1]->n, &stack[sn - 1]->cap, node)) {
                rtlc_y_err(d, ev.start_mark.line, ev.start_mark.column, "out of memory");
                yaml_event_delete(&ev);
                goto out;
            }
        }
        yaml_event_delete(&ev);
    }
    *root_out = root;
    ok = 1;
out:
    for (size_t i = 0; i < an; i++)
        free(anchor_names[i]);
    free(anchor_names);
    rtlc_yhtab_free(&anchors);
    free(stack);
    yaml_parser_delete(&parser);
    return ok;
}
