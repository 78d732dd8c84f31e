//! Intel-syntax text to machine code, choosing among the forms that fit the operands the one
//! GNU as (`as -msyntax=intel -mnaked-reg`, binutils 2.40) emits.
//!
//! GAS tries the templates of opcodes/i386-opc.tbl in order and the first that fits wins; for
//! the instructions covered here that order comes down to these rules, each checked against
//! the real `as` by `tests/asm_oracle.rs`:
//! 1. a form without an operand-size override (66 or REX.W) when the operands leave the size
//!    open (`push 128` is `68 80 00 00 00`, not `66 68 80 00`);
//! 2. then the shortest encoding (`add eax, 1` is `83 c0 01`; `add eax, 512` is `05 ...`);
//! 3. then a sign-extended imm8 form (`add ax, -1` is `66 83 c0 ff`, not `66 05 ff ff`);
//! 4. then the operands in the order written (`xchg eax, ebx` may swap to reach `93`);
//! 5. then the lower opcode (`add eax, ebx` is `01 d8`, the r/m-destination form).
//!
//! Special cases from tc-i386.c: `int 3` is `cc`; `xchg rax, rax` is `90`, `xchg eax, eax` in
//! 64-bit mode is `87 c0` (90 would not clear the upper half); a branch to a constant address
//! is always the rel16/32 form (GAS emits a relocation and never relaxes it), while a branch
//! to `$ + n` is relaxed to rel8 when it reaches.

use super::build::{build, Built, Reject};
use super::error::AsmError;
use super::forms::{self, explicit_kinds, in_mode, kind_fits, needs_size_override};
use super::parse::{parse_line, OpKind, Operand, Prefixes, Pseudo, Statement};
use super::{regs, short, Bitness};
use iced_x86::{Code, Encoder, Mnemonic, OpCodeOperandKind as K, Register};
use serde::Serialize;

/// One instruction form the assembler considered, with the bytes it would give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Form {
    /// The form as the Intel manual writes it, e.g. "ADD r/m32, imm8".
    pub form: String,
    /// The opcode column, e.g. "o32 83 /0 ib".
    pub opcode: String,
    /// The encoding of this line with this form.
    pub bytes: Vec<u8>,
}

/// The result of assembling one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assembled {
    /// The machine code.
    pub bytes: Vec<u8>,
    /// The form chosen (None for `.byte`).
    pub chosen: Option<Form>,
    /// Every form that could encode the line, the chosen one first.
    pub considered: Vec<Form>,
    /// Why this form: which rule decided.
    pub why: String,
}

/// At most this many forms are tried for one line (the largest mnemonic has far fewer).
const MAX_FORMS: usize = 256;

/// Assembles one line of Intel syntax for a CPU in `bits` mode, the instruction placed at `ip`.
pub fn assemble(line: &str, bits: Bitness, ip: u64) -> Result<Assembled, AsmError> {
    match parse_line(line)? {
        Statement::Bytes(b) => Ok(Assembled {
            bytes: b,
            chosen: None,
            considered: Vec::new(),
            why: ".byte places the bytes as given".into(),
        }),
        Statement::Insn {
            pseudo,
            prefixes,
            mnemonic,
            short: _,
            operands,
        } => assemble_insn(pseudo, prefixes, &mnemonic, operands, bits, ip),
    }
}

/// One encoding that worked.
struct Cand {
    code: Code,
    bytes: Vec<u8>,
    swapped: bool,
    mem_size: Option<usize>,
}

