//! The instruction forms (iced-x86 `Code`s) that a mnemonic may stand for, and whether a form's
//! operand slots accept the operands a reader wrote.

use super::parse::{Mem, OpKind, Operand};
use iced_x86::{Code, EncodingKind, MemorySize, OpCodeInfo, OpCodeOperandKind as K, Register};
use std::collections::HashMap;
use std::sync::OnceLock;

fn table() -> &'static HashMap<String, Vec<Code>> {
    static TABLE: OnceLock<HashMap<String, Vec<Code>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m: HashMap<String, Vec<Code>> = HashMap::new();
        for code in Code::values() {
            let oc = code.op_code();
            // Skip pseudo-ops (db), 3DNow!/XOP/MVEX, and forms only decoded on request
            // (Knights Corner, Cyrix, MPX...): GAS never emits those for these mnemonics.
            if !oc.is_instruction()
                || !matches!(
                    oc.encoding(),
                    EncodingKind::Legacy | EncodingKind::VEX | EncodingKind::EVEX
                )
                || oc.decoder_option() != 0
            {
                continue;
            }
            let name = format!("{:?}", code.mnemonic()).to_ascii_lowercase();
            m.entry(name).or_default().push(code);
        }
        m
    })
}

/// GAS spellings that iced-x86 names differently (opcodes/i386-opc.tbl aliases): condition-code
/// synonyms, `sal` (encoded as `shl`, /4), and the default-size forms of `pushf`/`popf`/`iret`.
fn aliases(m: &str) -> Vec<String> {
    const CC: &[(&str, &str)] = &[
        ("z", "e"),
        ("nz", "ne"),
        ("c", "b"),
        ("nae", "b"),
        ("nc", "ae"),
        ("nb", "ae"),
        ("na", "be"),
        ("nbe", "a"),
        ("nge", "l"),
        ("nl", "ge"),
        ("ng", "le"),
        ("nle", "g"),
        ("pe", "p"),
        ("po", "np"),
    ];
    for stem in ["j", "set", "cmov"] {
        if let Some(cc) = m.strip_prefix(stem) {
            if let Some((_, canon)) = CC.iter().find(|(a, _)| *a == cc) {
                return vec![format!("{stem}{canon}")];
            }
        }
    }
    if let Some(cc) = m.strip_prefix("cmp").and_then(|r| r.strip_suffix("xadd")) {
        // CMPccXADD: iced and binutils name the conditions nb, z, nz, nbe, nl, nle; GAS also
        // takes Intel's names (cmpaexadd, cmpexadd, cmpgexadd...).
        let canon = match cc {
            "ae" | "nc" => "nb",
            "c" | "nae" => "b",
            "e" => "z",
            "ne" => "nz",
            "a" => "nbe",
            "na" => "be",
            "ge" => "nl",
            "nge" => "l",
            "g" => "nle",
            "ng" => "le",
            "pe" => "p",
            "po" => "np",
            c => c,
        };
        return vec![format!("cmp{canon}xadd")];
    }
    match m {
        "sal" => vec!["shl".into()],
        "xlat" => vec!["xlatb".into()],
        "pushf" => vec!["pushf".into(), "pushfd".into(), "pushfq".into()],
        "popf" => vec!["popf".into(), "popfd".into(), "popfq".into()],
        "pusha" => vec!["pusha".into(), "pushad".into()],
        "popa" => vec!["popa".into(), "popad".into()],
        "iret" => vec!["iret".into(), "iretd".into()],
        "movabs" => vec!["mov".into()],
        "lret" => vec!["retf".into()],
        "fwait" => vec!["wait".into()],
        "pcmpestriq" => vec!["pcmpestri64".into()],
        "pcmpestrmq" => vec!["pcmpestrm64".into()],
        "vpcmpestriq" => vec!["vpcmpestri64".into()],
        "vpcmpestrmq" => vec!["vpcmpestrm64".into()],
        "xstore-rng" | "xstorerng" => vec!["xstore".into()],
        _ => vec![m.to_string()],
    }
}

