//! Broad instruction lists for the oracle tests, generated rather than typed: every ALU op in
//! every operand form and size, immediates at sign-extension boundaries, every addressing form
//! (each base and index register, rsp/rbp/r12/r13, no base, absolute, rip-relative), and the
//! other families the article uses. Some lines are meant to be refused (by GAS and by us).

#![allow(dead_code)]

mod names;
mod sse_x87;
mod wide;

pub use names::sized_names;
pub use sse_x87::sse_x87;

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
    v.extend(wide::other_families64());
    v.extend(sse_x87(true, "rax"));
    v.extend(wide::predicate_names64());
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
