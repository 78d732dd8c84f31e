//! The ELF pictures: the file as a strip of bytes (ELF header, program headers, section
//! contents, section headers) with each PT_LOAD segment's file bytes bracketed and a line to
//! where the segment lands in the address space (fs/binfmt_elf.c `load_elf_binary` maps each
//! PT_LOAD with `elf_map`, page-aligned, and zero-fills the BSS); and the initial stack as a
//! column of labelled cells, top down, with pointers from argv, envp and the auxiliary vector to
//! the strings and bytes they point at (fs/binfmt_elf.c `create_elf_tables`). Pure functions of
//! the parsed file and the loader's result; the ELF inspector, the ELF loader and the Part 4
//! figures draw the same.

use super::state::{StackEntry, StackKind};
use crate::widgets::exec_draw::{clip, clip_small, order_by, Canvas};
use youcpu_core::elf::ElfFile;

/// The picture's width in viewBox units (legible on a 360 px phone).
pub const W: f64 = 360.0;
const M: f64 = 8.0;
/// The file strip's columns.
const STRIP_X: f64 = 8.0;
const STRIP_W: f64 = 120.0;
/// The address space column.
const MEM_X: f64 = W - M - 150.0;
const MEM_W: f64 = W - MEM_X - M;

/// One PT_LOAD: where its bytes are in the file and where they go in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Load {
    /// File offset of its first byte.
    pub offset: u64,
    /// Bytes in the file.
    pub filesz: u64,
    /// Address of its first byte (with the load bias).
    pub vaddr: u64,
    /// Bytes in memory.
    pub memsz: u64,
    /// "r-x", "rw-", ...
    pub flags: String,
}

/// What the file-to-memory picture shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileMap {
    /// The file's size.
    pub file_len: u64,
    /// Named byte ranges of the file (header, program headers, sections, section headers).
    pub pieces: Vec<(String, u64, u64)>,
    /// The program's PT_LOADs.
    pub loads: Vec<Load>,
    /// Other regions of the address space: (label, start, end).
    pub others: Vec<(String, u64, u64)>,
}

impl FileMap {
    /// The pieces of a parsed file, and its PT_LOADs moved by `bias`.
    pub fn of(e: &ElfFile, bias: u64) -> FileMap {
        let h = &e.header;
        let mut pieces = vec![("ELF header".to_string(), 0, u64::from(h.ehsize.value).max(1))];
        if h.phnum.value > 0 {
            let end = h.phoff.value + u64::from(h.phnum.value) * u64::from(h.phentsize.value);
            pieces.push(("program headers".into(), h.phoff.value, end));
        }
        for s in &e.sections {
            if s.contents.end > s.contents.start && !s.name.is_empty() {
                pieces.push((s.name.clone(), s.contents.start, s.contents.end));
            }
        }
        if h.shnum.value > 0 {
            let end = h.shoff.value + u64::from(h.shnum.value) * u64::from(h.shentsize.value);
            pieces.push(("section headers".into(), h.shoff.value, end));
        }
        pieces.retain(|p| p.2 <= e.size && p.1 < p.2);
        let loads = e
            .segments
            .iter()
            .filter(|s| s.is_load())
            .map(|s| Load {
                offset: s.offset.value,
                filesz: s.filesz.value,
                vaddr: s.vaddr.value.wrapping_add(bias),
                memsz: s.memsz.value,
                flags: s.flags_text.replace(' ', "-"),
            })
            .collect();
        FileMap {
            file_len: e.size,
            pieces,
            loads,
            others: Vec::new(),
        }
    }
}

/// The file cut at every boundary: (start, end, what is there).
fn cuts(m: &FileMap) -> Vec<(u64, u64, String)> {
    let mut at: Vec<u64> = vec![0, m.file_len];
    for p in &m.pieces {
        at.extend([p.1, p.2]);
    }
    for l in &m.loads {
        at.extend([l.offset, l.offset.saturating_add(l.filesz)]);
    }
    at.retain(|&a| a <= m.file_len);
    let mut at: Vec<u64> = order_by(&at).into_iter().map(|i| at[i]).collect();
    at.dedup();
    at.windows(2)
        .map(|w| {
            // The narrowest named piece covering this stretch names it.
            let name = m
                .pieces
                .iter()
                .filter(|p| p.1 <= w[0] && w[1] <= p.2)
                .min_by_key(|p| p.2 - p.1)
                .map_or_else(|| "(padding)".to_string(), |p| p.0.clone());
            (w[0], w[1], name)
        })
        .collect()
}

