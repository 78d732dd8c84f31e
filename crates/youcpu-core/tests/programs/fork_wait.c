/* fork + waitpid: children print and exit with different statuses (one above 255, one -1);
 * the parent waits for each in turn, so the output order is fixed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    /* Nothing the C library did before main failed (it would leave errno set). */
    int e = errno;
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("errno at start: %d\n", e);
    int codes[] = {0, 1, 42, 255, 256 + 7, -1};
    pid_t me = getpid();
    for (int i = 0; i < 6; i++) {
        pid_t p = fork();
        if (p < 0) {
            perror("fork");
            return 100;
        }
        if (p == 0) {
            printf("child %d: parent is me: %s\n", i, getppid() == me ? "yes" : "no");
            exit(codes[i]);
        }
        int st = 0;
        pid_t w = waitpid(p, &st, 0);
        printf("parent: waited %s, exited %d, status %d, signaled %d\n",
               w == p ? "the child" : "something else", WIFEXITED(st), WEXITSTATUS(st),
               WIFSIGNALED(st));
    }
    /* Three at once, reaped in any order by wait(): the sum of the statuses is fixed. */
    for (int i = 1; i <= 3; i++)
        if (fork() == 0) _exit(i * 10);
    int sum = 0, n = 0, st;
    while (wait(&st) > 0) {
        sum += WEXITSTATUS(st);
        n++;
    }
    printf("reaped %d, sum %d\n", n, sum);
    /* Grandchildren: each generation waits for the next and adds one to its status. */
    pid_t p = fork();
    if (p == 0) {
        pid_t q = fork();
        if (q == 0) {
            pid_t r = fork();
            if (r == 0) _exit(1);
            waitpid(r, &st, 0);
            _exit(WEXITSTATUS(st) + 1);
        }
        waitpid(q, &st, 0);
        _exit(WEXITSTATUS(st) + 1);
    }
    waitpid(p, &st, 0);
    printf("three generations: %d\n", WEXITSTATUS(st));
    return 9;
}
