//! The x87 FPU against the real CPU, bit for bit: every instruction form runs over tables of
//! 80-bit operands (±0, denormals, pseudo-denormals, unnormals, ±inf, pseudo-infinity, quiet
//! and signalling NaNs with payloads, 2^63, 1 + 2^-24/2^-53/2^-63, the largest and smallest
//! numbers) under every precision control (24, 53, 64 bits) and rounding control, after
//! `fninit; fldcw; fldt b; fldt a` (ST(0) = a, ST(1) = b). After each form the program stores
//! RFLAGS and an FNSAVE image (control, status and tag words, the eight registers) and, for
//! the store forms, the stored memory; natively and in the simulator, compared record by
//! record. The image's last-instruction pointers are compared too (FIP, FOP with FCS, FDP,
//! FDS: `cpu/exec/x87/image.rs`) on an Intel host and on an AMD one with XSaveErPtr (CPUID
//! Fn8000_0008_EBX bit 2, AMD APM vol. 3 appendix E: every Zen core); on an AMD part without
//! it their differences are counted and printed, not failed (the profile's rule for those
//! parts is from the manual, not recorded). Most forms run with exceptions masked; single-instruction forms also run
//! with them unmasked (alone and all together), where the exception stays pending in the
//! status word (ES, B) and the result is what an unmasked exception leaves (no result after
//! a pre-computation exception, the bias-adjusted one after overflow or underflow, no store
//! to memory). Delivering the pending exception as SIGFPE is a whole-program test
//! (`cpu_programs`, sig_fpe.c).

#![allow(clippy::unwrap_used)] // tests may unwrap

mod forms;
mod program;
mod tables;

use crate::harness;
use forms::{forms, pointer_forms};
use program::{input_bytes, program, write_corpus, write_corpus_to};
use tables::{
    binary_table, cws, ext_grid, f32_grid, f64_grid, int_grid, mem_table, unary_table,
    unmasked_cws, Input,
};

/// Output bytes per record: RFLAGS, FNSAVE (108), AX, spare, the stored operand (16).
const REC: usize = 144;

/// The recorded x87 corpora (tests/corpus/x87-VENDOR-FAMILY.bin.gz, one per processor)
/// replay in the simulator alone, each on its vendor's profile, on any host; the browser
/// build replays the same files (crates/youcpu-web/tests).
#[test]
fn recorded_x87_corpus_replays() {
    harness::replay_corpora("x87", 2000, youcpu_core::cpu::replay::replay_x87_corpus);
}

/// The recorded transcendentals (tests/corpus/x87_transc-VENDOR-FAMILY.bin.gz) replay in the
/// simulator alone, each on its vendor's profile, within one ulp of the CPU's results; the
/// browser build replays the same files.
#[test]
fn recorded_x87_transcendental_corpus_replays_within_one_ulp() {
    use youcpu_core::cpu::replay::replay_x87_transcendentals;
    let one_ulp = |data: &[u8], vendor| replay_x87_transcendentals(data, vendor, 1);
    for (name, vendor, data) in harness::replay_corpora("x87_transc", 2000, one_ulp) {
        // The tolerance refuses a real difference: a corrupted result is caught.
        let mut bad = data.clone();
        let n = bad.len();
        bad[n - 126 + 14 + 7] ^= 0x40;
        assert!(
            one_ulp(&bad, vendor).is_err(),
            "{name}: a corrupted record replays"
        );
    }
}

