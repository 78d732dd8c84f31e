//! Broad instruction lists for the oracle tests, generated rather than typed: every ALU op in
//! every operand form and size, immediates at sign-extension boundaries, every addressing form
//! (each base and index register, rsp/rbp/r12/r13, no base, absolute, rip-relative), and the
//! other families the article uses. Some lines are meant to be refused (by GAS and by us).

#![allow(dead_code)]

pub const ALU: &[&str] = &["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];

pub const R8_64: &[&str] = &[
    "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh", "spl", "bpl", "sil", "dil", "r8b", "r9b",
    "r12b", "r13b", "r15b",
];
pub const R16_64: &[&str] = &[
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r12w", "r13w", "r15w",
];
pub const R32_64: &[&str] = &[
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r12d", "r13d", "r15d",
];
pub const R64: &[&str] = &[
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15",
];

/// Immediate values at every sign-extension and width boundary.
pub const IMMS: &[&str] = &[
    "0",
    "1",
    "127",
    "128",
    "-128",
    "-129",
    "255",
    "256",
    "32767",
    "32768",
    "-32768",
    "-32769",
    "65535",
    "65536",
    "0x7fffffff",
    "0x80000000",
    "0xffffffff",
    "-1",
    "-0x80000000",
    "-0x80000001",
    "0x100000000",
    "0x7fffffffffffffff",
    "0xffffffffffffffff",
];

/// Displacements at disp8/disp32 boundaries.
pub const DISPS: &[&str] = &[
    "",
    "+0",
    "+1",
    "-1",
    "+127",
    "+128",
    "-128",
    "-129",
    "+0x7fffffff",
    "-0x80000000",
];

fn push_all(v: &mut Vec<String>, it: impl IntoIterator<Item = String>) {
    v.extend(it);
}

/// Memory operands of 64-bit mode: every base, every index and scale, boundary displacements.
pub fn mems64() -> Vec<String> {
    let mut m = Vec::new();
    for b in R64 {
        for d in DISPS {
            m.push(format!("[{b}{d}]"));
        }
    }
    for i in R64.iter().filter(|r| **r != "rsp") {
        for s in ["1", "2", "4", "8"] {
            m.push(format!("[rax+{i}*{s}]"));
            m.push(format!("[{i}*{s}+0x10]"));
        }
        m.push(format!("[rbp+{i}*4]"));
        m.push(format!("[r13+{i}*2-8]"));
        m.push(format!("[rsp+{i}]"));
        m.push(format!("[r12+{i}*8+0x1000]"));
    }
    for d in [
        "0",
        "0x10",
        "-8",
        "0x7fffffff",
        "-0x80000000",
        "0x80000000",
        "0xffffffff",
    ] {
        m.push(format!("[{d}]"));
    }
    for d in ["0", "0x10", "-8", "0x7fffffff", "-0x80000000"] {
        m.push(format!("[rip+{d}]"));
    }
    for r in ["eax", "ebp", "esp", "r12d", "r13d"] {
        m.push(format!("[{r}]"));
        m.push(format!("[{r}+0x40]"));
    }
    m.push("[eax+ebx*4]".into());
    m.push("[rax+rsp]".into());
    m.push("[rbp+rbp]".into());
    m.push("[rax*2+rax]".into());
    m.push("[-8+rax]".into());
    m.push("[rax+4*2]".into());
    m.push("[rax+2*(3+1)-1]".into());
    m
}

/// 64-bit mode.
pub fn cases64() -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    let sizes: [(&[&str], &str); 4] = [
        (R8_64, "byte"),
        (R16_64, "word"),
        (R32_64, "dword"),
        (R64, "qword"),
    ];
    for op in ALU.iter().chain(["mov", "test"].iter()) {
        for (regs, kw) in sizes {
            for (i, d) in regs.iter().enumerate() {
                let s = regs[(i * 5 + 3) % regs.len()];
                v.push(format!("{op} {d}, {s}"));
                v.push(format!("{op} {d}, [rbx+8]"));
                v.push(format!("{op} [r12], {d}"));
            }
            for d in [regs[0], regs[3], regs[regs.len() - 1]] {
                for imm in IMMS {
                    v.push(format!("{op} {d}, {imm}"));
                }
            }
            for imm in [
                "0",
                "1",
                "127",
                "128",
                "-128",
                "-129",
                "255",
                "0x7fffffff",
                "0xffffffff",
                "-1",
            ] {
                v.push(format!("{op} {kw} ptr [rbp-8], {imm}"));
            }
            v.push(format!("{op} [rax], 1"));
        }
    }
    for m in mems64() {
        v.push(format!("mov eax, {m}"));
        v.push(format!("lea rax, {m}"));
        v.push(format!("add qword ptr {m}, 1"));
    }
    for seg in ["fs", "gs", "ds", "ss", "es", "cs"] {
        for m in ["[rax]", "[rbp]", "[rsp+8]", "[0x28]", "[rip+0x10]"] {
            v.push(format!("mov rax, qword ptr {seg}:{m}"));
        }
    }
    v.push("mov rax, fs:0x28".into());
    for op in ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"] {
        for d in [
            "al",
            "cx",
            "edx",
            "rbx",
            "r9",
            "r10b",
            "byte ptr [rax]",
            "dword ptr [rsp+4]",
            "qword ptr [r13]",
        ] {
            for c in ["1", "cl", "0", "2", "31", "255", "256"] {
                v.push(format!("{op} {d}, {c}"));
            }
            v.push(format!("{op} {d}"));
        }
    }
    for op in ["mul", "imul", "div", "idiv", "neg", "not", "inc", "dec"] {
        for d in [
            "al",
            "bh",
            "cx",
            "edx",
            "rsi",
            "r11",
            "r11b",
            "byte ptr [rax]",
            "word ptr [rbx]",
            "dword ptr [rcx+rdx*2]",
            "qword ptr [rip+0x20]",
            "[rax]",
        ] {
            v.push(format!("{op} {d}"));
        }
        v.push(format!("lock {op} dword ptr [rax]"));
    }
    for (d, s) in [
        ("ax", "bx"),
        ("eax", "ebx"),
        ("rax", "r15"),
        ("r8d", "dword ptr [rax]"),
        ("cx", "word ptr [rsp]"),
    ] {
        v.push(format!("imul {d}, {s}"));
        for imm in [
            "0",
            "1",
            "127",
            "128",
            "-128",
            "-129",
            "0x7fff",
            "0x8000",
            "0x7fffffff",
            "-1",
        ] {
            v.push(format!("imul {d}, {s}, {imm}"));
            v.push(format!("imul {d}, {imm}"));
        }
    }
    for r in R64.iter().chain(["ax", "r9w", "fs", "gs"].iter()) {
        v.push(format!("push {r}"));
        v.push(format!("pop {r}"));
    }
    for imm in IMMS {
        v.push(format!("push {imm}"));
    }
    for m in [
        "[rax]",
        "qword ptr [rbp+8]",
        "word ptr [rax]",
        "[rip+0x100]",
        "dword ptr [rax]",
        "eax",
        "cs",
    ] {
        v.push(format!("push {m}"));
        v.push(format!("pop {m}"));
    }
    v.push("push word ptr 1".into());
    for (d, s) in [
        ("eax", "bl"),
        ("eax", "bx"),
        ("rax", "bl"),
        ("rax", "bx"),
        ("ax", "bl"),
        ("r8d", "r9b"),
        ("eax", "ah"),
        ("eax", "byte ptr [rax]"),
        ("eax", "word ptr [rax]"),
        ("rax", "byte ptr [r12]"),
        ("eax", "[rax]"),
        ("rax", "sil"),
    ] {
        v.push(format!("movzx {d}, {s}"));
        v.push(format!("movsx {d}, {s}"));
    }
    for s in ["ebx", "r9d", "dword ptr [rax]", "[rax]"] {
        v.push(format!("movsxd rax, {s}"));
        v.push(format!("movsx rax, {s}"));
    }
    let ccs = [
        "o", "no", "b", "c", "nae", "ae", "nb", "nc", "e", "z", "ne", "nz", "be", "na", "a", "nbe",
        "s", "ns", "p", "pe", "np", "po", "l", "nge", "ge", "nl", "le", "ng", "g", "nle",
    ];
    for cc in ccs {
        v.push(format!("set{cc} al"));
        v.push(format!("set{cc} byte ptr [rax]"));
        v.push(format!("set{cc} r12b"));
        v.push(format!("cmov{cc} eax, ebx"));
        v.push(format!("cmov{cc} rax, qword ptr [rbx]"));
        v.push(format!("cmov{cc} ax, r8w"));
        v.push(format!("j{cc} 0x400000"));
        v.push(format!("j{cc} $+0x10"));
        v.push(format!("j{cc} $-0x80"));
        v.push(format!("j{cc} $+0x1000"));
    }
    for t in [
        "0x400000",
        "0x400010",
        "0x500000",
        "0x3fff00",
        "0x10",
        "$",
        "$+2",
        "$+0x81",
        "$+0x82",
        "$-0x7e",
        "$-0x80",
        "$+0x100000",
    ] {
        v.push(format!("jmp {t}"));
        v.push(format!("call {t}"));
        v.push(format!("jmp short {t}"));
    }
    for t in ["$+0x10", "$-0x20", "$+0x82", "0x400020", "0x400000"] {
        v.push(format!("loop {t}"));
        v.push(format!("jrcxz {t}"));
        v.push(format!("jecxz {t}"));
    }
    for m in [
        "rax",
        "r11",
        "qword ptr [rax]",
        "[rax]",
        "[rip+0x10]",
        "qword ptr [rbx+rcx*8]",
    ] {
        v.push(format!("jmp {m}"));
        v.push(format!("call {m}"));
    }
    for s in ["movs", "cmps", "scas", "lods", "stos"] {
        for w in ["b", "w", "d", "q"] {
            v.push(format!("{s}{w}"));
            v.push(format!("rep {s}{w}"));
            v.push(format!("repe {s}{w}"));
            v.push(format!("repne {s}{w}"));
        }
    }
    for s in [
        "cbw",
        "cwde",
        "cdqe",
        "cwd",
        "cdq",
        "cqo",
        "syscall",
        "sysret",
        "int3",
        "int 3",
        "int 0x80",
        "int 0",
        "int 255",
        "iretq",
        "iret",
        "iretd",
        "hlt",
        "cli",
        "sti",
        "cld",
        "std",
        "clc",
        "stc",
        "cmc",
        "nop",
        "pause",
        "leave",
        "ret",
        "ret 8",
        "ret 0xffff",
        "ret 0x10000",
        "ud2",
        "cpuid",
        "rdtsc",
        "xlat",
        "xlatb",
        "pushf",
        "popf",
        "pushfq",
        "popfq",
        "lahf",
        "sahf",
        "lock add dword ptr [rax], 1",
        "lock add eax, 1",
        "rep ret",
        "rep add eax, ebx",
        "enter 16, 0",
        "enter 0x100, 1",
        "fs movsb",
        "lfence",
        "mfence",
        "sfence",
        "wait",
        "in al, dx",
        "out dx, eax",
        "in eax, 0x60",
        "xchg [rax], ebx",
        "xchg ebx, [rax]",
        "bswap eax",
        "bswap r9",
        "bt eax, 3",
        "bts qword ptr [rax], 63",
        "bsf eax, ebx",
        "popcnt rax, rbx",
        "tzcnt eax, ecx",
        "lzcnt eax, ecx",
        "cmpxchg [rax], ecx",
        "lock cmpxchg qword ptr [rdi], rsi",
        "xadd [rax], eax",
        "fadd st(0), st(1)",
        "fld qword ptr [rax]",
        "fstp tbyte ptr [rax]",
        "fld [rax]",
    ] {
        v.push(s.to_string());
    }
    for (a, b) in [
        ("eax", "eax"),
        ("rax", "rax"),
        ("ax", "ax"),
        ("eax", "ebx"),
        ("ebx", "eax"),
        ("rax", "r8"),
        ("r8", "rax"),
        ("ax", "bx"),
        ("ecx", "edx"),
        ("al", "bl"),
        ("r8d", "eax"),
        ("eax", "r8d"),
        ("r8w", "ax"),
        ("r15", "rax"),
    ] {
        v.push(format!("xchg {a}, {b}"));
    }
    for (a, b) in [
        ("eax", "ebx"),
        ("ebx", "eax"),
        ("[rax], ebx", ""),
        ("ebx, [rax]", ""),
        ("al", "5"),
        ("ax", "5"),
        ("rax", "-1"),
        ("rax", "0x7fffffff"),
    ] {
        if b.is_empty() {
            v.push(format!("test {a}"));
        } else {
            v.push(format!("test {a}, {b}"));
        }
    }
    let xmm = ["xmm0", "xmm1", "xmm7", "xmm8", "xmm15"];
    for op in [
        "movups", "movaps", "movdqa", "movdqu", "movupd", "movapd", "movss", "movsd", "pxor",
        "por", "pand", "pandn", "paddd", "paddq", "psubb", "pcmpeqb", "xorps", "andps", "addps",
        "mulsd", "sqrtsd",
    ] {
        for (i, a) in xmm.iter().enumerate() {
            let b = xmm[(i + 2) % xmm.len()];
            v.push(format!("{op} {a}, {b}"));
        }
        v.push(format!("{op} xmm3, [rax]"));
        v.push(format!("{op} xmm9, xmmword ptr [r13+rax*4+0x10]"));
        v.push(format!("{op} [rsp], xmm2"));
        v.push(format!("{op} xmmword ptr [rip+0x40], xmm12"));
    }
    for (a, b) in [
        ("xmm0", "xmm1"),
        ("xmm8", "xmm1"),
        ("xmm0", "rax"),
        ("rax", "xmm0"),
        ("xmm0", "[rax]"),
        ("[rax]", "xmm0"),
        ("xmm9", "r10"),
        ("r10", "xmm9"),
        ("xmm0", "qword ptr [rax]"),
        ("mm0", "mm1"),
        ("mm0", "rax"),
        ("rax", "mm1"),
    ] {
        v.push(format!("movq {a}, {b}"));
    }
    for (a, b) in [
        ("xmm0", "eax"),
        ("eax", "xmm0"),
        ("xmm0", "[rax]"),
        ("[rax]", "xmm0"),
        ("xmm10", "r11d"),
        ("mm0", "eax"),
        ("xmm0", "dword ptr [rax]"),
    ] {
        v.push(format!("movd {a}, {b}"));
    }
    for s in [
        "nop eax",
        "nop dword ptr [rax]",
        "nop word ptr [rax+rax]",
        "nop dword ptr [rax+rax*1+0]",
        "nop word ptr cs:[rax+rax*1+0]",
        "xchg ax, ax",
        "nop ax",
        "nop rax",
        "nop [rax]",
        "movabs rax, 1",
        "movabs eax, [0x1000]",
        "movabs al, [0x1122334455667788]",
        "mov eax, [0x1122334455667788]",
        "mov rax, [0x80000000]",
        "movabs [0x10], rax",
        "mov rax, 0x7fffffff",
        "mov rax, 0x80000000",
        "mov rax, -0x80000000",
        "mov rax, -0x80000001",
        "mov eax, -1",
        "mov r8, 0xffffffff",
        "mov cr0, rax",
        "mov rax, cr3",
        "mov ds, ax",
        "mov ax, ss",
        "mov eax, ds",
        "mov dr7, rax",
    ] {
        v.push(s.to_string());
    }
    // Other families: AVX/AVX2, more SSE with immediates, bit ops, x87, system.
    for s in [
        "vaddps xmm0, xmm1, xmm2",
        "vaddps ymm0, ymm1, ymmword ptr [rax]",
        "vmovdqu ymm8, [r9+rax*4]",
        "vmovdqa xmm1, xmm9",
        "vpxor ymm0, ymm0, ymm0",
        "vpxor xmm15, xmm14, xmm13",
        "vmovups [rsp], ymm3",
        "vbroadcastss ymm0, dword ptr [rax]",
        "vpshufd xmm0, xmm1, 0x1b",
        "vzeroupper",
        "vmovq xmm0, rax",
        "vmovd eax, xmm1",
        "vfmadd231ps ymm0, ymm1, ymm2",
        "vpcmpeqb ymm1, ymm2, [rdi]",
        "vpmovmskb eax, ymm1",
        "vinsertf128 ymm0, ymm1, xmm2, 1",
        "vextracti128 xmm0, ymm1, 1",
        "vpermq ymm0, ymm1, 0xd8",
        "andn eax, ebx, ecx",
        "shlx rax, rbx, rcx",
        "bzhi eax, ebx, ecx",
        "pdep rax, rbx, [rcx]",
        "blsr eax, ebx",
        "shufps xmm0, xmm1, 0x44",
        "pshufd xmm0, [rax], 0xff",
        "cvtsi2sd xmm0, eax",
        "cvtsi2sd xmm0, rax",
        "cvttsd2si eax, xmm1",
        "cvttsd2si rax, qword ptr [rax]",
        "cvtss2sd xmm0, dword ptr [rax]",
        "ucomisd xmm0, xmm1",
        "pinsrw xmm0, eax, 3",
        "pextrw eax, xmm0, 7",
        "pmovmskb eax, xmm3",
        "palignr xmm0, xmm1, 8",
        "pshufb xmm0, xmm1",
        "ptest xmm0, xmm1",
        "pcmpistri xmm0, xmm1, 0x0c",
        "crc32 eax, byte ptr [rax]",
        "crc32 rax, rbx",
        "movbe eax, [rax]",
        "bt eax, ebx",
        "btc qword ptr [rax], rcx",
        "btr rax, 63",
        "bsr rax, [rdi]",
        "shld eax, ebx, 4",
        "shrd rax, rbx, cl",
        "cmpxchg8b qword ptr [rax]",
        "cmpxchg16b xmmword ptr [rax]",
        "xadd qword ptr [rsp], rax",
        "lock xadd [rdi], eax",
        "fld st(3)",
        "fxch st(1)",
        "fstp st(0)",
        "faddp st(1), st",
        "fild dword ptr [rax]",
        "fistp qword ptr [rax]",
        "fnstcw word ptr [rsp]",
        "fldcw word ptr [rsp]",
        "fstsw ax",
        "fnstsw ax",
        "fldz",
        "fld1",
        "fsqrt",
        "fninit",
        "fxsave [rax]",
        "fxrstor [rax]",
        "ldmxcsr dword ptr [rax]",
        "stmxcsr [rax]",
        "rdrand eax",
        "rdseed rax",
        "rdtscp",
        "xgetbv",
        "clflush [rax]",
        "prefetcht0 [rax]",
        "prefetchnta byte ptr [rax]",
        "endbr64",
        "endbr32",
        "lgdt [rax]",
        "lidt [rax]",
        "sgdt [rax]",
        "invlpg [rax]",
        "mov cr4, rax",
        "wrmsr",
        "rdmsr",
        "swapgs",
        "sysenter",
        "int1",
        "into",
        "xbegin $+0x10",
        "xend",
        "xabort 1",
        "ud1 eax, ebx",
        "movnti [rax], eax",
        "movntdq [rax], xmm0",
        "lfence",
        "popcnt eax, dword ptr [rax]",
        "lzcnt rax, rbx",
        "tzcnt ax, bx",
        "cmovz eax, dword ptr [rip+0x10]",
        "setnz byte ptr [rip-4]",
        "sete r15b",
        "bswap r12",
        "cwd",
        "lahf",
        "data16 nop",
        "cs nop",
        "rep nop",
        "repne ret",
        "movsx eax, byte ptr [rsi]",
        "movzx r15, word ptr [r15]",
        "imul r15, qword ptr [r15+r15*8+0x7f], -1",
        "leave",
        "enter 0, 0",
        "ret 0",
        "retf",
        "retf 8",
        "jmp fword ptr [rax]",
        "call fword ptr [rax]",
        "in al, 0x80",
        "out 0x80, al",
        "in ax, dx",
        "outsb",
        "insd",
        "rep insb",
        "rep outsw",
        "mov r8b, byte ptr [r9+r10*2+0x12345678]",
        "mov byte ptr [r9], r8b",
        "add spl, bpl",
        "add sil, dil",
        "mov ah, byte ptr [rax]",
        "mov ah, byte ptr [r8]",
        "faddp",
        "fmulp",
        "fsubp",
        "fsubrp",
        "fdivp",
        "fdivrp",
        "fxch",
        "fucom",
        "fucomp",
        "fcom",
        "fcomp",
        "fsub st(1), st",
        "fsub st, st(1)",
        "fsubr st(1), st",
        "fdiv st(2), st",
        "fdivr st(2), st",
        "fcom st(2)",
        "fadd st(3)",
        "data16 add eax, ebx",
        "cs add eax, ebx",
        "cs mov eax, [rax]",
        "ds mov eax, [rbp]",
        "fs mov eax, [rax]",
        "addr32 nop",
        "fs fs nop",
        "lock lock add [rax], eax",
        "rep repne movsb",
        "gs lodsb",
        "es stosb",
        "lea rax, [rip+0]",
        "mov eax, dword ptr gs:[rip+0x10]",
        "data16 push 1",
        "vgatherdps xmm0, [rax+xmm1*4], xmm2",
        "vgatherdps ymm0, [rax+ymm1*4], ymm2",
        "vpgatherqq ymm0, [rbx+ymm7*8+0x10], ymm3",
        "vgatherdpd xmm0, [xmm1*8+0x100], xmm2",
        "vpgatherdd xmm0, [r13+xmm15*1], xmm2",
        "vgatherdps xmm0, [eax+xmm1*4], xmm2",
        "mov eax, [rax+xmm1]",
        "vpxord xmm16, xmm17, xmm18",
        "vaddps zmm0, zmm1, zmm2",
        "vmovdqu64 zmm0, [rax]",
        "vmovdqa32 xmm16, [rax+0x40]",
        "vaddps xmm16, xmm1, [rax+0x100]",
        "vaddps zmm0, zmm1, [rax+0x1000]",
        "vaddps zmm0, zmm1, [rax+0x1004]",
        "vaddps zmm30, zmm1, [rax-0x2000]",
        "vpaddq ymm0, ymm1, ymm2",
        "vaddps xmm0, xmm1, [rax+0x100]",
        "vmovdqu ymm0, [rax+0x1000]",
        "vpxor xmm1, xmm2, [rsp+0x40]",
        "vaddps zmm0{k1}, zmm1, zmm2",
        "vaddps zmm0{k1}{z}, zmm1, zmm2",
        "vaddps zmm0 {k1} {z}, zmm1, zmm2",
        "vaddps zmm0{k1}, zmm1, dword ptr [rax]{1to16}",
        "vaddps zmm0, zmm1, [rax]{1to16}",
        "vaddps zmm0, zmm1, [rax+0x40]{1to16}",
        "vaddpd zmm0{k7}, zmm1, qword ptr [rax+8]{1to8}",
        "vpgatherdd zmm0{k1}, [rax+zmm1*4]",
        "vpgatherdd zmm0, [rax+zmm1*4]",
        "vmovdqu32 [rax]{k2}, zmm3",
        "vmovdqu32 zmm1{k2}{z}, [rax]",
        "add eax{k1}, ebx",
        "vaddps zmm0{k0}, zmm1, zmm2",
        "vpaddd ymm16{k3}, ymm17, [rcx+0x20]{1to8}",
    ] {
        v.push(s.to_string());
    }
    v.extend(sse_x87(true, "rax"));
    // Names with a predicate, and x87 forms GAS takes with one operand or not at all.
    for s in [
        "vcmpltps xmm0, xmm1, xmm2",
        "vcmpeq_uqps ymm0, ymm1, ymm2",
        "vcmpnge_uqsd xmm0, xmm1, qword ptr [rax]",
        "vcmptrueps ymm0, ymm1, ymm2",
        "vcmpps xmm0, xmm1, xmm2, 0x1f",
        "pclmullqlqdq xmm0, xmm1",
        "pclmulhqhqdq xmm0, [rax]",
        "pclmulqdq xmm0, xmm1, 0x10",
        "vpcmpeqd k1, zmm0, zmm1",
        "vpcmpltud k1, zmm0, zmm1",
        "vpcmpd k1, zmm0, zmm1, 2",
        "cmpnlxadd dword ptr [rax], ecx, edx",
        "cmpzxadd qword ptr [r9+0x10], r8, rax",
        "cmpnbexadd dword ptr [rax], ecx, edx",
        "cmpnbxadd dword ptr [rax], ecx, edx",
        "cmpgexadd dword ptr [rax], ecx, edx",
        "cmpexadd dword ptr [rax], ecx, edx",
        "vpclmullqhqdq xmm0, xmm1, xmm2",
        "vpcmpestriq xmm0, xmm1, 5",
        "fcmovb st(1)",
        "fcmovne st(3)",
        "fcomi st(1)",
        "fucomip st(2)",
        "fcomip",
        "fucomi",
        "fcmovb",
        "fadd",
        "fmul st(2)",
        "fdivr",
        "fsubp st(1)",
        "ffreep st(1)",
    ] {
        v.push(s.to_string());
    }
    v.extend(sse_x87(false, "rdx"));
    v.extend(sized_names(64));
    // Junk GAS refuses too.
    for s in [
        "add eax",
        "add eax, ebx, ecx",
        "frob eax",
        "push eax",
        "pop ebx",
        "inc [rax]",
        "mov eax, [rax*3]",
        "mov eax, [rsp*2]",
        "mov eax, [rax+rbx+rcx]",
        "mov eax, [ax]",
        "mov ah, r8b",
        "mov rax, bl",
        "add al, bx",
        "mov eax, [rax+0x80000000]",
        "lea eax, eax",
        "jmp eax",
        "call ebx",
        "mov eax, [rip+rax]",
        "movsd xmm0, eax",
        "add rax, 0xffffffff",
        "add rax, 0x80000000",
        "push 0xffffffff",
        "mov [rax], 1",
        "movzx eax, [rax]",
        "aaa",
        "into",
        "pusha",
        "lock mov eax, ebx",
        "mov cs, ax",
        "mov eax, [rbx+eax]",
    ] {
        v.push(s.to_string());
    }
    v
}

