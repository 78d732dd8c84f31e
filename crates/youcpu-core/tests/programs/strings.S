# REP string instructions: stos, movs (forward and backward), cmps, scas, lods.
.globl _start
_start:
    lea buf(%rip), %rdi
    mov $0x61, %al
    mov $26, %ecx
    rep stosb                 # 26 x 'a'
    lea buf(%rip), %rdi
    mov $26, %ecx
    xor %eax, %eax
2:  addb %al, (%rdi)          # a b c ... z
    inc %eax
    inc %rdi
    loop 2b
    movb $10, buf+26(%rip)
    lea buf(%rip), %rsi
    lea copy(%rip), %rdi
    mov $27, %ecx
    rep movsb                 # forward copy
    std
    lea buf+26(%rip), %rsi
    lea back+26(%rip), %rdi
    mov $27, %ecx
    rep movsb                 # backward copy
    cld
    lea buf(%rip), %rsi
    lea copy(%rip), %rdi
    mov $27, %ecx
    repe cmpsb                # equal: runs to the end
    jne fail
    lea buf(%rip), %rdi
    mov $0x6d, %al            # 'm'
    mov $27, %ecx
    repne scasb               # stops after 'm'
    jne fail
    mov %ecx, %ebx            # 27 - 13 = 14 left
    lea buf(%rip), %rsi
    lodsq
    mov %rax, qw(%rip)
    lea qbuf(%rip), %rdi
    mov $0x0102030405060708, %rax
    mov $4, %ecx
    rep stosq
    xor %ecx, %ecx
    rep movsb                 # zero count: one step, nothing moves
    mov $1, %eax
    mov $1, %edi
    lea copy(%rip), %rsi
    mov $27, %edx
    syscall
    mov $1, %eax
    mov $1, %edi
    lea back(%rip), %rsi
    mov $27, %edx
    syscall
    mov $60, %eax
    mov %ebx, %edi
    add qbuf+31(%rip), %dil
    syscall
fail:
    mov $60, %eax
    mov $99, %edi
    syscall
.bss
buf:  .space 32
copy: .space 32
back: .space 32
qw:   .space 8
qbuf: .space 32
