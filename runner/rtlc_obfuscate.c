/*
 * rtlc_obfuscate.c: SQL, execution-plan and MongoDB obfuscation for the runner (see
 * rtlc_obfuscate.h for what each does and runner/README.md for where it differs from the Agent).
 *
 * SQL is handled in one pass over a lexer's tokens. The lexer knows SQL's literal forms (so that a
 * digit inside `table1` or a quote inside "x" is never a literal), and each token is then either
 * copied (obfuscate_only: the text keeps its layout and comments) or written normalised: one
 * space between tokens, none before `,` and `;`, comments dropped and collected, and the `?`
 * placeholders of a ( ) or [ ] list collapsed to one, which is what makes
 * `IN (1, 2, 3)` and `IN (4, 5)` one query signature. Metadata is read from the same tokens: a
 * table follows FROM, JOIN, INTO, UPDATE, TABLE, ...; a command is one of the Agent's words.
 *
 * JSON (plans, MongoDB commands) is walked by a small recursive scanner rather than parsed with
 * jansson, because the Agent copies the values it keeps byte for byte (a plan's 35.50 stays
 * 35.50) and drops only whitespace; jansson escapes the strings the SQL obfuscator rewrites.
 */
#define _GNU_SOURCE
#include "rtlc_obfuscate.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rtlc_util.h"

/* ---- options -------------------------------------------------------------------------------- */

enum { MODE_LEGACY, MODE_OBFUSCATE_ONLY, MODE_NORMALIZE_ONLY, MODE_OBFUSCATE_AND_NORMALIZE };
enum { DB_OTHER, DB_POSTGRES, DB_MYSQL, DB_MSSQL, DB_ORACLE };

typedef struct {
    int dbms, mode;
    int table_names, collect_commands, collect_comments, collect_procedures;
    int replace_digits, keep_sql_alias, dollar_quoted_func, return_json_metadata;
    int remove_space_between_parentheses, keep_null, keep_boolean, keep_positional_parameter;
    int keep_trailing_semicolon, keep_identifier_quotation, replace_bind_parameter;
} sqlopts_t;

static int opt_bool(json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

/* Parse the options document (NULL or "" is {}). Returns 1, or 0 with *err set. */
static int parse_options(const char *text, sqlopts_t *o, char **err)
{
    json_error_t jerr;
    memset(o, 0, sizeof(*o));
    if (!text || !text[0])
        return 1;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j || !json_is_object(j)) {
        *err = j ? strdup("obfuscation options must be a JSON object")
                 : rtlc_fmt("invalid obfuscation options: %s", jerr.text);
        json_decref(j);
        return 0;
    }
    const char *dbms = json_string_value(json_object_get(j, "dbms"));
    if (dbms) {
        o->dbms = !strcasecmp(dbms, "postgresql") || !strcasecmp(dbms, "postgres") ? DB_POSTGRES
                  : !strcasecmp(dbms, "mysql")                                     ? DB_MYSQL
                  : !strcasecmp(dbms, "mssql") || !strcasecmp(dbms, "sqlserver")   ? DB_MSSQL
                  : !strcasecmp(dbms, "oracle")                                    ? DB_ORACLE
                                                                                   : DB_OTHER;
    }
    const char *mode = json_string_value(json_object_get(j, "obfuscation_mode"));
    if (!mode || !mode[0])
        o->mode = MODE_LEGACY;
    else if (!strcmp(mode, "obfuscate_only"))
        o->mode = MODE_OBFUSCATE_ONLY;
    else if (!strcmp(mode, "normalize_only"))
        o->mode = MODE_NORMALIZE_ONLY;
    else if (!strcmp(mode, "obfuscate_and_normalize"))
        o->mode = MODE_OBFUSCATE_AND_NORMALIZE;
    else {
        *err = rtlc_fmt("invalid obfuscation mode: %s", mode);
        json_decref(j);
        return 0;
    }
    o->table_names = opt_bool(j, "table_names");
    o->collect_commands = opt_bool(j, "collect_commands");
    o->collect_comments = opt_bool(j, "collect_comments");
    o->collect_procedures = opt_bool(j, "collect_procedures");
    o->replace_digits = opt_bool(j, "replace_digits");
    o->keep_sql_alias = opt_bool(j, "keep_sql_alias");
    o->dollar_quoted_func = opt_bool(j, "dollar_quoted_func");
    o->return_json_metadata = opt_bool(j, "return_json_metadata");
    o->remove_space_between_parentheses = opt_bool(j, "remove_space_between_parentheses");
    o->keep_null = opt_bool(j, "keep_null");
    o->keep_boolean = opt_bool(j, "keep_boolean");
    o->keep_positional_parameter = opt_bool(j, "keep_positional_parameter");
    o->keep_trailing_semicolon = opt_bool(j, "keep_trailing_semicolon");
    o->keep_identifier_quotation = opt_bool(j, "keep_identifier_quotation");
    o->replace_bind_parameter = opt_bool(j, "replace_bind_parameter");
    json_decref(j);
    return 1;
}

/* ---- lexer ---------------------------------------------------------------------------------- */

