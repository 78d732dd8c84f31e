//! The byte-by-byte breakdown of one decoded instruction: which bytes are prefixes, REX, VEX,
//! opcode, ModRM, SIB, displacement and immediate, each with what its bits mean
//! (Intel SDM vol. 2, chapter 2 "Instruction Format").

use iced_x86::{ConstantOffsets, EncodingKind, Instruction, MandatoryPrefix, OpCodeTableKind};
use serde::Serialize;

/// What part of the instruction format a run of bytes is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A legacy prefix (F0, F2, F3, 2E, 36, 3E, 26, 64, 65, 66, 67).
    Prefix,
    /// A REX prefix (40-4F, 64-bit mode only).
    Rex,
    /// A VEX or EVEX prefix.
    Vex,
    /// Opcode bytes, including 0F / 0F 38 / 0F 3A escapes.
    Opcode,
    /// The ModRM byte.
    Modrm,
    /// The SIB byte.
    Sib,
    /// The displacement (or a branch's relative offset).
    Displacement,
    /// An immediate operand.
    Immediate,
}

/// One run of bytes of an instruction and what it means.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Offset of the first byte within the instruction.
    pub start: usize,
    /// Number of bytes.
    pub len: usize,
    /// What the bytes are.
    pub kind: FieldKind,
    /// A short label: "REX.W", "opcode", "ModRM", "disp8", "imm32".
    pub label: String,
    /// One sentence: what the bits say.
    pub explain: String,
}

fn legacy_prefix(b: u8, ins: &Instruction) -> Option<(String, String)> {
    let mand = ins.op_code().mandatory_prefix();
    let is_mand = |p: MandatoryPrefix| mand == p;
    Some(match b {
        0xf0 => (
            "lock".into(),
            "LOCK: the read-modify-write is atomic".into(),
        ),
        0xf3 if is_mand(MandatoryPrefix::PF3) => (
            "F3".into(),
            "mandatory prefix F3: part of the opcode".into(),
        ),
        0xf2 if is_mand(MandatoryPrefix::PF2) => (
            "F2".into(),
            "mandatory prefix F2: part of the opcode".into(),
        ),
        0x66 if is_mand(MandatoryPrefix::P66) => (
            "66".into(),
            "mandatory prefix 66: part of the opcode".into(),
        ),
        0xf3 => (
            "rep".into(),
            "REP/REPE: repeat while rcx != 0 (and ZF=1 for cmps/scas)".into(),
        ),
        0xf2 => (
            "repne".into(),
            "REPNE: repeat while rcx != 0 and ZF=0".into(),
        ),
        0x66 => (
            "o16".into(),
            "operand-size override: 16-bit operands (32-bit in 16-bit mode)".into(),
        ),
        0x67 => (
            "a32".into(),
            "address-size override: 32-bit addresses (16-bit in 32-bit mode)".into(),
        ),
        0x2e => ("cs".into(), "segment override: cs".into()),
        0x36 => ("ss".into(), "segment override: ss".into()),
        0x3e => ("ds".into(), "segment override: ds".into()),
        0x26 => ("es".into(), "segment override: es".into()),
        0x64 => (
            "fs".into(),
            "segment override: fs (thread-local storage on x86-64 Linux)".into(),
        ),
        0x65 => ("gs".into(), "segment override: gs".into()),
        _ => return None,
    })
}

