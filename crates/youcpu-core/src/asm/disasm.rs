//! Machine code to Intel-syntax text that [`super::assemble`] (and GNU as) turn back into the
//! same bytes, with a byte-by-byte breakdown of each instruction.
//!
//! Text comes from iced-x86's Intel formatter set up for GAS: `0x` hex, `ptr` size keywords,
//! `[rip+0x10]`, near branch targets as absolute addresses. A short (rel8) branch is written
//! `jmp $+0x10`, because GAS keeps a constant target near but relaxes `$`-relative ones to rel8
//! (see encode.rs). Each line is re-assembled; when GAS would choose another encoding of the
//! same instruction the GAS pseudo-prefixes `{load}` `{store}` `{disp8}` `{disp32}` are tried,
//! and when none reproduces the bytes (redundant prefixes, unusual forms) the text is
//! `.byte 0x.., ...` with the decoded instruction kept in `mnemonic` and `note`.

use super::error::DisasmError;
use super::fields::{breakdown, Field};
use super::operands::{Flow, Operand};
use super::{assemble, Bitness, MAX_DISASM_BYTES};
use iced_x86::{
    Code, Decoder, DecoderError, DecoderOptions, Formatter, IntelFormatter, MemorySizeOptions,
    OpKind,
};
use serde::Serialize;

/// One decoded instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decoded {
    /// Address of the first byte.
    pub ip: u64,
    /// Length in bytes (1 to 15).
    pub len: usize,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The mnemonic, lowercase ("add").
    pub mnemonic: String,
    /// Intel-syntax text that assembles back to exactly `bytes`.
    pub text: String,
    /// The byte-by-byte breakdown.
    pub fields: Vec<Field>,
    /// Set when `text` needed a pseudo-prefix or `.byte`: what the instruction is and why.
    pub note: Option<String>,
    /// The operands: those `text` writes, in its order, then those it leaves out.
    pub operands: Vec<Operand>,
    /// How the instruction changes the flow of control.
    pub flow: Flow,
}

impl Decoded {
    /// `text` without the operands it writes: the prefix words and the mnemonic (`add`,
    /// `lock add`, `{load} mov`), or all of `text` when it writes none (`rep movsb`,
    /// `.byte 0x0f, 0x0b`).
    pub fn head(&self) -> &str {
        let written: Vec<&str> = self
            .operands
            .iter()
            .filter_map(|o| o.text.as_deref())
            .collect();
        if written.is_empty() {
            return &self.text;
        }
        self.text
            .strip_suffix(written.join(", ").as_str())
            .map_or(self.text.as_str(), str::trim_end)
    }
}

/// One position of the byte stream: an instruction, or bytes that do not decode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum DecodedItem {
    /// A valid instruction.
    Insn(Decoded),
    /// Undecodable bytes: an invalid opcode (one byte is skipped, as objdump does) or the
    /// truncated tail of the input.
    Bad {
        /// Address of the first byte.
        ip: u64,
        /// The bytes skipped.
        bytes: Vec<u8>,
        /// Why.
        error: DisasmError,
    },
}

impl Serialize for DisasmError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// Parses hex text: bytes as pairs of hex digits, optionally separated by spaces or commas,
/// each optionally written `0x05` or `\x05`.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, DisasmError> {
    let mut out = Vec::new();
    for tok in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        let t = tok
            .strip_prefix("0x")
            .or_else(|| tok.strip_prefix("0X"))
            .unwrap_or(tok);
        let t = t.replace("\\x", "");
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DisasmError::BadHex(format!(
                "\"{}\" is not hex bytes (write e.g. \"05 00 02 00 00\")",
                crate::units::quote(tok)
            )));
        }
        if !t.len().is_multiple_of(2) {
            return Err(DisasmError::BadHex(format!(
                "\"{}\" has an odd number of hex digits",
                crate::units::quote(tok)
            )));
        }
        for pair in t.as_bytes().chunks(2) {
            let s =
                std::str::from_utf8(pair).map_err(|_| DisasmError::BadHex("not ASCII".into()))?;
            out.push(
                u8::from_str_radix(s, 16)
                    .map_err(|_| DisasmError::BadHex(format!("bad hex \"{s}\"")))?,
            );
            if out.len() > MAX_DISASM_BYTES {
                return Err(DisasmError::TooManyBytes(out.len()));
            }
        }
    }
    Ok(out)
}

