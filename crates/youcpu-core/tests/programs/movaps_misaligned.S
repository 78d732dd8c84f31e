# MOVAPS from a 16-byte operand that is not 16-byte aligned: #GP(0), which Linux delivers as
# SIGSEGV (status 139). MOVUPS at the same address is fine.
    .globl _start
_start:
    lea buf+1(%rip), %rax
    movups (%rax), %xmm0
    movaps (%rax), %xmm1
    mov $60, %eax
    xor %edi, %edi
    syscall
    .data
    .balign 16
buf: .space 32
