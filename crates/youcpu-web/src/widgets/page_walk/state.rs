//! The page-walk widget's state: a small physical memory holding real x86-64 page tables (4- or
//! 5-level) for an example address space, a TLB, the virtual address and access the reader
//! chose, and the last lookup. A pure reducer over the core's paging model.

use std::rc::Rc;
use crate::ui::{Apply, Query, UrlState};
use youcpu_core::paging::build::Alloc;
use youcpu_core::paging::{
    map, map_huge, walk, Access, AccessKind, Format, HugePage, Lookup, Perms, Tlb,
};

/// Frames of simulated physical memory for the page tables.
pub const TABLE_FRAMES: u64 = 40;
/// TLB entries.
pub const TLB_SIZE: usize = 8;

/// A named address to try.
pub struct Preset {
    /// Button label.
    pub name: &'static str,
    /// The address.
    pub va: u64,
    /// The access.
    pub kind: AccessKind,
    /// From user mode.
    pub user: bool,
}

/// The example address space's interesting addresses.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "stack variable",
        va: 0x7ffd_1c2a_3b40,
        kind: AccessKind::Read,
        user: true,
    },
    Preset {
        name: "code",
        va: 0x40_1234,
        kind: AccessKind::Fetch,
        user: true,
    },
    Preset {
        name: "write to code",
        va: 0x40_1234,
        kind: AccessKind::Write,
        user: true,
    },
    Preset {
        name: "run the stack",
        va: 0x7ffd_1c2a_3b40,
        kind: AccessKind::Fetch,
        user: true,
    },
    Preset {
        name: "global variable",
        va: 0x40_4010,
        kind: AccessKind::Write,
        user: true,
    },
    Preset {
        name: "2 MiB huge page",
        va: 0x7f12_3456_789a,
        kind: AccessKind::Read,
        user: true,
    },
    Preset {
        name: "1 GiB huge page",
        va: 0x40_1234_5678,
        kind: AccessKind::Read,
        user: true,
    },
    Preset {
        name: "kernel memory from user mode",
        va: 0xffff_8880_0010_0040,
        kind: AccessKind::Read,
        user: true,
    },
    Preset {
        name: "kernel memory from the kernel",
        va: 0xffff_8880_0010_0040,
        kind: AccessKind::Read,
        user: false,
    },
    Preset {
        name: "unmapped",
        va: 0x5555_0000_0000,
        kind: AccessKind::Read,
        user: true,
    },
    Preset {
        name: "not canonical",
        va: 0x0000_8000_0000_0000,
        kind: AccessKind::Read,
        user: true,
    },
];

/// A built address space: memory holding the tables, and the root table's frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Space {
    /// Physical memory (the tables; data frames lie beyond it and are never read).
    pub mem: Vec<u8>,
    /// CR3's frame.
    pub root: u64,
    /// The format.
    pub format: Format,
}

/// Builds the example address space in the 4- or 5-level format.
pub fn build_space(five: bool) -> Result<Space, String> {
    let format = if five {
        Format::x86_64_la57()
    } else {
        Format::x86_64()
    };
    let page = 1u64 << format.offset_bits;
    let mut mem = vec![0u8; (TABLE_FRAMES * page) as usize];
    let root = 0;
    let mut next = 0u64;
    let mut alloc_fn = |_m: &mut Vec<u8>| {
        next += 1;
        (next < TABLE_FRAMES).then_some(next)
    };
    let alloc: &mut Alloc<'_, Vec<u8>> = &mut alloc_fn;
    let user = |write: bool, exec: bool| Perms {
        write,
        user: true,
        exec,
        global: false,
    };
    let maps: [(u64, u64, Perms); 5] = [
        (0x40_1000, 0x2a3, user(false, true)),
        (0x40_4000, 0x2a7, user(true, false)),
        (0x7ffd_1c2a_3000, 0x3b1, user(true, false)),
        (0x7ffd_1c2a_2000, 0x3b0, user(true, false)),
        (
            0xffff_8880_0010_0000,
            0x100,
            Perms {
                write: true,
                user: false,
                exec: false,
                global: true,
            },
        ),
    ];
    for (va, pfn, perms) in maps {
        map(&format, &mut mem, root, va, pfn, perms, alloc).map_err(|e| e.to_string())?;
    }
    let levels = format.levels.len();
    // A 2 MiB page (PD level) and a 1 GiB page (PDPT level).
    let huge = [
        HugePage {
            va: 0x7f12_3440_0000,
            level: levels - 2,
            pfn: 0x4_0000,
            perms: user(true, false),
        },
        HugePage {
            va: 0x40_0000_0000,
            level: levels - 3,
            pfn: 0x20_0000,
            perms: user(false, false),
        },
    ];
    for h in huge {
        map_huge(&format, &mut mem, root, h, alloc).map_err(|e| e.to_string())?;
    }
    Ok(Space { mem, root, format })
}

