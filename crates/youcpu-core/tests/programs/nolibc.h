/* A few lines of "libc" for programs built with -static -nostdlib: raw system calls. */
static long sys3(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}
static void put(const char *s) {
    long n = 0;
    while (s[n]) n++;
    sys3(1, 1, (long)s, n);
}
static void put_u(unsigned long v) {
    char b[24];
    int i = 23;
    b[i] = 0;
    do { b[--i] = '0' + v % 10; v /= 10; } while (v);
    put(b + i);
}
static void put_i(long v) {
    if (v < 0) { put("-"); put_u(-(unsigned long)v); } else put_u(v);
}
static __attribute__((noreturn)) void sys_exit(int code) {
    sys3(60, code, 0, 0);
    for (;;) {}
}
