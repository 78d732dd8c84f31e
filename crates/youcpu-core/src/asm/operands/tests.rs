//! The operand kinds and slots over every operand form the assembler accepts, and the flow of
//! control, read from the decoder and checked against the manuals' encodings.

use super::super::{assemble, disassemble_one, Bitness, Decoded};
use super::{slot, Flow, Operand, OperandKind as O, Slot};
use iced_x86::OpCodeOperandKind;

const IP: u64 = 0x401000;

fn dec_in(bits: Bitness, text: &str) -> Decoded {
    let a = assemble(text, bits, IP).unwrap_or_else(|e| panic!("{text}: {e}"));
    let d = disassemble_one(&a.bytes, bits, IP).unwrap_or_else(|e| panic!("{text}: {e}"));
    // The written operands are the end of the text, after the head.
    let written: Vec<&str> = d
        .operands
        .iter()
        .filter_map(|o| o.text.as_deref())
        .collect();
    if !written.is_empty() {
        assert_eq!(
            format!("{} {}", d.head(), written.join(", ")),
            d.text,
            "{text}"
        );
    }
    d
}

fn dec(text: &str) -> Decoded {
    dec_in(Bitness::B64, text)
}

fn reg(name: &str, number: u8, bits: u32) -> O {
    O::Register {
        name: name.into(),
        number,
        bits,
    }
}

/// (text, slot, kind) of each operand.
fn ops(d: &Decoded) -> Vec<(Option<&str>, Slot, &O)> {
    d.operands
        .iter()
        .map(|o: &Operand| (o.text.as_deref(), o.slot, &o.kind))
        .collect()
}

/// A register operand: (name, number, bits).
type Reg<'a> = (&'a str, u8, u32);

#[test]
fn registers_of_every_width_with_their_encoding_numbers() {
    // (text, operand 0, operand 1 as (name, number, bits), operand 0 in ModRM.reg).
    // 88 e0: mov al, ah — ModRM e0: reg = ah (100), rm = al; 40 88 e0: with REX, 100 is spl.
    let cases: &[(&str, Reg, Reg, bool)] = &[
        ("mov al, ah", ("al", 0, 8), ("ah", 4, 8), false),
        ("mov al, spl", ("al", 0, 8), ("spl", 4, 8), false),
        ("mov r9b, dil", ("r9b", 9, 8), ("dil", 7, 8), false),
        ("mov ax, r15w", ("ax", 0, 16), ("r15w", 15, 16), false),
        ("add r12d, ecx", ("r12d", 12, 32), ("ecx", 1, 32), false),
        ("add rax, rbx", ("rax", 0, 64), ("rbx", 3, 64), false),
        (
            "addps xmm3, xmm12",
            ("xmm3", 3, 128),
            ("xmm12", 12, 128),
            true,
        ),
        ("mov ax, ds", ("ax", 0, 16), ("ds", 3, 16), false),
        ("mov rax, cr3", ("rax", 0, 64), ("cr3", 3, 64), false),
    ];
    for (text, (n0, u0, b0), (n1, u1, b1), reg_first) in cases {
        let (s0, s1) = if *reg_first {
            (Slot::ModrmReg, Slot::ModrmRm)
        } else {
            (Slot::ModrmRm, Slot::ModrmReg)
        };
        let (k0, k1) = (reg(n0, *u0, *b0), reg(n1, *u1, *b1));
        let d = dec(text);
        assert_eq!(ops(&d).len(), 2, "{text}: {:?}", d.operands);
        assert_eq!(
            (d.operands[0].slot, &d.operands[0].kind),
            (s0, &k0),
            "{text}"
        );
        assert_eq!(
            (d.operands[1].slot, &d.operands[1].kind),
            (s1, &k1),
            "{text}"
        );
        assert_eq!(d.flow, Flow::Next, "{text}");
    }
    // VEX.vvvv: vaddps xmm1, xmm2, xmm3 (reg, vvvv, rm).
    let d = dec("vaddps xmm1, xmm2, xmm3");
    let slots: Vec<Slot> = d.operands.iter().map(|o| o.slot).collect();
    assert_eq!(slots, [Slot::ModrmReg, Slot::Vvvv, Slot::ModrmRm]);
    // +r: push r12 (41 54), mov ecx, imm32 (b9 id), bswap r9 (49 0f c9).
    for (text, name, number, bits) in [
        ("push r12", "r12", 12, 64),
        ("mov ecx, 5", "ecx", 1, 32),
        ("bswap r9", "r9", 9, 64),
    ] {
        let d = dec(text);
        assert_eq!(
            (d.operands[0].slot, &d.operands[0].kind),
            (Slot::OpcodeLow3, &reg(name, number, bits)),
            "{text}"
        );
    }
    // The accumulator forms: 04 ib is add al, imm8 with al fixed by the opcode.
    let d = dec("add al, 1");
    assert_eq!(d.bytes, [0x04, 0x01]);
    assert_eq!(
        (d.operands[0].slot, &d.operands[0].kind),
        (Slot::Implicit, &reg("al", 0, 8))
    );
    // x87: dc c1 is fadd st(1), st — GAS writes it without st, so st is listed last, unwritten.
    let d = dec("fadd st(1), st");
    assert_eq!(d.text, "fadd st(1), st");
    let d = dec("fadd st, st(1)");
    let st1 = d
        .operands
        .iter()
        .find(|o| o.text.as_deref() == Some("st(1)"))
        .expect("st(1) written");
    assert_eq!(
        (st1.slot, &st1.kind),
        (Slot::OpcodeLow3, &reg("st1", 1, 80))
    );
    assert_eq!(d.operands.len(), 2, "{:?}", d.operands);
}

