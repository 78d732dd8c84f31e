//! Table-driven instruction cases, each checked against the real CPU: every case starts from
//! the same register/flag/memory state, runs a few instructions, and dumps all 16 general
//! registers, RFLAGS, XMM0-3 and a 64-byte data buffer. The cases are assembled into one
//! program that runs natively and in the simulator; the dumps must be identical.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;
use crate::recorded;

use std::fmt::Write;
use youcpu_core::cpu::vendor::Vendor;

/// (name, AT&T assembly). `buf` is a 64-byte, 16-aligned buffer; RSI/RDI point into it.
const CASES: &[(&str, &str)] = &[
    ("mov ah", "mov $0x12, %ah"),
    ("mov al -1", "movb $-1, %al"),
    ("mov eax zero-extends", "mov $-1, %eax"),
    ("mov ax keeps upper", "movw $-2, %ax"),
    ("movzx byte", "movzbl %bl, %eax"),
    ("movzx word to 64", "movzwq %bx, %rax"),
    ("movsx byte to 64", "movsbq %bl, %rax"),
    ("movsx word to 32", "movswl %bx, %eax"),
    ("movsxd", "movslq %ebx, %rax"),
    ("movsx high byte", "movsbl %bh, %ecx"),
    ("mov to memory", "mov %rbx, buf+8(%rip)\n mov %bl, buf+1(%rip)\n movw $0x7777, buf+30(%rip)"),
    ("mov imm32 sign-extended", "movq $-3, buf(%rip)"),
    ("lea scaled", "lea 8(%rbx,%rcx,4), %rax"),
    ("lea 32-bit", "lea (%rbx,%rcx), %eax"),
    ("lea rip", "lea buf(%rip), %rax"),
    ("lea addr32 wraps", "mov $0x1ffffffff, %rcx\n mov $2, %rdx\n lea (%ecx,%edx), %rax"),
    ("lea addr32 scaled disp", "mov $-1, %rcx\n mov $3, %rdx\n lea 5(%ecx,%edx,2), %rbx"),
    ("lea addr32 to 16", "mov $-1, %rcx\n lea 0x10(%ecx), %ax"),
    ("lea addr64 to 32", "mov $0x1ffffffff, %rcx\n lea 2(%rcx), %esi"),
    ("xchg regs", "xchg %rax, %rbx"),
    ("xchg bytes", "xchg %al, %bh"),
    ("xchg memory", "xchg %eax, buf(%rip)"),
    ("cmpxchg equal", "mov buf(%rip), %rax\n cmpxchg %rbx, buf(%rip)"),
    ("cmpxchg unequal", "cmpxchg %rbx, buf(%rip)"),
    ("cmpxchg 32 unequal", "cmpxchg %ebx, buf+4(%rip)"),
    ("xadd", "xadd %rbx, %rax"),
    ("xadd memory byte", "xadd %bl, buf+3(%rip)"),
    ("bswap 32", "bswap %eax"),
    ("bswap 64", "bswap %rbx"),
    ("bsf", "bsf %rbx, %rax"),
    ("bsr", "bsr %rbx, %rax"),
    ("bsf zero keeps dest", "bsf %rdx, %rax"),
    // These two were TZCNT (F3 0F BC), which this host runs as TZCNT but the model, reporting
    // no BMI1, as BSF (cpu_features); BSF plus a NOP keeps every later case at its address.
    ("bsf zero, nop", "bsf %rdx, %rax\n nop"),
    ("bsf 32, nop", "bsf %ebx, %eax\n nop"),
    ("lzcnt", "lzcnt %rbx, %rax"),
    ("popcnt", "popcnt %rbx, %rax"),
    ("bt imm", "bt $5, %rbx"),
    ("bts reg", "bts %rcx, %rbx"),
    ("btr 63", "btr $63, %rax"),
    ("btc memory far bit", "mov $77, %ecx\n btc %rcx, buf(%rip)"),
    ("bt memory negative bit", "lea buf+16(%rip), %rdx\n mov $-9, %rcx\n bts %rcx, (%rdx)"),
    ("setcc", "cmp %rbx, %rax\n sete %al\n setg %bh\n setb %cl\n setp %dl"),
    ("cmov false zero-extends", "cmp %rax, %rax\n cmovne %ebx, %eax"),
    ("cmov true", "cmp %rbx, %rax\n cmovge %rbx, %rcx"),
    ("cbw cwde cdqe", "cbw\n mov %rax, %rbx\n cwde\n mov %rax, %rcx\n cdqe"),
    ("cwd cdq cqo", "cwd\n mov %rdx, %rbx\n cdq\n mov %rdx, %rcx\n cqo"),
    ("push pop", "push %rbx\n pop %rax"),
    ("push pop word", "pushw $0x1234\n popw %ax"),
    ("push imm8 sign-extended", "pushq $-5\n pop %rcx"),
    ("push rsp pushes old value", "push %rsp\n pop %rax"),
    ("push memory", "pushq buf(%rip)\n popq buf+8(%rip)"),
    ("call pop", "call 1f\n1: pop %rax"),
    ("call ret", "call 1f\n jmp 2f\n1: mov $9, %eax\n ret\n2: inc %eax"),
    ("ret imm", "call 1f\n jmp 2f\n1: ret $0\n2: nop"),
    ("leave", "push %rbp\n mov %rsp, %rbp\n sub $32, %rsp\n leave"),
    ("shld", "shld $4, %rbx, %rax"),
    ("shrd cl", "shrd %cl, %rbx, %rax"),
    ("shld 16", "shld $3, %bx, %ax"),
    ("lahf sahf", "lahf\n mov %ah, %bl\n mov $0xd5, %ah\n sahf"),
    ("stc cmc clc", "stc\n setc %al\n cmc\n setc %bl\n stc\n clc"),
    ("pushf popf", "pushfq\n pop %rax\n or $0x8d5, %rax\n push %rax\n popfq"),
    ("neg not", "neg %rax\n not %bl\n negw %cx"),
    ("imul 3 operand", "imul $7, %rbx, %rax"),
    ("imul 3 operand imm32", "imul $-100000, %ebx, %ecx"),
    ("mul 64", "mul %rbx"),
    ("imul 1 operand", "imul %rbx"),
    ("div 64", "xor %edx, %edx\n div %rcx"),
    ("idiv 32", "cdq\n idiv %ecx"),
    ("div 8", "mov $1000, %ax\n div %cl"),
    ("idiv 16 negative", "mov $-1000, %ax\n cwd\n idivw %cx"),
    ("adc sbb chain", "stc\n adc %rbx, %rax\n sbb %rcx, %rdx\n adc $0, %r8"),
    ("inc dec keep CF", "stc\n inc %rax\n dec %rbx"),
    ("memory alu", "add %rbx, buf(%rip)\n subl $5, buf+8(%rip)\n andb $0xf0, buf+16(%rip)\n orw %cx, buf+20(%rip)\n xorq $-1, buf+24(%rip)"),
    ("cmp memory", "cmpq $0, buf(%rip)\n setne %al"),
    ("test memory", "testb $0x80, buf+7(%rip)\n sets %cl"),
    ("shift memory", "shlq $3, buf(%rip)\n sarl buf+8(%rip)\n rolw %cl, buf+12(%rip)"),
    ("loop", "mov $5, %ecx\n xor %eax, %eax\n1: add $3, %eax\n loop 1b"),
    ("loope", "mov $5, %ecx\n1: cmp %eax, %eax\n loope 1b"),
    ("jrcxz", "xor %ecx, %ecx\n jrcxz 1f\n mov $1, %eax\n1: nop"),
    ("jcc all", "cmp %rbx, %rax\n ja 1f\n inc %r8\n1: jl 2f\n inc %r9\n2: jo 3f\n inc %r10\n3: jp 4f\n inc %r11\n4: js 5f\n inc %r12\n5: nop"),
    ("indirect jmp call", "lea 1f(%rip), %rax\n jmp *%rax\n ud2\n1: lea 2f(%rip), %rbx\n call *%rbx\n jmp 3f\n2: ret\n3: nop"),
    ("rep movsb", "lea buf(%rip), %rsi\n lea buf+16(%rip), %rdi\n mov $8, %ecx\n rep movsb"),
    ("rep movsq backwards", "std\n lea buf+8(%rip), %rsi\n lea buf+40(%rip), %rdi\n mov $2, %ecx\n rep movsq\n cld"),
    ("rep stosl", "lea buf+4(%rip), %rdi\n mov $3, %ecx\n rep stosl"),
    ("stosw lodsb", "lea buf(%rip), %rdi\n stosw\n lea buf+9(%rip), %rsi\n lodsb"),
    ("repne scasb", "lea buf(%rip), %rdi\n mov buf+5(%rip), %al\n mov $64, %ecx\n repne scasb"),
    ("repe cmpsq", "lea buf(%rip), %rsi\n lea buf(%rip), %rdi\n mov $4, %ecx\n repe cmpsq"),
    ("cmpsb differ", "lea buf(%rip), %rsi\n lea buf+1(%rip), %rdi\n cmpsb"),
    ("rep zero count", "xor %ecx, %ecx\n lea buf(%rip), %rdi\n rep stosb"),
    ("movdqu load store", "movdqu buf(%rip), %xmm0\n movdqu %xmm1, buf+32(%rip)"),
    ("movaps aligned", "movaps buf+16(%rip), %xmm2\n movaps %xmm0, buf+48(%rip)"),
    ("movups", "movups buf+3(%rip), %xmm3"),
    ("pxor por pand pandn", "pxor %xmm1, %xmm0\n por %xmm0, %xmm2\n pand %xmm1, %xmm3\n pandn %xmm2, %xmm1"),
    ("xorps andps orps", "xorps %xmm1, %xmm0\n andps %xmm0, %xmm2\n orps %xmm2, %xmm3"),
    ("movq gpr xmm", "movq %rbx, %xmm0\n movq %xmm1, %rax\n movq %xmm1, %xmm2\n movq buf(%rip), %xmm3"),
    ("movd", "movd %ebx, %xmm0\n movd %xmm1, %eax\n movd %xmm1, buf(%rip)"),
    ("movq store", "movq %xmm1, buf+8(%rip)"),
    ("pcmpeqb pmovmskb", "pcmpeqb %xmm1, %xmm0\n pmovmskb %xmm0, %eax\n pcmpeqb %xmm2, %xmm2\n pmovmskb %xmm2, %ebx"),
    ("pcmpeqd w", "pcmpeqd %xmm0, %xmm1\n pcmpeqw %xmm0, %xmm2"),
    ("pshufd", "pshufd $0x1b, %xmm1, %xmm0\n pshufd $0, buf(%rip), %xmm2"),
    ("punpck", "punpcklbw %xmm1, %xmm0\n punpcklwd %xmm1, %xmm2\n punpckldq %xmm0, %xmm3\n punpcklqdq %xmm3, %xmm1"),
    ("padd psub", "paddq %xmm1, %xmm0\n psubb %xmm0, %xmm2\n paddd %xmm2, %xmm3\n psubq %xmm3, %xmm1\n paddb %xmm1, %xmm1\n paddw %xmm0, %xmm3\n psubw %xmm0, %xmm2\n psubd %xmm0, %xmm1"),
    ("pminub pmaxub", "pminub %xmm1, %xmm0\n pmaxub %xmm1, %xmm2"),
    ("pslldq psrldq", "pslldq $3, %xmm0\n psrldq $5, %xmm1\n pslldq $16, %xmm2"),
    ("movhps movlps", "movhps buf(%rip), %xmm0\n movlps buf+8(%rip), %xmm1\n movhps %xmm2, buf+16(%rip)\n movlps %xmm3, buf+24(%rip)"),
    ("movsd movss", "movsd buf(%rip), %xmm0\n movsd %xmm1, %xmm2\n movss buf+8(%rip), %xmm3\n movss %xmm0, %xmm1\n movsd %xmm2, buf+40(%rip)"),
    ("psll psrl psra imm", "psllw $3, %xmm0\n pslld $31, %xmm1\n psrlq $7, %xmm2\n psraw $15, %xmm3"),
    ("psrad psrld big counts", "psrad $40, %xmm0\n psrld $32, %xmm1\n psllq $64, %xmm2\n psrlw $1, %xmm3"),
    ("psllq by xmm", "movq %rcx, %xmm3\n psllq %xmm3, %xmm0\n psrad %xmm3, %xmm1"),
    ("pcmpgt", "pcmpgtb %xmm1, %xmm0\n pcmpgtw %xmm0, %xmm2\n pcmpgtd %xmm2, %xmm3"),
    ("punpckh", "punpckhbw %xmm1, %xmm0\n punpckhwd %xmm1, %xmm2\n punpckhdq %xmm0, %xmm3\n punpckhqdq %xmm3, %xmm1"),
    ("pshuflw pshufhw", "pshuflw $0x1b, %xmm1, %xmm0\n pshufhw $0xe4, %xmm0, %xmm2\n pshufhw $0x39, buf(%rip), %xmm3"),
    ("movmsk", "movmskps %xmm1, %eax\n movmskpd %xmm2, %ebx"),
    ("movnt", "movntdq %xmm1, buf+16(%rip)\n movnti %rbx, buf(%rip)\n movntps %xmm2, buf+32(%rip)"),
    ("stmxcsr ldmxcsr", "stmxcsr buf(%rip)\n ldmxcsr buf(%rip)"),
    ("cmpxchg8b unequal", "cmpxchg8b buf+8(%rip)"),
    ("cmpxchg8b equal", "mov buf+8(%rip), %eax\n mov buf+12(%rip), %edx\n cmpxchg8b buf+8(%rip)"),
    ("lock cmpxchg8b equal keeps upper halves", "mov buf(%rip), %eax\n mov buf+4(%rip), %edx\n lock cmpxchg8b buf(%rip)"),
    ("cmpxchg16b unequal", "cmpxchg16b buf+16(%rip)"),
    ("cmpxchg16b equal", "mov buf+32(%rip), %rax\n mov buf+40(%rip), %rdx\n lock cmpxchg16b buf+32(%rip)"),
    ("clflush", "clflush buf+8(%rip)\n mov buf+8(%rip), %rax"),
];

