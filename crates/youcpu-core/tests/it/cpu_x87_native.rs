//! The x87 FPU against the real CPU, bit for bit: every instruction form runs over tables of
//! 80-bit operands (±0, denormals, pseudo-denormals, unnormals, ±inf, pseudo-infinity, quiet
//! and signalling NaNs with payloads, 2^63, 1 + 2^-24/2^-53/2^-63, the largest and smallest
//! numbers) under every precision control (24, 53, 64 bits) and rounding control, after
//! `fninit; fldcw; fldt b; fldt a` (ST(0) = a, ST(1) = b). After each form the program stores
//! RFLAGS and an FNSAVE image (control, status and tag words, the eight registers) and, for
//! the store forms, the stored memory; natively and in the simulator, compared record by
//! record. The instruction and operand pointers of the image are not compared (the model
//! stores zeros). Most forms run with exceptions masked; single-instruction forms also run
//! with them unmasked (alone and all together), where the exception stays pending in the
//! status word (ES, B) and the result is what an unmasked exception leaves (no result after
//! a pre-computation exception, the bias-adjusted one after overflow or underflow, no store
//! to memory). Delivering the pending exception as SIGFPE is a whole-program test
//! (`cpu_programs`, sig_fpe.c).

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

use std::fmt::Write;

/// Output bytes per record: RFLAGS, FNSAVE (108), AX, spare, the stored operand (16).
const REC: usize = 144;

fn cws() -> Vec<u16> {
    let mut v = Vec::new();
    for pc in [0u16, 2, 3] {
        for rc in 0..4u16 {
            v.push(0x7f | (pc << 8) | (rc << 10));
        }
    }
    v
}

/// Control words with exceptions unmasked: all of them in every precision and rounding
/// control, and each alone. The forms run over these are single instructions: the exception
/// stays pending (ES set) because nothing after them waits (FNSAVE, then FNINIT).
fn unmasked_cws() -> Vec<u16> {
    let mut v = Vec::new();
    for pc in [0u16, 2, 3] {
        for rc in 0..4u16 {
            v.push(0x40 | (pc << 8) | (rc << 10));
        }
    }
    for m in [0x7eu16, 0x7d, 0x7b, 0x77, 0x6f, 0x5f] {
        v.push(0x300 | m);
    }
    v
}

fn ext_grid() -> Vec<(u16, u64)> {
    vec![
        (0, 0),
        (0x8000, 0),
        (0x3fff, 1 << 63),
        (0xbfff, 1 << 63),
        (0x3fff, 0xc000_0000_0000_0000),
        (0x4000, 0xc000_0000_0000_0000),
        (0x3ffb, 0xcccc_cccc_cccc_cccd),
        (0xbffd, 0xaaaa_aaaa_aaaa_aaab),
        (0x4000, 0xc90f_daa2_2168_c235),
        (0x403e, 1 << 63),
        (0xc03e, 1 << 63),
        (0x403f, 1 << 63),
        (0x401e, 1 << 63),
        (0xc00e, 0x8001_0000_0000_0000),
        (0x3fff, 0x8000_0000_0000_0001),
        (0x3fff, 0x8000_0000_0000_0400),
        (0xbfff, 0x8000_0080_0000_0000),
        (0x3fff, 0xffff_ffff_ffff_ffff),
        (0x7ffe, 0xffff_ffff_ffff_ffff),
        (0xfffe, 0xffff_ffff_ffff_ffff),
        (0x0001, 1 << 63),
        (0x0000, 1),
        (0x8000, 0x7fff_ffff_ffff_ffff),
        (0x0000, 1 << 63),
        (0x0001, 0x4000_0000_0000_0000),
        (0x7fff, 1 << 63),
        (0xffff, 1 << 63),
        (0x7fff, 0xc000_0000_0000_0123),
        (0xffff, 0xc000_0000_0000_0456),
        (0x7fff, 0x8000_0000_0000_0789),
        (0x7fff, 0),
        (0x0010, 0x8000_0000_0000_0001),
        (0x5f3f, 0x8000_0000_0000_0000),
        (0x20bf, 0xa000_0000_0000_0003),
        (0x4005, 0xa3d7_0a3d_70a3_d70a),
    ]
}

