//! Intel-syntax text to machine code, choosing among the forms that fit the operands the one
//! GNU as (`as -msyntax=intel -mnaked-reg`, binutils 2.40) emits.
//!
//! GAS tries the templates of opcodes/i386-opc.tbl in order and the first that fits wins; for
//! the instructions covered here that order comes down to these rules, each checked against
//! the real `as` by `tests/it/asm_oracle.rs`:
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

use super::build::{build, Reject};
use super::emit::encode;
use super::error::AsmError;
use super::forms::{self, explicit_kinds, in_mode, kind_fits, needs_size_override};
use super::parse::{parse_line, Evex, OpKind, Operand, Prefixes, Pseudo, Statement};
use super::rank::{
    best_error, check_ambiguity, explain, form_of, has_branch, has_sext8, is_reg_pair,
    pseudo_mismatch, size_mismatch, unsized_mem,
};
use super::{regs, short, Bitness};
use iced_x86::{Code, Mnemonic, OpCodeOperandKind as K, Register};
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
            evex,
        } => assemble_insn(pseudo, prefixes, evex, &mnemonic, operands, bits, ip),
    }
}

/// One encoding that worked.
pub(super) struct Cand {
    pub(super) code: Code,
    pub(super) bytes: Vec<u8>,
    pub(super) swapped: bool,
    pub(super) mem_size: Option<usize>,
}

