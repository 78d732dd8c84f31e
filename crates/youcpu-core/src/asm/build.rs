//! Fills an iced-x86 `Instruction` for one chosen form from parsed operands, checking each
//! value against the slot it goes into (immediate widths, displacement widths, branch reach).

use super::forms::{branch_slot, imm_slot, ImmSlot};
use super::mem::addr_bits;
use super::parse::{Mem, OpKind as Op, Operand, Prefixes, Pseudo};
use super::{hex_i128, Bitness};
use iced_x86::{Code, Instruction, OpCodeOperandKind as K, OpKind, Register};

/// Why a form could not take the operands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reject {
    /// Not this form, but a sibling form fits (e.g. an imm8 form for a value of 200).
    NotThisForm,
    /// The immediate is too wide for any form of this slot kind; the text says what fits.
    Imm(String, String),
    /// A displacement or address out of range; the whole message.
    Disp(String),
}

/// Everything needed to encode once the operand values are placed.
pub struct Built {
    /// The instruction.
    pub ins: Instruction,
    /// Some(disp) when operand memory is rip-relative: the target must be fixed up to
    /// next-instruction address + disp once the length is known.
    pub rip_disp: Option<i64>,
}

fn in_range(v: i128, bits: u32) -> bool {
    if bits >= 64 {
        v >= i128::from(i64::MIN) && v <= i128::from(u64::MAX)
    } else {
        v >= -(1i128 << (bits - 1)) && v < (1i128 << bits)
    }
}

/// Reads a value the way GAS does before checking it against an n-bit slot: a 64-bit pattern
/// with the top bit set is negative (0xffffffffffffffff is -1), and for 8- and 16-bit slots so
/// is a 32-bit one (0xffffffff is -1: `add ax, 0xffffffff` is `66 83 c0 ff`).
fn gas_value(v: i128, n: u32) -> i128 {
    let v = if (1i128 << 63..1i128 << 64).contains(&v) {
        v - (1i128 << 64)
    } else {
        v
    };
    if n <= 16 && (1i128 << 31..1i128 << 32).contains(&v) {
        v - (1i128 << 32)
    } else {
        v
    }
}

/// Sign-extends the low `bits` of `v`.
fn sext(v: i128, bits: u32) -> i64 {
    let shift = 128 - bits;
    ((v << shift) >> shift) as i64
}

/// Places an immediate (`operand_sized`: the width of the operand it combines with, if any);
/// `prev_imm` says whether the previous slot was an immediate
/// (then an imm8 is the second immediate, as in `enter imm16, imm8`).
fn set_imm(
    ins: &mut Instruction,
    operand_sized: Option<u32>,
    i: u32,
    slot: ImmSlot,
    v: i128,
    prev_imm: bool,
) -> Result<(), Reject> {
    let too_big = |fits: &str| Reject::Imm(hex_i128(v), fits.to_string());
    let (kind, value) = match slot {
        ImmSlot::One => {
            if v != 1 {
                return Err(Reject::NotThisForm);
            }
            (OpKind::Immediate8, 1)
        }
        ImmSlot::Plain(n) => {
            let v = if operand_sized == Some(n) {
                gas_value(v, n)
            } else {
                v
            };
            if !in_range(v, n) {
                return Err(too_big(&format!("{n} bits")));
            }
            let kind = match n {
                8 if prev_imm => OpKind::Immediate8_2nd,
                8 => OpKind::Immediate8,
                16 => OpKind::Immediate16,
                32 => OpKind::Immediate32,
                _ => OpKind::Immediate64,
            };
            (kind, v as u64)
        }
        ImmSlot::Sext8(n) => {
            let v = gas_value(v, n);
            if !in_range(v, n) {
                return Err(too_big(&format!("{n} bits")));
            }
            let s = sext(v, n);
            if !(-128..=127).contains(&s) {
                return Err(Reject::NotThisForm);
            }
            let kind = match n {
                16 => OpKind::Immediate8to16,
                32 => OpKind::Immediate8to32,
                _ => OpKind::Immediate8to64,
            };
            (kind, s as u64)
        }
        ImmSlot::Sext32 => {
            if !in_range(v, 64) {
                return Err(too_big("64 bits"));
            }
            let s = v as i64;
            if i32::try_from(s).is_err() {
                return Err(too_big("a sign-extended 32-bit immediate"));
            }
            (OpKind::Immediate32to64, s as u64)
        }
    };
    // iced keeps the low bits the kind stores (8, 16, 32 or 64; a sign-extended kind its
    // narrow value), as the typed setters (`set_immediate8`, ...) would.
    ins.set_op_kind(i, kind);
    ins.set_immediate_u64(i, value);
    Ok(())
}