fn f64_grid() -> Vec<u64> {
    let mut v: Vec<u64> = [0.0f64, -1.5, 0.1, 1e300, 3.0, -2147483648.0, 1e-310]
        .iter()
        .map(|x| x.to_bits())
        .collect();
    v.extend([
        0x7ff8_0000_0000_0123,
        0x7ff0_0000_0000_0001,
        0xfff0_0000_0000_0000,
        1,
    ]);
    v
}

fn f32_grid() -> Vec<u64> {
    let mut v: Vec<u64> = [0.0f32, -1.5, 0.1, 3e38, 3.0]
        .iter()
        .map(|x| u64::from(x.to_bits()))
        .collect();
    v.extend([0x7fc0_0123, 0x7f80_0001, 0x0000_0001]);
    v
}

fn int_grid() -> Vec<u64> {
    [
        0i64,
        1,
        -7,
        32767,
        -32768,
        i64::from(i32::MAX),
        i64::from(i32::MIN),
        i64::MAX,
        i64::MIN,
        (1 << 53) + 1,
    ]
    .iter()
    .map(|&x| x as u64)
    .collect()
}

struct Input {
    a: (u16, u64),
    b: (u16, u64),
    cw: u16,
    mem: u64,
    what: String,
}

fn binary_table(cws: &[u16]) -> Vec<Input> {
    let g = ext_grid();
    let mut t = Vec::new();
    for &cw in cws {
        for &a in &g {
            for &b in &g {
                t.push(Input {
                    a,
                    b,
                    cw,
                    mem: 0,
                    what: format!(
                        "cw={cw:#x} a={:04x}:{:016x} b={:04x}:{:016x}",
                        a.0, a.1, b.0, b.1
                    ),
                });
            }
        }
    }
    t
}

fn unary_table(cws: &[u16]) -> Vec<Input> {
    let g = ext_grid();
    let mut t = Vec::new();
    for &cw in cws {
        for (i, &a) in g.iter().enumerate() {
            let b = g[(i * 7 + 3) % g.len()];
            t.push(Input {
                a,
                b,
                cw,
                mem: 0,
                what: format!("cw={cw:#x} a={:04x}:{:016x}", a.0, a.1),
            });
        }
    }
    t
}

fn mem_table(mems: &[u64], kind: &str, cws: &[u16]) -> Vec<Input> {
    let g = ext_grid();
    let mut t = Vec::new();
    for &cw in cws {
        for &a in &g {
            for &m in mems {
                t.push(Input {
                    a,
                    b: (0x3fff, 1 << 63),
                    cw,
                    mem: m,
                    what: format!("cw={cw:#x} a={:04x}:{:016x} {kind}={m:#x}", a.0, a.1),
                });
            }
        }
    }
    t
}

