/* Prints what the process sees at entry: argc, argv, envp, auxv (keys, values, and the bytes
 * AT_RANDOM/AT_PLATFORM/AT_EXECFN point at), and the initial stack pointer. */
#include <stdio.h>
#include <string.h>
extern char **environ;
unsigned long *entry_sp;
int main(int argc, char **argv) {
    printf("sp %p aligned %d\n", (void *)entry_sp, (int)((unsigned long)entry_sp % 16));
    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv %d %p %s\n", i, (void *)argv[i], argv[i]);
    char **e = environ;
    int n = 0;
    for (; *e; e++, n++) printf("envp %d %p %s\n", n, (void *)*e, *e);
    unsigned long *a = (unsigned long *)(e + 1);
    for (; a[0]; a += 2) {
        /* AT_MINSIGSTKSZ, AT_HWCAP and AT_HWCAP2 describe the host CPU (its features, and
         * whether the kernel enabled FSGSBASE on it), not the kernel's layout. */
        if (a[0] == 51 || a[0] == 16 || a[0] == 26) printf("auxv %lu cpu-specific", a[0]);
        else printf("auxv %lu %#lx", a[0], a[1]);
        if (a[0] == 15 || a[0] == 31) printf(" \"%s\"", (char *)a[1]);
        printf("\n");
    }
    return 0;
}
/* musl's _start calls _start_c(sp); we wrap it to record sp. */
__asm__(".globl _start_rec\n_start_rec:\n mov %rsp, entry_sp(%rip)\n jmp _start\n");
