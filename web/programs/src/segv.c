/* A SIGSEGV handler: the kernel builds a signal frame on the stack, runs the handler, and the
 * handler jumps out of the fault with siglongjmp. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf back;
static void *fault_address;

static void on_segv(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)context;
    fault_address = info->si_addr;
    siglongjmp(back, 1);
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);

    volatile int *nowhere = (int *)0x10;
    if (sigsetjmp(back, 1) == 0) {
        printf("reading address %p\n", (void *)nowhere);
        fflush(stdout);
        printf("read %d\n", *nowhere);
    } else {
        printf("caught SIGSEGV at address %p, and carried on\n", fault_address);
    }
    return 0;
}