/// Places a branch target (absolute, or `$ + n` relative to `ip`).
fn set_branch(
    ins: &mut Instruction,
    i: u32,
    k: K,
    target: i128,
    bits: Bitness,
) -> Result<(), Reject> {
    let width = match k {
        K::br16_1 | K::br16_2 => 16,
        K::br32_1 | K::br32_4 => 32,
        K::br64_1 | K::br64_4 => 64,
        _ => bits.bits(),
    };
    // 16-bit code: IP wraps at 64 KiB, and GAS keeps the low 16 bits of the target.
    let target = if width == 16 && in_range(target, 32) {
        target & 0xffff
    } else if width == 32 && in_range(target, 64) {
        // Likewise GAS keeps the low 32 bits of a 32-bit target (`call 0x100000000`).
        target & 0xffff_ffff
    } else {
        target
    };
    if !in_range(target, width) {
        return Err(Reject::Disp(format!(
            "branch target {} does not fit in {width} bits",
            hex_i128(target)
        )));
    }
    match width {
        16 => {
            ins.set_op_kind(i, OpKind::NearBranch16);
            ins.set_near_branch16(target as u16);
        }
        32 => {
            ins.set_op_kind(i, OpKind::NearBranch32);
            ins.set_near_branch32(target as u32);
        }
        _ => {
            ins.set_op_kind(i, OpKind::NearBranch64);
            ins.set_near_branch64(target as u64);
        }
    }
    Ok(())
}

/// The segment a base register implies; GAS leaves out an override naming it
/// (tc-i386.c: "default segment" check): ss for rsp/rbp-based addresses, ds otherwise.
fn default_segment(m: &Mem) -> Register {
    match m.base {
        Some(
            Register::RSP
            | Register::RBP
            | Register::ESP
            | Register::EBP
            | Register::SP
            | Register::BP,
        ) => Register::SS,
        _ => Register::DS,
    }
}

