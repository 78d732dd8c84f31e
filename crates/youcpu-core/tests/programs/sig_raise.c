/* Signals sent by the program itself and by others: raise (SI_TKILL) and kill (SI_USER)
 * with the sender's pid; blocked signals pending until sigprocmask unblocks them; a handler's
 * sa_mask keeping a second signal pending until it returns (nested order); SA_NODEFER
 * letting a handler be re-entered; SA_RESETHAND (the second raise kills); pause and
 * sigsuspend ending with EINTR; a read on a pipe interrupted by a timer with and without
 * SA_RESTART; SIGCHLD's handler with CLD_EXITED; floating-point state kept across a handler
 * that computes too. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int depth, max_depth, calls, order[16], n_order;
static pid_t me;

static void record(int sig, siginfo_t *si, void *ctx) {
    (void)ctx;
    order[n_order++] = sig;
    printf("  handler %d code %d from me %d\n", sig, si->si_code, si->si_pid == me);
    if (sig == SIGUSR1 && n_order == 1) {
        raise(SIGUSR2); /* blocked by sa_mask: runs after this handler */
        printf("  SIGUSR2 raised inside the SIGUSR1 handler\n");
    }
}

static void reenter(int sig) {
    depth++;
    calls++;
    if (depth > max_depth) max_depth = depth;
    if (calls < 3) raise(sig); /* nested with SA_NODEFER, after this one returns without */
    depth--;
}

static volatile double fp_seen;
static void fp_handler(int sig) {
    volatile double x = sig;
    for (int i = 0; i < 10; i++) x = x * 1.5 + 0.25;
    fp_seen = x;
}

static void tick(int sig) { (void)sig; }

static void on_child(int sig, siginfo_t *si, void *ctx) {
    (void)ctx;
    printf("  SIGCHLD %d code %d status %d\n", sig, si->si_code, si->si_status);
}

static void set(int sig, void (*h)(int), int flags, int masked) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    if (masked) sigaddset(&sa.sa_mask, masked);
    sigaction(sig, &sa, NULL);
}

static void seti(int sig, void (*h)(int, siginfo_t *, void *), int masked) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (masked) sigaddset(&sa.sa_mask, masked);
    sigaction(sig, &sa, NULL);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    me = getpid();
    seti(SIGUSR1, record, SIGUSR2);
    seti(SIGUSR2, record, 0);
    printf("raise(SIGUSR1):\n");
    raise(SIGUSR1);
    printf("kill(getpid(), SIGUSR2):\n");
    kill(getpid(), SIGUSR2);
    printf("order:");
    for (int i = 0; i < n_order; i++) printf(" %d", order[i]);
    printf("\n");

    sigset_t s, old, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, &old);
    raise(SIGUSR2);
    sigpending(&pend);
    printf("blocked SIGUSR2 pending %d, handled %d\n", sigismember(&pend, SIGUSR2), n_order);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("after unblocking: handled %d\n", n_order);

    set(SIGUSR1, reenter, SA_NODEFER, 0);
    raise(SIGUSR1);
    printf("SA_NODEFER depth reached %d in %d calls\n", max_depth, calls);
    depth = max_depth = calls = 0;
    set(SIGUSR1, reenter, 0, 0);
    raise(SIGUSR1);
    printf("without SA_NODEFER depth reached %d in %d calls\n", max_depth, calls);

    volatile double acc = 1.0;
    set(SIGUSR2, fp_handler, 0, 0);
    for (int i = 0; i < 5; i++) {
        acc = acc * 3.0 + 0.5;
        raise(SIGUSR2);
    }
    printf("floating point across handlers: %.3f, handler computed %.5f\n", acc, fp_seen);

    pid_t c = fork();
    if (c == 0) {
        set(SIGUSR1, tick, SA_RESETHAND, 0);
        raise(SIGUSR1);
        write(1, "  child: first raise handled\n", 29);
        raise(SIGUSR1);
        write(1, "  child: not reached\n", 21);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("SA_RESETHAND: second raise killed the child: %d (signal %d)\n", WIFSIGNALED(st),
           WTERMSIG(st));

    struct itimerval it = {{0, 0}, {0, 20000}};
    set(SIGALRM, tick, 0, 0);
    setitimer(ITIMER_REAL, &it, NULL);
    errno = 0;
    int r = pause();
    printf("pause: %d %s\n", r, strerror(errno));

    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    sigprocmask(SIG_BLOCK, &s, &old);
    setitimer(ITIMER_REAL, &it, NULL);
    sigset_t wait_mask = old;
    sigdelset(&wait_mask, SIGALRM);
    errno = 0;
    r = sigsuspend(&wait_mask);
    sigprocmask(SIG_BLOCK, NULL, &pend);
    printf("sigsuspend: %d %s, SIGALRM blocked again %d\n", r, strerror(errno),
           sigismember(&pend, SIGALRM));
    sigprocmask(SIG_SETMASK, &old, NULL);

    int p[2];
    pipe(p);
    char buf[8];
    setitimer(ITIMER_REAL, &it, NULL);
    errno = 0;
    r = read(p[0], buf, sizeof buf);
    printf("read without SA_RESTART: %d %s\n", r, strerror(errno));
    set(SIGALRM, tick, SA_RESTART, 0);
    c = fork();
    if (c == 0) {
        struct timespec ts = {0, 80000000};
        nanosleep(&ts, NULL);
        write(p[1], "late", 4);
        _exit(0);
    }
    setitimer(ITIMER_REAL, &it, NULL);
    r = read(p[0], buf, sizeof buf);
    printf("read with SA_RESTART: %d %.4s\n", r, buf);
    waitpid(c, &st, 0);

    seti(SIGCHLD, on_child, 0);
    c = fork();
    if (c == 0) _exit(7);
    waitpid(c, &st, 0);
    printf("child reaped: %d\n", WEXITSTATUS(st));
    return 0;
}