fn formatter() -> IntelFormatter {
    let mut f = IntelFormatter::new();
    let o = f.options_mut();
    o.set_hex_prefix("0x");
    o.set_hex_suffix("");
    o.set_uppercase_hex(false);
    o.set_space_after_operand_separator(true);
    o.set_memory_size_options(MemorySizeOptions::Always);
    o.set_rip_relative_addresses(true);
    o.set_branch_leading_zeros(false);
    o.set_leading_zeros(false);
    o.set_show_branch_size(false);
    o.set_small_hex_numbers_in_decimal(false);
    f
}

/// Decodes every instruction in `bytes`, the first at `ip`.
pub fn disassemble(bytes: &[u8], bits: Bitness, ip: u64) -> Result<Vec<DecodedItem>, DisasmError> {
    if bytes.len() > MAX_DISASM_BYTES {
        return Err(DisasmError::TooManyBytes(bytes.len()));
    }
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut fmt = formatter();
    while pos < bytes.len() {
        let here = ip.wrapping_add(pos as u64) & bits.max_ip();
        let rest = bytes.get(pos..).unwrap_or_default();
        match decode_at(rest, bits, here, &mut fmt) {
            Ok(d) => {
                pos += d.len.max(1);
                out.push(DecodedItem::Insn(d));
            }
            Err(DisasmError::Truncated) => {
                out.push(DecodedItem::Bad {
                    ip: here,
                    bytes: rest.to_vec(),
                    error: DisasmError::Truncated,
                });
                break;
            }
            Err(e) => {
                out.push(DecodedItem::Bad {
                    ip: here,
                    bytes: rest.iter().take(1).copied().collect(),
                    error: e,
                });
                pos += 1;
            }
        }
    }
    Ok(out)
}

/// Decodes the one instruction at the start of `bytes`.
pub fn disassemble_one(bytes: &[u8], bits: Bitness, ip: u64) -> Result<Decoded, DisasmError> {
    decode_at(bytes, bits, ip & bits.max_ip(), &mut formatter())
}

fn decode_at(
    bytes: &[u8],
    bits: Bitness,
    ip: u64,
    fmt: &mut IntelFormatter,
) -> Result<Decoded, DisasmError> {
    let window = bytes.get(..bytes.len().min(15)).unwrap_or_default();
    let mut dec = Decoder::with_ip(bits.bits(), window, ip, DecoderOptions::NONE);
    let ins = dec.decode();
    if ins.code() == Code::INVALID {
        if dec.last_error() != DecoderError::NoMoreBytes {
            return Err(DisasmError::Invalid);
        }
        // Out of bytes: truncated only if more bytes could make a valid instruction.
        let mut padded = window.to_vec();
        padded.resize(15, 0);
        let mut dec2 = Decoder::with_ip(bits.bits(), &padded, ip, DecoderOptions::NONE);
        return Err(if dec2.decode().code() == Code::INVALID {
            DisasmError::Invalid
        } else {
            DisasmError::Truncated
        });
    }
    let offs = dec.get_constant_offsets(&ins);
    let len = ins.len();
    let raw = window.get(..len).unwrap_or_default().to_vec();
    let iced_name = format!("{:?}", ins.mnemonic()).to_ascii_lowercase();
    let mnemonic = objdump_name(&ins, &iced_name, bits, &raw, fmt);
    let mut text = String::new();
    fmt.format(&ins, &mut text);
    if super::forms::is_string_op(ins.op_code()) {
        // GAS writes string instructions bare (`rep movsb`), a segment as a prefix word.
        text.clear();
        if ins.segment_prefix() != iced_x86::Register::None {
            text.push_str(&super::regs::name(ins.segment_prefix()));
            text.push(' ');
        }
        fmt.format_mnemonic(&ins, &mut text);
    } else if matches!(ins.op0_kind(), OpKind::FarBranch16 | OpKind::FarBranch32) {
        // GAS writes a far target selector:offset.
        let off = if ins.op0_kind() == OpKind::FarBranch16 {
            u32::from(ins.far_branch16())
        } else {
            ins.far_branch32()
        };
        text = format!("{iced_name} {:#x}:{off:#x}", ins.far_branch_selector());
    } else if ins.mnemonic() == iced_x86::Mnemonic::Retf {
        // iced says "ret far"; GAS says retf.
        text = text.replacen("ret far", "retf", 1);
    } else if text.starts_with("jmp far ") || text.starts_with("call far ") {
        // Far through memory: GAS says "jmp fword ptr [ecx]"; the size says far.
        text = text.replacen(" far ", " ", 1);
    } else if is_short_branch(&ins) {
        let mut m = String::new();
        fmt.format_mnemonic(&ins, &mut m);
        let delta = branch_delta(ins.near_branch_target(), ip, bits);
        text = if delta < 0 {
            format!("{m} $-{:#x}", delta.unsigned_abs())
        } else {
            format!("{m} $+{delta:#x}")
        };
    }
    let (text, note, as_bytes) = round_trip(text, &ins, &raw, bits, ip, &mnemonic);
    let fields = breakdown(&raw, &ins, &offs, bits.bits());
    let written = !as_bytes && !super::forms::is_string_op(ins.op_code());
    let operands = super::operands::operands(&ins, &offs, &text, written, fmt);
    Ok(Decoded {
        ip,
        len,
        bytes: raw,
        mnemonic,
        text,
        fields,
        note,
        operands,
        flow: super::operands::flow(&ins),
    })
}