/// Places a memory operand. Returns the rip-relative displacement if it is one.
fn set_mem(
    lea_narrow: bool,
    ins: &mut Instruction,
    i: u32,
    k: K,
    m: &Mem,
    bits: Bitness,
    pseudo: Pseudo,
) -> Result<Option<i64>, Reject> {
    ins.set_op_kind(i, OpKind::Memory);
    if let Some(seg) = m.seg {
        if seg != default_segment(m) {
            ins.set_segment_prefix(seg);
        }
    }
    let disp_err = |w: &str| {
        Reject::Disp(format!(
            "{} out of range of {w} displacement",
            hex_i128(m.disp)
        ))
    };
    if let Some(b @ (Register::RIP | Register::EIP)) = m.base {
        if bits != Bitness::B64 {
            return Err(Reject::Disp(
                "rip-relative addressing exists only in 64-bit mode".into(),
            ));
        }
        let d = i32::try_from(m.disp).map_err(|_| disp_err("a signed 32-bit"))?;
        ins.set_memory_base(b);
        return Ok(Some(i64::from(d)));
    }
    if m.base.is_none() && m.index.is_none() {
        let v = m.disp;
        let w = bits.bits();
        if k == K::mem_offs {
            let v = if w < 64 { gas_value(v, w) } else { v };
            if !in_range(v, w) {
                return Err(Reject::Disp(format!(
                    "address {} does not fit in {w} bits",
                    hex_i128(v)
                )));
            }
            ins.set_memory_displ_size(w / 8);
            let mask = if w == 64 { u64::MAX } else { (1u64 << w) - 1 };
            ins.set_memory_displacement64((v as u64) & mask);
            return Ok(None);
        }
        match bits {
            Bitness::B64 => {
                // mod=00 r/m=100 SIB base=101: a sign-extended disp32 (tc-i386.c prefers this
                // to the 8-byte moffs form whenever the address fits). Addresses are 64-bit, so
                // 0xfffffffffffffff8 is -8 and fits.
                // lea into a 32/16-bit register keeps only the low bits of the address, so
                // GAS takes any 32-bit address there (`lea esi, [0xffffffff]`).
                let wrapped = if lea_narrow && (0..1i128 << 32).contains(&v) {
                    i64::from(v as u32 as i32)
                } else if in_range(v, 64) {
                    v as i64
                } else {
                    i64::MAX
                };
                let d = i32::try_from(wrapped).map_err(|_| {
                    Reject::Disp(format!(
                        "address {} does not fit in a sign-extended 32-bit displacement",
                        hex_i128(v)
                    ))
                })?;
                // iced reads displ size 8 as "64-bit addressing, disp32" (4 would add 67).
                ins.set_memory_displ_size(8);
                ins.set_memory_displacement64(i64::from(d) as u64);
            }
            Bitness::B32 => {
                if !in_range(v, 32) {
                    return Err(disp_err("a 32-bit"));
                }
                ins.set_memory_displ_size(4);
                ins.set_memory_displacement64(u64::from(v as u32));
            }
            Bitness::B16 => {
                let v = gas_value(v, 16);
                if !in_range(v, 16) {
                    return Err(disp_err("a 16-bit"));
                }
                ins.set_memory_displ_size(2);
                ins.set_memory_displacement64(u64::from(v as u16));
            }
        }
        return Ok(None);
    }
    // The address size comes from the base (or a general-register index); a VSIB address
    // with no base has the mode's.
    let a = match (m.base, m.index) {
        (Some(b), _) => addr_bits(b) as u32,
        (None, Some(i)) if i.is_gpr() => addr_bits(i) as u32,
        _ => bits.bits(),
    };
    let s: i64 = match a {
        64 => i64::from(i32::try_from(m.disp).map_err(|_| disp_err("a signed 32-bit"))?),
        32 => {
            if !in_range(m.disp, 32) {
                return Err(disp_err("a 32-bit"));
            }
            sext(m.disp, 32)
        }
        _ => {
            let d = gas_value(m.disp, 16);
            if !in_range(d, 16) {
                return Err(disp_err("a 16-bit"));
            }
            if m.scale != 1 {
                return Err(Reject::Disp("16-bit addressing has no scaled index".into()));
            }
            sext(d, 16)
        }
    };
    let full = if a == 16 { 2 } else { 4 };
    // Ask for a disp8 whenever there is a displacement: iced then uses it if the value fits,
    // scaled by the operand size for EVEX (disp8*N, Intel SDM vol. 2 §2.7.5, as GAS does:
    // `vaddps xmm16, xmm1, [rax+0x100]` has disp8 0x10), and falls back to disp32 otherwise.
    let size = if pseudo.disp32 {
        full
    } else if s == 0 && !pseudo.disp8 {
        0
    } else {
        1
    };
    let stored = match a {
        64 => s as u64,
        32 => u64::from(s as u32),
        _ => u64::from(s as u16),
    };
    ins.set_memory_base(m.base.unwrap_or(Register::None));
    ins.set_memory_index(m.index.unwrap_or(Register::None));
    ins.set_memory_index_scale(m.scale);
    ins.set_memory_displacement64(stored);
    // iced wants the full size as "addr_size / 8" even for 64-bit addresses (disp32 either way).
    ins.set_memory_displ_size(if size == full && a == 64 { 8 } else { size });
    Ok(None)
}