/// All forms of `mnemonic` (any mode). Empty if the mnemonic is unknown. `movd64` names the
/// REX.W forms of movd (MOVQ with a 64-bit general register or memory operand).
pub fn codes_for(mnemonic: &str) -> Vec<Code> {
    if mnemonic == "movd64" {
        return codes_for("movq")
            .into_iter()
            .filter(|c| {
                c.op_code()
                    .op_kinds()
                    .iter()
                    .any(|k| matches!(k, K::r64_or_mem))
            })
            .collect();
    }
    if let Some(codes) = sized_codes(mnemonic) {
        return codes;
    }
    let t = table();
    aliases(mnemonic)
        .iter()
        .filter_map(|n| t.get(n.as_str()))
        .flat_map(|v| v.iter().copied())
        .collect()
}

/// The instructions whose operand size GAS and objdump write as a suffix, `w` `d` or `q` (the
/// size is not visible in the operands): `iretw`, `sysretd`, `pushw 1`, `retfq`, `leavew`...
pub const SIZE_SUFFIXED: &[&str] = &[
    "iret", "sysret", "sysexit", "pushf", "popf", "pusha", "popa", "ret", "retf", "push", "pop",
    "leave", "enter", "lgdt", "sgdt", "lidt", "sidt", "fnsave", "fnstenv", "frstor", "fldenv",
    "fsave", "fstenv",
];

/// The forms of a size-suffixed name (`iretw`, `sysretd`, `pushw`...) that GAS accepts: those
/// of the base name with that operand size. None when the name is not one of those (or is an
/// iced mnemonic of its own, such as `iretd`).
fn sized_codes(mnemonic: &str) -> Option<Vec<Code>> {
    let t = table();
    if t.contains_key(mnemonic) {
        return None;
    }
    let (base, size) = match mnemonic.as_bytes().last()? {
        b'w' => (mnemonic.get(..mnemonic.len() - 1)?, 16),
        b'd' => (mnemonic.get(..mnemonic.len() - 1)?, 32),
        b'q' => (mnemonic.get(..mnemonic.len() - 1)?, 64),
        _ => return None,
    };
    if !SIZE_SUFFIXED.contains(&base) {
        return None;
    }
    let mut codes: Vec<Code> = Vec::new();
    for name in [base, &format!("{base}d"), &format!("{base}q")] {
        if let Some(v) = t.get(name) {
            codes.extend(v.iter().copied());
        }
    }
    codes.retain(|c| {
        let oc = c.op_code();
        // Push/pop with a general register or memory operand say their size there.
        let this_size = match oc.operand_size() {
            // sysret and sysexit have no size of their own without REX.W (`sysretd`).
            0 if oc.w() == 0 && matches!(base, "sysret" | "sysexit") => 32,
            s => s,
        };
        this_size == size
            && !(matches!(base, "push" | "pop")
                && oc.op_kinds().iter().any(|k| {
                    matches!(
                        k,
                        K::r16_or_mem
                            | K::r32_or_mem
                            | K::r64_or_mem
                            | K::r16_opcode
                            | K::r32_opcode
                            | K::r64_opcode
                            | K::mem
                    )
                }))
    });
    Some(codes)
}

/// True if the form uses the mode's own address size (GAS's `loop` in 64-bit mode counts with
/// rcx; the 67-prefixed ecx form is only reached by name, as `jecxz` is).
pub fn default_address_size(oc: &OpCodeInfo, bits: u32) -> bool {
    let a = oc.address_size();
    a == 0 || a == bits
}

/// True for far branches through memory (`jmp m16:32`).
pub fn is_far(oc: &OpCodeInfo) -> bool {
    matches!(
        oc.memory_size(),
        MemorySize::SegPtr16 | MemorySize::SegPtr32 | MemorySize::SegPtr64
    )
}

