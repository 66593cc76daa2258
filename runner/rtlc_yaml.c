/*
 * rtlc_yaml.c: YAML → JSON for the check runner (see rtlc_yaml.h for the contract).
 *
 * Shape: libyaml's event parser feeds a small composer (our own node graph, because libyaml's
 * document loader forgets whether a scalar's tag was explicit, which YAML 1.1 resolution needs);
 * a constructor then turns nodes into values the way PyYAML's SafeConstructor does, memoised per
 * node so that aliases share one value; an emitter writes JSON text. Every stage is iterative or
 * depth-bounded and every allocation failure is an ordinary error, because this is the file the
 * fuzzers point at.
 */
#define _GNU_SOURCE
#include "rtlc_yaml.h"
#include "rtlc_util.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

/* ---- small helpers ------------------------------------------------------------------------ */

typedef struct {
    char *buf;
    size_t len, cap;
    int failed; /* out of memory or over RTLC_YAML_MAX_JSON */
} sbuf_t;

static void sb_put(sbuf_t *sb, const char *s, size_t n)
{
    if (sb->failed)
        return;
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 256;
        while (cap < sb->len + n + 1)
            cap *= 2;
        if (cap > RTLC_YAML_MAX_JSON + 1) {
            if (sb->len + n + 1 > RTLC_YAML_MAX_JSON + 1) {
                sb->failed = 1;
                return;
            }
            cap = RTLC_YAML_MAX_JSON + 1;
        }
        char *nb = realloc(sb->buf, cap);
        if (!nb) {
            sb->failed = 1;
            return;
        }
        sb->buf = nb;
        sb->cap = cap;
    }
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

static void sb_puts(sbuf_t *sb, const char *s)
{
    sb_put(sb, s, strlen(s));
}

/* string → pointer table (open addressing); used for anchors and for mapping keys */
typedef struct {
    const char **keys;
    size_t *klens;
    void **vals;
    size_t n, cap;
} htab_t;

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void **htab_slot(htab_t *t, const char *k, size_t kn, int *found)
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

static int htab_grow(htab_t *t)
{
    htab_t nt = {0};
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
static void *htab_put(htab_t *t, const char *k, size_t kn, void *v, int replace, int *err)
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

static void *htab_get(const htab_t *t, const char *k, size_t kn)
{
    int found;
    if (!t->cap)
        return NULL;
    void **slot = htab_slot((htab_t *)t, k, kn, &found);
    return found ? *slot : NULL;
}

static void htab_free(htab_t *t)
{
    free(t->keys);
    free(t->klens);
    free(t->vals);
    memset(t, 0, sizeof(*t));
}

/* ---- nodes and values ----------------------------------------------------------------------- */

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
} ynode_t;

struct rtlc_yval {
    rtlc_ykind_t kind;
    char *text; /* STR bytes, or JSON text of a scalar */
    size_t len;
    rtlc_yval_t **items; /* SEQ: items; MAP: key, value, key, value... */
    size_t n, cap;
    size_t line, col; /* where the (first) node it was built from starts, 0-based */
};

struct rtlc_ydoc {
    ynode_t **nodes;
    size_t nn, ncap;
    rtlc_yval_t **vals;
    size_t nv, vcap;
    rtlc_yval_t *root;
    const char *fname;
    char *err;
};

static int push_ptr(void ***arr, size_t *n, size_t *cap, void *p)
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

static void set_err(rtlc_ydoc_t *d, size_t line, size_t col, const char *fmt, ...)
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

