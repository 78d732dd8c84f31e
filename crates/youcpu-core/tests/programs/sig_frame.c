/* The signal frame as a handler receives it, printed field by field so that the frame the
 * simulated kernel builds can be compared with the real kernel's: where &info and &uc are
 * from the handler's RSP on entry (recorded by an assembly entry stub before any C code
 * runs), the return address against the kernel's sa_restorer, uc_flags, uc_link, uc_stack,
 * every saved general register (loaded with known values just before the fault), RIP,
 * EFLAGS, the selectors, err, trapno, cr2, oldmask, uc_sigmask, siginfo, and where the FP
 * state lies. Absolute stack addresses differ between runs (ASLR), so only distances and
 * values the program chose are printed. Run with SA_ONSTACK and an alternate stack, with
 * SA_NODEFER and a sa_mask, and by sigreturn. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

uint64_t entry_rsp, entry_rax, fault_rsp;
extern char handler_entry[], fault_here[], fault_after[];
static sigjmp_buf env;
static int by_return;
static char alt[65536] __attribute__((aligned(64)));

/* The kernel's view of the disposition (struct k_sigaction on x86-64). */
struct ksa {
    uint64_t handler, flags, restorer, mask;
};

/* Loads known values into every general register but rsp, records rsp, then reads 0x10. */
__asm__(".text\n.globl fault_regs\nfault_regs:\n"
        "push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
        "mov %rsp, fault_rsp(%rip)\n"
        "mov $0x1111, %rbx\nmov $0x2222, %rbp\nmov $0x3333, %r12\nmov $0x4444, %r13\n"
        "mov $0x5555, %r14\nmov $0x6666, %r15\nmov $0x7777, %r8\nmov $0x8888, %r9\n"
        "mov $0x9999, %r10\nmov $0xaaaa, %r11\nmov $0xbbbb, %rcx\nmov $0xcccc, %rdx\n"
        "mov $0xdddd, %rsi\nmov $0xeeee, %rdi\nmov $0xffff, %rax\n"
        "xor %eax, %eax\nmov $0x1234, %eax\n"
        ".globl fault_here\nfault_here: mov 0x10, %eax\n.globl fault_after\nfault_after:\n"
        "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n");
void fault_regs(void);

void sig_handler(int sig, siginfo_t *si, void *ctx);
__asm__(".text\n.globl handler_entry\nhandler_entry:\n"
        "mov %rsp, entry_rsp(%rip)\nmov %rax, entry_rax(%rip)\njmp sig_handler\n");

void sig_handler(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    uint64_t rsp = entry_rsp;
    greg_t *g = uc->uc_mcontext.gregs;
    struct ksa k;
    syscall(SYS_rt_sigaction, sig, NULL, &k, 8);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("  sig %d rax %llu rsp%%16 %llu &uc-rsp %lld &info-rsp %lld\n", sig,
           (unsigned long long)entry_rax, (unsigned long long)(rsp % 16),
           (long long)((uintptr_t)uc - rsp), (long long)((uintptr_t)si - rsp));
    printf("  pretcode==sa_restorer %d uc_flags&6 %llu uc_link %ld\n",
           *(uint64_t *)rsp == k.restorer, (unsigned long long)(uc->uc_flags & 6), (long)(uintptr_t)uc->uc_link);
    printf("  uc_stack: sp==alt %d sp==0 %d flags %d size %zu\n", uc->uc_stack.ss_sp == alt,
           uc->uc_stack.ss_sp == NULL, uc->uc_stack.ss_flags, uc->uc_stack.ss_size);
    printf("  r8 %llx r9 %llx r10 %llx r11 %llx r12 %llx r13 %llx r14 %llx r15 %llx\n",
           g[REG_R8], g[REG_R9], g[REG_R10], g[REG_R11], g[REG_R12], g[REG_R13], g[REG_R14], g[REG_R15]);
    printf("  rdi %llx rsi %llx rbp %llx rbx %llx rdx %llx rax %llx rcx %llx\n", g[REG_RDI],
           g[REG_RSI], g[REG_RBP], g[REG_RBX], g[REG_RDX], g[REG_RAX], g[REG_RCX]);
    printf("  rsp==fault_rsp %d rip==fault_here %d eflags&0xcd5 %#llx\n",
           (uint64_t)g[REG_RSP] == fault_rsp, g[REG_RIP] == (greg_t)fault_here,
           (unsigned long long)(g[REG_EFL] & 0xcd5));
    uint16_t *sel = (uint16_t *)&g[REG_CSGSFS];
    printf("  cs %#x gs %#x fs %#x ss %#x err %lld trapno %lld cr2 %#llx oldmask %#llx\n", sel[0],
           sel[1], sel[2], sel[3], g[REG_ERR], g[REG_TRAPNO], (unsigned long long)g[REG_CR2],
           (unsigned long long)g[REG_OLDMASK]);
    printf("  uc_sigmask SIGUSR1 %d SIGSEGV %d; blocked in handler: SIGSEGV %d SIGUSR2 %d\n",
           sigismember(&uc->uc_sigmask, SIGUSR1), sigismember(&uc->uc_sigmask, SIGSEGV),
           sigismember(&now, SIGSEGV), sigismember(&now, SIGUSR2));
    printf("  si_signo %d si_errno %d si_code %d si_addr %p\n", si->si_signo, si->si_errno,
           si->si_code, si->si_addr);
    uintptr_t fp = (uintptr_t)uc->uc_mcontext.fpregs;
    printf("  fpstate%%64 %d fpstate-rsp %lld below red zone %d cwd %#x mxcsr %#x\n", (int)(fp % 64),
           (long long)(fp - rsp), fp + 512 <= (uint64_t)g[REG_RSP] - 128 || (fp >= (uintptr_t)alt && fp < (uintptr_t)alt + sizeof alt),
           uc->uc_mcontext.fpregs->cwd, uc->uc_mcontext.fpregs->mxcsr);
    printf("  on the alternate stack %d\n", rsp >= (uintptr_t)alt && rsp < (uintptr_t)alt + sizeof alt);
    if (by_return) {
        g[REG_RIP] = (greg_t)fault_after;
        return;
    }
    siglongjmp(env, 1);
}

static void run(const char *what, int flags, int use_alt, int ret) {
    printf("%s:\n", what);
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = use_alt ? 0 : SS_DISABLE};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = (void (*)(int, siginfo_t *, void *))handler_entry;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGSEGV, &sa, NULL);
    by_return = ret;
    if (!sigsetjmp(env, 1)) {
        fault_regs();
        printf("  returned past the fault\n");
    } else {
        printf("  siglongjmp\n");
    }
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("  after: SIGUSR1 blocked %d SIGSEGV blocked %d\n", sigismember(&now, SIGUSR1),
           sigismember(&now, SIGSEGV));
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_SETMASK, &m, NULL);
    run("plain", 0, 0, 0);
    run("SA_ONSTACK", SA_ONSTACK, 1, 0);
    run("SA_NODEFER, by sigreturn", SA_NODEFER, 0, 1);
    run("SA_ONSTACK, by sigreturn", SA_ONSTACK, 1, 1);
    return 0;
}