/// True for the REX.W far branch through an m16:64, which GAS never emits (`jmp tbyte ptr`
/// is refused).
pub fn is_far64(oc: &OpCodeInfo) -> bool {
    oc.memory_size() == MemorySize::SegPtr64
}

/// True if the form exists in this mode.
pub fn in_mode(oc: &OpCodeInfo, bits: u32) -> bool {
    match bits {
        16 => oc.mode16(),
        32 => oc.mode32(),
        _ => oc.mode64(),
    }
}

/// Operand slots filled implicitly by string instructions (`movsb` has `[rdi]`, `[rsi]`).
pub fn is_implicit(k: K) -> bool {
    matches!(k, K::seg_rSI | K::es_rDI | K::seg_rDI | K::seg_rBX_al)
}

/// True for string instructions (`movsb`, `lodsq`...), whose operands are all implicit.
/// `maskmovdqu`/`maskmovq` store through an implicit `[rdi]` too, but their registers are
/// written (`maskmovdqu xmm0, xmm1`).
pub fn is_string_op(oc: &OpCodeInfo) -> bool {
    oc.op_kinds()
        .iter()
        .any(|k| is_implicit(*k) && *k != K::seg_rDI)
}

/// The slots a reader writes operands for. String instructions have none: GAS writes
/// `lodsb`, not `lodsb al, byte ptr [rsi]`.
pub fn explicit_kinds(oc: &OpCodeInfo) -> Vec<K> {
    if is_string_op(oc) {
        return Vec::new();
    }
    oc.op_kinds()
        .iter()
        .copied()
        .filter(|k| !is_implicit(*k))
        .collect()
}

/// How an immediate slot stores its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImmSlot {
    /// `n` bits, stored as is.
    Plain(u32),
    /// 8 bits sign-extended to an operand of `n` bits.
    Sext8(u32),
    /// 32 bits sign-extended to 64.
    Sext32,
    /// The constant 1 of the shift-by-one forms (D0-D3).
    One,
}

/// The immediate slot kind, if `k` is an immediate.
pub fn imm_slot(k: K) -> Option<ImmSlot> {
    Some(match k {
        K::imm8 => ImmSlot::Plain(8),
        K::imm16 => ImmSlot::Plain(16),
        K::imm32 => ImmSlot::Plain(32),
        K::imm64 => ImmSlot::Plain(64),
        K::imm8sex16 => ImmSlot::Sext8(16),
        K::imm8sex32 => ImmSlot::Sext8(32),
        K::imm8sex64 => ImmSlot::Sext8(64),
        K::imm32sex64 => ImmSlot::Sext32,
        K::imm8_const_1 => ImmSlot::One,
        _ => return None,
    })
}

/// Branch displacement size in bytes for a branch slot, if `k` is one.
pub fn branch_slot(k: K) -> Option<u32> {
    Some(match k {
        K::br16_1 | K::br32_1 | K::br64_1 => 1,
        K::br16_2 | K::xbegin_2 => 2,
        K::br32_4 | K::br64_4 | K::xbegin_4 => 4,
        _ => return None,
    })
}

