//! A decoded instruction's operands as data: what each is (register, memory, immediate, branch
//! target), which part of the encoding holds it (ModRM.reg, ModRM.rm, the opcode's low three
//! bits, VEX.vvvv, an immediate...), and how the instruction changes the flow of control, so
//! that a picture or a tool never has to guess them from the text.
//!
//! The kinds come from iced-x86's decoder (`OpKind`, `OpCodeOperandKind`, `FlowControl`), the
//! encoding slots from the opcode tables (Intel SDM Vol. 2A §2.1 "Instruction format",
//! Table 2-2 and §3.1.1.3 "Instruction Column": `/r`, `+rb/+rw/+rd/+ro`, `ib/iw/id/io`,
//! `cb/cw/cd`, `VEX.vvvv`, `/is4`).

use super::forms::branch_slot;
use iced_x86::{
    ConstantOffsets, FlowControl, Formatter, Instruction, IntelFormatter, OpCodeOperandKind as K,
    OpKind, Register,
};
use serde::Serialize;

/// Where in the instruction's bytes an operand is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// The `reg` field of ModRM (with REX.R / EVEX.R'): `/r`.
    ModrmReg,
    /// The `mod` and `rm` fields of ModRM (with SIB, displacement, REX.B and REX.X): a register
    /// when `mod` is 11, else memory.
    ModrmRm,
    /// The low three bits of the opcode's last byte (with REX.B): `+rb`, `+rw`, `+rd`, `+ro`,
    /// `+i` for `ST(i)`.
    OpcodeLow3,
    /// VEX/EVEX/XOP `vvvv`.
    Vvvv,
    /// The high four bits of an 8-bit immediate (`/is4`).
    Is4,
    /// An immediate field (`ib`, `iw`, `id`, `io`, and a far pointer's `cd`/`cp`).
    Immediate,
    /// An address in the displacement field without ModRM (`moffs`, `mov al, [0x1000]`).
    Moffs,
    /// A relative branch displacement (`cb`, `cw`, `cd`).
    Relative,
    /// Not in the bytes: fixed by the opcode (`al` in `add al, 1`, `shl eax, 1` of D1 /4, a
    /// string instruction's `[rsi]`).
    Implicit,
}

/// What an operand is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OperandKind {
    /// A register.
    Register {
        /// Its name as the disassembler writes it (`eax`, `r9b`, `xmm3`, `st(1)` is `st1`).
        name: String,
        /// The number the encoding gives it, 0 to 31: `ah` is 4, `spl` is 4 (with REX), `r12d`
        /// is 12, `xmm3` is 3, `st(1)` is 1.
        number: u8,
        /// Its width in bits (80 for `st(i)`).
        bits: u32,
    },
    /// A memory operand.
    Memory {
        /// The base register, if any (`rip` for RIP-relative).
        base: Option<String>,
        /// The index register, if any.
        index: Option<String>,
        /// The index's scale: 1, 2, 4 or 8.
        scale: u32,
        /// The displacement, sign-extended to 64 bits (for RIP-relative: the target address).
        displacement: u64,
        /// The size of the displacement field in bytes (0, 1, 2, 4 or 8).
        displacement_bytes: u32,
        /// The segment register used (the default or an override).
        segment: String,
        /// The size of the data accessed in bytes (0 when the instruction does not say, as
        /// `lea`).
        size: u32,
        /// RIP- (or EIP-) relative.
        rip_relative: bool,
    },
    /// An immediate value.
    Immediate {
        /// The value as the instruction uses it: sign-extended to the operand size when the
        /// encoding extends it (`imm8` to 32 or 64 bits), otherwise zero-extended.
        value: u64,
        /// The width of the field in the bytes: 8, 16, 32 or 64.
        bits: u32,
        /// The operand size it is extended to (equal to `bits` when not extended).
        extended_to: u32,
        /// True when the field is sign-extended to a wider operand (`imm8` → 32 or 64 bits,
        /// `imm32` → 64 bits).
        sign_extended: bool,
    },
    /// A near branch target (relative in the bytes).
    NearBranch {
        /// The absolute target address.
        target: u64,
        /// The displacement's size in the bytes: 1 (short), 2 or 4.
        displacement_bytes: u32,
    },
    /// A far branch target `selector:offset` in the bytes (`jmp 0x10:0x1000`).
    FarBranch {
        /// The code segment selector.
        selector: u16,
        /// The offset.
        offset: u32,
    },
    /// An EVEX rounding or suppress-all-exceptions mark (`{rn-sae}`, `{sae}`): written as an
    /// operand but not one.
    Rounding,
}