/// The name objdump -M intel prints for the instruction (and GNU as accepts): `movabs` for the
/// 64-bit immediate and address forms of mov, `xchg` for 66 90, the bare `movs` `stos`...
/// for string instructions (objdump writes their size in the operands), `xlat`, `fwait`, `shl`
/// for the D0-D3 /6 alias, and a `w`/`d`/`q` suffix where the operand size differs from the
/// mode's default but no operand shows it (`iretw`, `sysretd`, `pushw 0x1`, `retfq`,
/// `fnsavew`).
fn objdump_name(
    ins: &iced_x86::Instruction,
    iced_name: &str,
    bits: Bitness,
    raw: &[u8],
    fmt: &mut IntelFormatter,
) -> String {
    use iced_x86::{Code, FormatMnemonicOptions, Mnemonic};
    let oc = ins.op_code();
    if iced_name.starts_with("cmp") && iced_name.ends_with("xadd") {
        // CMPccXADD: iced's mnemonic is binutils' name (cmpnlxadd); its formatter's is Intel's
        // (cmpgexadd).
        return iced_name.into();
    }
    if matches!(ins.mnemonic(), Mnemonic::Pclmulqdq | Mnemonic::Vpclmulqdq)
        && matches!(ins.immediate8(), 2 | 3)
    {
        // objdump names imm 2 and 3 as it names 0x10 and 0x11 (PCLMUL_Fixup).
        let q = if ins.immediate8() == 2 {
            "lqhq"
        } else {
            "hqhq"
        };
        let v = if ins.mnemonic() == Mnemonic::Vpclmulqdq {
            "v"
        } else {
            ""
        };
        return format!("{v}pclmul{q}dq");
    }
    if (iced_name.starts_with("cmp") && !super::forms::is_string_op(oc))
        || iced_name.starts_with("vcmp")
        || iced_name.contains("pclmul")
        || (iced_name.starts_with("vpcmp") && !iced_name.contains("str"))
        || iced_name.starts_with("vpcom")
    {
        // The compare predicate in the name, as both print it (`cmpltps`).
        let mut m = String::new();
        fmt.format_mnemonic_options(ins, &mut m, FormatMnemonicOptions::NO_PREFIXES);
        if !m.is_empty() && !m.contains(' ') {
            return m;
        }
    }
    if super::forms::is_string_op(oc) {
        for s in ["movs", "cmps", "scas", "lods", "stos", "ins", "outs"] {
            if iced_name.len() == s.len() + 1 && iced_name.starts_with(s) {
                return s.into();
            }
        }
    }
    let by_size = |size: u32| match size {
        16 => "w",
        32 => "d",
        64 => "q",
        _ => "",
    };
    let mode_default = if bits == Bitness::B16 { 16 } else { 32 };
    match ins.mnemonic() {
        // The hint NOPs (0f 18-1f), and PREFETCHIT0/1 without a rip-relative address, which
        // CPUs execute as NOPs.
        Mnemonic::Reservednop => return "nop".into(),
        Mnemonic::Prefetchit0 | Mnemonic::Prefetchit1 if !ins.is_ip_rel_memory_operand() => {
            return "nop".into()
        }
        // 0f 0d /3 (iced's prefetchw alias) is objdump's prefetch, as /0 and /4-/7 are.
        Mnemonic::Prefetchw
            if raw
                .windows(3)
                .find(|w| w.first() == Some(&0x0f) && w.get(1) == Some(&0x0d))
                .and_then(|w| w.get(2))
                .is_some_and(|m| (m >> 3) & 7 == 3) =>
        {
            return "prefetch".into()
        }
        Mnemonic::Xstore => return "xstore-rng".into(),
        Mnemonic::Xcryptecb => return "xcrypt-ecb".into(),
        Mnemonic::Xcryptcbc => return "xcrypt-cbc".into(),
        Mnemonic::Xcryptctr => return "xcrypt-ctr".into(),
        Mnemonic::Xcryptcfb => return "xcrypt-cfb".into(),
        Mnemonic::Xcryptofb => return "xcrypt-ofb".into(),
        Mnemonic::Getsecq => return "getsec".into(),
        Mnemonic::Pcmpestri64 => return "pcmpestriq".into(),
        Mnemonic::Pcmpestrm64 => return "pcmpestrmq".into(),
        Mnemonic::Vpcmpestri64 => return "vpcmpestriq".into(),
        Mnemonic::Vpcmpestrm64 => return "vpcmpestrmq".into(),
        // Outside 64-bit mode objdump names the descriptor-table size (`lgdtd`, `sidtw`).
        Mnemonic::Lgdt | Mnemonic::Sgdt | Mnemonic::Lidt | Mnemonic::Sidt
            if bits != Bitness::B64 =>
        {
            let size = match oc.operand_size() {
                0 => mode_default,
                s => s,
            };
            return format!("{iced_name}{}", by_size(size));
        }
        Mnemonic::Xlatb => return "xlat".into(),
        Mnemonic::Wait => return "fwait".into(),
        Mnemonic::Sal => return "shl".into(),
        Mnemonic::Mov
            if bits == Bitness::B64
                && (ins.code() == Code::Mov_r64_imm64
                    || (oc
                        .op_kinds()
                        .contains(&iced_x86::OpCodeOperandKind::mem_offs)
                        && ins.memory_displ_size() == 8)) =>
        {
            return "movabs".into();
        }
        Mnemonic::Nop
            if (ins.code() == Code::Nopw && bits != Bitness::B16)
                || (ins.code() == Code::Nopd && bits == Bitness::B16) =>
        {
            return "xchg".into();
        }
        Mnemonic::Iret | Mnemonic::Iretd | Mnemonic::Iretq => {
            let size = oc.operand_size();
            return if size == mode_default || size == 0 {
                "iret".into()
            } else {
                format!("iret{}", by_size(size))
            };
        }
        Mnemonic::Sysret | Mnemonic::Sysretq | Mnemonic::Sysexit | Mnemonic::Sysexitq => {
            let base = if matches!(ins.mnemonic(), Mnemonic::Sysret | Mnemonic::Sysretq) {
                "sysret"
            } else {
                "sysexit"
            };
            return if bits == Bitness::B64 {
                format!("{base}{}", if oc.operand_size() == 64 { "q" } else { "d" })
            } else {
                base.into()
            };
        }
        _ => {}
    }
    let (base, default64) = match ins.mnemonic() {
        Mnemonic::Pushf | Mnemonic::Pushfd | Mnemonic::Pushfq => ("pushf", true),
        Mnemonic::Popf | Mnemonic::Popfd | Mnemonic::Popfq => ("popf", true),
        Mnemonic::Pusha | Mnemonic::Pushad => ("pusha", false),
        Mnemonic::Popa | Mnemonic::Popad => ("popa", false),
        Mnemonic::Ret => ("ret", true),
        Mnemonic::Retf => ("retf", false),
        Mnemonic::Push => ("push", true),
        Mnemonic::Pop => ("pop", true),
        Mnemonic::Call => ("call", true),
        Mnemonic::Jmp => ("jmp", true),
        Mnemonic::Leave => ("leave", true),
        Mnemonic::Enter => ("enter", true),
        Mnemonic::Fnsave => ("fnsave", false),
        Mnemonic::Fnstenv => ("fnstenv", false),
        Mnemonic::Frstor => ("frstor", false),
        Mnemonic::Fldenv => ("fldenv", false),
        _ => return iced_name.into(),
    };
    let default = if bits == Bitness::B64 && default64 {
        64
    } else {
        mode_default
    };
    let size = oc.operand_size();
    // Only where no operand shows the size: immediates, branch targets, segment registers and
    // the x87 environment's untyped memory.
    let hidden = (0..ins.op_count()).all(|i| match ins.op_kind(i) {
        OpKind::Register => ins.op_register(i).is_segment_register(),
        OpKind::Memory => base.starts_with('f'),
        OpKind::Immediate8
        | OpKind::Immediate16
        | OpKind::Immediate32
        | OpKind::Immediate8to16
        | OpKind::Immediate8to32
        | OpKind::Immediate8to64
        | OpKind::Immediate32to64
        | OpKind::Immediate8_2nd
        | OpKind::NearBranch16
        | OpKind::NearBranch32
        | OpKind::NearBranch64 => true,
        _ => false,
    });
    // A short jump keeps its name (`data16 jmp` in objdump).
    if size == 0 || size == default || !hidden || is_short_branch(ins) {
        return base.into();
    }
    format!("{base}{}", by_size(size))
}