typedef enum {
    TK_WS,
    TK_COMMENT,
    TK_IDENT,
    TK_QIDENT,      /* "x", `x`, [x] (and compounds like "a"."b") */
    TK_STRING,      /* '...', E'...', X'...', B'...', N'...' (also unterminated) */
    TK_NUMBER,      /* 42, -1.5e3, 0x1F */
    TK_DOLLAR,      /* $$...$$, $tag$...$tag$ */
    TK_DOLLAR_FUNC, /* $func$...$func$ */
    TK_BOOL,        /* TRUE, FALSE */
    TK_NULL,        /* NULL */
    TK_POSITIONAL,  /* $1 */
    TK_BIND,        /* :name, @name (SQL Server) */
    TK_PYFORMAT,    /* %s, %(name)s: a client library's placeholders */
    TK_QMARK,       /* ? */
    TK_OP,
    TK_PUNCT,
    TK_WILDCARD,
    TK_OTHER
} tkind_t;

typedef struct {
    tkind_t kind;
    const char *s;
    size_t n;
    int function; /* an identifier written right before '(' */
} tok_t;

typedef struct {
    const char *s;
    size_t n, i;
    int dbms;
    int prev_value; /* the last significant token ends a value: a sign after it is an operator */
} lexer_t;

static int is_ident_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static int is_ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static int is_op_char(unsigned char c)
{
    return c && strchr("+-/<>=~!@#%^&|?:", c) != NULL;
}

static int at(const lexer_t *lx, size_t k)
{
    return lx->i + k < lx->n ? (unsigned char)lx->s[lx->i + k] : 0;
}

static int word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* A quoted literal from lx->i (the opening quote). '' continues it; with `escapes`, so does a
 * backslash before any character. An unterminated literal whose backslashes made it so is read
 * again without backslash escapes (standard_conforming_strings), as the Agent retries. */
static size_t scan_quoted(const lexer_t *lx, size_t from, char q, int escapes)
{
    size_t i = from + 1;
    while (i < lx->n) {
        char c = lx->s[i];
        if (escapes && c == '\\' && i + 1 < lx->n) {
            i += 2;
        } else if (c == q) {
            if (i + 1 < lx->n && lx->s[i + 1] == q) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i++;
        }
    }
    if (escapes && memchr(lx->s + from, '\\', lx->n - from)) {
        size_t j = scan_quoted(lx, from, q, 0);
        if (j < lx->n || lx->s[lx->n - 1] == q)
            return j;
    }
    return lx->n;
}

/* The end of a quoted identifier from `from`, continued through `.` into a compound name. */
static size_t scan_qident(const lexer_t *lx, size_t from)
{
    size_t i = from;
    for (;;) {
        char open = lx->s[i], close = open == '[' ? ']' : open;
        i++;
        while (i < lx->n && lx->s[i] != close)
            i++;
        if (i < lx->n)
            i++;
        if (i + 1 < lx->n && lx->s[i] == '.') {
            unsigned char nx = (unsigned char)lx->s[i + 1];
            if (nx == '"' || nx == '`' || (nx == '[' && lx->dbms == DB_MSSQL)) {
                i++;
                continue;
            }
            if (is_ident_start(nx)) {
                i++;
                while (i < lx->n && (is_ident_char((unsigned char)lx->s[i]) || lx->s[i] == '.'))
                    i++;
            }
        }
        return i;
    }
}

static size_t scan_number(const lexer_t *lx, size_t i)
{
    if (lx->s[i] == '+' || lx->s[i] == '-')
        i++;
    if (i + 1 < lx->n && lx->s[i] == '0' && (lx->s[i + 1] == 'x' || lx->s[i + 1] == 'X')) {
        i += 2;
        while (i < lx->n && isxdigit((unsigned char)lx->s[i]))
            i++;
        return i;
    }
    while (i < lx->n && (isdigit((unsigned char)lx->s[i]) || lx->s[i] == '.'))
        i++;
    if (i < lx->n && (lx->s[i] == 'e' || lx->s[i] == 'E')) {
        size_t j = i + 1;
        if (j < lx->n && (lx->s[j] == '+' || lx->s[j] == '-'))
            j++;
        if (j < lx->n && isdigit((unsigned char)lx->s[j])) {
            while (j < lx->n && isdigit((unsigned char)lx->s[j]))
                j++;
            i = j;
        }
    }
    return i;
}

/* `$tag$` at i: returns its length (0 when it is not a dollar-quote opener). */
static size_t dollar_tag(const lexer_t *lx, size_t i)
{
    size_t j = i + 1;
    if (j < lx->n && (isdigit((unsigned char)lx->s[j])))
        return 0;
    while (j < lx->n && (isalnum((unsigned char)lx->s[j]) || lx->s[j] == '_' || (unsigned char)lx->s[j] >= 0x80))
        j++;
    return j < lx->n && lx->s[j] == '$' ? j + 1 - i : 0;
}

