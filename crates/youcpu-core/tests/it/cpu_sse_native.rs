//! SSE/SSE2/SSE3/SSSE3/SSE4.1 against the real CPU, bit for bit: the test writes one assembly
//! program that runs every instruction form over tables of operands (special values: ±0,
//! denormals, ±inf, quiet and signalling NaNs with payloads, 2^31, 2^63, 2^53 + 1, values
//! that overflow or underflow) in every rounding mode and with DAZ/FTZ on and off, and stores
//! MXCSR, RFLAGS, XMM0 and R8 after each. It runs natively and in the simulator and the
//! records are compared one by one. All exceptions stay masked here; `cpu_sse_unmasked.rs`
//! runs the float forms with them unmasked (#XM, SIGFPE).

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

use std::fmt::Write;

use crate::sse;

use sse::forms::{forms, Form};
use sse::tables::*;

fn program(tables: &[Vec<Input>], forms: &[&Form], first: usize) -> String {
    let mut a = String::from(".globl _start\n_start:\n    lea out(%rip), %rdi\n");
    for (k, form) in forms.iter().enumerate() {
        let n = tables[form.table].len();
        let _ = writeln!(
            a,
            "# form {k}: {}\n    lea table{}(%rip), %rsi\n    mov ${n}, %r12d\n1:",
            form.text.replace('\n', ";"),
            form.table
        );
        a.push_str(
            "    ldmxcsr (%rsi)\n    movdqa 16(%rsi), %xmm0\n    movdqa 32(%rsi), %xmm1\n    mov 32(%rsi), %r9\n    movabs $0x5a5a5a5adeadbeef, %r8\n    pushq $0xad7\n    popfq\n",
        );
        let _ = writeln!(
            a,
            "form{}_b:\n    {}\nform{}_e:",
            first + k,
            form.text,
            first + k
        );
        a.push_str(
            "    pushfq\n    pop %rax\n    stmxcsr (%rdi)\n    mov %eax, 4(%rdi)\n    movdqu %xmm0, 8(%rdi)\n    mov %r8, 24(%rdi)\n    add $48, %rsi\n    add $32, %rdi\n    dec %r12d\n    jnz 1b\n",
        );
    }
    sse::program_tail(&mut a, tables, forms, REC, "", "");
    a
}

/// The 48-byte input record as the program's table holds it.
fn input_bytes(r: &Input) -> Vec<u8> {
    let mut v = Vec::with_capacity(48);
    v.extend_from_slice(&r.mxcsr.to_le_bytes());
    v.extend_from_slice(&[0; 12]);
    v.extend_from_slice(&r.a.to_le_bytes());
    v.extend_from_slice(&r.b.to_le_bytes());
    v
}

fn write_corpus(forms: &[Vec<u8>], records: &[(usize, Vec<u8>, Vec<u8>)]) {
    harness::write_corpus(b"YCSSE1", "sse", forms, records);
}

/// The recorded corpora (tests/corpus/sse-VENDOR-FAMILY.bin.gz, one per processor) replay in
/// the simulator alone, each on its vendor's profile: no assembler, no native CPU, so an
/// Intel host checks the AMD profile too and the reverse. The browser build replays the same
/// files (crates/youcpu-web/tests).
#[test]
fn recorded_sse_corpus_replays() {
    harness::replay_corpora("sse", 5000, youcpu_core::cpu::replay::replay_sse_corpus);
}

/// The browser test (crates/youcpu-web/tests/browser/fp_corpus.rs) replays every corpus of
/// tests/corpus/: it names each file (it includes them at compile time).
#[test]
fn every_fp_corpus_is_replayed_in_the_browser_too() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../youcpu-web/tests/browser/fp_corpus.rs");
    let browser = std::fs::read_to_string(&path).expect("the browser FP corpus test");
    let files = harness::corpus_files();
    assert!(files.len() >= 6, "{files:?}");
    for (name, _) in files {
        assert!(
            browser.contains(&format!("corpus!(\"{name}\")")),
            "{} does not replay tests/corpus/{name}",
            path.display()
        );
    }
}