fn program() -> String {
    let mut a = String::from(".globl _start\n_start:\n");
    for (i, (_, body)) in CASES.iter().enumerate() {
        let _ = writeln!(a, "# case {i}\n    lea stack_top(%rip), %rsp\n    lea template(%rip), %rsi\n    lea buf(%rip), %rdi\n    mov $64, %ecx\n    rep movsb");
        let _ = writeln!(a, "    movdqa template(%rip), %xmm0\n    movdqa template+16(%rip), %xmm1\n    movdqa template+32(%rip), %xmm2\n    movdqa template+48(%rip), %xmm3");
        let _ = writeln!(a, "    movabs $0x0202, %rax\n    push %rax\n    popfq");
        for (r, v) in [
            ("rax", "0x8877665544332211"),
            ("rbx", "0x0123456789abcdef"),
            ("rcx", "5"),
            ("rdx", "0"),
            ("r8", "0x7fffffffffffffff"),
            ("r9", "0x8000000000000000"),
            ("r10", "0xffffffffffffffff"),
            ("r11", "0x10"),
            ("r12", "0xff"),
            ("r13", "0x13"),
            ("r14", "0x14"),
            ("r15", "0x15"),
        ] {
            let _ = writeln!(a, "    movabs ${v}, %{r}");
        }
        let _ = writeln!(a, "    lea buf+8(%rip), %rsi\n    lea buf+32(%rip), %rdi\n    lea stack_top-64(%rip), %rbp");
        let _ = writeln!(a, "{body}");
        let _ = writeln!(
            a,
            "    mov %rax, dump_rax(%rip)\n    lea dumps+{}(%rip), %rax",
            i * 264
        );
        for (k, r) in [
            "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11",
            "r12", "r13", "r14", "r15",
        ]
        .iter()
        .enumerate()
        {
            if *r != "rax" {
                let _ = writeln!(a, "    mov %{r}, {}(%rax)", k * 8);
            }
        }
        let _ = writeln!(a, "    mov dump_rax(%rip), %rbx\n    mov %rbx, 0(%rax)");
        let _ = writeln!(a, "    pushfq\n    pop %rbx\n    mov %rbx, 128(%rax)");
        for x in 0..4 {
            let _ = writeln!(a, "    movdqu %xmm{x}, {}(%rax)", 136 + x * 16);
        }
        let _ = writeln!(
            a,
            "    lea buf(%rip), %rsi\n    lea 200(%rax), %rdi\n    mov $64, %ecx\n    rep movsb"
        );
    }
    let _ = writeln!(a, "    mov $1, %eax\n    mov $1, %edi\n    lea dumps(%rip), %rsi\n    mov ${}, %edx\n    syscall", CASES.len() * 264);
    a.push_str("    mov $60, %eax\n    xor %edi, %edi\n    syscall\n");
    a.push_str(".data\n.balign 16\ntemplate:\n");
    for i in 0..64u32 {
        let _ = writeln!(a, "    .byte {}", (i * 37 + 11) % 256);
    }
    let _ = writeln!(a, ".bss\n.balign 16\nbuf: .space 64\ndump_rax: .space 8\n.balign 16\nstack: .space 4096\nstack_top: .space 64\ndumps: .space {}", CASES.len() * 264);
    a
}

