# LDMXCSR with a reserved bit (16) set: #GP(0) -> SIGSEGV (status 139).
    .globl _start
_start:
    ldmxcsr bad(%rip)
    mov $60, %eax
    xor %edi, %edi
    syscall
    .data
bad: .long 0x11f80
