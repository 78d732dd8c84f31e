# The legacy 32-bit system call gate: write(1, msg, 6) then exit(5) through int 0x80.
.globl _start
_start:
    mov $4, %eax
    mov $1, %ebx
    lea msg(%rip), %rcx
    mov $6, %edx
    int $0x80
    mov $1, %eax
    mov $5, %ebx
    int $0x80
.section .rodata
msg: .ascii "int80\n"
