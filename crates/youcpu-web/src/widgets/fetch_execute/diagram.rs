//! The picture of `fetch-execute`: memory (the code page around RIP, byte by byte), the
//! decoder, and the CPU (RIP, the sixteen registers, the status flags). The bytes the last step
//! fetched are lit in memory with an arrow to the decoder, the bytes at RIP (fetched next) are
//! outlined, and each register or flag the instruction changed is lit (SDM Vol. 1 §3.4: the
//! general-purpose registers, RIP and RFLAGS are the state an instruction changes). A pure
//! function of the state, tested natively; the view only renders it.

use super::state::{State, CODE, FLAGS};
use crate::widgets::cpu_pic::{short_hex, Part, Picture};
use crate::widgets::ring3::peek;
use youcpu_core::cpu::state::GPR_NAMES;

/// Bytes in a row of the memory strip.
const ROW: u64 = 8;
/// Rows of memory shown.
const ROWS: u64 = 4;
/// From one memory row to the next: a byte's box is 22 high, and the fetch arrow runs in the
/// 6 between two rows, clear of the bytes' digits.
const PITCH: f64 = 28.0;

/// Where the picture's parts come from: the bytes shown, which are lit, which go next.
struct Model {
    start: u64,
    bytes: Vec<u8>,
    lit: (u64, u64),
    next: (u64, u64),
    decoded: Option<(String, bool)>,
    changed: Vec<usize>,
    flags_changed: Vec<usize>,
}

fn model(s: &State) -> Option<Model> {
    let os = s.os.as_ref()?;
    let c = &os.m.cpu.s;
    let rip = c.rip;
    let next_len = s
        .lines
        .iter()
        .find(|l| !l.bytes.is_empty() && l.addr == rip)
        .map_or(0, |l| l.bytes.len() as u64);
    let next = if s.running() { (rip, rip + next_len) } else { (0, 0) };
    let (lit, decoded) = match &s.last {
        Some(l) if !l.fetched.is_empty() => (
            (l.rip, l.rip + l.fetched.len() as u64),
            Some((l.text.clone(), false)),
        ),
        Some(l) => ((0, 0), Some((l.text.clone(), false))),
        None => {
            let text = s
                .lines
                .iter()
                .find(|l| !l.bytes.is_empty() && l.addr == rip)
                .map(|l| l.source.split(';').next().unwrap_or_default().trim().to_string());
            (next, text.map(|t| (t, true)))
        }
    };
    // Show the bytes just fetched; else those at RIP when it is in user code; else (the
    // process ended in the kernel) the program's last instruction.
    let focus = if lit.1 > lit.0 {
        lit.0
    } else if rip < 1 << 47 {
        rip
    } else {
        s.lines.iter().filter(|l| !l.bytes.is_empty()).map(|l| l.addr).max().unwrap_or(CODE)
    };
    let start = (focus & !(ROW - 1)).saturating_sub(ROW).max(CODE);
    let start = if focus < start { focus & !(ROW - 1) } else { start };
    let bytes = peek(os, start, (ROW * ROWS) as usize);
    let before = s.before.as_ref();
    let changed = (0..GPR_NAMES.len())
        .filter(|&i| before.is_some_and(|b| b.gpr.get(i) != c.gpr.get(i)))
        .collect();
    let flags_changed = FLAGS
        .iter()
        .enumerate()
        .filter(|(_, (_, bit))| before.is_some_and(|b| (b.rflags ^ c.rflags) & bit != 0))
        .map(|(i, _)| i)
        .collect();
    Some(Model {
        start,
        bytes,
        lit,
        next,
        decoded,
        changed,
        flags_changed,
    })
}

