/* rtlc_json.c: checked jansson helpers (see rtlc_json.h). */
#include "rtlc_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtlc_options.h"

json_t *rtlc_jcheck(json_t *v)
{
    if (!v) {
        static const char msg[] = "rtloader-check: out of memory while building the output\n";
        if (write(2, msg, sizeof(msg) - 1) < 0) {
        }
        _exit(RTLC_EXIT_OUTPUT);
    }
    return v;
}

json_t *rtlc_jstr(const char *s)
{
    if (!s)
        s = "";
    json_t *j = json_string(s);
    if (j)
        return j;
    /* not UTF-8: keep every byte visible, invalid ones as \xNN */
    size_t n = strlen(s), o = 0;
    char *t = malloc(n * 4 + 1);
    if (!t)
        return rtlc_jcheck(NULL);
    for (size_t i = 0; i < n;) {
        const unsigned char *u = (const unsigned char *)s + i;
        size_t len = u[0] < 0x80             ? 1
                     : (u[0] & 0xe0) == 0xc0 ? 2
                     : (u[0] & 0xf0) == 0xe0 ? 3
                     : (u[0] & 0xf8) == 0xf0 ? 4
                                             : 0;
        int ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = (u[k] & 0xc0) == 0x80;
        if (ok && len > 1) { /* let jansson judge overlong forms and surrogates */
            json_t *probe = json_stringn((const char *)u, len);
            ok = probe != NULL;
            json_decref(probe);
        }
        if (ok) {
            memcpy(t + o, u, len);
            o += len;
            i += len;
        } else {
            o += (size_t)sprintf(t + o, "\\x%02x", u[0]);
            i++;
        }
    }
    t[o] = '\0';
    j = json_stringn(t, o);
    free(t);
    return rtlc_jcheck(j);
}

json_t *rtlc_jnum(double v)
{
    if (v != v)
        return rtlc_jcheck(json_string("nan"));
    if (v > 1.7976931348623157e308 || v < -1.7976931348623157e308)
        return rtlc_jcheck(json_string(v > 0 ? "inf" : "-inf"));
    return rtlc_jcheck(json_real(v));
}

void rtlc_jset(json_t *obj, const char *key, json_t *v)
{
    if (json_object_set_new(obj, key, rtlc_jcheck(v)) != 0)
        rtlc_jcheck(NULL);
}

void rtlc_jappend(json_t *arr, json_t *v)
{
    if (json_array_append_new(arr, rtlc_jcheck(v)) != 0)
        rtlc_jcheck(NULL);
}
