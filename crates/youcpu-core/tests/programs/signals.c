/* Signals between processes: SIGCHLD ignored (children reaped at once, wait ends with
 * ECHILD), a blocked signal stays pending in a child until unblocked, kill to a process
 * group, and a child that kills its parent (the parent's status is the shell's 143). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int st;
    signal(SIGCHLD, SIG_IGN);
    for (int i = 0; i < 3; i++)
        if (fork() == 0) _exit(i);
    errno = 0;
    int r = wait(&st);
    printf("wait with SIGCHLD ignored: %d %s\n", r, strerror(errno));
    signal(SIGCHLD, SIG_DFL);

    /* Blocked in the child: pending until the child unblocks it. */
    int p[2], q[2]; /* child to parent, parent to child */
    pipe(p);
    pipe(q);
    pid_t c = fork();
    if (c == 0) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR2);
        sigprocmask(SIG_BLOCK, &s, NULL);
        write(p[1], "b", 1); /* blocked now */
        char x;
        read(q[0], &x, 1); /* wait for the signal to be sent */
        sigset_t pend;
        sigpending(&pend);
        printf("child: pending %d\n", sigismember(&pend, SIGUSR2));
        sigprocmask(SIG_UNBLOCK, &s, NULL);
        printf("child: not reached\n");
        _exit(0);
    }
    char x;
    read(p[0], &x, 1);
    kill(c, SIGUSR2);
    write(q[1], "s", 1);
    waitpid(c, &st, 0);
    printf("unblocked: signal %d\n", WTERMSIG(st));

    /* A group of two children killed together. */
    pid_t g = fork();
    if (g == 0) {
        setpgid(0, 0);
        if (fork() == 0)
            for (;;) pause();
        for (;;) pause();
    }
    setpgid(g, g);
    /* Wait until the grandchild is in the group too: it inherits the group at fork, so the
     * child's group is enough once setpgid is done by both. */
    r = kill(-g, SIGTERM);
    waitpid(g, &st, 0);
    printf("group kill: %d, child signal %d\n", r, WTERMSIG(st));

    c = fork();
    if (c == 0) {
        read(q[0], &x, 1);
        kill(getppid(), SIGTERM);
        _exit(0);
    }
    printf("parent waits to be killed\n");
    write(q[1], "k", 1);
    waitpid(c, &st, 0);
    printf("not reached\n");
    return 0;
}
