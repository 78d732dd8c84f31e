//! Demand paging as a picture: the process's address space as a bar of regions in address
//! order (the program's segments, the heap, the file mappings, the stack, the gaps between them
//! and the kernel's half at the end), each region's pages as cells that fill in as they are
//! faulted in, and below, the frames they landed in (the shared zero page, private frames, the
//! page cache), a line from each present page to its frame.
//!
//! [`layout`] is a pure function of the memory model (`vm::System`), tested natively, and
//! drawn by the widget (where a click on a page touches it) and by the Part 5 figure.

use crate::ui::svg::{rect, text};
use yew::prelude::*;
use youcpu_core::vm::{FrameUse, System, VmaKind};

/// Bytes in a page.
const PAGE: u64 = 4096;

/// What a block of the bar is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// A region (VMA) of the process.
    Region,
    /// Addresses no region covers.
    Gap,
    /// The kernel's half of the address space.
    Kernel,
}

pub use crate::ui::svg::Rect;

/// A page of a region.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Its first address.
    pub page: u64,
    /// Its frame, if present.
    pub frame: Option<u64>,
    /// Writable in the page table.
    pub writable: bool,
    /// Swapped out.
    pub swapped: bool,
    /// The page the last operation touched.
    pub lit: bool,
    /// Where it is drawn.
    pub r: Rect,
}

/// A region, gap or the kernel, with its pages.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// Region, gap or kernel.
    pub kind: BlockKind,
    /// Its name (`hello`, `[heap]`, `notes.txt`, `[stack]`, `gap`, `kernel`).
    pub name: String,
    /// First address.
    pub start: u64,
    /// One past the last.
    pub end: u64,
    /// Permissions (`r-xp`), empty for gaps.
    pub perms: String,
    /// The address a click (or Enter) on the block itself touches.
    pub touch: u64,
    /// The box.
    pub r: Rect,
    /// Its pages (regions only).
    pub cells: Vec<Cell>,
    /// The last operation touched it.
    pub lit: bool,
}

/// What a frame holds, for this picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holds {
    /// The shared page of zeros.
    Zero,
    /// A page-cache page of the file.
    Cache,
    /// A private copy of file data.
    FileCopy,
    /// Private anonymous memory (heap, stack, BSS).
    Anon,
}

impl Holds {
    /// A word for the frame.
    pub fn word(self) -> &'static str {
        match self {
            Holds::Zero => "zero",
            Holds::Cache => "cache",
            Holds::FileCopy => "copy",
            Holds::Anon => "anon",
        }
    }
}

/// A frame of physical memory that a page of the process maps.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameBox {
    /// Its number.
    pub frame: u64,
    /// What it holds.
    pub holds: Holds,
    /// Pages of the process that map it.
    pub pages: usize,
    /// The last operation's page maps it.
    pub lit: bool,
    /// The box.
    pub r: Rect,
}

/// The line from a present page to its frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The page: (block, cell).
    pub cell: (usize, usize),
    /// The frame (index into the frames).
    pub frame: usize,
    /// The last operation's page.
    pub lit: bool,
    /// Its way: down between the pages and the blocks, along the spaces between the bar's
    /// rows, then straight to the frame across the free band above the frames.
    pub pts: Vec<(f64, f64)>,
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    /// viewBox width.
    pub width: f64,
    /// viewBox height.
    pub height: f64,
    /// The bar's blocks in address order.
    pub blocks: Vec<Block>,
    /// The frames below.
    pub frames: Vec<FrameBox>,
    /// Lines from a cell to its frame.
    pub links: Vec<Link>,
    /// Where the frames' heading is drawn.
    pub frames_y: f64,
    /// The lines of the frames' legend.
    pub legend: Vec<String>,
    /// The picture in words.
    pub desc: String,
}

/// Size of a page cell.
const CELL: f64 = 15.0;
/// Cells per row in a region block.
const COLS: usize = 8;
/// Margin.
const M: f64 = 8.0;
/// Space between two blocks of a row, and between two rows: the lines from the pages to their
/// frames run in them.
const GAP: f64 = 8.0;
/// See [`GAP`].
const ROW_GAP: f64 = 12.0;

