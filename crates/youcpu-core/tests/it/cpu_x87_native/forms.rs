//! The instruction forms the x87 oracle runs, each with the table it runs over.

/// (form, table): 0 binary, 1 unary, 2 f64 memory, 3 f32 memory, 4 integer memory.
pub(super) fn forms() -> Vec<(&'static str, usize)> {
    let mut f = Vec::new();
    for op in [
        "fadd %st(1), %st",
        "fsub %st(1), %st",
        "fsubr %st(1), %st",
        "fmul %st(1), %st",
        "fdiv %st(1), %st",
        "fdivr %st(1), %st",
        "faddp %st, %st(1)",
        "fdivrp %st, %st(1)",
        "fcom %st(1)",
        "fucom %st(1)",
        "fcompp",
        "fucomi %st(1), %st",
        "fcomip %st(1), %st",
        "fprem",
        "fprem1",
        "fscale",
        "fxch %st(1)",
        "fcmovb %st(1), %st",
        "fsubrp %st, %st(1)",
        "fmulp %st, %st(1)",
        "fdivp %st, %st(1)",
        "fsubp %st, %st(1)",
        "fucomp %st(1)",
        "fucompp",
        "fcomi %st(1), %st",
        "fucomip %st(1), %st",
        "fsub %st, %st(1)",
        "fdiv %st, %st(1)",
        "fcomp %st(1)",
        // FCMOVcc after FUCOMI: every condition over ordered, equal and unordered pairs.
        "fucomi %st(1), %st\n fcmovb %st(1), %st",
        "fucomi %st(1), %st\n fcmovnb %st(1), %st",
        "fucomi %st(1), %st\n fcmove %st(1), %st",
        "fucomi %st(1), %st\n fcmovne %st(1), %st",
        "fucomi %st(1), %st\n fcmovbe %st(1), %st",
        "fucomi %st(1), %st\n fcmovnbe %st(1), %st",
        "fucomi %st(1), %st\n fcmovu %st(1), %st",
        "fucomi %st(1), %st\n fcmovnu %st(1), %st",
        // FNCLEX clears the flags the division raised; FNOP and WAIT (masked) change nothing.
        "fdiv %st(1), %st\n fnclex",
        "fdiv %st(1), %st\n fnop\n wait",
        "fprem1\n fprem1",
    ] {
        f.push((op, 0));
    }
    for op in [
        "fsqrt",
        "fchs",
        "fabs",
        "frndint",
        "fxam",
        "ftst",
        "fxtract",
        "fsts 128(%rdi)",
        "fstpl 128(%rdi)",
        "fstpt 128(%rdi)",
        "fists 128(%rdi)",
        "fistl 128(%rdi)",
        "fistpll 128(%rdi)",
        "fisttpl 128(%rdi)",
        "fisttpll 128(%rdi)",
        "fbstp 128(%rdi)",
        "fbstp 128(%rdi)\n fbld 128(%rdi)",
        "fisttps 128(%rdi)",
        "fld %st(1)",
        "fstp %st(1)",
        "ffree %st(1)\n fadd %st(1), %st",
        "fincstp",
        "fdecstp\n fld1",
        "fldpi",
        "fldl2t",
        "fldl2e",
        "fldlg2",
        "fldln2",
        "fldz\n fxch %st(2)",
        "fld1\n fld1\n fld1\n fld1\n fld1\n fld1\n fld1",
        "fstp %st(0)\n fstp %st(0)\n fadd %st(0), %st",
        "fnstsw %ax\n fnstcw 128(%rdi)",
        "fnstenv -64(%rsp)\n fninit\n fldenv -64(%rsp)",
        "fnsave -128(%rsp)\n fld1\n frstor -128(%rsp)",
        "fxsave scratch(%rip)\n fninit\n fxrstor scratch(%rip)",
        "fxsave scratch(%rip)\n mov scratch(%rip), %rax\n mov %rax, 128(%rdi)",
        "fnstenv -64(%rsp)\n mov -60(%rsp), %eax\n mov %eax, 128(%rdi)",
        "fsqrt\n fsqrt",
        "fld %st(0)\n fmulp\n fsqrt",
        "frndint\n fistl 128(%rdi)",
        "fchs\n fabs\n ftst",
        "fld1\n fscale",
        "fxtract\n fxch\n fxtract",
        "ffree %st(0)\n fxam",
        "fcmovnbe %st(1), %st",
        "fcmove %st(1), %st",
        "fcmovu %st(1), %st",
        "fistps 128(%rdi)",
        "fistpl 128(%rdi)",
        "fstl 128(%rdi)",
        "fstps 128(%rdi)",
        "fxsave -1024(%rsp)\n fninit\n fxrstor -1024(%rsp)",
        "fxsave64 -1024(%rsp)\n fninit\n fxrstor64 -1024(%rsp)",
        // The FXSAVE image's FCW, FSW, abridged tag byte, FOP; and MXCSR, MXCSR_MASK.
        "fxsave64 -1024(%rsp)\n mov -1024(%rsp), %rax\n mov %rax, 128(%rdi)\n mov -1000(%rsp), %rax\n mov %rax, 136(%rdi)",
        "fnsave -128(%rsp)\n mov -128(%rsp), %rax\n mov %rax, 128(%rdi)\n movzwl -120(%rsp), %eax\n mov %rax, 136(%rdi)\n frstor -128(%rsp)",
        "fbstp 128(%rdi)\n fbld 128(%rdi)\n fbstp 128(%rdi)",
        // A 16-bit FNSAVE/FRSTOR round trip.
        "data16 fnsave -128(%rsp)\n fld1\n data16 frstor -128(%rsp)",
        // FIP follows FFREE, FNOP and FDECSTP (not control instructions) but not FNSTCW.
        "ffree %st(3)\n fnstcw 128(%rdi)",
        "fnop\n fdecstp\n fnclex",
        "ftst\n fxam\n fxtract\n fxam",
    ] {
        f.push((op, 1));
    }
    for op in [
        "faddl 40(%rsi)",
        "fmull 40(%rsi)",
        "fdivrl 40(%rsi)",
        "fcoml 40(%rsi)",
        "fldl 40(%rsi)",
        "faddl 40(%rsi)",
        "fsubl 40(%rsi)",
        "fsubrl 40(%rsi)",
        "fdivl 40(%rsi)",
        "fcompl 40(%rsi)",
        "fldl 40(%rsi)\n fstpt 128(%rdi)",
    ] {
        f.push((op, 2));
    }
    for op in [
        "fsubs 40(%rsi)",
        "flds 40(%rsi)",
        "fucomi %st(1), %st\n flds 40(%rsi)",
        "fadds 40(%rsi)",
        "fmuls 40(%rsi)",
        "fdivrs 40(%rsi)",
        "fcoms 40(%rsi)",
        "fcomps 40(%rsi)",
    ] {
        f.push((op, 3));
    }
    // Exceptions unmasked (tables 5-9): single instructions, so that no later x87
    // instruction of the form waits on the pending exception.
    for op in [
        "fadd %st(1), %st",
        "fsub %st(1), %st",
        "fsubr %st(1), %st",
        "fmul %st(1), %st",
        "fdiv %st(1), %st",
        "fdivr %st(1), %st",
        "faddp %st, %st(1)",
        "fmulp %st, %st(1)",
        "fdivp %st, %st(1)",
        "fcom %st(1)",
        "fucom %st(1)",
        "fucomi %st(1), %st",
        "fcomip %st(1), %st",
        "fprem",
        "fprem1",
        "fscale",
        "fxch %st(1)",
    ] {
        f.push((op, 5));
    }
    for op in [
        "fsqrt",
        "frndint",
        "fxtract",
        "fxam",
        "ftst",
        "fchs",
        "fsts 128(%rdi)",
        "fstpl 128(%rdi)",
        "fstpt 128(%rdi)",
        "fists 128(%rdi)",
        "fistpl 128(%rdi)",
        "fistpll 128(%rdi)",
        "fisttpll 128(%rdi)",
        "fisttps 128(%rdi)",
        "fbstp 128(%rdi)",
        "fld %st(1)",
        "fstp %st(1)",
    ] {
        f.push((op, 6));
    }
    for op in [
        "faddl 40(%rsi)",
        "fmull 40(%rsi)",
        "fdivrl 40(%rsi)",
        "fcoml 40(%rsi)",
        "fldl 40(%rsi)",
    ] {
        f.push((op, 7));
    }
    for op in ["fsubs 40(%rsi)", "flds 40(%rsi)", "fcomps 40(%rsi)"] {
        f.push((op, 8));
    }
    for op in [
        "fildl 40(%rsi)",
        "fiaddl 40(%rsi)",
        "fidivl 40(%rsi)",
        "ficoml 40(%rsi)",
    ] {
        f.push((op, 9));
    }
    for op in [
        "fildl 40(%rsi)",
        "fildll 40(%rsi)",
        "filds 40(%rsi)",
        "fiaddl 40(%rsi)",
        "fimuls 40(%rsi)",
        "ficoml 40(%rsi)",
        "fisubl 40(%rsi)",
        "fisubrl 40(%rsi)",
        "fidivl 40(%rsi)",
        "fidivrs 40(%rsi)",
        "ficomps 40(%rsi)",
        "fildl 40(%rsi)\n fistpll 128(%rdi)",
        "fildll 40(%rsi)\n fisttps 128(%rdi)",
    ] {
        f.push((op, 4));
    }
    f
}

