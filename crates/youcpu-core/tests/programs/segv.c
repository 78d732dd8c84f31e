/* A null pointer write: #PF natively and in the simulator, killed by SIGSEGV (status 139). */
#include "nolibc.h"
void _start(void) {
    put("before\n");
    *(volatile int *)0 = 1;
    put("after\n");
    sys_exit(0);
}