/// (form, table): 0 binary, 1 unary, 2 f64 memory, 3 f32 memory, 4 integer memory.
fn forms() -> Vec<(&'static str, usize)> {
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

fn program(tables: &[Vec<Input>], forms: &[(&str, usize)]) -> String {
    let mut a = String::from(".globl _start\n_start:\n    lea out(%rip), %rdi\n");
    let mut total = 0;
    for (k, (text, t)) in forms.iter().enumerate() {
        let n = tables[*t].len();
        total += n;
        let _ = writeln!(
            a,
            "# form {k}\n    lea table{t}(%rip), %rsi\n    mov ${n}, %r12d\n1:"
        );
        a.push_str("    fninit\n    fldcw 32(%rsi)\n    fldt 16(%rsi)\n    fldt (%rsi)\n    movabs $0x5a5a5a5a5a5a5a5a, %r8\n    mov %r8, 128(%rdi)\n    mov %r8, 136(%rdi)\n    xor %eax, %eax\n    pushq $0xad7\n    popfq\n");
        let _ = writeln!(a, "xform{k}_b:\n    {text}\nxform{k}_e:");
        a.push_str("    mov %ax, 116(%rdi)\n    pushfq\n    pop %rax\n    mov %rax, (%rdi)\n    fnsave 8(%rdi)\n    add $48, %rsi\n    add $144, %rdi\n    dec %r12d\n    jnz 1b\n");
    }
    let _ = writeln!(
        a,
        "    lea out(%rip), %r13\n    mov ${}, %r14\n2:\n    mov $1, %eax\n    mov $1, %edi\n    mov %r13, %rsi\n    mov %r14, %rdx\n    cmp $0x100000, %rdx\n    jbe 3f\n    mov $0x100000, %edx\n3:\n    syscall\n    test %rax, %rax\n    jle 4f\n    add %rax, %r13\n    sub %rax, %r14\n    jnz 2b\n4:\n    mov $60, %eax\n    xor %edi, %edi\n    syscall",
        total * REC
    );
    a.push_str(".data\n");
    for (t, rows) in tables.iter().enumerate() {
        if !forms.iter().any(|f| f.1 == t) {
            continue;
        }
        let _ = writeln!(a, ".balign 16\ntable{t}:");
        for r in rows {
            let _ = writeln!(
                a,
                "    .quad {:#x}\n    .short {:#x}, 0, 0, 0\n    .quad {:#x}\n    .short {:#x}, 0, 0, 0\n    .short {:#x}, 0, 0, 0\n    .quad {:#x}",
                r.a.1, r.a.0, r.b.1, r.b.0, r.cw, r.mem
            );
        }
    }
    let _ = writeln!(
        a,
        ".bss\n.balign 16\nscratch: .space 512\nout: .space {}",
        total * REC
    );
    a
}

/// The 48-byte input record as the program's table holds it.
fn input_bytes(r: &Input) -> Vec<u8> {
    let mut v = Vec::with_capacity(48);
    v.extend_from_slice(&r.a.1.to_le_bytes());
    v.extend_from_slice(&r.a.0.to_le_bytes());
    v.extend_from_slice(&[0; 6]);
    v.extend_from_slice(&r.b.1.to_le_bytes());
    v.extend_from_slice(&r.b.0.to_le_bytes());
    v.extend_from_slice(&[0; 6]);
    v.extend_from_slice(&r.cw.to_le_bytes());
    v.extend_from_slice(&[0; 6]);
    v.extend_from_slice(&r.mem.to_le_bytes());
    v
}

/// The machine code of forms 0..n in `exe`, from their labels.
fn form_codes(exe: &std::path::Path, n: usize) -> Vec<Vec<u8>> {
    let nm = std::process::Command::new("nm")
        .arg(exe)
        .output()
        .expect("nm (binutils)");
    let syms: std::collections::HashMap<String, u64> = String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let a = u64::from_str_radix(w.next()?, 16).ok()?;
            let _ = w.next()?;
            Some((w.next()?.to_string(), a))
        })
        .collect();
    let re = std::process::Command::new("readelf")
        .args(["-SW"])
        .arg(exe)
        .output()
        .expect("readelf");
    let text = String::from_utf8_lossy(&re.stdout);
    let line = text.lines().find(|l| l.contains(" .text ")).expect(".text");
    let f: Vec<&str> = line.split_whitespace().collect();
    let i = f.iter().position(|x| *x == ".text").unwrap();
    let addr = u64::from_str_radix(f[i + 2], 16).unwrap();
    let off = u64::from_str_radix(f[i + 3], 16).unwrap();
    let bytes = std::fs::read(exe).unwrap();
    (0..n)
        .map(|k| {
            let b = syms[&format!("xform{k}_b")];
            let e = syms[&format!("xform{k}_e")];
            let s = (b - addr + off) as usize;
            bytes[s..s + (e - b) as usize].to_vec()
        })
        .collect()
}

fn write_corpus(forms: &[Vec<u8>], records: &[(usize, Vec<u8>, Vec<u8>)]) {
    write_corpus_to("x87.bin", forms, records);
}

fn write_corpus_to(file: &str, forms: &[Vec<u8>], records: &[(usize, Vec<u8>, Vec<u8>)]) {
    let mut out = b"YCX871".to_vec();
    out.extend_from_slice(&(forms.len() as u16).to_le_bytes());
    for f in forms {
        out.push(f.len() as u8);
        out.extend_from_slice(f);
    }
    out.extend_from_slice(&(records.len() as u32).to_le_bytes());
    for (form, input, want) in records {
        assert_eq!(want.len(), 126);
        out.extend_from_slice(&(*form as u16).to_le_bytes());
        out.extend_from_slice(input);
        out.extend_from_slice(want);
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(file);
    std::fs::write(&path, out).unwrap();
    eprintln!(
        "recorded {} records of {} forms into {}",
        records.len(),
        forms.len(),
        path.display()
    );
}

/// The recorded x87 corpus (tests/corpus/x87.bin) replays in the simulator alone; the
/// browser build replays the same file (crates/youcpu-web/tests).
#[test]
fn recorded_x87_corpus_replays() {
    let data = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/x87.bin"),
    )
    .expect("tests/corpus/x87.bin (record it with YOUCPU_RECORD=1)");
    match youcpu_core::cpu::replay::replay_x87_corpus(&data) {
        Ok(n) => {
            assert!(n > 2000, "too few recorded cases: {n}");
            eprintln!("{n} recorded x87 records replay identically");
        }
        Err(e) => panic!("{e}"),
    }
}

