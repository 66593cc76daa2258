/*
 * select.c: choosing and opening the Python backend (API.md §5.1, §12.3; DESIGN.md "Choosing the
 * Python").
 *
 * One installation serves several Pythons: each backend is built for one CPython and linked to
 * its libpython, so the loader must match the stdlib under python_home with the backend built for
 * that version; a mismatch fails in obscure ways inside CPython, so it is reported here instead.
 *
 * Decisions (documented in the README, "Choosing the Python at run time"):
 *   - the version (API.md §12.5): python_exe's (its name after resolving links, python3.X) when it
 *     names one; else, among the complete stdlibs under <home>/lib (python3.X/os.py AND
 *     python3.X/lib-dynload), one with a backend at hand, the highest. Homes that are not
 *     directories, Python 2 / 3.0-3.7 and free-threaded builds (python3.Xt) are refused here, with
 *     the spec's texts, instead of failing later inside CPython. A home whose layout names no
 *     version at all (no complete stdlib, no versioned exe) gets the default backend, as upstream
 *     would load it: init then reports what CPython makes of that home;
 *   - two installations may share a minor version (Debian's 3.11 and a pyenv 3.11.x). The default
 *     backend is built for the system python3 and the loader knows, from the build, which prefix
 *     that is (canonical): a home whose canonical path is that prefix takes the default backend
 *     even when a versioned backend for the same minor (built for the other installation) is
 *     installed. Otherwise the versioned backend wins, and the default backend is the fallback for
 *     a matching version at another (relocated) home, as upstream would load it;
 *   - backends are looked up in the loader's own folder first (canonical, resolved once when the
 *     loader is loaded: a later chdir changes nothing), then by bare name through the dynamic
 *     linker (RUNPATH, LD_LIBRARY_PATH, cache);
 *   - a backend whose table the loader refuses is dlclosed at once. A process keeps the first
 *     backend it accepted: it is never closed (a libpython cannot be unloaded), and after
 *     destroy() make3 runs the same search, gets the same name, and reuses it; a different one is
 *     refused, since two libpythons in one process do not mix.
 */
#define _GNU_SOURCE /* dladdr */
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdint.h>
#include <unistd.h>

#define RTLOADER_NO_RAW_MALLOC
#include "loader.h"
#include "rtl_format.h"
#include "rtloader_mem.h"

#if !defined(__linux__) && !defined(__unix__)
#    error "Platform not supported"
#endif
#define RTL_LIB_PREFIX "libdatadog-agent-three"
#define RTL_LIB_SUFFIX ".so"
#define RTL_DEFAULT_LIB RTL_LIB_PREFIX RTL_LIB_SUFFIX

/* The library opened first in this process, kept forever (see the design note). */
static void *rtl_dl;
static const rtl_backend_t *rtl_dl_ops;
static char rtl_dl_name[PATH_MAX];

/* _malloc'ed printf-style message (NULL if out of memory). */
static char *rtl_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *rtl_msg(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    s = rtl_vformat(_malloc, fmt, ap);
    va_end(ap);
    return s;
}

/* The canonical absolute folder holding this loader library ("" if unknown), resolved once by a
 * constructor when the library is loaded (API.md §12.5): dladdr's dli_fname is the path the
 * library was opened by, possibly relative to the working directory of that moment, so resolving
 * it later would follow any chdir the host made since and could pick a library planted elsewhere. */
static char rtl_loader_dir[PATH_MAX];

__attribute__((constructor)) static void rtl_loader_dir_init(void)
{
    Dl_info info;
    char dir[PATH_MAX];
    const char *slash;
    if (dladdr((void *)rtl_loader_dir_init, &info) == 0 || info.dli_fname == NULL)
        return;
    slash = strrchr(info.dli_fname, '/');
    if (slash == NULL || (size_t)(slash - info.dli_fname) >= sizeof(dir))
        return; /* no folder in the name: backends are found by the dynamic linker only */
    memcpy(dir, info.dli_fname, (size_t)(slash - info.dli_fname));
    dir[slash - info.dli_fname] = '\0';
    if (realpath(dir[0] != '\0' ? dir : "/", rtl_loader_dir) == NULL)
        rtl_loader_dir[0] = '\0';
}

