/* mprotect and what a mapping may become (mm/mprotect.c do_mprotect_pkey, mm/mmap.c do_mmap):
 * a MAP_SHARED mapping of a file opened read-only may never be made writable (EACCES: it
 * lacks VM_MAYWRITE), while a MAP_PRIVATE one of the same descriptor may (its writes are the
 * process's own). The regions of the range are changed in order, so when a later region
 * refuses (EACCES) or the range meets a hole (ENOMEM), the regions before it have already
 * changed. mremap keeps what a mapping may become. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;

static void on_segv(int sig) {
    (void)sig;
    siglongjmp(env, 1);
}

/* Stores one byte: "stored" or "SIGSEGV". */
static const char *store(char *p) {
    if (sigsetjmp(env, 1) == 0) {
        *(volatile char *)p = 'W';
        return "stored";
    }
    return "SIGSEGV";
}

static const char *err(int r) { return r == 0 ? "0" : strerror(errno); }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    long pg = sysconf(_SC_PAGESIZE);
    signal(SIGSEGV, on_segv);
    int fd = open("prot.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char buf[3 * 4096];
    memset(buf, 'f', sizeof buf);
    write(fd, buf, sizeof buf);
    close(fd);

    int ro = open("prot.bin", O_RDONLY);
    char *s = mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0);
    printf("shared read-only map: %s\n", s == MAP_FAILED ? strerror(errno) : "ok");
    printf("shared, writable map of it: %s\n",
           mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED
               ? strerror(errno)
               : "ok");
    printf("mprotect shared RW: %s\n", err(mprotect(s, pg, PROT_READ | PROT_WRITE)));
    printf("store after the refusal: %s\n", store(s));
    printf("mprotect shared NONE: %s\n", err(mprotect(s, pg, PROT_NONE)));
    printf("mprotect shared R again: %s\n", err(mprotect(s, pg, PROT_READ)));
    printf("reads %c\n", s[0]);

    /* Moved elsewhere by mremap, the mapping is still one that may not become writable. */
    char *spot = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *moved = mremap(s, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, spot);
    printf("mremap: %s\n", moved == MAP_FAILED ? strerror(errno) : "moved");
    printf("mprotect moved shared RW: %s\n", err(mprotect(moved, pg, PROT_READ | PROT_WRITE)));
    s = moved;

    char *p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, ro, 0);
    printf("mprotect private RW: %s\n", err(mprotect(p, pg, PROT_READ | PROT_WRITE)));
    printf("store: %s\n", store(p));
    printf("reads %c, shared view %c\n", p[0], s[0]);

    /* Three pages: anonymous, shared read-only file, anonymous, in this order. */
    char *a = mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mmap(a + pg, pg, PROT_READ, MAP_SHARED | MAP_FIXED, ro, 0);
    printf("mprotect over the three RW: %s\n", err(mprotect(a, 3 * pg, PROT_READ | PROT_WRITE)));
    printf("first page: %s\n", store(a));
    printf("third page: %s\n", store(a + 2 * pg));

    /* A hole in the middle: the first region changes, the last does not. */
    char *b = mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(b + pg, pg);
    printf("mprotect over a hole RW: %s\n", err(mprotect(b, 3 * pg, PROT_READ | PROT_WRITE)));
    printf("before the hole: %s\n", store(b));
    printf("after it: %s\n", store(b + 2 * pg));
    printf("mprotect from the hole: %s\n", err(mprotect(b + pg, 2 * pg, PROT_READ)));

    /* Opened read-write the shared mapping may become writable, and its store reaches the
     * file. */
    int rw = open("prot.bin", O_RDWR);
    char *t = mmap(NULL, pg, PROT_READ, MAP_SHARED, rw, pg);
    printf("mprotect shared (read-write file) RW: %s\n",
           err(mprotect(t, pg, PROT_READ | PROT_WRITE)));
    printf("store: %s\n", store(t));
    munmap(t, pg);
    char c;
    pread(ro, &c, 1, pg);
    printf("file at %ld: %c\n", pg, c);
    return 0;
}
