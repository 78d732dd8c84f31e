/* Stack overflow recovered on an alternate signal stack: unbounded recursion runs into the
 * 8 MiB stack limit, the SIGSEGV handler runs on the sigaltstack (its locals are inside it,
 * sigaltstack reports SS_ONSTACK, uc_stack names the stack), then siglongjmps out; setting a
 * new stack while on it fails with EPERM; bad sizes and modes fail with ENOMEM and EINVAL.
 * Without SA_ONSTACK the handler's frame has nowhere to go and the child dies of SIGSEGV. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define ALT_SIZE (64 * 1024)
static char *alt;
static sigjmp_buf env;

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    char local;
    stack_t now, other = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0};
    sigaltstack(NULL, &now);
    int r = sigaltstack(&other, NULL);
    int e = errno;
    printf("  signal %d code %d, local on the alternate stack %d, ss_flags %d\n", sig,
           si->si_code, &local > alt && &local < alt + ALT_SIZE, now.ss_flags);
    printf("  uc_stack: sp==alt %d size %zu flags %d; sigaltstack from on it: %d %s\n",
           uc->uc_stack.ss_sp == alt, uc->uc_stack.ss_size, uc->uc_stack.ss_flags, r,
           strerror(e));
    siglongjmp(env, 1);
}

static int recurse(int n) {
    volatile char pad[1024];
    pad[0] = (char)n;
    return recurse(n + 1) + pad[0];
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    alt = malloc(ALT_SIZE);
    stack_t ss = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0}, old;
    errno = 0;
    stack_t small = {.ss_sp = alt, .ss_size = 1024, .ss_flags = 0};
    int r = sigaltstack(&small, NULL);
    printf("1 KiB stack: %d %s\n", r, strerror(errno));
    stack_t badmode = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 5};
    r = sigaltstack(&badmode, NULL);
    printf("mode 5: %d %s\n", r, strerror(errno));
    sigaltstack(NULL, &old);
    printf("before: flags %d size %zu\n", old.ss_flags, old.ss_size);
    r = sigaltstack(&ss, &old);
    printf("set: %d, old flags %d\n", r, old.ss_flags);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    for (int i = 0; i < 2; i++) {
        printf("overflow %d:\n", i + 1);
        if (!sigsetjmp(env, 1)) recurse(0);
    }
    sigaltstack(NULL, &old);
    printf("after: flags %d size %zu\n", old.ss_flags, old.ss_size);

    pid_t c = fork();
    if (c == 0) {
        sa.sa_flags = SA_SIGINFO; /* no SA_ONSTACK: the frame would go on the full stack */
        sigaction(SIGSEGV, &sa, NULL);
        recurse(0);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("overflow without SA_ONSTACK: signaled %d signal %d\n", WIFSIGNALED(st),
           WTERMSIG(st));
    stack_t off = {.ss_flags = SS_DISABLE};
    r = sigaltstack(&off, &old);
    sigaltstack(NULL, &old);
    printf("disabled: %d flags %d size %zu\n", r, old.ss_flags, old.ss_size);
    return 0;
}