/// The register in the ModRM reg field (`reg`) or r/m field (`!reg`), named, if one is there.
fn reg_operand(ins: &Instruction, reg: bool) -> Option<String> {
    use iced_x86::OpCodeOperandKind as K;
    let oc = ins.op_code();
    (0..ins.op_count()).find_map(|i| {
        let k = oc.op_kind(i);
        let in_reg = matches!(
            k,
            K::r8_reg
                | K::r16_reg
                | K::r32_reg
                | K::r64_reg
                | K::seg_reg
                | K::k_reg
                | K::kp1_reg
                | K::mm_reg
                | K::xmm_reg
                | K::ymm_reg
                | K::zmm_reg
                | K::cr_reg
                | K::dr_reg
                | K::tr_reg
                | K::bnd_reg
                | K::tmm_reg
        );
        let in_rm = matches!(
            k,
            K::r8_or_mem
                | K::r16_or_mem
                | K::r32_or_mem
                | K::r64_or_mem
                | K::r32_or_mem_mpx
                | K::r64_or_mem_mpx
                | K::mm_or_mem
                | K::xmm_or_mem
                | K::ymm_or_mem
                | K::zmm_or_mem
                | K::k_or_mem
                | K::bnd_or_mem_mpx
                | K::r16_rm
                | K::r32_rm
                | K::r64_rm
                | K::mm_rm
                | K::xmm_rm
                | K::ymm_rm
                | K::zmm_rm
                | K::k_rm
                | K::tmm_rm
                | K::r16_reg_mem
                | K::r32_reg_mem
                | K::r64_reg_mem
        );
        let wanted = if reg { in_reg } else { in_rm };
        (wanted && ins.op_kind(i) == iced_x86::OpKind::Register)
            .then(|| super::regs::name(ins.op_register(i)))
    })
}

fn escape_len(t: OpCodeTableKind) -> usize {
    match t {
        OpCodeTableKind::Normal => 0,
        OpCodeTableKind::T0F => 1,
        _ => 2,
    }
}

/// Splits `bytes` (one instruction, as decoded into `ins` in `bits` mode) into fields.
/// Falls back to one opcode field if the bytes do not fit the expected layout.
pub fn breakdown(bytes: &[u8], ins: &Instruction, offs: &ConstantOffsets, bits: u32) -> Vec<Field> {
    split(bytes, ins, offs, bits).unwrap_or_else(|| {
        vec![Field {
            start: 0,
            len: bytes.len(),
            kind: FieldKind::Opcode,
            label: "bytes".into(),
            explain: format!(
                "{} ({})",
                ins.op_code().instruction_string(),
                ins.op_code().op_code_string()
            ),
        }]
    })
}