static int rtl_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Parses "3.X" at s (followed by end or a non-digit); returns X or -1. */
static int rtl_parse_minor(const char *s)
{
    char *end;
    long x;
    if (s[0] != '3' || s[1] != '.' || s[2] < '0' || s[2] > '9')
        return -1;
    x = strtol(s + 2, &end, 10);
    if (x < 0 || x > 999)
        return -1;
    return (int)x;
}

/* 1 if `file` is in the loader's directory. */
static int rtl_in_dir(const char *dir, const char *file)
{
    char path[PATH_MAX];
    return dir[0] != '\0' && snprintf(path, sizeof(path), "%s/%s", dir, file) < (int)sizeof(path) && rtl_is_file(path);
}

static int rtl_cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* "3.8, 3.12" for every backend present in the loader's directory (plus the default's version
 * when the default library is there), ascending; "none" when there is none. */
static void rtl_available(const char *dir, char *out, size_t size)
{
    int minors[64];
    int n = 0, i, default_minor = rtl_parse_minor(RTL_DEFAULT_PY_VERSION);
    DIR *d;
    struct dirent *e;
    size_t plen = strlen(RTL_LIB_PREFIX "-");

    if (dir[0] != '\0' && (d = opendir(dir)) != NULL) {
        while ((e = readdir(d)) != NULL && n < 63) {
            int minor;
            size_t len = strlen(e->d_name);
            if (strncmp(e->d_name, RTL_LIB_PREFIX "-", plen) != 0 || len < strlen(RTL_LIB_SUFFIX)
                || strcmp(e->d_name + len - strlen(RTL_LIB_SUFFIX), RTL_LIB_SUFFIX) != 0)
                continue;
            minor = rtl_parse_minor(e->d_name + plen);
            if (minor >= 0)
                minors[n++] = minor;
        }
        closedir(d);
        if (rtl_in_dir(dir, RTL_DEFAULT_LIB) && default_minor >= 0)
            minors[n++] = default_minor;
    }
    qsort(minors, (size_t)n, sizeof(int), rtl_cmp_int);
    out[0] = '\0';
    for (i = 0; i < n; i++) {
        size_t used = strlen(out);
        if (i > 0 && minors[i] == minors[i - 1])
            continue;
        snprintf(out + used, size - used, "%s3.%d", used ? ", " : "", minors[i]);
    }
    if (out[0] == '\0')
        snprintf(out, size, "none");
}

/* Resolves file to "<loader dir>/file" when present there, else the bare name. */
static void rtl_resolve(const char *dir, const char *file, char *out, size_t size)
{
    if (dir[0] != '\0' && snprintf(out, size, "%s/%s", dir, file) < (int)size && rtl_is_file(out))
        return;
    snprintf(out, size, "%s", file);
}

static int rtl_same_dir(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    if (realpath(a, ra) == NULL || realpath(b, rb) == NULL)
        return 0;
    return strcmp(ra, rb) == 0;
}

/* A Python version as spelled in lib/python<M.N[t]> or in an executable's name python<M.N[t]>. */
typedef struct {
    int major, minor;
    int ft; /* the "t" suffix: a free-threaded build */
} rtl_pyver_t;

/* Parses exactly "M.N" or "M.Nt"; 1 on success. */
static int rtl_parse_pyver(const char *s, rtl_pyver_t *v)
{
    char *end;
    long major, minor;
    if (s[0] < '0' || s[0] > '9')
        return 0;
    major = strtol(s, &end, 10);
    if (end[0] != '.' || end[1] < '0' || end[1] > '9')
        return 0;
    minor = strtol(end + 1, &end, 10);
    v->ft = end[0] == 't';
    if (v->ft)
        end++;
    if (*end != '\0' || major > 99 || minor > 999)
        return 0;
    v->major = (int)major;
    v->minor = (int)minor;
    return 1;
}

static int rtl_pyver_supported(const rtl_pyver_t *v)
{
    return v->major == 3 && v->minor >= 8 && !v->ft;
}

