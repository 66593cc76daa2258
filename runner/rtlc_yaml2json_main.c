/*
 * rtlc-yaml2json: print the JSON text rtloader-check would hand to a check for a whole YAML file
 * (or stdin with "-"). A debugging aid, and the driver of the YAML differential test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtlc_util.h"
#include "rtlc_yaml.h"

int main(int argc, char **argv)
{
    char *buf = NULL, *json = NULL, *err = NULL;
    size_t len = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE|-\n", argv[0]);
        return 2;
    }
    if (!rtlc_read_file(strcmp(argv[1], "-") == 0 ? NULL : argv[1], &buf, &len, &err)) {
        fprintf(stderr, "%s\n", err);
        free(err);
        return 2;
    }
    rtlc_ydoc_t *doc = NULL;
    int ok = rtlc_yaml_parse(buf, len, argv[1], &doc, &err) && rtlc_yval_to_json(rtlc_ydoc_root(doc), &json, &err);
    if (ok)
        printf("%s\n", json);
    else
        fprintf(stderr, "%s\n", err);
    rtlc_ydoc_free(doc);
    free(json);
    free(err);
    free(buf);
    return ok ? 0 : 1;
}
