//! The shorthand and leniencies of GNU as Intel syntax, rewritten into the operands of a real
//! instruction form before the form is chosen (each rule checked against `as` by the oracle
//! tests; the tc-i386.c behaviour each one follows is named beside it).

use super::error::AsmError;
use super::parse::{OpKind, Operand};
use super::{short, Bitness};
use iced_x86::Register;

/// What [`rewrite`] returns: the mnemonic to look up, the operands, and a note for the reader.
pub type Rewritten = (String, Vec<Operand>, Option<&'static str>);

fn reg(r: Register) -> Operand {
    Operand {
        kind: OpKind::Reg(r),
        size: None,
    }
}

fn is_reg(o: &Operand, f: impl Fn(Register) -> bool) -> bool {
    matches!(o.kind, OpKind::Reg(r) if f(r))
}

/// Applies GAS's leniencies first, then its shorthand.
pub fn rewrite(mnemonic: &str, ops: Vec<Operand>, bits: Bitness) -> Result<Rewritten, AsmError> {
    if let Some(m) = string_form(mnemonic, &ops, bits)? {
        return Ok((
            m,
            Vec::new(),
            Some("the operands name the string instruction's size"),
        ));
    }
    let (m, ops) = lenient(mnemonic, ops)?;
    Ok(shorthand(&m, ops, bits))
}

/// A string instruction written as objdump prints it, with its operands
/// (`movs byte ptr es:[rdi], byte ptr ds:[rsi]`, `lods al, byte ptr [rsi]`): the suffixed name
/// (`movsb`). Only the operands the instruction uses by default (es:[rdi], ds:[rsi], the
/// accumulator, dx) are taken; another segment or address size is refused (write the prefix
/// and the bare name).
fn string_form(m: &str, ops: &[Operand], bits: Bitness) -> Result<Option<String>, AsmError> {
    // The operands each one takes: 'D' = es:[rdi], 'S' = ds:[rsi], 'A' = the accumulator,
    // 'X' = dx.
    let shape = match m {
        "movs" => "DS",
        "cmps" => "SD",
        "scas" => "AD",
        "lods" => "AS",
        "stos" => "DA",
        "ins" => "DX",
        "outs" => "XS",
        _ => return Ok(None),
    };
    let bad = || AsmError::Combination {
        mnemonic: short(m),
        valid: format!(
            "{m} with the operands objdump prints ({}), or {m}b/w/d/q with none",
            shape
                .chars()
                .map(|c| match c {
                    'D' => "es:[rdi]",
                    'S' => "[rsi]",
                    'A' => "al/ax/eax/rax",
                    _ => "dx",
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if ops.len() != 2 {
        return Err(bad());
    }
    let (di, si) = match bits {
        Bitness::B64 => (Register::RDI, Register::RSI),
        Bitness::B32 => (Register::EDI, Register::ESI),
        Bitness::B16 => (Register::DI, Register::SI),
    };
    let mut size: Option<u32> = None;
    let mut agree = |n: u32| -> Result<(), AsmError> {
        match size {
            Some(s) if s != n => Err(bad()),
            _ => {
                size = Some(n);
                Ok(())
            }
        }
    };
    for (c, o) in shape.chars().zip(ops) {
        match (c, &o.kind) {
            ('D' | 'S', OpKind::Mem(mem)) => {
                let (base, seg) = if c == 'D' {
                    (di, Register::ES)
                } else {
                    (si, Register::DS)
                };
                if mem.base != Some(base)
                    || mem.index.is_some()
                    || mem.disp != 0
                    || mem.seg.is_some_and(|s| s != seg)
                {
                    return Err(bad());
                }
                if let Some(n) = o.size {
                    agree(n)?;
                }
            }
            ('A', OpKind::Reg(r))
                if matches!(
                    r,
                    Register::AL | Register::AX | Register::EAX | Register::RAX
                ) && o.size.is_none() =>
            {
                agree(r.size() as u32)?
            }
            ('X', OpKind::Reg(Register::DX)) if o.size.is_none() => {}
            _ => return Err(bad()),
        }
    }
    let suffix = match size {
        Some(1) => "b",
        Some(2) => "w",
        Some(4) => "d",
        Some(8) if !matches!(m, "ins" | "outs") => "q",
        // GAS: "ambiguous operand size".
        _ => return Err(AsmError::AmbiguousSize(short(m))),
    };
    Ok(Some(format!("{m}{suffix}")))
}

/// The compare predicates of cmpps (the first 8) and vcmpps (all 32), in immediate order.
const CMP_PREDICATES: &[&str] = &[
    "eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord", "eq_uq", "nge", "ngt", "false",
    "neq_oq", "ge", "gt", "true", "eq_os", "lt_oq", "le_oq", "unord_s", "neq_us", "nlt_uq",
    "nle_uq", "ord_s", "eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq", "gt_oq",
    "true_us",
];

/// A mnemonic with a predicate in its name: the instruction and the immediate it stands for.
fn predicate_form(m: &str) -> Option<(String, i128)> {
    if !super::forms::codes_for(m).is_empty() {
        return None;
    }
    for (stem, count) in [("cmp", 8), ("vcmp", 32)] {
        let Some(rest) = m.strip_prefix(stem) else {
            continue;
        };
        for suffix in ["ps", "pd", "ss", "sd"] {
            let Some(pred) = rest.strip_suffix(suffix) else {
                continue;
            };
            if let Some(n) = CMP_PREDICATES.iter().take(count).position(|p| *p == pred) {
                return Some((format!("{stem}{suffix}"), n as i128));
            }
        }
    }
    for stem in ["pclmul", "vpclmul"] {
        let Some(q) = m.strip_prefix(stem).and_then(|r| r.strip_suffix("dq")) else {
            continue;
        };
        let n = match q {
            "lqlq" => 0x00,
            "hqlq" => 0x01,
            "lqhq" => 0x10,
            "hqhq" => 0x11,
            _ => continue,
        };
        return Some((format!("{stem}qdq"), n));
    }
    if let Some(rest) = m.strip_prefix("vpcmp") {
        for suffix in ["ub", "uw", "ud", "uq", "b", "w", "d", "q"] {
            let Some(pred) = rest.strip_suffix(suffix) else {
                continue;
            };
            let n = match pred {
                "eq" => 0,
                "lt" => 1,
                "le" => 2,
                "neq" => 4,
                "nlt" => 5,
                "nle" => 6,
                _ => continue,
            };
            return Some((format!("vpcmp{suffix}"), n));
        }
    }
    None
}

/// Forms GAS accepts that the manual does not write that way.
fn lenient(mnemonic: &str, mut ops: Vec<Operand>) -> Result<(String, Vec<Operand>), AsmError> {
    let mut m = mnemonic.to_string();
    let is_vec = |o: &Operand| {
        is_reg(o, |r| {
            r.is_xmm() || (Register::MM0 as u32..=Register::MM7 as u32).contains(&(r as u32))
        })
    };
    let bad = |valid: &str| AsmError::Combination {
        mnemonic: short(mnemonic),
        valid: valid.into(),
    };
    // Compare predicates as mnemonics (i386-opc.tbl): `cmpltps xmm0, xmm1` is
    // `cmpps xmm0, xmm1, 1`, `vcmpnge_uqsd` is vcmpsd with 0x19, `pclmulhqlqdq` is pclmulqdq
    // with 1, `vpcmpltud` is vpcmpud with 1.
    if let Some((base, n)) = predicate_form(&m) {
        ops.push(Operand {
            kind: OpKind::Imm(n),
            size: None,
        });
        return Ok((base, ops));
    }
    // The blend-by-xmm0 forms may name their implicit xmm0 (`blendvps xmm1, xmm2, xmm0`).
    if matches!(m.as_str(), "blendvps" | "blendvpd" | "pblendvb")
        && ops.len() == 3
        && ops
            .get(2)
            .is_some_and(|o| matches!(o.kind, OpKind::Reg(Register::XMM0)))
    {
        ops.truncate(2);
    }
    match m.as_str() {
        // movd/movq with no MMX or XMM register is mov with a fixed size, as GAS reads them
        // (movl / movq): 32-bit GPRs (or a segment/control register beside one) for movd,
        // 64-bit GPRs for movq; a memory operand takes that size.
        "movd" | "movq" if !ops.iter().any(is_vec) => {
            let (size, gpr_ok): (u32, fn(Register) -> bool) = if m == "movd" {
                (4, Register::is_gpr32)
            } else {
                (8, Register::is_gpr64)
            };
            let mut has_gpr = false;
            for o in &ops {
                match o.kind {
                    OpKind::Reg(r) if gpr_ok(r) => has_gpr = true,
                    OpKind::Reg(r) if r.is_segment_register() || r.is_cr() || r.is_dr() => {}
                    OpKind::Reg(_) => {
                        return Err(bad(
                            "MOVD r/m32, r32 and the like; MOVQ r/m64, r64 and the like",
                        ))
                    }
                    OpKind::Mem(_) if o.size.is_some_and(|s| s != size) => {
                        return Err(bad("a memory operand of the instruction's own size"))
                    }
                    _ => {}
                }
            }
            let has_special = ops
                .iter()
                .any(|o| is_reg(o, |r| r.is_segment_register() || r.is_cr() || r.is_dr()));
            if has_special && !has_gpr {
                return Err(bad(
                    "MOVD/MOVQ between a segment or control register and a general register",
                ));
            }
            for o in &mut ops {
                if matches!(o.kind, OpKind::Mem(_)) && !has_special {
                    o.size = Some(size);
                }
            }
            m = "mov".into();
        }
        // movd with a 64-bit register or a qword in memory beside an MMX/XMM register is the
        // REX.W form of movd (`movd rax, xmm9` is 66 4c 0f 7e c8), never F3 0F 7E.
        "movd"
            if ops.iter().any(|o| match o.kind {
                OpKind::Reg(r) => r.is_gpr64(),
                OpKind::Mem(_) => o.size == Some(8),
                _ => false,
            }) =>
        {
            m = "movd64".into()
        }
        // With two operands movsb/movsw are movsx from a byte/word (AT&T's movsbl/movswl).
        "movsb" | "movsw" if ops.len() == 2 => {
            let size = if m == "movsb" { 1 } else { 2 };
            if let Some(src) = ops.get_mut(1) {
                let fits = match src.kind {
                    OpKind::Reg(r) => r.size() == size,
                    OpKind::Mem(_) => src.size.is_none_or(|s| s as usize == size),
                    _ => true,
                };
                if !fits {
                    return Err(bad("MOVSB r, r/m8; MOVSW r, r/m16"));
                }
                if matches!(src.kind, OpKind::Mem(_)) {
                    src.size = Some(size as u32);
                }
            }
            m = "movsx".into()
        }
        // `div eax, edi`: the accumulator may be written out (AT&T's two-operand form).
        "div" | "idiv" if ops.len() == 2 => {
            let acc = ops.first().and_then(|o| match o.kind {
                OpKind::Reg(r)
                    if matches!(
                        r,
                        Register::AL | Register::AX | Register::EAX | Register::RAX
                    ) =>
                {
                    Some(r)
                }
                _ => None,
            });
            if let Some(acc) = acc {
                let mismatch = ops.get(1).is_some_and(|o| match o.kind {
                    OpKind::Reg(r) => r.size() != acc.size(),
                    OpKind::Mem(_) => o.size.is_some_and(|s| s as usize != acc.size()),
                    _ => false,
                });
                if mismatch {
                    // GAS: "register type mismatch".
                    return Err(bad("DIV/IDIV acc, r/m of the accumulator's size"));
                }
                let mut src = ops.remove(1);
                if matches!(src.kind, OpKind::Mem(_)) && src.size.is_none() {
                    src.size = Some(acc.size() as u32);
                }
                ops = vec![src];
            }
        }
        // movsx from a 32-bit source into a 32/64-bit register is movsxd (`movsx rax, ebx`
        // is 48 63 c3).
        "movsx"
            if ops
                .first()
                .is_some_and(|o| is_reg(o, |r| r.is_gpr64() || r.is_gpr32()))
                && ops.get(1).is_some_and(|o| match o.kind {
                    OpKind::Reg(r) => r.is_gpr32(),
                    OpKind::Mem(_) => o.size == Some(4),
                    _ => false,
                }) =>
        {
            m = "movsxd".into()
        }
        // `shld eax, ebx` shifts by cl.
        "shld" | "shrd" if ops.len() == 2 => ops.push(reg(Register::CL)),
        _ => {}
    }
    // A shift count written as ecx/rcx means cl (GAS refuses cx).
    let count_at = match m.as_str() {
        "rol" | "ror" | "rcl" | "rcr" | "shl" | "shr" | "sal" | "sar" => Some(1),
        "shld" | "shrd" => Some(2),
        _ => None,
    };
    // ... but not beside an explicit byte operand ("`ecx' not allowed with `rclb'").
    let byte_dest = ops
        .first()
        .is_some_and(|o| matches!(o.kind, OpKind::Mem(_)) && o.size == Some(1));
    if let Some(op) = count_at.filter(|_| !byte_dest).and_then(|i| ops.get_mut(i)) {
        if is_reg(op, |r| matches!(r, Register::ECX | Register::RCX)) {
            *op = reg(Register::CL);
        }
    }
    // The port of in/out written as edx means dx.
    let port_at = match m.as_str() {
        "in" => Some(1),
        "out" => Some(0),
        _ => None,
    };
    if let Some(op) = port_at.and_then(|i| ops.get_mut(i)) {
        if is_reg(op, |r| matches!(r, Register::EDX | Register::RDX)) {
            *op = reg(Register::DX);
        }
    }
    // Far jmp/call may be written `jmp sel, off`.
    if let (
        "jmp" | "call",
        [Operand {
            kind: OpKind::Imm(sel),
            ..
        }, Operand {
            kind: OpKind::Imm(off),
            ..
        }],
    ) = (m.as_str(), ops.as_slice())
    {
        ops = vec![Operand {
            kind: OpKind::Far {
                selector: *sel,
                offset: *off,
            },
            size: None,
        }];
    }
    // movsxd r16, r32 reads the low 16 bits (66 63 /r); GAS refuses movsxd r16, r16.
    if let ("movsxd", [d, s]) = (m.as_str(), ops.as_slice()) {
        if is_reg(d, |r| r.is_gpr16()) {
            match s.kind {
                OpKind::Reg(r) if r.is_gpr32() => {
                    let low = Register::AX + r.number() as u32;
                    if let Some(o) = ops.get_mut(1) {
                        *o = reg(low);
                    }
                }
                OpKind::Mem(_) if s.size == Some(2) => {
                    // GAS: "conflicting operand size modifiers".
                    return Err(bad("MOVSXD r16, r/m32"));
                }
                OpKind::Mem(_) if s.size.is_none_or(|z| z == 4) => {
                    if let Some(o) = ops.get_mut(1) {
                        o.size = Some(2);
                    }
                }
                OpKind::Reg(_) => {
                    return Err(AsmError::Combination {
                        mnemonic: short(mnemonic),
                        valid: "MOVSXD r16, r32; MOVSXD r32, r/m32; MOVSXD r64, r/m32".into(),
                    })
                }
                _ => {}
            }
        }
    }
    // `pop cs` (0f) was 8086-only; GAS refuses it ("you can't `pop %cs'").
    if m == "pop"
        && ops
            .first()
            .is_some_and(|o| is_reg(o, |r| r == Register::CS))
    {
        return Err(bad("POP DS/ES/SS/FS/GS (never cs)"));
    }
    // bswap of a 16-bit register is undefined (Intel SDM vol. 2, BSWAP); GAS refuses it.
    if m == "bswap" && ops.first().is_some_and(|o| is_reg(o, |r| r.is_gpr16())) {
        return Err(AsmError::Combination {
            mnemonic: short(mnemonic),
            valid: "BSWAP r32; BSWAP r64".into(),
        });
    }
    Ok((m, ops))
}

/// Rewrites the shorthand GAS accepts into the operands of a real form.
fn shorthand(mnemonic: &str, mut ops: Vec<Operand>, bits: Bitness) -> Rewritten {
    let imm = |v| Operand {
        kind: OpKind::Imm(v),
        size: None,
    };
    let m = mnemonic.to_string();
    match (m.as_str(), ops.as_slice()) {
        (
            "int",
            [Operand {
                kind: OpKind::Imm(3),
                size: None,
            }],
        ) => {
            return (
                "int3".into(),
                Vec::new(),
                Some("GAS encodes int 3 as the one-byte int3 (cc)"),
            )
        }
        (
            "xchg",
            [Operand {
                kind: OpKind::Reg(Register::RAX),
                ..
            }, Operand {
                kind: OpKind::Reg(Register::RAX),
                ..
            }],
        ) if bits == Bitness::B64 => {
            return (
                "nop".into(),
                Vec::new(),
                Some("GAS encodes xchg rax, rax as nop (90)"),
            )
        }
        (
            "mov",
            [Operand {
                kind: OpKind::Reg(a),
                ..
            }, Operand {
                kind: OpKind::Reg(b),
                ..
            }],
        ) if (a.is_segment_register() && b.is_gpr() && !b.is_gpr8())
            || (b.is_segment_register() && a.is_gpr() && a.is_gpr64()) =>
        {
            // tc-i386.c: a segment register load takes no 66/REX.W ("mov ds, ax" is 8e d8 in
            // every mode), nor does a store to a 64-bit register; a store to a 16- or 32-bit
            // register keeps its size.
            let to_default = |r: Register| match bits {
                Bitness::B16 => Register::AX + r.full_register32().number() as u32,
                _ => r.full_register32(),
            };
            let (a, b) = (*a, *b);
            // Both operands are registers (the pattern above): rebuild them.
            let ops = if a.is_segment_register() {
                vec![reg(a), reg(to_default(b))]
            } else {
                vec![reg(to_default(a)), reg(b)]
            };
            return (m, ops, None);
        }
        ("faddp" | "fmulp" | "fsubp" | "fsubrp" | "fdivp" | "fdivrp", []) => {
            let st = |r| Operand {
                kind: OpKind::Reg(r),
                size: None,
            };
            return (
                m,
                vec![st(Register::ST1), st(Register::ST0)],
                Some("with no operands it is st(1), st"),
            );
        }
        ("faddp" | "fmulp" | "fsubp" | "fsubrp" | "fdivp" | "fdivrp", [one]) if matches!(one.kind, OpKind::Reg(r) if r.is_st()) =>
        {
            let st0 = Operand {
                kind: OpKind::Reg(Register::ST0),
                size: None,
            };
            let one = one.clone();
            return (m, vec![one, st0], Some("with one operand it is st(i), st"));
        }
        (
            "fxch" | "fucom" | "fucomp" | "fcom" | "fcomp" | "fcomi" | "fcomip" | "fucomi"
            | "fucomip",
            [],
        ) => {
            let st1 = Operand {
                kind: OpKind::Reg(Register::ST1),
                size: None,
            };
            return (m, vec![st1], Some("with no operand it works on st(1)"));
        }
        ("rol" | "ror" | "rcl" | "rcr" | "shl" | "shr" | "sal" | "sar", [_]) => {
            ops.push(imm(1));
            return (m, ops, Some("a shift with no count shifts by 1"));
        }
        (
            "imul",
            [a, Operand {
                kind: OpKind::Imm(_),
                ..
            }],
        ) => {
            let a = a.clone();
            ops.insert(1, a);
            return (m, ops, Some("imul r, imm is imul r, r, imm"));
        }
        _ => {}
    }
    (m, ops, None)
}
