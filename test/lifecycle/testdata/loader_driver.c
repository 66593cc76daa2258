/*
 * loader_driver.c: a tiny host for the loader tests that need the loader opened in a way the Go
 * test binary cannot (it links build/'s loader by an absolute run path): this program dlopen()s
 * the loader given as argv[1] (possibly a relative path, possibly a copy in another folder) and
 * runs the commands that follow, printing one line per command:
 *
 *   cd <dir>              chdir                                  -> "cd ok" / "cd failed"
 *   make3 <home> <exe>    make3 ("-" for an empty exe)           -> "make3 ok" / "make3 error: <msg>"
 *   destroy               destroy the handle from the last make3 -> "destroy ok"
 *   maps <substring>      count of /proc/self/maps lines naming a
 *                         file whose path contains <substring>   -> "maps <substring>: <n>"
 *
 * Built by the tests (lifecycle/select_test.go) with the system C compiler.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef void *(*make3_fn)(const char *, const char *, char **);
typedef void (*destroy_fn)(void *);

int main(int argc, char **argv)
{
    void *lib, *rt = NULL;
    make3_fn make3;
    destroy_fn destroy;
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s <loader> [commands]\n", argv[0]);
        return 2;
    }
    lib = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (lib == NULL) {
        printf("dlopen error: %s\n", dlerror());
        return 3;
    }
    make3 = (make3_fn)dlsym(lib, "make3");
    destroy = (destroy_fn)dlsym(lib, "destroy");
    if (make3 == NULL || destroy == NULL) {
        printf("dlsym error\n");
        return 3;
    }
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "cd") == 0 && i + 1 < argc) {
            printf("cd %s\n", chdir(argv[++i]) == 0 ? "ok" : "failed");
        } else if (strcmp(argv[i], "make3") == 0 && i + 2 < argc) {
            char *err = NULL;
            const char *home = argv[i + 1], *exe = strcmp(argv[i + 2], "-") == 0 ? "" : argv[i + 2];
            i += 2;
            rt = make3(home, exe, &err);
            if (rt != NULL)
                printf("make3 ok\n");
            else
                printf("make3 error: %s\n", err ? err : "(null)");
            free(err); /* the tracker is off: _free is free */
        } else if (strcmp(argv[i], "destroy") == 0) {
            destroy(rt);
            rt = NULL;
            printf("destroy ok\n");
        } else if (strcmp(argv[i], "maps") == 0 && i + 1 < argc) {
            char line[4096];
            int n = 0;
            FILE *f = fopen("/proc/self/maps", "r");
            const char *sub = argv[++i];
            while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
                char *path = strchr(line, '/');
                if (path != NULL && strstr(path, sub) != NULL && strstr(line, " r-xp ") != NULL)
                    n++;
            }
            if (f != NULL)
                fclose(f);
            printf("maps %s: %d\n", sub, n);
        } else {
            printf("bad command: %s\n", argv[i]);
            return 2;
        }
        fflush(stdout);
    }
    return 0;
}
