/* Unmasked floating-point exceptions become SIGFPE (issue #21, item 2). For the SSE unit
 * (MXCSR masks, #XM) and the x87 unit (control-word masks, #MF at the next waiting x87
 * instruction, CR0.NE as Linux sets it), each exception in turn is unmasked alone and caused:
 * invalid, denormal operand, divide by zero, overflow, underflow, precision, the x87 stack
 * underflow, and overflow with every exception unmasked (the kernel reports the first in its
 * order: arch/x86/kernel/fpu/core.c fpu__exception_code). The handler prints si_code, whether
 * si_addr and the saved RIP are the instruction the SDM says (the faulting SSE instruction;
 * the x87 instruction after the faulting one), trapno and the error code, and the MXCSR or
 * the x87 control and status words saved in the frame; then it siglongjmps back. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf env;
static uintptr_t expect;
static volatile int signals, x87_case;

static void on_fpe(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    uintptr_t rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    signals++;
    printf("  signal %d code %d addr==rip %d rip is the %s trapno %lld err %lld\n", sig,
           si->si_code, (uintptr_t)si->si_addr == rip,
           rip == expect ? "expected instruction" : "WRONG instruction",
           (long long)uc->uc_mcontext.gregs[REG_TRAPNO], (long long)uc->uc_mcontext.gregs[REG_ERR]);
    printf("  saved mxcsr %#x cwd %#x swd %#x ftw %#x\n", uc->uc_mcontext.fpregs->mxcsr,
           uc->uc_mcontext.fpregs->cwd, uc->uc_mcontext.fpregs->swd, uc->uc_mcontext.fpregs->ftw);
    /* The destinations as the frame holds them: XMM0 (unchanged by a faulting SSE
     * instruction) and ST(0) (an x87 overflow or underflow leaves the bias-adjusted result). */
    const unsigned short *st = uc->uc_mcontext.fpregs->_st[0].significand;
    const unsigned *x = uc->uc_mcontext.fpregs->_xmm[0].element;
    if (x87_case)
        printf("  saved st0 %04x:%04x%04x%04x%04x\n", uc->uc_mcontext.fpregs->_st[0].exponent,
               st[3], st[2], st[1], st[0]);
    else
        printf("  saved xmm0 %08x%08x\n", x[1], x[0]);
    siglongjmp(env, 1);
}

static double one = 1.0, zero = 0.0, three = 3.0, big = 1e308, tiny = 1e-300;
static long double xone = 1, xzero = 0, xthree = 3, xden = 0x1p-16400L;
static double denormal = 4.9406564584124654e-324;
static long double xbig = 0x1p16000L, xtiny = 0x1p-16000L;

extern char sse_inv[], sse_den[], sse_div[], sse_ovf[], sse_und[], sse_pre[], sse_all[],
    sse_masked[];
extern char x87_inv[], x87_den[], x87_div[], x87_ovf[], x87_und[], x87_pre[], x87_stk[],
    x87_all[];

/* One SSE case: MXCSR = mx, then `a OP b` on xmm0 with the OP instruction at label L. */
#define SSE(title, mx, op, a, b, L)                                                           \
    do {                                                                                      \
        unsigned m = (mx);                                                                    \
        printf("SSE %s, mxcsr %#x:\n", title, m);                                             \
        expect = (uintptr_t)L;                                                                \
        if (!sigsetjmp(env, 1)) {                                                             \
            __asm__ volatile("ldmxcsr %0\n movsd %1, %%xmm0\n .globl " #L "\n" #L ": " op     \
                             " %2, %%xmm0\n stmxcsr %0"                                       \
                             : "+m"(m)                                                        \
                             : "m"(a), "m"(b)                                                 \
                             : "xmm0");                                                       \
            printf("  no signal, mxcsr %#x\n", m);                                            \
            __asm__ volatile("ldmxcsr %0" ::"m"((unsigned){0x1f80}));                         \
        }                                                                                     \
    } while (0)

/* Operands of the SSE cases below, 16-byte aligned: XMM0 = pa, XMM1 = pb before `code`. */
double pa[2] __attribute__((aligned(16))), pb[2] __attribute__((aligned(16)));

/* One SSE case of any instruction: MXCSR = mx, XMM0 = (a0, a1), XMM1 = (b0, b1), then `code`
 * whose first instruction is at label L. */
#define SSEX(title, mx, code, a0, a1, b0, b1, L)                                              \
    do {                                                                                      \
        unsigned m = (mx);                                                                    \
        pa[0] = (a0), pa[1] = (a1), pb[0] = (b0), pb[1] = (b1);                               \
        printf("SSE %s, mxcsr %#x:\n", title, m);                                             \
        expect = (uintptr_t)L;                                                                \
        if (!sigsetjmp(env, 1)) {                                                             \
            __asm__ volatile("ldmxcsr %0\n movapd pa(%%rip), %%xmm0\n movapd pb(%%rip), %%xmm1\n" \
                             " .globl " #L "\n" #L ": " code "\n stmxcsr %0"                     \
                             : "+m"(m)                                                        \
                             :                                                                \
                             : "xmm0", "xmm1", "rax", "cc");                                  \
            printf("  no signal, mxcsr %#x\n", m);                                            \
            __asm__ volatile("ldmxcsr %0" ::"m"((unsigned){0x1f80}));                         \
        }                                                                                     \
    } while (0)