/// Cuts text to at most `n` characters (with an ellipsis).
fn fit(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The picture: `narrow` stacks memory, decoder and CPU in a column for a phone, 300 units
/// wide so that a 360 px screen draws it at about its natural size.
pub fn layout(s: &State, narrow: bool) -> Picture {
    let (w, h) = if narrow { (300.0, 480.0) } else { (700.0, 268.0) };
    let mut pic = Picture::new(w, h);
    let (Some(m), Some(os)) = (model(s), s.os.as_ref()) else {
        pic.h = 60.0;
        pic.add(
            Part::new("error", 8.0, 8.0, w - 16.0, 40.0, "d-err")
                .line("the program does not assemble: nothing to run", "d-label"),
        );
        return pic;
    };
    let c = &os.m.cpu.s;
    // Memory.
    let (mx, my, addr_w, cell) = if narrow { (4.0, 24.0, 54.0, 28.0) } else { (8.0, 30.0, 58.0, 22.0) };
    pic.note(mx, my - 8.0, "start", "d-title", "memory (code page)");
    // The last fetched byte: the bottom of its box.
    let mut lit_at = None;
    for r in 0..ROWS {
        let y = my + r as f64 * PITCH;
        let a = m.start + r * ROW;
        // A long address by its last digits: eight on a desktop, six on a phone (where eight
        // ran past the picture's left edge: a program's libraries sit at 0x7fff_f7xx_xxxx).
        let label = match (a > 0xff_ffff, narrow, a > 0xffff_ffff) {
            (true, true, _) => format!("…{:06x}", a & 0xff_ffff),
            (_, false, true) => format!("…{:08x}", a & 0xffff_ffff),
            _ => format!("{a:x}"),
        };
        pic.note(mx + addr_w - 4.0, y + 15.0, "end", "d-small", label);
        for k in 0..ROW {
            let at = a + k;
            let i = (at - m.start) as usize;
            let Some(b) = m.bytes.get(i) else { continue };
            let x = mx + addr_w + k as f64 * cell;
            let class = if at >= m.lit.0 && at < m.lit.1 {
                lit_at = Some((x + cell / 2.0 - 1.0, y + 22.0));
                "d-hl"
            } else if at >= m.next.0 && at < m.next.1 {
                "d-next"
            } else {
                "d-box"
            };
            pic.add(Part::new(format!("byte-{at:x}"), x, y, cell - 2.0, 22.0, class).line(format!("{b:02x}"), "d-mono"));
        }
    }
    let mem_bottom = my + ROWS as f64 * PITCH;
    let mem_right = mx + addr_w + ROW as f64 * cell;
    // Decoder.
    let (dx, dy, dw, dh) = if narrow { (4.0, mem_bottom + 22.0, 292.0, 54.0) } else { (mx + addr_w + 8.0 * cell + 22.0, 50.0, 170.0, 70.0) };
    let (dtext, upcoming) = m.decoded.clone().unwrap_or_default();
    let mut dec = Part::new("decoder", dx, dy, dw, dh, if upcoming || dtext.is_empty() { "d-box-2" } else { "d-hl" })
        .line(if upcoming { "decoder: next is" } else { "decoder" }, "d-title")
        .line(fit(&dtext, (dw / 7.4) as usize), "d-mono");
    if !upcoming {
        if let Some(l) = &s.last {
            if l.len > 0 {
                dec = dec.line(format!("{} byte{}", l.len, if l.len == 1 { "" } else { "s" }), "d-small");
            }
        }
    }
    if s.running() {
        // The button's name starts with what it shows (axe: label-content-name-mismatch).
        let shown: Vec<&str> = dec.lines.iter().map(|(t, _)| t.as_str()).collect();
        let label = format!("{}. Step: fetch, decode and execute the instruction at RIP", shown.join(" "));
        dec = dec.hit(label);
    }
    pic.add(dec);
    if let Some((bx, by)) = lit_at {
        // Down from the last byte fetched into the space under its row, along it to the right
        // of the bytes, and on to the decoder: across no byte's digits.
        let (gy, gx) = (by + (PITCH - 22.0) / 2.0, if narrow { (mem_right + w) / 2.0 } else { (mem_right + dx) / 2.0 });
        let end = if narrow { vec![(gx, dy)] } else { vec![(gx, dy + dh / 2.0), (dx, dy + dh / 2.0)] };
        pic.link([vec![(bx, by), (bx, gy), (gx, gy)], end].concat(), "d-hl", true);
    }
    // CPU.
    let (cx, cy, cw) = if narrow { (4.0, dy + dh + 34.0, 292.0) } else { (dx + dw + 22.0, 30.0, w - (dx + dw + 22.0) - 8.0) };
    pic.note(cx, cy - 8.0, "start", "d-title", format!("CPU (ring {})", c.cs & 3));
    pic.add(Part::new("rip", cx, cy, cw, 22.0, "d-box-2").line(format!("RIP {:#x}", c.rip), "d-mono"));
    let col = cw / 2.0;
    let mut first_changed = None;
    for (i, name) in GPR_NAMES.iter().enumerate() {
        let (r, k) = ((i % 8) as f64, (i / 8) as f64);
        let (x, y) = (cx + k * col, cy + 28.0 + r * 22.0);
        let lit = m.changed.contains(&i);
        if lit && first_changed.is_none() {
            first_changed = Some((x, y + 10.0));
        }
        let v = c.gpr.get(i).copied().unwrap_or(0);
        pic.add(
            Part::new(format!("reg-{name}"), x, y, col - 4.0, 19.0, if lit { "d-hl" } else { "d-box" })
                .line(format!("{name} {}", short_hex(v)), "d-mono"),
        );
    }
    let fy = cy + 28.0 + 8.0 * 22.0 + 2.0;
    let fw = cw / FLAGS.len() as f64;
    for (i, (n, bit)) in FLAGS.iter().enumerate() {
        let lit = m.flags_changed.contains(&i);
        pic.add(
            Part::new(format!("flag-{n}"), cx + i as f64 * fw, fy, fw - 3.0, 20.0, if lit { "d-hl" } else { "d-box" })
                .line(format!("{n}={}", u8::from(c.rflags & bit != 0)), "d-mono"),
        );
    }
    // Execute: the decoder to what changed.
    if !upcoming && !dtext.is_empty() {
        let target = first_changed.or_else(|| (!m.flags_changed.is_empty()).then_some((cx, fy + 10.0)));
        if narrow {
            pic.link(vec![(dx + dw / 2.0, dy + dh), (dx + dw / 2.0, cy - 2.0)], "d-hl", true);
        } else if let Some((tx, ty)) = target {
            let mid = dx + dw + 11.0;
            pic.link(vec![(dx + dw, dy + dh / 2.0), (mid, dy + dh / 2.0), (mid, ty), (tx, ty)], "d-hl", true);
        } else {
            let mid = dx + dw + 11.0;
            pic.link(vec![(dx + dw, dy + dh / 2.0), (mid, dy + dh / 2.0), (mid, cy + 11.0), (cx, cy + 11.0)], "d-line", true);
        }
    }
    pic
}

/// The picture in words, from the same state.
pub fn describe(s: &State) -> String {
    let Some(os) = s.os.as_ref() else {
        return "The program does not assemble, so there is nothing in memory to fetch.".into();
    };
    let c = &os.m.cpu.s;
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(" ");
    match &s.last {
        None => {
            let m = model(s);
            let next = m.and_then(|m| m.decoded).map(|d| d.0).unwrap_or_default();
            format!(
                "Memory holds the program's bytes from {CODE:#x}. RIP is {:#x}: the CPU will fetch the \
                 bytes there ({}, outlined) and decode them as {next}. No register has changed yet.",
                c.rip,
                hex(&peek(os, c.rip, s.lines.iter().find(|l| l.addr == c.rip && !l.bytes.is_empty()).map_or(0, |l| l.bytes.len())))
            )
        }
        Some(l) => format!(
            "Step {}: the CPU fetched {} ({} bytes, lit in memory) at {:#x}, the decoder read {}, and \
             executing it changed {}. RIP is now {:#x}{}.",
            s.retired(),
            if l.fetched.is_empty() { "no user bytes".to_string() } else { hex(&l.fetched) },
            l.fetched.len(),
            l.rip,
            l.text,
            if l.changes.is_empty() { "no register".to_string() } else { l.changes.join(", ") },
            c.rip,
            if s.running() { ", where the next instruction is outlined" } else { "; the process has ended" }
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::state::{Action, DEFAULT_PROGRAM};
    use super::*;
    use crate::ui::Apply;
    use std::rc::Rc;

    fn stepped(n: usize) -> Rc<State> {
        let mut s = Rc::new(State::with_source(DEFAULT_PROGRAM));
        for _ in 0..n {
            s = s.reduce(Action::Step);
        }
        s
    }

    #[test]
    fn both_layouts_fit_at_every_step_of_the_default_program() {
        for n in 0..30 {
            let s = stepped(n);
            for narrow in [false, true] {
                let p = layout(&s, narrow);
                assert!(p.problems().is_empty(), "step {n} narrow {narrow}: {:?}", p.problems());
            }
        }
    }

    #[test]
    fn the_initial_picture_outlines_the_bytes_at_rip_and_names_the_next_instruction() {
        let s = stepped(0);
        let p = layout(&s, false);
        // mov eax, 0 is b8 00 00 00 00 at 0x401000: five bytes to fetch, lit as "to fetch".
        let lit = p.lit();
        assert_eq!(lit, vec!["byte-401000", "byte-401001", "byte-401002", "byte-401003", "byte-401004"]);
        let dec = p.part("decoder").unwrap();
        assert!(dec.lines.iter().any(|(t, _)| t == "mov eax, 0"), "{:?}", dec.lines);
        assert!(dec.hit.is_some());
        assert!(describe(&s).contains("RIP is 0x401000"));
    }

    #[test]
    fn a_step_lights_the_fetched_bytes_the_decoder_and_the_changed_register() {
        let s = stepped(2);
        let p = layout(&s, true);
        let lit = p.lit();
        // mov ecx, 1 = b9 01 00 00 00 at 0x401005.
        for a in 0x401005..0x40100a {
            assert!(lit.contains(&format!("byte-{a:x}").as_str()), "{lit:?}");
        }
        assert!(lit.contains(&"decoder") && lit.contains(&"reg-rcx"), "{lit:?}");
        assert!(!lit.contains(&"reg-rax"));
        assert_eq!(p.part("byte-40100a").unwrap().class, "d-next");
        let d = describe(&s);
        assert!(d.contains("b9 01 00 00 00") && d.contains("rcx: 0x0 → 0x1"), "{d}");
        // add rax, rcx changes rax and the flags it computes.
        let p = layout(&stepped(3), false);
        assert!(p.lit().contains(&"reg-rax"));
    }

    #[test]
    fn an_ended_process_and_a_broken_program_still_draw() {
        let mut s = Rc::new(State::with_source(DEFAULT_PROGRAM));
        s = s.reduce(Action::Run);
        while s.pending > 0 {
            s = s.reduce(Action::Continue);
        }
        let p = layout(&s, false);
        assert!(p.problems().is_empty(), "{:?}", p.problems());
        assert!(p.part("decoder").unwrap().hit.is_none(), "nothing left to step");
        let bad = State::with_source("frob");
        assert!(layout(&bad, true).part("error").is_some());
        assert!(describe(&bad).contains("does not assemble"));
    }
}