/// One operand of a decoded instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Operand {
    /// The operand as [`super::Decoded::text`] writes it; `None` for one the text leaves out (a
    /// string instruction's registers and memory, x87's `st` in the GAS form, or every operand
    /// when the text is `.byte`).
    pub text: Option<String>,
    /// Where it is in the bytes.
    pub slot: Slot,
    /// What it is.
    #[serde(flatten)]
    pub kind: OperandKind,
}

/// How an instruction changes the flow of control (iced-x86's `FlowControl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// Goes on with the next instruction.
    Next,
    /// An unconditional direct jump (`jmp rel`, `jmp far ptr`).
    Branch,
    /// A conditional jump (`jcc`, `loop`, `jrcxz`).
    ConditionalBranch,
    /// A jump through a register or memory.
    IndirectBranch,
    /// A direct call; iced-x86 counts `syscall` and `sysenter` as calls too.
    Call,
    /// A call through a register or memory.
    IndirectCall,
    /// A return (`ret`, `iret`, `sysret`...).
    Return,
    /// A software interrupt (`int n`, `int3`, `into`).
    Interrupt,
    /// A transaction's begin, abort or end (`xbegin`, `xabort`, `xend`).
    Transaction,
    /// Always raises an exception (`ud2`).
    Exception,
}

impl Flow {
    fn of(f: FlowControl) -> Self {
        match f {
            FlowControl::UnconditionalBranch => Self::Branch,
            FlowControl::ConditionalBranch => Self::ConditionalBranch,
            FlowControl::IndirectBranch => Self::IndirectBranch,
            FlowControl::Call => Self::Call,
            FlowControl::IndirectCall => Self::IndirectCall,
            FlowControl::Return => Self::Return,
            FlowControl::Interrupt => Self::Interrupt,
            FlowControl::XbeginXabortXend => Self::Transaction,
            FlowControl::Exception => Self::Exception,
            _ => Self::Next,
        }
    }
}

/// The flow control of `ins`.
pub(super) fn flow(ins: &Instruction) -> Flow {
    Flow::of(ins.flow_control())
}

/// Where the opcode table puts an operand of kind `k`.
pub(super) fn slot(k: K) -> Slot {
    match k {
        K::r8_reg | K::r16_reg | K::r32_reg | K::r64_reg => Slot::ModrmReg,
        K::r16_reg_mem | K::r32_reg_mem | K::r64_reg_mem => Slot::ModrmReg,
        K::seg_reg | K::k_reg | K::kp1_reg | K::mm_reg | K::xmm_reg | K::ymm_reg | K::zmm_reg => {
            Slot::ModrmReg
        }
        K::cr_reg | K::dr_reg | K::tr_reg | K::bnd_reg | K::tmm_reg => Slot::ModrmReg,
        K::mem | K::mem_mpx | K::mem_mib | K::sibmem => Slot::ModrmRm,
        K::mem_vsib32x | K::mem_vsib64x | K::mem_vsib32y | K::mem_vsib64y => Slot::ModrmRm,
        K::mem_vsib32z | K::mem_vsib64z => Slot::ModrmRm,
        K::r8_or_mem | K::r16_or_mem | K::r32_or_mem | K::r32_or_mem_mpx | K::r64_or_mem => {
            Slot::ModrmRm
        }
        K::r64_or_mem_mpx | K::mm_or_mem | K::xmm_or_mem | K::ymm_or_mem | K::zmm_or_mem => {
            Slot::ModrmRm
        }
        K::bnd_or_mem_mpx | K::k_or_mem => Slot::ModrmRm,
        K::r16_rm | K::r32_rm | K::r64_rm | K::k_rm | K::mm_rm | K::xmm_rm | K::ymm_rm => {
            Slot::ModrmRm
        }
        K::zmm_rm | K::tmm_rm => Slot::ModrmRm,
        K::r8_opcode | K::r16_opcode | K::r32_opcode | K::r64_opcode | K::sti_opcode => {
            Slot::OpcodeLow3
        }
        K::r32_vvvv | K::r64_vvvv | K::k_vvvv | K::xmm_vvvv | K::xmmp3_vvvv | K::ymm_vvvv => {
            Slot::Vvvv
        }
        K::zmm_vvvv | K::zmmp3_vvvv | K::tmm_vvvv => Slot::Vvvv,
        K::xmm_is4 | K::xmm_is5 | K::ymm_is4 | K::ymm_is5 => Slot::Is4,
        K::imm4_m2z | K::imm8 | K::imm8sex16 | K::imm8sex32 | K::imm8sex64 | K::imm16 => {
            Slot::Immediate
        }
        K::imm32 | K::imm32sex64 | K::imm64 | K::farbr2_2 | K::farbr4_2 => Slot::Immediate,
        K::mem_offs => Slot::Moffs,
        K::br16_1 | K::br32_1 | K::br64_1 | K::br16_2 | K::br32_4 | K::br64_4 => Slot::Relative,
        K::xbegin_2 | K::xbegin_4 | K::brdisp_2 | K::brdisp_4 => Slot::Relative,
        // es cs ss ds fs gs al cl ax dx eax rax st0 imm8_const_1, the string instructions'
        // seg:[rSI] es:[rDI] seg:[rDI] seg:[rBX+al], and anything iced adds later.
        _ => Slot::Implicit,
    }
}

