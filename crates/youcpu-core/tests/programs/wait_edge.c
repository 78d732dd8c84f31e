/* wait4/waitid edge cases: no children, WNOHANG, bad options, signals' statuses, waitid's
 * siginfo and WNOWAIT, kill's errors, SIG_IGN inherited across fork. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, long r) {
    printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static void spin(void) {
    for (volatile long i = 0;; i++) {
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int st = 0;
    errno = 0;
    show("wait with no children", wait(&st));
    show("waitpid(-1, WNOHANG) with no children", waitpid(-1, &st, WNOHANG));
    show("waitpid(self)", waitpid(getpid(), &st, 0));
    show("waitpid bad options", waitpid(-1, &st, 0x100));
    siginfo_t si;
    show("waitid without WEXITED", waitid(P_ALL, 0, &si, 0));
    show("waitid P_PID 0", waitid(P_PID, 0, &si, WEXITED));

    pid_t p = fork();
    if (p == 0) spin();
    show("WNOHANG on a running child", waitpid(p, &st, WNOHANG));
    show("kill SIGKILL", kill(p, SIGKILL));
    pid_t w = waitpid(p, &st, 0);
    printf("killed child: same pid %d, exited %d, signaled %d, signal %d\n", w == p,
           WIFEXITED(st), WIFSIGNALED(st), WTERMSIG(st));
    show("kill reaped child", kill(p, 0));
    show("kill bad signal", kill(getpid(), 65));

    p = fork();
    if (p == 0) spin();
    kill(p, SIGTERM);
    waitpid(p, &st, 0);
    printf("SIGTERM: signal %d\n", WTERMSIG(st));

    p = fork();
    if (p == 0) {
        volatile int *null = 0;
        *null = 1;
        _exit(0);
    }
    waitpid(p, &st, 0);
    printf("null write: signaled %d signal %d\n", WIFSIGNALED(st), WTERMSIG(st));

    p = fork();
    if (p == 0) abort();
    waitpid(p, &st, 0);
    printf("abort: signal %d\n", WTERMSIG(st));

    p = fork();
    if (p == 0) raise(SIGUSR1);
    waitpid(p, &st, 0);
    printf("raise SIGUSR1: signal %d\n", WTERMSIG(st));

    /* SIG_IGN survives fork: SIGTERM does nothing to this child. */
    signal(SIGTERM, SIG_IGN);
    p = fork();
    if (p == 0) {
        for (volatile long i = 0; i < 200000; i++) {
        }
        _exit(33);
    }
    show("kill ignored SIGTERM", kill(p, SIGTERM));
    waitpid(p, &st, 0);
    printf("ignored SIGTERM: exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));
    signal(SIGTERM, SIG_DFL);

    /* waitid: CLD_EXITED with the full status, WNOWAIT leaves the zombie for waitpid. */
    p = fork();
    if (p == 0) _exit(77);
    memset(&si, 0x55, sizeof si);
    show("waitid WNOWAIT", waitid(P_PID, p, &si, WEXITED | WNOWAIT));
    printf("siginfo: signo %d code %d pid ok %d status %d\n", si.si_signo, si.si_code,
           si.si_pid == p, si.si_status);
    memset(&si, 0, sizeof si);
    show("waitid again", waitid(P_ALL, 0, &si, WEXITED));
    printf("siginfo: code %d status %d\n", si.si_code, si.si_status);
    show("waitpid after waitid reaped it", waitpid(p, &st, WNOHANG));

    p = fork();
    if (p == 0) spin();
    memset(&si, 0x55, sizeof si);
    show("waitid WNOHANG running", waitid(P_ALL, 0, &si, WEXITED | WNOHANG));
    printf("siginfo zeroed: pid %d signo %d\n", si.si_pid, si.si_signo);
    kill(p, SIGKILL);
    memset(&si, 0, sizeof si);
    waitid(P_PID, p, &si, WEXITED);
    printf("waitid killed: code %d status %d\n", si.si_code, si.si_status);

    /* Process groups: a child in its own group, waited for by group. */
    p = fork();
    if (p == 0) {
        setpgid(0, 0);
        _exit(getpgid(0) == getpid() ? 5 : 6);
    }
    setpgid(p, p);
    w = waitpid(-p, &st, 0);
    printf("by group: same pid %d status %d\n", w == p, WEXITSTATUS(st));
    return 0;
}
