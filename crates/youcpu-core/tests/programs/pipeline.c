/* A shell-style pipeline: producer | consumer > file, built from pipe, fork, dup2 and
 * stdio on the redirected standard streams; umask and the modes files get. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    umask(022);
    int p[2];
    pipe(p);
    pid_t prod = fork();
    if (prod == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        for (int i = 1; i <= 200; i++) printf("%d squared is %d\n", i, i * i);
        return 0; /* exit flushes stdout into the pipe */
    }
    pid_t cons = fork();
    if (cons == 0) {
        dup2(p[0], 0);
        close(p[0]);
        close(p[1]);
        int fd = open("squares.txt", O_WRONLY | O_CREAT | O_TRUNC, 0666);
        dup2(fd, 1);
        close(fd);
        int a, b;
        long sum = 0, n = 0;
        while (scanf("%d squared is %d", &a, &b) == 2) {
            sum += b;
            n++;
        }
        printf("%ld lines, sum of squares %ld\n", n, sum);
        return n == 200 ? 0 : 1;
    }
    close(p[0]);
    close(p[1]);
    int st1, st2;
    waitpid(prod, &st1, 0);
    waitpid(cons, &st2, 0);
    printf("producer %d, consumer %d\n", WEXITSTATUS(st1), WEXITSTATUS(st2));
    FILE *f = fopen("squares.txt", "r");
    char line[100];
    printf("file says: %s", fgets(line, sizeof line, f));
    fclose(f);
    struct stat st;
    stat("squares.txt", &st);
    printf("mode %o\n", st.st_mode & 0777);
    umask(0);
    close(open("open.txt", O_WRONLY | O_CREAT, 0666));
    stat("open.txt", &st);
    printf("mode with umask 0: %o, old umask %o\n", st.st_mode & 0777, umask(077));
    mkdir("d", 0777);
    stat("d", &st);
    printf("dir mode with umask 077: %o\n", st.st_mode & 0777);
    unlink("squares.txt");
    unlink("open.txt");
    rmdir("d");
    return 0;
}