static ynode_t *new_node(rtlc_ydoc_t *d, int kind, const yaml_mark_t *m, const yaml_char_t *tag)
{
    ynode_t *n = calloc(1, sizeof(*n));
    if (!n || !push_ptr((void ***)&d->nodes, &d->nn, &d->ncap, n)) {
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

static rtlc_yval_t *new_val(rtlc_ydoc_t *d, rtlc_ykind_t kind, const char *text, size_t len)
{
    rtlc_yval_t *v = calloc(1, sizeof(*v));
    if (!v || !push_ptr((void ***)&d->vals, &d->nv, &d->vcap, v)) {
        free(v);
        return NULL;
    }
    v->kind = kind;
    if (text) {
        v->text = malloc(len + 1);
        if (!v->text)
            return NULL;
        memcpy(v->text, text, len);
        v->text[len] = '\0';
        v->len = len;
    }
    return v;
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
        free(d->vals[i]->text);
        free(d->vals[i]->items);
        free(d->vals[i]);
    }
    free(d->nodes);
    free(d->vals);
    free(d->err);
    free(d);
}

/* ---- YAML 1.1 implicit resolution (PyYAML's resolver.py, as POSIX EREs) -------------------- */

enum { RX_BOOL, RX_FLOAT, RX_INT, RX_MERGE, RX_NULL, RX_TIMESTAMP, RX_VALUE, RX_PYFLOAT, RX_COUNT };
static const char *const rx_src[RX_COUNT] = {
    "^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
    "^([-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9][0-9_]*([eE][-+][0-9]+)?"
    "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$",
    "^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    "|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$",
    "^<<$",
    "^(~|null|Null|NULL|)$",
    "^([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\\.[0-9]*)?"
    "([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)$",
    "^=$",
    /* what Python's float() accepts once '_' is removed and the text lower-cased */
    "^([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[-+]?[0-9]+)?$",
};
static regex_t rx[RX_COUNT];
static int rx_ok;
static pthread_once_t rx_once = PTHREAD_ONCE_INIT;

static void rx_init(void)
{
    for (int i = 0; i < RX_COUNT; i++) {
        if (regcomp(&rx[i], rx_src[i], REG_EXTENDED | REG_NOSUB) != 0)
            return;
    }
    rx_ok = 1;
}

static int rx_match(int which, const char *s, size_t len)
{
    if (strlen(s) != len) /* embedded NUL: never a plain YAML 1.1 special */
        return 0;
    return regexec(&rx[which], s, 0, NULL, 0) == 0;
}

/* ---- numbers ------------------------------------------------------------------------------- */

/* Arbitrary-size non-negative integer, base 1e9 limbs, little endian. */
typedef struct {
    uint32_t *l;
    size_t n, cap;
} big_t;

static int big_reserve(big_t *b, size_t n)
{
    if (n <= b->cap)
        return 1;
    size_t nc = b->cap ? b->cap * 2 : 4;
    while (nc < n)
        nc *= 2;
    uint32_t *nl = realloc(b->l, nc * sizeof(uint32_t));
    if (!nl)
        return 0;
    b->l = nl;
    b->cap = nc;
    return 1;
}

static int big_muladd(big_t *b, uint32_t mul, uint32_t add)
{
    uint64_t carry = add;
    for (size_t i = 0; i < b->n; i++) {
        uint64_t x = (uint64_t)b->l[i] * mul + carry;
        b->l[i] = (uint32_t)(x % 1000000000u);
        carry = x / 1000000000u;
    }
    while (carry) {
        if (!big_reserve(b, b->n + 1))
            return 0;
        b->l[b->n++] = (uint32_t)(carry % 1000000000u);
        carry /= 1000000000u;
    }
    return 1;
}

static int big_add(big_t *a, const big_t *b)
{
    size_t n = a->n > b->n ? a->n : b->n;
    if (!big_reserve(a, n + 1))
        return 0;
    while (a->n < n)
        a->l[a->n++] = 0;
    uint32_t carry = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = a->l[i] + (i < b->n ? b->l[i] : 0) + carry;
        carry = x >= 1000000000u;
        a->l[i] = carry ? x - 1000000000u : x;
    }
    if (carry)
        a->l[a->n++] = 1;
    return 1;
}

/* Parse digits of `base` (every char must be a digit of that base); 0 if none or invalid. */
static int big_parse(big_t *b, const char *s, size_t n, unsigned base)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return 0;
        if (d >= base || !big_muladd(b, base, d))
            return 0;
    }
    return 1;
}

static void big_to_text(const big_t *b, int negative, sbuf_t *out)
{
    size_t top = b->n;
    while (top > 0 && b->l[top - 1] == 0)
        top--;
    if (top == 0) {
        sb_puts(out, "0");
        return;
    }
    char tmp[16];
    if (negative)
        sb_puts(out, "-");
    snprintf(tmp, sizeof(tmp), "%u", b->l[top - 1]);
    sb_puts(out, tmp);
    for (size_t i = top - 1; i > 0; i--) {
        snprintf(tmp, sizeof(tmp), "%09u", b->l[i - 1]);
        sb_puts(out, tmp);
    }
}