/// 32-bit mode.
pub fn cases32() -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    let r8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
    let r16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
    let r32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
    for op in ALU.iter().chain(["mov", "test"].iter()) {
        for regs in [&r8[..], &r16[..], &r32[..]] {
            for (i, d) in regs.iter().enumerate() {
                v.push(format!("{op} {d}, {}", regs[(i + 3) % 8]));
                v.push(format!("{op} {d}, [ebx+8]"));
            }
            for d in [regs[0], regs[3]] {
                for imm in IMMS {
                    v.push(format!("{op} {d}, {imm}"));
                }
            }
        }
        v.push(format!("{op} dword ptr [esp], 1"));
        v.push(format!("{op} word ptr [ebp], 0x80"));
    }
    for b in r32 {
        for d in DISPS {
            v.push(format!("mov eax, [{b}{d}]"));
        }
        if b != "esp" {
            v.push(format!("mov eax, [eax+{b}*4]"));
            v.push(format!("mov eax, [{b}*8+0x10]"));
        }
    }
    for m in [
        "[0x1000]",
        "[0]",
        "[0xffffffff]",
        "[-1]",
        "[bx+si]",
        "[bp]",
        "[si+0x10]",
        "[bx+di-0x100]",
    ] {
        v.push(format!("mov eax, {m}"));
        v.push(format!("mov al, {m}"));
        v.push(format!("mov {m}, ax"));
    }
    for r in r32.iter().chain(r16.iter()) {
        v.push(format!("push {r}"));
        v.push(format!("pop {r}"));
        v.push(format!("inc {r}"));
        v.push(format!("dec {r}"));
    }
    for imm in IMMS {
        v.push(format!("push {imm}"));
    }
    for t in [
        "0x400000", "0x400100", "0x10", "$+2", "$+0x81", "$-0x80", "$+0x1000",
    ] {
        v.push(format!("jmp {t}"));
        v.push(format!("call {t}"));
        v.push(format!("jne {t}"));
        v.push(format!("loop {t}"));
        v.push(format!("jecxz {t}"));
    }
    for s in [
        "xchg eax, eax",
        "xchg ax, ax",
        "xchg eax, ebx",
        "int 3",
        "int 0x80",
        "iret",
        "iretd",
        "ret",
        "ret 4",
        "pushf",
        "popf",
        "pushad",
        "popad",
        "pusha",
        "aaa",
        "daa",
        "into",
        "cwde",
        "cdq",
        "rep movsd",
        "rep stosb",
        "movzx eax, byte ptr [eax]",
        "movsx eax, word ptr [esi]",
        "lea eax, [ebx*4+ecx]",
        "jmp eax",
        "call dword ptr [eax]",
        "push dword ptr [eax]",
        "push [eax]",
        "mov eax, cr0",
        "push cs",
        "push ds",
        "pop ds",
        "les eax, [eax]",
        "movq xmm0, xmm1",
        "movd xmm0, eax",
        "pxor xmm1, xmm2",
        "movdqa xmm7, [eax]",
        "syscall",
        "sysenter",
        "add eax, 0x1ffffffff",
        "inc",
    ] {
        v.push(s.to_string());
    }
    v.extend(sse_x87(false, "eax"));
    v.extend(sized_names(32));
    v
}

