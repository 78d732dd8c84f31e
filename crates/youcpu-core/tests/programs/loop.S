# A counting loop with a conditional branch, then write the low byte of the sum as a digit.
.globl _start
_start:
    xor %eax, %eax
    mov $1000, %ecx
1:  add %rcx, %rax
    dec %ecx
    jnz 1b
    # sum = 500500; exit status = sum % 256 = 20
    mov %rax, %rdi
    and $0xff, %edi
    mov $60, %eax
    syscall
