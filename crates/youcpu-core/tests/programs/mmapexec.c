/* PROT_EXEC on a mapping of the file named by argv[1] (mm/mmap.c do_mmap, mm/mprotect.c):
 * on a noexec mount (path_noexec) mmap with PROT_EXEC fails with EPERM, and a mapping made
 * without it lacks VM_MAYEXEC, so mprotect adding PROT_EXEC fails with EACCES; elsewhere
 * both succeed. Anonymous memory may always become executable. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void result(const char *what, int failed) {
    if (failed)
        printf("%s: %s\n", what, strerror(errno));
    else
        printf("%s: ok\n", what);
}

int main(int argc, char **argv) {
    if (argc < 2)
        return 2;
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    const int types[2] = {MAP_PRIVATE, MAP_SHARED};
    const char *names[2] = {"private", "shared"};
    for (int i = 0; i < 2; i++) {
        char what[64];
        void *x = mmap(NULL, pg, PROT_READ | PROT_EXEC, types[i], fd, 0);
        snprintf(what, sizeof what, "mmap %s PROT_EXEC", names[i]);
        result(what, x == MAP_FAILED);
        void *r = mmap(NULL, pg, PROT_READ, types[i], fd, 0);
        snprintf(what, sizeof what, "mmap %s PROT_READ", names[i]);
        result(what, r == MAP_FAILED);
        snprintf(what, sizeof what, "mprotect %s PROT_EXEC", names[i]);
        result(what, mprotect(r, pg, PROT_READ | PROT_EXEC) != 0);
        snprintf(what, sizeof what, "mprotect %s PROT_READ again", names[i]);
        result(what, mprotect(r, pg, PROT_READ) != 0);
    }
    void *a = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    result("mprotect anonymous PROT_EXEC", mprotect(a, pg, PROT_READ | PROT_EXEC) != 0);
    return 0;
}
