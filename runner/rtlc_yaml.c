/*
 * rtlc_yaml.c: YAML -> JSON for the check runner (see rtlc_yaml.h for the contract): the document's
 * lifetime, the helpers the stages share, the accessors and the public entry points.
 *
 * Shape: libyaml's event parser feeds a small composer (rtlc_yaml_compose.c: our own node graph,
 * because libyaml's document loader forgets whether a scalar's tag was explicit, which YAML 1.1
 * resolution needs); a constructor (rtlc_yaml_construct.c) then turns nodes into values the way
 * PyYAML's SafeConstructor does, memoised per node so that aliases share one value; an emitter
 * (rtlc_yaml_emit.c) writes JSON text. Every stage is iterative or depth-bounded and every
 * allocation failure is an ordinary error, because these are the files the fuzzers point at.
 */
#define _GNU_SOURCE
#include "rtlc_util.h"
#include "rtlc_yaml_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ------------------------------------------------------------------------ */

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void **htab_slot(rtlc_yhtab_t *t, const char *k, size_t kn, int *found)
{
    size_t i = (size_t)hash_bytes(k, kn) & (t->cap - 1);
    for (;;) {
        if (!t->keys[i]) {
            *found = 0;
            return &t->vals[i];
        }
        if (t->klens[i] == kn && memcmp(t->keys[i], k, kn) == 0) {
            *found = 1;
            return &t->vals[i];
        }
        i = (i + 1) & (t->cap - 1);
    }
}

static int htab_grow(rtlc_yhtab_t *t)
{
    rtlc_yhtab_t nt = {0};
    nt.cap = t->cap ? t->cap * 2 : 16;
    nt.keys = calloc(nt.cap, sizeof(*nt.keys));
    nt.klens = calloc(nt.cap, sizeof(*nt.klens));
    nt.vals = calloc(nt.cap, sizeof(*nt.vals));
    if (!nt.keys || !nt.klens || !nt.vals) {
        free(nt.keys);
        free(nt.klens);
        free(nt.vals);
        return 0;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (t->keys[i]) {
            int found;
            size_t j = (size_t)hash_bytes(t->keys[i], t->klens[i]) & (nt.cap - 1);
            (void)found;
            while (nt.keys[j])
                j = (j + 1) & (nt.cap - 1);
            nt.keys[j] = t->keys[i];
            nt.klens[j] = t->klens[i];
            nt.vals[j] = t->vals[i];
        }
    }
    nt.n = t->n;
    free(t->keys);
    free(t->klens);
    free(t->vals);
    *t = nt;
    return 1;
}

/* Returns the existing value for k (and leaves the table alone) or inserts v and returns NULL;
 * *err = 1 on allocation failure. Keys are borrowed: they must outlive the table. */
void *rtlc_yhtab_put(rtlc_yhtab_t *t, const char *k, size_t kn, void *v, int replace, int *err)
{
    int found;
    *err = 0;
    if ((t->n + 1) * 2 > t->cap && !htab_grow(t)) {
        *err = 1;
        return NULL;
    }
    size_t idx = (size_t)(htab_slot(t, k, kn, &found) - t->vals);
    if (found) {
        void *old = t->vals[idx];
        if (replace)
            t->vals[idx] = v;
        return old;
    }
    t->keys[idx] = k;
    t->klens[idx] = kn;
    t->vals[idx] = v;
    t->n++;
    return NULL;
}

void *rtlc_yhtab_get(const rtlc_yhtab_t *t, const char *k, size_t kn)
{
    int found;
    if (!t->cap)
        return NULL;
    void **slot = htab_slot((rtlc_yhtab_t *)t, k, kn, &found);
    return found ? *slot : NULL;
}

void rtlc_yhtab_free(rtlc_yhtab_t *t)
{
    free(t->keys);
    free(t->klens);
    free(t->vals);
    memset(t, 0, sizeof(*t));
}

int rtlc_y_push(void ***arr, size_t *n, size_t *cap, void *p)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        void **na = realloc(*arr, nc * sizeof(void *));
        if (!na)
            return 0;
        *arr = na;
        *cap = nc;
    }
    (*arr)[(*n)++] = p;
    return 1;
}

void rtlc_y_err(rtlc_ydoc_t *d, size_t line, size_t col, const char *fmt, ...)
{
    if (d->err)
        return;
    va_list ap;
    char *msg = NULL;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    d->err = rtlc_fmt("%s:%zu:%zu: %s", d->fname, line + 1, col + 1, msg ? msg : "out of memory");
    free(msg);
}