/// The recording key of each case: its name and its body as Rust prints a string.
fn keys() -> Vec<String> {
    CASES
        .iter()
        .map(|(name, body)| format!("{name}\t{body:?}"))
        .collect()
}

/// One line per difference between a real record and the simulator's, for the cases given.
fn differences<'a>(expected: impl Iterator<Item = (usize, &'a [u8])>, sim: &[u8]) -> Vec<String> {
    let names = [
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
        "r13", "r14", "r15", "rflags",
    ];
    let mut bad = Vec::new();
    for (i, nd) in expected {
        let (name, body) = CASES[i];
        let sd = &sim[i * 264..(i + 1) * 264];
        for (k, reg) in names.iter().enumerate() {
            let (a, b) = (&nd[k * 8..k * 8 + 8], &sd[k * 8..k * 8 + 8]);
            if a != b {
                let (a, b) = (
                    u64::from_le_bytes(a.try_into().unwrap()),
                    u64::from_le_bytes(b.try_into().unwrap()),
                );
                bad.push(format!("{name} ({body:?}): {reg} real {a:#x} sim {b:#x}"));
            }
        }
        for x in 0..4 {
            let o = 136 + x * 16;
            if nd[o..o + 16] != sd[o..o + 16] {
                bad.push(format!(
                    "{name}: xmm{x} real {:02x?} sim {:02x?}",
                    &nd[o..o + 16],
                    &sd[o..o + 16]
                ));
            }
        }
        if nd[200..264] != sd[200..264] {
            bad.push(format!(
                "{name}: buf real {:02x?} sim {:02x?}",
                &nd[200..264],
                &sd[200..264]
            ));
        }
    }
    bad
}

