/*
 * rtlc_yaml_emit.c: stage 3 of the YAML -> JSON converter (see rtlc_yaml_internal.h): values become
 * JSON text that json.loads and PyYAML's safe_load both read back as the same object. The output
 * is bounded by RTLC_YAML_MAX_JSON (an alias bomb stops there instead of exhausting memory).
 */
#define _GNU_SOURCE
#include "rtlc_util.h"
#include "rtlc_yaml_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static void emit_string(rtlc_buf_t *sb, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    rtlc_buf_put(sb, "\"", 1);
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        char esc[16];
        if (cp == '"') {
            rtlc_buf_put(sb, "\\\"", 2);
        } else if (cp == '\\') {
            rtlc_buf_put(sb, "\\\\", 2);
        } else if (cp == '\n') {
            rtlc_buf_put(sb, "\\n", 2);
        } else if (cp == '\t') {
            rtlc_buf_put(sb, "\\t", 2);
        } else if (cp == '\r') {
            rtlc_buf_put(sb, "\\r", 2);
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF
                   || cp == 0xFFFE || cp == 0xFFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)(cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp));
            rtlc_buf_puts(sb, esc);
        } else {
            rtlc_buf_put(sb, (const char *)p + i, k);
        }
        i += k;
    }
    rtlc_buf_put(sb, "\"", 1);
}

void rtlc_y_emit(rtlc_yemit_t *e, const rtlc_yval_t *v, int depth)
{
    rtlc_buf_t *sb = &e->text;
    if (sb->failed || e->too_deep)
        return;
    if (depth > 2 * RTLC_YAML_MAX_DEPTH) {
        e->too_deep = 1;
        e->failed_at = v;
        return;
    }
    if (v->shared && e->via_alias++ == 0)
        e->alias_at = v; /* the outermost repeated value on the path being written */
    switch (v->kind) {
    case RTLC_Y_STR: emit_string(sb, v->text, v->len); break;
    case RTLC_Y_SEQ:
        rtlc_buf_put(sb, "[", 1);
        for (size_t i = 0; i < v->n && !sb->failed && !e->too_deep; i++) {
            if (i)
                rtlc_buf_put(sb, ", ", 2);
            rtlc_y_emit(e, v->items[i], depth + 1);
        }
        rtlc_buf_put(sb, "]", 1);
        break;
    case RTLC_Y_MAP:
        rtlc_buf_put(sb, "{", 1);
        for (size_t i = 0; i + 1 < v->n && !sb->failed && !e->too_deep; i += 2) {
            if (i)
                rtlc_buf_put(sb, ", ", 2);
            emit_string(sb, v->items[i]->text, v->items[i]->len);
            rtlc_buf_put(sb, ": ", 2);
            rtlc_y_emit(e, v->items[i + 1], depth + 1);
        }
        rtlc_buf_put(sb, "}", 1);
        break;
    default: rtlc_buf_put(sb, v->text, v->len); break;
    }
    int failed = sb->failed || e->too_deep;
    if (failed && !e->failed_at)
        e->failed_at = v; /* the innermost value: its children would have claimed it first */
    if (v->shared && !failed)
        e->via_alias--;
}

/* Why the JSON text could not be written, naming the cause: the value that crossed the limit (a
 * big string, or a part of the document repeated by aliases), or memory. malloc'ed. */
static char *emit_error(const rtlc_yemit_t *e)
{
    size_t line = 0, col = 0;
    if (e->text.failed == RTLC_BUF_NO_MEMORY)
        return rtlc_fmt("out of memory while writing the JSON text (%zu bytes written)", e->text.len);
    rtlc_yval_mark(e->via_alias ? e->alias_at : e->failed_at, &line, &col);
    if (e->too_deep)
        return rtlc_fmt("nesting deeper than %d levels at line %zu, column %zu", 2 * RTLC_YAML_MAX_DEPTH, line, col);
    if (e->via_alias)
        return rtlc_fmt("the JSON text would exceed the %u-byte limit: aliases repeat the value at line %zu, "
                        "column %zu (an alias bomb?)",
                        RTLC_YAML_MAX_JSON, line, col);
    if (e->failed_at && e->failed_at->kind == RTLC_Y_STR)
        return rtlc_fmt("the JSON text would exceed the %u-byte limit: the string at line %zu, column %zu is %zu bytes",
                        RTLC_YAML_MAX_JSON, line, col, e->failed_at->len);
    return rtlc_fmt("the JSON text would exceed the %u-byte limit: the value at line %zu, column %zu is too large",
                    RTLC_YAML_MAX_JSON, line, col);
}

int rtlc_yval_to_json(const rtlc_yval_t *v, char **out, char **err)
{
    rtlc_yemit_t e = {{NULL, 0, 0, RTLC_YAML_MAX_JSON, RTLC_BUF_OK}, 0, NULL, NULL, 0};
    *out = NULL;
    *err = NULL;
    if (!v) {
        *out = strdup("null");
        return *out != NULL;
    }
    rtlc_y_emit(&e, v, 0);
    if (!e.text.failed && !e.too_deep && !e.text.buf)
        e.text.failed = RTLC_BUF_NO_MEMORY;
    if (e.text.failed || e.too_deep) {
        free(e.text.buf);
        *err = emit_error(&e);
        return 0;
    }
    *out = e.text.buf;
    return 1;
}
