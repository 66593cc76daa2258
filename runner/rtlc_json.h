/*
 * rtlc_json.h: building the runner's JSON records with every jansson result checked.
 *
 * Text from C or Python may be any bytes: rtlc_jstr keeps invalid UTF-8 visible as \xNN escapes
 * (a path is never dropped). The only other way these calls fail is memory exhaustion, which the
 * runner cannot report in its output any more: rtlc_jcheck then says so on stderr and exits with
 * RTLC_EXIT_OUTPUT (the output could not be produced).
 */
#ifndef RTLC_JSON_H
#define RTLC_JSON_H

#include <jansson.h>

/* A JSON string of s (NULL → ""); invalid UTF-8 bytes become the text \xNN. New reference. */
json_t *rtlc_jstr(const char *s);
/* A JSON number, or the strings "nan" / "inf" / "-inf" (JSON has neither). New reference. */
json_t *rtlc_jnum(double v);
/* v, or exit (out of memory) when v is NULL. */
json_t *rtlc_jcheck(json_t *v);
/* obj[key] = v (steals v); exits on failure. */
void rtlc_jset(json_t *obj, const char *key, json_t *v);
/* arr.append(v) (steals v); exits on failure. */
void rtlc_jappend(json_t *arr, json_t *v);

#endif