/// What the corpus keeps of a native record `r` (126 bytes): the first 94 bytes of its
/// [`view`] (RFLAGS, FCW, FSW, FTW and the registers), `r[116..118]`, 14 zero bytes, and the
/// store `r[128..144]`.
fn corpus_want(r: &[u8]) -> Vec<u8> {
    let mut want = view(r);
    want.truncate(14 + 80);
    want.extend_from_slice(&r[116..118]);
    want.extend_from_slice(&[0u8; 14]);
    want.extend_from_slice(&r[128..144]);
    want
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

/// Whether the host's last-instruction pointers are compared exactly: on Intel, and on AMD
/// with XSaveErPtr (the parts the AMD profile was checked on).
fn exact_pointers() -> bool {
    harness::host_vendor() == youcpu_core::cpu::vendor::Vendor::Intel
        || harness::host_xsave_er_ptr()
}

/// Runs the program natively; where a record disagrees with the simulator's (`sim`, compared
/// as the tests compare: [`view`], and [`pointers`] when `exact`), runs it again, at most
/// three more times, and takes the first rerun's record that agrees; `rerun` counts those.
/// The native pointers are not reproducible on every host: on the AMD EPYC this was checked
/// on, the kernel's XSAVES at a context switch does not save FIP, FDP and FOP while no
/// exception is pending, so a record whose program was switched out between its last
/// memory-operand instruction and the FNSAVE shows FDP zero (and FIP, FOP, FCS zero when it
/// was switched out after its last x87 instruction): a few records in ten thousand, never the
/// same in two runs. A difference the simulator makes differs in every run.
fn native_records(
    exe: &std::path::Path,
    sim: &[u8],
    exact: bool,
    rerun: &mut usize,
) -> harness::RunResult {
    let agrees = |n: &[u8], s: &[u8]| view(n) == view(s) && (!exact || pointers(n) == pointers(s));
    let mut native = harness::native_plain(exe, &[]);
    assert_eq!(native.status, 0, "native run failed");
    assert_eq!(native.stdout.len(), sim.len(), "simulator output size");
    for _ in 0..3 {
        let differ: Vec<usize> = (0..sim.len() / REC)
            .filter(|k| {
                let r = k * REC..(k + 1) * REC;
                !agrees(&native.stdout[r.clone()], &sim[r])
            })
            .collect();
        if differ.is_empty() {
            break;
        }
        let again = harness::native_plain(exe, &[]);
        assert_eq!(again.status, 0, "native run failed");
        for k in differ {
            let r = k * REC..(k + 1) * REC;
            if agrees(&again.stdout[r.clone()], &sim[r.clone()]) {
                native.stdout[r.clone()].copy_from_slice(&again.stdout[r]);
                *rerun += 1;
            }
        }
    }
    native
}

/// The last-instruction pointers of a record's FNSAVE image (32-bit layout, Intel SDM vol. 1
/// figure 8-9): FIP, FCS with FOP, FDP, FDS.
fn pointers(r: &[u8]) -> [u32; 4] {
    let w = |i: usize| u32::from_le_bytes(r[8 + 12 + 4 * i..8 + 16 + 4 * i].try_into().unwrap());
    [w(0), w(1), w(2), w(3)]
}

fn show_pointers(p: &[u32; 4]) -> String {
    format!(
        "fip={:#x} fop={:#x} fcs={:#x} fdp={:#x} fds={:#x}",
        p[0],
        (p[1] >> 16) & 0x7ff,
        p[1] & 0xffff,
        p[2],
        p[3] & 0xffff
    )
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
    let exact = exact_pointers();
    let mut all = forms();
    if exact {
        all.extend(pointer_forms());
    }
    let (mut nptr, mut rerun) = (0, 0);
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
    // YOUCPU_RECORD=1 records tests/corpus/x87-VENDOR-FAMILY.bin.gz from this CPU (on purpose
    // only).
    let record = std::env::var("YOUCPU_RECORD").as_deref() == Ok("1");
    let mut corpus_forms: Vec<Vec<u8>> = Vec::new();
    let mut recorded: Vec<(usize, Vec<u8>, Vec<u8>)> = Vec::new();
    for (gi, forms) in groups.iter().enumerate() {
        let exe = harness::build_asm_text(&format!("x87_forms_{gi}"), &program(&tables, forms));
        let sim = harness::sim(&exe, &[]);
        assert_eq!(sim.status, 0, "simulator run failed");
        let native = native_records(&exe, &sim.stdout, exact, &mut rerun);
        let n: usize = forms.iter().map(|f| tables[f.1].len()).sum();
        total += n;
        assert_eq!(native.stdout.len(), n * REC);
        assert_eq!(
            sim.stdout.len(),
            native.stdout.len(),
            "simulator output size"
        );
        if record {
            let codes = crate::harness::labelled_code(&exe, "xform", 0..forms.len());
            let mut o = 0;
            for (i, (text, t)) in forms.iter().enumerate() {
                let n = tables[*t].len();
                let step = (n / 24).max(1);
                // Forms addressing `scratch` RIP-relatively cannot move, and the pointer forms
                // store code and data addresses: not recorded.
                let movable =
                    !text.contains("(%rip)") && !pointer_forms().iter().any(|p| p.0 == *text);
                if movable {
                    corpus_forms.push(codes[i].clone());
                }
                for (j, input) in tables[*t].iter().enumerate() {
                    if movable && j % step == 0 {
                        let want = corpus_want(&native.stdout[o + j * REC..o + (j + 1) * REC]);
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
                let (np, sp) = (
                    pointers(&native.stdout[o - REC..o]),
                    pointers(&sim.stdout[o - REC..o]),
                );
                if np != sp {
                    nptr += 1;
                    if exact && nv == sv && shown < 3 {
                        shown += 1;
                        bad.push(format!(
                            "`{text}` {}: pointers\n  native {}\n  sim    {}",
                            input.what,
                            show_pointers(&np),
                            show_pointers(&sp)
                        ));
                    }
                }
                if nv != sv || (exact && np != sp) {
                    nbad += 1;
                    if shown < 3 && nv != sv {
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
        "{total} x87 records ({} forms) match the real CPU (pointers {}; {rerun} records from a rerun); pointers differ in {nptr}",
        all.len(),
        if exact { "compared" } else { "counted" }
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
    let sim = harness::sim(&exe, &[]);
    assert_eq!(sim.status, 0, "simulator run failed");
    let exact_ptr = exact_pointers();
    let native = native_records(&exe, &sim.stdout, exact_ptr, &mut 0);
    // YOUCPU_RECORD=1 records every fourth case into tests/corpus/x87_transc-VENDOR-FAMILY.bin.gz.
    if std::env::var("YOUCPU_RECORD").as_deref() == Ok("1") {
        let codes = crate::harness::labelled_code(&exe, "xform", 0..forms.len());
        let mut recorded = Vec::new();
        let mut o = 0;
        for (i, (_, t)) in forms.iter().enumerate() {
            for (j, input) in tables[*t].iter().enumerate() {
                if j % 4 == 0 {
                    let want = corpus_want(&native.stdout[o + j * REC..o + (j + 1) * REC]);
                    recorded.push((i, input_bytes(input), want));
                }
            }
            o += tables[*t].len() * REC;
        }
        write_corpus_to("x87_transc", &codes, &recorded);
    }
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
            if nv == sv && (!exact_ptr || pointers(nr) == pointers(sr)) {
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
                && nv[94..] == sv[94..]
                && (!exact_ptr || pointers(nr) == pointers(sr));
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