fn is_legacy_prefix(b: u8) -> bool {
    matches!(
        b,
        0x26 | 0x2e | 0x36 | 0x3e | 0x64 | 0x65 | 0x66 | 0x67 | 0xf0 | 0xf2 | 0xf3
    )
}

/// target - ip as a signed number in the mode's address width (a 16-bit jump wraps at 64 KiB).
fn branch_delta(target: u64, ip: u64, bits: Bitness) -> i64 {
    let d = target.wrapping_sub(ip);
    match bits {
        Bitness::B16 => i64::from(d as u16 as i16),
        Bitness::B32 => i64::from(d as u32 as i32),
        Bitness::B64 => d as i64,
    }
}

fn is_short_branch(ins: &iced_x86::Instruction) -> bool {
    ins.op_code()
        .op_kinds()
        .iter()
        .any(|k| super::forms::branch_slot(*k) == Some(1))
}

/// Other spellings of the formatted text that GAS syntax may need: the segment override iced
/// hides in 64-bit mode (`ds:[rbp]` is still a 3e byte), `movabs` for the 64-bit immediate and
/// address forms, `push word ptr` for iced's `data16 push`, and FPU forms without the
/// implicit `st` operand iced prints.
fn variants(text: &str, ins: &iced_x86::Instruction, raw: &[u8]) -> Vec<String> {
    // A 67 prefix on an instruction without memory operand (iced does not print it).
    let raw_has_67 = raw
        .iter()
        .take_while(|b| {
            matches!(
                b,
                0x26 | 0x2e | 0x36 | 0x3e | 0x64 | 0x65 | 0x66 | 0x67 | 0xf0 | 0xf2 | 0xf3
            )
        })
        .any(|b| *b == 0x67);
    let mut v = vec![text.to_string()];
    let seg = ins.segment_prefix();
    if seg != iced_x86::Register::None {
        let s = super::regs::name(seg);
        if !text.contains(&format!("{s}:")) && text.contains('[') {
            v.push(text.replacen('[', &format!("{s}:["), 1));
        }
    }
    if seg != iced_x86::Register::None && !text.contains('[') {
        v.push(format!("{} {text}", super::regs::name(seg)));
    }
    // iced prints a gather's mask as an operand (`vpgatherdd zmm0, k1, [...]`); GAS wants
    // `zmm0{k1}`.
    let parts: Vec<&str> = text.splitn(3, ", ").collect();
    if let [first, k, rest] = parts.as_slice() {
        if k.len() == 2
            && k.starts_with('k')
            && k.get(1..)
                .and_then(|n| n.parse::<u8>().ok())
                .is_some_and(|n| (1..8).contains(&n))
        {
            v.push(format!("{first}{{{k}}}, {rest}"));
        }
    }
    if let Some(rest) = text.strip_prefix("rep ") {
        // VIA PadLock: the f3 is part of the opcode (GAS writes `xcryptecb`, `montmul`).
        if ["xcrypt", "montmul", "xsha"]
            .iter()
            .any(|p| rest.starts_with(p))
        {
            v.insert(0, rest.to_string());
        }
    }
    if let Some(rest) = text.strip_prefix("bnd ") {
        // iced names f2 on a branch "bnd" (MPX); GAS writes it repne.
        v.push(format!("repne {rest}"));
    }
    if let Some(i) = text.find(" ptr ") {
        // A size keyword GAS does not use for this form (lgdt's m16&64 is not an fword).
        let start = text
            .get(..i)
            .and_then(|h| h.rfind(' '))
            .map_or(0, |j| j + 1);
        if let (Some(h), Some(t)) = (text.get(..start), text.get(i + 5..)) {
            v.push(format!("{h}{t}"));
        }
    }
    if let Some(rest) = text.strip_prefix("mov ") {
        v.push(format!("movabs {rest}"));
    }
    if let Some(rest) = text.strip_prefix("data16 push ") {
        v.push(format!("push word ptr {rest}"));
    }
    if text.starts_with('f')
        && !["fcmov", "fcomi", "fucomi"]
            .iter()
            .any(|p| text.starts_with(p))
    {
        // x87: GAS refuses some two-operand spellings iced prints (`fcom st, st(2)`), so the
        // form without the implicit st comes first.
        let t = text.replacen(" st, ", " ", 1);
        let t = t.strip_suffix(", st").unwrap_or(&t).to_string();
        if t != text {
            v.insert(0, t);
        }
    }
    // 66 on a near branch in 64-bit mode, which Intel CPUs ignore (objdump -M intel64:
    // `data16 ret`).
    let raw_has_66 = raw
        .iter()
        .take_while(|b| is_legacy_prefix(**b))
        .any(|b| *b == 0x66);
    if raw_has_66
        && !text.contains("data16")
        && ins.is_jmp_near()
            | ins.is_call_near()
            | matches!(ins.mnemonic(), iced_x86::Mnemonic::Ret)
    {
        v.push(format!("data16 {text}"));
    }
    if ins.len() > 0 && !text.contains('[') && raw_has_67 {
        v.push(format!("addr32 {text}"));
    }
    v
}