/* `text` without '_' (and lower-cased when lower); malloc'ed. */
static char *clean_number(const char *text, size_t len, int lower)
{
    if (memchr(text, '\0', len))
        return NULL; /* never a number */
    char *s = malloc(len + 1), *p = s;
    if (!s)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '_')
            continue;
        if (lower && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        *p++ = c;
    }
    *p = '\0';
    return s;
}

/* PyYAML construct_yaml_int; returns the decimal text (malloc'ed) or NULL if invalid. */
static char *construct_int(const char *text, size_t len)
{
    char *v = clean_number(text, len, 0), *out = NULL;
    big_t b = {0};
    sbuf_t sb = {0};
    int neg = 0, ok = 0;
    if (!v || !v[0])
        goto done;
    char *p = v;
    if (*p == '-')
        neg = 1;
    if (*p == '-' || *p == '+')
        p++;
    size_t n = strlen(p);
    if (strcmp(p, "0") == 0) {
        neg = 0;
        ok = big_parse(&b, "0", 1, 10);
    } else if (strncmp(p, "0b", 2) == 0) {
        ok = big_parse(&b, p + 2, n - 2, 2);
    } else if (strncmp(p, "0x", 2) == 0) {
        ok = big_parse(&b, p + 2, n - 2, 16);
    } else if (p[0] == '0') {
        ok = big_parse(&b, p, n, 8);
    } else if (strchr(p, ':')) {
        /* sexagesimal: Horner over the ':'-separated decimal parts */
        ok = big_parse(&b, "0", 1, 10);
        char *part = p;
        while (ok) {
            char *colon = strchr(part, ':');
            size_t pn = colon ? (size_t)(colon - part) : strlen(part);
            big_t d = {0};
            ok = big_muladd(&b, 60, 0) && big_parse(&d, part, pn, 10) && big_add(&b, &d);
            free(d.l);
            if (!colon)
                break;
            part = colon + 1;
        }
    } else {
        ok = big_parse(&b, p, n, 10);
    }
    if (ok) {
        size_t top = b.n;
        while (top > 0 && b.l[top - 1] == 0)
            top--;
        big_to_text(&b, neg && top > 0, &sb);
        if (!sb.failed)
            out = sb.buf, sb.buf = NULL;
    }
done:
    free(sb.buf);
    free(b.l);
    free(v);
    return out;
}

/* A double as JSON text that PyYAML's float resolver also accepts: shortest round trip, always
 * with a '.', exponent signed. Infinities as ±1.0e+999. */
static void format_float(double d, char out[64])
{
    if (isinf(d)) {
        strcpy(out, d < 0 ? "-1.0e+999" : "1.0e+999");
        return;
    }
    char tmp[48];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    char *e = strchr(tmp, 'e');
    char mant[48], expo[16] = "";
    if (e) {
        memcpy(mant, tmp, (size_t)(e - tmp));
        mant[e - tmp] = '\0';
        snprintf(expo, sizeof(expo), "%s", e);
    } else {
        snprintf(mant, sizeof(mant), "%s", tmp);
    }
    if (!strchr(mant, '.'))
        strcat(mant, ".0");
    snprintf(out, 64, "%s%s", mant, expo);
}

/* PyYAML construct_yaml_float. Returns 1 with *d set, 0 for invalid text, -1 for NaN. */
static int construct_float(const char *text, size_t len, double *d)
{
    char *v = clean_number(text, len, 1);
    int rc = 0;
    if (!v || !v[0])
        goto done;
    char *p = v;
    double sign = 1.0;
    if (*p == '-')
        sign = -1.0;
    if (*p == '-' || *p == '+')
        p++;
    if (strcmp(p, ".inf") == 0 || strcmp(p, "inf") == 0 || strcmp(p, "infinity") == 0) {
        *d = sign * INFINITY;
        rc = 1;
    } else if (strcmp(p, ".nan") == 0 || strcmp(p, "nan") == 0) {
        rc = -1;
    } else if (strchr(p, ':')) {
        /* digits reversed, value += digit*base, base *= 60: same operation order as PyYAML */
        double parts[64];
        size_t np = 0;
        char *part = p;
        for (;;) {
            char *colon = strchr(part, ':');
            if (colon)
                *colon = '\0';
            if (np == 64 || !rx_match(RX_PYFLOAT, part, strlen(part)))
                goto done;
            parts[np++] = strtod(part, NULL);
            if (!colon)
                break;
            part = colon + 1;
        }
        double base = 1.0, val = 0.0;
        for (size_t i = np; i > 0; i--) {
            val += parts[i - 1] * base;
            base *= 60;
        }
        *d = sign * val;
        rc = 1;
    } else if (rx_match(RX_PYFLOAT, p, strlen(p))) {
        *d = sign * strtod(p, NULL);
        rc = 1;
    }
done:
    free(v);
    return rc;
}

