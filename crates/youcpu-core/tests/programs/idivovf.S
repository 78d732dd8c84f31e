# INT64_MIN / -1 overflows the quotient: #DE, SIGFPE (status 136).
.globl _start
_start:
    mov $0x8000000000000000, %rax
    cqo
    mov $-1, %rcx
    idiv %rcx
    mov $60, %eax
    syscall