static int lex_next(lexer_t *lx, tok_t *t)
{
    size_t start = lx->i, end;
    int c = at(lx, 0), c1 = at(lx, 1);
    if (start >= lx->n)
        return 0;
    t->function = 0;
    t->kind = TK_OTHER;
    end = start + 1;
    if (isspace(c)) {
        while (end < lx->n && isspace((unsigned char)lx->s[end]))
            end++;
        t->kind = TK_WS;
    } else if ((c == '-' && c1 == '-') || (c == '#' && lx->dbms == DB_MYSQL)) {
        while (end < lx->n && lx->s[end] != '\n')
            end++;
        t->kind = TK_COMMENT;
    } else if (c == '/' && c1 == '*') {
        const char *close = memmem(lx->s + start + 2, lx->n - start - 2, "*/", 2);
        end = close ? (size_t)(close - lx->s) + 2 : lx->n;
        t->kind = TK_COMMENT;
    } else if (is_ident_start((unsigned char)c)) {
        if (strchr("EeXxBbNn", c) && c1 == '\'') { /* E'..', X'..', B'..', N'..' */
            end = scan_quoted(lx, start + 1, '\'', 1);
            t->kind = TK_STRING;
        } else {
            while (end < lx->n && (is_ident_char((unsigned char)lx->s[end]) || lx->s[end] == '.')) {
                if (lx->s[end] == '.' && end + 1 < lx->n
                    && (lx->s[end + 1] == '"' || lx->s[end + 1] == '`')) { /* schema."Table" */
                    end = scan_qident(lx, end + 1);
                    break;
                }
                end++;
            }
            if (lx->s[end - 1] == '.' && end < lx->n && lx->s[end] == '*') /* t.* */
                end++;
            t->kind = word_is(lx->s + start, end - start, "true") || word_is(lx->s + start, end - start, "false")
                          ? TK_BOOL
                      : word_is(lx->s + start, end - start, "null") ? TK_NULL
                                                                    : TK_IDENT;
            if (t->kind == TK_IDENT && end < lx->n && lx->s[end] == '(')
                t->function = 1;
        }
    } else if (c == '"' || (c == '`' && lx->dbms != DB_POSTGRES) || (c == '[' && lx->dbms == DB_MSSQL)) {
        end = scan_qident(lx, start);
        t->kind = TK_QIDENT;
    } else if (c == '\'') {
        end = scan_quoted(lx, start, '\'', 1);
        t->kind = TK_STRING;
    } else if (isdigit(c) || (c == '.' && isdigit(c1))
               || ((c == '-' || c == '+') && !lx->prev_value && (isdigit(c1) || (c1 == '.' && isdigit(at(lx, 2)))))) {
        end = scan_number(lx, start);
        t->kind = TK_NUMBER;
    } else if (c == '$' && isdigit(c1)) {
        while (end < lx->n && isdigit((unsigned char)lx->s[end]))
            end++;
        t->kind = TK_POSITIONAL;
    } else if (c == '$' && dollar_tag(lx, start)) {
        size_t tl = dollar_tag(lx, start);
        const char *close = memmem(lx->s + start + tl, lx->n - start - tl, lx->s + start, tl);
        end = close ? (size_t)(close - lx->s) + tl : lx->n;
        t->kind = close && tl == 6 && strncmp(lx->s + start, "$func$", 6) == 0 ? TK_DOLLAR_FUNC : TK_DOLLAR;
    } else if ((c == ':' && c1 != ':' && is_ident_start((unsigned char)c1) && !(start > 0 && lx->s[start - 1] == ':'))
               || (c == '@' && lx->dbms == DB_MSSQL && is_ident_start((unsigned char)c1))) {
        while (end < lx->n && is_ident_char((unsigned char)lx->s[end]))
            end++;
        t->kind = TK_BIND;
    } else if (c == '%' && (c1 == 's' || c1 == '(')) {
        size_t j = start + 1;
        if (c1 == '(') {
            const char *close = memchr(lx->s + j, ')', lx->n - j);
            j = close ? (size_t)(close - lx->s) + 1 : lx->n;
        }
        if (j < lx->n && lx->s[j] == 's' && !(j + 1 < lx->n && is_ident_char((unsigned char)lx->s[j + 1]))) {
            end = j + 1;
            t->kind = TK_PYFORMAT;
        } else {
            t->kind = TK_OP;
        }
    } else if (c == '?' && !is_op_char((unsigned char)c1)) {
        t->kind = TK_QMARK;
    } else if (c == '*') {
        t->kind = TK_WILDCARD;
    } else if (strchr("(),;.[]{}", c)) {
        t->kind = TK_PUNCT;
    } else if (is_op_char((unsigned char)c)) {
        while (end < lx->n && is_op_char((unsigned char)lx->s[end])) {
            char p = lx->s[end - 1], x = lx->s[end], nx = end + 1 < lx->n ? lx->s[end + 1] : 0;
            if ((x == '-' && nx == '-') || (x == '/' && nx == '*') || (p == '=' && x == '?')
                || (x == ':' && p != ':' && is_ident_start((unsigned char)nx)) || (x == '#' && lx->dbms == DB_MYSQL))
                break;
            end++;
        }
        t->kind = TK_OP;
    } else {
        while (end < lx->n && ((unsigned char)lx->s[end] & 0xC0) == 0x80) /* one whole UTF-8 sequence */
            end++;
    }
    t->s = lx->s + start;
    t->n = end - start;
    lx->i = end;
    if (t->kind != TK_WS && t->kind != TK_COMMENT) {
        int closes = t->kind == TK_PUNCT && (t->s[0] == ')' || t->s[0] == ']');
        lx->prev_value = closes || t->kind == TK_QIDENT || t->kind == TK_STRING || t->kind == TK_NUMBER
                         || t->kind == TK_DOLLAR || t->kind == TK_BOOL || t->kind == TK_NULL || t->kind == TK_POSITIONAL
                         || t->kind == TK_BIND || t->kind == TK_QMARK || t->kind == TK_PYFORMAT
                         || t->kind == TK_WILDCARD;
        if (t->kind == TK_IDENT) {
            static const char *const not_values[] = {"select", "where", "and",    "or",     "limit", "offset",
                                                     "set",    "then",  "else",   "when",   "by",    "values",
                                                     "in",     "not",   "return", "having", "on",    "case"};
            lx->prev_value = 1;
            for (size_t k = 0; k < sizeof(not_values) / sizeof(not_values[0]); k++)
                if (word_is(t->s, t->n, not_values[k]))
                    lx->prev_value = 0;
        }
    }
    return 1;
}

