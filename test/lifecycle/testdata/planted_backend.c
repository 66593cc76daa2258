/*
 * planted_backend.c: a library planted where a relative loader folder would point after a chdir
 * (lifecycle/select_test.go). If it is ever loaded, its constructor leaves a marker file (path in
 * $RTLOADER_PLANT_MARKER) and ends the process with status 97.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void planted(void)
{
    const char *marker = getenv("RTLOADER_PLANT_MARKER");
    if (marker != NULL) {
        int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0)
            close(fd);
    }
    _exit(97);
}