fn mem(d: &Decoded, i: usize) -> (&O, Slot) {
    (&d.operands[i].kind, d.operands[i].slot)
}

#[test]
fn memory_with_base_index_scale_displacement_rip_and_segment() {
    let m = |base: Option<&str>,
             index: Option<&str>,
             scale,
             displacement: u64,
             displacement_bytes,
             segment: &str,
             size,
             rip_relative| O::Memory {
        base: base.map(Into::into),
        index: index.map(Into::into),
        scale,
        displacement,
        displacement_bytes,
        segment: segment.into(),
        size,
        rip_relative,
    };
    let d = dec("mov qword ptr [rax+rbx*8+0x10], 1");
    assert_eq!(
        mem(&d, 0),
        (
            &m(Some("rax"), Some("rbx"), 8, 0x10, 1, "ds", 8, false),
            Slot::ModrmRm
        )
    );
    assert_eq!(
        d.operands[0].text.as_deref(),
        Some("qword ptr [rax+rbx*8+0x10]")
    );
    let d = dec("mov eax, dword ptr [rbp-8]");
    assert_eq!(
        mem(&d, 1),
        (
            &m(Some("rbp"), None, 1, (-8i64) as u64, 1, "ss", 4, false),
            Slot::ModrmRm
        )
    );
    let d = dec("lea rsi, [rip+0x20]");
    // RIP-relative: the displacement is the target (the next instruction is at IP + 7).
    assert_eq!(
        mem(&d, 1),
        (
            &m(Some("rip"), None, 1, IP + 7 + 0x20, 4, "ds", 0, true),
            Slot::ModrmRm
        )
    );
    let d = dec("mov eax, dword ptr [r12+r13*2+0x12345678]");
    assert_eq!(
        mem(&d, 1),
        (
            &m(Some("r12"), Some("r13"), 2, 0x1234_5678, 4, "ds", 4, false),
            Slot::ModrmRm
        )
    );
    let d = dec("mov byte ptr fs:[rax], 1");
    assert_eq!(
        mem(&d, 0),
        (
            &m(Some("rax"), None, 1, 0, 0, "fs", 1, false),
            Slot::ModrmRm
        )
    );
    // No base or index: SIB with no base, disp32.
    let d = dec("mov eax, dword ptr [0x1000]");
    assert_eq!(
        mem(&d, 1),
        (&m(None, None, 1, 0x1000, 4, "ds", 4, false), Slot::ModrmRm)
    );
    // moffs: a0 with a 64-bit address, no ModRM.
    let d = dec("movabs al, byte ptr [0x1122334455667788]");
    assert_eq!(
        mem(&d, 1),
        (
            &m(None, None, 1, 0x1122_3344_5566_7788, 8, "ds", 1, false),
            Slot::Moffs
        )
    );
    // 32-bit code, 16-bit addressing.
    let d = dec_in(Bitness::B32, "mov eax, dword ptr [bx+si+0x4]");
    assert_eq!(
        mem(&d, 1),
        (
            &m(Some("bx"), Some("si"), 1, 4, 1, "ds", 4, false),
            Slot::ModrmRm
        )
    );
}

