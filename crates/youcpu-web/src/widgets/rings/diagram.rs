//! The picture of `rings`: ring 3 around ring 0, and the doors between them — `syscall`
//! (through the LSTAR MSR), the IDT (interrupts and exceptions: `int n`, the #GP a privileged
//! instruction raises in ring 3) and the way back (`sysret`/`iretq`) — with the instruction in
//! the ring it ran in, the CPL read from CS, and, when the check failed, the path of the #GP
//! through gate 13 of the IDT to the kernel's handler, with the frame the CPU pushed on the
//! TSS.RSP0 stack (SDM Vol. 3A §5.5 privilege levels, §6.12.1 exception-handling procedures,
//! Figure 6-4 "stack usage on transfers to interrupt and exception-handling routines").
//! A pure function of the state; the view only renders it.

use super::state::{cs_for, Outcome, State, OPS};
use crate::widgets::cpu_pic::{short_hex, Part, Picture};

/// Width of the picture.
pub const W: f64 = 440.0;
/// Width of the portrait picture a phone gets: drawn about 1:1 on a 360 px screen.
pub const W_NARROW: f64 = 340.0;

/// Where things go, for one width.
struct Geometry {
    w: f64,
    /// The instruction's box width.
    insn_w: f64,
    /// The doors' left edges and width.
    doors: (f64, f64, f64),
    /// The handler's box: left edge and width.
    handler: (f64, f64),
    /// The frame's slots' width.
    slot_w: f64,
}

impl Geometry {
    fn of(narrow: bool) -> Self {
        if narrow {
            Geometry { w: W_NARROW, insn_w: 150.0, doors: (186.0, 254.0, 62.0), handler: (196.0, 120.0), slot_w: 156.0 }
        } else {
            Geometry { w: W, insn_w: 170.0, doors: (236.0, 330.0, 84.0), handler: (236.0, 178.0), slot_w: 178.0 }
        }
    }
}

/// The picture: wide for a desktop column, or `narrow` (portrait, [`W_NARROW`]) for a phone.
pub fn layout(s: &State, narrow: bool) -> Picture {
    let g = Geometry::of(narrow);
    let w = g.w;
    let op = OPS.get(s.op).map_or("nop", |o| o.asm);
    let delivered = matches!(s.outcome, Some(Outcome::Delivered { .. }));
    let frame_rows = match &s.outcome {
        Some(Outcome::Delivered { frame, .. }) => frame.len(),
        _ => 0,
    };
    let inner_y = 150.0;
    let inner_h = 60.0 + (frame_rows.max(3) as f64) * 18.0 + 20.0;
    let h = inner_y + inner_h + 24.0;
    let mut pic = Picture::new(w, h);
    let cpl_after = match &s.outcome {
        Some(Outcome::Delivered { to_cpl, .. }) => *to_cpl,
        _ => s.ring,
    };
    // The rings: the reader clicks one to run the instruction there.
    pic.add(
        Part::new("ring-3", 8.0, 8.0, w - 16.0, h - 16.0, if cpl_after == 3 { "d-hl" } else { "d-box-2" })
            .hit(format!("Run {op} in ring 3 (user mode)"))
            .under(),
    );
    pic.add(
        Part::new("ring-0", 24.0, inner_y, w - 48.0, inner_h, if cpl_after == 0 { "d-hl" } else { "d-box" })
            .hit(format!("Run {op} in ring 0 (kernel mode)"))
            .under(),
    );
    pic.note(18.0, 26.0, "start", "d-title", if narrow { "ring 3: user" } else { "ring 3: user programs" });
    pic.note(34.0, inner_y + 18.0, "start", "d-title", "ring 0: the kernel");
    pic.note(w - 18.0, 26.0, "end", "d-small", format!("CPL now {cpl_after}"));
    // The instruction, in the ring it runs in, with its CS.
    let cs = cs_for(s.ring);
    let (ix, iy) = if s.ring == 3 { (34.0, 40.0) } else { (34.0, inner_y + 30.0) };
    let failed = delivered;
    let ran = matches!(s.outcome, Some(Outcome::Executed { .. }));
    pic.add(
        Part::new("insn", ix, iy, g.insn_w, 48.0, if failed { "d-err" } else if ran { "d-hl" } else { "d-box" })
            .line(op.to_string(), "d-mono")
            .line(format!("CS {cs:#06x}: CPL {}", cs & 3), "d-small")
            .line(
                if failed && narrow { "check failed" } else if failed { "privilege check failed" } else if ran { "executed" } else { "not run yet" },
                "d-small",
            ),
    );
    // The doors, across ring 0's edge.
    let dy = inner_y - 12.0;
    let (sx, idx, dw) = g.doors;
    // The fault's path comes down into the IDT near its right end, right of the door's label.
    let (sc, ic) = (sx + dw / 2.0, idx + dw - 10.0);
    pic.add(Part::new("door-syscall", sx, dy, dw, 24.0, "d-box").line("syscall", "d-mono"));
    pic.add(
        Part::new("door-idt", idx, dy, dw, 24.0, if delivered { "d-err" } else { "d-box" }).line("IDT", "d-mono"),
    );
    pic.note(sc, dy - 6.0, "middle", "d-small", "LSTAR");
    pic.note(ic - 5.0, dy - 6.0, "end", "d-small", if narrow { "int, #GP" } else { "int n, faults" });
    pic.note(sc, dy + 40.0, "middle", "d-small", "back up: sysret,");
    pic.note(sc, dy + 54.0, "middle", "d-small", "iretq");
    if let Some(Outcome::Delivered {
        vector,
        mnemonic,
        error_code,
        handler,
        frame,
        new_rsp,
        ..
    }) = &s.outcome
    {
        // The fault's path: the instruction → gate `vector` → the handler.
        let hy = inner_y + 70.0;
        pic.link(
            vec![(ix + g.insn_w, iy + 24.0), (ic, iy + 24.0), (ic, dy)],
            "d-err",
            true,
        );
        pic.note(
            if narrow { (ix + g.insn_w + ic) / 2.0 } else { 290.0 },
            iy + 18.0,
            "middle",
            "d-small",
            if narrow {
                format!("{mnemonic} → gate {vector}")
            } else {
                format!("{mnemonic}({}) → gate {vector}", error_code.map_or(String::new(), |c| c.to_string()))
            },
        );
        let (hx, hw) = g.handler;
        pic.add(
            Part::new("handler", hx, hy, hw, 48.0, "d-hl")
                .line(format!("{mnemonic} handler"), "d-title")
                .line(if narrow { short_hex(*handler) } else { format!("{handler:#x}") }, "d-mono"),
        );
        pic.link(vec![(ic, dy + 24.0), (ic, hy)], "d-err", true);
        // The frame the CPU pushed, top (lowest address, where RSP points) first.
        let fx = 34.0;
        let fy = inner_y + 48.0;
        pic.note(fx, fy - 6.0, "start", "d-small", "frame on the RSP0 stack");
        for (i, f) in frame.iter().enumerate() {
            let y = fy + i as f64 * 18.0;
            let value = if narrow { short_hex(f.value) } else { format!("{:#x}", f.value) };
            pic.add(
                Part::new(format!("slot-{}", f.name), fx, y, g.slot_w, 17.0, if i == 0 { "d-hl" } else { "d-box" })
                    .line(format!("{}: {value}", f.name), "d-mono"),
            );
        }
        pic.note(fx + g.slot_w / 2.0, fy + frame.len() as f64 * 18.0 + 12.0, "middle", "d-small", format!("RSP = {} (top)", if narrow { short_hex(*new_rsp) } else { format!("{new_rsp:#x}") }));
    } else if ran && s.ring == 3 {
        pic.note(34.0, iy + 64.0, "start", "d-small", "not privileged: ring 3 may run it");
    } else if ran {
        pic.note(34.0, iy + 64.0, "start", "d-small", "CPL 0: every instruction is allowed");
    }
    pic
}

