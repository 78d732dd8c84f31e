/* File-backed and anonymous mappings, in the current directory: MAP_PRIVATE of a file at an
 * offset (the bytes past the end of the file in its last page read as zeros), a write to a
 * private mapping that neither the file nor a second mapping sees, a child after fork that
 * sees the parent's copy and writes its own, MAP_SHARED read-only, mprotect, munmap of a
 * middle page, mremap growing and moving, madvise(MADV_DONTNEED) zeroing anonymous pages,
 * and the errors (bad offset, write-only descriptor, a directory, PROT_WRITE on a read-only
 * shared mapping). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, long r) {
    printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static unsigned sum(const unsigned char *p, size_t n) {
    unsigned s = 0;
    for (size_t i = 0; i < n; i++) s = s * 31 + p[i];
    return s;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("data.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    for (int i = 0; i < 3 * 4096 + 100; i++) {
        unsigned char c = (unsigned char)(i * 7 + 3);
        write(fd, &c, 1);
    }
    unsigned char *p = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE, fd, 2 * pg);
    if (p == MAP_FAILED) return 1;
    printf("offset 2 pages: first %d, byte 4195 %d, byte 4196 %d, tail zero %d\n", p[0],
           p[4195], p[4196], p[2 * pg - 1] == 0 && p[5000] == 0);
    unsigned char *q = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    unsigned char *r = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
    q[10] = 99;
    unsigned char b;
    pread(fd, &b, 1, 10);
    printf("private write: mapping %d, other mapping %d, file %d\n", q[10], r[10], b);
    pid_t c = fork();
    if (c == 0) {
        printf("child sees %d\n", q[10]);
        q[10] = 42;
        printf("child wrote %d\n", q[10]);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    printf("parent still %d\n", q[10]);
    unsigned char *sh = mmap(NULL, 3 * pg, PROT_READ, MAP_SHARED, fd, 0);
    static unsigned char whole[3 * 4096];
    pread(fd, whole, sizeof whole, 0);
    printf("shared read-only: sum %u, same as the file %d\n", sum(sh, 3 * pg),
           sum(sh, 3 * pg) == sum(whole, sizeof whole));
    show("mprotect shared to write", mprotect(sh, pg, PROT_READ | PROT_WRITE));
    show("munmap middle page", munmap(p + pg, pg) );
    show("mmap offset not page aligned", (long)mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 100));
    int wo = open("data.bin", O_WRONLY);
    show("mmap write-only fd", (long)mmap(NULL, pg, PROT_READ, MAP_PRIVATE, wo, 0));
    int ro = open("data.bin", O_RDONLY);
    show("shared writable on read-only fd",
         (long)mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    show("mmap a directory", (long)mmap(NULL, pg, PROT_READ, MAP_PRIVATE, dir, 0));
    show("mmap bad fd", (long)mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 77, 0));
    unsigned char *a = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(a, 5, 4 * pg);
    show("madvise dontneed", madvise(a + pg, 2 * pg, MADV_DONTNEED));
    printf("after dontneed: %d %d %d %d\n", a[0], a[pg], a[2 * pg + 7], a[3 * pg]);
    unsigned char *m = mremap(a, 4 * pg, 64 * pg, MREMAP_MAYMOVE);
    printf("mremap grow: %s, kept %d %d, new zero %d\n", m == MAP_FAILED ? "failed" : "ok",
           m[0], m[3 * pg], m[40 * pg]);
    m[63 * pg] = 1;
    unsigned char *m2 = mremap(m, 64 * pg, 2 * pg, 0);
    printf("mremap shrink in place: %d, %d\n", m2 == m, m2[0]);
    show("mremap bad flags", (long)mremap(m2, pg, pg, 8));
    show("mprotect unmapped", mprotect((void *)0x100000, pg, PROT_READ));
    show("mprotect none", mprotect(m2, pg, PROT_NONE));
    show("mprotect back", mprotect(m2, pg, PROT_READ));
    printf("readable again: %d\n", m2[0]);
    close(fd);
    printf("mapping outlives close: %d\n", r[1]);
    unlink("data.bin");
    return 0;
}