#[test]
fn immediates_of_each_width_and_their_extension() {
    let imm = |value: u64, bits, extended_to, sign_extended| O::Immediate {
        value,
        bits,
        extended_to,
        sign_extended,
    };
    let cases: &[(&str, &[u8], usize, O)] = &[
        ("add al, 1", &[0x04, 0x01], 1, imm(1, 8, 8, false)),
        (
            "add ax, 0x1234",
            &[0x66, 0x05, 0x34, 0x12],
            1,
            imm(0x1234, 16, 16, false),
        ),
        (
            "add ebx, 512",
            &[0x81, 0xc3, 0, 2, 0, 0],
            1,
            imm(512, 32, 32, false),
        ),
        (
            "add ebx, 127",
            &[0x83, 0xc3, 0x7f],
            1,
            imm(127, 8, 32, true),
        ),
        (
            "add ebx, -1",
            &[0x83, 0xc3, 0xff],
            1,
            imm(0xffff_ffff, 8, 32, true),
        ),
        (
            "add rbx, -1",
            &[0x48, 0x83, 0xc3, 0xff],
            1,
            imm(u64::MAX, 8, 64, true),
        ),
        (
            "add rax, 512",
            &[0x48, 0x05, 0, 2, 0, 0],
            1,
            imm(512, 32, 64, true),
        ),
        (
            "add rax, -512",
            &[0x48, 0x05, 0, 0xfe, 0xff, 0xff],
            1,
            imm((-512i64) as u64, 32, 64, true),
        ),
        (
            "add cx, -2",
            &[0x66, 0x83, 0xc1, 0xfe],
            1,
            imm(0xfffe, 8, 16, true),
        ),
        (
            "mov rax, 0x1122334455667788",
            &[0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11],
            1,
            imm(0x1122_3344_5566_7788, 64, 64, false),
        ),
        ("push 1", &[0x6a, 0x01], 0, imm(1, 8, 64, true)),
        ("int 0x80", &[0xcd, 0x80], 0, imm(0x80, 8, 8, false)),
    ];
    for (text, bytes, i, kind) in cases {
        let d = dec(text);
        assert_eq!(d.bytes, *bytes, "{text}");
        assert_eq!(
            (&d.operands[*i].kind, d.operands[*i].slot),
            (kind, Slot::Immediate),
            "{text}"
        );
    }
    // enter iw, ib: two immediates, in order.
    let d = dec("enter 0x10, 1");
    assert_eq!(mem(&d, 0), (&imm(0x10, 16, 16, false), Slot::Immediate));
    assert_eq!(mem(&d, 1), (&imm(1, 8, 8, false), Slot::Immediate));
    // d1 /4 is shl r/m32, 1: the 1 is the opcode's, not in the bytes.
    let d = dec("shl eax, 1");
    assert_eq!(d.bytes, [0xd1, 0xe0]);
    assert_eq!(mem(&d, 1), (&imm(1, 8, 8, false), Slot::Implicit));
    // and shl eax, cl: cl is fixed by d3 /4.
    assert_eq!(
        mem(&dec("shl eax, cl"), 1),
        (&reg("cl", 1, 8), Slot::Implicit)
    );
}

