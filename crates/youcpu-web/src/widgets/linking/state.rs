//! The linking widget's model: a static and a dynamic program side by side. The dynamic one and
//! the model `libc.so.6` are written here (small ELF files with PT_INTERP, PT_DYNAMIC and
//! DT_NEEDED); both programs go through the core's loader (`youcpu_core::loader::load`), and the
//! library is placed where ld.so's `mmap` would put it: the next free range below the loader,
//! top-down. The reader picks how many processes run the dynamic program. A pure reducer.

use crate::widgets::programs::{hello_dynamic, hello_static, model_libc};
use std::rc::Rc;
use crate::ui::{Apply, Query, UrlState};
use youcpu_core::elf::{parse, ElfFile};
use youcpu_core::exec::examples::{tiny_elf, LOADER};
use youcpu_core::linux::mm::{page_up, AddressSpace, STACK_TOP};
use youcpu_core::loader::stack::RANDOM_SEED;
use youcpu_core::elf::names::segment_flags;
use youcpu_core::loader::pages::SegmentPages;
use youcpu_core::loader::steps::perms;
use youcpu_core::loader::{load, ExecArgs, LoadInfo};
use youcpu_core::mmu::Mmu;

/// Most processes the reader can start.
pub const MAX_PROCS: u32 = 8;
const PAGE: u64 = 4096;
/// PF_W (gABI, "Program Header": segment permissions).
const PF_W: u32 = 2;

/// How a region behaves when two processes map it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// Read-only file pages: one copy in the page cache, mapped by every process.
    Shared,
    /// Writable file pages (MAP_PRIVATE): shared until written, then copied per process.
    CopyOnWrite,
    /// Anonymous memory: each process has its own.
    Private,
}

/// One mapped region of a process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// What it is.
    pub what: String,
    /// Start address.
    pub start: u64,
    /// End address.
    pub end: u64,
    /// "r-x" style.
    pub perms: String,
    /// Backing: file and offset, or anonymous.
    pub backing: String,
    /// What two processes share.
    pub sharing: Sharing,
}

impl Region {
    /// Pages.
    pub fn pages(&self) -> u64 {
        self.end.saturating_sub(self.start) / PAGE
    }
}

/// What one file is and what loading it maps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// Title.
    pub name: &'static str,
    /// File size.
    pub size: usize,
    /// Program header types, in order.
    pub segments: Vec<String>,
    /// PT_INTERP.
    pub interp: Option<String>,
    /// DT_NEEDED.
    pub needed: Vec<String>,
    /// Regions mapped when it runs (or why it could not be modelled).
    pub regions: Result<Vec<Region>, String>,
}

/// The regions one segment's pages make (see [`SegmentPages`]): the file pages, shared or
/// copied on write as the segment is writable, then any anonymous BSS pages.
fn segment_regions(out: &mut Vec<Region>, name: &str, what: &str, p: SegmentPages, perms: String, writable: bool) {
    if p.file_end > p.start {
        out.push(Region {
            what: format!("{name} {what}"),
            start: p.start,
            end: p.file_end,
            perms: perms.clone(),
            backing: format!("{name} at offset {:#x}", p.file_offset),
            sharing: if writable {
                Sharing::CopyOnWrite
            } else {
                Sharing::Shared
            },
        });
    }
    if p.has_bss() {
        out.push(Region {
            what: format!("{name} BSS"),
            start: p.file_end,
            end: p.end,
            perms,
            backing: "anonymous (zero pages)".into(),
            sharing: Sharing::Private,
        });
    }
}

fn load_regions(info: &LoadInfo, file: &str) -> Vec<Region> {
    let mut out = Vec::new();
    for s in &info.segments {
        let name = if s.interp { LOADER } else { file };
        segment_regions(&mut out, name, "segment", s.pages(), perms(s.prot), s.prot.write);
    }
    let stack_lo = info.stack.bottom & !(PAGE - 1);
    out.push(Region {
        what: "stack (pages in use)".into(),
        start: stack_lo,
        end: STACK_TOP,
        perms: "rw-".into(),
        backing: "anonymous".into(),
        sharing: Sharing::Private,
    });
    out
}

fn side(name: &'static str, file: &str, bytes: &[u8], with_libc: bool) -> Side {
    let parsed: Result<ElfFile, String> = parse(bytes).map_err(|e| e.to_string());
    let (segments, interp, needed) = match &parsed {
        Ok(e) => (
            e.segments.iter().map(|s| s.type_name.clone()).collect(),
            e.interp.as_ref().map(|i| i.path.clone()),
            e.dynamic
                .as_ref()
                .map(|d| d.needed.iter().map(|n| n.value.clone()).collect())
                .unwrap_or_default(),
        ),
        Err(_) => (Vec::new(), None, Vec::new()),
    };
    let regions = (|| {
        let mut mmu = Mmu::new(16 << 20);
        let mut mm = AddressSpace::new(&mut mmu, None).map_err(|e| e.to_string())?;
        let stub = tiny_elf(3, None);
        let args = ExecArgs {
            argv: vec![file.as_bytes().to_vec()],
            envp: vec![b"HOME=/home/user".to_vec()],
            execfn: file.as_bytes().to_vec(),
            uid: 1000,
            gid: 1000,
            random_seed: RANDOM_SEED,
        };
        let info = load(&mut mmu, &mut mm, bytes, Some(&stub), &args)?;
        let mut regions = load_regions(&info, file);
        if with_libc {
            let lib = model_libc();
            let e = parse(&lib).map_err(|e| e.to_string())?;
            let span = e
                .segments
                .iter()
                .filter(|s| s.is_load())
                .map(|s| page_up(s.vaddr.value.saturating_add(s.memsz.value)))
                .max()
                .unwrap_or(PAGE);
            let base = mm
                .find_free_topdown(span, info.interp_base.max(PAGE))
                .ok_or("no room for libc")?;
            for s in e.segments.iter().filter(|s| s.is_load()) {
                let pages = SegmentPages::of(
                    base + s.vaddr.value,
                    s.filesz.value,
                    s.memsz.value,
                    s.offset.value,
                );
                let flags = s.flags.value;
                segment_regions(
                    &mut regions,
                    "libc.so.6",
                    "segment (mapped by ld.so)",
                    pages,
                    segment_flags(flags),
                    flags & PF_W != 0,
                );
            }
        }
        regions.sort_by_key(|r| r.start);
        Ok::<_, String>(regions)
    })();
    Side {
        name,
        size: bytes.len(),
        segments,
        interp,
        needed,
        regions,
    }
}

