# UD2: #UD, SIGILL (status 132).
.globl _start
_start:
    nop
    ud2
