//! How one form is chosen among those that fit, and which message explains a refusal: the
//! GAS preferences of encode.rs as small rules.

use super::encode::{Cand, Form};
use super::error::AsmError;
use super::forms::{self, explicit_kinds, needs_size_override};
use super::parse::{OpKind, Operand, Pseudo};
use super::{short, Bitness};
use iced_x86::{Code, Mnemonic, OpCodeOperandKind as K, Register};

pub(super) fn is_reg_pair(ops: &[Operand], r: Register) -> bool {
    ops.len() == 2 && ops.iter().all(|o| o.kind == OpKind::Reg(r))
}

/// GAS lists the sign-extended imm8 form (83 /0) before the accumulator form (05), so on a
/// tie in length (`add ax, -1`: `66 83 c0 ff` or `66 05 ff ff`) the imm8 form wins.
pub(super) fn has_sext8(code: Code) -> bool {
    code.op_code()
        .op_kinds()
        .iter()
        .any(|k| matches!(forms::imm_slot(*k), Some(forms::ImmSlot::Sext8(_))))
}

pub(super) fn has_branch(code: Code, size: u32) -> bool {
    code.op_code()
        .op_kinds()
        .iter()
        .any(|k| forms::branch_slot(*k) == Some(size))
}

/// For `{load}`/`{store}`: 1 when the form puts the destination in the other ModRM field.
pub(super) fn pseudo_mismatch(code: Code, p: Pseudo) -> u8 {
    if !p.load && !p.store {
        return 0;
    }
    let first = code
        .op_code()
        .op_kinds()
        .first()
        .copied()
        .unwrap_or(K::None);
    let load_form = matches!(
        first,
        K::r8_reg
            | K::r16_reg
            | K::r32_reg
            | K::r64_reg
            | K::xmm_reg
            | K::ymm_reg
            | K::zmm_reg
            | K::mm_reg
    );
    let store_form = matches!(
        first,
        K::r8_or_mem
            | K::r16_or_mem
            | K::r32_or_mem
            | K::r64_or_mem
            | K::xmm_or_mem
            | K::ymm_or_mem
            | K::zmm_or_mem
            | K::mm_or_mem
    );
    // Forms with no reg/rm direction (moffs, accumulator, immediate) match neither.
    u8::from(!((p.load && load_form) || (p.store && store_form)))
}

pub(super) fn form_of(code: Code, bytes: Vec<u8>) -> Form {
    let oc = code.op_code();
    Form {
        form: oc.instruction_string().to_string(),
        opcode: oc.op_code_string().to_string(),
        bytes,
    }
}

fn bytes_text(n: usize) -> String {
    if n == 1 {
        "1 byte".into()
    } else {
        format!("{n} bytes")
    }
}

/// One sentence on which rule picked the first candidate.
pub(super) fn explain(cands: &[Cand], bits: Bitness) -> String {
    let Some(first) = cands.first() else {
        return String::new();
    };
    let n = cands.len();
    if n == 1 {
        return "the only form that takes these operands".into();
    }
    let o = |c: &Cand| needs_size_override(c.code.op_code(), bits.bits());
    let shorter = cands
        .iter()
        .filter(|c| c.bytes.len() > first.bytes.len())
        .count();
    let same_len = cands
        .iter()
        .filter(|c| c.bytes.len() == first.bytes.len())
        .count();
    if cands.iter().any(|c| o(c) != o(first)) {
        format!("{n} forms fit; GAS takes the one with the mode's default operand size")
    } else if shorter > 0 && same_len == 1 {
        format!(
            "{n} forms fit; GAS takes the shortest ({})",
            bytes_text(first.bytes.len())
        )
    } else {
        format!(
            "{n} forms fit with {}; GAS takes the first in its opcode table",
            bytes_text(first.bytes.len())
        )
    }
}

/// A `dword ptr` that contradicts the form's memory size, or a `word ptr 1` immediate that
/// contradicts its operand size.
/// The size of the memory operand: the whole vector, or one element when broadcast.
fn mem_size(code: Code, bcst: bool) -> usize {
    let oc = code.op_code();
    if bcst {
        oc.broadcast_memory_size().size()
    } else {
        oc.memory_size().size()
    }
}