/// The number the encoding gives register `r` (`ah` and `spl` are both 4).
pub(super) fn reg_number(r: Register) -> u8 {
    let n = r.number();
    // iced numbers the byte registers al cl dl bl ah ch dh bh spl bpl sil dil r8b..r15b.
    let n = if r.is_gpr8() && n >= 8 { n - 4 } else { n };
    n as u8
}

fn register(r: Register) -> OperandKind {
    OperandKind::Register {
        name: super::regs::name(r),
        number: reg_number(r),
        bits: r.size() as u32 * 8,
    }
}

fn opt_reg(r: Register) -> Option<String> {
    (r != Register::None).then(|| super::regs::name(r))
}

/// What operand `i` of `ins` is.
fn kind(ins: &Instruction, offs: &ConstantOffsets, i: u32) -> OperandKind {
    let imm = |bits: u32, extended_to: u32, sign_extended: bool| OperandKind::Immediate {
        // iced extends to 64 bits; the operand is `extended_to` wide.
        value: ins.immediate(i) & (u64::MAX >> (64 - extended_to)),
        bits,
        extended_to,
        sign_extended,
    };
    match ins.op_kind(i) {
        OpKind::Register => register(ins.op_register(i)),
        OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64 => {
            let bytes = ins
                .op_code()
                .op_kinds()
                .get(i as usize)
                .and_then(|k| branch_slot(*k))
                .unwrap_or(0);
            OperandKind::NearBranch {
                target: ins.near_branch_target(),
                displacement_bytes: bytes,
            }
        }
        OpKind::FarBranch16 => OperandKind::FarBranch {
            selector: ins.far_branch_selector(),
            offset: u32::from(ins.far_branch16()),
        },
        OpKind::FarBranch32 => OperandKind::FarBranch {
            selector: ins.far_branch_selector(),
            offset: ins.far_branch32(),
        },
        OpKind::Immediate8 | OpKind::Immediate8_2nd => imm(8, 8, false),
        OpKind::Immediate16 => imm(16, 16, false),
        OpKind::Immediate32 => imm(32, 32, false),
        OpKind::Immediate64 => imm(64, 64, false),
        OpKind::Immediate8to16 => imm(8, 16, true),
        OpKind::Immediate8to32 => imm(8, 32, true),
        OpKind::Immediate8to64 => imm(8, 64, true),
        OpKind::Immediate32to64 => imm(32, 64, true),
        OpKind::MemorySegSI | OpKind::MemorySegESI | OpKind::MemorySegRSI => {
            string_memory(ins, ins.op_kind(i))
        }
        OpKind::MemorySegDI | OpKind::MemorySegEDI | OpKind::MemorySegRDI => {
            string_memory(ins, ins.op_kind(i))
        }
        OpKind::MemoryESDI | OpKind::MemoryESEDI | OpKind::MemoryESRDI => {
            string_memory(ins, ins.op_kind(i))
        }
        // OpKind::Memory, and anything iced adds later.
        _ => OperandKind::Memory {
            base: opt_reg(ins.memory_base()),
            index: opt_reg(ins.memory_index()),
            scale: ins.memory_index_scale(),
            displacement: ins.memory_displacement64(),
            displacement_bytes: offs.displacement_size() as u32,
            segment: super::regs::name(ins.memory_segment()),
            size: ins.memory_size().size() as u32,
            rip_relative: ins.is_ip_rel_memory_operand(),
        },
    }
}

