//! Pre-decoded instructions: when the decode cache fills an entry it also compiles the
//! iced-x86 [`Instruction`] into a compact [`Uop`] (operation, width, register numbers, the
//! memory operand's parts, the immediate), so the hot forms execute without asking the
//! decoder's accessors again. Anything the compact form does not cover is [`Op::Generic`] and
//! runs through the mnemonic dispatch in [`super::exec::execute`], which defines the semantics
//! the compact handlers in [`super::exec::fast`] reproduce.

use super::families::{cmovcc, jcc, no_effect, setcc};
use super::flags::mask;
use super::operand::{gpr_slot, op_size};
use iced_x86::{ConditionCode, Instruction, Mnemonic as M, OpKind, Register};

/// "No register" in [`Uop::base`] / [`Uop::index`].
pub const NO_REG: u8 = 16;

/// What a pre-decoded instruction does. The suffixes name the operands: R general register,
/// I immediate, M memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Op {
    /// Not pre-decoded: run the generic handler on the iced-x86 instruction.
    #[default]
    Generic,
    /// No architectural effect (NOP, ENDBR64, PAUSE, fences, prefetches).
    Nop,
    /// ALU op (`alu`) reg, reg.
    AluRR,
    /// ALU op reg, imm.
    AluRI,
    /// ALU op reg, `[mem]`.
    AluRM,
    /// ALU op `[mem]`, reg.
    AluMR,
    /// ALU op `[mem]`, imm.
    AluMI,
    /// MOV reg, reg.
    MovRR,
    /// MOV reg, imm.
    MovRI,
    /// MOV reg, `[mem]`.
    Load,
    /// MOV `[mem]`, reg.
    Store,
    /// MOV `[mem]`, imm.
    StoreI,
    /// LEA reg, `[mem]` (64-bit addressing).
    Lea,
    /// INC reg.
    IncR,
    /// DEC reg.
    DecR,
    /// Shift (`alu` holds a [`shift`] constant) reg by an immediate count.
    ShiftRI,
    /// Shift reg by CL.
    ShiftRCl,
    /// Jcc rel (target in `imm`).
    Jcc,
    /// JMP rel.
    Jmp,
    /// CALL rel.
    Call,
    /// RET (no immediate).
    Ret,
    /// PUSH reg.
    PushR,
    /// PUSH imm.
    PushI,
    /// POP reg.
    PopR,
    /// MOVZX reg, reg.
    MovzxRR,
    /// MOVZX reg, `[mem]`.
    MovzxRM,
    /// MOVSX/MOVSXD reg, reg.
    MovsxRR,
    /// MOVSX/MOVSXD reg, `[mem]`.
    MovsxRM,
    /// CMOVcc reg, reg.
    CmovRR,
    /// CMOVcc reg, `[mem]`.
    CmovRM,
    /// SETcc reg8.
    SetccR,
}

/// The two-operand ALU operations, in [`Uop::alu`].
pub mod alu {
    /// ADD.
    pub const ADD: u8 = 0;
    /// OR.
    pub const OR: u8 = 1;
    /// ADC.
    pub const ADC: u8 = 2;
    /// SBB.
    pub const SBB: u8 = 3;
    /// AND.
    pub const AND: u8 = 4;
    /// SUB.
    pub const SUB: u8 = 5;
    /// XOR.
    pub const XOR: u8 = 6;
    /// CMP.
    pub const CMP: u8 = 7;
    /// TEST.
    pub const TEST: u8 = 8;
}

/// The shifts, in [`Uop::alu`] of the shift ops.
pub mod shift {
    /// SHL / SAL.
    pub const SHL: u8 = 0;
    /// SHR.
    pub const SHR: u8 = 1;
    /// SAR.
    pub const SAR: u8 = 2;
}

