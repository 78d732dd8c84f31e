# Never exits: the simulator's step budget must stop it.
.globl _start
_start:
1:  inc %rax
    jmp 1b