/// The recorded transcendentals (tests/corpus/x87_transc.bin) replay in the simulator alone
/// within one ulp of the CPU's results; the browser build replays the same file.
#[test]
fn recorded_x87_transcendental_corpus_replays_within_one_ulp() {
    let data = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/x87_transc.bin"),
    )
    .expect("tests/corpus/x87_transc.bin (record it with YOUCPU_RECORD=1)");
    match youcpu_core::cpu::replay::replay_x87_transcendentals(&data, 1) {
        Ok(n) => {
            assert!(n > 2000, "too few recorded cases: {n}");
            eprintln!("{n} recorded x87 transcendental records replay within one ulp");
        }
        Err(e) => panic!("{e}"),
    }
    // The tolerance refuses a real difference: a corrupted result is caught.
    let mut bad = data.clone();
    let n = bad.len();
    bad[n - 126 + 14 + 7] ^= 0x40;
    assert!(youcpu_core::cpu::replay::replay_x87_transcendentals(&bad, 1).is_err());
}

/// The compared bytes of a record: RFLAGS, FCW, FSW, FTW, the registers, AX and the store.
fn view(r: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&r[0..8]);
    v.extend_from_slice(&r[8..10]);
    v.extend_from_slice(&r[12..14]);
    v.extend_from_slice(&r[16..18]);
    v.extend_from_slice(&r[36..144]);
    v
}

