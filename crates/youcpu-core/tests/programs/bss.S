# .data ends mid-page and a multi-page .bss follows: the kernel zeroes the rest of the last
# file page (padzero) and maps anonymous zero pages after it. Every bss byte must read 0;
# then the last bss byte is written and read back. Exit 0 on success, 1 + failure otherwise.
.globl _start
_start:
    lea bss_start(%rip), %rsi
    lea bss_end(%rip), %rcx
    sub %rsi, %rcx
    xor %eax, %eax
1:  or (%rsi), %al
    inc %rsi
    dec %rcx
    jnz 1b
    test %al, %al
    jnz fail
    movb $7, bss_end-1(%rip)
    movzbl bss_end-1(%rip), %edi
    sub $7, %edi
    mov $60, %eax
    syscall
fail:
    mov $60, %eax
    mov $1, %edi
    syscall
.data
    .ascii "odd sized data"
.bss
bss_start:
    .space 20000
bss_end:
