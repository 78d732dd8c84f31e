//! The assembler against GNU as: thousands of generated lines in 64-, 32- and 16-bit mode are
//! assembled by `as -msyntax=intel -mnaked-reg` (linked by ld so branch targets resolve) and by
//! `youcpu_core::asm::assemble` at the same address; the bytes must be identical, and a line GAS
//! refuses must be refused by us too. Where GAS only warns and truncates a value
//! ("0x100 shortened to 0x0") we refuse the line instead, by design.
//!
//! Needs: binutils (as, ld).

use crate::asm_cases as cases;
use crate::gas;

use youcpu_core::asm::{assemble, AsmError, Bitness};

/// GAS keeps the low bits of an immediate too wide for its slot, often without a warning
/// (`add al, -129` is `04 7f`); we refuse such lines. This checks the refusal is of that kind:
/// the line with its last operand reduced modulo 2^N must give exactly GAS's bytes.
fn gas_truncated(line: &str, err: &AsmError, gas_bytes: &[u8], bits: Bitness, ip: u64) -> bool {
    let Some((_, n, reduced)) = gas::truncated(err) else {
        return false;
    };
    let Some((head, _)) = line.rsplit_once(", ").or_else(|| line.split_once(' ')) else {
        return false;
    };
    let sep = if line.contains(", ") { ", " } else { " " };
    let fixed = format!("{head}{sep}{reduced:#x}");
    // GAS picks the form by the untruncated value, so it may keep a full-width slot
    // (`push 0x7fffffffffffffff` in 32-bit mode is `68 ff ff ff ff`, not `6a ff`).
    let le: Vec<u8> = (0..n / 8).map(|i| (reduced >> (8 * i)) as u8).collect();
    assemble(&fixed, bits, ip)
        .map(|a| a.bytes == gas_bytes)
        .unwrap_or(false)
        || gas_bytes.ends_with(&le)
}

/// Lines GAS assembles that we refuse on purpose (each explained where it is refused).
/// `sysretd` in 16-bit mode: GAS emits 66 0f 07, a sysret made 32-bit by a prefix (objdump
/// calls it `data32 sysret`); sysret is #UD outside 64-bit mode, and in 32-bit mode, where
/// `sysretd` is the plain 0f 07, we accept it.
const REFUSED_ON_PURPOSE: &[&str] = &["mov cs, ax", "sysretd"];

/// Compares every line; returns (lines compared byte-for-byte, lines refused by us (by both, or
/// truncated by GAS), problems).
fn compare(lines: &[String], bits: Bitness) -> (usize, usize, Vec<String>) {
    let g = gas::run_gas(lines, bits.bits());
    let mut same = 0;
    let mut both_refused = 0;
    let mut problems = Vec::new();
    for (line, gl) in lines.iter().zip(&g) {
        let mine = assemble(line, bits, gl.ip);
        match (&gl.bytes, &mine) {
            (Some(gb), Ok(a)) if *gb == a.bytes => same += 1,
            (Some(_), Err(_)) if gl.warning.is_some() => both_refused += 1,
            (Some(gb), Err(e)) if gas_truncated(line, e, gb, bits, gl.ip) => both_refused += 1,
            // Deliberate: GAS emits `mov cs, ax` (8e c8), which every CPU rejects with #UD.
            (Some(_), Err(_)) if REFUSED_ON_PURPOSE.contains(&line.as_str()) => both_refused += 1,
            (Some(gb), Ok(a)) => problems.push(format!(
                "{bits:?} {line:?} @{:#x}: gas {} / ours {}{}",
                gl.ip,
                gas::hex(gb),
                gas::hex(&a.bytes),
                gl.warning
                    .as_ref()
                    .map(|w| format!(" (gas warned: {w})"))
                    .unwrap_or_default()
            )),
            (Some(gb), Err(e)) => problems.push(format!(
                "{bits:?} {line:?}: gas {} / ours error: {e}",
                gas::hex(gb)
            )),
            (None, Err(_)) => both_refused += 1,
            (None, Ok(a)) => problems.push(format!(
                "{bits:?} {line:?}: gas error: {} / ours {}",
                gl.error.clone().unwrap_or_default(),
                gas::hex(&a.bytes)
            )),
        }
    }
    (same, both_refused, problems)
}

fn check(lines: Vec<String>, bits: Bitness, min_same: usize) {
    let (same, refused, problems) = compare(&lines, bits);
    eprintln!(
        "{bits:?}: {} lines, {same} identical, {refused} refused by both, {} problems",
        lines.len(),
        problems.len()
    );
    for p in problems.iter().take(200) {
        eprintln!("  {p}");
    }
    assert!(
        problems.is_empty(),
        "{} lines disagree with GNU as",
        problems.len()
    );
    assert!(same >= min_same, "only {same} lines compared byte-for-byte");
}

#[test]
fn matches_gas_64() {
    check(cases::cases64(), Bitness::B64, 3000);
}

#[test]
fn matches_gas_32() {
    check(cases::cases32(), Bitness::B32, 500);
}

#[test]
fn matches_gas_16() {
    check(cases::cases16(), Bitness::B16, 300);
}
