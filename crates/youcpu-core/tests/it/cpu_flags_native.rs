//! Flag results against the real CPU: the test writes an assembly program that runs every
//! case (operation x width x value grid x two initial flag states) and stores RAX, RDX and
//! RFLAGS after each, runs it natively and in the simulator, and compares record by record.
//!
//! All of RFLAGS is compared, including the flags the Intel SDM leaves undefined: on a real
//! core they are a plain function of the inputs, but Intel and AMD cores compute them
//! differently. The simulator has a profile for each (`src/cpu/vendor.rs` lists the rules):
//! the live test uses the host's vendor, and both profiles are checked against recordings of
//! the same grid made on an Intel and an AMD core (`tests/data/cpu/`, see
//! `recorded.rs`; `YOUCPU_RECORD=1` re-records the host's vendor).

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;
use crate::recorded;

use std::fmt::Write;
use youcpu_core::cpu::vendor::Vendor;

const CF: u64 = 1;
const PF: u64 = 4;
const AF: u64 = 0x10;
const ZF: u64 = 0x40;
const SF: u64 = 0x80;
const OF: u64 = 0x800;
const STATUS: u64 = CF | PF | AF | ZF | SF | OF;

struct Case {
    desc: String,
}

fn regs(width: u32) -> (&'static str, &'static str, &'static str) {
    match width {
        8 => ("%al", "%bl", "b"),
        16 => ("%ax", "%bx", "w"),
        32 => ("%eax", "%ebx", "l"),
        _ => ("%rax", "%rbx", "q"),
    }
}

fn grid(width: u32) -> Vec<u64> {
    let m = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    let top = 1u64 << (width - 1);
    let mut v = vec![
        0,
        1,
        2,
        top - 1,
        top,
        top + 1,
        m,
        m - 1,
        0x5555_5555_5555_5555 & m,
        0xf,
        0x10,
        0x80 & m,
        0x7f,
    ];
    v.sort();
    v.dedup();
    v
}

fn emit_case(asm: &mut String, flags_in: u64, a: u64, b: u64, body: &str) {
    let _ = writeln!(
        asm,
        "    movabs ${flags_in:#x}, %r8\n    push %r8\n    popfq"
    );
    let _ = writeln!(
        asm,
        "    movabs ${a:#x}, %rax\n    movabs ${b:#x}, %rbx\n    movabs $0x1122334455667788, %rdx"
    );
    let _ = writeln!(asm, "{body}");
    let _ = writeln!(asm, "    pushfq\n    pop %r8\n    mov %rax, (%rdi)\n    mov %rdx, 8(%rdi)\n    mov %r8, 16(%rdi)\n    add $24, %rdi");
}