/// A string instruction's `seg:[rsi]` or `es:[rdi]` (SDM Vol. 1 §7.3.9.1).
fn string_memory(ins: &Instruction, k: OpKind) -> OperandKind {
    let base = match k {
        OpKind::MemorySegSI => Register::SI,
        OpKind::MemorySegESI => Register::ESI,
        OpKind::MemorySegRSI => Register::RSI,
        OpKind::MemorySegDI | OpKind::MemoryESDI => Register::DI,
        OpKind::MemorySegEDI | OpKind::MemoryESEDI => Register::EDI,
        _ => Register::RDI,
    };
    let segment = if matches!(
        k,
        OpKind::MemoryESDI | OpKind::MemoryESEDI | OpKind::MemoryESRDI
    ) {
        Register::ES
    } else {
        ins.memory_segment()
    };
    OperandKind::Memory {
        base: opt_reg(base),
        index: None,
        scale: 1,
        displacement: 0,
        displacement_bytes: 0,
        segment: super::regs::name(segment),
        size: ins.memory_size().size() as u32,
        rip_relative: false,
    }
}

/// The operands of `ins`: first those `text` writes, in its order, each with its text; then
/// the ones it leaves out. `offs` are the decoder's field offsets; `text` is the final text of the instruction (the formatter's,
/// possibly reworded for GAS); `written` says whether it writes operands at all (false for
/// string instructions, written bare, and `.byte`).
pub(super) fn operands(
    ins: &Instruction,
    offs: &ConstantOffsets,
    text: &str,
    written: bool,
    fmt: &mut IntelFormatter,
) -> Vec<Operand> {
    let slots = ins.op_code().op_kinds();
    let mut all: Vec<Option<Operand>> = (0..ins.op_count())
        .map(|i| {
            Some(Operand {
                text: None,
                slot: slots.get(i as usize).map_or(Slot::Implicit, |k| slot(*k)),
                kind: kind(ins, offs, i),
            })
        })
        .collect();
    let mut out = Vec::new();
    if written {
        // The formatter's operands, each an instruction operand or an EVEX rounding mark.
        let shown: Vec<Option<u32>> = (0..fmt.operand_count(ins))
            .filter_map(|i| fmt.get_instruction_operand(ins, i).ok())
            .collect();
        let is_st0 = |o: &Option<u32>| {
            o.is_some_and(|i| {
                ins.op_kind(i) == OpKind::Register && ins.op_register(i) == Register::ST0
            })
        };
        // GAS's x87 forms leave out `st` (`fadd st(1)` for `fadd st, st(1)`): the first `st`,
        // or every one.
        let first_st0 = shown.iter().position(is_st0);
        let without_first: Vec<Option<u32>> = shown
            .iter()
            .enumerate()
            .filter(|(j, _)| Some(*j) != first_st0)
            .map(|(_, o)| *o)
            .collect();
        let without_all: Vec<Option<u32>> = shown.iter().filter(|o| !is_st0(o)).copied().collect();
        for list in [shown, without_first, without_all] {
            if let Some(texts) = split_written(text, list.len()) {
                for (t, o) in texts.into_iter().zip(list) {
                    let op = match o {
                        Some(i) => all.get_mut(i as usize).and_then(Option::take),
                        None => Some(Operand {
                            text: None,
                            slot: Slot::Implicit,
                            kind: OperandKind::Rounding,
                        }),
                    };
                    if let Some(mut op) = op {
                        op.text = Some(t);
                        out.push(op);
                    }
                }
                break;
            }
        }
    }
    out.extend(all.into_iter().flatten());
    out
}

/// The last `n` operands of `text` (prefix words and mnemonic, then operands separated by
/// top-level commas), or `None` when the text does not have `n`.
fn split_written(text: &str, n: usize) -> Option<Vec<String>> {
    if n == 0 {
        return Some(Vec::new());
    }
    // The text has no quotes; braces (`{k1}`, `{rn-sae}`) hold no commas.
    let mut segs = super::program::source::split_commas(text);
    if segs.len() != n {
        return None;
    }
    // The first segment is "prefixes mnemonic op0"; op0 is its last word, or a sized memory
    // operand's "qword ptr [...]" / "dword bcst [...]".
    let first = segs.first_mut()?;
    let sized = [" ptr ", " bcst "]
        .iter()
        .filter_map(|w| first.find(w))
        .min();
    let start = match sized {
        Some(i) => first.get(..i)?.rfind(' ')? + 1,
        None => first.rfind(' ')? + 1,
    };
    *first = first.get(start..)?.to_string();
    if segs.iter().any(String::is_empty) {
        return None;
    }
    Some(segs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