/// 16-bit mode (`.code16`).
pub fn cases16() -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    let r16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
    for op in ALU.iter().chain(["mov", "test"].iter()) {
        for d in ["al", "ax", "bx", "eax", "ebx", "bh"] {
            for imm in [
                "0", "1", "127", "128", "-128", "-129", "255", "256", "0x7fff", "0x8000", "0xffff",
                "-1", "0x10000",
            ] {
                v.push(format!("{op} {d}, {imm}"));
            }
        }
        v.push(format!("{op} ax, bx"));
        v.push(format!("{op} eax, ebx"));
        v.push(format!("{op} word ptr [bx], 1"));
        v.push(format!("{op} dword ptr [bp+si], 0x1000"));
    }
    for m in [
        "[bx+si]",
        "[bx+di]",
        "[bp+si]",
        "[bp+di]",
        "[si]",
        "[di]",
        "[bp]",
        "[bx]",
        "[bx+si+0x10]",
        "[bp+0x80]",
        "[bp-0x80]",
        "[si+0x7fff]",
        "[0x1234]",
        "[0]",
        "[eax]",
        "[esp+4]",
        "[ebp]",
        "[eax+ebx*4]",
        "[si+bx]",
        "[bx+bp]",
        "[si+di]",
        "[ax]",
    ] {
        v.push(format!("mov ax, {m}"));
        v.push(format!("mov eax, {m}"));
        v.push(format!("lea ax, {m}"));
    }
    for r in r16 {
        v.push(format!("push {r}"));
        v.push(format!("pop {r}"));
        v.push(format!("inc {r}"));
    }
    for t in [
        "0x1000", "0x1100", "0x2000", "$+2", "$+0x81", "$-0x80", "$+0x1000",
    ] {
        v.push(format!("jmp {t}"));
        v.push(format!("call {t}"));
        v.push(format!("je {t}"));
    }
    for s in [
        "push 1",
        "push 128",
        "push 0x1234",
        "push -1",
        "push eax",
        "pushf",
        "pushfd",
        "ret",
        "retf",
        "iret",
        "int 0x10",
        "int 3",
        "xchg ax, ax",
        "xchg eax, eax",
        "xchg ax, bx",
        "cbw",
        "cwde",
        "cwd",
        "cdq",
        "rep movsb",
        "rep movsw",
        "rep movsd",
        "movzx ax, bl",
        "movzx eax, bx",
        "mov ds, ax",
        "mov es, ax",
        "mov ax, cs",
        "lodsb",
        "stosw",
        "hlt",
        "cli",
        "sti",
        "in al, 0x60",
        "out 0x20, al",
        "mov rax, 1",
    ] {
        v.push(s.to_string());
    }
    v.extend(sse_x87(false, "bx"));
    v.extend(sized_names(16));
    v
}

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

