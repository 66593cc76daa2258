/*
 * rtlc_yaml.h: YAML (1.1, as PyYAML's SafeLoader reads it) to JSON text, in C, with libyaml.
 *
 * The check runner hands every instance and the init_config to get_check as JSON text. The check
 * base parses that text with json.loads (the bundled base) or yaml.safe_load (the real
 * datadog_checks_base), so the text is written to be read identically by both parsers and to
 * give exactly the object yaml.safe_load(conf) gives for that part:
 *   - plain scalars are resolved with PyYAML's YAML 1.1 implicit resolvers (yes/off booleans,
 *     hex/octal/binary/sexagesimal ints of any size, floats, null, `<<` merge keys, `=`);
 *   - anchors and aliases are shared, merge keys follow PyYAML's flatten_mapping order, duplicate
 *     keys keep their first position and their last value (a Python dict);
 *   - floats are written with a '.' and a signed exponent ("1.0e+20"), the only shapes PyYAML's
 *     float resolver accepts; infinities become 1.0e+999, which both parsers read as inf;
 *   - strings are escaped for both readers (control, DEL, C1, U+2028/2029, U+FEFF as \uXXXX).
 * Documented differences (JSON cannot carry them): timestamps stay strings (the Agent's own YAML
 * round trip does the same), non-string mapping keys become their source text, .nan, !!binary,
 * !!set, !!omap, !!pairs, recursive aliases and unknown tags are errors.
 *
 * Every function is pure (no global state besides compiled regexes, set up once, thread-safe),
 * bounded (nesting depth RTLC_YAML_MAX_DEPTH, input RTLC_YAML_MAX_INPUT bytes, JSON output
 * RTLC_YAML_MAX_JSON bytes, so alias bombs and huge files fail cleanly, saying which limit and
 * where) and never aborts on bad input: it is meant to be fuzzed.
 * Strings returned through out-parameters are malloc'ed: release them with free().
 */
#ifndef RTLC_YAML_H
#define RTLC_YAML_H

#include <stddef.h>

#define RTLC_YAML_MAX_DEPTH 512
/* Limits, each named in its error: the YAML text given (refused before parsing), and the JSON
 * text written for one value (alias bombs, or strings too big to hand to a check). A document
 * within them needs about 3 times its size in memory: the text, its scalars (libyaml's buffers,
 * kept, never copied) and the JSON written. */
#define RTLC_YAML_MAX_INPUT (64u * 1024u * 1024u)
#define RTLC_YAML_MAX_JSON (64u * 1024u * 1024u)

typedef enum {
    RTLC_Y_NULL = 0,
    RTLC_Y_BOOL,
    RTLC_Y_INT,
    RTLC_Y_FLOAT,
    RTLC_Y_STR,
    RTLC_Y_SEQ,
    RTLC_Y_MAP
} rtlc_ykind_t;

typedef struct rtlc_ydoc rtlc_ydoc_t;
typedef struct rtlc_yval rtlc_yval_t;

/* The fuzzable entry point: the whole single-document stream `buf` (len bytes, need not be
 * NUL-terminated) as JSON text. An empty stream gives "null". Returns 1 with *out_json set, or 0
 * with *err set ("<input>:line:column: problem"). */
int rtlc_yaml_to_json(const char *buf, size_t len, char **out_json, char **err);

/* Parse and construct a document; `filename` only prefixes error messages (NULL: "<input>").
 * Returns 1 with *out set, or 0 with *err set. */
int rtlc_yaml_parse(const char *buf, size_t len, const char *filename, rtlc_ydoc_t **out, char **err);
void rtlc_ydoc_free(rtlc_ydoc_t *doc);

/* The document's value (a RTLC_Y_NULL value for an empty stream). Values live as long as doc. */
const rtlc_yval_t *rtlc_ydoc_root(const rtlc_ydoc_t *doc);

rtlc_ykind_t rtlc_yval_kind(const rtlc_yval_t *v);
/* Items of a sequence or pairs of a mapping; 0 for scalars. */
size_t rtlc_yval_len(const rtlc_yval_t *v);
/* Sequence item i / mapping value i / mapping key i (a RTLC_Y_STR). NULL when out of range. */
const rtlc_yval_t *rtlc_yval_at(const rtlc_yval_t *v, size_t i);
const rtlc_yval_t *rtlc_yval_key_at(const rtlc_yval_t *v, size_t i);
/* Mapping lookup by string key; NULL when absent or v is not a mapping. */
const rtlc_yval_t *rtlc_yval_get(const rtlc_yval_t *v, const char *key);
/* Scalar text: string bytes for STR (may hold NULs: use *len), JSON text for other scalars. */
const char *rtlc_yval_text(const rtlc_yval_t *v, size_t *len);
/* 1-based line and column where the value starts in the source (0, 0 when unknown). */
void rtlc_yval_mark(const rtlc_yval_t *v, size_t *line, size_t *col);
/* The value as JSON text (see above). Returns 1 with *out set, 0 with *err set. */
int rtlc_yval_to_json(const rtlc_yval_t *v, char **out, char **err);

#endif /* RTLC_YAML_H */
