/* Behaviour the simulator defines where a real system depends on its set-up: run in the
 * simulator only. argv[1] picks the case. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *c = argc > 1 ? argv[1] : "";
    int st;
    if (!strcmp(c, "orphan")) {
        /* The grandchild outlives its parent and is reparented to the first process. */
        pid_t p = fork();
        if (p == 0) {
            pid_t me = getpid();
            if (fork() == 0) {
                while (getppid() == me) sched_yield();
                printf("grandchild: new parent %d\n", getppid());
                _exit(4);
            }
            _exit(3);
        }
        waitpid(p, &st, 0);
        printf("child %d\n", WEXITSTATUS(st));
        pid_t g = wait(&st);
        printf("reaped the grandchild too: %d status %d\n", g > p, WEXITSTATUS(st));
        return 0;
    }
    if (!strcmp(c, "bomb")) {
        int n = 0;
        for (;;) {
            pid_t p = fork();
            if (p == 0) {
                for (;;) pause();
            }
            if (p < 0) {
                printf("fork %d failed: %s\n", n, strerror(errno));
                break;
            }
            n++;
        }
        kill(0, SIGKILL); /* the whole group, this process too */
        return 1;
    }
    if (!strcmp(c, "leave")) {
        /* The first process exits while children still run: they are killed. */
        for (int i = 0; i < 3; i++)
            if (fork() == 0)
                for (;;) {
                }
        return 7;
    }
    if (!strcmp(c, "deadlock")) {
        if (fork() == 0) {
            siginfo_t si;
            waitid(P_ALL, 0, &si, WSTOPPED); /* no child: ECHILD */
            printf("child: %s\n", strerror(errno));
            for (;;) pause();
        }
        siginfo_t si;
        waitid(P_ALL, 0, &si, WSTOPPED); /* the child never stops */
        return 0;
    }
    if (!strcmp(c, "many")) {
        /* n children one after the other, each touching memory: nothing may leak. */
        int n = argc > 2 ? atoi(argv[2]) : 1;
        static char buf[1 << 20];
        for (int i = 0; i < n; i++) {
            pid_t p = fork();
            if (p == 0) {
                memset(buf, i, sizeof buf);
                char *m = malloc(300000);
                memset(m, 1, 300000);
                _exit(buf[4096] + m[0]);
            }
            waitpid(p, &st, 0);
        }
        printf("last status %d\n", WEXITSTATUS(st));
        return 0;
    }
    return 2;
}
