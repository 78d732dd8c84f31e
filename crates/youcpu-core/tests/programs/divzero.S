# Division by zero: #DE, SIGFPE (status 136).
.globl _start
_start:
    mov $10, %eax
    xor %edx, %edx
    xor %ecx, %ecx
    div %ecx
    mov $60, %eax
    syscall