fn split(bytes: &[u8], ins: &Instruction, offs: &ConstantOffsets, bits: u32) -> Option<Vec<Field>> {
    let oc = ins.op_code();
    let mut out = Vec::new();
    let mut i = 0;
    let is_rex = |b: &u8| bits == 64 && (0x40..=0x4f).contains(b);
    while let Some(&b) = bytes.get(i) {
        // A REX followed by another prefix is ignored by the CPU (Intel SDM vol. 2 §2.2.1:
        // REX must come immediately before the opcode).
        let ignored_rex = is_rex(&b)
            && bytes
                .get(i + 1)
                .is_some_and(|n| is_rex(n) || legacy_prefix(*n, ins).is_some());
        let Some((label, explain)) = legacy_prefix(b, ins).or_else(|| {
            ignored_rex.then(|| {
                (
                    "REX (ignored)".to_string(),
                    format!("REX {b:#04x} not right before the opcode: the CPU ignores it"),
                )
            })
        }) else {
            break;
        };
        out.push(Field {
            start: i,
            len: 1,
            kind: FieldKind::Prefix,
            label,
            explain,
        });
        i += 1;
    }
    let mut rex_r = false;
    let mut rex_x = false;
    let mut rex_b = false;
    if bits == 64 {
        if let Some(&b) = bytes.get(i).filter(|b| (0x40..=0x4f).contains(*b)) {
            let (w, r, x, bb) = (b >> 3 & 1, b >> 2 & 1, b >> 1 & 1, b & 1);
            rex_r = r == 1;
            rex_x = x == 1;
            rex_b = bb == 1;
            let mut label = String::from("REX");
            if w == 1 {
                label.push_str(".W");
            }
            out.push(Field {
                start: i,
                len: 1,
                kind: FieldKind::Rex,
                label,
                explain: format!(
                    "REX {b:#04x}: W={w} ({}), R={r} (ModRM.reg +8), X={x} (SIB.index +8), B={bb} (ModRM.rm / SIB.base / opcode reg +8)",
                    if w == 1 { "64-bit operand" } else { "default operand size" }
                ),
            });
            i += 1;
        }
    }
    match ins.encoding() {
        EncodingKind::Legacy => {}
        EncodingKind::VEX => {
            let n = if bytes.get(i) == Some(&0xc5) { 2 } else { 3 };
            out.push(Field {
                start: i,
                len: n,
                kind: FieldKind::Vex,
                label: format!("VEX{n}"),
                explain: format!("{n}-byte VEX prefix: opcode map, vector length, extra source register, inverted R/X/B"),
            });
            i += n;
        }
        EncodingKind::EVEX => {
            out.push(Field {
                start: i,
                len: 4,
                kind: FieldKind::Vex,
                label: "EVEX".into(),
                explain:
                    "4-byte EVEX prefix (AVX-512): map, mask register, vector length, broadcast"
                        .into(),
            });
            i += 4;
        }
        _ => return None,
    }
    let esc = if ins.encoding() == EncodingKind::Legacy {
        escape_len(oc.table())
    } else {
        0
    };
    let op_len = esc + oc.op_code_len() as usize;
    let ops = oc.op_code_string();
    let group = ops
        .split_whitespace()
        .find_map(|t| t.strip_prefix('/'))
        .and_then(|d| d.parse::<u8>().ok());
    let has_modrm = ops.contains("/r") || group.is_some();
    let op_hex: Vec<String> = bytes
        .get(i..i + op_len)?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    out.push(Field {
        start: i,
        len: op_len,
        kind: FieldKind::Opcode,
        label: "opcode".into(),
        explain: format!(
            "opcode {}: {} ({})",
            op_hex.join(" "),
            oc.instruction_string(),
            ops
        ),
    });
    i += op_len;
    if has_modrm {
        let m = *bytes.get(i)?;
        let (md, reg, rm) = (m >> 6, m >> 3 & 7, m & 7);
        let reg_text = match (group, reg_operand(ins, true)) {
            (Some(g), _) => format!("reg={reg:03b} (opcode extension /{g})"),
            (None, Some(name)) => format!("reg={reg:03b} ({name})"),
            (None, None) => format!(
                "reg={reg:03b} (register {})",
                reg + if rex_r { 8 } else { 0 }
            ),
        };
        let addr16 = ins.memory_base().is_gpr16()
            || ins.memory_index().is_gpr16()
            || (bits == 16
                && md != 3
                && ins.memory_base() == iced_x86::Register::None
                && ins.memory_index() == iced_x86::Register::None);
        let rm_text = match (md, rm) {
            (3, _) => match reg_operand(ins, false) {
                Some(name) => format!("rm={rm:03b} ({name})"),
                None => format!("rm={rm:03b} (register {})", rm + if rex_b { 8 } else { 0 }),
            },
            (0, 5) if !addr16 && bits == 64 => "rm=101 (rip + disp32)".into(),
            (0, 5) if !addr16 => "rm=101 (disp32, no base)".into(),
            (0, 6) if addr16 => "rm=110 (disp16, no base)".into(),
            (_, 4) if !addr16 => "rm=100 (a SIB byte follows)".into(),
            // 16-bit addressing: rm names a fixed base/index pair (Intel SDM vol. 2, table 2-1).
            (_, _) if addr16 => {
                let pair = ["bx+si", "bx+di", "bp+si", "bp+di", "si", "di", "bp", "bx"];
                format!(
                    "rm={rm:03b} ([{}])",
                    pair.get(usize::from(rm)).copied().unwrap_or("?")
                )
            }
            _ => format!(
                "rm={rm:03b} (base {})",
                super::regs::name(ins.memory_base())
            ),
        };
        let mod_text = match md {
            0 => "mod=00 (memory, no displacement)",
            1 => "mod=01 (memory + 8-bit displacement)",
            2 => "mod=10 (memory + 16/32-bit displacement)",
            _ => "mod=11 (register operand)",
        };
        out.push(Field {
            start: i,
            len: 1,
            kind: FieldKind::Modrm,
            label: "ModRM".into(),
            explain: format!("ModRM {m:#04x}: {mod_text}, {reg_text}, {rm_text}"),
        });
        i += 1;
        if md != 3 && rm == 4 && !addr16 {
            let s = *bytes.get(i)?;
            let (ss, idx, base) = (s >> 6, s >> 3 & 7, s & 7);
            let idx_n = idx + if rex_x { 8 } else { 0 };
            let idx_text = if idx_n == 4 {
                "index=100 (no index)".to_string()
            } else {
                format!(
                    "index={idx:03b} ({}, times {})",
                    super::regs::name(ins.memory_index()),
                    1 << ss
                )
            };
            let base_text = if base == 5 && md == 0 {
                "base=101 with mod=00 (no base: disp32)".to_string()
            } else {
                format!("base={base:03b} ({})", super::regs::name(ins.memory_base()))
            };
            out.push(Field {
                start: i,
                len: 1,
                kind: FieldKind::Sib,
                label: "SIB".into(),
                explain: format!(
                    "SIB {s:#04x}: scale={ss:02b} (x{}), {idx_text}, {base_text}",
                    1 << ss
                ),
            });
            i += 1;
        }
    }
    let mut consts: Vec<(usize, usize, FieldKind)> = Vec::new();
    if offs.has_displacement() {
        consts.push((
            offs.displacement_offset(),
            offs.displacement_size(),
            FieldKind::Displacement,
        ));
    }
    if offs.has_immediate() {
        consts.push((
            offs.immediate_offset(),
            offs.immediate_size(),
            FieldKind::Immediate,
        ));
    }
    if offs.has_immediate2() {
        consts.push((
            offs.immediate_offset2(),
            offs.immediate_size2(),
            FieldKind::Immediate,
        ));
    }
    consts.sort_unstable_by_key(|c| c.0);
    let is_branch = ins.is_jmp_short_or_near()
        || ins.is_jcc_short_or_near()
        || ins.is_call_near()
        || ins.is_loop()
        || ins.is_loopcc()
        || ins.is_jcx_short();
    for (k, (start, len, kind)) in consts.into_iter().enumerate() {
        if start != i || len == 0 {
            return None;
        }
        let raw = bytes.get(start..start + len)?;
        let mut v: u64 = 0;
        for (j, b) in raw.iter().enumerate() {
            v |= u64::from(*b) << (8 * j);
        }
        let sv = if len < 8 {
            ((v << (64 - 8 * len)) as i64) >> (64 - 8 * len)
        } else {
            v as i64
        };
        let le = raw
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" ");
        let (label, explain) = match kind {
            FieldKind::Displacement if !is_branch => (
                format!("disp{}", len * 8),
                format!(
                    "{}-bit displacement {sv} ({v:#x}), little-endian {le}",
                    len * 8
                ),
            ),
            _ if is_branch && k == 0 => (
                format!("rel{}", len * 8),
                format!(
                    "{}-bit relative offset {sv}: target = next instruction + {sv} = {:#x}",
                    len * 8,
                    ins.near_branch_target()
                ),
            ),
            _ => (
                format!("imm{}", len * 8),
                format!(
                    "{}immediate {v:#x} ({sv} signed), little-endian {le}",
                    if k > 0 { "second " } else { "" }
                ),
            ),
        };
        out.push(Field {
            start,
            len,
            kind,
            label,
            explain,
        });
        i += len;
    }
    if i != bytes.len() {
        // 3DNow! and a few others carry opcode bytes after the operands: call them opcode.
        let rest = bytes.len().checked_sub(i)?;
        out.push(Field {
            start: i,
            len: rest,
            kind: FieldKind::Opcode,
            label: "opcode".into(),
            explain: "more opcode bytes".into(),
        });
    }
    Some(out)
}