/// Builds both sides.
pub fn sides() -> (Side, Side) {
    let stat = match hello_static() {
        Ok(b) => side("static: hello", "./hello", &b, false),
        Err(m) => Side {
            name: "static: hello",
            size: 0,
            segments: Vec::new(),
            interp: None,
            needed: Vec::new(),
            regions: Err(m),
        },
    };
    let dynamic = side("dynamic: hello-dyn", "./hello-dyn", &hello_dynamic(), true);
    (stat, dynamic)
}

/// Pages in memory for `n` processes running a program: shared pages once, the rest per
/// process (copy-on-write pages counted as copied, since ld.so writes them).
pub fn pages_for(regions: &[Region], n: u32) -> (u64, u64) {
    let shared: u64 = regions
        .iter()
        .filter(|r| r.sharing == Sharing::Shared)
        .map(Region::pages)
        .sum();
    let private: u64 = regions
        .iter()
        .filter(|r| r.sharing != Sharing::Shared)
        .map(Region::pages)
        .sum();
    (shared, private * u64::from(n))
}

/// The widget's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// Processes running the dynamic program.
    pub procs: u32,
    /// The two programs.
    pub sides: Rc<(Side, Side)>,
}

/// An action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Set the number of processes (clamped to 1..=MAX_PROCS).
    Procs(u32),
}

impl Default for State {
    fn default() -> Self {
        State {
            procs: 2,
            sides: Rc::new(sides()),
        }
    }
}

impl UrlState for State {
    const PREFIX: &'static str = "ln-";

    /// Builds the state a link describes.
    fn from_query(q: &Query) -> Self {
        let mut s = State::default();
        if let Some(n) = q.get("procs").and_then(|v| v.parse::<u32>().ok()) {
            s.apply(Action::Procs(n));
        }
        s
    }

    /// The keys that reproduce this state.
    fn to_query(&self) -> Vec<(String, String)> {
        if self.procs == 2 {
            Vec::new()
        } else {
            vec![("procs".into(), self.procs.to_string())]
        }
    }
}

impl Apply for State {
    type Action = Action;

    /// Applies one action.
    fn apply(&mut self, a: Action) {
        match a {
            Action::Procs(n) => self.procs = n.clamp(1, MAX_PROCS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_differ_in_interp_and_needed() {
        let (s, d) = sides();
        assert_eq!(s.interp, None);
        assert!(s.needed.is_empty());
        assert_eq!(d.interp.as_deref(), Some(LOADER));
        assert_eq!(d.needed, vec!["libc.so.6".to_string()]);
        assert!(d.segments.iter().any(|t| t == "DYNAMIC"));
        let lib = parse(&model_libc()).expect("libc parses");
        assert_eq!(
            lib.dynamic
                .as_ref()
                .and_then(|d| d.soname.as_ref())
                .map(|s| s.value.as_str()),
            Some("libc.so.6")
        );
    }

    #[test]
    fn dynamic_maps_program_loader_and_libc_without_overlap() {
        let (s, d) = sides();
        let sr = s.regions.expect("static loads");
        assert!(sr.iter().all(|r| !r.what.contains("libc")));
        let dr = d.regions.expect("dynamic loads");
        assert!(dr.iter().any(|r| r.what.starts_with("libc.so.6")));
        assert!(dr.iter().any(|r| r.what.starts_with(LOADER)));
        for w in dr.windows(2) {
            assert!(w[0].end <= w[1].start, "{w:?}");
        }
        // libc's code is shared, its data copy-on-write, its BSS private.
        let lib: Vec<&Region> = dr.iter().filter(|r| r.what.starts_with("libc")).collect();
        assert!(lib
            .iter()
            .any(|r| r.perms == "r-x" && r.sharing == Sharing::Shared));
        assert!(lib.iter().any(|r| r.sharing == Sharing::CopyOnWrite));
        assert!(lib.iter().any(|r| r.sharing == Sharing::Private));
        let (sh1, pr1) = pages_for(&dr, 1);
        let (sh2, pr2) = pages_for(&dr, 2);
        assert_eq!(sh1, sh2);
        assert_eq!(pr2, 2 * pr1);
    }

    #[test]
    fn procs_are_bounded_and_round_trip() {
        let mut s = State::default();
        s.apply(Action::Procs(0));
        assert_eq!(s.procs, 1);
        s.apply(Action::Procs(1000));
        assert_eq!(s.procs, MAX_PROCS);
        assert_eq!(State::from_query(&s.to_query().into()), s);
        assert_eq!(
            State::from_query(&Query::from([("procs", "junk")])),
            State::default()
        );
    }
}