/// The host processor, live, with the host's vendor profile.
#[test]
fn instruction_cases_match_the_real_cpu() {
    let exe = harness::build_asm_text("instruction_cases", &program());
    let n = harness::native_plain(&exe, &[]);
    let vendor = harness::host_vendor();
    let s = harness::sim_as(vendor, &exe, &[]);
    assert_eq!(n.status, 0, "native run failed");
    assert_eq!(s.status, 0, "simulator run failed");
    assert_eq!(n.stdout.len(), CASES.len() * 264);
    assert_eq!(s.stdout.len(), n.stdout.len());
    if recorded::recording() {
        recorded::save("instruction_cases", vendor, &keys(), &n.stdout, 264);
    }
    let bad = differences(
        (0..CASES.len()).map(|i| (i, &n.stdout[i * 264..(i + 1) * 264])),
        &s.stdout,
    );
    assert!(
        bad.is_empty(),
        "{} differences from this {vendor} processor:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Both vendors' recorded cores (`tests/data/cpu/instruction_cases.*.tsv.gz`).
#[test]
fn instruction_cases_match_the_recorded_cores() {
    let exe = harness::build_asm_text("instruction_cases_recorded", &program());
    let keys = keys();
    for vendor in Vendor::ALL {
        let rec = recorded::load("instruction_cases", vendor);
        let pairs = recorded::line_up(&rec, &keys);
        let checked = pairs.len();
        let s = harness::sim_as(vendor, &exe, &[]);
        assert_eq!(s.status, 0, "simulator run failed");
        assert_eq!(s.stdout.len(), CASES.len() * 264);
        let bad = differences(pairs.into_iter(), &s.stdout);
        assert!(
            bad.is_empty(),
            "{} differences from the recorded {vendor} core ({}):\n{}",
            bad.len(),
            rec.header.join(" "),
            bad.join("\n")
        );
        assert!(checked >= 100, "only {checked} recorded {vendor} cases");
        eprintln!(
            "{checked} of {} instruction cases match the recorded {vendor} core",
            CASES.len()
        );
    }
}
