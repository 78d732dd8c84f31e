# An unmasked x87 exception: 1/0 with ZM cleared sets ES; the next waiting x87 instruction
# raises #MF, which Linux delivers as SIGFPE (status 136). The exit before it is not reached.
    .globl _start
_start:
    fldcw cw(%rip)
    fld1
    fldz
    fdivrp %st, %st(1)
    fld1
    mov $60, %eax
    xor %edi, %edi
    syscall
    .data
cw: .short 0x037b
