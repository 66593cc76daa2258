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
 *   crash-in-handler      handle_crashes(0, 1) called from a signal handler running on this
 *                         program's own alternate stack, where sigaltstack must fail (EPERM)
 *                         -> "handle_crashes <rc>: <error>" and "altstack mappings: <before> -> <after>",
 *                         counting anonymous 4 KiB PROT_NONE pages followed by 64 KiB read-write
 *                         (the shape of the crash handler's alternate stack)
 *
 * Built by the tests (helpers.RunLoaderDriver) with the system C compiler.
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef void *(*make3_fn)(const char *, const char *, char **);
typedef void (*destroy_fn)(void *);
typedef int (*handle_crashes_fn)(int, int, char **);

static handle_crashes_fn handle_crashes;
static int crash_rc = -1;
static char *crash_err;

static void call_handle_crashes(int sig)
{
    (void)sig;
    crash_rc = handle_crashes(0, 1, &crash_err);
}

/* Anonymous guard page + 64 KiB read-write mapping pairs in /proc/self/maps. */
static int count_altstacks(void)
{
    char line[4096], perms[8], prev_perms[8] = "";
    unsigned long start, end, prev_start = 0, prev_end = 0, inode, prev_inode = 1;
    long page = sysconf(_SC_PAGESIZE);
    int n = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "%lx-%lx %7s %*s %*s %lu", &start, &end, perms, &inode) != 4)
            continue;
        if (inode == 0 && prev_inode == 0 && strcmp(prev_perms, "---p") == 0
            && prev_end - prev_start == (unsigned long)page && start == prev_end && strcmp(perms, "rw-p") == 0
            && end - start == 64 * 1024)
            n++;
        prev_start = start;
        prev_end = end;
        prev_inode = inode;
        strcpy(prev_perms, perms);
    }
    if (f != NULL)
        fclose(f);
    return n;
}

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
        } else if (strcmp(argv[i], "crash-in-handler") == 0) {
            static char own_stack[256 * 1024];
            stack_t ss;
            struct sigaction sa;
            int before = count_altstacks();
            handle_crashes = (handle_crashes_fn)dlsym(lib, "handle_crashes");
            memset(&ss, 0, sizeof(ss));
            ss.ss_sp = own_stack;
            ss.ss_size = sizeof(own_stack);
            memset(&sa, 0, sizeof(sa));
            sigemptyset(&sa.sa_mask);
            sa.sa_flags = SA_ONSTACK;
            sa.sa_handler = call_handle_crashes;
            if (handle_crashes == NULL || sigaltstack(&ss, NULL) != 0 || sigaction(SIGUSR1, &sa, NULL) != 0) {
                printf("crash-in-handler setup failed\n");
                return 3;
            }
            raise(SIGUSR1);
            printf("handle_crashes %d: %s\n", crash_rc, crash_err ? crash_err : "(no error)");
            printf("altstack mappings: %d -> %d\n", before, count_altstacks());
            free(crash_err);
        } else {
            printf("bad command: %s\n", argv[i]);
            return 2;
        }
        fflush(stdout);
    }
    return 0;
}
