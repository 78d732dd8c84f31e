# Prints CPUID's vendor string, then exits with the undefined flags a DIV leaves
# (SF ZF AF PF, masked): Intel cores keep them (ZF and PF from the XOR: 0x44), AMD cores
# clear SF ZF PF and set AF (0x10).
    .globl _start
_start:
    xor %eax, %eax
    cpuid
    mov %ebx, buf(%rip)
    mov %edx, buf+4(%rip)
    mov %ecx, buf+8(%rip)
    mov $1, %eax
    mov $1, %edi
    lea buf(%rip), %rsi
    mov $12, %edx
    syscall
    push $0x202
    popfq
    mov $10, %eax
    xor %edx, %edx
    mov $3, %ecx
    div %ecx
    pushfq
    pop %rdi
    and $0xd4, %edi
    mov $60, %eax
    syscall
    .bss
buf: .space 12