/// Lays out the address space of `pid` in `sys`; `last` is the address the last operation
/// touched (lit), `headline` what happened.
pub fn layout(
    sys: &System,
    pid: u32,
    last: Option<u64>,
    headline: &str,
    narrow: bool,
) -> Picture {
    let width = if narrow { 340.0 } else { 680.0 };
    let mapped = sys.mapped_pages(pid);
    let swapped = sys.swapped_pages(pid);
    let last_page = last.map(|v| v & !(PAGE - 1));
    let mut blocks: Vec<Block> = Vec::new();
    let vmas = sys.process(pid).map(|p| p.vmas.clone()).unwrap_or_default();
    let mut prev_end: Option<u64> = None;
    for v in &vmas {
        if let Some(e) = prev_end.filter(|&e| e < v.start) {
            // The gap just below the stack is where the stack grows; elsewhere a touch faults.
            let touch = if v.kind == VmaKind::Stack {
                v.start - 8
            } else {
                e
            };
            blocks.push(Block {
                kind: BlockKind::Gap,
                name: "gap".into(),
                start: e,
                end: v.start,
                perms: String::new(),
                touch,
                r: Rect::default(),
                cells: Vec::new(),
                lit: last.is_some_and(|a| a >= e && a < v.start),
            });
        }
        let name = match &v.kind {
            VmaKind::Stack => "[stack]".to_string(),
            VmaKind::Brk => "[heap]".to_string(),
            VmaKind::Anon if v.name.is_empty() => "bss".to_string(),
            _ => v.name.clone(),
        };
        let cells = (v.start / PAGE..v.end.div_ceil(PAGE))
            .map(|p| {
                let page = p * PAGE;
                let m = mapped.iter().find(|m| m.page == page);
                Cell {
                    page,
                    frame: m.map(|m| m.frame),
                    writable: m.is_some_and(|m| m.writable),
                    swapped: swapped.iter().any(|&(sp, _)| sp == page),
                    lit: last_page == Some(page),
                    r: Rect {
                        x: 0.0,
                        y: 0.0,
                        w: CELL,
                        h: CELL,
                    },
                }
            })
            .collect::<Vec<_>>();
        let touch = cells
            .iter()
            .find(|c| c.frame.is_none())
            .or(cells.first())
            .map_or(v.start, |c| c.page.max(v.start));
        blocks.push(Block {
            kind: BlockKind::Region,
            name,
            start: v.start,
            end: v.end,
            perms: v.perms(),
            touch,
            r: Rect::default(),
            lit: cells.iter().any(|c| c.lit),
            cells,
        });
        prev_end = Some(v.end);
    }
    let kva = youcpu_core::vm::system::KERNEL_VA;
    blocks.push(Block {
        kind: BlockKind::Kernel,
        name: "kernel".into(),
        start: kva,
        end: u64::MAX,
        perms: String::new(),
        touch: kva,
        r: Rect::default(),
        cells: Vec::new(),
        lit: last.is_some_and(|a| a >= 0xffff_8000_0000_0000),
    });

    // Flow the blocks left to right, wrapping; a region is a grid of cells under its name.
    // `rows` keeps each row's bottom and its blocks' indices, for the lines' way down.
    let (mut x, mut y, mut row_h) = (M, 8.0, 0.0f64);
    let mut rows: Vec<(f64, Vec<usize>)> = Vec::new();
    for (bi, b) in blocks.iter_mut().enumerate() {
        let (w, h) = match b.kind {
            BlockKind::Region => {
                let n = b.cells.len().max(1);
                let cols = n.min(COLS);
                let rows = n.div_ceil(COLS);
                let w = (cols as f64 * (CELL + 2.0) + 8.0).max(76.0);
                (w, 34.0 + rows as f64 * (CELL + 2.0) + 4.0)
            }
            // Wide enough to be a 44 px touch target on a phone.
            BlockKind::Gap => (48.0, 56.0),
            BlockKind::Kernel => (52.0, 56.0),
        };
        let wrap = x > M && x + w > width - M;
        if wrap {
            x = M;
            y += row_h + ROW_GAP;
            row_h = 0.0;
        }
        if wrap || rows.is_empty() {
            rows.push((y, Vec::new()));
        }
        if let Some(row) = rows.last_mut() {
            row.1.push(bi);
            row.0 = row.0.max(y + h);
        }
        b.r = Rect { x, y, w, h };
        for (i, c) in b.cells.iter_mut().enumerate() {
            c.r.x = x + 5.0 + (i % COLS) as f64 * (CELL + 2.0);
            c.r.y = y + 34.0 + (i / COLS) as f64 * (CELL + 2.0);
        }
        x += w + GAP;
        row_h = row_h.max(h);
    }
    let bar_bottom = y + row_h;

    // The frames, in frame order, below.
    let mut frames: Vec<FrameBox> = Vec::new();
    for b in &blocks {
        for c in &b.cells {
            let Some(f) = c.frame else { continue };
            if let Some(fb) = frames.iter_mut().find(|fb| fb.frame == f) {
                fb.pages += 1;
                fb.lit |= c.lit;
                continue;
            }
            let holds = if f == sys.zero_frame {
                Holds::Zero
            } else if sys.frames.info(f).map(|i| i.0) == Some(FrameUse::PageCache) {
                Holds::Cache
            } else if vmas
                .iter()
                .find(|v| v.contains(c.page))
                .is_some_and(|v| matches!(v.kind, VmaKind::File { .. }))
            {
                Holds::FileCopy
            } else {
                Holds::Anon
            };
            let at = frames.iter().position(|fb| fb.frame > f).unwrap_or(frames.len());
            frames.insert(at, FrameBox {
                frame: f,
                holds,
                pages: 1,
                lit: c.lit,
                r: Rect::default(),
            });
        }
    }
    // Room for the lines from the pages down to their frames (none without frames).
    let top = bar_bottom + if mapped.is_empty() { 6.0 } else { 50.0 };
    let legend: Vec<String> = if narrow {
        vec![
            "zero: the shared zero page; cache: page cache".into(),
            "copy: private copy of a file page; anon: zeroed".into(),
        ]
    } else {
        vec!["zero: the shared zero page · cache: the page cache · copy: a private copy of a file page · anon: zero-filled".into()]
    };

    let (fw, fh) = (44.0, 32.0);
    let per_row = (((width - 2.0 * M) + 4.0) / (fw + 4.0)).floor().max(1.0) as usize;
    for (i, f) in frames.iter_mut().enumerate() {
        f.r = Rect {
            x: M + (i % per_row) as f64 * (fw + 4.0),
            y: top + (i / per_row) as f64 * (fh + 6.0),
            w: fw,
            h: fh,
        };
    }
    let mut links = Vec::new();
    for (bi, b) in blocks.iter().enumerate() {
        for (ci, c) in b.cells.iter().enumerate() {
            if let Some(fi) = c
                .frame
                .and_then(|f| frames.iter().position(|fb| fb.frame == f))
            {
                let to = frames[fi].r;
                let pts = route(&blocks, &rows, (bi, ci), links.len(), bar_bottom, (to.x + to.w / 2.0, to.y), width);
                links.push(Link {
                    cell: (bi, ci),
                    frame: fi,
                    lit: c.lit,
                    pts,
                });
            }
        }
    }
    // The frames' heading and legend go under them, clear of the lines coming down.
    let frames_y = frames.last().map_or(top, |f| f.r.bottom()) + 18.0;
    let height = frames_y + 14.0 * legend.len() as f64 + M;
    let desc = describe(&blocks, &frames, headline, last);
    Picture {
        width,
        height,
        blocks,
        frames,
        links,
        frames_y,
        legend,
        desc,
    }
}

