/*
 * fuzz_yaml.c: libFuzzer target for the runner's YAML -> JSON converter (runner/rtlc_yaml.h).
 *
 * The input is the YAML stream itself. Both entry points run: rtlc_yaml_to_json (what the runner
 * calls), and rtlc_yaml_parse followed by a full walk of the document through the accessors and
 * rtlc_yval_to_json on every node, so that every accessor sees every node shape. The converter
 * promises to be pure, bounded and never to abort on bad input; ASan/UBSan/LSan (leaks are
 * checked per input by libFuzzer) hold it to that. A result must be exactly one of (json, err).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtlc_yaml.h"

static void fuzz_check_pair(int ok, char *out, char *err)
{
    if ((ok && (out == NULL || err != NULL)) || (!ok && (out != NULL || err == NULL))) {
        fprintf(stderr, "fuzz_yaml: inconsistent result ok=%d out=%p err=%p\n", ok, (void *)out, (void *)err);
        abort();
    }
    if (ok && out[0] == '\0') {
        fprintf(stderr, "fuzz_yaml: empty JSON text\n");
        abort();
    }
}

/* Visit every node (bounded: the document is a DAG through aliases, so cap the visits). */
static void fuzz_walk(const rtlc_yval_t *v, int depth, size_t *budget)
{
    size_t n, i, tl;
    char *out = NULL, *err = NULL;
    int ok;

    if (v == NULL || depth > RTLC_YAML_MAX_DEPTH + 2 || *budget == 0) {
        return;
    }
    (*budget)--;
    (void)rtlc_yval_text(v, &tl);
    if (*budget % 16 == 0) { /* to_json on a sample of nodes keeps alias-heavy inputs fast */
        ok = rtlc_yval_to_json(v, &out, &err);
        fuzz_check_pair(ok, out, err);
        free(out);
        free(err);
    }
    n = rtlc_yval_len(v);
    for (i = 0; i < n; i++) {
        const rtlc_yval_t *k = rtlc_yval_key_at(v, i);
        if (k != NULL) {
            size_t kl;
            const char *kt = rtlc_yval_text(k, &kl);
            if (rtlc_yval_kind(v) == RTLC_Y_MAP && kt != NULL && memchr(kt, '\0', kl) == NULL) {
                (void)rtlc_yval_get(v, kt);
            }
        }
        fuzz_walk(rtlc_yval_at(v, i), depth + 1, budget);
    }
    (void)rtlc_yval_at(v, n);     /* out of range: NULL */
    (void)rtlc_yval_key_at(v, n); /* out of range: NULL */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = NULL, *err = NULL;
    rtlc_ydoc_t *doc = NULL;
    int ok;

    ok = rtlc_yaml_to_json((const char *)data, size, &out, &err);
    fuzz_check_pair(ok, out, err);
    free(out);
    free(err);
    out = err = NULL;

    ok = rtlc_yaml_parse((const char *)data, size, "fuzz.yaml", &doc, &err);
    if (ok) {
        size_t budget = 4096;
        if (doc == NULL || err != NULL) {
            abort();
        }
        fuzz_walk(rtlc_ydoc_root(doc), 0, &budget);
        rtlc_ydoc_free(doc);
    } else if (err == NULL) {
        abort();
    }
    free(err);
    return 0;
}
