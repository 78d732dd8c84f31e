/* pipe + fork + waitpid: a child streams data through a pipe to its parent, reading to end
 * of file; a pipe in the other direction; SIGPIPE; O_NONBLOCK. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int p[2];
    if (pipe(p) < 0) return 100;
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        /* 300,000 bytes in uneven chunks: more than the pipe holds at once. */
        char chunk[7001];
        long sent = 0;
        for (int i = 0; sent < 300000; i++) {
            int n = 1 + (i * 977) % 7000;
            if (sent + n > 300000) n = 300000 - sent;
            for (int k = 0; k < n; k++) chunk[k] = (char)((sent + k) % 251);
            for (int off = 0; off < n;) {
                ssize_t w = write(p[1], chunk + off, n - off);
                if (w < 0) _exit(99);
                off += w;
            }
            sent += n;
        }
        FILE *f = fdopen(p[1], "w");
        fprintf(f, "END\n");
        fclose(f);
        _exit(3);
    }
    close(p[1]);
    long got = 0, bad = 0;
    char buf[4096];
    ssize_t n;
    char tail[8] = {0};
    while ((n = read(p[0], buf, sizeof buf)) > 0) {
        for (ssize_t k = 0; k < n; k++) {
            if (got + k < 300000 && buf[k] != (char)((got + k) % 251)) bad++;
            if (got + k >= 300000 && got + k - 300000 < 7) tail[got + k - 300000] = buf[k];
        }
        got += n;
    }
    int st;
    waitpid(c, &st, 0);
    printf("received %ld bytes, %ld wrong, tail %s", got, bad, tail);
    printf("writer exited %d\n", WEXITSTATUS(st));
    close(p[0]);

    /* Two pipes: the parent asks, the child answers. */
    int up[2], down[2];
    pipe(up);
    pipe(down);
    c = fork();
    if (c == 0) {
        close(down[1]);
        close(up[0]);
        FILE *in = fdopen(down[0], "r");
        char line[100];
        int sum = 0;
        while (fgets(line, sizeof line, in)) sum += atoi(line);
        dprintf(up[1], "sum=%d\n", sum);
        _exit(0);
    }
    close(down[0]);
    close(up[1]);
    for (int i = 1; i <= 100; i++) dprintf(down[1], "%d\n", i);
    close(down[1]);
    char ans[100] = {0};
    read(up[0], ans, sizeof ans - 1);
    printf("child says %s", ans);
    waitpid(c, &st, 0);
    close(up[0]);

    /* A writer with no reader gets SIGPIPE. The read end is closed before the fork, so no
       process holds it when the child writes (closing it after the fork would race the
       child's write). */
    pipe(p);
    close(p[0]);
    c = fork();
    if (c == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    close(p[1]);
    waitpid(c, &st, 0);
    printf("no reader: signaled %d signal %d\n", WIFSIGNALED(st), WTERMSIG(st));

    /* Ignored SIGPIPE: EPIPE instead. */
    signal(SIGPIPE, SIG_IGN);
    pipe(p);
    close(p[0]);
    errno = 0;
    printf("write to closed pipe: %zd %s\n", write(p[1], "x", 1), strerror(errno));
    close(p[1]);

    /* O_NONBLOCK on an empty pipe. */
    pipe2(p, O_NONBLOCK);
    errno = 0;
    printf("nonblocking read: %zd %s\n", read(p[0], buf, 1), strerror(errno));
    printf("lseek on a pipe: %ld %s\n", (long)lseek(p[0], 0, SEEK_SET), strerror(errno));
    close(p[1]);
    printf("after the writer closed: %zd\n", read(p[0], buf, 1));
    return 0;
}
