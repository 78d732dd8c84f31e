//! SSE to SSE4.2, MMX and x87 forms for the oracle lists.

#[allow(unused_imports)]
use super::*;

/// SSE to SSE4.2, MMX and x87: every instruction the CPU implements, in its register and memory
/// forms, with immediates where it takes one. `wide` adds the 64-bit-only registers (xmm8-15,
/// r64) and rip-relative memory; `b` is the base register of memory operands (`rax`, `eax`).
pub fn sse_x87(wide: bool, b: &str) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    let (x1, x2) = if wide {
        ("xmm9", "xmm14")
    } else {
        ("xmm1", "xmm6")
    };
    let mems = if wide {
        vec![
            format!("[{b}]"),
            format!("[{b}+r9*4+0x10]"),
            "[rip+0x40]".to_string(),
        ]
    } else if b == "bx" {
        vec!["[bx]".to_string(), "[bx+si+0x10]".to_string()]
    } else {
        vec![format!("[{b}]"), format!("[{b}+ecx*4+0x10]")]
    };
    // xmm, xmm/m128 (and the scalar forms, whose memory is 32 or 64 bits).
    let two = [
        // SSE
        "addps",
        "subps",
        "mulps",
        "divps",
        "minps",
        "maxps",
        "sqrtps",
        "rcpps",
        "rsqrtps",
        "andps",
        "andnps",
        "orps",
        "xorps",
        "unpcklps",
        "unpckhps",
        "movaps",
        "movups",
        "addss",
        "subss",
        "mulss",
        "divss",
        "minss",
        "maxss",
        "sqrtss",
        "rcpss",
        "rsqrtss",
        "comiss",
        "ucomiss",
        // SSE2
        "addpd",
        "subpd",
        "mulpd",
        "divpd",
        "minpd",
        "maxpd",
        "sqrtpd",
        "andpd",
        "andnpd",
        "orpd",
        "xorpd",
        "unpcklpd",
        "unpckhpd",
        "movapd",
        "movupd",
        "addsd",
        "subsd",
        "mulsd",
        "divsd",
        "minsd",
        "maxsd",
        "sqrtsd",
        "comisd",
        "ucomisd",
        "paddb",
        "paddw",
        "paddd",
        "paddq",
        "paddsb",
        "paddsw",
        "paddusb",
        "paddusw",
        "psubb",
        "psubw",
        "psubd",
        "psubq",
        "psubsb",
        "psubsw",
        "psubusb",
        "psubusw",
        "pmullw",
        "pmulhw",
        "pmulhuw",
        "pmuludq",
        "pmaddwd",
        "psadbw",
        "pavgb",
        "pavgw",
        "pminub",
        "pmaxub",
        "pminsw",
        "pmaxsw",
        "pcmpeqb",
        "pcmpeqw",
        "pcmpeqd",
        "pcmpgtb",
        "pcmpgtw",
        "pcmpgtd",
        "pand",
        "pandn",
        "por",
        "pxor",
        "packsswb",
        "packssdw",
        "packuswb",
        "punpcklbw",
        "punpcklwd",
        "punpckldq",
        "punpcklqdq",
        "punpckhbw",
        "punpckhwd",
        "punpckhdq",
        "punpckhqdq",
        "psllw",
        "pslld",
        "psllq",
        "psrlw",
        "psrld",
        "psrlq",
        "psraw",
        "psrad",
        "cvtdq2ps",
        "cvtps2dq",
        "cvttps2dq",
        "cvtps2pd",
        "cvtpd2ps",
        "cvtdq2pd",
        "cvtpd2dq",
        "cvttpd2dq",
        "cvtss2sd",
        "cvtsd2ss",
        "movdqa",
        "movdqu",
        // SSE3
        "addsubps",
        "addsubpd",
        "haddps",
        "haddpd",
        "hsubps",
        "hsubpd",
        "movshdup",
        "movsldup",
        "movddup", // SSSE3
        "pshufb",
        "phaddw",
        "phaddd",
        "phaddsw",
        "phsubw",
        "phsubd",
        "phsubsw",
        "pmaddubsw",
        "pmulhrsw",
        "psignb",
        "psignw",
        "psignd",
        "pabsb",
        "pabsw",
        "pabsd",
        // SSE4.1 and SSE4.2
        "pmulld",
        "pmuldq",
        "pminsb",
        "pminsd",
        "pminuw",
        "pminud",
        "pmaxsb",
        "pmaxsd",
        "pmaxuw",
        "pmaxud",
        "pcmpeqq",
        "packusdw",
        "ptest",
        "phminposuw",
        "pmovsxbw",
        "pmovsxbd",
        "pmovsxbq",
        "pmovsxwd",
        "pmovsxwq",
        "pmovsxdq",
        "pmovzxbw",
        "pmovzxbd",
        "pmovzxbq",
        "pmovzxwd",
        "pmovzxwq",
        "pmovzxdq",
        "pcmpgtq",
    ];
    for op in two {
        v.push(format!("{op} xmm0, {x1}"));
        v.push(format!("{op} {x2}, xmm7"));
        for m in &mems {
            v.push(format!("{op} xmm2, {m}"));
        }
    }
    let imm = [
        "shufps",
        "shufpd",
        "cmpps",
        "cmppd",
        "cmpss",
        "cmpsd",
        "pshufd",
        "pshufhw",
        "pshuflw",
        "palignr",
        "roundps",
        "roundpd",
        "roundss",
        "roundsd",
        "blendps",
        "blendpd",
        "pblendw",
        "dpps",
        "dppd",
        "mpsadbw",
        "insertps",
        "pcmpestri",
        "pcmpestrm",
        "pcmpistri",
        "pcmpistrm",
    ];
    for op in imm {
        for i in ["0", "1", "5", "0x1b", "0xff"] {
            v.push(format!("{op} xmm0, {x1}, {i}"));
        }
        v.push(format!("{op} {x2}, {}, 3", mems[0]));
        v.push(format!("{op} xmm3, {}, 7", mems[mems.len() - 1]));
    }
    for op in [
        "cmpeqps",
        "cmpltps",
        "cmpleps",
        "cmpunordps",
        "cmpneqps",
        "cmpnltps",
        "cmpnleps",
        "cmpordps",
        "cmpeqsd",
        "cmpltss",
        "cmpunordpd",
        "cmpnlesd",
    ] {
        v.push(format!("{op} xmm0, {x1}"));
        v.push(format!("{op} xmm0, {}", mems[0]));
    }
    for op in ["blendvps", "blendvpd", "pblendvb"] {
        v.push(format!("{op} xmm1, {x2}, xmm0"));
        v.push(format!("{op} xmm1, {}, xmm0", mems[0]));
    }
    for op in [
        "psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad", "pslldq", "psrldq",
    ] {
        for i in ["0", "1", "8", "0x7f"] {
            v.push(format!("{op} {x2}, {i}"));
        }
    }
    let m = &mems[0];
    let gprs: Vec<&str> = if wide {
        vec!["eax", "r9d", "rax", "r15"]
    } else {
        vec!["eax", "edi"]
    };
    for r in &gprs {
        for op in ["cvtsi2ss", "cvtsi2sd"] {
            v.push(format!("{op} xmm0, {r}"));
        }
        for op in ["cvtss2si", "cvttss2si", "cvtsd2si", "cvttsd2si"] {
            v.push(format!("{op} {r}, {x1}"));
        }
        v.push(format!("popcnt {r}, {r}"));
        v.push(format!("crc32 {r}, byte ptr {m}"));
    }
    for s in [
        format!("cvtsi2ss xmm0, dword ptr {m}"),
        format!("cvtsi2sd xmm0, dword ptr {m}"),
        format!("cvtss2si eax, dword ptr {m}"),
        format!("cvttsd2si eax, qword ptr {m}"),
        "crc32 eax, bl".to_string(),
        "crc32 eax, bx".to_string(),
        "crc32 eax, ebx".to_string(),
        format!("crc32 eax, word ptr {m}"),
        format!("crc32 eax, dword ptr {m}"),
        format!("popcnt ax, word ptr {m}"),
        "movd xmm0, eax".to_string(),
        format!("movd eax, {x1}"),
        format!("movd xmm0, dword ptr {m}"),
        format!("movd dword ptr {m}, xmm0"),
        format!("movq xmm0, {x1}"),
        format!("movq xmm0, qword ptr {m}"),
        format!("movq qword ptr {m}, xmm0"),
        format!("movss xmm0, {x1}"),
        format!("movss xmm0, dword ptr {m}"),
        format!("movss dword ptr {m}, xmm0"),
        format!("movsd xmm0, {x1}"),
        format!("movsd xmm0, qword ptr {m}"),
        format!("movsd qword ptr {m}, xmm0"),
        format!("movlps xmm0, qword ptr {m}"),
        format!("movlps qword ptr {m}, xmm0"),
        format!("movhps xmm0, qword ptr {m}"),
        format!("movhps qword ptr {m}, xmm0"),
        format!("movlpd xmm0, qword ptr {m}"),
        format!("movhpd qword ptr {m}, xmm0"),
        format!("movhlps xmm0, {x1}"),
        format!("movlhps xmm0, {x1}"),
        format!("movmskps eax, {x1}"),
        format!("movmskpd eax, {x1}"),
        format!("pmovmskb eax, {x1}"),
        format!("maskmovdqu xmm0, {x1}"),
        format!("movntps {m}, xmm0"),
        format!("movntpd {m}, xmm0"),
        format!("movntdq {m}, xmm0"),
        format!("movntdqa xmm0, {m}"),
        format!("movnti {m}, eax"),
        format!("lddqu xmm0, {m}"),
        format!("pextrb eax, {x1}, 1"),
        format!("pextrb byte ptr {m}, xmm0, 15"),
        format!("pextrw eax, {x1}, 7"),
        format!("pextrw word ptr {m}, xmm0, 3"),
        format!("pextrd eax, {x1}, 3"),
        format!("pextrd dword ptr {m}, xmm0, 1"),
        format!("extractps eax, {x1}, 2"),
        format!("extractps dword ptr {m}, xmm0, 1"),
        "pinsrb xmm0, eax, 1".to_string(),
        format!("pinsrb xmm0, byte ptr {m}, 15"),
        "pinsrw xmm0, eax, 7".to_string(),
        format!("pinsrw xmm0, word ptr {m}, 2"),
        "pinsrd xmm0, eax, 3".to_string(),
        format!("pinsrd xmm0, dword ptr {m}, 0"),
        format!("ldmxcsr dword ptr {m}"),
        format!("stmxcsr dword ptr {m}"),
        format!("fxsave {m}"),
        format!("fxrstor {m}"),
        "lfence".to_string(),
        "sfence".to_string(),
        "mfence".to_string(),
        "pause".to_string(),
        format!("clflush byte ptr {m}"),
        format!("prefetcht0 byte ptr {m}"),
        format!("prefetcht1 byte ptr {m}"),
        format!("prefetcht2 byte ptr {m}"),
        format!("prefetchnta byte ptr {m}"),
        // MMX and the MMX-SSE bridges.
        "paddb mm0, mm1".to_string(),
        format!("paddd mm2, qword ptr {m}"),
        "pxor mm7, mm7".to_string(),
        "pmullw mm0, mm3".to_string(),
        "psrlq mm1, 3".to_string(),
        "pshufw mm0, mm1, 0x1b".to_string(),
        "pshufb mm0, mm1".to_string(),
        "palignr mm0, mm1, 3".to_string(),
        "movq mm0, mm1".to_string(),
        format!("movq mm0, qword ptr {m}"),
        "movd mm0, eax".to_string(),
        "movd eax, mm1".to_string(),
        "emms".to_string(),
        "movq2dq xmm0, mm1".to_string(),
        "movdq2q mm0, xmm1".to_string(),
        "cvtpi2ps xmm0, mm1".to_string(),
        "cvtps2pi mm0, xmm1".to_string(),
        "cvttps2pi mm0, xmm1".to_string(),
        "cvtpi2pd xmm0, mm1".to_string(),
        "cvtpd2pi mm0, xmm1".to_string(),
        "cvttpd2pi mm0, xmm1".to_string(),
        "maskmovq mm0, mm1".to_string(),
        format!("movntq {m}, mm0"),
        "pmovmskb eax, mm1".to_string(),
        "pextrw eax, mm1, 2".to_string(),
        "pinsrw mm0, eax, 2".to_string(),
    ] {
        v.push(s);
    }
    if wide {
        for s in [
            "movq rax, xmm9",
            "movq xmm9, r10",
            "pextrq rax, xmm9, 1",
            "pextrq qword ptr [rax], xmm0, 0",
            "pinsrq xmm9, r10, 1",
            "pinsrq xmm0, qword ptr [rax], 0",
            "crc32 rax, byte ptr [rax]",
            "crc32 rax, qword ptr [rax]",
            "popcnt rax, qword ptr [rax]",
            "cvtsi2sd xmm0, qword ptr [rax]",
            "cvtsd2si rax, qword ptr [rax]",
            "movnti [rax], rax",
            "fxsave64 [rax]",
            "fxrstor64 [rax]",
            "movq rax, mm1",
            "movq mm0, rax",
        ] {
            v.push(s.to_string());
        }
    }
    // x87.
    for (op, sizes) in [
        ("fld", &["dword", "qword", "tbyte"][..]),
        ("fst", &["dword", "qword"][..]),
        ("fstp", &["dword", "qword", "tbyte"][..]),
        ("fild", &["word", "dword", "qword"][..]),
        ("fist", &["word", "dword"][..]),
        ("fistp", &["word", "dword", "qword"][..]),
        ("fisttp", &["word", "dword", "qword"][..]),
        ("fbld", &["tbyte"][..]),
        ("fbstp", &["tbyte"][..]),
        ("fadd", &["dword", "qword"][..]),
        ("fsub", &["dword", "qword"][..]),
        ("fsubr", &["dword", "qword"][..]),
        ("fmul", &["dword", "qword"][..]),
        ("fdiv", &["dword", "qword"][..]),
        ("fdivr", &["dword", "qword"][..]),
        ("fcom", &["dword", "qword"][..]),
        ("fcomp", &["dword", "qword"][..]),
        ("fiadd", &["word", "dword"][..]),
        ("fisub", &["word", "dword"][..]),
        ("fisubr", &["word", "dword"][..]),
        ("fimul", &["word", "dword"][..]),
        ("fidiv", &["word", "dword"][..]),
        ("fidivr", &["word", "dword"][..]),
        ("ficom", &["word", "dword"][..]),
        ("ficomp", &["word", "dword"][..]),
    ] {
        for s in sizes {
            v.push(format!("{op} {s} ptr {m}"));
        }
    }
    for op in ["fadd", "fsub", "fsubr", "fmul", "fdiv", "fdivr"] {
        v.push(format!("{op} st, st(3)"));
        v.push(format!("{op} st(5), st"));
        v.push(format!("{op}p st(2), st"));
    }
    for op in [
        "fld", "fst", "fstp", "fxch", "fcom", "fcomp", "fucom", "fucomp", "ffree", "fcomi",
        "fcomip", "fucomi", "fucomip", "fcmovb", "fcmove", "fcmovbe", "fcmovu", "fcmovnb",
        "fcmovne", "fcmovnbe", "fcmovnu",
    ] {
        let two = op.starts_with("fcmov") || op.starts_with("fcomi") || op.starts_with("fucomi");
        if two {
            v.push(format!("{op} st, st(1)"));
            v.push(format!("{op} st, st(7)"));
        } else {
            v.push(format!("{op} st(1)"));
            v.push(format!("{op} st(7)"));
        }
    }
    for s in [
        "fcompp",
        "fucompp",
        "ftst",
        "fxam",
        "fld1",
        "fldl2t",
        "fldl2e",
        "fldpi",
        "fldlg2",
        "fldln2",
        "fldz",
        "fincstp",
        "fdecstp",
        "finit",
        "fninit",
        "fclex",
        "fnclex",
        "f2xm1",
        "fyl2x",
        "fyl2xp1",
        "fsin",
        "fcos",
        "fsincos",
        "fptan",
        "fpatan",
        "fsqrt",
        "fabs",
        "fchs",
        "frndint",
        "fscale",
        "fprem",
        "fprem1",
        "fxtract",
        "fnop",
        "fwait",
        "nop",
        "wait",
        "nop",
        "fstsw ax",
        "fnstsw ax",
    ] {
        v.push(s.to_string());
    }
    for op in [
        "fldcw", "fnstcw", "fstcw", "fnstsw", "fstsw", "fnstenv", "fstenv", "fldenv", "fnsave",
        "fsave", "frstor",
    ] {
        v.push(format!("{op} {m}"));
    }
    for op in ["fldcw", "fnstcw", "fnstsw"] {
        v.push(format!("{op} word ptr {m}"));
    }
    v
}