fn build_cases() -> (String, Vec<Case>) {
    let mut asm = String::from(".globl _start\n_start:\n    lea out(%rip), %rdi\n");
    let mut cases = Vec::new();
    let flag_states = [0x202u64, 0x202 | STATUS];
    for width in [8u32, 16, 32, 64] {
        let (ra, rb, sfx) = regs(width);
        let g = grid(width);
        // Two-operand ALU ops.
        for op in [
            "add", "adc", "sub", "sbb", "cmp", "and", "or", "xor", "test",
        ] {
            for &a in &g {
                for &b in &g {
                    for &f in &flag_states {
                        emit_case(&mut asm, f, a, b, &format!("    {op}{sfx} {rb}, {ra}"));
                        cases.push(Case {
                            desc: format!("{op}{sfx} a={a:#x} b={b:#x} flags={f:#x}"),
                        });
                    }
                }
            }
        }
        // One-operand ops.
        for op in ["inc", "dec", "neg", "not"] {
            for &a in &g {
                for &f in &flag_states {
                    emit_case(&mut asm, f, a, 0, &format!("    {op}{sfx} {ra}"));
                    cases.push(Case {
                        desc: format!("{op}{sfx} a={a:#x} flags={f:#x}"),
                    });
                }
            }
        }
        // Shifts and rotates by CL, with counts around the width edges.
        let counts = [
            0u64,
            1,
            2,
            3,
            u64::from(width) - 1,
            u64::from(width),
            u64::from(width) + 1,
            17,
            31,
            32,
            33,
            63,
            64,
        ];
        for op in ["shl", "shr", "sar", "rol", "ror", "rcl", "rcr"] {
            for &a in &g {
                for &c in &counts {
                    for &f in &flag_states {
                        emit_case(
                            &mut asm,
                            f,
                            a,
                            c,
                            &format!("    mov %bl, %cl\n    {op}{sfx} %cl, {ra}"),
                        );
                        cases.push(Case {
                            desc: format!("{op}{sfx} a={a:#x} count={c} flags={f:#x}"),
                        });
                    }
                }
            }
            // The one-bit form (D0/D1 opcodes).
            for &a in &g {
                emit_case(
                    &mut asm,
                    flag_states[1],
                    a,
                    0,
                    &format!("    {op}{sfx} {ra}"),
                );
                cases.push(Case {
                    desc: format!("{op}{sfx} a={a:#x} (by 1)"),
                });
            }
        }
        // SHLD/SHRD (16/32/64 bits): dest = a, source = the RDX marker, count from the grid.
        if width > 8 {
            let rd = match width {
                16 => "%dx",
                32 => "%edx",
                _ => "%rdx",
            };
            for op in ["shld", "shrd"] {
                for &a in &g {
                    for &c in &counts {
                        emit_case(
                            &mut asm,
                            flag_states[1],
                            a,
                            c,
                            &format!("    mov %bl, %cl\n    {op}{sfx} %cl, {rd}, {ra}"),
                        );
                        cases.push(Case {
                            desc: format!("{op}{sfx} a={a:#x} count={c}"),
                        });
                    }
                }
            }
            // BSF/BSR: zero and non-zero sources, both flag states.
            for op in ["bsf", "bsr"] {
                for &b in &g {
                    for &f in &flag_states {
                        emit_case(&mut asm, f, 0x5a5a, b, &format!("    {op}{sfx} {rb}, {ra}"));
                        cases.push(Case {
                            desc: format!("{op}{sfx} b={b:#x} flags={f:#x}"),
                        });
                    }
                }
            }
        }
        // Multiply: one-operand MUL/IMUL (RDX:RAX), two-operand IMUL (not for 8 bits).
        for op in ["mul", "imul"] {
            for &a in &g {
                for &b in &g {
                    for &f in &flag_states {
                        emit_case(&mut asm, f, a, b, &format!("    {op}{sfx} {rb}"));
                        cases.push(Case {
                            desc: format!("{op}{sfx} a={a:#x} b={b:#x} flags={f:#x}"),
                        });
                        if op == "imul" && width > 8 {
                            emit_case(&mut asm, f, a, b, &format!("    imul{sfx} {rb}, {ra}"));
                            cases.push(Case {
                                desc: format!("imul{sfx} (2-op) a={a:#x} b={b:#x} flags={f:#x}"),
                            });
                        }
                    }
                }
            }
        }
        // Divide: only cases that do not raise #DE (those are whole-program tests).
        let m = if width == 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        for signed in [false, true] {
            let op = if signed { "idiv" } else { "div" };
            for &hi_kind in &[0u64, 1] {
                for &lo in &g {
                    for &d in &g {
                        if d == 0 {
                            continue;
                        }
                        // hi = 0 or the sign extension of lo (so the quotient mostly fits).
                        let sign = lo & (1u64 << (width - 1)) != 0;
                        let hi = if hi_kind == 1 && signed && sign { m } else { 0 };
                        let fits = if width == 8 {
                            let n = ((hi & 0xff) << 8) | (lo & 0xff);
                            div_fits(n as u128, 16, d, width, signed)
                        } else {
                            let n = (u128::from(hi) << width) | u128::from(lo);
                            div_fits(n, width * 2, d, width, signed)
                        };
                        if !fits {
                            continue;
                        }
                        let (a, body) = if width == 8 {
                            (((hi & 0xff) << 8) | lo, format!("    {op}b %bl"))
                        } else {
                            (lo, format!("    movabs ${hi:#x}, %rdx\n    {op}{sfx} {rb}"))
                        };
                        for &f in &flag_states {
                            let mut b2 = String::new();
                            emit_case(&mut b2, f, a, d, &body);
                            // emit_case set RDX to a marker before `body`; body reloads it.
                            asm.push_str(&b2);
                            cases.push(Case {
                                desc: format!(
                                    "{op}{sfx} hi={hi:#x} lo={lo:#x} d={d:#x} flags={f:#x}"
                                ),
                            });
                        }
                    }
                }
            }
        }
    }
    asm.push_str("    mov $1, %eax\n    mov $1, %edi\n    lea out(%rip), %rsi\n");
    let _ = writeln!(
        asm,
        "    mov ${}, %rdx\n    syscall\n    mov $60, %eax\n    xor %edi, %edi\n    syscall",
        cases.len() * 24
    );
    let _ = writeln!(asm, ".bss\nout: .space {}", cases.len() * 24);
    (asm, cases)
}

