//! The disassembler against GNU binutils. For every line of the generated lists that GNU as
//! accepts, the bytes it produced are decoded by `youcpu_core::asm::disassemble_one` and:
//! - the length agrees with `objdump -D -M intel` on the same bytes, and the `mnemonic` is
//!   exactly the name objdump prints (`movabs`, `xchg` for 66 90, `iretw`, `sysretd`, `cmpltps`,
//!   `movs`...), prefixes aside;
//! - the text assembles back to exactly those bytes with our assembler, with no pseudo-prefix
//!   or `.byte` needed (GAS chose these bytes, so GAS syntax must reach them plainly);
//! - the text assembles back to exactly those bytes with GNU as.
//!
//! Also: pseudo-random byte streams are decoded by us and by objdump, and every instruction
//! boundary, length and mnemonic must agree wherever both decode an instruction; and gcc's
//! code for tests/asm/sample.c is named as objdump names it.
//!
//! Needs: binutils (as, ld, objdump).

use crate::asm_cases as cases;
use crate::gas;

use std::collections::HashMap;
use youcpu_core::asm::{assemble, disassemble, disassemble_one, Bitness, DecodedItem};
use youcpu_testkit::process::Run;

/// objdump's mnemonic with prefixes dropped, spelled as iced/GAS Intel syntax spells it.
fn objdump_mnemonic(text: &str) -> String {
    const PREFIXES: &[&str] = &[
        "rep", "repz", "repe", "repnz", "repne", "lock", "data16", "data32", "addr16", "addr32",
        "cs", "ds", "es", "fs", "gs", "ss", "rex", "rex.w", "rex.b", "rex.x", "rex.r", "rex.wb",
        "rex.wr", "rex.wx", "rex.rb", "rex.rxb", "rex.wrxb", "bnd", "notrack", "xacquire",
        "xrelease",
    ];
    let word = text
        .split_whitespace()
        .find(|w| {
            let w = w.to_ascii_lowercase();
            // `{vex}`/`{evex}`: the pseudo-prefix for an encoding GAS would not pick.
            !PREFIXES.contains(&w.as_str()) && !w.starts_with("rex") && !w.starts_with('{')
        })
        .unwrap_or("");
    // "fneni(8087 only)"
    let word = word.split('(').next().unwrap_or("").to_ascii_lowercase();
    word
}

/// Our mnemonic and objdump's, exactly: the `mnemonic` field is the name objdump prints
/// (`movabs`, `xchg` for 66 90, `iretw`, `sysretd`, `movsb`...). The one exception: 0f 1a/1b
/// without MPX, where iced decodes the hint NOP that current Intel CPUs execute and objdump
/// the removed MPX instruction (`bndldx`...).
fn mnemonics_agree(ours: &str, objdump_text: &str, _bits: Bitness) -> bool {
    let theirs = objdump_mnemonic(objdump_text);
    ours == theirs || (ours == "nop" && theirs.starts_with("bnd"))
}