/* ---- the Agent's word lists (go-sqllexer) ---------------------------------------------------- */

/* Whether s (n bytes) is one of the '|'-separated words of `list` ("|a|b|"), ignoring case
 * when `nocase` (SQL words) and not otherwise (JSON keys). */
static int word_in(const char *list, const char *s, size_t n, int nocase)
{
    for (const char *p = list; p && (p = strchr(p, '|')) && p[1]; p++) {
        const char *e = strchr(p + 1, '|');
        if ((size_t)(e - p - 1) == n && (nocase ? strncasecmp(p + 1, s, n) : strncmp(p + 1, s, n)) == 0)
            return 1;
    }
    return 0;
}

static int in_list(const char *s, size_t n, const char *list)
{
    return word_in(list, s, n, 1);
}

static const char commands[] =
    "|select|insert|update|delete|create|alter|drop|join|grant|revoke|commit|begin|truncate|merge|execute|"
    "exec|explain|straight_join|use|clone|";
static const char table_indicators[] = "|from|join|into|update|table|exists|straight_join|clone|only|";
static const char keywords[] =
    "|select|insert|update|delete|create|alter|drop|grant|revoke|add|all|and|any|as|asc|begin|between|by|"
    "case|check|column|commit|constraint|database|declare|default|desc|distinct|else|end|exec|exists|"
    "foreign|from|group|having|in|index|inner|into|is|join|key|left|like|limit|not|on|or|order|outer|"
    "primary|procedure|replace|returns|right|rollback|rownum|set|some|table|top|truncate|union|unique|"
    "use|values|view|where|cube|rollup|literal|window|vaccum|analyze|ilike|using|assertion|domain|"
    "cluster|copy|explain|plpgsql|trigger|temporary|unlogged|recursive|returning|offset|of|skip|if|only|";

/* ---- SQL ------------------------------------------------------------------------------------ */

typedef struct {
    rtlc_buf_t tables, list[3]; /* tables as CSV; commands, comments, procedures as \0-separated */
    size_t count[3];
    size_t size;
} meta_t;

enum { M_COMMANDS, M_COMMENTS, M_PROCEDURES };

/* Append `s` to a \0-separated list unless already there (the Agent dedupes, keeping order). */
static void meta_add(rtlc_buf_t *l, size_t *count, const char *s, size_t n, size_t *size)
{
    for (size_t i = 0; i < l->len;) {
        size_t len = strlen(l->buf + i);
        if (len == n && memcmp(l->buf + i, s, n) == 0)
            return;
        i += len + 1;
    }
    rtlc_buf_put(l, s, n);
    rtlc_buf_put(l, "", 1); /* the separator (a NUL byte) */
    (*count)++;
    *size += n;
}

static void meta_add_table(meta_t *m, const char *s, size_t n)
{
    for (size_t i = 0; i < m->tables.len;) { /* dedupe against the CSV */
        const char *comma = memchr(m->tables.buf + i, ',', m->tables.len - i);
        size_t len = comma ? (size_t)(comma - m->tables.buf) - i : m->tables.len - i;
        if (len == n && memcmp(m->tables.buf + i, s, n) == 0)
            return;
        i += len + 1;
    }
    if (m->tables.len)
        rtlc_buf_put(&m->tables, ",", 1);
    rtlc_buf_put(&m->tables, s, n);
    m->size += n;
}

/* The text a token stands for: replaced by `?` when it is a literal being obfuscated, quotes
 * dropped from quoted identifiers (unless kept), digits of identifiers replaced on request. */
static void token_text(const sqlopts_t *o, int obfuscate, int normalize, const tok_t *t, rtlc_buf_t *v);

static int sql_normalize(const sqlopts_t *o, int obfuscate, const char *q, size_t qn, rtlc_buf_t *out, meta_t *m);
static int sql_obfuscate_only(const sqlopts_t *o, const char *q, size_t qn, rtlc_buf_t *out);

static void meta_free(meta_t *m)
{
    free(m->tables.buf);
    for (int k = 0; k < 3; k++)
        free(m->list[k].buf);
}

static void replace_digits(const char *s, size_t n, rtlc_buf_t *v)
{
    for (size_t i = 0; i < n;) {
        if (isdigit((unsigned char)s[i])) {
            rtlc_buf_put(v, "?", 1);
            while (i < n && isdigit((unsigned char)s[i]))
                i++;
        } else {
            rtlc_buf_put(v, s + i++, 1);
        }
    }
}

/* Whether a token is a literal that obfuscation replaces with `?`, under the options. */
static int is_replaced(const sqlopts_t *o, tkind_t kind)
{
    switch (kind) {
    case TK_STRING:
    case TK_NUMBER:
    case TK_DOLLAR:
    case TK_PYFORMAT: return 1;
    case TK_BOOL: return !o->keep_boolean;
    case TK_NULL: return !o->keep_null;
    case TK_POSITIONAL: return !o->keep_positional_parameter;
    case TK_BIND: return o->replace_bind_parameter;
    case TK_DOLLAR_FUNC: return !o->dollar_quoted_func;
    default: return 0;
    }
}