pub(super) fn size_mismatch(code: Code, kinds: &[K], ops: &[Operand], bcst: bool) -> bool {
    let oc = code.op_code();
    for (k, op) in kinds.iter().zip(ops) {
        let Some(size) = op.size else { continue };
        let want = match op.kind {
            OpKind::Mem(_) => {
                let s = mem_size(code, bcst);
                if s == 0 || *k == K::mem && matches!(oc.mnemonic(), iced_x86::Mnemonic::Lea) {
                    continue;
                }
                s
            }
            _ => {
                let s = oc.operand_size() as usize / 8;
                if s == 0 {
                    continue;
                }
                s
            }
        };
        if want != size as usize {
            return true;
        }
    }
    false
}

/// The memory size a form gives a memory operand written without a size keyword.
pub(super) fn unsized_mem(code: Code, kinds: &[K], ops: &[Operand], bcst: bool) -> Option<usize> {
    let s = mem_size(code, bcst);
    kinds
        .iter()
        .zip(ops)
        .any(|(_, o)| matches!(o.kind, OpKind::Mem(_)) && o.size.is_none() && s != 0)
        .then_some(s)
}

/// GAS refuses `add [rax], 1`: the memory operand could be any size. Only push, pop, call and
/// jmp have a default size (i386-opc.tbl `DefaultSize`): `push [rax]` is the 64-bit push.
pub(super) fn check_ambiguity(
    typed: &str,
    cands: &mut Vec<Cand>,
    bits: Bitness,
) -> Result<String, AsmError> {
    let sizes = |cs: &[Cand]| {
        let mut v: Vec<usize> = cs.iter().filter_map(|c| c.mem_size).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    if sizes(cands).len() <= 1 {
        return Ok(String::new());
    }
    let default_sized = cands.iter().all(|c| {
        matches!(
            c.code.mnemonic(),
            Mnemonic::Push
                | Mnemonic::Pop
                | Mnemonic::Call
                | Mnemonic::Jmp
                | Mnemonic::Fnsave
                | Mnemonic::Fnstenv
                | Mnemonic::Frstor
                | Mnemonic::Fldenv
                | Mnemonic::Fsave
                | Mnemonic::Fstenv
        )
    });
    if !default_sized {
        return Err(AsmError::AmbiguousSize(short(typed)));
    }
    cands.retain(|c| !needs_size_override(c.code.op_code(), bits.bits()));
    if sizes(cands).len() == 1 {
        return Ok("no size given: GAS takes the mode's default operand size".into());
    }
    Err(AsmError::AmbiguousSize(short(typed)))
}

/// Picks the most useful message when nothing encoded.
pub(super) fn best_error(
    typed: &str,
    codes: &[Code],
    ops: &[Operand],
    counts: &[usize],
    shape_ok: bool,
    rejects: Vec<AsmError>,
    _bits: Bitness,
) -> AsmError {
    let pick = |f: fn(&AsmError) -> bool| rejects.iter().find(|e| f(e)).cloned();
    if let Some(e) = pick(|e| matches!(e, AsmError::BranchRange(_)))
        .or_else(|| {
            pick(|e| matches!(e, AsmError::ImmediateRange { fits, .. } if fits.contains("sign")))
        })
        .or_else(|| {
            // The widest slot's message: "does not fit in 32 bits" beats "8 bits".
            rejects
                .iter()
                .filter_map(|e| match e {
                    AsmError::ImmediateRange { fits, .. } => Some((
                        fits.split(' ')
                            .next()
                            .and_then(|n| n.parse::<u32>().ok())
                            .unwrap_or(0),
                        e,
                    )),
                    _ => None,
                })
                .max_by_key(|x| x.0)
                .map(|x| x.1.clone())
        })
        .or_else(|| pick(|e| matches!(e, AsmError::BadAddress(_))))
        .or_else(|| pick(|e| matches!(e, AsmError::Encode(_))))
    {
        return e;
    }
    if !shape_ok && !counts.is_empty() && !counts.contains(&ops.len()) {
        let mut c = counts.to_vec();
        c.sort_unstable();
        let expected = c
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" or ");
        return AsmError::OperandCount {
            mnemonic: short(typed),
            given: ops.len(),
            expected,
        };
    }
    let mut valid: Vec<String> = codes
        .iter()
        .filter(|c| explicit_kinds(c.op_code()).len() == ops.len())
        .map(|c| c.op_code().instruction_string().to_string())
        .collect();
    valid.dedup();
    let more = valid.len().saturating_sub(8);
    valid.truncate(8);
    let mut list = valid.join("; ");
    if more > 0 {
        list.push_str(&format!("; and {more} more"));
    }
    AsmError::Combination {
        mnemonic: short(typed),
        valid: list,
    }
}