fn check_mode(lines: Vec<String>, bits: Bitness, min: usize) {
    let g = gas::run_gas(&lines, bits.bits());
    // Only lines our assembler reproduces (not the ones GAS truncates and we refuse).
    let accepted: Vec<(u64, Vec<u8>)> = lines
        .iter()
        .zip(&g)
        .filter_map(|(line, l)| {
            let b = l.bytes.clone()?;
            (assemble(line, bits, l.ip).ok()?.bytes == b).then_some((l.ip, b))
        })
        .collect();
    // objdump over the whole stream, placed where GAS placed it.
    let base = accepted.first().map(|a| a.0).unwrap_or(0);
    let mut stream = Vec::new();
    let mut starts = Vec::new();
    for (ip, b) in &accepted {
        // Lines GAS refused left gaps of zero bytes; keep the stream contiguous instead.
        starts.push((base + stream.len() as u64, *ip, b.clone()));
        stream.extend_from_slice(b);
    }
    let od: HashMap<u64, gas::ObjdumpInsn> = gas::objdump(&stream, bits.bits(), base)
        .into_iter()
        .map(|i| (i.ip, i))
        .collect();
    let mut problems = Vec::new();
    let mut texts = Vec::new();
    for (pos, ip, bytes) in &starts {
        if bytes.first() == Some(&0x9b) && bytes.len() > 1 {
            // GAS's `fstsw ax` is WAIT then FNSTSW: two instructions to the CPU and to us.
            let items = disassemble(bytes, bits, *ip).expect("decode");
            let mut joined = Vec::new();
            for it in &items {
                match it {
                    DecodedItem::Insn(d) => match assemble(&d.text, bits, d.ip) {
                        Ok(a) => joined.extend(a.bytes),
                        Err(e) => problems.push(format!("{bits:?} {:?}: {e}", d.text)),
                    },
                    DecodedItem::Bad { error, .. } => {
                        problems.push(format!("{bits:?} {}: {error}", gas::hex(bytes)))
                    }
                }
            }
            if joined != *bytes || items.len() != 2 {
                problems.push(format!(
                    "{bits:?} {}: wait + x87 split failed",
                    gas::hex(bytes)
                ));
            }
            continue;
        }
        let d = match disassemble_one(bytes, bits, *ip) {
            Ok(d) => d,
            Err(e) => {
                problems.push(format!(
                    "{bits:?} {}: we do not decode: {e}",
                    gas::hex(bytes)
                ));
                continue;
            }
        };
        if d.len != bytes.len() {
            problems.push(format!(
                "{bits:?} {}: length {} (GAS emitted {})",
                gas::hex(bytes),
                d.len,
                bytes.len()
            ));
        }
        match od.get(pos) {
            Some(o) if o.len == bytes.len() && mnemonics_agree(&d.mnemonic, &o.text, bits) => {}
            Some(o) => problems.push(format!(
                "{bits:?} {}: ours {:?} ({}) / objdump {:?} ({} bytes)",
                gas::hex(bytes),
                d.text,
                d.mnemonic,
                o.text,
                o.len
            )),
            None => problems.push(format!(
                "{bits:?} {}: objdump has no instruction here",
                gas::hex(bytes)
            )),
        }
        if d.note.is_some() {
            problems.push(format!(
                "{bits:?} {}: text needed help: {:?} ({:?})",
                gas::hex(bytes),
                d.text,
                d.note
            ));
        }
        match assemble(&d.text, bits, *ip) {
            Ok(a) if a.bytes == *bytes => {}
            Ok(a) => problems.push(format!(
                "{bits:?} {:?}: re-assembles to {}",
                d.text,
                gas::hex(&a.bytes)
            )),
            Err(e) => problems.push(format!("{bits:?} {:?}: does not re-assemble: {e}", d.text)),
        }
        texts.push((d.text.clone(), *ip, bytes.clone()));
    }
    // GNU as on our texts. Placed one after another they sit at different addresses than in
    // the first run, which matters for branches, so each text is re-checked at its new
    // address with our assembler too.
    let just: Vec<String> = texts.iter().map(|t| t.0.clone()).collect();
    let g2 = gas::run_gas(&just, bits.bits());
    for ((text, _, bytes), gl) in texts.iter().zip(&g2) {
        let ours = assemble(text, bits, gl.ip).map(|a| a.bytes).ok();
        match &gl.bytes {
            Some(b) if Some(b) == ours.as_ref() => {}
            Some(b) => problems.push(format!(
                "{bits:?} {text:?}: GNU as gives {} at {:#x}, we give {:?} (first seen as {})",
                gas::hex(b),
                gl.ip,
                ours.as_deref().map(gas::hex),
                gas::hex(bytes)
            )),
            None => problems.push(format!(
                "{bits:?} {text:?}: GNU as refuses: {}",
                gl.error.clone().unwrap_or_default()
            )),
        }
    }
    eprintln!(
        "{bits:?}: {} instructions decoded, {} problems",
        texts.len(),
        problems.len()
    );
    for p in problems.iter().take(150) {
        eprintln!("  {p}");
    }
    assert!(
        problems.is_empty(),
        "{} disagreements with binutils",
        problems.len()
    );
    assert!(
        texts.len() >= min,
        "only {} instructions checked",
        texts.len()
    );
}