/// One pre-decoded instruction plus the decode cache's bookkeeping for it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Uop {
    /// The linear address it was decoded at.
    pub ip: u64,
    /// The address of the next instruction.
    pub next_ip: u64,
    /// Immediate (masked to the operand size), branch target, or shift count.
    pub imm: u64,
    /// Memory displacement (for RIP-relative operands: the absolute address).
    pub disp: u64,
    /// The physical frame it was decoded from.
    pub frame: u64,
    /// Pool index + 1 of the instruction that followed it last time it fell through
    /// (0 = none yet).
    pub fall: u32,
    /// Pool index + 1 of the instruction that followed it last time it branched.
    pub link: u32,
    /// The operation.
    pub op: Op,
    /// Operand size in bytes (1, 2, 4, 8): of the destination.
    pub size: u8,
    /// Source size for MOVZX/MOVSX.
    pub ssize: u8,
    /// Which ALU operation or shift.
    pub alu: u8,
    /// Destination (or only) general register, 0..16.
    pub r0: u8,
    /// Source general register.
    pub r1: u8,
    /// Memory base register, or [`NO_REG`].
    pub base: u8,
    /// Memory index register, or [`NO_REG`].
    pub index: u8,
    /// Index scale (1, 2, 4, 8).
    pub scale: u8,
    /// 32-bit addressing: the effective address is truncated to 32 bits.
    pub addr32: bool,
    /// Segment base added: 0 none, 1 FS, 2 GS.
    pub seg: u8,
    /// Condition for Jcc/CMOVcc/SETcc.
    pub cc: ConditionCode,
}

/// A general register usable by the compact handlers: (index, size); high-byte registers
/// (AH..BH) and everything that is not a general register give `None`.
fn plain_gpr(r: Register) -> Option<(u8, u8)> {
    let (i, size, high) = gpr_slot(r)?;
    if high {
        return None;
    }
    Some(((i & 15) as u8, size as u8))
}

fn is_imm(k: OpKind) -> bool {
    matches!(
        k,
        OpKind::Immediate8
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate64
            | OpKind::Immediate8to16
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
            | OpKind::Immediate32to64
    )
}

/// Fills the memory-operand fields; `None` when the operand cannot be expressed (16-bit or
/// other unusual address registers).
fn memory(u: &mut Uop, ins: &Instruction) -> Option<()> {
    let base = ins.memory_base();
    let index = ins.memory_index();
    u.disp = ins.memory_displacement64();
    u.base = match base {
        Register::None | Register::RIP | Register::EIP => NO_REG,
        r if r.is_gpr64() || r.is_gpr32() => plain_gpr(r)?.0,
        _ => return None,
    };
    u.index = match index {
        Register::None => NO_REG,
        r if r.is_gpr64() || r.is_gpr32() => plain_gpr(r)?.0,
        _ => return None,
    };
    u.scale = ins.memory_index_scale() as u8;
    // As `Cpu::ea`: EIP-relative or 32-bit registers truncate the address to 32 bits.
    u.addr32 = base == Register::EIP || base.is_gpr32() || index.is_gpr32();
    u.seg = match ins.memory_segment() {
        Register::FS => 1,
        Register::GS => 2,
        _ => 0,
    };
    Some(())
}

/// A memory operand of 1, 2, 4 or 8 bytes.
fn sized_memory(u: &mut Uop, ins: &Instruction, size: u32) -> Option<()> {
    if !matches!(size, 1 | 2 | 4 | 8) {
        return None;
    }
    memory(u, ins)
}

/// Compiles `ins` (decoded at `ins.ip()`) into its compact form; forms not covered become
/// [`Op::Generic`].
pub fn compile(ins: &Instruction) -> Uop {
    let mut u = Uop {
        ip: ins.ip(),
        next_ip: ins.next_ip(),
        base: NO_REG,
        index: NO_REG,
        scale: 1,
        ..Uop::default()
    };
    if compile_op(&mut u, ins).is_none() {
        u.op = Op::Generic;
    }
    u
}

