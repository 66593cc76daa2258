/*
 * rtlc_yaml_construct.c: stage 2 of the YAML -> JSON converter (see rtlc_yaml_internal.h): nodes
 * become values the way PyYAML's SafeConstructor makes Python objects. Plain scalars are resolved
 * with PyYAML's YAML 1.1 implicit resolvers (as POSIX EREs), integers of any size are kept exact
 * (base 1e9 limbs), floats are written so that both json.loads and PyYAML read them back, merge
 * keys follow flatten_mapping's order and duplicate keys behave as a dict. Construction is
 * memoised per node, so an alias costs nothing and aliases share one value.
 */
#define _GNU_SOURCE
#include "rtlc_yaml_internal.h"

#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rtlc_yval_t *rtlc_y_new_val(rtlc_ydoc_t *d, rtlc_ykind_t kind, const char *text, size_t len)
{
    rtlc_yval_t *v = calloc(1, sizeof(*v));
    if (!v || !rtlc_y_push((void ***)&d->vals, &d->nv, &d->vcap, v)) {
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

rtlc_yval_t *rtlc_y_new_str_of(rtlc_ydoc_t *d, rtlc_ynode_t *n)
{
    rtlc_yval_t *v = rtlc_y_new_val(d, RTLC_Y_STR, NULL, 0);
    if (v) {
        v->text = n->value;
        v->len = n->len;
        v->borrowed = 1;
    }
    return v;
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

int rtlc_y_resolver_ready(void)
{
    pthread_once(&rx_once, rx_init);
    return rx_ok;
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

static void big_to_text(const big_t *b, int negative, rtlc_buf_t *out)
{
    size_t top = b->n;
    while (top > 0 && b->l[top - 1] == 0)
        top--;
    if (top == 0) {
        rtlc_buf_puts(out, "0");
        return;
    }
    char tmp[16];
    if (negative)
        rtlc_buf_puts(out, "-");
    snprintf(tmp, sizeof(tmp), "%u", b->l[top - 1]);
    rtlc_buf_puts(out, tmp);
    for (size_t i = top - 1; i > 0; i--) {
        snprintf(tmp, sizeof(tmp), "%09u", b->l[i - 1]);
        rtlc_buf_puts(out, tmp);
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
    rtlc_buf_t sb = {0};
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

static int tag_is(const rtlc_ynode_t *n, const char *short_name)
{
    return n->tag && strncmp(n->tag, TAG_PREFIX, sizeof(TAG_PREFIX) - 1) == 0
           && strcmp(n->tag + sizeof(TAG_PREFIX) - 1, short_name) == 0;
}

/* The resolved short tag of a scalar ("str", "int", ...), or NULL for a foreign tag. */
static const char *scalar_tag(const rtlc_ynode_t *n)
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

static int is_merge_key(const rtlc_ynode_t *k)
{
    if (k->kind != N_SCALAR)
        return 0;
    const char *t = scalar_tag(k);
    return t && strcmp(t, "merge") == 0;
}

static rtlc_yval_t *construct_scalar(rtlc_ydoc_t *d, rtlc_ynode_t *n, int as_key)
{
    const char *t = scalar_tag(n);
    if (!t) {
        rtlc_y_err(d, n->line, n->col, "could not determine a constructor for the tag '%s'", n->tag);
        return NULL;
    }
    if (as_key && strcmp(t, "value") == 0) /* flatten_mapping turns a '=' key into a str */
        t = "str";
    if (as_key || strcmp(t, "str") == 0 || strcmp(t, "timestamp") == 0)
        return rtlc_y_new_str_of(d, n);
    if (strcmp(t, "null") == 0)
        return rtlc_y_new_val(d, RTLC_Y_NULL, "null", 4);
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
            rtlc_y_err(d, n->line, n->col, "invalid boolean '%s'", n->value);
            return NULL;
        }
        return val ? rtlc_y_new_val(d, RTLC_Y_BOOL, "true", 4) : rtlc_y_new_val(d, RTLC_Y_BOOL, "false", 5);
    }
    if (strcmp(t, "int") == 0) {
        char *text = construct_int(n->value, n->len);
        if (!text) {
            rtlc_y_err(d, n->line, n->col, "invalid integer '%s'", n->value);
            return NULL;
        }
        rtlc_yval_t *v = rtlc_y_new_val(d, RTLC_Y_INT, text, strlen(text));
        free(text);
        return v;
    }
    if (strcmp(t, "float") == 0) {
        double f;
        char buf[64];
        int rc = construct_float(n->value, n->len, &f);
        if (rc < 0) {
            rtlc_y_err(d, n->line, n->col, "'%s' (NaN) cannot be represented in JSON", n->value);
            return NULL;
        }
        if (rc == 0) {
            rtlc_y_err(d, n->line, n->col, "invalid float '%s'", n->value);
            return NULL;
        }
        format_float(f, buf);
        return rtlc_y_new_val(d, RTLC_Y_FLOAT, buf, strlen(buf));
    }
    rtlc_y_err(d, n->line, n->col, "could not determine a constructor for the tag '%s%s'", TAG_PREFIX, t);
    return NULL;
}

/* Set key → value in map m (Python dict semantics: existing key keeps its slot, value replaced). */
static int map_set(rtlc_ydoc_t *d, rtlc_yval_t *m, rtlc_yhtab_t *index, rtlc_yval_t *key, rtlc_yval_t *val)
{
    int herr;
    size_t pos = m->n / 2 + 1; /* stored +1 so that NULL means "absent" */
    void *old = rtlc_yhtab_put(index, key->text, key->len, (void *)(uintptr_t)pos, 0, &herr);
    if (herr)
        return 0;
    if (old) {
        m->items[((uintptr_t)old - 1) * 2 + 1] = val;
        return 1;
    }
    (void)d;
    return rtlc_y_push((void ***)&m->items, &m->n, &m->cap, key)
           && rtlc_y_push((void ***)&m->items, &m->n, &m->cap, val);
}

static int merge_from(rtlc_ydoc_t *d, rtlc_yval_t *m, rtlc_yhtab_t *index, rtlc_ynode_t *src, int depth)
{
    rtlc_yval_t *sv = rtlc_y_construct(d, src, depth + 1);
    if (!sv)
        return 0;
    for (size_t i = 0; i + 1 < sv->n; i += 2)
        if (!map_set(d, m, index, sv->items[i], sv->items[i + 1]))
            return 0;
    return 1;
}

static rtlc_yval_t *construct_map(rtlc_ydoc_t *d, rtlc_ynode_t *n, int depth)
{
    rtlc_yval_t *m = rtlc_y_new_val(d, RTLC_Y_MAP, NULL, 0);
    rtlc_yhtab_t index = {0};
    int ok = 0;
    if (!m)
        goto out;
    /* merged pairs first (each `<<` in order; a sequence of mappings in reverse), then the rest */
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        rtlc_ynode_t *k = n->kids[i], *v = n->kids[i + 1];
        if (!is_merge_key(k))
            continue;
        if (v->kind == N_MAP) {
            if (!merge_from(d, m, &index, v, depth))
                goto out;
        } else if (v->kind == N_SEQ) {
            for (size_t j = v->n; j > 0; j--) {
                if (v->kids[j - 1]->kind != N_MAP) {
                    rtlc_y_err(d, v->kids[j - 1]->line, v->kids[j - 1]->col,
                               "while constructing a mapping: expected a mapping for merging");
                    goto out;
                }
                if (!merge_from(d, m, &index, v->kids[j - 1], depth))
                    goto out;
            }
        } else {
            rtlc_y_err(d, v->line, v->col,
                       "while constructing a mapping: expected a mapping or list of mappings for merging");
            goto out;
        }
    }
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        rtlc_ynode_t *k = n->kids[i], *v = n->kids[i + 1];
        if (is_merge_key(k))
            continue;
        if (k->kind != N_SCALAR) {
            rtlc_y_err(d, k->line, k->col, "while constructing a mapping: found unhashable key");
            goto out;
        }
        rtlc_yval_t *kv = k->keyval;
        if (!kv && !(kv = k->keyval = construct_scalar(d, k, 1)))
            goto out;
        rtlc_yval_t *vv = rtlc_y_construct(d, v, depth + 1);
        if (!vv || !map_set(d, m, &index, kv, vv))
            goto out;
    }
    ok = 1;
out:
    rtlc_yhtab_free(&index);
    if (!ok && !d->err)
        rtlc_y_err(d, n->line, n->col, "out of memory");
    return ok ? m : NULL;
}

rtlc_yval_t *rtlc_y_construct(rtlc_ydoc_t *d, rtlc_ynode_t *n, int depth)
{
    if (n->val) {
        n->val->shared = 1; /* an alias (or a merge) repeats it */
        return n->val;
    }
    if (depth > RTLC_YAML_MAX_DEPTH) {
        rtlc_y_err(d, n->line, n->col, "nesting (through aliases) deeper than %d levels", RTLC_YAML_MAX_DEPTH);
        return NULL;
    }
    if (n->constructing) {
        rtlc_y_err(d, n->line, n->col, "recursive structure cannot be represented in JSON");
        return NULL;
    }
    rtlc_yval_t *v = NULL;
    n->constructing = 1;
    if (n->kind == N_SCALAR) {
        v = construct_scalar(d, n, 0);
    } else if (n->kind == N_SEQ) {
        if (n->tag && strcmp(n->tag, "!") != 0 && !tag_is(n, "seq")) {
            rtlc_y_err(d, n->line, n->col, "unsupported tag '%s' on a sequence", n->tag);
        } else if ((v = rtlc_y_new_val(d, RTLC_Y_SEQ, NULL, 0))) {
            for (size_t i = 0; i < n->n && v; i++) {
                rtlc_yval_t *item = rtlc_y_construct(d, n->kids[i], depth + 1);
                if (!item || !rtlc_y_push((void ***)&v->items, &v->n, &v->cap, item))
                    v = NULL;
            }
        }
    } else {
        if (n->tag && strcmp(n->tag, "!") != 0 && !tag_is(n, "map"))
            rtlc_y_err(d, n->line, n->col, "unsupported tag '%s' on a mapping", n->tag);
        else
            v = construct_map(d, n, depth);
    }
    n->constructing = 0;
    if (v) {
        v->line = n->line;
        v->col = n->col;
    }
    if (!v && !d->err)
        rtlc_y_err(d, n->line, n->col, "out of memory");
    if (v)
        n->val = v;
    return v;
}
