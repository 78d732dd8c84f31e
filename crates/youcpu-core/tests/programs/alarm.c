/* alarm: SIGALRM ends a process that waits; ignored, it does nothing; alarms are
 * not inherited by fork; alarm returns the seconds left; the first process ends by its own
 * alarm (status 142). */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    alarm(5);
    printf("previous alarm: %u\n", alarm(0));
    pid_t a = fork();
    if (a == 0) {
        alarm(1);
        pause();
        _exit(1);
    }
    /* (No busy child: the simulated clock advances 1 ns per instruction, so a busy second
     * is 10^9 instructions.) */
    pid_t c = fork();
    if (c == 0) {
        signal(SIGALRM, SIG_IGN);
        alarm(1);
        usleep(1500000);
        _exit(7);
    }
    alarm(30);
    pid_t d = fork();
    if (d == 0) _exit(alarm(0));
    alarm(0);
    int st;
    waitpid(a, &st, 0);
    printf("pausing child: signal %d\n", WTERMSIG(st));
    waitpid(c, &st, 0);
    printf("ignoring child: exited %d\n", WEXITSTATUS(st));
    waitpid(d, &st, 0);
    printf("forked child's alarm: %d\n", WEXITSTATUS(st));
    alarm(1);
    pause();
    return 0;
}
