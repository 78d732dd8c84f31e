/* SIGSEGV caught with SA_SIGINFO: si_code (SEGV_MAPERR for no mapping, SEGV_ACCERR for a
 * mapping that forbids the access), si_addr, and the sigcontext's trap number, error code
 * and CR2; the handler siglongjmps back each time. Then a fault inside the handler while
 * SIGSEGV is blocked kills the child that tries it, and a fault with no handler too. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile int faults;

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    faults++;
    printf("  signal %d code %d errno %d trapno %lld err %#llx cr2==addr %d\n", sig,
           si->si_code, si->si_errno, (long long)uc->uc_mcontext.gregs[REG_TRAPNO],
           (long long)uc->uc_mcontext.gregs[REG_ERR],
           (uintptr_t)uc->uc_mcontext.gregs[REG_CR2] == (uintptr_t)si->si_addr);
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("  SIGSEGV blocked in the handler: %d\n", sigismember(&cur, SIGSEGV));
    siglongjmp(env, 1);
}

static void refault(int sig) {
    (void)sig;
    *(volatile int *)8 = 1; /* SIGSEGV is blocked here: the process dies */
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    printf("write to address 0x10:\n");
    if (!sigsetjmp(env, 1)) *(volatile int *)0x10 = 1;
    printf("read from address 0x20:\n");
    volatile int x = 0;
    if (!sigsetjmp(env, 1)) x = *(volatile int *)0x20;

    char *p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("write to a read-only page:\n");
    if (!sigsetjmp(env, 1)) p[100] = 1;
    mprotect(p, 8192, PROT_NONE);
    printf("read from a PROT_NONE page:\n");
    if (!sigsetjmp(env, 1)) x = p[4097];
    munmap(p, 8192);
    printf("read from an unmapped page:\n");
    if (!sigsetjmp(env, 1)) x = p[3];
    printf("read from a kernel address:\n");
    if (!sigsetjmp(env, 1)) x = *(volatile int *)0xffffffff81000000ull;
    printf("mask after siglongjmp: ");
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("%d\n", sigismember(&cur, SIGSEGV));
    printf("faults caught: %d\n", faults);

    pid_t c = fork();
    if (c == 0) {
        signal(SIGSEGV, refault);
        *(volatile int *)0 = 1;
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("fault in a handler with SIGSEGV blocked: signaled %d signal %d\n",
           WIFSIGNALED(st), WTERMSIG(st));
    c = fork();
    if (c == 0) {
        signal(SIGSEGV, SIG_IGN); /* a fault is not ignored: the default action runs */
        *(volatile int *)0 = 1;
        _exit(0);
    }
    waitpid(c, &st, 0);
    printf("fault with SIGSEGV ignored: signaled %d signal %d\n", WIFSIGNALED(st), WTERMSIG(st));
    return x;
}