#[test]
fn branches_near_short_far_and_indirect_with_their_flow() {
    let near = |target, displacement_bytes| O::NearBranch {
        target,
        displacement_bytes,
    };
    let cases: &[(&str, usize, Flow, O)] = &[
        ("jmp $+0x10", 2, Flow::Branch, near(IP + 0x10, 1)),
        ("jmp 0x402000", 5, Flow::Branch, near(0x402000, 4)),
        ("jne $-0x2", 2, Flow::ConditionalBranch, near(IP - 2, 1)),
        (
            "jne 0x402000",
            6,
            Flow::ConditionalBranch,
            near(0x402000, 4),
        ),
        ("call 0x401234", 5, Flow::Call, near(0x401234, 4)),
        ("loop $+0x5", 2, Flow::ConditionalBranch, near(IP + 5, 1)),
        ("jrcxz $+0x5", 2, Flow::ConditionalBranch, near(IP + 5, 1)),
    ];
    for (text, len, flow, kind) in cases {
        let d = dec(text);
        assert_eq!((d.len, d.flow), (*len, *flow), "{text}");
        assert_eq!(mem(&d, 0), (kind, Slot::Relative), "{text}");
        assert_eq!(
            d.operands[0].text.as_deref(),
            Some(d.text.split_once(' ').unwrap().1),
            "{text}"
        );
    }
    // 16-bit code: a near jump's rel16.
    let d = dec_in(Bitness::B16, "jmp 0x1234");
    assert_eq!(mem(&d, 0), (&near(0x1234, 2), Slot::Relative));
    // Indirect: through a register or memory.
    let d = dec("jmp rax");
    assert_eq!(
        (d.flow, mem(&d, 0)),
        (Flow::IndirectBranch, (&reg("rax", 0, 64), Slot::ModrmRm))
    );
    let d = dec("call qword ptr [rip+0x10]");
    assert_eq!(d.flow, Flow::IndirectCall);
    assert!(
        matches!(
            mem(&d, 0),
            (
                O::Memory {
                    rip_relative: true,
                    size: 8,
                    ..
                },
                Slot::ModrmRm
            )
        ),
        "{:?}",
        d.operands
    );
    // Far: ptr16:32 in 32-bit code (ea), and through memory (ff /5, m16:32).
    let d = dec_in(Bitness::B32, "jmp 0x10:0x1000");
    assert_eq!(
        (d.flow, mem(&d, 0)),
        (
            Flow::Branch,
            (
                &O::FarBranch {
                    selector: 0x10,
                    offset: 0x1000
                },
                Slot::Immediate
            )
        )
    );
    assert_eq!(d.operands[0].text.as_deref(), Some("0x10:0x1000"));
    let d = dec_in(Bitness::B32, "call 0x10:0x1000");
    assert_eq!(d.flow, Flow::Call);
    let d = dec("jmp fword ptr [rcx]");
    assert_eq!(d.flow, Flow::IndirectBranch);
    assert!(
        matches!(mem(&d, 0), (O::Memory { size: 6, .. }, Slot::ModrmRm)),
        "{:?}",
        d.operands
    );
    // The rest of the flows.
    for (text, flow) in [
        ("ret", Flow::Return),
        ("ret 8", Flow::Return),
        ("iretq", Flow::Return),
        ("syscall", Flow::Call),
        ("int 0x80", Flow::Interrupt),
        ("int3", Flow::Interrupt),
        ("ud2", Flow::Exception),
        ("xbegin $+0x6", Flow::Transaction),
        ("nop", Flow::Next),
        ("add eax, 512", Flow::Next),
    ] {
        assert_eq!(dec(text).flow, flow, "{text}");
    }
}