/// Parses an address by the core's one grammar ([`youcpu_core::units::address`]): decimal, or
/// hex after `0x`, a `_` between two digits; non-canonical addresses parse (the walk shows them).
pub fn parse_va(text: &str) -> Result<u64, String> {
    youcpu_core::units::parse_address(text).map_err(|e| e.to_string())
}

/// An edit or click.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// New address text.
    Va(String),
    /// Access kind.
    Kind(AccessKind),
    /// User or kernel mode.
    User(bool),
    /// 4- or 5-level paging (rebuilds the tables, empties the TLB).
    FiveLevel(bool),
    /// Repeat the access (a TLB hit the second time).
    Again,
    /// Write CR3: flush the TLB.
    Flush,
    /// Load preset i.
    Preset(usize),
    /// Flip one bit of the address (a click on the picture).
    FlipBit(u32),
    /// Set a field of the address: `width` bits from bit `lo` (a drag or a key on the picture).
    SetBits {
        /// Lowest bit.
        lo: u32,
        /// Width in bits.
        width: u32,
        /// New value (masked to the width).
        value: u64,
    },
    /// Add `delta` to a field of the address (a key on the picture), clamped to the field's
    /// range; relative, so keys pressed faster than the page paints are all counted.
    AddBits {
        /// Lowest bit.
        lo: u32,
        /// Width in bits.
        width: u32,
        /// How much to add (negative: subtract).
        delta: i64,
    },
    /// Make the high bits copies of the top address bit again, or break them (non-canonical).
    ToggleSign,
    /// Back to the start.
    Reset,
}

/// The widget's state.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The tables.
    pub space: Rc<Space>,
    /// The TLB.
    pub tlb: Tlb,
    /// Five-level paging.
    pub five: bool,
    /// Address text.
    pub va_text: String,
    /// Why the text is refused.
    pub va_error: Option<String>,
    /// Read, write or fetch.
    pub kind: AccessKind,
    /// From user mode.
    pub user: bool,
    /// The address of the last lookup.
    pub va: u64,
    /// The last lookup.
    pub last: Option<Lookup>,
    /// Why the address space could not be built (never expected).
    pub build_error: Option<String>,
}

impl Default for State {
    fn default() -> Self {
        let mut s = State::empty(false);
        s.apply(Action::Preset(0));
        s
    }
}

impl State {
    fn empty(five: bool) -> Self {
        let (space, build_error) = match build_space(five) {
            Ok(sp) => (sp, None),
            Err(e) => (
                Space {
                    mem: Vec::new(),
                    root: 0,
                    format: Format::x86_64(),
                },
                Some(e),
            ),
        };
        State {
            tlb: Tlb::new(TLB_SIZE, space.root),
            space: Rc::new(space),
            five,
            va_text: String::new(),
            va_error: None,
            kind: AccessKind::Read,
            user: true,
            va: 0,
            last: None,
            build_error,
        }
    }

    fn access(&self) -> Access {
        if self.user {
            Access::user(self.kind)
        } else {
            Access::kernel(self.kind)
        }
    }

    fn lookup(&mut self) {
        let Ok(va) = parse_va(&self.va_text) else {
            return;
        };
        let access = self.access();
        let space = Rc::make_mut(&mut self.space);
        let fmt = space.format.clone();
        self.last = Some(self.tlb.translate(&fmt, &mut space.mem, va, &access));
        self.va = va;
    }


    /// The address being edited: the text's, or the last looked up when the text is refused.
    pub fn current_va(&self) -> u64 {
        parse_va(&self.va_text).unwrap_or(self.va)
    }

