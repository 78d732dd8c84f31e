# Self-modifying code in a writable+executable section: the loop body's immediate is patched
# after each pass, once the instruction has been decoded and cached. The decode cache must
# notice the write to the code page. Exit status = 0 + 1 + ... + 9 = 45 (it would be 0 if the
# stale decoding were reused).
.section .smc, "awx"
.globl _start
_start:
    xor %ebx, %ebx
    mov $1, %ecx
patch:
    mov $0, %eax              # b8 imm32: the immediate is rewritten below
    add %eax, %ebx
    mov %ecx, patch+1(%rip)   # next pass loads the counter's value
    inc %ecx
    cmp $11, %ecx
    jne patch
    mov %ebx, %edi
    mov $60, %eax
    syscall