/// The height a stretch of `len` bytes gets in the strip: larger for more bytes, but a 64-byte
/// header stays readable beside a page of code.
fn piece_h(len: u64) -> f64 {
    (14.0 + 5.0 * ((len as f64 / 64.0) + 1.0).log2()).min(44.0)
}

/// How the map is drawn: which segment is lit (the one just mapped or picked) and how many of
/// the segments are mapped yet (the others are drawn dimmed).
pub struct MapView {
    /// The lit PT_LOAD, by index among the loads.
    pub lit: Option<usize>,
    /// How many loads are mapped.
    pub mapped: usize,
}

/// Draws the file strip and the address space from `y`; returns the y below and a description.
/// Each load is recorded as a clickable part (key = its index).
pub fn file_map(c: &mut Canvas, y: f64, m: &FileMap, v: &MapView) -> (f64, String) {
    c.text(STRIP_X, y + 12.0, "start", "d-title", format!("the file ({} bytes)", m.file_len));
    c.text(MEM_X, y + 12.0, "start", "d-title", "the address space");
    c.text(MEM_X, y + 25.0, "start", "d-small", "high addresses at the top");
    let top = y + 32.0;
    // The strip: one box per stretch of bytes, in file order, top down.
    let mut ys = Vec::new();
    let mut yy = top;
    let pieces = cuts(m);
    for (a, b, name) in &pieces {
        let h = piece_h(b - a);
        let class = if name == "(padding)" { "d-box-2 d-dim" } else { "d-box-2" };
        c.rect(STRIP_X, yy, STRIP_W, h, class);
        if h >= 13.0 {
            c.text(STRIP_X + 4.0, yy + h / 2.0 + 4.0, "start", "d-small", clip(name, 19));
        }
        ys.push((*a, *b, yy, h));
        yy += h;
    }
    let strip_end = yy;
    let y_of = |off: u64| -> f64 {
        for &(a, b, y0, h) in &ys {
            if off >= a && off <= b {
                let f = if b > a { (off - a) as f64 / (b - a) as f64 } else { 0.0 };
                return y0 + f * h;
            }
        }
        strip_end
    };
    // The address space: every region, highest first, with a break between ones not adjacent.
    struct Region {
        label: String,
        sub: String,
        start: u64,
        end: u64,
        load: Option<usize>,
    }
    let mut regions: Vec<Region> = m
        .loads
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let start = l.vaddr & !0xfff;
            let end = (l.vaddr.saturating_add(l.memsz) + 0xfff) & !0xfff;
            let pages = (end - start) / 4096;
            let bss = l.memsz > l.filesz;
            Region {
                label: format!("{} {:#x}", l.flags, start),
                sub: format!(
                    "{pages} page{}{}",
                    if pages == 1 { "" } else { "s" },
                    if bss { ", with BSS" } else { "" }
                ),
                start,
                end,
                load: Some(i),
            }
        })
        .collect();
    for (label, start, end) in &m.others {
        regions.push(Region {
            label: label.clone(),
            sub: format!("{start:#x}"),
            start: *start,
            end: *end,
            load: None,
        });
    }
    let starts: Vec<u64> = regions.iter().map(|r| r.start).collect();
    let regions: Vec<&Region> = order_by(&starts)
        .into_iter()
        .rev()
        .filter_map(|i| regions.get(i))
        .collect();
    let mut ry = top;
    let mut desc = Vec::new();
    let mut prev_start: Option<u64> = None;
    for r in regions {
        if prev_start.is_some_and(|p| p > r.end) {
            c.text(MEM_X + MEM_W / 2.0, ry + 9.0, "middle", "d-small", "⋮ unmapped");
            ry += 14.0;
        }
        let pages = ((r.end.saturating_sub(r.start)) / 4096).clamp(1, 3) as f64;
        let h = 40.0 + 8.0 * pages;
        let mapped = r.load.is_none_or(|i| i < v.mapped);
        let lit = r.load.is_some() && r.load == v.lit;
        let class = match (r.load, mapped) {
            (Some(i), true) => format!("xd-seg{}", i % 4),
            (Some(_), false) => "d-dim".to_string(),
            (None, _) => "d-box-2".to_string(),
        };
        let name = match r.load {
            Some(i) => format!("segment {i}"),
            None => r.label.clone(),
        };
        c.part(name, (MEM_X, ry, MEM_W, h), &class, lit, &r.label, Some(&r.sub));
        if let Some(i) = r.load {
            let l = &m.loads[i];
            // The bracket on the strip and the line to the region.
            let (fy0, fy1) = (y_of(l.offset), y_of(l.offset.saturating_add(l.filesz)));
            let bx = STRIP_X + STRIP_W + 6.0 + 8.0 * (i % 4) as f64;
            let lc = if lit { "d-hl" } else if mapped { "" } else { "d-dim" };
            c.path(&[(STRIP_X + STRIP_W, fy0), (bx, fy0), (bx, fy1), (STRIP_X + STRIP_W, fy1)], &format!("xd-br{} {lc}", i % 4), false);
            c.path(&[(bx, (fy0 + fy1) / 2.0), (MEM_X - 16.0, ry + h / 2.0), (MEM_X, ry + h / 2.0)], &format!("xd-br{} {lc}", i % 4), true);
            c.hit(i, (MEM_X, ry, MEM_W, h), format!("segment {i}: {} at {:#x}, file bytes {}–{}", l.flags, l.vaddr, l.offset, l.offset + l.filesz), lit);
            if mapped {
                desc.push(format!(
                    "file bytes {}–{} ({}) map to {:#x}–{:#x}{}",
                    l.offset,
                    (l.offset + l.filesz).saturating_sub(1),
                    l.flags,
                    r.start,
                    r.end,
                    if l.memsz > l.filesz { format!(", {} bytes of BSS zero-filled", l.memsz - l.filesz) } else { String::new() }
                ));
            }
        } else {
            desc.push(format!("{} at {:#x}", r.label, r.start));
        }
        ry += h + 4.0;
        prev_start = Some(r.start);
    }
    let y_end = strip_end.max(ry) + 4.0;
    if v.mapped == 0 && !m.loads.is_empty() {
        desc.insert(0, "nothing of the file is mapped yet".into());
    }
    let d = format!("The file's {} pieces; {}.", pieces.len(), desc.join("; "));
    (y_end, d)
}