/// The way of the `k`th line from page `(bi, ci)` down to the top of its frame `to`, crossing
/// no text: out of the page's block (between the columns of pages when a marked page lies
/// below it), along the space under each row of the bar to the free stretch of the next row
/// (left of its first block, between two, or right of its last) nearest the way to the frame,
/// down through it, and from under the bar straight to the frame. Lines sharing a space are
/// set 2 units apart by `k`.
fn route(blocks: &[Block], rows: &[(f64, Vec<usize>)], (bi, ci): (usize, usize), k: usize, bar_bottom: f64, to: (f64, f64), width: f64) -> Vec<(f64, f64)> {
    let (Some(b), Some(row)) = (blocks.get(bi), rows.iter().position(|r| r.1.contains(&bi))) else {
        return Vec::new();
    };
    let Some(c) = b.cells.get(ci) else { return Vec::new() };
    let off = (k % 3) as f64 * 2.0 - 2.0;
    let marked_below = b.cells.iter().skip(ci + COLS).step_by(COLS).any(|d| d.frame.is_some() || d.swapped);
    let mut x = if marked_below { c.r.right() + 1.0 } else { c.r.x + c.r.w / 2.0 };
    let mut pts = vec![(x, c.r.bottom())];
    for r in row + 1..rows.len() {
        let gy = rows[r - 1].0 + ROW_GAP / 2.0 + off;
        // The free stretches of row r, each as (from, to), 2 units clear of the blocks.
        let mut free = Vec::new();
        let mut left = 2.0;
        for b in rows[r].1.iter().filter_map(|&i| blocks.get(i)) {
            free.push((left, b.r.x - 2.0));
            left = b.r.right() + 2.0;
        }
        free.push((left, width - 2.0));
        // The point of each nearest to x, then the one that costs least on the way to `to`.
        let cost = |g: f64| (g - x).abs() + (g - to.0).abs();
        let Some(g) = free
            .iter()
            .filter(|(a, b)| b >= a)
            .map(|&(a, b)| (x.clamp(a, b) + off).clamp(a, b))
            .reduce(|best, g| if cost(g) < cost(best) { g } else { best })
        else {
            continue;
        };
        pts.push((x, gy));
        pts.push((g, gy));
        x = g;
    }
    pts.push((x, bar_bottom + 4.0));
    pts.push(to);
    pts
}

