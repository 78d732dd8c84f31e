//! Running iced-x86's encoder for a built instruction: prefix words as raw bytes, the
//! rip-relative fix-up, GAS's prefix order, and iced's messages turned into ours.

use super::build::Built;
use super::error::AsmError;
use super::parse::Prefixes;
use super::Bitness;
use iced_x86::{Encoder, Register};

/// Encodes, fixing up a rip-relative target once the length is known.
pub(super) fn encode(
    b: &Built,
    bits: Bitness,
    ip: u64,
    prefixes: Prefixes,
) -> Result<Vec<u8>, AsmError> {
    let mut ins = b.ins;
    let mut raw: Vec<u8> = Vec::new();
    if let Some(seg) = prefixes.seg {
        raw.push(match seg {
            Register::ES => 0x26,
            Register::CS => 0x2e,
            Register::SS => 0x36,
            Register::DS => 0x3e,
            Register::FS => 0x64,
            _ => 0x65,
        });
    }
    if prefixes.data {
        raw.push(0x66);
    }
    if prefixes.addr {
        raw.push(0x67);
    }
    // Prefix words go in front as raw bytes, as GAS emits them; the instruction proper is
    // encoded at ip + their count so rip-relative and branch offsets stay right.
    let run = |ins: &iced_x86::Instruction| -> Result<Vec<u8>, AsmError> {
        let mut enc = Encoder::new(bits.bits());
        let at = ip.wrapping_add(raw.len() as u64);
        enc.encode(ins, at)
            .map_err(|e| encode_error(&e.to_string()))?;
        let body = enc.take_buffer();
        let body_prefixes: Vec<u8> = body
            .iter()
            .copied()
            .take_while(|b| is_legacy_prefix(*b))
            .collect();
        if raw.iter().any(|r| body_prefixes.contains(r)) {
            return Err(AsmError::Syntax(
                "a prefix word repeats a prefix the instruction already has".into(),
            ));
        }
        let mut all = raw.clone();
        all.extend_from_slice(&body);
        Ok(gas_prefix_order(all))
    };
    let Some(d) = b.rip_disp else {
        return run(&ins);
    };
    // The length does not depend on the target (always disp32): measure with displacement 0.
    ins.set_memory_displacement64(ip);
    let first = run(&ins)?;
    let next = ip.wrapping_add(first.len() as u64);
    ins.set_memory_displacement64(next.wrapping_add(d as u64));
    run(&ins)
}

fn is_legacy_prefix(b: u8) -> bool {
    matches!(
        b,
        0x26 | 0x2e | 0x36 | 0x3e | 0x64 | 0x65 | 0x66 | 0x67 | 0xf0 | 0xf2 | 0xf3
    )
}

/// Puts legacy prefixes in the order GAS writes them (tc-i386.c prefix slots: segment, 67,
/// 66, f2/f3, f0); iced writes 66 before 67.
pub(super) fn gas_prefix_order(mut bytes: Vec<u8>) -> Vec<u8> {
    let rank = |b: u8| match b {
        0x26 | 0x2e | 0x36 | 0x3e | 0x64 | 0x65 => Some(0),
        0x67 => Some(1),
        0x66 => Some(2),
        0xf2 | 0xf3 => Some(3),
        0xf0 => Some(4),
        _ => None,
    };
    let n = bytes.iter().take_while(|b| rank(**b).is_some()).count();
    if let Some(run) = bytes.get_mut(..n) {
        run.sort_by_key(|b| rank(*b));
    }
    bytes
}

/// Turns iced's encoder message into ours.
pub(super) fn encode_error(msg: &str) -> AsmError {
    let m = msg.to_ascii_lowercase();
    if m.contains("branch") || m.contains("target") {
        AsmError::BranchRange("the branch target is out of reach of this instruction".into())
    } else if m.contains("rex") && (m.contains("ah") || m.contains("high")) {
        AsmError::Encode(
            "ah, bh, ch and dh cannot be used in an instruction that needs a REX prefix".into(),
        )
    } else {
        AsmError::Encode(msg.replace('\n', " "))
    }
}
