//! The page walker (`paging::walk`, Intel SDM vol. 3 §4.5) on arbitrary physical memory: the
//! input is the memory itself, the format (x86-64 4- or 5-level, or a teaching format from the
//! input, which `Format::validate` must accept or refuse), the root frame, the address and the
//! access. Invariants: at most one step a level; a translation keeps the page offset and has a
//! power-of-two page size; the explanation has a sentence a step plus the outcome; a TLB
//! (`paging::tlb`) gives the walk's answer, and a second identical access hits with the same one.

use super::input::Input;
use youcpu_core::paging::format::{EntryBits, Format, HighBits};
use youcpu_core::paging::tlb::Tlb;
use youcpu_core::paging::walk::{walk, Access, AccessKind};

fn opt_bit(inp: &mut Input) -> Option<u8> {
    let b = inp.u8();
    (b & 0x80 == 0).then_some(b & 0x3f)
}

fn format(inp: &mut Input) -> Format {
    match inp.u8() % 4 {
        0 | 1 => Format::x86_64(),
        2 => Format::x86_64_la57(),
        _ => {
            let n = usize::from(inp.u8() % 9);
            let levels = inp.take(n).iter().map(|b| b % 34).collect();
            let mut f = Format::plain(
                levels,
                inp.u8() % 32,
                inp.u8() % 9,
                inp.u8() % 65,
                inp.u8() % 65,
                inp.u8() % 65,
            );
            f.high_bits = if inp.u8() & 1 == 0 {
                HighBits::Zero
            } else {
                HighBits::Canonical
            };
            f.bits = EntryBits {
                rw: opt_bit(inp),
                us: opt_bit(inp),
                accessed: opt_bit(inp),
                dirty: opt_bit(inp),
                ps: opt_bit(inp),
                global: opt_bit(inp),
                nx: opt_bit(inp),
            };
            let h = usize::from(inp.u8() % 4);
            f.huge_levels = inp.take(h).iter().map(|b| usize::from(b % 10)).collect();
            f.x86_reserved = inp.u8() & 1 == 1;
            f
        }
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut inp = Input::new(data);
    let fmt = format(&mut inp);
    if let Err(e) = fmt.validate() {
        super::check_message("Format::validate", &e.0);
        return;
    }
    let root_pfn = inp.edgy_u64() % 64;
    let va = inp.edgy_u64();
    let flags = inp.u8();
    let access = Access {
        kind: match flags % 3 {
            0 => AccessKind::Read,
            1 => AccessKind::Write,
            _ => AccessKind::Fetch,
        },
        user: flags & 4 != 0,
        wp: flags & 8 != 0,
        nxe: flags & 16 != 0,
        set_accessed_dirty: flags & 32 != 0,
    };
    let mut mem: Vec<u8> = inp.rest().to_vec();
    let mut before = mem.clone();
    let w = walk(&fmt, &mut mem, root_pfn, va, &access);
    assert!(w.steps.len() <= fmt.levels.len(), "{} steps", w.steps.len());
    if let Ok(t) = &w.result {
        assert!(t.page_size.is_power_of_two(), "page size {}", t.page_size);
        let off = t.page_size - 1;
        assert_eq!(t.pa & off, va & off, "the page offset changed");
    }
    let lines = w.explain(&fmt);
    assert!(
        !lines.is_empty() && lines.len() <= w.steps.len() + 2,
        "{lines:?}"
    );
    for l in &lines {
        super::check_message("explain", l);
    }
    // The TLB on the memory as it was: a miss whose walk gives the same answer; then the same
    // access again, which on x86 (A and D now set) must hit with that answer.
    let mut tlb = Tlb::new(4, root_pfn);
    let first = tlb.translate(&fmt, &mut before, va, &access);
    assert!(!first.tlb_hit);
    assert_eq!(
        first.result.as_ref().ok(),
        w.result.as_ref().ok().map(|t| &t.pa)
    );
    if let Ok(pa) = first.result {
        let again = tlb.translate(&fmt, &mut before, va, &access);
        if fmt.is_x86_layout() && access.set_accessed_dirty {
            assert!(again.tlb_hit, "a repeated access missed the TLB");
        }
        if again.tlb_hit {
            assert_eq!(again.result.ok(), Some(pa), "the TLB hit disagrees");
        }
    }
}