    /// An edit of the address's bits on the picture: an address that was canonical stays so
    /// (the high bits follow the top address bit, as a program's addresses do); only
    /// [`Action::ToggleSign`] breaks the rule.
    fn edit_va(&mut self, va: u64) {
        let fmt = &self.space.format;
        let vb = fmt.va_bits();
        let va = if vb < 64 && fmt.narrow(self.current_va()).is_some() {
            ((va << (64 - vb)) as i64 >> (64 - vb)) as u64
        } else {
            va
        };
        self.set_va(va);
    }

    fn set_va(&mut self, va: u64) {
        self.va_text = format!("{va:#x}");
        self.va_error = None;
        self.lookup();
    }

    /// The walk of the address without touching the TLB or the A/D bits (for the bit diagram
    /// and a walk to show after a TLB hit).
    pub fn inspect(&self) -> Option<youcpu_core::paging::Walk> {
        let va = parse_va(&self.va_text).ok()?;
        let mut mem = self.space.mem.clone();
        Some(walk(
            &self.space.format,
            &mut mem,
            self.space.root,
            va,
            &Access::inspect(),
        ))
    }


}

impl UrlState for State {
    const PREFIX: &'static str = "pw-";

    /// Builds the state a link describes.
    fn from_query(q: &Query) -> Self {
        let mut s = State::default();
        let get = |k: &str| q.text(k);
        if get("levels").as_deref() == Some("5") {
            s.apply(Action::FiveLevel(true));
        }
        match get("access").as_deref() {
            Some("write") => s.kind = AccessKind::Write,
            Some("fetch") => s.kind = AccessKind::Fetch,
            _ => {}
        }
        if get("mode").as_deref() == Some("kernel") {
            s.user = false;
        }
        match get("va") {
            Some(v) => s.apply(Action::Va(v)),
            None => s.apply(Action::Again),
        }
        // A link shows the walk as a first access would: an empty TLB.
        s.tlb = Tlb::new(TLB_SIZE, s.space.root);
        s.lookup();
        s
    }

    /// The keys that reproduce this state (address, access, mode, levels).
    fn to_query(&self) -> Vec<(String, String)> {
        let d = State::default();
        let mut out = Vec::new();
        if self.va_text != d.va_text {
            out.push(("va".into(), self.va_text.clone()));
        }
        if self.kind != d.kind {
            let k = match self.kind {
                AccessKind::Read => "read",
                AccessKind::Write => "write",
                AccessKind::Fetch => "fetch",
            };
            out.push(("access".into(), k.into()));
        }
        if self.user != d.user {
            out.push(("mode".into(), "kernel".into()));
        }
        if self.five {
            out.push(("levels".into(), "5".into()));
        }
        out
    }
}

impl Apply for State {
    type Action = Action;

