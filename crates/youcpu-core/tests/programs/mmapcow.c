/* MAP_PRIVATE file mappings share the page cache until the process writes (mm/memory.c
 * do_cow_fault, wp_page_copy): a page it has not written shows what pwrite or a shared
 * mapping later put in the file, whether it has read the page or not; a page it has written
 * is its own copy, which the file never sees and later writes to the file do not change. A
 * fork child sees the parent's copies. read(2) into a private page copies it too. Shrinking
 * the file (ftruncate) takes away even the written pages past the new end: touching them
 * raises SIGBUS (truncate_pagecache unmaps private copies too), and growing the file again
 * shows the file's bytes (zeros) there. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile int got;

static void on_bus(int sig) {
    got = sig;
    siglongjmp(env, 1);
}

/* The byte at p, or the signal touching it raised. */
static void show(const char *what, const char *p) {
    if (sigsetjmp(env, 1) == 0) {
        char c = *(volatile const char *)p;
        if (c >= 32)
            printf("%s: %c\n", what, c);
        else
            printf("%s: byte %d\n", what, c);
    } else {
        printf("%s: signal %d\n", what, got);
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    long pg = sysconf(_SC_PAGESIZE);
    signal(SIGBUS, on_bus);
    int fd = open("cow.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char buf[4 * 4096];
    for (int i = 0; i < 4; i++) memset(buf + i * 4096, 'a' + i, 4096);
    write(fd, buf, sizeof buf);

    char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    char *s = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    show("page 1 before", p + pg);
    /* Page 0 untouched, page 1 read, page 2 written. */
    p[2 * pg] = 'X';
    pwrite(fd, "P", 1, 0);
    pwrite(fd, "Q", 1, pg);
    pwrite(fd, "R", 1, 2 * pg);
    show("untouched page after pwrite", p);
    show("read page after pwrite", p + pg);
    show("written page after pwrite", p + 2 * pg);
    char c;
    pread(fd, &c, 1, 2 * pg);
    printf("file under the written page: %c\n", c);

    /* A store through the shared mapping reaches the private view of untouched pages. */
    s[3] = 'S';
    s[2 * pg + 1] = 'T';
    show("untouched page, shared store", p + 3);
    show("written page, shared store", p + 2 * pg + 1);

    /* Writing a page after a pwrite keeps the pwrite's byte in the copy. */
    p[5] = 'W';
    show("page 0 after its own store, byte 0", p);
    pwrite(fd, "Z", 1, 0);
    show("page 0 after a later pwrite", p);
    pread(fd, &c, 1, 5);
    printf("file byte 5: %c\n", c);

    /* read(2) into a private page: the page becomes the process's own. */
    lseek(fd, 0, SEEK_SET);
    read(fd, p + 3 * pg, 2);
    pwrite(fd, "Y", 1, 3 * pg + 2);
    show("page 3 after read into it, byte 2", p + 3 * pg + 2);
    pread(fd, &c, 1, 3 * pg);
    printf("file under page 3: %c\n", c);

    /* A fork child sees the copies and the untouched pages alike. */
    pid_t k = fork();
    if (k == 0) {
        show("child page 2", p + 2 * pg);
        show("child page 1", p + pg);
        p[pg] = 'C';
        _exit(0);
    }
    waitpid(k, NULL, 0);
    show("parent page 1 after the child's store", p + pg);

    /* Shrinking the file takes away the written page past the end. */
    ftruncate(fd, pg);
    show("written page past the new end", p + 2 * pg);
    show("page 0 inside", p + 5);
    ftruncate(fd, 4 * pg);
    show("written page, file grown again", p + 2 * pg);
    show("page 3, file grown again", p + 3 * pg);
    return 0;
}