/* ---- composer: events → node graph ----------------------------------------------------------- */

static int compose(rtlc_ydoc_t *d, const char *buf, size_t len, ynode_t **root_out)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    ynode_t **stack = NULL;
    size_t sn = 0, scap = 0;
    htab_t anchors = {0};
    char **anchor_names = NULL;
    size_t an = 0, acap = 0;
    ynode_t *root = NULL;
    int docs = 0, ok = 0, done = 0;

    if (!yaml_parser_initialize(&parser)) {
        set_err(d, 0, 0, "could not initialise the YAML parser");
        return 0;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            const char *prob = parser.problem ? parser.problem : "YAML syntax error";
            if (parser.context)
                set_err(d, parser.problem_mark.line, parser.problem_mark.column, "%s %s", parser.context, prob);
            else
                set_err(d, parser.problem_mark.line, parser.problem_mark.column, "%s", prob);
            goto out;
        }
        ynode_t *node = NULL;
        const yaml_char_t *anchor = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                set_err(d, ev.start_mark.line, ev.start_mark.column,
                        "expected a single document in the stream, but found another document");
                yaml_event_delete(&ev);
                goto out;
            }
            break;
        case YAML_SCALAR_EVENT:
            node = new_node(d, N_SCALAR, &ev.start_mark, ev.data.scalar.tag);
            if (node) {
                node->value = malloc(ev.data.scalar.length + 1);
                if (node->value) {
                    memcpy(node->value, ev.data.scalar.value, ev.data.scalar.length);
                    node->value[ev.data.scalar.length] = '\0';
                    node->len = ev.data.scalar.length;
                } else {
                    node = NULL;
                }
                if (node)
                    node->plain_implicit = ev.data.scalar.plain_implicit;
            }
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
            node = htab_get(&anchors, name, strlen(name));
            if (!node) {
                set_err(d, ev.start_mark.line, ev.start_mark.column, "found undefined alias '%s'", name);
                yaml_event_delete(&ev);
                goto out;
            }
            if (node->open) {
                set_err(d, ev.start_mark.line, ev.start_mark.column,
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
                set_err(d, ev.start_mark.line, ev.start_mark.column, "out of memory");
                yaml_event_delete(&ev);
                goto out;
            }
            if (anchor && htab_get(&anchors, (const char *)anchor, strlen((const char *)anchor))) {
                set_err(d, ev.start_mark.line, ev.start_mark.column, "found duplicate anchor '%s'", anchor);
                yaml_event_delete(&ev);
                goto out;
            }
            if (anchor) {
                char *name = strdup((const char *)anchor);
                int herr;
                if (!name || !push_ptr((void ***)&anchor_names, &an, &acap, name)) {
                    free(name);
                    set_err(d, ev.start_mark.line, ev.start_mark.column, "out of memory");
                    yaml_event_delete(&ev);
                    goto out;
                }
                htab_put(&anchors, name, strlen(name), node, 1, &herr);
                if (herr) {
                    set_err(d, ev.start_mark.line, ev.start_mark.column, "out of memory");
                    yaml_event_delete(&ev);
                    goto out;
                }
            }
        }
        /* attach a completed node (scalar, alias, or closed collection) or open a new one */
        if (node && (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)) {
            if (sn >= RTLC_YAML_MAX_DEPTH) {
                set_err(d, ev.start_mark.line, ev.start_mark.column, "nesting deeper than %d levels",
                        RTLC_YAML_MAX_DEPTH);
                yaml_event_delete(&ev);
                goto out;
            }
            if (!push_ptr((void ***)&stack, &sn, &scap, node)) {
                set_err(d, ev.start_mark.line, ev.start_mark.column, "out of memory");
                yaml_event_delete(&ev);
                goto out;
            }
        } else if (node) {
            if (sn == 0) {
                root = node;
            } else if (!push_ptr((void ***)&stack[sn - 1]->kids, &stack[sn - 1]->n, &stack[sn - 1]->cap, node)) {
                set_err(d, ev.start_mark.line, ev.start_mark.column, "out of memory");
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
    htab_free(&anchors);
    free(stack);
    yaml_parser_delete(&parser);
    return ok;
}

/* ---- constructor: nodes → values (PyYAML SafeConstructor) ------------------------------------ */

static rtlc_yval_t *construct(rtlc_ydoc_t *d, ynode_t *n, int depth);

static int tag_is(const ynode_t *n, const char *short_name)
{
    return n->tag && strncmp(n->tag, TAG_PREFIX, sizeof(TAG_PREFIX) - 1) == 0
           && strcmp(n->tag + sizeof(TAG_PREFIX) - 1, short_name) == 0;
}

/* The resolved short tag of a scalar ("str", "int", ...), or NULL for a foreign tag. */
static const char *scalar_tag(const ynode_t *n)
{
    /* PyYAML resolves plain untagged scalars AND any scalar with the non-specific tag "!" (even
     * quoted: its parser marks both implicit), against the YAML spec but as it does */
    if ((!n->tag && n->plain_implicit) || (n->tag && strcmp(n->tag, "!") == 0)) {
        static const char *const names[] = {"bool", "float", "int", "merge", "null", "timestamp", "value"};
        for (int i = RX_BOOL; i <= RX_VALUE; i++)
            if (rx_match(i, n->value, n->len))
                return names[i];
        return "str";
    }
    if (!n->tag)
        return "str";
    if (strncmp(n->tag, TAG_PREFIX, sizeof(TAG_PREFIX) - 1) == 0)
        return n->tag + sizeof(TAG_PREFIX) - 1;
    return NULL;
}

static int is_merge_key(const ynode_t *k)
{
    if (k->kind != N_SCALAR)
        return 0;
    const char *t = scalar_tag(k);
    return t && strcmp(t, "merge") == 0;
}

static rtlc_yval_t *construct_scalar(rtlc_ydoc_t *d, ynode_t *n, int as_key)
{
    const char *t = scalar_tag(n);
    if (!t) {
        set_err(d, n->line, n->col, "could not determine a constructor for the tag '%s'", n->tag);
        return NULL;
    }
    if (as_key && strcmp(t, "value") == 0) /* flatten_mapping turns a '=' key into a str */
        t = "str";
    if (as_key || strcmp(t, "str") == 0 || strcmp(t, "timestamp") == 0)
        return new_val(d, RTLC_Y_STR, n->value, n->len);
    if (strcmp(t, "null") == 0)
        return new_val(d, RTLC_Y_NULL, "null", 4);
    if (strcmp(t, "bool") == 0) {
        char *v = clean_number(n->value, n->len, 1); /* lower-case; bool words have no '_' */
        int ok = v && strchr(n->value, '_') == NULL && strlen(n->value) == n->len;
        int val = -1;
        if (ok && (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on")))
            val = 1;
        else if (ok && (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off")))
            val = 0;
        free(v);
        if (val < 0) {
            set_err(d, n->line, n->col, "invalid boolean '%s'", n->value);
            return NULL;
        }
        return val ? new_val(d, RTLC_Y_BOOL, "true", 4) : new_val(d, RTLC_Y_BOOL, "false", 5);
    }
    if (strcmp(t, "int") == 0) {
        char *text = construct_int(n->value, n->len);
        if (!text) {
            set_err(d, n->line, n->col, "invalid integer '%s'", n->value);
            return NULL;
        }
        rtlc_yval_t *v = new_val(d, RTLC_Y_INT, text, strlen(text));
        free(text);
        return v;
    }
    if (strcmp(t, "float") == 0) {
        double f;
        char buf[64];
        int rc = construct_float(n->value, n->len, &f);
        if (rc < 0) {
            set_err(d, n->line, n->col, "'%s' (NaN) cannot be represented in JSON", n->value);
            return NULL;
        }
        if (rc == 0) {
            set_err(d, n->line, n->col, "invalid float '%s'", n->value);
            return NULL;
        }
        format_float(f, buf);
        return new_val(d, RTLC_Y_FLOAT, buf, strlen(buf));
    }
    set_err(d, n->line, n->col, "could not determine a constructor for the tag '%s%s'", TAG_PREFIX, t);
    return NULL;
}

/* Set key → value in map m (Python dict semantics: existing key keeps its slot, value replaced). */
static int map_set(rtlc_ydoc_t *d, rtlc_yval_t *m, htab_t *index, rtlc_yval_t *key, rtlc_yval_t *val)
{
    int herr;
    size_t pos = m->n / 2 + 1; /* stored +1 so that NULL means "absent" */
    void *old = htab_put(index, key->text, key->len, (void *)(uintptr_t)pos, 0, &herr);
    if (herr)
        return 0;
    if (old) {
        m->items[((uintptr_t)old - 1) * 2 + 1] = val;
        return 1;
    }
    (void)d;
    return push_ptr((void ***)&m->items, &m->n, &m->cap, key) && push_ptr((void ***)&m->items, &m->n, &m->cap, val);
}

static int merge_from(rtlc_ydoc_t *d, rtlc_yval_t *m, htab_t *index, ynode_t *src, int depth)
{
    rtlc_yval_t *sv = construct(d, src, depth + 1);
    if (!sv)
        return 0;
    for (size_t i = 0; i + 1 < sv->n; i += 2)
        if (!map_set(d, m, index, sv->items[i], sv->items[i + 1]))
            return 0;
    return 1;
}

static rtlc_yval_t *construct_map(rtlc_ydoc_t *d, ynode_t *n, int depth)
{
    rtlc_yval_t *m = new_val(d, RTLC_Y_MAP, NULL, 0);
    htab_t index = {0};
    int ok = 0;
    if (!m)
        goto out;
    /* merged pairs first (each `<<` in order; a sequence of mappings in reverse), then the rest */
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        ynode_t *k = n->kids[i], *v = n->kids[i + 1];
        if (!is_merge_key(k))
            continue;
        if (v->kind == N_MAP) {
            if (!merge_from(d, m, &index, v, depth))
                goto out;
        } else if (v->kind == N_SEQ) {
            for (size_t j = v->n; j > 0; j--) {
                if (v->kids[j - 1]->kind != N_MAP) {
                    set_err(d, v->kids[j - 1]->line, v->kids[j - 1]->col,
                            "while constructing a mapping: expected a mapping for merging");
                    goto out;
                }
                if (!merge_from(d, m, &index, v->kids[j - 1], depth))
                    goto out;
            }
        } else {
            set_err(d, v->line, v->col,
                    "while constructing a mapping: expected a mapping or list of mappings for merging");
            goto out;
        }
    }
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        ynode_t *k = n->kids[i], *v = n->kids[i + 1];
        if (is_merge_key(k))
            continue;
        if (k->kind != N_SCALAR) {
            set_err(d, k->line, k->col, "while constructing a mapping: found unhashable key");
            goto out;
        }
        rtlc_yval_t *kv = k->keyval;
        if (!kv && !(kv = k->keyval = construct_scalar(d, k, 1)))
            goto out;
        rtlc_yval_t *vv = construct(d, v, depth + 1);
        if (!vv || !map_set(d, m, &index, kv, vv))
            goto out;
    }
    ok = 1;
out:
    htab_free(&index);
    if (!ok && !d->err)
        set_err(d, n->line, n->col, "out of memory");
    return ok ? m : NULL;
}

static rtlc_yval_t *construct(rtlc_ydoc_t *d, ynode_t *n, int depth)
{
    if (n->val)
        return n->val;
    if (depth > RTLC_YAML_MAX_DEPTH) {
        set_err(d, n->line, n->col, "nesting (through aliases) deeper than %d levels", RTLC_YAML_MAX_DEPTH);
        return NULL;
    }
    if (n->constructing) {
        set_err(d, n->line, n->col, "recursive structure cannot be represented in JSON");
        return NULL;
    }
    rtlc_yval_t *v = NULL;
    n->constructing = 1;
    if (n->kind == N_SCALAR) {
        v = construct_scalar(d, n, 0);
    } else if (n->kind == N_SEQ) {
        if (n->tag && strcmp(n->tag, "!") != 0 && !tag_is(n, "seq")) {
            set_err(d, n->line, n->col, "unsupported tag '%s' on a sequence", n->tag);
        } else if ((v = new_val(d, RTLC_Y_SEQ, NULL, 0))) {
            for (size_t i = 0; i < n->n && v; i++) {
                rtlc_yval_t *item = construct(d, n->kids[i], depth + 1);
                if (!item || !push_ptr((void ***)&v->items, &v->n, &v->cap, item))
                    v = NULL;
            }
        }
    } else {
        if (n->tag && strcmp(n->tag, "!") != 0 && !tag_is(n, "map"))
            set_err(d, n->line, n->col, "unsupported tag '%s' on a mapping", n->tag);
        else
            v = construct_map(d, n, depth);
    }
    n->constructing = 0;
    if (v) {
        v->line = n->line;
        v->col = n->col;
    }
    if (!v && !d->err)
        set_err(d, n->line, n->col, "out of memory");
    if (v)
        n->val = v;
    return v;
}

/* ---- emitter --------------------------------------------------------------------------------- */

/* Decode one UTF-8 sequence; returns its length (1 for an invalid byte, *cp = 0xFFFD). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t need;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        need = 2;
        v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        need = 3;
        v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        need = 4;
        v = c & 0x07;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if (need > n) {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return need;
}

/* A JSON string both json.loads and PyYAML read back unchanged. PyYAML refuses raw DEL, C1 and
 * U+FFFE/FFFF in a stream and folds raw U+0085/2028/2029 as line breaks, so those go as \uXXXX;
 * everything else printable stays raw UTF-8 (no surrogate pairs: PyYAML would not join them). */
static void emit_string(sbuf_t *sb, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    sb_put(sb, "\"", 1);
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        char esc[16];
        if (cp == '"') {
            sb_put(sb, "\\\"", 2);
        } else if (cp == '\\') {
            sb_put(sb, "\\\\", 2);
        } else if (cp == '\n') {
            sb_put(sb, "\\n", 2);
        } else if (cp == '\t') {
            sb_put(sb, "\\t", 2);
        } else if (cp == '\r') {
            sb_put(sb, "\\r", 2);
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF
                   || cp == 0xFFFE || cp == 0xFFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)(cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp));
            sb_puts(sb, esc);
        } else {
            sb_put(sb, (const char *)p + i, k);
        }
        i += k;
    }
    sb_put(sb, "\"", 1);
}

