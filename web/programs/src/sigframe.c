/* The signals widget's program: a fault becomes a signal, the kernel builds a frame on the
 * stack and runs a SA_SIGINFO handler, which leaves by siglongjmp (the default, like segv.c) or
 * by returning through rt_sigreturn after moving the saved RIP past the faulting instruction.
 * Arguments pick the variant: segv (read address 0x10), fpe (divide by zero) or ill (ud2);
 * then any of onstack (SA_ONSTACK with an alternate stack), nodefer (SA_NODEFER) and return. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf back;
static void *fault_address;
static int leave_by_return;
static char altstack[16384] __attribute__((aligned(16)));
extern char segv_at[], segv_end[], fpe_at[], fpe_end[], ill_at[], ill_end[];
static char *resume_at;

static void handler(int sig, siginfo_t *info, void *context) {
    ucontext_t *uc = context;
    fault_address = info->si_addr;
    if (leave_by_return) {
        uc->uc_mcontext.gregs[REG_RIP] = (greg_t)resume_at;
        return;
    }
    siglongjmp(back, sig);
}

__attribute__((noinline)) static int fault(const char *kind) {
    int r = 0;
    if (!strcmp(kind, "fpe")) {
        resume_at = fpe_end;
        __asm__ volatile("xor %%edx, %%edx\n\tmov $7, %%eax\n\txor %%ecx, %%ecx\n"
                         ".globl fpe_at\nfpe_at: div %%ecx\n.globl fpe_end\nfpe_end:"
                         : "=a"(r) : : "rcx", "rdx");
    } else if (!strcmp(kind, "ill")) {
        resume_at = ill_end;
        __asm__ volatile(".globl ill_at\nill_at: ud2\n.globl ill_end\nill_end:" : : : "memory");
    } else {
        resume_at = segv_end;
        __asm__ volatile(".globl segv_at\nsegv_at: mov 0x10, %%eax\n.globl segv_end\nsegv_end:"
                         : "=a"(r));
    }
    return r;
}

int main(int argc, char **argv) {
    const char *kind = argc > 1 ? argv[1] : "segv";
    int sig = !strcmp(kind, "fpe") ? SIGFPE : !strcmp(kind, "ill") ? SIGILL : SIGSEGV;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "onstack")) {
            stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
            sigaltstack(&ss, NULL);
            sa.sa_flags |= SA_ONSTACK;
        } else if (!strcmp(argv[i], "nodefer")) {
            sa.sa_flags |= SA_NODEFER;
        } else if (!strcmp(argv[i], "return")) {
            leave_by_return = 1;
        }
    }
    sigaction(sig, &sa, NULL);
    if (sigsetjmp(back, 1) == 0) {
        printf("%s: faulting now\n", kind);
        fflush(stdout);
        fault(kind);
        printf("the handler returned; went on after the faulting instruction\n");
    } else {
        printf("siglongjmp out of the handler\n");
    }
    printf("caught %s, si_addr %p\n", strsignal(sig), fault_address);
    return 0;
}