fn div_fits(n: u128, nbits: u32, d: u64, width: u32, signed: bool) -> bool {
    if signed {
        let sh = 128 - nbits;
        let n = ((n << sh) as i128) >> sh;
        let dw = 64 - width;
        let d = i128::from(((d << dw) as i64) >> dw);
        match n.checked_div(d) {
            Some(q) => q >= -(1i128 << (width - 1)) && q < (1i128 << (width - 1)),
            None => false,
        }
    } else {
        (n / u128::from(d)) >> width == 0
    }
}

/// One line per case whose 24-byte record (RAX, RDX, RFLAGS) differs, the first few of each
/// operation, and the count.
fn differences<'a>(
    cases: &[Case],
    expected: impl Iterator<Item = (usize, &'a [u8])>,
    sim: &[u8],
) -> (usize, Vec<String>) {
    let word = |b: &[u8], i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
    let mut bad = 0;
    let mut shown: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (i, want) in expected {
        let got = &sim[i * 24..i * 24 + 24];
        if got == want {
            continue;
        }
        bad += 1;
        let c = &cases[i];
        let line = format!(
            "{}: real rax={:#x} rdx={:#x} fl={:#x}; sim rax={:#x} rdx={:#x} fl={:#x}",
            c.desc,
            word(want, 0),
            word(want, 8),
            word(want, 16),
            word(got, 0),
            word(got, 8),
            word(got, 16)
        );
        let op = c.desc.split_whitespace().next().unwrap_or("").to_string();
        let e = shown.entry(op).or_default();
        if e.len() < 4 {
            e.push(line);
        }
    }
    (bad, shown.into_values().flatten().collect())
}

/// The host processor, live: the simulator with the host's vendor profile must give every
/// bit of every record, undefined flags included.
#[test]
fn flags_match_the_real_cpu() {
    let (asm, cases) = build_cases();
    let exe = harness::build_asm_text("flags_grid", &asm);
    let native = harness::native_plain(&exe, &[]);
    let vendor = harness::host_vendor();
    let sim = harness::sim_as(vendor, &exe, &[]);
    assert_eq!(native.status, 0);
    assert_eq!(native.stdout.len(), cases.len() * 24, "native output size");
    assert_eq!(
        sim.stdout.len(),
        native.stdout.len(),
        "simulator output size"
    );
    if recorded::recording() {
        let keys: Vec<String> = cases.iter().map(|c| c.desc.clone()).collect();
        recorded::save("flags_grid", vendor, &keys, &native.stdout, 24);
    }
    let expected = (0..cases.len()).map(|i| (i, &native.stdout[i * 24..i * 24 + 24]));
    let (bad, report) = differences(&cases, expected, &sim.stdout);
    assert!(
        bad == 0,
        "{bad} of {} cases differ from this {vendor} processor:\n{}",
        cases.len(),
        report.join("\n")
    );
    eprintln!("{} flag cases match this {vendor} processor", cases.len());
}

