/* Each process keeps its own x87 and SSE state across context switches. Parent and child
 * hold a value on the x87 stack and another in XMM7, set different x87 precision and rounding
 * and a different MXCSR rounding mode, and give the CPU away (sched_yield, called straight from
 * the inline assembly so the values stay in the registers) between steps. Each prints what it
 * computed and the control words it ends with; the child first, then the parent. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static const double three = 3.0, seven = 7.0, one = 1.0;

static void work(char *out, size_t n, const char *who, unsigned short fcw, unsigned mxcsr,
                 long double x, double y) {
    long double rx;
    double ry;
    unsigned short fcw_after;
    unsigned mxcsr_after;
    __asm__ volatile(
        "fldcw %[fcw]\n\t"
        "ldmxcsr %[mx]\n\t"
        "fldt %[x]\n\t"
        "movsd %[y], %%xmm7\n\t"
        "mov $40, %%r12d\n"
        "1:\n\t"
        "mov $24, %%eax\n\t" /* sched_yield */
        "syscall\n\t"
        "fmull %[three]\n\t"
        "fdivl %[seven]\n\t"
        "divsd %[three], %%xmm7\n\t"
        "addsd %[one], %%xmm7\n\t"
        "dec %%r12d\n\t"
        "jnz 1b\n\t"
        "fnstcw %[fcw_after]\n\t"
        "stmxcsr %[mx_after]\n\t"
        "fstpt %[rx]\n\t"
        "movsd %%xmm7, %[ry]\n\t"
        : [rx] "=m"(rx), [ry] "=m"(ry), [fcw_after] "=m"(fcw_after), [mx_after] "=m"(mxcsr_after)
        : [fcw] "m"(fcw), [mx] "m"(mxcsr), [x] "m"(x), [y] "m"(y), [three] "m"(three),
          [seven] "m"(seven), [one] "m"(one)
        : "rax", "rcx", "r11", "r12", "xmm7", "memory", "cc");
    snprintf(out, n, "%s: x87 %La, sse %a, fcw %#x, mxcsr %#x\n", who, rx, ry, fcw_after,
             mxcsr_after);
}

int main(void) {
    char line[200];
    pid_t p = fork();
    if (p < 0) {
        perror("fork");
        return 1;
    }
    if (p == 0) {
        /* 24-bit precision rounding down; SSE rounding up (flags sticky in MXCSR). */
        work(line, sizeof line, "child", 0x047f, 0x5f80, 1.0L / 3, 0.1);
        fputs(line, stdout);
        return 0;
    }
    /* 64-bit precision to nearest; SSE rounding down. */
    work(line, sizeof line, "parent", 0x037f, 0x3f80, 2.0L / 3, 0.7);
    int st = 0;
    waitpid(p, &st, 0);
    fputs(line, stdout);
    printf("child status %d\n", WEXITSTATUS(st));
    return 0;
}
