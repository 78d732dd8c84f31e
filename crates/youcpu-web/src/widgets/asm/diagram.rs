//! The picture of `asm`: one instruction's bytes as its fields (prefixes, REX, opcode, ModRM,
//! SIB, displacement, immediate), REX split into W R X B, ModRM into mod/reg/rm and SIB into
//! scale/index/base, with lines to the operands each encodes (SDM Vol. 2A §2.1 "Instruction
//! format", Figure 2-1; §2.2.1 REX; Tables 2-2 and 2-3 for ModRM and SIB). Which operand a
//! field encodes is the decoder's: each operand of [`Decoded`] says where it is encoded
//! ([`Slot`]): ModRM.reg names a register operand or, when no operand is there, is an opcode
//! extension (/digit); ModRM.rm a register when mod is 11, else the memory operand; a register
//! in the opcode's low three bits (`B8+r`); the displacement and immediate fields their
//! operands. A pure function of the decoded instruction.

use crate::widgets::cpu_pic::{text_width, Part, Picture};
use youcpu_core::asm::{Decoded, FieldKind, OperandKind, Slot};

fn fit(s: &str, w: f64, class: &str) -> String {
    if text_width(s, class) <= w - 4.0 {
        return s.to_string();
    }
    let per = text_width("x", class);
    let n = ((w - 4.0) / per).floor().max(1.0) as usize;
    let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
    t.push('…');
    t
}

fn kind_name(k: FieldKind) -> &'static str {
    match k {
        FieldKind::Prefix => "prefix",
        FieldKind::Rex => "REX",
        FieldKind::Vex => "VEX",
        FieldKind::Opcode => "opcode",
        FieldKind::Modrm => "ModRM",
        FieldKind::Sib => "SIB",
        FieldKind::Displacement => "disp",
        FieldKind::Immediate => "imm",
    }
}

/// What links a field (or one of its bit groups) to an operand, for the description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encodes {
    /// The field or bit group ("ModRM.reg", "imm32").
    pub from: String,
    /// The operand's index.
    pub operand: usize,
}