/// The text with iced's mnemonic replaced by objdump's name (and the `data16`/`data32` word
/// the suffix makes redundant dropped): `iretw`, `pushw 0x1`, `movabs rax, 0x1`,
/// `xchg ax, ax`. None when the names agree or the name is not written this way.
fn renamed(text: &str, ins: &iced_x86::Instruction, name: &str) -> Option<String> {
    let iced_name = format!("{:?}", ins.mnemonic()).to_ascii_lowercase();
    if name == iced_name
        || super::forms::is_string_op(ins.op_code())
        || !text.split(' ').any(|w| w == iced_name)
    {
        return None;
    }
    if name == "xchg" {
        let r = if ins.code() == iced_x86::Code::Nopw {
            "ax"
        } else {
            "eax"
        };
        return Some(format!("xchg {r}, {r}"));
    }
    let words: Vec<&str> = text.split(' ').collect();
    let at = words.iter().position(|w| *w == iced_name)?;
    let suffixed = name.len() == iced_name.len() + 1 && name.starts_with(iced_name.as_str());
    let mut out: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if i < at && suffixed && matches!(*w, "data16" | "data32" | "data64") {
            continue;
        }
        // The suffix says the size: `fnsavew [rax]`, not `fnsavew fpustate94 ptr [rax]`.
        let size_word = words.get(i + 1) == Some(&"ptr");
        if i > at && suffixed && (size_word || (*w == "ptr" && i > at + 1)) {
            continue;
        }
        out.push(if i == at { name } else { w });
    }
    Some(out.join(" "))
}

