/*
 * fuzz_obfuscate.c: libFuzzer target for the runner's obfuscators (runner/rtlc_obfuscate.h).
 *
 * The input is the query (or plan, or command) itself; each input goes through the SQL obfuscator
 * under every mode and the options that change the lexer or the output (dbms, dollar_quoted_func,
 * replace_digits, remove_space_between_parentheses, keep_*), and through the plan and MongoDB
 * obfuscators. The obfuscators promise never to crash and never to leak, and to return exactly
 * one of (result, error) - except the MongoDB one, which always returns a result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtlc_obfuscate.h"

static const char *const fuzz_options[] = {
    NULL,
    "{\"dbms\":\"postgresql\",\"obfuscation_mode\":\"obfuscate_and_normalize\",\"table_names\":true,"
    "\"collect_commands\":true,\"collect_comments\":true,\"collect_procedures\":true,\"return_json_metadata\":true,"
    "\"keep_sql_alias\":true,\"dollar_quoted_func\":true}",
    "{\"obfuscation_mode\":\"obfuscate_only\",\"dollar_quoted_func\":true,\"replace_digits\":true}",
    "{\"dbms\":\"mssql\",\"obfuscation_mode\":\"normalize_only\",\"remove_space_between_parentheses\":true,"
    "\"keep_identifier_quotation\":true,\"keep_trailing_semicolon\":true,\"table_names\":true}",
    "{\"dbms\":\"mysql\",\"keep_null\":true,\"keep_boolean\":true,\"keep_positional_parameter\":true,"
    "\"replace_bind_parameter\":true,\"return_json_metadata\":true}",
};

static void fuzz_check_pair(const char *what, const char *out, const char *err)
{
    if ((out == NULL) == (err == NULL)) {
        fprintf(stderr, "fuzz_obfuscate: %s: inconsistent result out=%p err=%p\n", what, (const void *)out,
                (const void *)err);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *out, *err = NULL;
    size_t i;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* the callbacks receive C strings: an embedded NUL ends the text */
    for (i = 0; i < sizeof(fuzz_options) / sizeof(fuzz_options[0]); i++) {
        out = rtlc_obfuscate_sql(text, fuzz_options[i], &err);
        fuzz_check_pair("obfuscate_sql", out, err);
        free(out);
        free(err);
        err = NULL;
    }
    out = rtlc_obfuscate_sql_exec_plan(text, (int)(size & 1), &err);
    fuzz_check_pair("obfuscate_sql_exec_plan", out, err);
    free(out);
    free(err);
    err = NULL;
    out = rtlc_obfuscate_mongodb_string(text, &err);
    if (out == NULL) {
        fprintf(stderr, "fuzz_obfuscate: obfuscate_mongodb_string gave no result: %s\n", err ? err : "?");
        abort();
    }
    free(out);
    free(err);
    free(text);
    return 0;
}