void rtlc_ydoc_free(rtlc_ydoc_t *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nn; i++) {
        free(d->nodes[i]->tag);
        free(d->nodes[i]->value);
        free(d->nodes[i]->kids);
        free(d->nodes[i]);
    }
    for (size_t i = 0; i < d->nv; i++) {
        if (!d->vals[i]->borrowed)
            free(d->vals[i]->text);
        free(d->vals[i]->items);
        free(d->vals[i]);
    }
    free(d->nodes);
    free(d->vals);
    free(d->err);
    free(d);
}

/* ---- public entry points --------------------------------------------------------------------- */

int rtlc_yaml_parse(const char *buf, size_t len, const char *filename, rtlc_ydoc_t **out, char **err)
{
    *out = NULL;
    *err = NULL;
    if (!rtlc_y_resolver_ready()) {
        *err = strdup("could not compile the YAML 1.1 resolver expressions");
        return 0;
    }
    rtlc_ydoc_t *d = calloc(1, sizeof(*d));
    if (!d) {
        *err = strdup("out of memory");
        return 0;
    }
    d->fname = filename ? filename : "<input>";
    if (buf && len > RTLC_YAML_MAX_INPUT) { /* refused before any copy: memory stays at the caller's buffer */
        *err = rtlc_fmt("%s: the YAML text is %zu bytes, over the %u-byte (%u MiB) limit of a configuration file",
                        d->fname, len, RTLC_YAML_MAX_INPUT, RTLC_YAML_MAX_INPUT >> 20);
        rtlc_ydoc_free(d);
        return 0;
    }
    rtlc_ynode_t *root = NULL;
    if (rtlc_y_compose(d, buf ? buf : "", buf ? len : 0, &root)) {
        if (root)
            d->root = rtlc_y_construct(d, root, 0);
        else
            d->root = rtlc_y_new_val(d, RTLC_Y_NULL, "null", 4);
    }
    if (!d->root) {
        if (!d->err)
            rtlc_y_err(d, 0, 0, "out of memory");
        *err = d->err ? d->err : strdup("out of memory");
        d->err = NULL;
        rtlc_ydoc_free(d);
        return 0;
    }
    *out = d;
    return 1;
}

const rtlc_yval_t *rtlc_ydoc_root(const rtlc_ydoc_t *d)
{
    return d ? d->root : NULL;
}
rtlc_ykind_t rtlc_yval_kind(const rtlc_yval_t *v)
{
    return v ? v->kind : RTLC_Y_NULL;
}

size_t rtlc_yval_len(const rtlc_yval_t *v)
{
    if (!v)
        return 0;
    return v->kind == RTLC_Y_SEQ ? v->n : v->kind == RTLC_Y_MAP ? v->n / 2 : 0;
}

const rtlc_yval_t *rtlc_yval_at(const rtlc_yval_t *v, size_t i)
{
    if (!v || i >= rtlc_yval_len(v))
        return NULL;
    return v->kind == RTLC_Y_SEQ ? v->items[i] : v->items[2 * i + 1];
}

const rtlc_yval_t *rtlc_yval_key_at(const rtlc_yval_t *v, size_t i)
{
    if (!v || v->kind != RTLC_Y_MAP || i >= v->n / 2)
        return NULL;
    return v->items[2 * i];
}

const rtlc_yval_t *rtlc_yval_get(const rtlc_yval_t *v, const char *key)
{
    size_t kn = strlen(key);
    if (!v || v->kind != RTLC_Y_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < v->n; i += 2)
        if (v->items[i]->len == kn && memcmp(v->items[i]->text, key, kn) == 0)
            return v->items[i + 1];
    return NULL;
}

void rtlc_yval_mark(const rtlc_yval_t *v, size_t *line, size_t *col)
{
    *line = v ? v->line + 1 : 0;
    *col = v ? v->col + 1 : 0;
}

const char *rtlc_yval_text(const rtlc_yval_t *v, size_t *len)
{
    if (len)
        *len = v && v->text ? v->len : 0;
    return v ? v->text : NULL;
}

int rtlc_yaml_to_json(const char *buf, size_t len, char **out_json, char **err)
{
    rtlc_ydoc_t *d = NULL;
    *out_json = NULL;
    if (!rtlc_yaml_parse(buf, len, NULL, &d, err))
        return 0;
    int ok = rtlc_yval_to_json(rtlc_ydoc_root(d), out_json, err);
    rtlc_ydoc_free(d);
    return ok;
}
