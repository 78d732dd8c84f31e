/* Job control signals: a child stops itself and is continued; waits with WUNTRACED and
 * WCONTINUED see each change; waitid reports CLD_STOPPED and CLD_CONTINUED; a stopped child
 * is killed; SIGTSTP ignored does nothing. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void spin(void) {
    for (volatile long i = 0;; i++) {
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int st;
    /* The continued child waits on this pipe before it prints, so its line comes after the
     * parent's "continued" line in every run (otherwise the two race). */
    int order[2];
    if (pipe(order) != 0)
        return 1;
    pid_t p = fork();
    if (p == 0) {
        raise(SIGSTOP);
        char c;
        if (read(order[0], &c, 1) != 1)
            _exit(5);
        printf("child continued\n");
        _exit(4);
    }
    pid_t w = waitpid(p, &st, WUNTRACED);
    printf("stopped: same %d exited %d signaled %d stopped %d sig %d\n", w == p, WIFEXITED(st),
           WIFSIGNALED(st), WIFSTOPPED(st), WSTOPSIG(st));
    printf("nothing more to report: %d\n", waitpid(p, &st, WUNTRACED | WNOHANG));
    kill(p, SIGCONT);
    w = waitpid(p, &st, WCONTINUED);
    printf("continued: same %d continued %d\n", w == p, WIFCONTINUED(st));
    if (write(order[1], "", 1) != 1)
        return 1;
    waitpid(p, &st, 0);
    printf("then exited %d\n", WEXITSTATUS(st));

    /* The spinning child gets a process group of its own, as a shell gives a job: Linux
     * discards SIGTSTP sent to an orphaned process group (kernel/signal.c, get_signal), and
     * the group these tests run in may be one (no terminal, a parent that went away). */
    p = fork();
    if (p == 0) {
        setpgid(0, 0);
        spin();
    }
    setpgid(p, p);
    kill(p, SIGTSTP);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    waitid(P_PID, p, &si, WSTOPPED);
    printf("waitid stopped: code %d status %d\n", si.si_code, si.si_status);
    kill(p, SIGCONT);
    memset(&si, 0, sizeof si);
    waitid(P_PID, p, &si, WCONTINUED);
    printf("waitid continued: code %d status %d\n", si.si_code, si.si_status);
    kill(p, SIGSTOP);
    waitpid(p, &st, WUNTRACED);
    kill(p, SIGKILL);
    waitpid(p, &st, 0);
    printf("stopped then killed: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));

    signal(SIGTSTP, SIG_IGN);
    p = fork();
    if (p == 0) {
        raise(SIGTSTP);
        _exit(6);
    }
    waitpid(p, &st, WUNTRACED);
    printf("ignored SIGTSTP: exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));
    return 0;
}
