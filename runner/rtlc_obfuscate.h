/*
 * rtlc_obfuscate.h: the runner's SQL, execution-plan and MongoDB obfuscators, behind the host
 * callbacks cb_obfuscate_sql, cb_obfuscate_sql_exec_plan and cb_obfuscate_mongodb_string.
 *
 * They behave like the Datadog Agent's (pkg/obfuscate with DataDog/go-sqllexer), which DBM
 * integrations depend on (postgres computes query_signature from the obfuscated text):
 *   - SQL: literals (numbers, strings with '' and backslash escapes, E'', X'', B'', N'', dollar
 *     quotes, booleans, NULL) and positional parameters ($1) become `?`; with the default
 *     obfuscation_mode "obfuscate_and_normalize" comments are removed and reported, whitespace is
 *     collapsed, `?` lists in ( ) and [ ] are collapsed to one `?`, and tables, commands,
 *     comments and procedures are collected. Options are the Agent's JSON keys (dbms,
 *     obfuscation_mode, table_names, collect_commands, collect_comments, collect_procedures,
 *     replace_digits, keep_sql_alias, dollar_quoted_func, return_json_metadata,
 *     remove_space_between_parentheses, keep_null, keep_boolean, keep_positional_parameter,
 *     keep_trailing_semicolon, keep_identifier_quotation, replace_bind_parameter).
 *   - Execution plans: JSON whose values become "?" except under the Agent's keep keys, and
 *     whose SQL-bearing keys (Filter, Index Cond, ...) are SQL-obfuscated.
 *   - MongoDB commands: JSON whose values become "?" except under the Agent's keep keys.
 * runner/README.md lists where the runner differs from the Agent.
 *
 * Pure functions (no state): safe on any thread. Results and errors are malloc'ed (free()).
 */
#ifndef RTLC_OBFUSCATE_H
#define RTLC_OBFUSCATE_H

/* The obfuscated query (or, with return_json_metadata, the JSON {"query", "metadata"}), or NULL
 * with *err set ("result is empty", an invalid options document, ...). options may be NULL. */
char *rtlc_obfuscate_sql(const char *query, const char *options, char **err);
/* The obfuscated plan (compact JSON), or NULL with *err set (invalid JSON). */
char *rtlc_obfuscate_sql_exec_plan(const char *plan, int normalize, char **err);
/* The obfuscated command; never fails on bad JSON (what was read is returned, then "..."), as
 * the Agent's. NULL with *err only when out of memory. */
char *rtlc_obfuscate_mongodb_string(const char *command, char **err);

#endif
