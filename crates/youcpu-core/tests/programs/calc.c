/* Recursion, division and remainders of signed/unsigned values, switch tables, no libc. */
#include "nolibc.h"

static long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static unsigned long gcd(unsigned long a, unsigned long b) { return b ? gcd(b, a % b) : a; }

static volatile long vals[] = {7, -7, 1000000007, -123456789, 0x7fffffffffffffffL, 3};

void _start(void) {
    put("fib(20)="); put_i(fib(20)); put("\n");
    put("gcd="); put_u(gcd(1071, 462)); put("\n");
    for (int i = 0; i < 6; i++) {
        long a = vals[i], b = vals[(i + 1) % 6];
        put_i(a / b); put(" "); put_i(a % b); put(" ");
        put_u((unsigned long)a / (unsigned long)(b | 1)); put(" ");
        put_i((int)a / (short)(b | 1)); put(" ");
        put_i((signed char)a * (signed char)b); put("\n");
    }
    unsigned long h = 1469598103934665603UL;
    for (int i = 0; i < 1000; i++) { h ^= i; h *= 1099511628211UL; h = (h << 7) | (h >> 57); }
    put("hash="); put_u(h); put("\n");
    sys_exit((int)(h & 0x7f));
}
