/* musl static hello world with printf of numbers. */
#include <stdio.h>
int main(int argc, char **argv) {
    printf("hello, world\n");
    printf("%d %u %x %lx %ld %s %c %05d|%-6d|%+d\n", -42, 4000000000u, 0xbeef, 0xdeadbeefcafeUL,
           -1234567890123L, "str", 'z', 42, 7, 9);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    return 3;
}