/// Little-endian fields printed as numbers; the register area as ten-byte values.
fn hex(b: &[u8]) -> String {
    if b.len() > 8 {
        return b
            .chunks(10)
            .map(|c| {
                c.iter()
                    .rev()
                    .map(|x| format!("{x:02x}"))
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    b.iter().rev().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn x87_forms_match_the_real_cpu() {
    let (m, u) = (cws(), unmasked_cws());
    let tables = vec![
        binary_table(&m),
        unary_table(&m),
        mem_table(&f64_grid(), "m64", &m),
        mem_table(&f32_grid(), "m32", &m),
        mem_table(&int_grid(), "int", &m),
        binary_table(&u),
        unary_table(&u),
        mem_table(&f64_grid(), "m64", &u),
        mem_table(&f32_grid(), "m32", &u),
        mem_table(&int_grid(), "int", &u),
    ];
    let all = forms();
    let mut bad = Vec::new();
    let mut nbad = 0;
    let mut total = 0;
    // Programs of at most ~12 MiB of output each (the simulator's stdout holds 16 MiB).
    let mut groups: Vec<Vec<(&str, usize)>> = vec![Vec::new()];
    let mut size = 0;
    for f in &all {
        let s = tables[f.1].len() * REC;
        if size + s > 12 << 20 {
            groups.push(Vec::new());
            size = 0;
        }
        size += s;
        groups.last_mut().unwrap().push(*f);
    }
    // YOUCPU_RECORD=1 re-records tests/corpus/x87.bin from this CPU (on purpose only).
    let record = std::env::var("YOUCPU_RECORD").as_deref() == Ok("1");
    let mut corpus_forms: Vec<Vec<u8>> = Vec::new();
    let mut recorded: Vec<(usize, Vec<u8>, Vec<u8>)> = Vec::new();
    for (gi, forms) in groups.iter().enumerate() {
        let exe = harness::build_asm_text(&format!("x87_forms_{gi}"), &program(&tables, forms));
        let native = harness::native_plain(&exe, &[]);
        assert_eq!(native.status, 0, "native run failed");
        let sim = harness::sim(&exe, &[]);
        assert_eq!(sim.status, 0, "simulator run failed");
        let n: usize = forms.iter().map(|f| tables[f.1].len()).sum();
        total += n;
        assert_eq!(native.stdout.len(), n * REC);
        assert_eq!(
            sim.stdout.len(),
            native.stdout.len(),
            "simulator output size"
        );
        if record {
            let codes = form_codes(&exe, forms.len());
            let mut o = 0;
            for (i, (text, t)) in forms.iter().enumerate() {
                let n = tables[*t].len();
                let step = (n / 24).max(1);
                // Forms addressing `scratch` RIP-relatively cannot move: not recorded.
                let movable = !text.contains("(%rip)");
                if movable {
                    corpus_forms.push(codes[i].clone());
                }
                for (j, input) in tables[*t].iter().enumerate() {
                    if movable && j % step == 0 {
                        let r = &native.stdout[o + j * REC..o + (j + 1) * REC];
                        let mut want = view(r);
                        want.truncate(14 + 80);
                        want.extend_from_slice(&r[116..118]);
                        want.extend_from_slice(&[0u8; 14]);
                        want.extend_from_slice(&r[128..144]);
                        recorded.push((corpus_forms.len() - 1, input_bytes(input), want));
                    }
                }
                o += n * REC;
            }
        }
        let mut o = 0;
        for (text, t) in forms {
            let mut shown = 0;
            let before = nbad;
            for input in &tables[*t] {
                let (nv, sv) = (
                    view(&native.stdout[o..o + REC]),
                    view(&sim.stdout[o..o + REC]),
                );
                o += REC;
                if nv != sv {
                    nbad += 1;
                    if shown < 3 {
                        shown += 1;
                        bad.push(format!(
                            "`{text}` {}:\n  native fl={} cw={} sw={} tw={} regs={}\n  sim    fl={} cw={} sw={} tw={} regs={}",
                            input.what,
                            hex(&nv[0..8]), hex(&nv[8..10]), hex(&nv[10..12]), hex(&nv[12..14]), hex(&nv[14..]),
                            hex(&sv[0..8]), hex(&sv[8..10]), hex(&sv[10..12]), hex(&sv[12..14]), hex(&sv[14..]),
                        ));
                    }
                }
            }
            if nbad > before {
                bad.push(format!("  ({} records of `{text}` differ)", nbad - before));
            }
        }
    }
    assert!(total > 10_000, "too few cases: {total}");
    if record {
        write_corpus(&corpus_forms, &recorded);
    }
    assert!(
        nbad == 0,
        "{nbad} of {total} records differ:\n{}",
        bad.join("\n")
    );
    eprintln!(
        "{total} x87 records ({} forms) match the real CPU",
        all.len()
    );
}

/// Two 80-bit values at most `ulps` apart (same sign; adjacent significands, carrying
/// across an exponent), or identical.
fn near(a: &[u8], b: &[u8], ulps: u128) -> bool {
    if a == b {
        return true;
    }
    let v = |x: &[u8]| {
        let sig = u64::from_le_bytes(x[0..8].try_into().unwrap());
        let se = u16::from_le_bytes(x[8..10].try_into().unwrap());
        (
            se >> 15,
            (u128::from(se & 0x7fff) << 63) | u128::from(sig & (u64::MAX >> 1)),
        )
    };
    let ((sa, ma), (sb, mb)) = (v(a), v(b));
    let expo = |x: &[u8]| u16::from_le_bytes(x[8..10].try_into().unwrap()) & 0x7fff;
    sa == sb && expo(a) != 0x7fff && expo(b) != 0x7fff && ma.abs_diff(mb) <= ulps
}

#[test]
fn x87_transcendentals_match_the_real_cpu_within_one_ulp() {
    let mut args: Vec<(u16, u64)> = ext_grid();
    // Ordinary arguments: multiples and fractions of pi, large ones (reduction with the
    // 66-bit pi), values near 1 for the logarithms.
    for v in [
        0.5f64,
        1.0,
        2.0,
        3.0,
        std::f64::consts::PI,
        std::f64::consts::FRAC_PI_2,
        10.0,
        100.0,
        12345.678,
        1e10,
        1e18,
        -0.75,
        -2.5,
        1e-5,
        0.9999,
        1.0001,
        0.25,
        -0.3,
        0.7,
        7.0e-20,
        123.0,
    ] {
        let b = v.to_bits();
        let e = ((b >> 52) & 0x7ff) as u16 + 16383 - 1023;
        let se = e | if v < 0.0 { 0x8000 } else { 0 };
        args.push((se, ((b & ((1 << 52) - 1)) | (1 << 52)) << 11 | 0x5a5));
    }
    let mut unary = Vec::new();
    let mut binary = Vec::new();
    for cw in [0x37fu16, 0x77f, 0xb7f, 0xf7f] {
        for (i, &a) in args.iter().enumerate() {
            unary.push(Input {
                a,
                b: args[(i * 5 + 1) % args.len()],
                cw,
                mem: 0,
                what: format!("cw={cw:#x} a={:04x}:{:016x}", a.0, a.1),
            });
            for &b in args.iter().step_by(3) {
                binary.push(Input {
                    a,
                    b,
                    cw,
                    mem: 0,
                    what: format!(
                        "cw={cw:#x} a={:04x}:{:016x} b={:04x}:{:016x}",
                        a.0, a.1, b.0, b.1
                    ),
                });
            }
        }
    }
    let tables = vec![binary, unary];
    let forms: Vec<(&str, usize)> = vec![
        ("fsin", 1),
        ("fcos", 1),
        ("fsincos", 1),
        ("fptan", 1),
        ("f2xm1", 1),
        ("fpatan", 0),
        ("fyl2x", 0),
        ("fyl2xp1", 0),
    ];
    let exe = harness::build_asm_text("x87_transc", &program(&tables, &forms));
    let native = harness::native_plain(&exe, &[]);
    assert_eq!(native.status, 0, "native run failed");
    // YOUCPU_RECORD=1 records every fourth case into tests/corpus/x87_transc.bin.
    if std::env::var("YOUCPU_RECORD").as_deref() == Ok("1") {
        let codes = form_codes(&exe, forms.len());
        let mut recorded = Vec::new();
        let mut o = 0;
        for (i, (_, t)) in forms.iter().enumerate() {
            for (j, input) in tables[*t].iter().enumerate() {
                if j % 4 == 0 {
                    let r = &native.stdout[o + j * REC..o + (j + 1) * REC];
                    let mut want = view(r);
                    want.truncate(14 + 80);
                    want.extend_from_slice(&r[116..118]);
                    want.extend_from_slice(&[0u8; 14]);
                    want.extend_from_slice(&r[128..144]);
                    recorded.push((i, input_bytes(input), want));
                }
            }
            o += tables[*t].len() * REC;
        }
        write_corpus_to("x87_transc.bin", &codes, &recorded);
    }
    let sim = harness::sim(&exe, &[]);
    assert_eq!(sim.status, 0, "simulator run failed");
    assert_eq!(sim.stdout.len(), native.stdout.len());
    let (mut o, mut total, mut exact, mut nbad) = (0, 0, 0, 0);
    let mut bad = Vec::new();
    for (text, t) in &forms {
        let mut shown = 0;
        for input in &tables[*t] {
            let (nr, sr) = (&native.stdout[o..o + REC], &sim.stdout[o..o + REC]);
            o += REC;
            total += 1;
            let (nv, sv) = (view(nr), view(sr));
            if nv == sv {
                exact += 1;
                continue;
            }
            // RFLAGS, control and tag words exactly; the status word but C1; registers
            // within one ulp.
            let sw = |v: &[u8]| u16::from_le_bytes([v[10], v[11]]) & !0x0200;
            let ok = nv[0..10] == sv[0..10]
                && sw(&nv) == sw(&sv)
                && nv[12..14] == sv[12..14]
                && (0..8).all(|k| {
                    near(
                        &nv[14 + 10 * k..24 + 10 * k],
                        &sv[14 + 10 * k..24 + 10 * k],
                        1,
                    )
                })
                && nv[94..] == sv[94..];
            if !ok {
                nbad += 1;
            }
            if !ok && shown < 40 {
                shown += 1;
                bad.push(format!(
                    "`{text}` {}:\n  native sw={} regs={}\n  sim    sw={} regs={}",
                    input.what,
                    hex(&nv[10..12]),
                    hex(&nv[14..34]),
                    hex(&sv[10..12]),
                    hex(&sv[14..34])
                ));
            }
        }
    }
    assert!(total > 1000, "too few cases: {total}");
    assert!(
        bad.is_empty(),
        "{nbad} differ by more than 1 ulp:\n{}",
        bad.join("\n")
    );
    eprintln!("{total} transcendental records: {exact} bit-exact, the rest within 1 ulp");
}
