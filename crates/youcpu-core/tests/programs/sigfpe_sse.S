# An unmasked SSE exception: divide by zero with ZM cleared in MXCSR raises #XM, which
# Linux delivers as SIGFPE (status 136).
    .globl _start
_start:
    ldmxcsr mx(%rip)
    mov $1, %eax
    cvtsi2sd %eax, %xmm0
    xorpd %xmm1, %xmm1
    divsd %xmm1, %xmm0
    mov $60, %eax
    xor %edi, %edi
    syscall
    .data
mx: .long 0x1d80