/// Forms that copy the last-instruction pointers into the stored operand, so that the
/// compared record holds them: run where the pointers are compared (Intel, and AMD with
/// XSaveErPtr; elsewhere the FNSAVE image's pointers are counted, not compared).
pub(super) fn pointer_forms() -> Vec<(&'static str, usize)> {
    let mut f = Vec::new();
    // FXSAVE64 (FIP, FDP as 64 bits), FXSAVE (32 bits with FCS, FDS), the 16-bit FNSTENV.
    for op in [
        "fxsave64 -1024(%rsp)\n mov -1016(%rsp), %rax\n mov %rax, 128(%rdi)\n mov -1008(%rsp), %rax\n mov %rax, 136(%rdi)",
        "fxsave -1024(%rsp)\n mov -1016(%rsp), %rax\n mov %rax, 128(%rdi)\n mov -1008(%rsp), %rax\n mov %rax, 136(%rdi)",
        "data16 fnstenv -64(%rsp)\n mov -64(%rsp), %rax\n mov %rax, 128(%rdi)\n mov -56(%rsp), %eax\n mov %eax, 136(%rdi)\n movzwl -52(%rsp), %eax\n mov %ax, 140(%rdi)",
    ] {
        f.push((op, 1));
    }
    // An unmasked exception leaves FOP and FDP: FXSAVE64 and FXSAVE (non-waiting) store them.
    for op in [
        "fdivl 40(%rsi)\n fxsave64 -1024(%rsp)\n mov -1018(%rsp), %rax\n mov %rax, 128(%rdi)\n mov -1008(%rsp), %rax\n mov %rax, 136(%rdi)",
        "fsubl 40(%rsi)\n fxsave -1024(%rsp)\n mov -1016(%rsp), %rax\n mov %rax, 128(%rdi)\n mov -1008(%rsp), %rax\n mov %rax, 136(%rdi)",
        "fstl 128(%rdi)\n data16 fnstenv -64(%rsp)\n mov -58(%rsp), %eax\n mov %eax, 136(%rdi)\n mov -54(%rsp), %eax\n mov %eax, 140(%rdi)",
    ] {
        f.push((op, 7));
    }
    // An operand addressed through RBP, so in SS: FDS is SS's selector on AMD (zero on Intel)
    // in the FNSAVE image; FLDENV loads it back.
    for op in [
        "mov %rsi, %rbp\n faddl 40(%rbp)",
        "mov %rsi, %rbp\n fldl 40(%rbp)\n fnstenv -64(%rsp)\n fninit\n fldenv -64(%rsp)",
    ] {
        f.push((op, 2));
    }
    f
}
