# INT 0x40 through a DPL-0 gate from ring 3: #GP(0x40*8+2), SIGSEGV (status 139).
.globl _start
_start:
    int $0x40
    mov $60, %eax
    syscall