/// The five two-operand forms that ALU instructions and MOV share, each compiled to its own
/// micro-op, given in `ops` in this order: register-register (general registers of one size),
/// register-immediate, register-memory, memory-register, memory-immediate. Any other form (a
/// control, debug or segment register, mixed sizes) is left to the generic path.
fn two_operands(
    u: &mut Uop,
    ins: &Instruction,
    kinds: (OpKind, OpKind),
    ops: [Op; 5],
) -> Option<()> {
    if ins.op_count() != 2 {
        return None;
    }
    let [rr, ri, rm, mr, mi] = ops;
    let size = op_size(ins, 0);
    u.size = size as u8;
    match kinds {
        (OpKind::Register, OpKind::Register) => {
            let (d, ds) = plain_gpr(ins.op0_register())?;
            let (s, ss) = plain_gpr(ins.op1_register())?;
            if ds != ss {
                return None;
            }
            (u.r0, u.r1, u.op) = (d, s, rr);
        }
        (OpKind::Register, k) if is_imm(k) => {
            u.r0 = plain_gpr(ins.op0_register())?.0;
            u.imm = ins.immediate(1) & mask(size);
            u.op = ri;
        }
        (OpKind::Register, OpKind::Memory) => {
            u.r0 = plain_gpr(ins.op0_register())?.0;
            sized_memory(u, ins, size)?;
            u.op = rm;
        }
        (OpKind::Memory, OpKind::Register) => {
            u.r1 = plain_gpr(ins.op1_register())?.0;
            sized_memory(u, ins, size)?;
            u.op = mr;
        }
        (OpKind::Memory, k) if is_imm(k) => {
            sized_memory(u, ins, size)?;
            u.imm = ins.immediate(1) & mask(size);
            u.op = mi;
        }
        _ => return None,
    }
    Some(())
}

