/* Shared file mappings and the page cache, in the current directory: a store through a
 * MAP_SHARED mapping is seen by pread and by a second mapping of the file opened again; a
 * pwrite is seen through the mappings; a fork child's store through the mapping reaches the
 * parent and the file; msync and munmap write back; the rest of the last page past the end
 * of the file reads as zeros and never reaches the file; a page wholly past the end raises
 * SIGBUS (BUS_ADRERR, si_addr the address touched), for MAP_PRIVATE too; ftruncate growing
 * the file makes that page usable, and shrinking it makes it SIGBUS again. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile long fault_off;
static volatile int fault_code;
static char *base;

static void on_bus(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    fault_code = sig * 100 + si->si_code;
    fault_off = (char *)si->si_addr - base;
    siglongjmp(env, 1);
}

/* Touches p (reading, or writing when w): "ok" or the signal, its code and the offset. */
static void touch(const char *what, char *map, long off, int w) {
    base = map;
    if (sigsetjmp(env, 1) == 0) {
        if (w) map[off] = 'Z';
        int v = ((volatile char *)map)[off];
        printf("%s: ok (%d)\n", what, v);
    } else {
        printf("%s: signal %d code %d at offset %ld\n", what, fault_code / 100, fault_code % 100,
               fault_off);
    }
}

static unsigned sum(const unsigned char *p, size_t n) {
    unsigned s = 0;
    for (size_t i = 0; i < n; i++) s = s * 31 + p[i];
    return s;
}

static void file_says(const char *what) {
    unsigned char buf[3 * 4096];
    int fd = open("shared.bin", O_RDONLY);
    long n = read(fd, buf, sizeof buf);
    struct stat st;
    fstat(fd, &st);
    close(fd);
    printf("%s: %ld bytes, size %ld, sum %u, [10] %c [4100] %c\n", what, n, (long)st.st_size,
           sum(buf, n > 0 ? n : 0), buf[10], buf[4100]);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    long pg = sysconf(_SC_PAGESIZE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);

    int fd = open("shared.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char line[5000];
    for (int i = 0; i < 5000; i++) line[i] = 'a' + i % 26;
    write(fd, line, sizeof line);
    char *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        printf("mmap shared: %s\n", strerror(errno));
        return 1;
    }
    memcpy(m + 10, "HELLO", 5);
    char b[6] = {0};
    pread(fd, b, 5, 10);
    printf("pread after a store: %s\n", b);
    pwrite(fd, "WORLD", 5, 4100);
    printf("mapping after pwrite: %.5s\n", m + 4100);

    int fd2 = open("shared.bin", O_RDWR);
    char *m2 = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
    printf("second mapping sees: %.5s %.5s\n", m2 + 10, m2 + 4100);
    m2[20] = '!';
    printf("first mapping sees the second's store: %c\n", m[20]);
    close(fd2);

    printf("tail of the last page: %d %d\n", m[5000], m[2 * pg - 1]);
    m[5001] = 'T';
    touch("page wholly past the end, read", m, 2 * pg + 5, 0);
    touch("page wholly past the end, write", m, 2 * pg + 100, 1);

    pid_t c = fork();
    if (c == 0) {
        m[30] = '#';
        char *m3 = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        m3[31] = '$';
        _exit(0);
    }
    waitpid(c, NULL, 0);
    char k[3] = {0};
    pread(fd, k, 2, 30);
    printf("after the child: mapping %c%c, file %s\n", m[30], m[31], k);

    printf("msync: %d\n", msync(m, 3 * pg, MS_SYNC));
    int r = msync(m + 1, pg, MS_SYNC);
    printf("msync unaligned: %d %s\n", r, strerror(errno));
    file_says("file after msync");

    ftruncate(fd, 3 * pg);
    touch("after growing the file, read", m, 2 * pg + 5, 0);
    m[2 * pg + 6] = 'G';
    ftruncate(fd, pg + 10);
    touch("after shrinking the file, read", m, 2 * pg + 5, 0);
    printf("cut page tail: %d, kept: %c\n", m[pg + 20], m[pg + 5]);
    file_says("file after truncate");

    char *p = mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
    touch("private, inside", p, 100, 0);
    touch("private, wholly past the end", p, 2 * pg + 1, 0);

    m[40] = '%';
    munmap(m, 3 * pg);
    close(fd);
    file_says("file after munmap and close");

    int ro = open("shared.bin", O_RDONLY);
    printf("shared writable on read-only fd: %s\n",
           mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED
               ? strerror(errno)
               : "ok");
    close(ro);
    int last = open("shared.bin", O_RDWR);
    char *q = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, last, 0);
    close(last);
    q[0] = '@';
    return 0;
}