/// Where a stack entry points from, and to: (pointer entry index, target entry index).
fn pointers(entries: &[StackEntry], targets: &[u64]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        // The value: the pointer's 8 bytes, or for auxv the second 8.
        let Some(skip) = e.pointer_at() else { continue };
        let Some(b) = e.bytes.get(skip..skip + 8) else { continue };
        let v = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
        if let Some(j) = entries.iter().position(|t| t.addr == v && targets.contains(&t.addr)) {
            out.push((i, j));
        }
    }
    out
}

/// Draws the initial stack from `y`: every entry as a cell, top (highest address) first, the
/// first `written` entries solid and the rest dimmed, the last written lit, and arrows from each
/// pointer to what it points at. Returns the y below it and a description.
pub fn stack(c: &mut Canvas, y: f64, entries: &[StackEntry], written: usize, sp: u64) -> (f64, String) {
    let (x0, w) = (M + 34.0, W - M - 34.0 - 64.0);
    c.text(M, y + 12.0, "start", "d-title", "the initial stack");
    c.text(x0 + w, y + 12.0, "end", "d-small", format!("top {:#x}", entries.first().map_or(0, |e| e.addr + e.len)));
    let mut yy = y + 20.0;
    let mut cells = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let pad = e.kind == StackKind::Padding;
        let h = if pad { 8.0 } else { 16.0 };
        let done = i < written;
        let class = if pad {
            "d-box-2 d-dim".to_string()
        } else if e.kind == StackKind::Bytes {
            "xd-str".to_string()
        } else if matches!(e.kind, StackKind::Aux(_)) {
            "xd-aux".to_string()
        } else {
            "d-box".to_string()
        };
        let class = if done { class } else { format!("{class} d-dim") };
        let lit = done && i + 1 == written;
        if pad {
            c.rect(x0, yy, w, h, &class);
        } else {
            c.part(format!("stack {i}"), (x0, yy, w, h), &class, lit, "", None);
            c.text(x0 + 4.0, yy + 12.0, "start", "d-small", clip_small(&e.label, w - 8.0));
        }
        if e.addr == sp {
            c.arrow(M, yy + h / 2.0, x0 - 2.0, yy + h / 2.0, "d-hl");
            c.text(M, yy + h / 2.0 - 4.0, "start", "d-small", "RSP");
        }
        cells.push((yy, h));
        yy += h;
    }
    // Pointers: each in its own lane to the right of the column.
    let targets: Vec<u64> = entries.iter().map(|e| e.addr).collect();
    let ptrs = pointers(entries, &targets);
    let lanes = ptrs.len().max(1) as f64;
    let step = ((W - M - (x0 + w) - 6.0) / lanes).min(8.0);
    for (k, (from, to)) in ptrs.iter().enumerate() {
        let (Some(&(fy, fh)), Some(&(ty, th))) = (cells.get(*from), cells.get(*to)) else { continue };
        let lane = x0 + w + 6.0 + step * k as f64;
        let done = *from < written;
        let class = if done { "xd-ptr" } else { "xd-ptr d-dim" };
        c.path(&[(x0 + w, fy + fh / 2.0), (lane, fy + fh / 2.0), (lane, ty + th / 2.0), (x0 + w + 1.0, ty + th / 2.0)], class, true);
    }
    let shown: Vec<&str> = entries
        .iter()
        .take(written)
        .filter(|e| e.kind != StackKind::Padding)
        .map(|e| e.label.as_str())
        .collect();
    let d = if shown.is_empty() {
        format!("The stack is not written yet; it will hold {} entries.", entries.len())
    } else {
        format!(
            "The stack so far, from the top down: {}. {} arrows show pointers to the strings and bytes above.",
            shown.join("; "),
            ptrs.iter().filter(|(f, _)| *f < written).count()
        )
    };
    (yy + 4.0, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Apply;
    use crate::widgets::elf_loader::state::{Action, State, StepKind, EXAMPLES};

    fn draw(s: &State) -> (Canvas, String) {
        let mut c = Canvas::new();
        let shown = s.step.min(s.steps.len());
        let mapped = s.steps[..shown].iter().filter(|x| x.kind == StepKind::Map).count();
        let mut d = String::new();
        let mut y = 0.0;
        if let Some(m) = &s.map {
            let lit = matches!(s.steps.get(shown - 1).map(|x| x.kind), Some(StepKind::Map)).then(|| mapped - 1);
            let (y1, dd) = file_map(&mut c, 0.0, m, &MapView { lit, mapped });
            y = y1;
            d.push_str(&dd);
        }
        let entries: Vec<_> = s.steps.iter().filter_map(|x| x.entry.clone()).collect();
        let written = s.steps[..shown].iter().filter(|x| x.entry.is_some()).count();
        if let Some(info) = &s.info {
            let (_, dd) = stack(&mut c, y, &entries, written, info.stack.sp);
            d.push(' ');
            d.push_str(&dd);
        }
        (c, d)
    }

    #[test]
    fn every_example_fits_the_width_at_every_step() {
        for i in 0..EXAMPLES.len() {
            let mut s = State::default();
            s.apply(Action::Example(i));
            loop {
                let (c, _) = draw(&s);
                assert!(c.max_x <= W && c.min_x >= 0.0, "example {i} step {}: {}..{}", s.step, c.min_x, c.max_x);
                if s.step >= s.steps.len() {
                    break;
                }
                s.apply(Action::Next);
            }
        }
    }

    #[test]
    fn segments_light_as_they_are_mapped_and_the_stack_fills_from_the_top() {
        let mut s = State::default();
        let (c, d) = draw(&s);
        assert!(c.lit().is_empty(), "{:?}", c.lit());
        assert!(d.contains("nothing of the file is mapped yet") && !d.contains("map to"), "{d}");
        s.apply(Action::Next);
        s.apply(Action::Next);
        let (c, d) = draw(&s);
        assert_eq!(c.lit(), ["segment 0"], "{d}");
        assert!(d.contains("r-x"), "{d}");
        s.apply(Action::End);
        let (c, d) = draw(&s);
        assert!(d.contains("argc = 1"), "{d}");
        assert!(d.contains("argv[0] string \"./hello\""), "{d}");
        let last = c.parts.iter().rfind(|p| p.name.starts_with("stack")).expect("cells");
        assert!(last.lit, "the last entry written, argc, is lit");
        // Two PT_LOADs, both mapped and clickable.
        assert_eq!(c.hits.len(), 2);
        assert!(d.contains("arrows show pointers"), "{d}");
    }

    #[test]
    fn argv_pointers_point_at_their_strings() {
        let mut s = State::default();
        s.apply(Action::Argv("./hello\nworld".into()));
        s.apply(Action::End);
        let entries: Vec<_> = s.steps.iter().filter_map(|x| x.entry.clone()).collect();
        let targets: Vec<u64> = entries.iter().map(|e| e.addr).collect();
        let p = pointers(&entries, &targets);
        let names: Vec<(String, String)> = p
            .iter()
            .map(|(f, t)| (entries[*f].label.clone(), entries[*t].label.clone()))
            .collect();
        assert!(names.iter().any(|(f, t)| f == "argv[1] pointer" && t.starts_with("argv[1] string \"world\"")), "{names:?}");
        assert!(names.iter().any(|(f, t)| f.starts_with("auxv: AT_RANDOM") && t.starts_with("16 random")), "{names:?}");
        // argv 2 + envp 2 + execfn, random, platform.
        assert_eq!(p.len(), 7, "{names:?}");
    }
}