/// Names whose operand size is a suffix, as objdump prints them and GAS accepts them.
pub fn sized_names(bits: u32) -> Vec<String> {
    let m = match bits {
        64 => "[rax]",
        32 => "[eax]",
        _ => "[bx]",
    };
    let mut v: Vec<String> = [
        "iret",
        "iretw",
        "iretd",
        "sysretd",
        "sysexitd",
        "pushw 1",
        "pushw 0x1234",
        "pushd 1",
        "pushw fs",
        "popw fs",
        "pushd fs",
        "popd gs",
        "retw",
        "retw 8",
        "retd",
        "retf",
        "retfw",
        "retfd",
        "retfd 8",
        "leavew",
        "leaved",
        "enterw 1, 0",
        "enterd 8, 1",
        "pushfw",
        "popfw",
        "pushfd",
        "popfd",
        "xlat",
        "fwait",
        "nop",
        "xchg ax, ax",
        "xchg eax, eax",
        "nop",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // String instructions as objdump prints them.
    let (di, si) = match bits {
        64 => ("rdi", "rsi"),
        32 => ("edi", "esi"),
        _ => ("di", "si"),
    };
    for (size, acc) in [
        ("byte", "al"),
        ("word", "ax"),
        ("dword", "eax"),
        ("qword", "rax"),
    ] {
        if acc == "rax" && bits != 64 {
            continue;
        }
        for s in [
            format!("movs {size} ptr es:[{di}], {size} ptr ds:[{si}]"),
            format!("movs {size} ptr [{di}], {size} ptr [{si}]"),
            format!("rep movs {size} ptr es:[{di}], {size} ptr ds:[{si}]"),
            format!("cmps {size} ptr ds:[{si}], {size} ptr es:[{di}]"),
            format!("repz cmps {size} ptr [{si}], {size} ptr es:[{di}]"),
            format!("scas {acc}, {size} ptr es:[{di}]"),
            format!("lods {acc}, {size} ptr ds:[{si}]"),
            format!("stos {size} ptr es:[{di}], {acc}"),
            format!("rep stos {size} ptr [{di}], {acc}"),
            format!("ins {size} ptr es:[{di}], dx"),
            format!("outs dx, {size} ptr ds:[{si}]"),
            format!("lods {acc}, [{si}]"),
        ] {
            v.push(s);
        }
    }
    for s in ["movs [rdi], [rsi]", "movs", "lods"] {
        v.push(s.to_string());
    }
    for op in [
        "fnsave", "fnstenv", "frstor", "fldenv", "lgdt", "sgdt", "lidt", "sidt",
    ] {
        v.push(format!("{op}w {m}"));
        v.push(format!("{op}d {m}"));
        v.push(format!("{op} {m}"));
    }
    for s in [
        "xstore-rng",
        "xstorerng",
        "xcryptecb",
        "xcrypt-ofb",
        "getsec",
    ] {
        v.push(s.to_string());
    }
    if bits == 64 {
        for s in [
            "iretq",
            "sysretq",
            "sysexitq",
            "retfq",
            "pushfq",
            "popfq",
            "movabs rax, 1",
            "movabs rax, -1",
            "movabs eax, ds:0x1000",
            "movabs al, ds:0x1122334455667788",
            "movabs ds:0x10, rax",
            "movabs ax, [0x10]",
            "pcmpestriq xmm0, xmm1, 1",
            "pcmpestrmq xmm8, xmm0, 0xbb",
            "pcmpestri xmm0, xmm1, 1",
        ] {
            v.push(s.to_string());
        }
    } else {
        for s in ["pushaw", "popaw", "pushad", "popad", "pusha", "popa"] {
            v.push(s.to_string());
        }
    }
    v
}