/// The picture in words.
pub fn describe(s: &State) -> String {
    let op = OPS.get(s.op).map_or("nop", |o| o.asm);
    let cs = cs_for(s.ring);
    let head = format!("{op} placed in ring {} (CS {cs:#06x}, whose low two bits, the CPL, are {}).", s.ring, cs & 3);
    match &s.outcome {
        None => format!("{head} It has not run yet."),
        Some(Outcome::Failed(e)) => format!("{head} The simulation stopped: {e}"),
        Some(Outcome::Executed { changes, .. }) => format!(
            "{head} It executed without leaving ring {}{}.",
            s.ring,
            if changes.is_empty() { String::new() } else { format!(": {}", changes.join(", ")) }
        ),
        Some(Outcome::Delivered { vector, mnemonic, error_code, to_cpl, handler, rsp0, frame, .. }) => format!(
            "{head} The privilege check failed: the CPU raised {mnemonic}({}) and went through gate \
             {vector} of the IDT, the door for exceptions, into ring {to_cpl}: it switched to the \
             kernel stack at RSP0 {rsp0:#x}, pushed {} ({} slots) and jumped to the handler at \
             {handler:#x}. The syscall door was not used.",
            error_code.map_or("no error code".to_string(), |c| c.to_string()),
            frame.iter().map(|f| f.name).collect::<Vec<_>>().join(", "),
            frame.len()
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::state::{Action, State};
    use super::*;
    use crate::ui::Apply;
    use std::rc::Rc;

    #[test]
    fn every_instruction_in_both_rings_fits() {
        for op in 0..OPS.len() {
            for ring in [0u8, 3] {
                let s = Rc::new(State::default()).reduce(Action::Op(op)).reduce(Action::Ring(ring));
                for narrow in [false, true] {
                    let p = layout(&s, narrow);
                    assert!(p.problems().is_empty(), "{op} ring {ring} narrow {narrow}: {:?}", p.problems());
                }
            }
        }
    }

    #[test]
    fn the_default_shows_the_gp_path_and_ring0_lit() {
        let s = State::default();
        let p = layout(&s, false);
        assert_eq!(p.part("insn").unwrap().class, "d-err");
        assert_eq!(p.part("door-idt").unwrap().class, "d-err");
        let lit = p.lit();
        assert!(lit.contains(&"ring-0") && lit.contains(&"handler"), "{lit:?}");
        assert!(!lit.contains(&"ring-3"));
        // error code, RIP, CS, RFLAGS, RSP, SS: the top slot is the error code, 0.
        assert_eq!(p.part("slot-error code").unwrap().lines[0].0, "error code: 0x0");
        assert!(p.part("slot-RIP").unwrap().lines[0].0.ends_with("0x401000"));
        let d = describe(&s);
        assert!(d.contains("#GP(0)") && d.contains("gate 13"), "{d}");
    }

    #[test]
    fn ring0_executes_and_lights_the_instruction_in_ring0() {
        let s = Rc::new(State::default()).reduce(Action::Op(1)).reduce(Action::Ring(0));
        let p = layout(&s, false);
        assert_eq!(p.part("insn").unwrap().class, "d-hl");
        assert!(p.part("insn").unwrap().y > p.part("ring-0").unwrap().y);
        assert!(p.part("handler").is_none());
        assert!(describe(&s).contains("IF: 1 → 0"));
    }
}