static void emit(sbuf_t *sb, const rtlc_yval_t *v, int depth)
{
    if (sb->failed)
        return;
    if (depth > 2 * RTLC_YAML_MAX_DEPTH) {
        sb->failed = 1;
        return;
    }
    switch (v->kind) {
    case RTLC_Y_STR: emit_string(sb, v->text, v->len); break;
    case RTLC_Y_SEQ:
        sb_put(sb, "[", 1);
        for (size_t i = 0; i < v->n && !sb->failed; i++) {
            if (i)
                sb_put(sb, ", ", 2);
            emit(sb, v->items[i], depth + 1);
        }
        sb_put(sb, "]", 1);
        break;
    case RTLC_Y_MAP:
        sb_put(sb, "{", 1);
        for (size_t i = 0; i + 1 < v->n && !sb->failed; i += 2) {
            if (i)
                sb_put(sb, ", ", 2);
            emit_string(sb, v->items[i]->text, v->items[i]->len);
            sb_put(sb, ": ", 2);
            emit(sb, v->items[i + 1], depth + 1);
        }
        sb_put(sb, "}", 1);
        break;
    default: sb_put(sb, v->text, v->len); break;
    }
}

/* ---- public entry points --------------------------------------------------------------------- */

int rtlc_yaml_parse(const char *buf, size_t len, const char *filename, rtlc_ydoc_t **out, char **err)
{
    *out = NULL;
    *err = NULL;
    pthread_once(&rx_once, rx_init);
    if (!rx_ok) {
        *err = strdup("could not compile the YAML 1.1 resolver expressions");
        return 0;
    }
    rtlc_ydoc_t *d = calloc(1, sizeof(*d));
    if (!d) {
        *err = strdup("out of memory");
        return 0;
    }
    d->fname = filename ? filename : "<input>";
    ynode_t *root = NULL;
    if (compose(d, buf ? buf : "", buf ? len : 0, &root)) {
        if (root)
            d->root = construct(d, root, 0);
        else
            d->root = new_val(d, RTLC_Y_NULL, "null", 4);
    }
    if (!d->root) {
        if (!d->err)
            set_err(d, 0, 0, "out of memory");
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

int rtlc_yval_to_json(const rtlc_yval_t *v, char **out, char **err)
{
    sbuf_t sb = {0};
    *out = NULL;
    *err = NULL;
    if (!v) {
        *out = strdup("null");
        return *out != NULL;
    }
    emit(&sb, v, 0);
    if (sb.failed || !sb.buf) {
        free(sb.buf);
        *err =
            rtlc_fmt("the JSON text would exceed %u bytes (or memory ran out); too many aliases?", RTLC_YAML_MAX_JSON);
        return 0;
    }
    *out = sb.buf;
    return 1;
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