/* 1 if dir/name/os.py is a file and dir/name/lib-dynload a folder: a complete stdlib. */
static int rtl_complete_stdlib(const char *lib, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    if (snprintf(path, sizeof(path), "%s/%s/os.py", lib, name) >= (int)sizeof(path) || !rtl_is_file(path))
        return 0;
    if (snprintf(path, sizeof(path), "%s/%s/lib-dynload", lib, name) >= (int)sizeof(path))
        return 0;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* 1 if a backend for Python 3.minor is at hand: in the loader's folder, the default backend's
 * version, or the backend this process already holds. */
static int rtl_backend_at_hand(const char *dir, int minor)
{
    char versioned[PATH_MAX];
    snprintf(versioned, sizeof(versioned), "%s-3.%d%s", RTL_LIB_PREFIX, minor, RTL_LIB_SUFFIX);
    return rtl_in_dir(dir, versioned) || minor == rtl_parse_minor(RTL_DEFAULT_PY_VERSION)
           || (rtl_dl_ops != NULL && rtl_parse_minor(rtl_dl_ops->python_version) == minor);
}

/* The version python_exe names (python<M.N[t]>, links resolved); 1 if it names one. */
static int rtl_exe_version(const char *exe, rtl_pyver_t *v)
{
    char real[PATH_MAX];
    const char *base;
    if (exe == NULL || exe[0] == '\0')
        return 0;
    if (realpath(exe, real) == NULL)
        snprintf(real, sizeof(real), "%s", exe);
    base = strrchr(real, '/');
    base = base ? base + 1 : real;
    return strncmp(base, "python", 6) == 0 && rtl_parse_pyver(base + 6, v);
}

/*
 * The Python version of home (API.md §12.5): python_exe's version when it names one; otherwise,
 * among the complete stdlibs under home/lib, a supported version with a backend at hand, then any
 * supported version, then an unsupported one (to name it in the refusal); highest first within
 * each rank. Returns 1 with *minor set (Python 3.minor), 0 for a layout that names no version
 * (the default backend then serves, as upstream), -1 with *error set for a refused home.
 */
static int rtl_choose_version(const char *home, const char *exe, const char *dir, int *minor, char **error)
{
    struct stat st;
    rtl_pyver_t best, v;
    int found = 0;

    if (stat(home, &st) != 0 || !S_ISDIR(st.st_mode)) {
        *error = rtl_msg("python home '%s' is not a directory", home);
        return -1;
    }
    if (rtl_exe_version(exe, &v)) {
        best = v;
        found = 1;
    } else {
        char lib[PATH_MAX];
        long best_rank = -1;
        DIR *d;
        struct dirent *e;
        if (snprintf(lib, sizeof(lib), "%s/lib", home) < (int)sizeof(lib) && (d = opendir(lib)) != NULL) {
            while ((e = readdir(d)) != NULL) {
                long rank;
                if (strncmp(e->d_name, "python", 6) != 0 || !rtl_parse_pyver(e->d_name + 6, &v)
                    || !rtl_complete_stdlib(lib, e->d_name))
                    continue;
                rank = !rtl_pyver_supported(&v) ? 0 : rtl_backend_at_hand(dir, v.minor) ? 2 : 1;
                rank = rank * 100000000L + v.major * 100000L + v.minor * 2L + v.ft;
                if (rank > best_rank) {
                    best_rank = rank;
                    best = v;
                }
            }
            closedir(d);
        }
        found = best_rank >= 0;
    }
    if (!found)
        return 0;
    if (best.ft) {
        *error = rtl_msg("free-threaded Python %d.%dt is not supported", best.major, best.minor);
        return -1;
    }
    if (!rtl_pyver_supported(&best)) {
        *error = rtl_msg("Python %d.%d is not supported (3.8 or newer is required)", best.major, best.minor);
        return -1;
    }
    *minor = best.minor;
    return 1;
}

/* Checks the table of a freshly opened backend; on refusal sets *error and returns NULL (the caller
 * then dlcloses the library). */
static const rtl_backend_t *rtl_accept(void *dl, const char *path, int minor, const char *home, char **error)
{
    rtl_backend_entry_t entry;
    const rtl_backend_t *ops;

    dlerror();
    entry = (rtl_backend_entry_t)(uintptr_t)dlsym(dl, RTL_BACKEND_ENTRY_NAME);
    if (entry == NULL) {
        const char *e = dlerror();
        *error = rtl_msg("Unable to open three factory: %s", e ? e : "symbol " RTL_BACKEND_ENTRY_NAME " is NULL");
        return NULL;
    }
    ops = entry();
    if (ops == NULL || ops->abi != RTL_BACKEND_ABI) {
        *error = rtl_msg("Unable to open three factory: %s has backend ABI %d, the loader expects %d", path,
                         ops ? ops->abi : -1, RTL_BACKEND_ABI);
        return NULL;
    }
    if (ops->size < sizeof(rtl_backend_t)) {
        *error = rtl_msg("Unable to open three factory: %s has a backend table of %zu bytes, the loader needs %zu "
                         "(a backend older than the loader)",
                         path, ops->size, sizeof(rtl_backend_t));
        return NULL;
    }
    if (minor >= 0 && rtl_parse_minor(ops->python_version) != minor) {
        *error = rtl_msg("Unable to find a three library for Python 3.%d in '%s'; available versions: %s "
                         "(%s is built for it)",
                         minor, home, ops->python_version, path);
        return NULL;
    }
    return ops;
}

RTL_HIDDEN const rtl_backend_t *rtl_open_backend(const char *home, const char *exe, char **error)
{
    const char *dir = rtl_loader_dir;
    char file[PATH_MAX], path[PATH_MAX];
    int minor = -1, linker_only = 0;
    void *dl;
    const rtl_backend_t *ops;

    snprintf(file, sizeof(file), "%s", RTL_DEFAULT_LIB);
    if (home != NULL && home[0] != '\0' && rtl_choose_version(home, exe, dir, &minor, error) < 0)
        return NULL;
    if (minor >= 0) {
        char versioned[PATH_MAX];
        int default_minor = rtl_parse_minor(RTL_DEFAULT_PY_VERSION);
        snprintf(versioned, sizeof(versioned), "%s-3.%d%s", RTL_LIB_PREFIX, minor, RTL_LIB_SUFFIX);
        if (minor == default_minor && rtl_same_dir(home, RTL_DEFAULT_PY_PREFIX)) {
            /* the very installation the default backend was built for */
        } else if (rtl_in_dir(dir, versioned) || minor != default_minor) {
            /* Not in the loader's folder: the dynamic linker's own search path, last resort. */
            linker_only = !rtl_in_dir(dir, versioned);
            snprintf(file, sizeof(file), "%s", versioned);
        }
    }
    rtl_resolve(dir, file, path, sizeof(path));

    /* The library kept from an earlier make3 (see the design note): the same search gives the same
     * name, whichever way it was found; anything else would be a second libpython. */
    if (rtl_dl != NULL) {
        if (strcmp(path, rtl_dl_name) == 0)
            return rtl_dl_ops;
        *error = rtl_msg("Unable to open three library: %s is already loaded in this process and a "
                         "second Python backend (%s) cannot be added",
                         rtl_dl_name, path);
        return NULL;
    }
    dl = dlopen(path, RTLD_LAZY | RTLD_GLOBAL);
    if (dl == NULL) {
        if (linker_only) {
            char avail[512];
            rtl_available(dir, avail, sizeof(avail));
            *error = rtl_msg("Unable to find a three library for Python 3.%d in '%s'; available versions: %s", minor,
                             home, avail);
        } else {
            *error = rtl_msg("Unable to open three library: %s", dlerror());
        }
        return NULL;
    }
    ops = rtl_accept(dl, path, minor, home, error);
    if (ops == NULL) {
        /* Refused: unmapped at once (with its libpython), never recorded, so a later make3 starts
         * afresh (API.md §11 item 1, §12.5). */
        dlclose(dl);
        return NULL;
    }
    rtl_dl = dl;
    rtl_dl_ops = ops;
    snprintf(rtl_dl_name, sizeof(rtl_dl_name), "%s", path);
    return ops;
}