/// Builds the instruction for `code` with `ops` in slot order (`kinds` lists the explicit slots).
pub fn build(
    code: Code,
    kinds: &[K],
    ops: &[Operand],
    prefixes: Prefixes,
    pseudo: Pseudo,
    bits: Bitness,
    ip: u64,
) -> Result<Built, Reject> {
    let mut ins = Instruction::default();
    ins.set_code(code);
    let mut rip_disp = None;
    let mut slot = 0u32;
    let all = code.op_code().op_kinds();
    let mut user = kinds.iter().zip(ops.iter());
    let mut prev_imm = false;
    let string_op = super::forms::is_string_op(code.op_code());
    let lea_narrow = code.mnemonic() == iced_x86::Mnemonic::Lea
        && ops
            .first()
            .is_some_and(|o| matches!(o.kind, Op::Reg(r) if !r.is_gpr64()));
    // The width of the first operand: an immediate of that width is read as GAS reads it
    // (`add ax, 0xffffffff` is -1); a shift count or bit offset is not.
    let operand_bits: Option<u32> = ops.first().and_then(|o| match &o.kind {
        Op::Reg(r) => Some(r.size() as u32 * 8),
        Op::Mem(_) => {
            let s = code.op_code().memory_size().size() as u32;
            (s > 0).then_some(s * 8)
        }
        _ => None,
    });
    for &k in all {
        if super::forms::is_implicit(k) {
            set_implicit(&mut ins, slot, k, bits);
            slot += 1;
            prev_imm = false;
            continue;
        }
        if string_op {
            // The accumulator of lods/stos/scas (al..rax), or the port dx of ins/outs.
            let r = match k {
                K::al => Register::AL,
                K::ax => Register::AX,
                K::eax => Register::EAX,
                K::dx => Register::DX,
                _ => Register::RAX,
            };
            ins.set_op_kind(slot, OpKind::Register);
            ins.set_op_register(slot, r);
            slot += 1;
            continue;
        }
        let Some((_, op)) = user.next() else {
            return Err(Reject::NotThisForm);
        };
        let mut is_imm = false;
        match &op.kind {
            Op::Reg(r) => {
                ins.set_op_kind(slot, OpKind::Register);
                ins.set_op_register(slot, *r);
            }
            Op::Mem(m) => {
                if let Some(d) = set_mem(lea_narrow, &mut ins, slot, k, m, bits, pseudo)? {
                    rip_disp = Some(d);
                }
            }
            Op::Imm(v) => {
                if let Some(s) = imm_slot(k) {
                    set_imm(&mut ins, operand_bits, slot, s, *v, prev_imm)?;
                    is_imm = true;
                } else if branch_slot(k).is_some() {
                    set_branch(&mut ins, slot, k, *v, bits)?;
                } else {
                    return Err(Reject::NotThisForm);
                }
            }
            Op::Far { selector, offset } => {
                if !in_range(*selector, 16) {
                    return Err(Reject::Imm(hex_i128(*selector), "16 bits".into()));
                }
                ins.set_far_branch_selector(*selector as u16);
                if k == K::farbr2_2 {
                    if !in_range(*offset, 16) {
                        return Err(Reject::NotThisForm);
                    }
                    ins.set_op_kind(slot, OpKind::FarBranch16);
                    ins.set_far_branch16(*offset as u16);
                } else {
                    if !in_range(*offset, 32) {
                        return Err(Reject::Imm(hex_i128(*offset), "32 bits".into()));
                    }
                    ins.set_op_kind(slot, OpKind::FarBranch32);
                    ins.set_far_branch32(*offset as u32);
                }
            }
            Op::Rel(n) => {
                let target = i128::from(ip) + n;
                let mask = match bits {
                    Bitness::B16 => 0xffff,
                    Bitness::B32 => 0xffff_ffff,
                    Bitness::B64 => i128::from(u64::MAX),
                };
                set_branch(&mut ins, slot, k, target & mask, bits)?;
            }
        }
        prev_imm = is_imm;
        slot += 1;
    }
    ins.set_has_lock_prefix(prefixes.lock);
    ins.set_has_rep_prefix(prefixes.rep);
    ins.set_has_repne_prefix(prefixes.repne);
    Ok(Built { ins, rip_disp })
}

/// The implicit `[rsi]`/`[rdi]`/`[rbx+al]` operands of string instructions, addressed with the
/// mode's default address size.
fn set_implicit(ins: &mut Instruction, slot: u32, k: K, bits: Bitness) {
    let kind = match (k, bits) {
        (K::seg_rSI, Bitness::B64) => OpKind::MemorySegRSI,
        (K::seg_rSI, Bitness::B32) => OpKind::MemorySegESI,
        (K::seg_rSI, Bitness::B16) => OpKind::MemorySegSI,
        (K::es_rDI, Bitness::B64) => OpKind::MemoryESRDI,
        (K::es_rDI, Bitness::B32) => OpKind::MemoryESEDI,
        (K::es_rDI, Bitness::B16) => OpKind::MemoryESDI,
        (K::seg_rDI, Bitness::B64) => OpKind::MemorySegRDI,
        (K::seg_rDI, Bitness::B32) => OpKind::MemorySegEDI,
        (K::seg_rDI, Bitness::B16) => OpKind::MemorySegDI,
        (_, Bitness::B64) => {
            ins.set_memory_base(Register::RBX);
            OpKind::Memory
        }
        (_, Bitness::B32) => {
            ins.set_memory_base(Register::EBX);
            OpKind::Memory
        }
        (_, Bitness::B16) => {
            ins.set_memory_base(Register::BX);
            OpKind::Memory
        }
    };
    ins.set_op_kind(slot, kind);
    if kind == OpKind::Memory {
        ins.set_memory_index(Register::AL);
        ins.set_memory_index_scale(1);
    }
}