#[test]
fn disassembly_round_trips_64() {
    check_mode(cases::cases64(), Bitness::B64, 3000);
}

#[test]
fn disassembly_round_trips_32() {
    check_mode(cases::cases32(), Bitness::B32, 500);
}

#[test]
fn disassembly_round_trips_16() {
    check_mode(cases::cases16(), Bitness::B16, 300);
}

/// A fixed pseudo-random byte stream (xorshift), the same on every run.
fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Random bytes: where objdump and we both see an instruction at the same address, the
/// length and mnemonic must agree; and our text must re-assemble to the same bytes.
fn seed() -> u64 {
    std::env::var("YOUCPU_ASM_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0x9e3779b97f4a7c15)
}

fn random_mode(bits: Bitness) {
    let bytes = random_bytes(20000, seed() ^ u64::from(bits.bits()));
    compare_stream(&bytes, bits, "random", 2000);
}

/// Random SSE-SSE4.2, MMX and x87 encodings: a mandatory prefix (none, 66, f2, f3), maybe a
/// REX, the 0f / 0f 38 / 0f 3a maps or the x87 escapes d8-df, a random opcode and ModRM and
/// random bytes after; with `vex`, VEX (c4) and EVEX (62) encodings of maps 1-3 instead. Each that we decode is kept, one after another, and the stream is
/// compared with objdump as the random bytes are.
fn random_simd_x87_mode(bits: Bitness, vex: bool) {
    // Most random VEX/EVEX bytes are invalid: more of them.
    let r = random_bytes(
        if vex { 800_000 } else { 200_000 },
        seed() ^ 0x5eed ^ u64::from(bits.bits()) ^ u64::from(vex),
    );
    let mut bytes = Vec::new();
    for c in r.chunks_exact(12) {
        let [a, b, op, modrm, rest @ ..] = c else {
            continue;
        };
        let mut cand = Vec::new();
        match a % 4 {
            1 => cand.push(0x66),
            2 => cand.push(0xf2),
            3 => cand.push(0xf3),
            _ => {}
        }
        if bits == Bitness::B64 && b % 4 == 0 {
            cand.push(0x40 | (b >> 4));
        }
        if vex && bits == Bitness::B64 {
            // VEX (c4, three bytes: any map 1-3, W, L) and EVEX (62) instead.
            cand.clear();
            if a % 2 == 0 {
                cand.extend([0xc4, (b & 0xe0) | (1 + b % 3), op & 0xfd | (modrm & 0x04)]);
            } else {
                cand.extend([
                    0x62,
                    (b & 0xf0) | (1 + b % 3),
                    (op & 0xf3) | 0x04,
                    modrm & 0xef | 0x08,
                ]);
            }
            cand.extend_from_slice(rest);
            let base = gas::base_for(bits.bits()) + bytes.len() as u64;
            if let Ok(d) = disassemble_one(&cand, bits, base) {
                bytes.extend_from_slice(&d.bytes);
            }
            continue;
        }
        match b % 5 {
            0 => cand.extend([0x0f, 0x38]),
            1 => cand.extend([0x0f, 0x3a]),
            2 => {
                cand.clear();
                cand.push(0xd8 | (op & 7));
            }
            _ => cand.push(0x0f),
        }
        // Leave out the VEX/EVEX/XOP escapes that c4/c5/62/8f would be in 16/32-bit mode.
        if *op == 0x0f {
            continue;
        }
        cand.push(*op);
        cand.push(*modrm);
        cand.extend_from_slice(rest);
        let base = gas::base_for(bits.bits()) + bytes.len() as u64;
        if let Ok(d) = disassemble_one(&cand, bits, base) {
            bytes.extend_from_slice(&d.bytes);
        }
    }
    let what = if vex {
        "random VEX/EVEX"
    } else {
        "random SSE/x87"
    };
    compare_stream(&bytes, bits, what, 3000);
}

#[test]
fn random_simd_x87_agrees_with_objdump_64() {
    random_simd_x87_mode(Bitness::B64, false);
}

#[test]
fn random_vex_evex_agrees_with_objdump_64() {
    random_simd_x87_mode(Bitness::B64, true);
}

#[test]
fn random_simd_x87_agrees_with_objdump_32() {
    random_simd_x87_mode(Bitness::B32, false);
}

#[test]
fn random_simd_x87_agrees_with_objdump_16() {
    random_simd_x87_mode(Bitness::B16, false);
}

/// Where objdump and we both see an instruction at the same address of `bytes`, the length
/// and mnemonic must agree; and our text must re-assemble to the same bytes.
fn compare_stream(bytes: &[u8], bits: Bitness, what: &str, min: usize) {
    let base = gas::base_for(bits.bits());
    let ours = disassemble(bytes, bits, base).expect("decode");
    let od: HashMap<u64, gas::ObjdumpInsn> = gas::objdump(bytes, bits.bits(), base)
        .into_iter()
        .map(|i| (i.ip, i))
        .collect();
    let mut both = 0;
    let mut whole = 0;
    let mut insns = 0;
    let mut problems = Vec::new();
    for item in &ours {
        let DecodedItem::Insn(d) = item else { continue };
        insns += 1;
        // The breakdown fell back to one undivided field (layouts it does not know).
        if d.fields.len() == 1 && d.fields.first().is_some_and(|f| f.label == "bytes") {
            whole += 1;
        }
        match assemble(&d.text, bits, d.ip) {
            Ok(a) if a.bytes == d.bytes => {}
            other => problems.push(format!(
                "{}: {:?} re-assembles to {:?}",
                gas::hex(&d.bytes),
                d.text,
                other.map(|a| gas::hex(&a.bytes))
            )),
        }
        let Some(o) = od.get(&d.ip) else { continue };
        // objdump shows prefixes that do not end in an opcode (a REX before a legacy prefix,
        // which the CPU ignores) as an instruction of their own; the CPU and iced see one.
        let bare_prefix = objdump_mnemonic(&o.text).is_empty();
        // objdump folds a WAIT (9b) into the x87 instruction after it (fstp after 9b reads as
        // the waiting form); the CPU executes WAIT as an instruction of its own (Intel SDM
        // vol. 2, WAIT/FWAIT), as iced decodes it.
        let folded_wait = d.mnemonic == "fwait" && o.len > d.len;
        if o.text.contains("(bad)") || bare_prefix || folded_wait {
            continue;
        }
        both += 1;
        if o.len != d.len || !mnemonics_agree(&d.mnemonic, &o.text, bits) {
            problems.push(format!(
                "{:#x} {}: ours {:?} ({}) / objdump {:?} ({} bytes)",
                d.ip,
                gas::hex(&d.bytes),
                d.text,
                d.mnemonic,
                o.text,
                o.len
            ));
        }
    }
    eprintln!(
        "{bits:?} {what}: {} items, {both} compared with objdump, {} problems",
        ours.len(),
        problems.len()
    );
    for p in problems.iter().take(100) {
        eprintln!("  {p}");
    }
    assert!(problems.is_empty(), "{} disagreements", problems.len());
    assert!(both > min, "only {both} instructions compared");
    eprintln!("{bits:?} {what}: {whole} of {insns} instructions without a field breakdown");
    assert!(
        whole * 100 <= insns,
        "{whole} of {insns} instructions have no field breakdown"
    );
}

#[test]
fn random_bytes_agree_with_objdump_64() {
    random_mode(Bitness::B64);
}

#[test]
fn random_bytes_agree_with_objdump_32() {
    random_mode(Bitness::B32);
}

#[test]
fn random_bytes_agree_with_objdump_16() {
    random_mode(Bitness::B16);
}

/// Compiles tests/asm/sample.c with gcc and returns its .text bytes.
fn compiled_text(flags: &[&str]) -> Vec<u8> {
    let dir = gas::scratch();
    let obj = dir.join("s.o");
    let bin = dir.join("s.bin");
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/asm/sample.c");
    let out = std::process::Command::new("gcc")
        .args(flags)
        .args(["-c", src, "-o"])
        .arg(&obj)
        .run_output()
        .expect("run gcc (Debian package gcc)");
    assert!(
        out.status.success(),
        "gcc {flags:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = std::process::Command::new("objcopy")
        .args(["-O", "binary", "-j", ".text"])
        .arg(&obj)
        .arg(&bin)
        .run_output()
        .expect("run objcopy");
    assert!(out.status.success());
    let bytes = std::fs::read(&bin).expect("read .text");
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

/// Real compiler output: gcc's code for tests/asm/sample.c at several optimisation levels and
/// ISA levels. Every byte decodes; every mnemonic is objdump's; every line's text, assembled by
/// GNU as at the same address, gives the same bytes; few lines need `.byte` (see below).
#[test]
fn compiled_code_round_trips_through_gnu_as() {
    for (flags, bits) in [
        (&["-O2"][..], Bitness::B64),
        (&["-O3", "-march=x86-64-v3"][..], Bitness::B64),
        (&["-Os", "-fno-pic"][..], Bitness::B64),
        (&["-O2", "-m32"][..], Bitness::B32),
    ] {
        let text = compiled_text(flags);
        let base = gas::base_for(bits.bits());
        let items = disassemble(&text, bits, base).expect("decode");
        let mut lines = Vec::new();
        let mut bytes = Vec::new();
        for it in &items {
            match it {
                DecodedItem::Insn(d) => {
                    lines.push(d.text.clone());
                    bytes.push(d.bytes.clone());
                }
                DecodedItem::Bad { ip, error, .. } => panic!("{flags:?}: {ip:#x}: {error}"),
            }
        }
        let g = gas::run_gas(&lines, bits.bits());
        let mut problems = Vec::new();
        // The mnemonic of every instruction, as objdump names it.
        let od: HashMap<u64, gas::ObjdumpInsn> = gas::objdump(&text, bits.bits(), base)
            .into_iter()
            .map(|i| (i.ip, i))
            .collect();
        let mut named = 0;
        for it in &items {
            let DecodedItem::Insn(d) = it else { continue };
            match od.get(&d.ip) {
                Some(o) if o.len == d.len && mnemonics_agree(&d.mnemonic, &o.text, bits) => {
                    named += 1
                }
                // objdump folds a WAIT into the x87 instruction after it (see random_mode).
                Some(o) if d.mnemonic == "fwait" && o.len > d.len => {}
                other => problems.push(format!(
                    "{:#x} {}: ours {:?} ({}) / objdump {:?}",
                    d.ip,
                    gas::hex(&d.bytes),
                    d.text,
                    d.mnemonic,
                    other.map(|o| &o.text)
                )),
            }
        }
        for ((line, want), gl) in lines.iter().zip(&bytes).zip(&g) {
            if gl.bytes.as_ref() != Some(want) {
                problems.push(format!(
                    "{line:?} @{:#x}: gas {:?} / {}",
                    gl.ip,
                    gl.bytes.as_deref().map(gas::hex),
                    gas::hex(want)
                ));
            }
        }
        let raw = lines.iter().filter(|l| l.starts_with(".byte")).count();
        eprintln!(
            "{flags:?}: {} instructions, {named} named as objdump names them, {raw} as .byte, {} problems",
            lines.len(),
            problems.len()
        );
        for p in problems.iter().take(40) {
            eprintln!("  {p}");
        }
        assert!(
            problems.is_empty(),
            "{flags:?}: {} lines differ",
            problems.len()
        );
        assert!(
            lines.len() > 80,
            "{flags:?}: only {} instructions",
            lines.len()
        );
        // .byte lines are padding GAS writes with its own fill patterns (`lea esi,
        // [esi+eiz*1+0]`, `66 2e 0f 1f ...`) and imm32 slots left for relocations in the .o
        // (`add ebx, _GLOBAL_OFFSET_TABLE_` as 81 c3): no text gives those bytes.
        assert!(
            raw * 10 <= lines.len(),
            "{flags:?}: {raw} of {} lines need .byte",
            lines.len()
        );
    }
}
