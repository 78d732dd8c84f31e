# Self-modifying code that rewrites the very next instruction, and only on odd passes: on even
# passes the same store writes the stack, so by the time it rewrites the code the simulator
# has already linked the store to the instruction after it (its decode cache follows such
# links without looking the instruction up again). A second store rewrites the opcode of an
# ALU instruction further on in the loop every fourth pass (add, or, and, sub by two bits of
# the counter).
# The processor sees each new instruction at once (Intel SDM vol. 3 §8.1.3, "Handling Self-
# and Cross-Modifying Code"): the exit status
# is what the native run computes.
.section .smc, "awx"
.globl _start
_start:
    xor %r14d, %r14d
    mov $1000, %r15d
    sub $64, %rsp
again:
    lea patch+1(%rip), %rdi
    lea 8(%rsp), %rax
    test $1, %r15b
    cmovz %rax, %rdi
    mov %r15d, (%rdi)         # odd passes: the immediate of the next instruction
patch:
    mov $0, %eax
    add %eax, %r14d
    mov %r15d, %r8d
    and $0x28, %r8b
    or $0x01, %r8b
    test $3, %r15b            # every fourth pass only
    jnz 1f
    mov %r8b, alu+1(%rip)     # after the REX prefix: 01 add, 09 or, 21 and, 29 sub
1:
    mov %r15d, %ebx
alu:
    add %ebx, %r14d
    dec %r15d
    jnz again
    mov %r14d, %edi
    and $0xff, %edi
    mov $60, %eax
    syscall