/// True if register `r` fits slot `k`.
pub fn reg_fits(k: K, r: Register) -> bool {
    let num = |lo: Register, hi: Register| (lo as u32..=hi as u32).contains(&(r as u32));
    match k {
        K::r8_or_mem | K::r8_reg | K::r8_opcode => r.is_gpr8(),
        K::r16_or_mem | K::r16_reg | K::r16_reg_mem | K::r16_rm | K::r16_opcode => r.is_gpr16(),
        K::r32_or_mem
        | K::r32_or_mem_mpx
        | K::r32_reg
        | K::r32_reg_mem
        | K::r32_rm
        | K::r32_opcode
        | K::r32_vvvv => r.is_gpr32(),
        K::r64_or_mem
        | K::r64_or_mem_mpx
        | K::r64_reg
        | K::r64_reg_mem
        | K::r64_rm
        | K::r64_opcode
        | K::r64_vvvv => r.is_gpr64(),
        K::seg_reg => r.is_segment_register(),
        K::mm_or_mem | K::mm_reg | K::mm_rm => num(Register::MM0, Register::MM7),
        K::xmm_or_mem
        | K::xmm_reg
        | K::xmm_rm
        | K::xmm_vvvv
        | K::xmm_is4
        | K::xmm_is5
        | K::xmmp3_vvvv => r.is_xmm(),
        K::ymm_or_mem | K::ymm_reg | K::ymm_rm | K::ymm_vvvv | K::ymm_is4 | K::ymm_is5 => {
            r.is_ymm()
        }
        K::zmm_or_mem | K::zmm_reg | K::zmm_rm | K::zmm_vvvv | K::zmmp3_vvvv => r.is_zmm(),
        K::k_or_mem | K::k_reg | K::k_rm | K::k_vvvv | K::kp1_reg => r.is_k(),
        K::cr_reg => r.is_cr(),
        K::dr_reg => r.is_dr(),
        K::tr_reg => r.is_tr(),
        K::sti_opcode => r.is_st(),
        K::st0 => r == Register::ST0,
        K::es => r == Register::ES,
        K::cs => r == Register::CS,
        K::ss => r == Register::SS,
        K::ds => r == Register::DS,
        K::fs => r == Register::FS,
        K::gs => r == Register::GS,
        K::al => r == Register::AL,
        K::cl => r == Register::CL,
        K::ax => r == Register::AX,
        K::dx => r == Register::DX,
        K::eax => r == Register::EAX,
        K::rax => r == Register::RAX,
        _ => false,
    }
}

/// True if slot `k` takes a memory reference of this shape (`moffs` only takes a bare address).
pub fn mem_fits(k: K, m: &Mem) -> bool {
    let vector_index = m.index;
    match k {
        K::mem_vsib32x | K::mem_vsib64x => return vector_index.is_some_and(|r| r.is_xmm()),
        K::mem_vsib32y | K::mem_vsib64y => return vector_index.is_some_and(|r| r.is_ymm()),
        K::mem_vsib32z | K::mem_vsib64z => return vector_index.is_some_and(|r| r.is_zmm()),
        _ => {}
    }
    if vector_index.is_some_and(|r| r.is_xmm() || r.is_ymm() || r.is_zmm()) {
        return false;
    }
    match k {
        K::mem_offs => m.base.is_none() && m.index.is_none(),
        K::mem
        | K::sibmem
        | K::r8_or_mem
        | K::r16_or_mem
        | K::r32_or_mem
        | K::r32_or_mem_mpx
        | K::r64_or_mem
        | K::r64_or_mem_mpx
        | K::mm_or_mem
        | K::xmm_or_mem
        | K::ymm_or_mem
        | K::zmm_or_mem
        | K::k_or_mem => true,
        _ => false,
    }
}

/// True if slot `k` could take operand `op` at all (values are range-checked later).
pub fn kind_fits(k: K, op: &Operand) -> bool {
    match &op.kind {
        OpKind::Reg(r) => reg_fits(k, *r),
        OpKind::Mem(m) => mem_fits(k, m),
        OpKind::Imm(v) => match imm_slot(k) {
            Some(ImmSlot::One) => *v == 1,
            Some(_) => true,
            None => branch_slot(k).is_some(),
        },
        OpKind::Rel(_) => branch_slot(k).is_some(),
        OpKind::Far { .. } => matches!(k, K::farbr2_2 | K::farbr4_2),
    }
}

/// True if the form needs an operand-size override (66, or REX.W) in this mode; GAS picks a
/// form without one when the operands leave the size open (`push 128` is 68, not 66 68).
pub fn needs_size_override(oc: &OpCodeInfo, bits: u32) -> bool {
    if oc.encoding() != EncodingKind::Legacy {
        return false;
    }
    match oc.operand_size() {
        16 => bits != 16,
        32 => bits == 16,
        64 => !(oc.default_op_size64() || oc.force_op_size64()),
        _ => false,
    }
}
