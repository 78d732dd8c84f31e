/* Real-time signals are queued: several instances of one sent while it is blocked are each
 * delivered, in the order sent, with their own si_value (sigqueue) or si_code (kill);
 * a standard signal sent twice is delivered once; lower numbers first; sigqueue from a
 * fork child reaches the parent; rt_sigqueueinfo with a kernel si_code to another process
 * is EPERM. Signal numbers are printed relative to SIGRTMIN (C libraries differ on it). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int got;

static void on_sig(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got++;
    char name[16];
    if (sig >= SIGRTMIN) snprintf(name, sizeof name, "RTMIN+%d", sig - SIGRTMIN);
    else snprintf(name, sizeof name, "%d", sig);
    const char *code = si->si_code == SI_QUEUE ? "SI_QUEUE" : si->si_code == SI_USER ? "SI_USER" : "other";
    printf("  %s code %s value %d from self %d\n", name, code,
           si->si_code == SI_QUEUE ? si->si_value.sival_int : -1, si->si_pid == getpid());
}

static void block(int how, int a, int b, int c) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, a);
    sigaddset(&s, b);
    if (c) sigaddset(&s, c);
    sigprocmask(how, &s, NULL);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask); /* one handler at a time, in delivery order */
    for (int k = 1; k <= 5; k++) sigaction(SIGRTMIN + k, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);

    block(SIG_BLOCK, SIGRTMIN + 1, SIGRTMIN + 2, SIGUSR1);
    for (int v = 1; v <= 3; v++) {
        union sigval val = {.sival_int = v};
        sigqueue(getpid(), SIGRTMIN + 2, val);
    }
    union sigval ten = {.sival_int = 10}, twenty = {.sival_int = 20};
    sigqueue(getpid(), SIGRTMIN + 1, ten);
    sigqueue(getpid(), SIGRTMIN + 1, twenty);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    sigset_t p;
    sigpending(&p);
    printf("pending: USR1 %d RTMIN+1 %d RTMIN+2 %d\n", sigismember(&p, SIGUSR1),
           sigismember(&p, SIGRTMIN + 1), sigismember(&p, SIGRTMIN + 2));
    printf("unblocking:\n");
    block(SIG_UNBLOCK, SIGRTMIN + 1, SIGRTMIN + 2, SIGUSR1);
    printf("handled %d\n", got);

    got = 0;
    block(SIG_BLOCK, SIGRTMIN + 4, SIGRTMIN + 4, 0);
    for (int i = 0; i < 3; i++) kill(getpid(), SIGRTMIN + 4);
    printf("kill three times, unblocking:\n");
    block(SIG_UNBLOCK, SIGRTMIN + 4, SIGRTMIN + 4, 0);
    printf("handled %d\n", got);

    got = 0;
    block(SIG_BLOCK, SIGRTMIN + 3, SIGRTMIN + 5, 0);
    pid_t c = fork();
    if (c == 0) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        si.si_signo = SIGRTMIN + 3;
        si.si_code = SI_USER;
        long r = syscall(SYS_rt_sigqueueinfo, getppid(), SIGRTMIN + 3, &si);
        printf("child: kernel code to the parent: %s\n", r ? strerror(errno) : "ok");
        si.si_code = SI_QUEUE;
        si.si_value.sival_int = 99;
        si.si_pid = getpid();
        r = syscall(SYS_rt_sigqueueinfo, getppid(), SIGRTMIN + 3, &si);
        printf("child: SI_QUEUE to the parent: %s\n", r ? strerror(errno) : "ok");
        union sigval v = {.sival_int = 77};
        sigqueue(getppid(), SIGRTMIN + 5, v);
        sigqueue(getppid(), SIGRTMIN + 5, v);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    printf("parent unblocking:\n");
    block(SIG_UNBLOCK, SIGRTMIN + 3, SIGRTMIN + 5, 0);
    printf("handled %d\n", got);
    int r = sigqueue(getpid(), 65, ten);
    printf("bad signal: %d %s\n", r, strerror(errno));
    return 0;
}
