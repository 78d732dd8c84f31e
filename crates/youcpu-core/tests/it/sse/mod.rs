//! The operand tables and instruction forms of `cpu_sse_native.rs` (and `cpu_sse_unmasked.rs`),
//! and the end both give their generated programs.

pub mod forms;
pub mod tables;

use crate::harness;
use forms::Form;
use std::fmt::Write;
use tables::Input;
use youcpu_core::cpu::vendor::Vendor;

/// RCPSS/RCPPS/RSQRTSS/RSQRTPS: results the manuals leave to the implementation (Intel SDM
/// vol. 2 and AMD APM vol. 4: relative error at most 1.5 * 2^-12).
pub fn is_approx(form: &str) -> bool {
    form.starts_with("rcp") || form.starts_with("rsqrt")
}

/// Whether the simulator's RCP/RSQRT tables (src/cpu/fp/approx.rs) were read off a processor
/// of this host's kind, so the tests compare them bit for bit: the Intel tables come from a
/// Xeon, the AMD ones from an EPYC of family 1Ah (Zen 5). Another AMD family may answer with
/// other last bits, as AMD's and Intel's cores do: there the tests hold the results to the
/// manuals' bound instead ([`within_approx`]) and say so.
pub fn approx_tables_verified() -> bool {
    match harness::host_vendor() {
        Vendor::Intel => true,
        Vendor::Amd => harness::host_family() == 0x1a,
    }
}

/// Two records of an approximation agree where the manuals demand it: MXCSR, RFLAGS and
/// everything from byte 24 on (R8, and the signal fields where a record has them) exactly, and
/// each 32-bit lane of XMM0 (bytes 8 to 24) either equal or both normal numbers of one sign
/// within twice the documented relative error (each is within 1.5 * 2^-12 of the true value).
pub fn within_approx(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() || a.len() < 24 || a[0..8] != b[0..8] || a[24..] != b[24..] {
        return false;
    }
    (0..4).all(|l| {
        let o = 8 + 4 * l;
        let lane = |r: &[u8]| u32::from_le_bytes([r[o], r[o + 1], r[o + 2], r[o + 3]]);
        let (x, y) = (lane(a), lane(b));
        if x == y {
            return true;
        }
        let (fx, fy) = (f32::from_bits(x), f32::from_bits(y));
        fx.is_normal()
            && fy.is_normal()
            && fx.is_sign_negative() == fy.is_sign_negative()
            && (f64::from(fx) - f64::from(fy)).abs() <= f64::from(fx).abs() * 3.0 / 4096.0
    })
}

/// The bound used for RCP/RSQRT on an unrecorded processor accepts a last-bits difference and
/// refuses a real one.
#[test]
fn approximation_bound_accepts_near_and_refuses_far() {
    let rec = |lane0: f32| {
        let mut r = vec![0u8; 48];
        r[8..12].copy_from_slice(&lane0.to_bits().to_le_bytes());
        r
    };
    let x = 1.0f32 / 3.0;
    assert!(within_approx(&rec(x), &rec(x)));
    assert!(within_approx(&rec(x), &rec(x * (1.0 + 1.0 / 8192.0))));
    assert!(!within_approx(&rec(x), &rec(x * (1.0 + 1.0 / 256.0))));
    assert!(!within_approx(&rec(x), &rec(-x)));
    assert!(!within_approx(&rec(x), &rec(f32::NAN)));
    let mut other_flags = rec(x);
    other_flags[4] = 1;
    assert!(!within_approx(&rec(x), &other_flags));
    let mut other_signal = rec(x);
    other_signal[40] = 8;
    assert!(!within_approx(&rec(x), &other_signal));
}

/// The end of a generated test program (GNU as, AT&T syntax): write the `out` buffer (a `rec`-byte
/// record for each row of each form's table) to standard output 1 MiB at a time and exit; then
/// `code`; the data: `mx_default` (MXCSR's reset value), `data`, and each table a form uses as
/// 48-byte input records; and `out`, with 64 spare bytes (a store form writes past its record,
/// the next one overwrites it).
pub fn program_tail(
    a: &mut String,
    tables: &[Vec<Input>],
    forms: &[&Form],
    rec: usize,
    code: &str,
    data: &str,
) {
    let total: usize = forms.iter().map(|f| tables[f.table].len()).sum();
    let _ = writeln!(
        a,
        "    ldmxcsr mx_default(%rip)\n    lea out(%rip), %r13\n    mov ${}, %r14\n2:\n    mov $1, %eax\n    mov $1, %edi\n    mov %r13, %rsi\n    mov %r14, %rdx\n    cmp $0x100000, %rdx\n    jbe 3f\n    mov $0x100000, %edx\n3:\n    syscall\n    test %rax, %rax\n    jle 4f\n    add %rax, %r13\n    sub %rax, %r14\n    jnz 2b\n4:\n    mov $60, %eax\n    xor %edi, %edi\n    syscall",
        total * rec
    );
    a.push_str(code);
    a.push_str(".data\n.balign 16\nmx_default: .long 0x1f80\n");
    a.push_str(data);
    for (t, rows) in tables.iter().enumerate() {
        if !forms.iter().any(|f| f.table == t) {
            continue;
        }
        let _ = writeln!(a, ".balign 16\ntable{t}:");
        for r in rows {
            let _ = writeln!(
                a,
                "    .long {:#x}, 0, 0, 0\n    .quad {:#x}, {:#x}, {:#x}, {:#x}",
                r.mxcsr,
                r.a as u64,
                (r.a >> 64) as u64,
                r.b as u64,
                (r.b >> 64) as u64
            );
        }
    }
    let _ = writeln!(a, ".bss\n.balign 16\nout: .space {}", total * rec + 64);
}
