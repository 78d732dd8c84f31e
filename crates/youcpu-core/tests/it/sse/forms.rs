//! Every SSE to SSE4.2 instruction form the test runs, each with the table it runs over.

/// One instruction form over one table.
pub struct Form {
    pub text: String,
    pub table: usize,
}

pub fn forms() -> Vec<Form> {
    let mut f = Vec::new();
    let mut add = |t: usize, s: &str| {
        f.push(Form {
            text: s.to_string(),
            table: t,
        })
    };
    // Tables: 0 f64 binary, 1 f32 binary, 2 f64 unary, 3 f32 unary, 4 integer, 5 SIMD.
    for op in ["add", "sub", "mul", "div", "min", "max"] {
        add(0, &format!("{op}sd %xmm1, %xmm0"));
        add(0, &format!("{op}pd %xmm1, %xmm0"));
        add(1, &format!("{op}ss %xmm1, %xmm0"));
        add(1, &format!("{op}ps %xmm1, %xmm0"));
    }
    add(0, "addsd 32(%rsi), %xmm0");
    add(1, "mulss 32(%rsi), %xmm0");
    add(0, "divpd 32(%rsi), %xmm0");
    for op in ["addsubpd", "haddpd", "hsubpd", "comisd", "ucomisd"] {
        add(0, &format!("{op} %xmm1, %xmm0"));
    }
    for op in ["addsubps", "haddps", "hsubps", "comiss", "ucomiss"] {
        add(1, &format!("{op} %xmm1, %xmm0"));
    }
    for p in 0..8 {
        add(0, &format!("cmpsd ${p}, %xmm1, %xmm0"));
        add(0, &format!("cmppd ${p}, %xmm1, %xmm0"));
        add(1, &format!("cmpss ${p}, %xmm1, %xmm0"));
        add(1, &format!("cmpps ${p}, %xmm1, %xmm0"));
    }
    for op in [
        "sqrtsd %xmm1, %xmm0",
        "sqrtpd %xmm1, %xmm0",
        "cvtsd2ss %xmm1, %xmm0",
        "cvtpd2ps %xmm1, %xmm0",
        "cvtsd2si %xmm1, %r8",
        "cvtsd2si %xmm1, %r8d",
        "cvttsd2si %xmm1, %r8",
        "cvttsd2si %xmm1, %r8d",
        "cvtpd2dq %xmm1, %xmm0",
        "cvttpd2dq %xmm1, %xmm0",
        "cvtsd2si 32(%rsi), %r8",
        "sqrtsd 32(%rsi), %xmm0",
        "movmskpd %xmm1, %r8d",
        "movddup %xmm1, %xmm0",
    ] {
        add(2, op);
    }
    for op in [
        "sqrtss %xmm1, %xmm0",
        "sqrtps %xmm1, %xmm0",
        "cvtss2sd %xmm1, %xmm0",
        "cvtps2pd %xmm1, %xmm0",
        "cvtss2si %xmm1, %r8",
        "cvtss2si %xmm1, %r8d",
        "cvttss2si %xmm1, %r8",
        "cvttss2si %xmm1, %r8d",
        "cvtps2dq %xmm1, %xmm0",
        "cvttps2dq %xmm1, %xmm0",
        "cvtss2sd 32(%rsi), %xmm0",
        "movmskps %xmm1, %r8d",
        "movshdup %xmm1, %xmm0",
        "rcpss %xmm1, %xmm0",
        "rcpps %xmm1, %xmm0",
        "rsqrtss %xmm1, %xmm0",
        "rsqrtps %xmm1, %xmm0",
        "rsqrtps 32(%rsi), %xmm0",
        "movsldup %xmm1, %xmm0",
    ] {
        add(3, op);
    }
    add(6, "rcpps %xmm1, %xmm0");
    add(6, "rsqrtps %xmm1, %xmm0");
    for imm in 0..16 {
        add(2, &format!("roundsd ${imm}, %xmm1, %xmm0"));
        add(3, &format!("roundss ${imm}, %xmm1, %xmm0"));
    }
    for imm in 0..16 {
        add(2, &format!("roundpd ${imm}, %xmm1, %xmm0"));
        add(3, &format!("roundps ${imm}, %xmm1, %xmm0"));
    }
    add(2, "roundsd $9, 32(%rsi), %xmm0");
    add(3, "roundss $12, 32(%rsi), %xmm0");
    // MMX conversions with the integer-indefinite results, under every MXCSR mode.
    for op in ["cvtpd2pi %xmm1, %mm0", "cvttpd2pi %xmm1, %mm0"] {
        add(2, &format!("{op}\n movq %mm0, %r8\n emms"));
    }
    for op in ["cvtps2pi %xmm1, %mm0", "cvttps2pi %xmm1, %mm0"] {
        add(3, &format!("{op}\n movq %mm0, %r8\n emms"));
    }
    for imm in ["0xff", "0x71", "0xf1", "0x3c", "0xa5", "0x0f"] {
        add(1, &format!("dpps ${imm}, %xmm1, %xmm0"));
    }
    for imm in ["0x33", "0x31", "0x12", "0x23"] {
        add(0, &format!("dppd ${imm}, %xmm1, %xmm0"));
    }
    for op in [
        "cvtsi2sd %r9, %xmm0",
        "cvtsi2sd %r9d, %xmm0",
        "cvtsi2ss %r9, %xmm0",
        "cvtsi2ss %r9d, %xmm0",
        "cvtsi2sdq 32(%rsi), %xmm0",
        "cvtsi2ssl 32(%rsi), %xmm0",
        "cvtdq2ps %xmm1, %xmm0",
        "cvtdq2pd %xmm1, %xmm0",
    ] {
        add(4, op);
    }
    for op in [
        "paddb",
        "paddw",
        "paddd",
        "paddq",
        "psubb",
        "psubw",
        "psubd",
        "psubq",
        "paddsb",
        "paddsw",
        "paddusb",
        "paddusw",
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
        "andps",
        "andnpd",
        "orps",
        "xorpd",
        "andpd",
        "andnps",
        "orpd",
        "xorps",
        "punpcklbw",
        "punpcklwd",
        "punpckldq",
        "punpcklqdq",
        "punpckhbw",
        "punpckhwd",
        "punpckhdq",
        "punpckhqdq",
        "unpcklps",
        "unpckhps",
        "unpcklpd",
        "unpckhpd",
        "packsswb",
        "packssdw",
        "packuswb",
        "psllw",
        "pslld",
        "psllq",
        "psrlw",
        "psrld",
        "psrlq",
        "psraw",
        "psrad", // SSSE3
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
        // SSE4.1
        "pmulld",
        "pmuldq",
        "pcmpeqq",
        "pminsb",
        "pmaxsb",
        "pminuw",
        "pmaxuw",
        "pminud",
        "pmaxud",
        "pminsd",
        "pmaxsd",
        "packusdw",
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
        "ptest", // SSE4.2
        "pcmpgtq",
    ] {
        add(5, &format!("{op} %xmm1, %xmm0"));
    }
    for op in [
        "pmovmskb %xmm1, %r8d",
        "pshufd $0x1b, %xmm1, %xmm0",
        "pshuflw $0x9c, %xmm1, %xmm0",
        "pshufhw $0x63, %xmm1, %xmm0",
        "shufps $0xb1, %xmm1, %xmm0",
        "shufpd $2, %xmm1, %xmm0",
        "palignr $0, %xmm1, %xmm0",
        "palignr $5, %xmm1, %xmm0",
        "palignr $16, %xmm1, %xmm0",
        "palignr $21, %xmm1, %xmm0",
        "palignr $32, %xmm1, %xmm0",
        "psllw $3, %xmm0",
        "pslld $17, %xmm0",
        "psllq $63, %xmm0",
        "psrlw $16, %xmm0",
        "psrld $1, %xmm0",
        "psrlq $40, %xmm0",
        "psraw $15, %xmm0",
        "psrad $200, %xmm0",
        "pslldq $7, %xmm0",
        "psrldq $15, %xmm0",
        "pextrw $5, %xmm1, %r8d",
        "pinsrw $3, %r9d, %xmm0",
        "pextrb $13, %xmm1, %r8d",
        "pextrd $2, %xmm1, %r8d",
        "pextrq $1, %xmm1, %r8",
        "extractps $3, %xmm1, %r8d",
        "pinsrb $9, %r9d, %xmm0",
        "pinsrd $1, %r9d, %xmm0",
        "pinsrq $1, %r9, %xmm0",
        "insertps $0x9a, %xmm1, %xmm0",
        "blendps $5, %xmm1, %xmm0",
        "blendpd $2, %xmm1, %xmm0",
        "pblendw $0xa6, %xmm1, %xmm0",
        "blendvps %xmm0, %xmm1, %xmm0",
        "pblendvb %xmm0, %xmm1, %xmm0",
        "blendvpd %xmm0, %xmm1, %xmm0",
        "blendvps %xmm0, 32(%rsi), %xmm0",
        "movaps 32(%rsi), %xmm0",
        "movapd 32(%rsi), %xmm0",
        "movdqa 32(%rsi), %xmm0",
        "movups 33(%rsi), %xmm0",
        "movupd 35(%rsi), %xmm0",
        "movdqu 37(%rsi), %xmm0",
        "movaps %xmm1, 32(%rdi)\n movq 40(%rdi), %r8",
        "movups %xmm1, 33(%rdi)\n movq 41(%rdi), %r8",
        "movupd %xmm1, 39(%rdi)\n movq 39(%rdi), %r8",
        "movntps %xmm1, 32(%rdi)\n movq 32(%rdi), %r8",
        "movntpd %xmm1, 32(%rdi)\n movq 40(%rdi), %r8",
        "movntdq %xmm1, 32(%rdi)\n movq 36(%rdi), %r8",
        "movhlps %xmm1, %xmm0",
        "movlhps %xmm1, %xmm0",
        "movq %xmm1, %xmm0",
        "movd %xmm1, %r8d",
        "movq %r9, %xmm0",
        "movss %xmm1, %xmm0",
        "movsd %xmm1, %xmm0",
        "movsd 32(%rsi), %xmm0",
        "movhpd 32(%rsi), %xmm0",
        "movlps 32(%rsi), %xmm0",
        "lddqu 33(%rsi), %xmm0",
        "movntdqa 32(%rsi), %xmm0",
        "mov %rdi, %r10\n lea 24(%rdi), %rdi\n maskmovdqu %xmm1, %xmm0\n mov %r10, %rdi\n movdqu 24(%rdi), %xmm0",
        "pextrb $7, %xmm1, 24(%rdi)\n movq 24(%rdi), %r8",
        "pextrw $6, %xmm1, 24(%rdi)\n movq 24(%rdi), %r8",
        "extractps $2, %xmm1, 24(%rdi)\n movq 24(%rdi), %r8",
        "pinsrb $15, 35(%rsi), %xmm0",
        "pinsrw $7, 34(%rsi), %xmm0",
        "insertps $0x30, 36(%rsi), %xmm0",
        "movhps %xmm1, 24(%rdi)\n movq 24(%rdi), %r8",
        "movlpd %xmm1, 24(%rdi)\n movq 24(%rdi), %r8",
        "movnti %r9, 24(%rdi)\n movq 24(%rdi), %r8",
        "pmovzxbw 32(%rsi), %xmm0",
        "pmovsxwq 32(%rsi), %xmm0",
        "movss 32(%rsi), %xmm0",
        "movq 32(%rsi), %xmm0",
        "movd 32(%rsi), %xmm0",
        "cvtps2pd 32(%rsi), %xmm0",
        "cvtdq2pd 32(%rsi), %xmm0",
        "pshufd $0x4e, 32(%rsi), %xmm0",
        "pcmpistri $0x1a, 32(%rsi), %xmm0\n mov %ecx, %r8d",
        "mpsadbw $0, %xmm1, %xmm0",
        "mpsadbw $5, %xmm1, %xmm0",
        "mpsadbw $7, 32(%rsi), %xmm0",
        // REX: XMM8-15 and R8-15 operands.
        "movdqa %xmm1, %xmm14\n pshufb %xmm0, %xmm14\n movdqa %xmm14, %xmm0",
        "movdqa %xmm0, %xmm9\n punpckhbw %xmm1, %xmm9\n pmovmskb %xmm9, %r11d\n movq %r11, %xmm0",
        "movq %r9, %xmm15\n paddq %xmm15, %xmm0\n movq %xmm0, %r13\n mov %r13, %r8",
        "cvtsi2sdq %r9, %xmm12\n movapd %xmm12, %xmm0",
        "popcnt %r9, %r8",
        "popcnt %r9w, %r8w",
        "crc32b %r9b, %r8d",
        "crc32w %r9w, %r8d",
        "crc32l %r9d, %r8d",
        "crc32q %r9, %r8",
        "crc32b 35(%rsi), %r8",
    ] {
        add(5, op);
    }
    // MMX: the same operations on MM0/MM1 (the low halves of the table's values).
    for op in [
        "paddb",
        "paddw",
        "paddd",
        "paddq",
        "psubb",
        "psubw",
        "psubd",
        "psubq",
        "paddsb",
        "paddusw",
        "psubsw",
        "psubusb",
        "pmullw",
        "pmulhw",
        "pmulhuw",
        "pmuludq",
        "pmaddwd",
        "psadbw",
        "pavgb",
        "pavgw",
        "pminub",
        "pmaxsw",
        "pcmpeqb",
        "pcmpeqd",
        "pcmpgtw",
        "pand",
        "pandn",
        "por",
        "pxor",
        "punpcklbw",
        "punpcklwd",
        "punpckldq",
        "punpckhbw",
        "punpckhwd",
        "punpckhdq",
        "packsswb",
        "packssdw",
        "packuswb",
        "psllw",
        "pslld",
        "psllq",
        "psrlw",
        "psrad",
        "pshufb",
        "phaddw",
        "phaddd",
        "phsubsw",
        "pmaddubsw",
        "pmulhrsw",
        "psignb",
        "pabsw",
    ] {
        add(
            5,
            &format!("movq 16(%rsi), %mm0\n movq 32(%rsi), %mm1\n {op} %mm1, %mm0\n movq %mm0, %r8\n emms"),
        );
    }
    for op in [
        "pshufw $0x6c, %mm1, %mm0",
        "palignr $3, %mm1, %mm0",
        "palignr $11, %mm1, %mm0",
        "psrlq $13, %mm0",
        "pslld $40, %mm0",
        "pinsrw $2, %r9d, %mm0",
        "movd %r9d, %mm0",
        "paddw 32(%rsi), %mm0",
        "pextrw $3, %mm1, %eax\n mov %eax, %r9d\n movd %r9d, %mm0",
        "pmovmskb %mm1, %eax\n movd %eax, %mm0",
        "cvtpi2ps %mm1, %xmm0",
        "cvtpi2pd %mm1, %xmm0",
        "cvtps2pi %xmm0, %mm0",
        "cvttpd2pi %xmm0, %mm0",
        "movq2dq %mm1, %xmm0",
        "movdq2q %xmm1, %mm0",
        "movntq %mm1, 32(%rdi)\n movq 32(%rdi), %mm0",
        "mov %rdi, %r10\n lea 24(%rdi), %rdi\n maskmovq %mm1, %mm0\n mov %r10, %rdi\n movq 24(%rdi), %mm0",
    ] {
        add(
            5,
            &format!("movq 16(%rsi), %mm0\n movq 32(%rsi), %mm1\n {op}\n movq %mm0, %r8\n emms"),
        );
    }
    // SSE4.2 string compares: every source format, aggregation and polarity, both index
    // directions and mask forms, implicit and explicit lengths (EAX/EDX, also negative and
    // saturating).
    for imm in [
        0x00u32, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
        0x0e, 0x0f, 0x10, 0x14, 0x18, 0x1c, 0x30, 0x34, 0x38, 0x3c, 0x40, 0x44, 0x48, 0x4c, 0x70,
        0x7d,
    ] {
        add(
            5,
            &format!("pcmpistri ${imm:#x}, %xmm1, %xmm0\n mov %ecx, %r8d"),
        );
        add(5, &format!("pcmpistrm ${imm:#x}, %xmm1, %xmm0"));
        add(
            5,
            &format!(
                "mov $5, %eax\n mov $-9, %edx\n pcmpestri ${imm:#x}, %xmm1, %xmm0\n mov %ecx, %r8d"
            ),
        );
        add(
            5,
            &format!("mov $-100, %eax\n mov $3, %edx\n pcmpestrm ${imm:#x}, %xmm1, %xmm0"),
        );
    }
    add(
        5,
        "mov $0x8000000000000001, %rax\n mov $12, %rdx\n pcmpestriq $0x4c, 32(%rsi), %xmm0\n mov %ecx, %r8d",
    );
    f
}