/// Finds text that assembles to `raw`: as formatted (or a variant), with a GAS
/// pseudo-prefix, or as `.byte` (then the third value is true).
fn round_trip(
    text: String,
    ins: &iced_x86::Instruction,
    raw: &[u8],
    bits: Bitness,
    ip: u64,
    name: &str,
) -> (String, Option<String>, bool) {
    let same = |t: &str| {
        assemble(t, bits, ip)
            .map(|a| a.bytes == raw)
            .unwrap_or(false)
    };
    let mut vars = variants(&text, ins, raw);
    if let Some(t) = renamed(&text, ins, name) {
        vars.insert(0, t);
    }
    if let Some(t) = vars.iter().find(|t| same(t)) {
        return (t.clone(), None, false);
    }
    for base in &vars {
        for p in [
            "{load}",
            "{store}",
            "{disp8}",
            "{disp32}",
            "{load} {disp8}",
            "{load} {disp32}",
            "{store} {disp8}",
            "{store} {disp32}",
        ] {
            let t = format!("{p} {base}");
            if same(&t) {
                return (
                    t,
                    Some(format!(
                        "GAS would pick another encoding of \"{base}\"; {p} selects this one"
                    )),
                    false,
                );
            }
        }
    }
    let list = raw
        .iter()
        .map(|b| format!("{b:#04x}"))
        .collect::<Vec<_>>()
        .join(", ");
    (
        format!(".byte {list}"),
        Some(format!(
            "\"{text}\" in an encoding GAS cannot be asked for; written as .byte"
        )),
        true,
    )
}