static void token_text(const sqlopts_t *o, int obfuscate, int normalize, const tok_t *t, rtlc_buf_t *v)
{
    rtlc_buf_clear(v);
    if (obfuscate && is_replaced(o, t->kind)) {
        rtlc_buf_put(v, "?", 1);
    } else if (obfuscate && t->kind == TK_DOLLAR_FUNC) { /* $func$...$func$: its body is SQL */
        rtlc_buf_t inner = {0};
        meta_t scratch = {0};
        sqlopts_t io = *o;
        io.collect_comments = io.collect_commands = io.table_names = io.collect_procedures = 0;
        if (normalize)
            sql_normalize(&io, 1, t->s + 6, t->n - 12, &inner, &scratch);
        else
            sql_obfuscate_only(&io, t->s + 6, t->n - 12, &inner);
        rtlc_buf_put(v, "$func$", 6);
        rtlc_buf_put(v, inner.buf ? inner.buf : "", inner.len);
        rtlc_buf_put(v, "$func$", 6);
        free(inner.buf);
        meta_free(&scratch);
    } else if (t->kind == TK_QIDENT && normalize && !o->keep_identifier_quotation) {
        for (size_t i = 0; i < t->n; i++)
            if (!strchr("\"`[]", t->s[i]))
                rtlc_buf_put(v, t->s + i, 1);
    } else if ((t->kind == TK_IDENT || t->kind == TK_QIDENT) && obfuscate && o->replace_digits) {
        replace_digits(t->s, t->n, v);
    } else {
        rtlc_buf_put(v, t->s, t->n);
    }
}

static int is_placeholder(const rtlc_buf_t *v)
{
    return v->len == 1 && v->buf[0] == '?';
}

static int text_is(const rtlc_buf_t *v, const char *s)
{
    return v->len == strlen(s) && memcmp(v->buf, s, v->len) == 0;
}

/* Normalise q into out (metadata into m): see the top of the file. Returns 1 (0 out of memory). */
static int sql_normalize(const sqlopts_t *o, int obfuscate, const char *q, size_t qn, rtlc_buf_t *out, meta_t *m)
{
    lexer_t lx = {q, qn, 0, o->dbms, 0};
    tok_t t;
    rtlc_buf_t v = {0}, last = {0}, ctes = {0};
    tkind_t last_kind = TK_WS;
    int last_function = 0, groupable = 0, pending_as = 0;

    while (lex_next(&lx, &t)) {
        if (t.kind == TK_WS)
            continue;
        if (t.kind == TK_COMMENT) {
            if (o->collect_comments)
                meta_add(&m->list[M_COMMENTS], &m->count[M_COMMENTS], t.s, t.n, &m->size);
            continue;
        }
        token_text(o, obfuscate, 1, &t, &v);
        if (v.failed)
            break;

        /* metadata */
        if (t.kind == TK_IDENT || t.kind == TK_QIDENT) {
            if (o->collect_commands && t.kind == TK_IDENT && in_list(v.buf, v.len, commands)) {
                char up[32];
                size_t n = v.len < sizeof(up) ? v.len : sizeof(up);
                for (size_t i = 0; i < n; i++)
                    up[i] = (char)toupper((unsigned char)v.buf[i]);
                meta_add(&m->list[M_COMMANDS], &m->count[M_COMMANDS], up, n, &m->size);
            } else if (last_kind == TK_IDENT && word_is(last.buf, last.len, "with") && t.kind == TK_IDENT) {
                rtlc_buf_put(&ctes, v.buf, v.len);
                rtlc_buf_put(&ctes, "", 1);
            } else if (o->table_names && last_kind == TK_IDENT && in_list(last.buf, last.len, table_indicators)
                       && !in_list(v.buf, v.len, keywords)) {
                int is_cte = 0;
                for (size_t i = 0; i < ctes.len; i += strlen(ctes.buf + i) + 1)
                    if (strlen(ctes.buf + i) == v.len && memcmp(ctes.buf + i, v.buf, v.len) == 0)
                        is_cte = 1;
                if (!is_cte) {
                    if (t.kind == TK_QIDENT && o->keep_identifier_quotation) {
                        rtlc_buf_t bare = {0};
                        for (size_t i = 0; i < v.len; i++)
                            if (!strchr("\"`[]", v.buf[i]))
                                rtlc_buf_put(&bare, v.buf + i, 1);
                        meta_add_table(m, bare.buf ? bare.buf : "", bare.len);
                        free(bare.buf);
                    } else {
                        meta_add_table(m, v.buf, v.len);
                    }
                }
            } else if (o->collect_procedures && last_kind == TK_IDENT
                       && (word_is(last.buf, last.len, "procedure") || word_is(last.buf, last.len, "proc"))) {
                meta_add(&m->list[M_PROCEDURES], &m->count[M_PROCEDURES], v.buf, v.len, &m->size);
            }
        }

        /* aliases: `AS name` is dropped unless kept; `AS (` (a CTE) is not an alias */
        int write = 1;
        if (!o->keep_sql_alias) {
            if (t.kind == TK_IDENT && word_is(v.buf, v.len, "as")) {
                pending_as = 1;
                write = 0;
            } else if (pending_as) {
                pending_as = 0;
                if (t.kind == TK_IDENT && !in_list(v.buf, v.len, keywords)) {
                    write = 0;
                } else { /* not an alias: write the AS held back (as the query spelled it) */
                    if (out->len)
                        rtlc_buf_put(out, " ", 1);
                    rtlc_buf_put(out, last.buf, last.len);
                }
            }
        }

        /* ( ?, ?, ? ) and [ ?, ? ] become ( ? ) and [ ? ] */
        if (write && is_placeholder(&v)) {
            if (text_is(&last, "(") || text_is(&last, "["))
                groupable = 1;
            else if (text_is(&last, ",") && groupable)
                write = 0;
        }
        if (write && is_placeholder(&last) && text_is(&v, ",") && groupable)
            write = 0;
        if (write && groupable && (text_is(&v, ")") || text_is(&v, "]"))) {
            groupable = 0;
        } else if (write && groupable && !is_placeholder(&v) && text_is(&last, ",")) {
            rtlc_buf_put(out, ",", 1); /* (?, ARRAY[?]): the comma skipped after the first ? is needed */
        }

        if (write) {
            int space = 1;
            if (text_is(&v, ",") || text_is(&v, ";") || (text_is(&v, "=") && text_is(&last, ":")))
                space = 0;
            if (o->remove_space_between_parentheses
                && (last_function || text_is(&last, "(") || text_is(&last, "[") || text_is(&v, ")")
                    || text_is(&v, "]")))
                space = 0;
            if (space && out->len)
                rtlc_buf_put(out, " ", 1);
            rtlc_buf_put(out, v.buf, v.len);
        }
        rtlc_buf_clear(&last);
        rtlc_buf_put(&last, v.buf, v.len);
        last_kind = t.kind;
        last_function = t.function;
    }
    if (pending_as) { /* a trailing AS */
        if (out->len)
            rtlc_buf_put(out, " ", 1);
        rtlc_buf_put(out, last.buf, last.len);
    }
    if (!o->keep_trailing_semicolon && out->len && out->buf[out->len - 1] == ';')
        out->buf[--out->len] = '\0';
    while (out->len && out->buf[out->len - 1] == ' ')
        out->buf[--out->len] = '\0';
    int ok = !v.failed && !last.failed && !ctes.failed && !out->failed;
    free(v.buf);
    free(last.buf);
    free(ctes.buf);
    return ok;
}

