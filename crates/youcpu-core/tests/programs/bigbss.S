# A 1 GiB .bss (bigger than the simulator's 256 MiB of guest memory): BSS pages are mapped on
# first touch, so touching three of them costs three frames. Writes the first, a middle and
# the last byte, reads them back, exits 0.
.globl _start
_start:
    movb $1, big(%rip)
    movb $2, big+0x20000000(%rip)
    movb $3, big+0x3fffffff(%rip)
    movzbl big(%rip), %eax
    movzbl big+0x20000000(%rip), %ebx
    add %ebx, %eax
    movzbl big+0x3fffffff(%rip), %ebx
    add %ebx, %eax
    lea -6(%rax), %edi
    mov $60, %eax
    syscall
.bss
big: .space 0x40000000
