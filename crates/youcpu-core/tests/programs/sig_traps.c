/* CPU exceptions other than page faults as signals: SIGFPE from an integer divide by zero
 * and from INT_MIN / -1 (both FPE_INTDIV), SIGFPE from an unmasked SSE divide by zero
 * (FPE_FLTDIV), SIGILL from ud2 (ILL_ILLOPN), SIGTRAP from int3 (SI_KERNEL), SIGSEGV from a
 * privileged instruction (#GP, SI_KERNEL). si_addr is the faulting instruction where Linux
 * reports one; the handler reads RIP from uc_mcontext, checks the frame's alignment, and
 * either siglongjmps or edits the saved RIP and RAX and returns through rt_sigreturn. */
#define _GNU_SOURCE
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <xmmintrin.h>

static sigjmp_buf env;
extern char ud2_here[], int3_after[], hlt_here[];

static void show(int sig, siginfo_t *si, ucontext_t *uc) {
    greg_t rip = uc->uc_mcontext.gregs[REG_RIP];
    printf("  %s code %d addr==rip %d trapno %lld err %#llx\n", sig == SIGFPE ? "SIGFPE"
           : sig == SIGILL ? "SIGILL" : sig == SIGTRAP ? "SIGTRAP" : "SIGSEGV",
           si->si_code, (uintptr_t)si->si_addr == (uintptr_t)rip,
           (long long)uc->uc_mcontext.gregs[REG_TRAPNO],
           (long long)uc->uc_mcontext.gregs[REG_ERR]);
    printf("  frame: uc%%16 %d info%%16 %d fpregs%%64 %d cwd %#x uc_flags&6 %ld\n",
           (int)((uintptr_t)uc & 15), (int)((uintptr_t)si & 15),
           (int)((uintptr_t)uc->uc_mcontext.fpregs & 63), uc->uc_mcontext.fpregs->cwd,
           (long)(uc->uc_flags & 6));
}

static void jump_back(int sig, siginfo_t *si, void *ctx) {
    show(sig, si, ctx);
    siglongjmp(env, 1);
}

static void skip_ud2(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    show(sig, si, uc);
    printf("  rip is ud2_here: %d\n", uc->uc_mcontext.gregs[REG_RIP] == (greg_t)ud2_here);
    uc->uc_mcontext.gregs[REG_RIP] += 2;
    uc->uc_mcontext.gregs[REG_RAX] = 42;
}

static void after_int3(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    show(sig, si, uc);
    printf("  rip is after int3: %d\n", uc->uc_mcontext.gregs[REG_RIP] == (greg_t)int3_after);
}

static void on(int sig, void (*h)(int, siginfo_t *, void *)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

__attribute__((noinline)) static long run_ud2(void) {
    long r;
    __asm__ volatile(".globl ud2_here\nud2_here: ud2" : "=a"(r) : "a"(7L));
    return r;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    on(SIGFPE, jump_back);
    volatile int zero = 0, m1 = -1, big = INT_MIN, r = 0;
    printf("7 / 0:\n");
    if (!sigsetjmp(env, 1)) r = 7 / zero;
    printf("INT_MIN / -1:\n");
    if (!sigsetjmp(env, 1)) r = big / m1;
    printf("SSE 1.0 / 0.0 with ZE unmasked:\n");
    if (!sigsetjmp(env, 1)) {
        _mm_setcsr(_mm_getcsr() & ~_MM_MASK_DIV_ZERO);
        volatile double a = 1.0, b = 0.0;
        a = a / b;
    }
    printf("  MXCSR masks after siglongjmp (the handler's initial state): %#x\n", _mm_getcsr() & 0x1f80);
    _mm_setcsr(0x1f80);

    on(SIGILL, skip_ud2);
    printf("ud2, handler skips it and sets rax:\n");
    long v = run_ud2();
    printf("  returned %ld\n", v);

    on(SIGTRAP, after_int3);
    printf("int3:\n");
    __asm__ volatile("int3\n.globl int3_after\nint3_after: nop");
    printf("  continued\n");

    on(SIGSEGV, jump_back);
    printf("hlt in ring 3:\n");
    if (!sigsetjmp(env, 1)) __asm__ volatile("hlt");
    printf("int $0x40:\n");
    if (!sigsetjmp(env, 1)) __asm__ volatile("int $0x40");
    return r;
}
