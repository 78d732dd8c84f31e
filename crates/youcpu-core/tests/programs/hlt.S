# HLT is privileged: #GP(0) in ring 3, SIGSEGV (status 139).
.globl _start
_start:
    mov $1, %eax
    hlt