/// Rewrites the shorthand GAS accepts into the operands of a real form.
fn rewrite(
    mnemonic: &str,
    mut ops: Vec<Operand>,
    bits: Bitness,
) -> (String, Vec<Operand>, Option<&'static str>) {
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
        ) if (a.is_segment_register() && b.is_gpr())
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
            let ops = if a.is_segment_register() {
                vec![
                    ops[0].clone(),
                    Operand {
                        kind: OpKind::Reg(to_default(b)),
                        size: None,
                    },
                ]
            } else {
                vec![
                    Operand {
                        kind: OpKind::Reg(to_default(a)),
                        size: None,
                    },
                    ops[1].clone(),
                ]
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
        ("fxch" | "fucom" | "fucomp" | "fcom" | "fcomp", []) => {
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

fn assemble_insn(
    pseudo: Pseudo,
    prefixes: Prefixes,
    typed: &str,
    ops: Vec<Operand>,
    bits: Bitness,
    ip: u64,
) -> Result<Assembled, AsmError> {
    let (mnemonic, ops, note) = rewrite(typed, ops, bits);
    let all = forms::codes_for(&mnemonic);
    if all.is_empty() {
        return Err(AsmError::UnknownMnemonic(short(typed)));
    }
    let mut codes: Vec<Code> = all
        .iter()
        .copied()
        .filter(|c| in_mode(c.op_code(), bits.bits()))
        .take(MAX_FORMS)
        .collect();
    if codes.is_empty() {
        return Err(AsmError::NotInMode {
            mnemonic: short(typed),
            bits: bits.bits(),
        });
    }
    // Far jmp/call through memory only when asked for by size (`jmp fword ptr [rax]`).
    if !ops.iter().any(|o| o.size.is_some()) {
        codes.retain(|c| {
            !(forms::is_far(c.op_code()) && matches!(c.mnemonic(), Mnemonic::Jmp | Mnemonic::Call))
        });
    }
    if codes
        .iter()
        .any(|c| forms::default_address_size(c.op_code(), bits.bits()))
    {
        codes.retain(|c| forms::default_address_size(c.op_code(), bits.bits()));
    }
    if let (
        Some(Operand {
            kind: OpKind::Reg(Register::CS),
            ..
        }),
        "mov",
        2,
    ) = (ops.first(), mnemonic.as_str(), ops.len())
    {
        // GAS emits 8e c8, but loading cs with mov is #UD on every x86 (Intel SDM vol. 2,
        // MOV: "the MOV instruction cannot be used to load the CS register").
        return Err(AsmError::Encode(
            "mov cannot load cs (the CPU raises #UD); use a far jmp".into(),
        ));
    }
    if let (Some(seg @ (Register::ES | Register::SS)), Bitness::B64) = (prefixes.seg, bits) {
        // tc-i386.c: es and ss prefix words are refused in 64-bit mode (cs and ds stay, as
        // branch hints); an es: or ss: inside a memory operand is still accepted.
        return Err(AsmError::Syntax(format!(
            "the {} prefix word is not supported in 64-bit mode",
            regs::name(seg)
        )));
    }
    if typed == "sysret" && bits == Bitness::B64 {
        // GAS: "ambiguous operand size for `sysret'": write sysretd or sysretq.
        return Err(AsmError::AmbiguousSize(short(typed)));
    }
    if prefixes.lock
        && !matches!(
            ops.first(),
            Some(Operand {
                kind: OpKind::Mem(_),
                ..
            })
        )
    {
        return Err(AsmError::Encode(format!(
            "lock needs a memory destination (\"{}\" has none)",
            short(typed)
        )));
    }
    for op in &ops {
        if let (OpKind::Reg(r), Some(_)) = (&op.kind, op.size) {
            return Err(AsmError::BadOperand(format!(
                "a size keyword cannot go before the register {}",
                regs::name(*r)
            )));
        }
    }
    let movabs = typed == "movabs";
    let mut orders = vec![(ops.clone(), false)];
    if ops.len() == 2 && matches!(mnemonic.as_str(), "xchg" | "test") {
        let mut sw = ops.clone();
        sw.swap(0, 1);
        orders.push((sw, true));
    }
    let mut counts: Vec<usize> = Vec::new();
    let mut shape_ok = false;
    let mut rejects: Vec<AsmError> = Vec::new();
    let mut cands: Vec<Cand> = Vec::new();
    for &code in &codes {
        let oc = code.op_code();
        let kinds = explicit_kinds(oc);
        if !counts.contains(&kinds.len()) {
            counts.push(kinds.len());
        }
        if movabs && !kinds.iter().any(|k| matches!(k, K::imm64 | K::mem_offs)) {
            continue;
        }
        for (written, swapped) in &orders {
            // x87: GAS lets `fxch st(1)` / `fcom st(2)` leave out the st(0) first operand.
            let with_st0;
            let order = if kinds.len() == written.len() + 1
                && kinds.first() == Some(&K::st0)
                && written
                    .iter()
                    .all(|o| matches!(o.kind, OpKind::Reg(r) if r.is_st()))
            {
                with_st0 = std::iter::once(Operand {
                    kind: OpKind::Reg(Register::ST0),
                    size: None,
                })
                .chain(written.iter().cloned())
                .collect::<Vec<_>>();
                &with_st0
            } else {
                written
            };
            if kinds.len() != order.len() || !kinds.iter().zip(order).all(|(k, o)| kind_fits(*k, o))
            {
                continue;
            }
            shape_ok = true;
            if size_mismatch(code, &kinds, order) {
                continue;
            }
            if prefixes.lock && !oc.can_use_lock_prefix() {
                rejects.push(AsmError::Encode(format!(
                    "\"{}\" cannot take a lock prefix",
                    short(typed)
                )));
                continue;
            }
            // GAS takes rep/repne on string instructions, and on ret and nop ("rep ret").
            let rep_ok =
                forms::is_string_op(oc) || matches!(oc.mnemonic(), Mnemonic::Ret | Mnemonic::Nop);
            if (prefixes.rep || prefixes.repne) && !rep_ok {
                rejects.push(AsmError::Encode(format!(
                    "\"{}\" cannot take a rep prefix",
                    short(typed)
                )));
                continue;
            }
            match build(code, &kinds, order, prefixes, pseudo, bits, ip) {
                Ok(b) => match encode(&b, bits, ip, prefixes) {
                    Ok(bytes) => cands.push(Cand {
                        code,
                        bytes,
                        swapped: *swapped,
                        mem_size: unsized_mem(code, &kinds, order),
                    }),
                    Err(e) => rejects.push(e),
                },
                Err(Reject::NotThisForm) => {}
                Err(Reject::Imm(value, fits)) => {
                    rejects.push(AsmError::ImmediateRange { value, fits })
                }
                Err(Reject::Disp(msg)) => rejects.push(AsmError::BadAddress(msg)),
            }
        }
    }
    if cands.is_empty() {
        return Err(best_error(
            typed, &codes, &ops, &counts, shape_ok, rejects, bits,
        ));
    }
    // 64-bit `xchg eax, eax` must zero-extend, so GAS avoids the 90 form (tc-i386.c).
    if bits == Bitness::B64 {
        cands.retain(|c| !(c.code == Code::Xchg_r32_EAX && is_reg_pair(&ops, Register::EAX)));
    }
    // A constant branch target gets the rel16/32 form, as GAS emits a relocation for it; an
    // instruction with only a rel8 form (loop, jrcxz) cannot take one at all in GAS
    // ("operand size mismatch"): its target must be written $+n.
    if ops.iter().any(|o| matches!(o.kind, OpKind::Imm(_)))
        && cands.iter().any(|c| has_branch(c.code, 1))
    {
        cands.retain(|c| !has_branch(c.code, 1));
        if cands.is_empty() {
            return Err(AsmError::BranchRange(format!(
                "\"{}\" has only an 8-bit displacement; GAS needs its target written as $+n",
                short(typed)
            )));
        }
    }
    let mut why = check_ambiguity(typed, &mut cands, bits)?;
    let override_of = |c: &Cand| needs_size_override(c.code.op_code(), bits.bits());
    let pseudo_miss = |c: &Cand| pseudo_mismatch(c.code, pseudo);
    cands.sort_by_key(|c| {
        (
            pseudo_miss(c),
            override_of(c),
            c.bytes.len(),
            !has_sext8(c.code),
            c.swapped,
            c.code as u32,
        )
    });
    if why.is_empty() {
        why = explain(&cands, bits);
    }
    if let Some(n) = note {
        why = format!("{n}; {why}");
    }
    let considered: Vec<Form> = cands
        .iter()
        .map(|c| form_of(c.code, c.bytes.clone()))
        .collect();
    let bytes = cands.first().map(|c| c.bytes.clone()).unwrap_or_default();
    Ok(Assembled {
        bytes,
        chosen: considered.first().cloned(),
        considered,
        why,
    })
}

fn is_reg_pair(ops: &[Operand], r: Register) -> bool {
    ops.len() == 2 && ops.iter().all(|o| o.kind == OpKind::Reg(r))
}

/// GAS lists the sign-extended imm8 form (83 /0) before the accumulator form (05), so on a
/// tie in length (`add ax, -1`: `66 83 c0 ff` or `66 05 ff ff`) the imm8 form wins.
fn has_sext8(code: Code) -> bool {
    code.op_code()
        .op_kinds()
        .iter()
        .any(|k| matches!(forms::imm_slot(*k), Some(forms::ImmSlot::Sext8(_))))
}

fn has_branch(code: Code, size: u32) -> bool {
    code.op_code()
        .op_kinds()
        .iter()
        .any(|k| forms::branch_slot(*k) == Some(size))
}

/// For `{load}`/`{store}`: 1 when the form puts the destination in the other ModRM field.
fn pseudo_mismatch(code: Code, p: Pseudo) -> u8 {
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

fn form_of(code: Code, bytes: Vec<u8>) -> Form {
    let oc = code.op_code();
    Form {
        form: oc.instruction_string().to_string(),
        opcode: oc.op_code_string().to_string(),
        bytes,
    }
}

/// One sentence on which rule picked the first candidate.
fn explain(cands: &[Cand], bits: Bitness) -> String {
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
            "{n} forms fit; GAS takes the shortest ({} bytes)",
            first.bytes.len()
        )
    } else {
        format!(
            "{n} forms fit with {} bytes; GAS takes the first in its opcode table",
            first.bytes.len()
        )
    }
}

/// A `dword ptr` that contradicts the form's memory size, or a `word ptr 1` immediate that
/// contradicts its operand size.
fn size_mismatch(code: Code, kinds: &[K], ops: &[Operand]) -> bool {
    let oc = code.op_code();
    for (k, op) in kinds.iter().zip(ops) {
        let Some(size) = op.size else { continue };
        let want = match op.kind {
            OpKind::Mem(_) => {
                let s = oc.memory_size().size();
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
fn unsized_mem(code: Code, kinds: &[K], ops: &[Operand]) -> Option<usize> {
    let s = code.op_code().memory_size().size();
    kinds
        .iter()
        .zip(ops)
        .any(|(_, o)| matches!(o.kind, OpKind::Mem(_)) && o.size.is_none() && s != 0)
        .then_some(s)
}

/// GAS refuses `add [rax], 1`: the memory operand could be any size. Only push, pop, call and
/// jmp have a default size (i386-opc.tbl `DefaultSize`): `push [rax]` is the 64-bit push.
fn check_ambiguity(typed: &str, cands: &mut Vec<Cand>, bits: Bitness) -> Result<String, AsmError> {
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
            Mnemonic::Push | Mnemonic::Pop | Mnemonic::Call | Mnemonic::Jmp
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

/// Encodes, fixing up a rip-relative target once the length is known.
fn encode(b: &Built, bits: Bitness, ip: u64, prefixes: Prefixes) -> Result<Vec<u8>, AsmError> {
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
fn gas_prefix_order(mut bytes: Vec<u8>) -> Vec<u8> {
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
fn encode_error(msg: &str) -> AsmError {
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

/// Picks the most useful message when nothing encoded.
fn best_error(
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