extern char sse_p1[], sse_p2[], sse_p3[], sse_p4[], sse_p5[], sse_p6[], sse_p7[], sse_p8[];

/* One x87 case: control word cw, load b then a (ST0 = a, ST1 = b), the body, then FWAIT at
 * label L: the body's unmasked exception is delivered there. */
#define X87(title, cw, body, a, b, L)                                                         \
    do {                                                                                      \
        unsigned short c = (cw), sw = 0;                                                      \
        printf("x87 %s, cw %#x:\n", title, c);                                                \
        x87_case = 1;                                                                         \
        expect = (uintptr_t)L;                                                                \
        if (!sigsetjmp(env, 1)) {                                                             \
            __asm__ volatile("fninit\n fldcw %1\n fldt %3\n fldt %2\n " body "\n .globl " #L  \
                             "\n" #L ": fwait\n fnstsw %0\n fninit"                            \
                             : "=m"(sw)                                                       \
                             : "m"(c), "m"(a), "m"(b));                                       \
            printf("  no signal, status %#x\n", sw);                                          \
        }                                                                                     \
    } while (0)

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, NULL);

    SSE("0/0 invalid", 0x1f80 & ~0x80, "divsd", zero, zero, sse_inv);
    SSE("denormal operand", 0x1f80 & ~0x100, "addsd", one, denormal, sse_den);
    SSE("1/0 divide by zero", 0x1f80 & ~0x200, "divsd", one, zero, sse_div);
    SSE("1e308*1e308 overflow", 0x1f80 & ~0x400, "mulsd", big, big, sse_ovf);
    SSE("1e-300*1e-300 underflow", 0x1f80 & ~0x800, "mulsd", tiny, tiny, sse_und);
    SSE("1/3 precision", 0x1f80 & ~0x1000, "divsd", one, three, sse_pre);
    SSE("overflow, all unmasked", 0, "mulsd", big, big, sse_all);
    SSE("1/0 masked", 0x1f80, "divsd", one, zero, sse_masked);
    /* Packed: lane 0 overflows, lane 1 has a denormal operand: the pre-computation exception
     * of one lane stops the whole instruction (only DE), or, masked, lets both lanes finish. */
    SSEX("mulpd overflow and denormal lanes, all unmasked", 0, "mulpd %%xmm1, %%xmm0", big, one,
         big, denormal, sse_p1);
    SSEX("mulpd overflow and denormal lanes, DE masked", 0x100, "mulpd %%xmm1, %%xmm0", big, one,
         big, denormal, sse_p2);
    SSEX("cvtsd2si of a NaN, IE unmasked", 0x1f00, "cvtsd2si %%xmm1, %%rax", one, one,
         __builtin_nan(""), one, sse_p3);
    SSEX("sqrtsd(-1), IE unmasked", 0x1f00, "sqrtsd %%xmm1, %%xmm0", one, one, -1.0, one, sse_p4);
    SSEX("comisd with a quiet NaN, IE unmasked", 0x1f00, "comisd %%xmm1, %%xmm0", one, one,
         __builtin_nan(""), one, sse_p5);
    SSEX("ucomisd with a quiet NaN, IE unmasked (no exception)", 0x1f00, "ucomisd %%xmm1, %%xmm0",
         one, one, __builtin_nan(""), one, sse_p6);
    SSEX("cvtsd2ss overflow, OE unmasked", 0x1b80, "cvtsd2ss %%xmm1, %%xmm0", one, one, big, one,
         sse_p7);
    SSEX("addpd denormal with DAZ, DE unmasked (no exception)", 0x1e80 | 0x40,
         "addpd %%xmm1, %%xmm0", one, one, denormal, denormal, sse_p8);

    X87("0/0 invalid", 0x37f & ~0x1, "fdiv %%st(1), %%st", xzero, xzero, x87_inv);
    X87("denormal operand", 0x37f & ~0x2, "fadd %%st(1), %%st", xone, xden, x87_den);
    X87("1/0 divide by zero", 0x37f & ~0x4, "fdiv %%st(1), %%st", xone, xzero, x87_div);
    X87("overflow", 0x37f & ~0x8, "fmul %%st(1), %%st", xbig, xbig, x87_ovf);
    X87("underflow", 0x37f & ~0x10, "fmul %%st(1), %%st", xtiny, xtiny, x87_und);
    X87("1/3 precision", 0x37f & ~0x20, "fdiv %%st(1), %%st", xone, xthree, x87_pre);
    X87("stack underflow", 0x37f & ~0x1, "fstp %%st(0)\n fstp %%st(0)\n fadd %%st(1), %%st",
        xone, xone, x87_stk);
    X87("overflow, all unmasked", 0x340, "fmul %%st(1), %%st", xbig, xbig, x87_all);
    printf("signals: %d\n", signals);
    return 0;
}