#[test]
fn sse_forms_match_the_real_cpu() {
    let tables = vec![
        binary_table(&f64_grid(), 64),
        binary_table(&f32_grid(), 32),
        unary_table(&f64_grid(), 64),
        unary_table(&f32_grid(), 32),
        int_table(),
        simd_table(),
        approx_table(),
    ];
    let all = forms();
    // RCP/RSQRT results are the implementation's own: the simulator has the tables of the
    // processors they were read from (src/cpu/fp/approx.rs), compared bit for bit there; on
    // another processor family they are held to the manuals' bound.
    let exact_approx = sse::approx_tables_verified();
    let mut approximate = 0;
    // YOUCPU_RECORD=1 records tests/corpus/sse-VENDOR-FAMILY.bin.gz from this CPU (on purpose
    // only).
    let record = std::env::var("YOUCPU_RECORD").as_deref() == Ok("1");
    let mut recorded: Vec<(usize, Vec<u8>, Vec<u8>)> = Vec::new();
    let mut corpus_forms: Vec<Vec<u8>> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    let mut per_form: std::collections::BTreeMap<usize, usize> = Default::default();
    let mut total = 0;
    // One program per table: the simulator's stdout holds 16 MiB.
    for t in 0..tables.len() {
        let forms: Vec<&Form> = all.iter().filter(|f| f.table == t).collect();
        let first = all.iter().position(|f| f.table == t).unwrap_or(0);
        let exe =
            harness::build_asm_text(&format!("sse_forms_{t}"), &program(&tables, &forms, first));
        let native = harness::native_plain(&exe, &[]);
        assert_eq!(native.status, 0, "native run failed");
        let sim = harness::sim(&exe, &[]);
        assert_eq!(sim.status, 0, "simulator run failed");
        let n: usize = forms.len() * tables[t].len();
        total += n;
        assert_eq!(native.stdout.len(), n * REC, "native output size");
        assert_eq!(
            sim.stdout.len(),
            native.stdout.len(),
            "simulator output size"
        );
        if record {
            let codes = crate::harness::labelled_code(&exe, "form", first..first + forms.len());
            let base = corpus_forms.len();
            for (i, form) in forms.iter().enumerate() {
                let n = tables[t].len();
                let step = (n / 16).max(1);
                for (j, input) in tables[t].iter().enumerate().step_by(step) {
                    let o = (i * n + j) * REC;
                    recorded.push((
                        base + i,
                        input_bytes(input),
                        native.stdout[o..o + REC].to_vec(),
                    ));
                }
                let _ = form;
            }
            corpus_forms.extend(codes);
        }
        let mut o = 0;
        for form in &forms {
            let k = all.iter().position(|f| std::ptr::eq(f, *form)).unwrap();
            for input in &tables[t] {
                let (nr, sr) = (&native.stdout[o..o + REC], &sim.stdout[o..o + REC]);
                o += REC;
                if nr != sr
                    && !exact_approx
                    && sse::is_approx(&form.text)
                    && sse::within_approx(nr, sr)
                {
                    approximate += 1;
                    continue;
                }
                if nr != sr {
                    let c = per_form.entry(k).or_default();
                    *c += 1;
                    if *c <= 3 {
                        let w = |b: &[u8], i: usize, n: usize| {
                            b[i..i + n]
                                .iter()
                                .rev()
                                .map(|x| format!("{x:02x}"))
                                .collect::<String>()
                        };
                        bad.push(format!(
                            "`{}` {}: native mxcsr={} fl={} xmm0={} r8={}; sim mxcsr={} fl={} xmm0={} r8={}",
                            form.text,
                            input.what,
                            w(nr, 0, 4),
                            w(nr, 4, 4),
                            w(nr, 8, 16),
                            w(nr, 24, 8),
                            w(sr, 0, 4),
                            w(sr, 4, 4),
                            w(sr, 8, 16),
                            w(sr, 24, 8)
                        ));
                    }
                }
            }
        }
    }
    assert!(total > 10_000, "too few cases: {total}");
    if record {
        write_corpus(&corpus_forms, &recorded);
    }
    let nbad: usize = per_form.values().sum();
    assert!(
        nbad == 0,
        "{nbad} of {total} records differ, in {} forms:\n{}",
        per_form.len(),
        bad.join("\n")
    );
    let approx = if exact_approx {
        "RCP/RSQRT bit for bit".to_string()
    } else {
        format!("{approximate} RCP/RSQRT records within the manuals' bound, not bit for bit: the tables were not read off this processor family")
    };
    eprintln!(
        "{total} SSE records ({} forms) match the real CPU ({} profile; {approx})",
        all.len(),
        harness::host_vendor()
    );
}

/// The replays tell the profiles apart: each vendor's corpus of each kind has records the
/// other vendor's profile computes differently (SSE: RCP/RSQRT's last bits, DPPS's NaNs; x87:
/// FPREM and FSCALE of denormals, tiny arguments of the transcendentals), so replaying a corpus
/// on the wrong profile fails. Measured: 75 of 9,502 SSE records, 25 of about 4,300 x87 ones
/// and 4 of 3,472 transcendentals, each way.
#[test]
fn every_fp_corpus_fails_on_the_other_vendors_profile() {
    use youcpu_core::cpu::replay::{
        replay_sse_corpus, replay_x87_corpus, replay_x87_transcendentals,
    };
    use youcpu_core::cpu::vendor::Vendor;
    for kind in ["sse", "x87", "x87_transc"] {
        for (name, vendor, data) in harness::corpora(kind) {
            let other = match vendor {
                Vendor::Intel => Vendor::Amd,
                Vendor::Amd => Vendor::Intel,
            };
            let r = match kind {
                "sse" => replay_sse_corpus(&data, other),
                "x87" => replay_x87_corpus(&data, other),
                _ => replay_x87_transcendentals(&data, other, 1),
            };
            assert!(r.is_err(), "{name} replays on the {other} profile too");
        }
    }
}
