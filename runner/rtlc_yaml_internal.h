/*
 * rtlc_yaml_internal.h: what the stages of the YAML -> JSON converter share (see rtlc_yaml.h for
 * the contract). Not a public interface: only rtlc_yaml*.c include it.
 *
 * The stages, one file each:
 *   rtlc_yaml_compose.c    libyaml events -> node graph (anchors, aliases, nesting bound)
 *   rtlc_yaml_construct.c  nodes -> values, as PyYAML's SafeConstructor (YAML 1.1 resolution,
 *                          numbers, merge keys), memoised per node so that aliases share a value
 *   rtlc_yaml_emit.c       values -> JSON text
 *   rtlc_yaml.c            the document's lifetime, the shared helpers below, the accessors and the
 *                          public entry points that run the stages in order
 */
#ifndef RTLC_YAML_INTERNAL_H
#define RTLC_YAML_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "rtlc_util.h"
#include "rtlc_yaml.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

/* string -> pointer table (open addressing); used for anchors and for mapping keys */
typedef struct {
    const char **keys;
    size_t *klens;
    void **vals;
    size_t n, cap;
} rtlc_yhtab_t;

/* Returns the existing value for k (replacing it when `replace`) or inserts v and returns NULL;
 * *err = 1 on allocation failure. Keys are borrowed: they must outlive the table. */
void *rtlc_yhtab_put(rtlc_yhtab_t *t, const char *k, size_t kn, void *v, int replace, int *err);
void *rtlc_yhtab_get(const rtlc_yhtab_t *t, const char *k, size_t kn);
void rtlc_yhtab_free(rtlc_yhtab_t *t);

enum { N_SCALAR, N_SEQ, N_MAP };

typedef struct ynode {
    int kind;
    char *tag;   /* NULL when untagged */
    char *value; /* scalars */
    size_t len;
    int plain_implicit;
    size_t line, col;
    struct ynode **kids; /* SEQ: items; MAP: key, value, key, value... */
    size_t n, cap;
    int open;            /* still being composed (an alias to it would be recursive) */
    int constructing;    /* construction in progress */
    rtlc_yval_t *val;    /* memoised construction as a value */
    rtlc_yval_t *keyval; /* memoised construction as a mapping key (always a str) */
} rtlc_ynode_t;

struct rtlc_yval {
    rtlc_ykind_t kind;
    char *text; /* STR bytes, or JSON text of a scalar */
    size_t len;
    int borrowed;        /* text belongs to the scalar node it was built from (not freed here) */
    int shared;          /* reached more than once through aliases (or merge keys) */
    rtlc_yval_t **items; /* SEQ: items; MAP: key, value, key, value... */
    size_t n, cap;
    size_t line, col; /* where the (first) node it was built from starts, 0-based */
};

struct rtlc_ydoc {
    rtlc_ynode_t **nodes;
    size_t nn, ncap;
    rtlc_yval_t **vals;
    size_t nv, vcap;
    rtlc_yval_t *root;
    const char *fname;
    char *err;
};

/* Append p to a growing pointer array. Returns 1, or 0 when out of memory. */
int rtlc_y_push(void ***arr, size_t *n, size_t *cap, void *p);
/* Record the document's first error as "file:line:col: message" (0-based line/col in). */
void rtlc_y_err(rtlc_ydoc_t *d, size_t line, size_t col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Stage 1: compose the stream into nodes owned by d; *root_out is NULL for an empty stream. */
int rtlc_y_compose(rtlc_ydoc_t *d, const char *buf, size_t len, rtlc_ynode_t **root_out);

/* Stage 2: 1 once the YAML 1.1 resolver expressions are compiled (thread-safe, done once). */
int rtlc_y_resolver_ready(void);
/* A new value owned by d (text copied when given). NULL when out of memory. */
rtlc_yval_t *rtlc_y_new_val(rtlc_ydoc_t *d, rtlc_ykind_t kind, const char *text, size_t len);
/* A new RTLC_Y_STR value whose text is the scalar node's own (borrowed: nodes live as long as
 * values, so a big string is held once). NULL when out of memory. */
rtlc_yval_t *rtlc_y_new_str_of(rtlc_ydoc_t *d, rtlc_ynode_t *n);
/* The value of node n (memoised); NULL with d->err set. */
rtlc_yval_t *rtlc_y_construct(rtlc_ydoc_t *d, rtlc_ynode_t *n, int depth);

/* Stage 3's state: the JSON text (text.max = RTLC_YAML_MAX_JSON) and, when writing failed, why:
 * the innermost value being written, and whether the path went through a value repeated by
 * aliases (alias_at: the outermost such value). */
typedef struct {
    rtlc_buf_t text;
    int too_deep;
    const rtlc_yval_t *failed_at, *alias_at;
    int via_alias;
} rtlc_yemit_t;

/* Stage 3: append the JSON text of v to e->text. */
void rtlc_y_emit(rtlc_yemit_t *e, const rtlc_yval_t *v, int depth);

#endif /* RTLC_YAML_INTERNAL_H */