fn assemble_insn(
    pseudo: Pseudo,
    prefixes: Prefixes,
    evex: Evex,
    typed: &str,
    ops: Vec<Operand>,
    bits: Bitness,
    ip: u64,
) -> Result<Assembled, AsmError> {
    let (mnemonic, ops, note) = super::rewrite::rewrite(typed, ops, bits)?;
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
    if ops.iter().any(|o| matches!(o.kind, OpKind::Rel(_)))
        && !codes.iter().any(|c| {
            c.op_code()
                .op_kinds()
                .iter()
                .any(|k| forms::branch_slot(*k).is_some())
        })
    {
        // GAS would read `add eax, $+16` as a memory reference to that address; we keep `$`
        // for branch targets, where it is unambiguous.
        return Err(AsmError::BadOperand(format!(
            "\"$\" (this instruction's address) can only be a branch target, and \"{}\" does not branch",
            short(typed)
        )));
    }
    // AVX-512 decorators: only forms that take them; gathers and scatters need a mask.
    codes.retain(|c| {
        let oc = c.op_code();
        (evex.mask.is_none() || oc.can_use_op_mask_register())
            && (evex.mask.is_some() || !oc.require_op_mask_register())
            && (!evex.zeroing || oc.can_use_zeroing_masking())
            && (!evex.broadcast || oc.can_broadcast())
    });
    if codes.is_empty() {
        return Err(AsmError::BadOperand(format!(
            "\"{}\" takes no such {{k}}/{{z}}/{{1toN}} decorator (or needs a {{k}} mask)",
            short(typed)
        )));
    }
    // Far jmp/call through memory only when asked for by size (`jmp fword ptr [rax]`).
    codes.retain(|c| {
        !(forms::is_far64(c.op_code()) && matches!(c.mnemonic(), Mnemonic::Jmp | Mnemonic::Call))
    });
    if !ops.iter().any(|o| o.size.is_some()) {
        codes.retain(|c| {
            !(forms::is_far(c.op_code()) && matches!(c.mnemonic(), Mnemonic::Jmp | Mnemonic::Call))
        });
    }
    // No register or size keyword fixes the operand size (`push 128`, `ret 8`, `loop $+9`):
    // GAS only considers the mode's default size, never a 66/REX.W form.
    let sizeless = !ops.is_empty()
        && ops.iter().all(|o| {
            o.size.is_none()
                && matches!(o.kind, OpKind::Imm(_) | OpKind::Rel(_) | OpKind::Far { .. })
        });
    if sizeless
        && codes
            .iter()
            .any(|c| !needs_size_override(c.op_code(), bits.bits()))
    {
        codes.retain(|c| !needs_size_override(c.op_code(), bits.bits()));
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
    if (matches!(typed, "sysexitd" | "sysexitq") && bits != Bitness::B64)
        || (typed == "sysretd" && bits == Bitness::B16)
    {
        // GAS refuses sysexitd outside 64-bit mode; its 16-bit `sysretd` is 66 0f 07, a
        // sysret made 32-bit by a prefix (objdump: `data32 sysret`), which we do not emit:
        // sysret exists only in 64-bit mode (#UD elsewhere).
        return Err(AsmError::NotInMode {
            mnemonic: short(typed),
            bits: bits.bits(),
        });
    }
    if prefixes.lock && !ops.iter().any(|o| matches!(o.kind, OpKind::Mem(_))) {
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
    // xchg and test are symmetric; GAS takes the register and memory operands either way
    // round (but not an immediate first).
    if ops.len() == 2
        && matches!(mnemonic.as_str(), "xchg" | "test")
        && !ops.iter().any(|o| matches!(o.kind, OpKind::Imm(_)))
    {
        let mut sw = ops.clone();
        sw.swap(0, 1);
        orders.push((sw, true));
    }
    let mut counts: Vec<usize> = Vec::new();
    let mut shape_ok = false;
    let mut rejects: Vec<AsmError> = Vec::new();
    let mut cands: Vec<Cand> = Vec::new();
    // Every form whose operand kinds and sizes fit, before any value is checked: GAS decides
    // an unsized memory operand is ambiguous before it looks at the immediate.
    let mut shapes: Vec<Cand> = Vec::new();
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
            // Not fcmovcc, which GAS takes only with both operands.
            let order = if kinds.len() == written.len() + 1
                && kinds.first() == Some(&K::st0)
                && !matches!(
                    code.mnemonic(),
                    Mnemonic::Fcmovb
                        | Mnemonic::Fcmove
                        | Mnemonic::Fcmovbe
                        | Mnemonic::Fcmovu
                        | Mnemonic::Fcmovnb
                        | Mnemonic::Fcmovne
                        | Mnemonic::Fcmovnbe
                        | Mnemonic::Fcmovnu
                )
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
            if size_mismatch(code, &kinds, order, evex.broadcast) {
                continue;
            }
            shapes.push(Cand {
                code,
                bytes: Vec::new(),
                swapped: *swapped,
                mem_size: unsized_mem(code, &kinds, order, evex.broadcast),
            });
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
                Ok(mut b) => {
                    decorate(&mut b.ins, evex);
                    match encode(&b, bits, ip, prefixes) {
                        Ok(bytes) => cands.push(Cand {
                            code,
                            bytes,
                            swapped: *swapped,
                            mem_size: unsized_mem(code, &kinds, order, evex.broadcast),
                        }),
                        Err(e) => rejects.push(e),
                    }
                }
                Err(Reject::NotThisForm) => {}
                Err(Reject::Imm(value, fits)) => {
                    rejects.push(AsmError::ImmediateRange { value, fits })
                }
                Err(Reject::Disp(msg)) => rejects.push(AsmError::BadAddress(msg)),
            }
        }
    }
    let mut why = check_ambiguity(typed, &mut shapes, bits)?;
    cands.retain(|c| shapes.iter().any(|s| s.code == c.code));
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
    let override_of = |c: &Cand| needs_size_override(c.code.op_code(), bits.bits());
    let pseudo_miss = |c: &Cand| pseudo_mismatch(c.code, pseudo);
    cands.sort_by_key(|c| {
        (
            pseudo_miss(c),
            override_of(c),
            // GAS uses EVEX only when it must (xmm16+, zmm, masks): a VEX form wins even
            // when EVEX's disp8*N would be shorter.
            c.code.op_code().encoding() == iced_x86::EncodingKind::EVEX,
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

/// Puts the AVX-512 decorators on a built instruction.
fn decorate(ins: &mut iced_x86::Instruction, evex: Evex) {
    if let Some(k) = evex.mask {
        ins.set_op_mask(k);
    }
    ins.set_zeroing_masking(evex.zeroing);
    ins.set_is_broadcast(evex.broadcast);
}