/* obfuscate_only: every token copied, literals replaced; leading and trailing space trimmed. */
static int sql_obfuscate_only(const sqlopts_t *o, const char *q, size_t qn, rtlc_buf_t *out)
{
    lexer_t lx = {q, qn, 0, o->dbms, 0};
    tok_t t;
    rtlc_buf_t v = {0};
    while (lex_next(&lx, &t)) {
        token_text(o, 1, 0, &t, &v);
        rtlc_buf_put(out, v.buf ? v.buf : "", v.len);
    }
    free(v.buf);
    size_t lead = 0;
    while (lead < out->len && isspace((unsigned char)out->buf[lead]))
        lead++;
    if (lead) {
        memmove(out->buf, out->buf + lead, out->len - lead + 1);
        out->len -= lead;
    }
    while (out->len && isspace((unsigned char)out->buf[out->len - 1]))
        out->buf[--out->len] = '\0';
    return !out->failed;
}

static json_t *meta_list(const rtlc_buf_t *l, int present)
{
    if (!present)
        return json_null(); /* the Agent's nil slice */
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->len; i += strlen(l->buf + i) + 1)
        json_array_append_new(a, json_string(l->buf + i));
    return a;
}

char *rtlc_obfuscate_sql(const char *query, const char *options, char **err)
{
    sqlopts_t o;
    rtlc_buf_t out = {0};
    meta_t m = {0};
    char *result = NULL;
    int ok;
    *err = NULL;
    if (!parse_options(options, &o, err))
        return NULL;
    if (!query)
        query = "";
    if (o.mode == MODE_OBFUSCATE_ONLY) {
        ok = sql_obfuscate_only(&o, query, strlen(query), &out);
    } else {
        if (o.mode == MODE_OBFUSCATE_AND_NORMALIZE || o.mode == MODE_NORMALIZE_ONLY)
            o.keep_sql_alias = 1; /* the Agent's go-sqllexer path always keeps aliases */
        else
            o.keep_identifier_quotation = 1; /* the legacy obfuscator keeps quoted names as written */
        ok = sql_normalize(&o, o.mode != MODE_NORMALIZE_ONLY, query, strlen(query), &out, &m);
    }
    if (!ok) {
        *err = strdup("out of memory");
    } else if (out.len == 0) {
        *err = strdup("result is empty");
    } else if (!o.return_json_metadata) {
        result = out.buf;
        out.buf = NULL;
    } else {
        int lists = o.mode != MODE_OBFUSCATE_ONLY;
        json_t *q = json_string(out.buf), *tables = json_string(m.tables.buf ? m.tables.buf : "");
        json_t *doc = q && tables ? json_pack(
                          "{s:o,s:{s:I,s:o,s:o,s:o,s:o}}", "query", q, "metadata", "Size", (json_int_t)m.size,
                          "tables_csv", tables, "commands", meta_list(&m.list[M_COMMANDS], lists), "comments",
                          meta_list(&m.list[M_COMMENTS], lists), "procedures", meta_list(&m.list[M_PROCEDURES], lists))
                                  : NULL;
        if (!doc) {
            if (!q || !tables) { /* json_pack steals only on success paths it reaches */
                json_decref(q);
                json_decref(tables);
            }
            *err = strdup("the obfuscated query is not valid UTF-8");
        } else {
            result = json_dumps(doc, JSON_COMPACT);
            json_decref(doc);
            if (!result)
                *err = strdup("out of memory");
        }
    }
    free(out.buf);
    meta_free(&m);
    return result;
}