/// Both vendors' recorded cores (`tests/data/cpu/flags_grid.*.tsv.gz`): the profile this
/// machine cannot run live is checked here, and the host's own against its recording too.
#[test]
fn flags_match_the_recorded_cores() {
    let (asm, cases) = build_cases();
    let exe = harness::build_asm_text("flags_grid_recorded", &asm);
    let keys: Vec<String> = cases.iter().map(|c| c.desc.clone()).collect();
    for vendor in Vendor::ALL {
        let rec = recorded::load("flags_grid", vendor);
        let pairs = recorded::line_up(&rec, &keys);
        let sim = harness::sim_as(vendor, &exe, &[]);
        assert_eq!(sim.status, 0);
        assert_eq!(sim.stdout.len(), cases.len() * 24, "simulator output size");
        let checked = pairs.len();
        let (bad, report) = differences(&cases, pairs.into_iter(), &sim.stdout);
        assert!(
            bad == 0,
            "{bad} of {checked} cases differ from the recorded {vendor} core ({}):\n{}",
            rec.header.join(" "),
            report.join("\n")
        );
        assert!(checked > 30_000, "only {checked} recorded {vendor} cases");
        eprintln!(
            "{checked} of {} flag cases match the recorded {vendor} core",
            cases.len()
        );
    }
}

/// The two profiles really differ where the manuals leave flags undefined, and only there:
/// on every recorded case, the two cores' records agree in RAX, RDX and every defined flag.
#[test]
fn the_vendors_differ_only_in_undefined_flags() {
    let (_, cases) = build_cases();
    let keys: Vec<String> = cases.iter().map(|c| c.desc.clone()).collect();
    let intel = recorded::load("flags_grid", Vendor::Intel);
    let amd = recorded::load("flags_grid", Vendor::Amd);
    let a: std::collections::HashMap<usize, &[u8]> =
        recorded::line_up(&amd, &keys).into_iter().collect();
    let word = |b: &[u8], i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
    let mut differ = 0;
    for (i, x) in recorded::line_up(&intel, &keys) {
        let Some(y) = a.get(&i) else { continue };
        if x == *y {
            continue;
        }
        differ += 1;
        let d = &cases[i].desc;
        let op = d.split_whitespace().next().unwrap_or("");
        // Flags each operation may leave differently (SDM "Flags Affected": undefined).
        let count = d
            .split_whitespace()
            .find_map(|w| w.strip_prefix("count="))
            .and_then(|c| c.parse::<u32>().ok())
            .or(d.ends_with("(by 1)").then_some(1));
        let undefined = match &op[..op.len() - 1] {
            "div" | "idiv" => STATUS,
            "mul" | "imul" => SF | ZF | AF | PF,
            "shl" | "shr" | "sar" | "rol" | "ror" | "rcl" | "rcr" if count == Some(1) => AF,
            "shl" | "shr" | "sar" | "rol" | "ror" | "rcl" | "rcr" => AF | OF,
            "shld" | "shrd" if op.ends_with('w') && count.is_some_and(|c| c & 31 > 16) => {
                STATUS | u64::MAX << 16
            }
            "shld" | "shrd" if count == Some(1) => AF,
            "shld" | "shrd" => AF | OF,
            _ => 0,
        };
        let (x0, y0) = (word(x, 0), word(y, 0));
        let mask_rax = if undefined & (u64::MAX << 16) != 0 {
            0xffff
        } else {
            0
        };
        assert_eq!(x0 & !mask_rax, y0 & !mask_rax, "{d}: RAX");
        assert_eq!(word(x, 8), word(y, 8), "{d}: RDX");
        assert_eq!(
            word(x, 16) & !undefined,
            word(y, 16) & !undefined,
            "{d}: a defined flag differs between the recorded cores"
        );
    }
    assert!(
        differ > 10_000,
        "only {differ} cases differ between the vendors"
    );
    eprintln!(
        "{differ} cases differ between the recorded Intel and AMD cores, all in undefined results"
    );
}