/// A field split into its bit groups: (centre x, top, field name, [(group, label)]).
type Detail = (f64, f64, &'static str, Vec<(String, String)>);

/// The picture of one instruction, with what each field encodes; `narrow` for a phone.
pub fn layout(d: &Decoded, narrow: bool) -> (Picture, Vec<Encodes>) {
    let w = if narrow { 360.0 } else { 600.0 };
    let avail = w - 16.0;
    let n = d.fields.len().max(1) as f64;
    let min_w = if narrow { 50.0 } else { 64.0 };
    let extra_bytes = (d.len as f64 - n).max(1.0);
    let extra = ((avail - n * min_w) / extra_bytes).clamp(0.0, if narrow { 30.0 } else { 34.0 });
    let widths: Vec<f64> = d.fields.iter().map(|f| min_w + (f.len as f64 - 1.0) * extra).collect();
    let total: f64 = widths.iter().sum();
    let mut x = (w - total) / 2.0;
    // The operands the text writes, in its order (their indices are the boxes').
    let ops: Vec<_> = d.operands.iter().filter(|o| o.text.is_some()).collect();
    let rex = d.fields.iter().find(|f| f.kind == FieldKind::Rex).and_then(|f| d.bytes.get(f.start)).copied().unwrap_or(0);
    let (rex_r, rex_x, rex_b) = ((rex >> 2) & 1, (rex >> 1) & 1, rex & 1);
    let mut pic = Picture::new(w, 0.0);
    let mut encodes = Vec::new();
    // Operand row comes last; remember what links to it: (x, y, operand index, class).
    let mut to_ops: Vec<(f64, f64, usize, String)> = Vec::new();
    let in_slot = |s: Slot| ops.iter().position(|o| o.slot == s);
    let mem_op = ops.iter().position(|o| matches!(o.kind, OperandKind::Memory { .. }) && matches!(o.slot, Slot::ModrmRm | Slot::Moffs));
    // The immediate fields in order, each to the next operand held in one.
    let imm_ops: Vec<usize> = ops.iter().enumerate().filter(|(_, o)| matches!(o.slot, Slot::Immediate | Slot::Relative)).map(|(i, _)| i).collect();
    let mut imm_fields = 0usize;
    let mut detail_y = 96.0;
    let mut details: Vec<Detail> = Vec::new();
    let has_modrm = d.fields.iter().any(|f| f.kind == FieldKind::Modrm);
    let modrm = d
        .fields
        .iter()
        .find(|f| f.kind == FieldKind::Modrm)
        .and_then(|f| d.bytes.get(f.start))
        .copied()
        .unwrap_or(0);
    for (f, fw) in d.fields.iter().zip(&widths) {
        let bytes = d.bytes.get(f.start..f.start + f.len).unwrap_or_default();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ");
        let key = format!("field-{}", f.start);
        pic.add(
            Part::new(key, x + 1.0, 30.0, fw - 2.0, 40.0, "d-box")
                .line(fit(&f.label, fw - 2.0, "d-small"), "d-small")
                .line(fit(&hex, fw - 2.0, "d-mono"), "d-mono"),
        );
        let cx = x + fw / 2.0;
        let b0 = bytes.first().copied().unwrap_or(0);
        match f.kind {
            FieldKind::Rex => details.push((
                cx,
                detail_y,
                "REX",
                vec![
                    ("W".into(), format!("W={}", (b0 >> 3) & 1)),
                    ("R".into(), format!("R={rex_r}")),
                    ("X".into(), format!("X={rex_x}")),
                    ("B".into(), format!("B={rex_b}")),
                ],
            )),
            FieldKind::Modrm => {
                let (md, reg, rm) = (modrm >> 6, (modrm >> 3) & 7, modrm & 7);
                details.push((
                    cx,
                    detail_y,
                    "ModRM",
                    vec![
                        ("mod".into(), format!("mod {md:02b}")),
                        ("reg".into(), format!("reg {reg:03b}")),
                        ("rm".into(), format!("rm {rm:03b}")),
                    ],
                ));
            }
            FieldKind::Sib => {
                details.push((
                    cx,
                    detail_y,
                    "SIB",
                    vec![
                        ("scale".into(), format!("ss {:02b}", b0 >> 6)),
                        ("index".into(), format!("idx {:03b}", (b0 >> 3) & 7)),
                        ("base".into(), format!("base {:03b}", b0 & 7)),
                    ],
                ));
            }
            FieldKind::Displacement => {
                if let Some(i) = mem_op {
                    to_ops.push((cx, 70.0, i, f.label.clone()));
                }
            }
            FieldKind::Immediate => {
                if let Some(i) = imm_ops.get(imm_fields).or(imm_ops.last()) {
                    to_ops.push((cx, 70.0, *i, f.label.clone()));
                }
                imm_fields += 1;
            }
            FieldKind::Opcode if !has_modrm => {
                // A register in the opcode's low three bits (B8+r, 50+r, ...), REX.B its fourth.
                if let Some(i) = in_slot(Slot::OpcodeLow3) {
                    to_ops.push((cx, 70.0, i, "opcode +r".into()));
                }
            }
            _ => {}
        }
        if matches!(f.kind, FieldKind::Rex | FieldKind::Modrm | FieldKind::Sib) {
            detail_y += 40.0;
        }
        x += fw;
    }
    // The bit groups under their fields, each box lined up under the field it splits.
    let dw = if narrow { 58.0 } else { 66.0 };
    for (cx, y, name, groups) in &details {
        let gw = dw * groups.len() as f64;
        let left = (cx - gw / 2.0).clamp(8.0, w - 8.0 - gw);
        pic.link(vec![(*cx, 70.0), (*cx, *y)], "d-line", false);
        for (k, (g, label)) in groups.iter().enumerate() {
            let bx = left + dw * k as f64;
            pic.add(Part::new(format!("{name}-{g}"), bx + 1.0, *y, dw - 2.0, 26.0, "d-box-2").line(label.clone(), "d-mono"));
            let target = match (*name, g.as_str()) {
                // No operand in ModRM.reg: it is an opcode extension (/digit).
                ("ModRM", "reg") => in_slot(Slot::ModrmReg),
                ("ModRM", "rm") => in_slot(Slot::ModrmRm),
                ("SIB", "base") | ("SIB", "index") => mem_op,
                _ => None,
            };
            if let Some(i) = target {
                to_ops.push((bx + dw / 2.0, y + 26.0, i, format!("{name}.{g}")));
            }
        }
    }
    // The operands: the instruction as the disassembler prints it, one box each.
    let oy = detail_y + 28.0;
    pic.h = oy + 44.0;
    let mut boxes = vec![(d.head().to_string(), "mnemonic".to_string())];
    boxes.extend(ops.iter().enumerate().map(|(i, o)| (o.text.clone().unwrap_or_default(), format!("operand-{i}"))));
    let widths: Vec<f64> = boxes.iter().map(|(t, _)| (text_width(t, "d-mono") + 16.0).max(44.0)).collect();
    let gap = 10.0;
    let total = widths.iter().sum::<f64>() + gap * (widths.len() as f64 - 1.0);
    let scale = if total > w - 16.0 { (w - 16.0) / total } else { 1.0 };
    let mut ox = (w - total * scale) / 2.0;
    let mut centres = Vec::new();
    for ((t, key), bw) in boxes.iter().zip(&widths) {
        let bw = bw * scale;
        pic.add(Part::new(key.clone(), ox, oy, bw, 26.0, "d-box").line(fit(t, bw, "d-mono"), "d-mono"));
        centres.push(ox + bw / 2.0);
        ox += bw + gap * scale;
    }
    pic.note(w / 2.0, 16.0, "middle", "d-small", format!("{} bytes at {:#x}", d.len, d.ip));
    for (x0, y0, i, from) in to_ops {
        if let Some(tx) = centres.get(i + 1) {
            pic.link(vec![(x0, y0), (x0, oy - 12.0), (*tx, oy - 12.0), (*tx, oy)], "d-hl", true);
            encodes.push(Encodes { from, operand: i });
        }
    }
    (pic, encodes)
}

/// The picture in words.
pub fn describe(d: &Decoded) -> String {
    let ops: Vec<&str> = d.operands.iter().filter_map(|o| o.text.as_deref()).collect();
    let (_, enc) = layout(d, false);
    let fields: Vec<String> = d
        .fields
        .iter()
        .map(|f| {
            let b: Vec<String> = d.bytes.get(f.start..f.start + f.len).unwrap_or_default().iter().map(|x| format!("{x:02x}")).collect();
            format!("{} ({}: {})", f.label, kind_name(f.kind), b.join(" "))
        })
        .collect();
    let links: Vec<String> = enc
        .iter()
        .map(|e| format!("{} encodes {}", e.from, ops.get(e.operand).copied().unwrap_or("?")))
        .collect();
    format!(
        "{} is {} bytes: {}.{}",
        d.text,
        d.len,
        fields.join(", "),
        if links.is_empty() { String::new() } else { format!(" {}.", links.join("; ")) }
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use youcpu_core::asm::{assemble, disassemble_one, Bitness};

    fn dec(text: &str) -> Decoded {
        let a = assemble(text, Bitness::B64, 0x401000).unwrap();
        disassemble_one(&a.bytes, Bitness::B64, 0x401000).unwrap()
    }

    fn links(text: &str) -> (Picture, Vec<Encodes>) {
        let (p, enc) = layout(&dec(text), false);
        assert!(p.problems().is_empty(), "{text}: {:?}", p.problems());
        (p, enc)
    }

    fn boxes(p: &Picture) -> Vec<String> {
        let mut out = vec![p.part("mnemonic").unwrap().lines[0].0.clone()];
        out.extend((0..).map_while(|i| p.part(&format!("operand-{i}"))).map(|b| b.lines[0].0.clone()));
        out
    }

    #[test]
    fn the_operand_boxes_are_the_texts_operands_after_its_prefix_words() {
        let (p, _) = links("mov qword ptr [rax+rbx*8+0x10], 1");
        assert_eq!(boxes(&p), ["mov", "qword ptr [rax+rbx*8+0x10]", "0x1"]);
        let (p, _) = links("lock add dword ptr [rax], 1");
        assert_eq!(boxes(&p), ["lock add", "dword ptr [rax]", "0x1"]);
        // A string instruction writes no operands: one box, and nothing links to one.
        let (p, enc) = links("rep movsb");
        assert_eq!(boxes(&p), ["rep movsb"]);
        assert!(enc.is_empty(), "{enc:?}");
    }

    #[test]
    fn the_fields_go_to_the_operands_the_decoder_says_they_encode() {
        // 8b c0 is mov eax, eax with the source in ModRM.rm ({load}); 89 c0 has it in reg.
        let load = disassemble_one(&[0x8b, 0xc0], Bitness::B64, 0x401000).unwrap();
        assert_eq!(load.text, "{load} mov eax, eax");
        let (_, enc) = layout(&load, false);
        assert!(enc.contains(&Encodes { from: "ModRM.reg".into(), operand: 0 }), "{enc:?}");
        assert!(enc.contains(&Encodes { from: "ModRM.rm".into(), operand: 1 }), "{enc:?}");
        let (_, enc) = links("mov eax, eax");
        assert!(enc.contains(&Encodes { from: "ModRM.reg".into(), operand: 1 }), "{enc:?}");
        // xmm registers are in ModRM too: cvtsi2sd xmm0, rax (reg = xmm0, rm = rax).
        let (_, enc) = links("cvtsi2sd xmm0, rax");
        assert!(enc.contains(&Encodes { from: "ModRM.reg".into(), operand: 0 }), "{enc:?}");
        assert!(enc.contains(&Encodes { from: "ModRM.rm".into(), operand: 1 }), "{enc:?}");
        // push r12 is 41 54: REX.B and the opcode's low bits name r12.
        let (_, enc) = links("push r12");
        assert_eq!(enc, vec![Encodes { from: "opcode +r".into(), operand: 0 }]);
        // A jump's displacement is its target operand, short or near.
        for j in ["jmp $+0x10", "jmp 0x402000", "jne 0x401000", "call 0x401234"] {
            let (_, enc) = links(j);
            assert_eq!(enc.len(), 1, "{j}: {enc:?}");
            assert_eq!(enc[0].operand, 0, "{j}: {enc:?}");
        }
        // enter's two immediates, each to its own operand.
        let (_, enc) = links("enter 0x10, 0x1");
        let imms: Vec<usize> = enc.iter().filter(|e| e.from.starts_with("imm")).map(|e| e.operand).collect();
        assert_eq!(imms, [0, 1], "{enc:?}");
        // shl eax, 1 (d1 e0): the 1 is not in the bytes, so nothing links to it.
        let (_, enc) = links("shl eax, 1");
        assert!(!enc.iter().any(|e| e.operand == 1), "{enc:?}");
    }

    #[test]
    fn modrm_reg_and_rm_go_to_their_operands() {
        // 48 01 d8: add rax, rbx — ModRM d8 = 11 011 000: reg = rbx (3), rm = rax (0).
        let d = dec("add rax, rbx");
        assert_eq!(d.bytes, vec![0x48, 0x01, 0xd8]);
        let (p, enc) = layout(&d, false);
        assert!(p.problems().is_empty(), "{:?}", p.problems());
        assert!(enc.contains(&Encodes { from: "ModRM.reg".into(), operand: 1 }), "{enc:?}");
        assert!(enc.contains(&Encodes { from: "ModRM.rm".into(), operand: 0 }), "{enc:?}");
        assert_eq!(p.part("REX-W").unwrap().lines[0].0, "W=1");
        assert_eq!(p.part("ModRM-mod").unwrap().lines[0].0, "mod 11");
        // 81 c3 80 00 00 00: add ebx, 128 — reg = 000 is /0, an opcode extension: no line.
        let (p, enc) = layout(&dec("add ebx, 128"), true);
        assert!(p.problems().is_empty(), "{:?}", p.problems());
        assert!(!enc.iter().any(|e| e.from == "ModRM.reg"), "{enc:?}");
        assert!(enc.iter().any(|e| e.from == "ModRM.rm" && e.operand == 0));
        assert!(enc.iter().any(|e| e.from.starts_with("imm") && e.operand == 1), "{enc:?}");
    }

    #[test]
    fn opcode_plus_r_memory_and_sib() {
        let d = dec("mov rax, 0x80000000");
        let (p, enc) = layout(&d, true);
        assert!(p.problems().is_empty(), "{:?}", p.problems());
        assert!(enc.iter().any(|e| e.from == "opcode +r" && e.operand == 0), "{enc:?}");
        let d = dec("mov qword ptr [rax+rbx*8+0x10], 1");
        let (p, enc) = layout(&d, false);
        assert!(p.problems().is_empty(), "{:?}", p.problems());
        assert!(p.part("SIB-scale").is_some());
        assert!(enc.iter().any(|e| e.from.starts_with("disp") && e.operand == 0), "{enc:?}");
        let text = describe(&d);
        assert!(text.contains("ModRM") && text.contains("SIB"), "{text}");
        // Every instruction of the widget's example fits, wide and narrow.
        for line in super::super::state::DEFAULT_SOURCE.lines() {
            for narrow in [false, true] {
                let (p, _) = layout(&dec(line), narrow);
                assert!(p.problems().is_empty(), "{line}: {:?}", p.problems());
            }
        }
    }
}
