//! The assembler's text parser: a line of source (any bytes, read as UTF-8 lossily) to machine
//! code, and a whole listing. Invariants: refusals carry a one-line message; an instruction the
//! assembler encodes (not `.byte`) decodes back as exactly one instruction of that length
//! (iced-x86's decoder, which the article's disassembler uses); a listing gives one result a line.

use super::check_message;
use super::input::Input;
use youcpu_core::asm::{assemble, assemble_lines, disassemble_one, Bitness};

/// Picks a CPU mode from one byte.
pub fn bitness(b: u8) -> Bitness {
    match b % 3 {
        0 => Bitness::B64,
        1 => Bitness::B32,
        _ => Bitness::B16,
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut inp = Input::new(data);
    let bits = bitness(inp.u8());
    let ip = inp.edgy_u64();
    let text = String::from_utf8_lossy(inp.rest()).into_owned();
    let first = text.lines().next().unwrap_or("");
    match assemble(first, bits, ip) {
        Ok(a) => {
            if a.chosen.is_some() {
                assert!(
                    (1..=15).contains(&a.bytes.len()),
                    "{first:?} gave {} bytes",
                    a.bytes.len()
                );
                match disassemble_one(&a.bytes, bits, ip) {
                    Ok(d) => assert_eq!(
                        d.len,
                        a.bytes.len(),
                        "{first:?} assembled to {:02x?}, which decodes as {:?} ({} bytes)",
                        a.bytes,
                        d.text,
                        d.len
                    ),
                    Err(e) => panic!(
                        "{first:?} assembled to {:02x?}, which does not decode: {e}",
                        a.bytes
                    ),
                }
            }
        }
        Err(e) => check_message("assemble", &e.to_string()),
    }
    let lines = assemble_lines(&text, bits, ip);
    assert_eq!(lines.len(), text.lines().count());
    for l in &lines {
        if let Err(e) = &l.result {
            check_message("assemble_lines", &e.to_string());
        }
    }
}