fn describe(blocks: &[Block], frames: &[FrameBox], headline: &str, last: Option<u64>) -> String {
    let regions: Vec<String> = blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Region)
        .map(|b| {
            let present = b.cells.iter().filter(|c| c.frame.is_some()).count();
            let swapped = b.cells.iter().filter(|c| c.swapped).count();
            let mut s = format!(
                "{} ({}, {:#x} to {:#x}): {} of {} pages present",
                b.name,
                b.perms,
                b.start,
                b.end,
                present,
                b.cells.len()
            );
            if swapped > 0 {
                s.push_str(&format!(", {swapped} in swap"));
            }
            s
        })
        .collect();
    let count = |h: Holds| frames.iter().filter(|f| f.holds == h).count();
    let mut s = format!(
        "The address space of pid 1, in address order: {}; then the kernel's half, which user mode may not touch. The present pages use {} frames: {} shared zero page, {} page-cache frames of the file, {} private copies of file pages and {} anonymous frames.",
        regions.join("; "),
        frames.len(),
        count(Holds::Zero),
        count(Holds::Cache),
        count(Holds::FileCopy),
        count(Holds::Anon)
    );
    match last {
        Some(a) => s.push_str(&format!(" Last touch at {a:#x}: {headline}.")),
        None => s.push_str(&format!(" Last: {headline}.")),
    }
    s
}

/// A short address for a label: `400000`, `7fffffffe000`.
fn short_addr(a: u64) -> String {
    format!("{a:x}")
}