#[test]
fn string_instructions_list_their_implicit_operands_unwritten() {
    let si = |base: &str, segment: &str, size| O::Memory {
        base: Some(base.into()),
        index: None,
        scale: 1,
        displacement: 0,
        displacement_bytes: 0,
        segment: segment.into(),
        size,
        rip_relative: false,
    };
    let d = dec("movsb");
    assert_eq!(
        ops(&d),
        [
            (None, Slot::Implicit, &si("rdi", "es", 1)),
            (None, Slot::Implicit, &si("rsi", "ds", 1))
        ]
    );
    assert_eq!(d.head(), "movsb");
    let d = dec("rep stosq");
    assert_eq!(
        ops(&d),
        [
            (None, Slot::Implicit, &si("rdi", "es", 8)),
            (None, Slot::Implicit, &reg("rax", 0, 64))
        ]
    );
    assert_eq!(d.head(), "rep stosq");
    // A segment override applies to the source, never to es:[rdi].
    let d = dec("fs lodsd");
    assert_eq!(
        ops(&d),
        [
            (None, Slot::Implicit, &reg("eax", 0, 32)),
            (None, Slot::Implicit, &si("rsi", "fs", 4))
        ]
    );
    // 32-bit code: esi and edi.
    let d = dec_in(Bitness::B32, "cmpsw");
    assert_eq!(
        ops(&d),
        [
            (None, Slot::Implicit, &si("esi", "ds", 2)),
            (None, Slot::Implicit, &si("edi", "es", 2))
        ]
    );
}

#[test]
fn the_head_is_the_prefix_words_and_mnemonic() {
    assert_eq!(dec("lock add dword ptr [rax], 1").head(), "lock add");
    assert_eq!(dec("add eax, 512").head(), "add");
    let d = disassemble_one(&[0x8b, 0xc0], Bitness::B64, IP).unwrap();
    assert_eq!((d.head(), d.operands.len()), ("{load} mov", 2));
    // Bytes GAS cannot be asked for are written .byte: every operand listed, none written.
    let d = disassemble_one(&[0x66, 0x66, 0x01, 0xc0], Bitness::B64, IP).unwrap();
    if d.text.starts_with(".byte") {
        assert_eq!(d.head(), d.text);
        assert!(
            d.operands.iter().all(|o| o.text.is_none()) && d.operands.len() == 2,
            "{:?}",
            d.operands
        );
    }
}

#[test]
fn every_opcode_operand_kind_has_the_slot_its_name_says() {
    for k in OpCodeOperandKind::values() {
        let n = format!("{k:?}");
        let want = if n.ends_with("_reg") || n.ends_with("_reg_mem") {
            Slot::ModrmReg
        } else if n == "mem_offs" {
            Slot::Moffs
        } else if n.contains("mem") || n.ends_with("_rm") {
            Slot::ModrmRm
        } else if n.ends_with("_opcode") {
            Slot::OpcodeLow3
        } else if n.ends_with("_vvvv") {
            Slot::Vvvv
        } else if n.ends_with("_is4") || n.ends_with("_is5") {
            Slot::Is4
        } else if (n.starts_with("imm") && n != "imm8_const_1") || n.starts_with("farbr") {
            Slot::Immediate
        } else if n.starts_with("br") || n.starts_with("xbegin") {
            Slot::Relative
        } else {
            Slot::Implicit
        };
        assert_eq!(slot(k), want, "{n}");
    }
}

#[test]
fn the_json_names_the_kind_and_slot() {
    let d = dec("add ebx, 127");
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["flow"], "next");
    assert_eq!(
        v["operands"][0],
        serde_json::json!({"text": "ebx", "slot": "modrm_rm", "kind": "register", "name": "ebx", "number": 3, "bits": 32})
    );
    assert_eq!(
        v["operands"][1],
        serde_json::json!({"text": "0x7f", "slot": "immediate", "kind": "immediate", "value": 127, "bits": 8, "extended_to": 32, "sign_extended": true})
    );
}