/* ---- JSON values (execution plans, MongoDB commands) ---------------------------------------- */

static const char plan_sql_keys[] =
    "|attached_condition|Cache Key|Conflict Filter|Function Call|Filter|Hash Cond|Index Cond|Join Filter|"
    "Merge Cond|Output|Recheck Cond|Repeatable Seed|Sampling Parameters|TID Cond|";

static const char plan_keep_keys[] =
    "|access_type|backward_index_scan|cacheable|delete|dependent|first_match|key|key_length|possible_keys|"
    "ref|select_id|table_name|update|used_columns|used_key_parts|using_MRR|using_filesort|using_index|"
    "using_join_buffer|using_temporary_table|Actual Loops|Actual Rows|Actual Startup Time|"
    "Actual Total Time|Alias|Async Capable|Average Sort Space Used|Cache Evictions|Cache Hits|"
    "Cache Misses|Cache Overflows|Calls|Command|Conflict Arbiter Indexes|Conflict Resolution|"
    "Conflicting Tuples|Constraint Name|CTE Name|Custom Plan Provider|Deforming|Emission|"
    "Exact Heap Blocks|Execution Time|Expressions|Foreign Delete|Foreign Insert|Foreign Update|"
    "Full-sort Group|Function Name|Generation|Group Count|Grouping Sets|Group Key|HashAgg Batches|"
    "Hash Batches|Hash Buckets|Heap Fetches|I/O Read Time|I/O Write Time|Index Name|Inlining|Join Type|"
    "Local Dirtied Blocks|Local Hit Blocks|Local Read Blocks|Local Written Blocks|Lossy Heap Blocks|"
    "Node Type|Optimization|Original Hash Batches|Original Hash Buckets|Parallel Aware|"
    "Parent Relationship|Partial Mode|Peak Memory Usage|Peak Sort Space Used|Planned Partitions|"
    "Planning Time|Pre-sorted Groups|Presorted Key|Query Identifier|Relation Name|"
    "Rows Removed by Conflict Filter|Rows Removed by Filter|Rows Removed by Index Recheck|"
    "Rows Removed by Join Filter|Sampling Method|Scan Direction|Schema|Settings|Shared Dirtied Blocks|"
    "Shared Hit Blocks|Shared Read Blocks|Shared Written Blocks|Single Copy|Sort Key|Sort Method|"
    "Sort Methods Used|Sort Space Type|Sort Space Used|Strategy|Subplan Name|Subplans Removed|"
    "Target Tables|Temp Read Blocks|Temp Written Blocks|Time|Timing|Total|Trigger|Trigger Name|Triggers|"
    "Tuples Inserted|Tuplestore Name|WAL Bytes|WAL FPI|WAL Records|Worker|Worker Number|Workers|"
    "Workers Launched|Workers Planned|";

/* kept too when not normalising: the cost and row estimates */
static const char plan_estimate_keys[] =
    "|cost_info|filtered|rows_examined_per_join|rows_examined_per_scan|rows_produced_per_join|Plan Rows|"
    "Plan Width|Startup Cost|Total Cost|";

static const char mongo_keep_keys[] =
    "|find|sort|projection|skip|batchSize|$db|getMore|collection|delete|findAndModify|insert|ordered|"
    "update|aggregate|comment|";

typedef struct {
    const char *keep[2]; /* keys whose values are copied ('|'-separated lists) */
    const char *sql;     /* keys whose string values are SQL-obfuscated */
    const char *s;
    size_t n, i;
    rtlc_buf_t *out;
    const char *error; /* static text; the position is added by the caller */
} jwalk_t;

#define JWALK_MAX_DEPTH 512

static int key_in(const char *list, const char *k, size_t kn)
{
    return word_in(list, k, kn, 0);
}

static void jw_space(jwalk_t *w)
{
    while (w->i < w->n && strchr(" \t\r\n", w->s[w->i]))
        w->i++;
}

/* The end of the JSON string starting at w->i (its quote), or 0 when unterminated. */
static size_t jw_string_end(const jwalk_t *w)
{
    for (size_t i = w->i + 1; i < w->n; i++) {
        if (w->s[i] == '\\')
            i++;
        else if (w->s[i] == '"')
            return i + 1;
    }
    return 0;
}

/* The end of a scalar (number, true, false, null) at w->i; 0 when none is there. */
static size_t jw_scalar_end(const jwalk_t *w)
{
    size_t i = w->i;
    while (i < w->n && (isalnum((unsigned char)w->s[i]) || strchr("+-.", w->s[i])))
        i++;
    if (i == w->i)
        return 0;
    json_t *v = json_loadb(w->s + w->i, i - w->i, JSON_DECODE_ANY, NULL);
    json_decref(v);
    return v ? i : 0;
}