/// Draws the picture's shapes. When `interactive`, each block is focusable and it and each
/// page carry the address a click touches (`data-va`, hex), read by the widget's one handler.
pub fn shapes(p: &Picture, interactive: bool) -> Html {
    let va = |a: u64| interactive.then(|| format!("{a:x}"));
    let blocks: Html = p
        .blocks
        .iter()
        .map(|b| {
            let r = b.r;
            let region = b.kind == BlockKind::Region;
            // A lit block is outlined (dp-lit), not filled: its lit page is the one filled.
            let look = match (region, b.lit) {
                (_, true) => "dp-lit",
                (true, false) => "",
                _ => "d-dim",
            };
            let present = b.cells.iter().filter(|c| c.frame.is_some()).count();
            let label = interactive.then(|| match b.kind {
                BlockKind::Region => format!(
                    "{} {}, {} to {}, {} of {} pages present. Enter touches {:#x}.",
                    b.name,
                    b.perms,
                    short_addr(b.start),
                    short_addr(b.end),
                    present,
                    b.cells.len(),
                    b.touch
                ),
                BlockKind::Gap => format!(
                    "Unmapped gap {} to {}. Enter touches {:#x}.",
                    short_addr(b.start),
                    short_addr(b.end),
                    b.touch
                ),
                BlockKind::Kernel => format!("Kernel memory. Enter touches {:#x}.", b.touch),
            });
            let cells: Html = b
                .cells
                .iter()
                .map(|c| {
                    let (cls, mark) = match (c.frame, c.swapped) {
                        (Some(_), _) if c.writable => ("d-box-2 dp-present", "w"),
                        (Some(_), _) => ("d-box-2 dp-present", "r"),
                        (None, true) => ("d-box dp-swapped", "s"),
                        (None, false) => ("d-box dp-absent", ""),
                    };
                    let cr = c.r;
                    html! {
                        <g class={if c.lit { "dp-cell d-hl" } else { "dp-cell" }} data-va={va(c.page.max(b.start))}
                            data-present={interactive.then(|| c.frame.is_some().to_string())}>
                            { rect(cr.x, cr.y, cr.w, cr.h, cls) }
                            { text(cr.x + cr.w / 2.0, cr.y + 11.5, "middle", "d-small dp-mark", mark) }
                        </g>
                    }
                })
                .collect();
            let (sub, sx, sy, sa) = match b.kind {
                BlockKind::Region => (b.perms.as_str(), r.x + 5.0, r.y + 26.0, "start"),
                BlockKind::Gap => ("…", r.x + r.w / 2.0, r.y + 40.0, "middle"),
                BlockKind::Kernel => ("ring 0", r.x + r.w / 2.0, r.y + 40.0, "middle"),
            };
            html! {
                <g class={format!("dp-block {look}")} data-block={b.name.clone()} data-va={va(b.touch)}>
                    { rect(r.x, r.y, r.w, r.h, if region { "d-box" } else { "d-frame" }) }
                    { text(r.x + 5.0, r.y + 13.0, "start", "d-title dp-name", b.name.clone()) }
                    { text(sx, sy, sa, "d-small", sub.to_string()) }
                    { cells }
                    if let Some(label) = label {
                        // The control for the keyboard: a shape with no text of its own, so its
                        // name is its label alone; the pointer passes through it to the pages.
                        <rect x={crate::ui::svg::num(r.x - 2.0)} y={crate::ui::svg::num(r.y - 2.0)}
                            width={crate::ui::svg::num(r.w + 4.0)} height={crate::ui::svg::num(r.h + 4.0)} rx="4"
                            class="dp-focus" tabindex="0" role="button" aria-label={label} data-va={va(b.touch)} />
                    }
                </g>
            }
        })
        .collect();
    let links: Html = p
        .links
        .iter()
        .map(|l| {
            let pts: Vec<String> = l.pts.iter().map(|(x, y)| format!("{},{}", crate::ui::svg::num(*x), crate::ui::svg::num(*y))).collect();
            html! {
                <g class={if l.lit { "dp-link d-hl" } else { "dp-link" }}>
                    <polyline points={pts.join(" ")} class="d-line" fill="none" />
                </g>
            }
        })
        .collect();
    let frames: Html = p
        .frames
        .iter()
        .map(|f| {
            let r = f.r;
            html! {
                <g class={format!("dp-frame dp-{}{}", f.holds.word(), if f.lit { " d-hl" } else { "" })} data-frame={interactive.then(|| format!("{:#x}", f.frame))}>
                    { rect(r.x, r.y, r.w, r.h, if f.holds == Holds::Zero { "d-box-2" } else { "d-box" }) }
                    { text(r.x + r.w / 2.0, r.y + 13.0, "middle", "d-mono", format!("{:x}", f.frame)) }
                    { text(r.x + r.w / 2.0, r.y + 26.0, "middle", "d-small", f.holds.word()) }
                </g>
            }
        })
        .collect();
    let head = if p.frames.is_empty() {
        "Frames of RAM: none yet, no page is present".to_string()
    } else {
        format!("Frames of RAM ({}) that its pages map", p.frames.len())
    };
    html! {
        <>
            <g class="dp-links">{ links }</g>
            <g class="dp-bar" data-testid={interactive.then_some("dp-bar")}>{ blocks }</g>
            { text(M, p.frames_y, "start", "d-title", head) }
            { for p.legend.iter().enumerate().map(|(i, l)| text(M, p.frames_y + 15.0 + 14.0 * i as f64, "start", "d-small", l.clone())) }
            <g class="dp-frames">{ frames }</g>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Apply;
    use crate::widgets::demand_paging::state::{Action, Op, State, Target, PID};

    fn pic(s: &State, narrow: bool) -> Picture {
        let sys = s.sys.as_ref().expect("booted");
        let (last, head) = match s.last.as_ref() {
            Ok(o) => (o.va, o.headline.clone()),
            Err(e) => (None, e.clone()),
        };
        layout(sys, PID, last, &head, narrow)
    }

    fn fits(p: &Picture) {
        let ok = |r: Rect| r.x >= 0.0 && r.y >= 0.0 && r.right() <= p.width + 0.01 && r.bottom() <= p.height + 0.01;
        for b in &p.blocks {
            assert!(ok(b.r), "{}: {:?} in {}x{}", b.name, b.r, p.width, p.height);
            for c in &b.cells {
                assert!(ok(c.r), "cell {:#x}", c.page);
                assert!(c.r.x >= b.r.x && c.r.right() <= b.r.right() && c.r.bottom() <= b.r.bottom());
            }
        }
        for f in &p.frames {
            assert!(ok(f.r), "frame {:#x}", f.frame);
        }
    }

    #[test]
    fn boot_shows_the_regions_with_no_page_and_the_kernel_at_the_end() {
        let s = State::default();
        for narrow in [false, true] {
            let p = pic(&s, narrow);
            fits(&p);
            assert!(p.blocks.iter().any(|b| b.name == "[stack]"));
            assert_eq!(p.blocks.last().map(|b| b.kind), Some(BlockKind::Kernel));
            assert!(p.desc.contains("[stack]"), "{}", p.desc);
        }
    }

    #[test]
    fn a_touch_lights_its_page_and_its_frame_and_a_second_mapping_shares_the_cache() {
        let mut s = State::default();
        for op in [Op::Brk, Op::Read(Target::HeapStart)] {
            s.apply(Action::Do(op));
        }
        let p = pic(&s, false);
        fits(&p);
        let heap = p.blocks.iter().find(|b| b.name == "[heap]").expect("heap");
        assert!(heap.lit && heap.cells[0].lit && heap.cells[0].frame.is_some());
        let zero = p.frames.iter().find(|f| f.holds == Holds::Zero).expect("zero page");
        assert!(zero.lit);
        assert!(p.links.iter().any(|l| l.lit && p.frames[l.frame].holds == Holds::Zero));
        // A write gives the page a private frame instead.
        s.apply(Action::Do(Op::Write(Target::HeapStart)));
        let p2 = pic(&s, true);
        fits(&p2);
        assert!(p2.frames.iter().any(|f| f.lit && f.holds == Holds::Anon));
        assert_ne!(p.desc, p2.desc);
        // The file mapped twice and read through both: one page-cache frame, two pages on it.
        for op in [Op::Mmap, Op::Read(Target::File), Op::Mmap, Op::Read(Target::File)] {
            s.apply(Action::Do(op));
        }
        let p3 = pic(&s, false);
        fits(&p3);
        let cache: Vec<_> = p3.frames.iter().filter(|f| f.holds == Holds::Cache).collect();
        assert_eq!(cache.len(), 1);
        assert_eq!(cache[0].pages, 2);
    }

    #[test]
    fn the_lines_to_the_frames_go_round_the_other_blocks_and_the_marked_pages() {
        let mut s = State::default();
        for op in [
            Op::Brk,
            Op::Read(Target::HeapStart),
            Op::Write(Target::HeapEnd),
            Op::Write(Target::StackTop),
            Op::Mmap,
            Op::Read(Target::File),
            Op::Mmap,
            Op::Read(Target::File),
            Op::Write(Target::File),
        ] {
            s.apply(Action::Do(op));
        }
        for narrow in [false, true] {
            let p = pic(&s, narrow);
            assert!(p.links.len() >= 5, "{}", p.links.len());
            let inside = |r: Rect, (x, y): (f64, f64)| x > r.x + 0.5 && x < r.right() - 0.5 && y > r.y + 0.5 && y < r.bottom() - 0.5;
            for l in &p.links {
                let (bi, ci) = l.cell;
                assert_eq!(l.pts.last(), Some(&(p.frames[l.frame].r.x + 22.0, p.frames[l.frame].r.y)));
                for seg in l.pts.windows(2) {
                    for t in 0..=20 {
                        let f = f64::from(t) / 20.0;
                        let pt = (seg[0].0 + (seg[1].0 - seg[0].0) * f, seg[0].1 + (seg[1].1 - seg[0].1) * f);
                        for (i, b) in p.blocks.iter().enumerate() {
                            assert!(i == bi || !inside(b.r, pt), "narrow {narrow}: the line from {bi}/{ci} crosses {} at {pt:?}", b.name);
                            for (j, c) in b.cells.iter().enumerate() {
                                let marked = c.frame.is_some() || c.swapped;
                                assert!((i, j) == (bi, ci) || !marked || !inside(c.r, pt), "narrow {narrow}: the line from {bi}/{ci} crosses page {:#x}", c.page);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_click_on_a_page_or_a_gap_touches_that_address() {
        let mut s = State::default();
        let p = pic(&s, false);
        let stack = p.blocks.iter().find(|b| b.name == "[stack]").expect("stack");
        let top = stack.cells.last().expect("a page").page;
        s.apply(Action::Do(Op::At(true, top)));
        assert_eq!(s.last.as_ref().as_ref().map(|o| o.headline.as_str()), Ok("fault: new zeroed frame"));
        let p = pic(&s, false);
        assert!(p.blocks.iter().find(|b| b.name == "[stack]").is_some_and(|b| b.cells.last().is_some_and(|c| c.lit && c.frame.is_some())));
        // The gap below the stack: the stack grows to meet the touch.
        let gap = p.blocks.iter().rev().find(|b| b.kind == BlockKind::Gap).expect("a gap below the stack");
        s.apply(Action::Do(Op::At(false, gap.touch)));
        assert_eq!(s.last.as_ref().as_ref().map(|o| o.headline.as_str()), Ok("fault: stack growth"));
        // The kernel: SIGSEGV.
        let k = pic(&s, false).blocks.last().expect("kernel").touch;
        s.apply(Action::Do(Op::At(false, k)));
        assert_eq!(s.last.as_ref().as_ref().map(|o| o.headline.as_str()), Ok("SIGSEGV"));
        assert!(pic(&s, true).blocks.last().is_some_and(|b| b.lit));
    }
}
