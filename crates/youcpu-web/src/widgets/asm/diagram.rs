//! The picture of `asm`: one instruction's bytes as its fields (prefixes, REX, opcode, ModRM,
//! SIB, displacement, immediate), REX split into W R X B, ModRM into mod/reg/rm and SIB into
//! scale/index/base, with lines to the operands each encodes (SDM Vol. 2A §2.1 "Instruction
//! format", Figure 2-1; §2.2.1 REX; Tables 2-2 and 2-3 for ModRM and SIB). Which operand a
//! field encodes is read from the bits: ModRM.reg (extended by REX.R) names a register operand
//! or is an opcode extension (/digit); ModRM.rm (with REX.B) names the other register when mod
//! is 11, else the memory operand; a register in the opcode's low three bits (`B8+r`) likewise.
//! A pure function of the decoded instruction.

use crate::widgets::cpu_pic::{text_width, Part, Picture};
use youcpu_core::asm::{Decoded, FieldKind};
use youcpu_core::cpu::state::GPR_NAMES;

/// The number (0–15) of a general register named as the disassembler prints it, any width.
pub fn reg_num(name: &str) -> Option<u8> {
    const R32: [&str; 8] = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
    const R16: [&str; 8] = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
    const R8: [&str; 8] = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"];
    const R8H: [&str; 4] = ["ah", "ch", "dh", "bh"];
    let n = name.trim();
    for table in [&GPR_NAMES[..8], &R32[..], &R16[..], &R8[..]] {
        if let Some(i) = table.iter().position(|r| *r == n) {
            return Some(i as u8);
        }
    }
    if let Some(i) = R8H.iter().position(|r| *r == n) {
        return Some(4 + i as u8);
    }
    let rest = n.strip_prefix('r')?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let num: u8 = digits.parse().ok()?;
    let suffix = &rest[digits.len()..];
    ((8..16).contains(&num) && ["", "d", "w", "b"].contains(&suffix)).then_some(num)
}

/// The operands of an instruction's text, split at top-level commas.
pub fn operands(text: &str) -> (String, Vec<String>) {
    let text = text.trim();
    let (mn, rest) = text.split_once(' ').unwrap_or((text, ""));
    let mut ops = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for ch in rest.chars() {
        match ch {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                ops.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.trim().is_empty() {
        ops.push(cur.trim().to_string());
    }
    (mn.to_string(), ops)
}

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
    let (mn, ops) = operands(&d.text);
    let rex = d.fields.iter().find(|f| f.kind == FieldKind::Rex).and_then(|f| d.bytes.get(f.start)).copied().unwrap_or(0);
    let (rex_r, rex_x, rex_b) = ((rex >> 2) & 1, (rex >> 1) & 1, rex & 1);
    let mut pic = Picture::new(w, 0.0);
    let mut encodes = Vec::new();
    // Operand row comes last; remember what links to it: (x, y, operand index, class).
    let mut to_ops: Vec<(f64, f64, usize, String)> = Vec::new();
    let reg_ops: Vec<Option<u8>> = ops.iter().map(|o| reg_num(o)).collect();
    let mem_op = ops.iter().position(|o| o.contains('['));
    let imm_op = ops.iter().rposition(|o| o.starts_with("0x") || o.starts_with('-') || o.chars().next().is_some_and(|c| c.is_ascii_digit()));
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
                if let Some(i) = imm_op {
                    to_ops.push((cx, 70.0, i, f.label.clone()));
                }
            }
            FieldKind::Opcode if !has_modrm => {
                // A register in the opcode's low three bits (B8+r, 50+r, ...), REX.B its fourth.
                let last = bytes.last().copied().unwrap_or(0);
                let num = (last & 7) | (rex_b << 3);
                if let Some(i) = reg_ops.iter().position(|r| *r == Some(num)) {
                    if ops.len() > 1 || !mn.starts_with('j') {
                        to_ops.push((cx, 70.0, i, "opcode +r".into()));
                    }
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
                ("ModRM", "reg") => {
                    // In a memory form a register operand is ModRM.reg's; with mod 11 and the
                    // same register in both, the second operand is taken for reg.
                    let num = ((modrm >> 3) & 7) | (rex_r << 3);
                    let rm_num = (modrm & 7) | (rex_b << 3);
                    reg_ops
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| **r == Some(num))
                        .map(|(i, _)| i)
                        .find(|&i| modrm >> 6 != 3 || num != rm_num || i == 1 || ops.len() == 1)
                }
                ("ModRM", "rm") => {
                    if modrm >> 6 == 3 {
                        let num = (modrm & 7) | (rex_b << 3);
                        reg_ops.iter().position(|r| *r == Some(num))
                    } else {
                        mem_op
                    }
                }
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
    let mut boxes = vec![(mn.clone(), "mnemonic".to_string())];
    boxes.extend(ops.iter().enumerate().map(|(i, o)| (o.clone(), format!("operand-{i}"))));
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
    let (_, ops) = operands(&d.text);
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
        .map(|e| format!("{} encodes {}", e.from, ops.get(e.operand).map_or("?", String::as_str)))
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

    #[test]
    fn register_names_of_every_width() {
        assert_eq!(reg_num("rax"), Some(0));
        assert_eq!(reg_num("ebx"), Some(3));
        assert_eq!(reg_num("sil"), Some(6));
        assert_eq!(reg_num("ah"), Some(4));
        assert_eq!(reg_num("r12d"), Some(12));
        assert_eq!(reg_num("r15"), Some(15));
        assert_eq!(reg_num("r16"), None);
        assert_eq!(reg_num("0x200"), None);
        assert_eq!(operands("mov qword ptr [rax+rbx*8+0x10], 0x1").1, vec!["qword ptr [rax+rbx*8+0x10]", "0x1"]);
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
