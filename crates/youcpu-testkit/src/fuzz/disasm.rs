//! The disassembler: bytes to instructions, and back. Invariants: the items cover the input
//! exactly, in order; every decoded instruction's text assembles (with our assembler, at the
//! same address and mode) to exactly its bytes, which is what the article's widget promises;
//! hex text parses or is refused with a one-line message.

use super::asm_text::bitness;
use super::check_message;
use super::input::Input;
use youcpu_core::asm::{assemble, disassemble, parse_hex, Bitness, DecodedItem, MAX_DISASM_BYTES};

fn check_bytes(bytes: &[u8], bits: Bitness, ip: u64) {
    let items = match disassemble(bytes, bits, ip) {
        Ok(items) => items,
        Err(e) => {
            assert!(
                bytes.len() > MAX_DISASM_BYTES,
                "refused {} bytes: {e}",
                bytes.len()
            );
            check_message("disassemble", &e.to_string());
            return;
        }
    };
    let mut covered = Vec::with_capacity(bytes.len());
    for item in &items {
        match item {
            DecodedItem::Insn(d) => {
                assert!((1..=15).contains(&d.len) && d.bytes.len() == d.len, "{d:?}");
                covered.extend_from_slice(&d.bytes);
                match assemble(&d.text, bits, d.ip) {
                    Ok(a) => assert_eq!(
                        a.bytes, d.bytes,
                        "{:?} at {:#x} ({bits:?}) reassembles to {:02x?}, not {:02x?}",
                        d.text, d.ip, a.bytes, d.bytes
                    ),
                    Err(e) => panic!(
                        "{:?} at {:#x} ({bits:?}) from {:02x?} does not assemble: {e}",
                        d.text, d.ip, d.bytes
                    ),
                }
            }
            DecodedItem::Bad {
                bytes: b, error, ..
            } => {
                assert!(!b.is_empty());
                check_message("disassemble", &error.to_string());
                covered.extend_from_slice(b);
            }
        }
    }
    assert_eq!(covered, bytes, "the items do not cover the input");
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut inp = Input::new(data);
    let mode = inp.u8();
    let bits = bitness(mode);
    let ip = inp.edgy_u64();
    let rest = inp.rest();
    if mode & 0x80 != 0 {
        // The CLI's and widget's hex input.
        match parse_hex(&String::from_utf8_lossy(rest)) {
            Ok(b) => check_bytes(&b, bits, ip),
            Err(e) => check_message("parse_hex", &e.to_string()),
        }
    } else {
        check_bytes(rest, bits, ip);
    }
}