fn compile_op(u: &mut Uop, ins: &Instruction) -> Option<()> {
    let m = ins.mnemonic();
    let k0 = if ins.op_count() > 0 {
        ins.op0_kind()
    } else {
        OpKind::Register
    };
    let k1 = if ins.op_count() > 1 {
        ins.op1_kind()
    } else {
        OpKind::Register
    };
    let alu = match m {
        M::Add => Some(alu::ADD),
        M::Or => Some(alu::OR),
        M::Adc => Some(alu::ADC),
        M::Sbb => Some(alu::SBB),
        M::And => Some(alu::AND),
        M::Sub => Some(alu::SUB),
        M::Xor => Some(alu::XOR),
        M::Cmp => Some(alu::CMP),
        M::Test => Some(alu::TEST),
        _ => None,
    };
    if let Some(a) = alu {
        u.alu = a;
        return two_operands(
            u,
            ins,
            (k0, k1),
            [Op::AluRR, Op::AluRI, Op::AluRM, Op::AluMR, Op::AluMI],
        );
    }
    match m {
        no_effect!() => u.op = Op::Nop,
        // Control, debug and segment registers are not general: generic path.
        M::Mov => two_operands(
            u,
            ins,
            (k0, k1),
            [Op::MovRR, Op::MovRI, Op::Load, Op::Store, Op::StoreI],
        )?,
        M::Lea => {
            if ins.op_count() != 2 || k0 != OpKind::Register || k1 != OpKind::Memory {
                return None;
            }
            let (d, ds) = plain_gpr(ins.op0_register())?;
            memory(u, ins)?;
            // `data::lea` adds the registers at their own width: with 32-bit address
            // registers that differs from a truncated sum, so that form stays generic.
            if u.addr32 || ins.memory_base() == Register::EIP {
                return None;
            }
            (u.r0, u.size, u.op) = (d, ds, Op::Lea);
        }
        M::Inc | M::Dec if ins.op_count() == 1 && k0 == OpKind::Register => {
            let (d, ds) = plain_gpr(ins.op0_register())?;
            (u.r0, u.size) = (d, ds);
            u.op = if m == M::Inc { Op::IncR } else { Op::DecR };
        }
        M::Shl | M::Sal | M::Shr | M::Sar if k0 == OpKind::Register => {
            let (d, ds) = plain_gpr(ins.op0_register())?;
            (u.r0, u.size) = (d, ds);
            u.alu = match m {
                M::Shr => shift::SHR,
                M::Sar => shift::SAR,
                _ => shift::SHL,
            };
            // As `logic::count`: no count operand means 1, CL is read at run time, an
            // immediate is read as one byte.
            if ins.op_count() <= 1 {
                (u.imm, u.op) = (1, Op::ShiftRI);
            } else if k1 == OpKind::Register {
                if ins.op1_register() != Register::CL {
                    return None;
                }
                u.op = Op::ShiftRCl;
            } else if is_imm(k1) {
                (u.imm, u.op) = (ins.immediate(1) & 0xff, Op::ShiftRI);
            } else {
                return None;
            }
        }
        jcc!() => {
            u.cc = ins.condition_code();
            u.imm = ins.near_branch_target();
            u.op = Op::Jcc;
        }
        M::Jmp | M::Call
            if matches!(
                k0,
                OpKind::NearBranch64 | OpKind::NearBranch32 | OpKind::NearBranch16
            ) =>
        {
            u.imm = ins.near_branch_target();
            u.op = if m == M::Jmp { Op::Jmp } else { Op::Call };
        }
        M::Ret if ins.op_count() == 0 => u.op = Op::Ret,
        M::Push if ins.op_count() == 1 => {
            let size = op_size(ins, 0);
            u.size = size as u8;
            if k0 == OpKind::Register {
                u.r0 = plain_gpr(ins.op0_register())?.0;
                u.op = Op::PushR;
            } else if is_imm(k0) {
                u.imm = ins.immediate(0) & mask(size);
                u.op = Op::PushI;
            } else {
                return None;
            }
        }
        M::Pop if ins.op_count() == 1 && k0 == OpKind::Register => {
            let (d, ds) = plain_gpr(ins.op0_register())?;
            (u.r0, u.size, u.op) = (d, ds, Op::PopR);
        }
        M::Movzx | M::Movsx | M::Movsxd if ins.op_count() == 2 && k0 == OpKind::Register => {
            let (d, ds) = plain_gpr(ins.op0_register())?;
            let ss = op_size(ins, 1);
            (u.r0, u.size, u.ssize) = (d, ds, ss as u8);
            let zx = m == M::Movzx;
            match k1 {
                OpKind::Register => {
                    u.r1 = plain_gpr(ins.op1_register())?.0;
                    u.op = if zx { Op::MovzxRR } else { Op::MovsxRR };
                }
                OpKind::Memory => {
                    sized_memory(u, ins, ss)?;
                    u.op = if zx { Op::MovzxRM } else { Op::MovsxRM };
                }
                _ => return None,
            }
        }
        cmovcc!() if ins.op_count() == 2 && k0 == OpKind::Register => {
            let (d, ds) = plain_gpr(ins.op0_register())?;
            (u.r0, u.size, u.cc) = (d, ds, ins.condition_code());
            match k1 {
                OpKind::Register => {
                    u.r1 = plain_gpr(ins.op1_register())?.0;
                    u.op = Op::CmovRR;
                }
                OpKind::Memory => {
                    sized_memory(u, ins, u32::from(ds))?;
                    u.op = Op::CmovRM;
                }
                _ => return None,
            }
        }
        setcc!() if k0 == OpKind::Register => {
            let (d, ds) = plain_gpr(ins.op0_register())?;
            if ds != 1 {
                return None;
            }
            (u.r0, u.size, u.cc) = (d, 1, ins.condition_code());
            u.op = Op::SetccR;
        }
        _ => return None,
    }
    Some(())
}