    /// Applies one action.
    fn apply(&mut self, a: Action) {
        match a {
            Action::Reset => *self = State::default(),
            Action::Va(t) => {
                self.va_text = t.chars().take(64).collect();
                self.va_error = parse_va(&self.va_text).err();
                self.lookup();
            }
            Action::Kind(k) => {
                self.kind = k;
                self.lookup();
            }
            Action::User(u) => {
                self.user = u;
                self.lookup();
            }
            Action::FiveLevel(f) => {
                let keep = (self.va_text.clone(), self.kind, self.user);
                *self = State::empty(f);
                (self.va_text, self.kind, self.user) = keep;
                self.va_error = parse_va(&self.va_text).err();
                self.lookup();
            }
            Action::Again => self.lookup(),
            Action::FlipBit(b) if b < 64 => self.edit_va(self.current_va() ^ (1u64 << b)),
            Action::FlipBit(_) => {}
            Action::SetBits { lo, width, value } if lo < 64 && width >= 1 && lo + width <= 64 => {
                let m = youcpu_core::paging::format::mask(width) << lo;
                self.edit_va((self.current_va() & !m) | ((value << lo) & m));
            }
            Action::SetBits { .. } => {}
            Action::AddBits { lo, width, delta } if lo < 64 && (1..=32).contains(&width) && lo + width <= 64 => {
                let max = youcpu_core::paging::format::mask(width);
                let now = (self.current_va() >> lo) & max;
                let value = (now as i64).saturating_add(delta).clamp(0, max as i64) as u64;
                self.apply(Action::SetBits { lo, width, value });
            }
            Action::AddBits { .. } => {}
            Action::ToggleSign => {
                let va = self.current_va();
                let fmt = &self.space.format;
                let vb = fmt.va_bits();
                if vb < 64 {
                    let high = !youcpu_core::paging::format::mask(vb);
                    let new = match fmt.narrow(va) {
                        // Canonical: break it by flipping every high bit.
                        Some(_) => va ^ high,
                        // Not canonical: copy the top address bit into the high bits again.
                        None => ((va << (64 - vb)) as i64 >> (64 - vb)) as u64,
                    };
                    self.set_va(new);
                }
            }
            Action::Flush => {
                let root = self.tlb.root_pfn;
                self.tlb.write_cr3(root);
            }
            Action::Preset(i) => {
                if let Some(p) = PRESETS.get(i) {
                    self.va_text = format!("{:#x}", p.va);
                    self.va_error = None;
                    self.kind = p.kind;
                    self.user = p.user;
                    self.lookup();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use youcpu_core::paging::FaultKind;

    fn outcome(s: &State) -> Result<u64, FaultKind> {
        s.last
            .as_ref()
            .expect("a lookup")
            .result
            .map_err(|f| f.kind)
    }

    #[test]
    fn the_stack_variable_translates_through_four_tables() {
        let s = State::default();
        assert_eq!(outcome(&s), Ok(0x3b1_000 + 0xb40));
        let l = s.last.as_ref().expect("lookup");
        assert!(!l.tlb_hit);
        assert_eq!(l.walk.as_ref().map(|w| w.steps.len()), Some(4));
        assert_eq!(
            l.walk.as_ref().map(|w| w.indices.clone()),
            Some(vec![0xff, 0x1f4, 0xe1, 0xa3])
        );
    }

    #[test]
    fn the_second_access_hits_the_tlb_until_cr3_is_written() {
        let mut s = State::default();
        s.apply(Action::Again);
        assert!(s.last.as_ref().is_some_and(|l| l.tlb_hit));
        s.apply(Action::Flush);
        s.apply(Action::Again);
        assert!(s.last.as_ref().is_some_and(|l| !l.tlb_hit));
    }

    #[test]
    fn every_preset_gives_the_expected_outcome() {
        let want: [Result<u64, FaultKind>; 11] = [
            Ok(0x3b1b40),
            Ok(0x2a3234),
            Err(FaultKind::WriteProtected),
            Err(FaultKind::NoExecute),
            Ok(0x2a7010),
            Ok(0x4000_0000 + 0x3456_789a - 0x3440_0000),
            Ok(0x20_0000 * 0x1000 + 0x1234_5678),
            Err(FaultKind::UserSupervisor),
            Ok(0x100_040),
            Err(FaultKind::NotPresent),
            Err(FaultKind::NonCanonical),
        ];
        for five in [false, true] {
            let mut s = State::default();
            s.apply(Action::FiveLevel(five));
            for (i, w) in want.iter().enumerate() {
                s.apply(Action::Preset(i));
                // 0x0000_8000_0000_0000 is canonical with 57-bit addresses, and unmapped.
                let w = if five && i == 10 {
                    Err(FaultKind::NotPresent)
                } else {
                    *w
                };
                assert_eq!(
                    outcome(&s),
                    w,
                    "{} ({}-level)",
                    PRESETS[i].name,
                    if five { 5 } else { 4 }
                );
            }
        }
    }

    #[test]
    fn five_levels_walk_five_tables() {
        let mut s = State::default();
        s.apply(Action::FiveLevel(true));
        assert_eq!(
            s.last
                .as_ref()
                .and_then(|l| l.walk.as_ref())
                .map(|w| w.steps.len()),
            Some(5)
        );
    }

    #[test]
    fn junk_addresses_are_messages() {
        let mut s = State::default();
        for junk in ["", "0x", "xyz", "0x1_0000_0000_0000_0000", "-1", "١٢"] {
            s.apply(Action::Va(junk.into()));
            assert!(s.va_error.is_some(), "{junk:?}");
        }
        s.apply(Action::Va("0x7ffd_1c2a_3b40".into()));
        assert!(s.va_error.is_none());
    }

    #[test]
    fn query_round_trip() {
        let mut s = State::default();
        s.apply(Action::FiveLevel(true));
        s.apply(Action::Preset(7));
        let back = State::from_query(&s.to_query().into());
        assert_eq!(back.va_text, s.va_text);
        assert_eq!(back.five, s.five);
        assert_eq!(
            back.last.as_ref().map(|l| l.result),
            s.last.as_ref().map(|l| l.result)
        );
    }
}
