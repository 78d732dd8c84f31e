/* File mappings are filled on first touch (mm/filemap.c filemap_fault), by the process or by
 * the kernel on its behalf: write(2) from a page never touched sends the file's bytes, read(2)
 * into one fills the process's own copy (a private page) or the file (a shared one), a path
 * in a page never touched opens the file. A page wholly past the end of the file gives
 * EFAULT to a kernel copy (no signal), and once the file grows the same page reads through.
 *
 * madvise(MADV_DONTNEED) (mm/madvise.c) drops a private file page's own copy, so the next
 * read shows the file again; a private anonymous page reads as zeros afterwards; a shared
 * mapping keeps what it holds (its pages come back from the file or the shared object).
 * MADV_FREE is for anonymous private memory only (EINVAL on a file or shared region). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void result(const char *what, long n) {
    if (n < 0)
        printf("%s: -1 %s\n", what, strerror(errno));
    else
        printf("%s: %ld\n", what, n);
}

static void byte(const char *what, const char *p) {
    char c = *(volatile const char *)p;
    if (c >= 32)
        printf("%s: %c\n", what, c);
    else
        printf("%s: byte %d\n", what, c);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    long pg = sysconf(_SC_PAGESIZE);
    char buf[3 * 4096];
    for (int i = 0; i < 3; i++) memset(buf + i * 4096, 'a' + i, 4096);
    int fd = open("lazy.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, buf, sizeof buf);
    int out = open("lazy.out", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int src = open("lazy.src", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(src, "xyz", 3);
    char got[8] = {0};

    /* write(2) from two pages never touched (the copy spans both). */
    char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    result("write from untouched pages", write(out, p + pg - 2, 4));
    pread(out, got, 4, 0);
    printf("written: %.4s\n", got);

    /* read(2) into a private page never touched: the page is the process's own. */
    result("read into an untouched page", pread(src, p + 2 * pg + 10, 3, 0));
    pwrite(fd, "R", 1, 2 * pg + 20);
    byte("page 2 byte 10", p + 2 * pg + 10);
    byte("page 2 after a later pwrite", p + 2 * pg + 20);
    pread(fd, got, 3, 2 * pg + 10);
    printf("file under it: %.3s\n", got);

    /* A page wholly past the end of the file: the kernel's copies fail, no signal. */
    result("read into a page past the end", pread(src, p + 3 * pg, 3, 0));
    result("write from a page past the end", write(out, p + 3 * pg, 3));
    ftruncate(fd, 4 * pg);
    pwrite(fd, "grown", 5, 3 * pg);
    result("write from it once the file grew", pwrite(out, p + 3 * pg, 5, 0));
    pread(out, got, 5, 0);
    printf("written: %.5s\n", got);

    /* read(2) into a shared page never touched reaches the file. */
    char *s = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    result("read into an untouched shared page", pread(src, s + pg + 7, 3, 0));
    msync(s, 4 * pg, MS_SYNC);
    pread(fd, got, 3, pg + 7);
    printf("file: %.3s\n", got);

    /* A path in a mapped page never touched. */
    int names = open("lazy.names", O_RDWR | O_CREAT | O_TRUNC, 0644);
    pwrite(names, "lazy.src", 9, 100);
    char *n = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, names, 0);
    int again = open(n + 100, O_RDONLY);
    printf("open through an untouched page: %s\n", again >= 0 ? "opened" : strerror(errno));

    /* MADV_DONTNEED on a private file mapping drops the process's copies. */
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    m[0] = 'M';
    m[pg + 1] = 'N';
    byte("private page before", m);
    pwrite(fd, "F", 1, 0);
    result("madvise DONTNEED private file", madvise(m, 2 * pg, MADV_DONTNEED));
    byte("private page after", m);
    byte("private page 1 after", m + pg + 1);
    m[0] = 'O';
    pwrite(fd, "G", 1, 0);
    byte("stored again, then pwrite", m);
    result("madvise DONTNEED page 0", madvise(m, pg, MADV_DONTNEED));
    byte("dropped again", m);

    /* On private anonymous memory: zeros. */
    char *a = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    a[0] = 'A';
    a[pg] = 'B';
    result("madvise DONTNEED anonymous", madvise(a, pg, MADV_DONTNEED));
    byte("anonymous page 0 after", a);
    byte("anonymous page 1 kept", a + pg);

    /* Shared mappings keep their contents. */
    s[1] = 'S';
    result("madvise DONTNEED shared file", madvise(s, pg, MADV_DONTNEED));
    byte("shared page after", s + 1);
    char *h = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    h[0] = 'H';
    result("madvise DONTNEED shared anonymous", madvise(h, pg, MADV_DONTNEED));
    byte("shared anonymous after", h);

    /* MADV_FREE: anonymous private memory only. */
    result("madvise FREE private file", madvise(m, pg, MADV_FREE));
    result("madvise FREE shared file", madvise(s, pg, MADV_FREE));
    result("madvise FREE shared anonymous", madvise(h, pg, MADV_FREE));
    result("madvise FREE anonymous", madvise(a, pg, MADV_FREE));
    return 0;
}