/* Copy a value verbatim (whitespace outside strings dropped). */
static int jw_value(jwalk_t *w, int mode, int depth);

enum { JW_OBFUSCATE, JW_KEEP, JW_SQL };

static void jw_sql_string(jwalk_t *w, size_t end)
{
    json_t *s = json_loadb(w->s + w->i, end - w->i, JSON_DECODE_ANY, NULL);
    char *err = NULL, *q = s ? rtlc_obfuscate_sql(json_string_value(s), NULL, &err) : NULL;
    json_t *r =
        json_string(q ? q : "Datadog-agent failed to obfuscate SQL string. Enable agent debug logs for more info.");
    char *text = r ? json_dumps(r, JSON_ENCODE_ANY) : NULL;
    if (text)
        rtlc_buf_puts(w->out, text);
    else
        w->out->failed = 1;
    free(text);
    json_decref(r);
    json_decref(s);
    free(q);
    free(err);
}

static int jw_value(jwalk_t *w, int mode, int depth)
{
    jw_space(w);
    if (w->i >= w->n) {
        w->error = "unexpected end of JSON input";
        return 0;
    }
    if (depth > JWALK_MAX_DEPTH) {
        w->error = "JSON nested too deeply";
        return 0;
    }
    char c = w->s[w->i];
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        rtlc_buf_put(w->out, &c, 1);
        w->i++;
        jw_space(w);
        if (w->i < w->n && w->s[w->i] == close) {
            rtlc_buf_put(w->out, &close, 1);
            w->i++;
            return 1;
        }
        for (;;) {
            int child = mode == JW_KEEP ? JW_KEEP : JW_OBFUSCATE;
            if (c == '{') {
                jw_space(w);
                size_t end = w->i < w->n && w->s[w->i] == '"' ? jw_string_end(w) : 0;
                if (!end) {
                    w->error = "invalid character looking for beginning of object key string";
                    return 0;
                }
                const char *k = w->s + w->i + 1;
                size_t kn = end - w->i - 2;
                rtlc_buf_put(w->out, w->s + w->i, end - w->i);
                w->i = end;
                jw_space(w);
                if (w->i >= w->n || w->s[w->i] != ':') {
                    w->error = "invalid character after object key";
                    return 0;
                }
                rtlc_buf_put(w->out, ":", 1);
                w->i++;
                if (mode != JW_KEEP) {
                    if (key_in(w->keep[0], k, kn) || key_in(w->keep[1], k, kn))
                        child = JW_KEEP;
                    else if (key_in(w->sql, k, kn))
                        child = JW_SQL;
                }
            }
            if (!jw_value(w, child, depth + 1))
                return 0;
            jw_space(w);
            if (w->i < w->n && w->s[w->i] == ',') {
                rtlc_buf_put(w->out, ",", 1);
                w->i++;
                continue;
            }
            if (w->i < w->n && w->s[w->i] == close) {
                rtlc_buf_put(w->out, &close, 1);
                w->i++;
                return 1;
            }
            w->error =
                c == '{' ? "invalid character after object key:value pair" : "invalid character after array element";
            return 0;
        }
    }
    size_t end = c == '"' ? jw_string_end(w) : jw_scalar_end(w);
    if (!end) {
        w->error = c == '"' ? "unexpected end of JSON input" : "invalid character looking for beginning of value";
        return 0;
    }
    if (mode == JW_KEEP)
        rtlc_buf_put(w->out, w->s + w->i, end - w->i);
    else if (mode == JW_SQL && c == '"')
        jw_sql_string(w, end);
    else
        rtlc_buf_put(w->out, "\"?\"", 3);
    w->i = end;
    return 1;
}

/* Walk the whole text; on a syntax error *error is set and the output ends with "...". */
static char *json_obfuscate(jwalk_t *w, const char **error)
{
    rtlc_buf_t out = {0};
    w->out = &out;
    *error = NULL;
    jw_space(w);
    if (w->i < w->n && jw_value(w, JW_OBFUSCATE, 0)) {
        jw_space(w);
        if (w->i < w->n)
            w->error = "invalid character after top-level value";
    }
    if (w->error) {
        rtlc_buf_put(&out, "...", 3);
        *error = w->error;
    }
    w->out = NULL;
    if (out.failed) {
        free(out.buf);
        return NULL;
    }
    return out.buf ? out.buf : strdup("");
}

char *rtlc_obfuscate_sql_exec_plan(const char *plan, int normalize, char **err)
{
    const char *error;
    jwalk_t w = {
        {plan_keep_keys, normalize ? NULL : plan_estimate_keys}, plan_sql_keys, plan ? plan : "", 0, 0, NULL, NULL};
    *err = NULL;
    w.n = strlen(w.s);
    char *out = json_obfuscate(&w, &error);
    if (!out) {
        *err = strdup("out of memory");
    } else if (error) {
        *err = rtlc_fmt("%s (offset %zu)", error, w.i);
        free(out);
        out = NULL;
    }
    return out;
}

char *rtlc_obfuscate_mongodb_string(const char *command, char **err)
{
    const char *error;
    jwalk_t w = {{mongo_keep_keys, NULL}, NULL, command ? command : "", 0, 0, NULL, NULL};
    *err = NULL;
    w.n = strlen(w.s);
    char *out = json_obfuscate(&w, &error); /* like the Agent: a partial result is still a result */
    if (!out)
        *err = strdup("out of memory");
    return out;
}
