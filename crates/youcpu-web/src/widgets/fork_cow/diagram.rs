//! The fork/copy-on-write picture, as a pure function of the model: one column per process,
//! and for each of its three pages (code, data, stack) a box with a line down to the physical
//! frame it maps, frames shared by several page tables drawn once, between their users, with
//! their reference count. After `fork` every page of the child points at its parent's frame
//! (the PTEs are copied, read-only); the first write to a shared writable page takes a fault
//! and gets its own copy (mm/memory.c `do_wp_page` → `wp_page_copy`), which the picture draws
//! as a new frame under the writer. The geometry is computed here and tested natively; the
//! view only renders it. The figure of Part 6 is drawn by the same [`layout`] and [`draw`].

use super::state::{region_va, Op, Region};
use crate::ui::svg::{line, rect, text};
use crate::widgets::hit::{at, button};
use yew::prelude::*;
use youcpu_core::vm::{FrameUse, ProcState, System};

/// The three pages drawn per process, top to bottom.
pub const REGIONS: [Region; 3] = [Region::Code, Region::Data, Region::Stack];

/// Width of one process's column.
pub const COL_W: f64 = 104.0;
const PAGE_W: f64 = 88.0;
const PAGE_H: f64 = 34.0;
const FRAME_W: f64 = 88.0;
const FRAME_H: f64 = 32.0;
const HEAD_H: f64 = 48.0;
/// Height of one region's band: its title, the pages, the gap the lines cross, the frames.
const BAND_H: f64 = 128.0;

/// One page box.
#[derive(Clone, Debug, PartialEq)]
pub struct PageBox {
    /// The process.
    pub pid: u32,
    /// Which page.
    pub region: Region,
    /// Top-left corner.
    pub x: f64,
    /// Top-left corner.
    pub y: f64,
    /// The frame it maps, if it is mapped.
    pub frame: Option<u64>,
    /// True if its PTE allows writing.
    pub writable: bool,
    /// True if the process is running (a zombie has no pages to click).
    pub live: bool,
    /// True if the last operation touched this page.
    pub lit: bool,
}

/// One frame box, under the pages that map it.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameBox {
    /// The frame number.
    pub frame: u64,
    /// Which band (region) it is drawn in.
    pub region: Region,
    /// Top-left corner.
    pub x: f64,
    /// Top-left corner.
    pub y: f64,
    /// Its reference count (for a page-cache frame, the cache's own reference plus the PTEs).
    pub refs: u32,
    /// True for a page of the file in the page cache.
    pub cache: bool,
    /// The pids whose page here maps it.
    pub users: Vec<u32>,
    /// True if the last operation mapped or touched it.
    pub lit: bool,
}

/// One process's column head.
#[derive(Clone, Debug, PartialEq)]
pub struct Head {
    /// The pid.
    pub pid: u32,
    /// Its program and parent.
    pub name: String,
    /// "running" or "zombie".
    pub state: String,
    /// Left edge of its column.
    pub x: f64,
    /// True if the last operation was this process's fork, exec, exit or wait.
    pub lit: bool,
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    /// viewBox width.
    pub width: f64,
    /// viewBox height.
    pub height: f64,
    /// Column heads.
    pub heads: Vec<Head>,
    /// Pages.
    pub pages: Vec<PageBox>,
    /// Frames.
    pub frames: Vec<FrameBox>,
    /// The picture in words.
    pub desc: String,
}

/// A page mapping a frame: its column, its pid, and whether it is lit.
type User = (usize, u32, bool);

fn band_y(i: usize) -> f64 {
    HEAD_H + BAND_H * i as f64
}

/// Where the last operation happened: (pid, region) for a read or write, pid alone for the
/// others (the newest pid after a fork: the child).
fn lit_target(sys: &System, last: Option<Op>) -> (Option<(u32, Region)>, Option<u32>) {
    match last {
        Some(Op::Read(p, r) | Op::Write(p, r)) => (Some((p, r)), None),
        Some(Op::Fork(_)) => (None, sys.processes().map(|p| p.pid).max()),
        Some(Op::Exec(p) | Op::Exit(p) | Op::Wait(p)) => (None, Some(p)),
        None => (None, None),
    }
}

/// Lays out the processes of `sys` and their code, data and stack pages; `last` is the
/// operation just applied (lit in the picture).
pub fn layout(sys: &System, last: Option<Op>) -> Picture {
    let procs: Vec<_> = sys.processes().collect();
    let cols = procs.len().max(2);
    let width = COL_W * cols as f64 + 8.0;
    let (lit_page, lit_proc) = lit_target(sys, last);
    let mut heads = Vec::new();
    let mut pages = Vec::new();
    for (c, p) in procs.iter().enumerate() {
        let x = 4.0 + COL_W * c as f64;
        let live = p.state == ProcState::Running;
        heads.push(Head {
            pid: p.pid,
            name: if p.ppid == 0 {
                p.name.clone()
            } else {
                format!("{} · parent {}", p.name, p.ppid)
            },
            state: match p.state {
                ProcState::Running => "running".into(),
                ProcState::Zombie(code) => format!("zombie, status {code}"),
            },
            x,
            lit: lit_proc == Some(p.pid),
        });
        let mapped = sys.mapped_pages(p.pid);
        for (b, &region) in REGIONS.iter().enumerate() {
            let m = region_va(sys, p.pid, region)
                .map(|va| va & !0xfff)
                .and_then(|page| mapped.iter().find(|m| m.page == page));
            pages.push(PageBox {
                pid: p.pid,
                region,
                x: x + (COL_W - 8.0 - PAGE_W) / 2.0,
                y: band_y(b) + 20.0,
                frame: m.map(|m| m.frame),
                writable: m.is_some_and(|m| m.writable),
                live,
                lit: lit_page == Some((p.pid, region)),
            });
        }
    }
    // Frames, band by band: each under the mean of its users' columns, then pushed apart.
    let mut frames = Vec::new();
    for (b, &region) in REGIONS.iter().enumerate() {
        // (frame, its users: (column, pid, lit)), in the order the columns first use them.
        let mut users: Vec<(u64, Vec<User>)> = Vec::new();
        for (c, pg) in pages.iter().filter(|p| p.region == region).enumerate() {
            if let Some(f) = pg.frame {
                match users.iter_mut().find(|u| u.0 == f) {
                    Some(u) => u.1.push((c, pg.pid, pg.lit)),
                    None => users.push((f, vec![(c, pg.pid, pg.lit)])),
                }
            }
        }
        let mut band: Vec<FrameBox> = users
            .into_iter()
            .map(|(frame, us)| {
                let centre =
                    us.iter().map(|u| u.0 as f64).sum::<f64>() / us.len().max(1) as f64;
                let (usage, refs) = sys.frames.info(frame).unwrap_or((FrameUse::User, 0));
                FrameBox {
                    frame,
                    region,
                    x: 4.0 + COL_W * centre + (COL_W - 8.0 - FRAME_W) / 2.0,
                    y: band_y(b) + 20.0 + PAGE_H + 36.0,
                    refs,
                    cache: usage == FrameUse::PageCache,
                    users: us.iter().map(|u| u.1).collect(),
                    lit: us.iter().any(|u| u.2),
                }
            })
            .collect();
        // Left to right by position (a handful of frames: insertion sort).
        for i in 1..band.len() {
            let mut j = i;
            while j > 0 && band[j].x < band[j - 1].x {
                band.swap(j, j - 1);
                j -= 1;
            }
        }
        let gap = FRAME_W + 8.0;
        for i in 1..band.len() {
            let min = band[i - 1].x + gap;
            if band[i].x < min {
                band[i].x = min;
            }
        }
        // If pushing apart ran past the right edge, slide the row back in.
        if let Some(last) = band.last() {
            let over = last.x + FRAME_W - (width - 4.0);
            if over > 0.0 {
                for f in &mut band {
                    f.x = (f.x - over).max(4.0);
                }
            }
        }
        frames.extend(band);
    }
    let height = band_y(REGIONS.len()) + 4.0;
    let desc = describe(&heads, &pages, &frames, last);
    Picture {
        width,
        height,
        heads,
        pages,
        frames,
        desc,
    }
}

fn describe(heads: &[Head], pages: &[PageBox], frames: &[FrameBox], last: Option<Op>) -> String {
    let mut out = match last {
        Some(op) => format!("After: {}. ", op.describe()),
        None => "Just booted. ".to_string(),
    };
    for h in heads {
        out.push_str(&format!("pid {} ({}, {}): ", h.pid, h.name, h.state));
        let parts: Vec<String> = pages
            .iter()
            .filter(|p| p.pid == h.pid)
            .map(|p| match p.frame {
                Some(f) => {
                    let shared = frames
                        .iter()
                        .find(|x| x.frame == f)
                        .map_or(0, |x| x.users.len());
                    format!(
                        "{} page in frame {f:#x} ({}{})",
                        p.region.name(),
                        if p.writable { "writable" } else { "read-only" },
                        if shared > 1 {
                            format!(", shared by {shared} processes")
                        } else {
                            String::new()
                        }
                    )
                }
                None => format!("{} page not mapped", p.region.name()),
            })
            .collect();
        out.push_str(&if pages.iter().filter(|p| p.pid == h.pid).all(|p| p.frame.is_none()) && h.state != "running" {
            "no pages left".to_string()
        } else {
            parts.join(", ")
        });
        out.push_str(". ");
    }
    if let Some(f) = frames.iter().find(|f| f.lit) {
        out.push_str(&format!(
            "Lit: frame {:#x}, reference count {}.",
            f.frame, f.refs
        ));
    }
    out.trim_end().to_string()
}

/// The label a page box is read out by: its visible text first (its region and whether it is
/// writable), then what a click does.
pub fn page_label(p: &PageBox) -> String {
    let what = match p.region {
        Region::Code => "read",
        Region::Data | Region::Stack => "write to",
    };
    let (status, frame) = match p.frame {
        Some(f) if p.writable => ("writable", format!("frame {f:#x}")),
        Some(f) => ("read-only", format!("frame {f:#x}")),
        None => ("not mapped", "no frame".into()),
    };
    format!(
        "{} {status}: pid {} can {what} the {} page ({frame})",
        p.region.name(),
        p.pid,
        p.region.name()
    )
}

/// The operation a click on a page applies: code is read (it is never writable), data and
/// stack are written.
pub fn page_op(p: &PageBox) -> Op {
    match p.region {
        Region::Code => Op::Read(p.pid, p.region),
        Region::Data | Region::Stack => Op::Write(p.pid, p.region),
    }
}

/// Draws the picture; `on_page` makes each live page a button (None: a static figure).
pub fn draw(pic: &Picture, on_page: Option<&Callback<Op>>) -> Html {
    let live = on_page.is_some();
    let bands: Html = REGIONS
        .iter()
        .enumerate()
        .map(|(b, r)| {
            let y = band_y(b);
            let what = match r {
                Region::Code => "code: read-only, from the file",
                Region::Data => "data: private, from the file",
                Region::Stack => "stack: private, anonymous",
            };
            html! {
                <g key={format!("band-{b}")}>
                    { line(4.0, y + 1.0, pic.width - 4.0, y + 1.0, "d-frame") }
                    { text(6.0, y + 14.0, "start", "d-small", what) }
                    { text(6.0, y + 20.0 + PAGE_H + 22.0, "start", "d-small", "frames") }
                </g>
            }
        })
        .collect();
    let heads: Html = pic
        .heads
        .iter()
        .map(|h| {
            let cx = h.x + (COL_W - 8.0) / 2.0;
            html! {
                <g key={format!("h{}", h.pid)} class={classes!(h.lit.then_some("d-hl"), (h.state != "running").then_some("d-dim"))}>
                    { text(cx, 16.0, "middle", "d-title", format!("pid {}", h.pid)) }
                    { text(cx, 30.0, "middle", "d-small", h.name.clone()) }
                    { text(cx, 42.0, "middle", "d-small", h.state.clone()) }
                </g>
            }
        })
        .collect();
    // Lines first, so boxes sit on top of them.
    let links: Html = pic
        .pages
        .iter()
        .filter_map(|p| {
            let f = pic.frames.iter().find(|f| Some(f.frame) == p.frame && f.region == p.region)?;
            let (x1, y1) = (p.x + PAGE_W / 2.0, p.y + PAGE_H);
            let (x2, y2) = (f.x + FRAME_W / 2.0, f.y);
            Some(html! {
                <g key={format!("l{}-{}", p.pid, p.region.name())} class={classes!(p.lit.then_some("d-hl"))}>
                    { crate::ui::svg::arrow(x1, y1, x2, y2, "") }
                </g>
            })
        })
        .collect();
    let frames: Html = pic
        .frames
        .iter()
        .map(|f| {
            let shared = f.users.len() > 1;
            let class = classes!(
                "fc-frame",
                f.lit.then_some("d-hl"),
            );
            html! {
                <g key={format!("f{}-{}", f.region.name(), f.frame)} class={class} transform={at(f.x, f.y)}
                    data-testid={live.then(|| format!("fc-frame-box-{}", f.frame))}>
                    { rect(0.0, 0.0, FRAME_W, FRAME_H, if shared { "d-box-2" } else { "d-box" }) }
                    { text(FRAME_W / 2.0, 13.0, "middle", "d-mono", format!("frame {:#x}", f.frame)) }
                    { text(FRAME_W / 2.0, 26.0, "middle", "d-small", format!("refcount {}{}", f.refs, if f.cache { " (cache)" } else { "" })) }
                </g>
            }
        })
        .collect();
    let pages: Html = pic
        .pages
        .iter()
        .map(|p| {
            let mapped = p.frame.is_some();
            let status = match (mapped, p.writable) {
                (false, _) => "not mapped",
                (true, true) => "writable",
                (true, false) => "read-only",
            };
            let class = classes!(
                "fc-page",
                p.lit.then_some("d-hl"),
                (!mapped).then_some("fc-unmapped"),
                (!p.live).then_some("d-dim"),
            );
            let body = html! {
                <>
                    { rect(0.0, 0.0, PAGE_W, PAGE_H, if mapped { "d-box" } else { "d-frame" }) }
                    { text(PAGE_W / 2.0, 14.0, "middle", "d-label", p.region.name()) }
                    // A leading space: SVG drops it when drawing, but the text read as the visible name
                    // is then "code read-only", as the label begins (axe label-content-name-mismatch).
                    { text(PAGE_W / 2.0, 28.0, "middle", "d-small", format!(" {status}")) }
                </>
            };
            let op = page_op(p);
            let on = on_page.filter(|_| p.live).map(|cb| {
                let cb = cb.clone();
                Callback::from(move |()| cb.emit(op))
            });
            let testid = on.is_some().then(|| format!("fc-page-{}-{}", p.pid, p.region.name()));
            button((p.x, p.y), class, testid, page_label(p), None, on, body)
        })
        .collect();
    html! {
        <>
            { bands }
            { heads }
            { links }
            { frames }
            { pages }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::super::state::{Action, State};
    use super::*;
    use crate::ui::Apply;

    fn pic(s: &State) -> Picture {
        layout(s.sys.as_deref().expect("booted"), s.ops.last().copied())
    }

    fn fits(p: &Picture) {
        for b in &p.pages {
            assert!(b.x >= 0.0 && b.x + PAGE_W <= p.width && b.y + PAGE_H <= p.height, "{b:?}");
        }
        for f in &p.frames {
            assert!(f.x >= 0.0 && f.x + FRAME_W <= p.width + 0.01 && f.y + FRAME_H <= p.height, "{f:?}");
        }
        // No two frames of a band overlap.
        for a in &p.frames {
            for b in &p.frames {
                if a.region == b.region && a.frame != b.frame {
                    assert!((a.x - b.x).abs() >= FRAME_W, "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn the_opening_state_shows_two_processes_sharing_every_frame() {
        let s = State::default();
        let p = pic(&s);
        fits(&p);
        assert_eq!(p.heads.len(), 2);
        for r in REGIONS {
            let f: Vec<_> = p.frames.iter().filter(|f| f.region == r).collect();
            assert_eq!(f.len(), 1, "{r:?}: one frame shared by parent and child");
            assert_eq!(f[0].users, vec![1, 2]);
            assert!(f[0].refs >= 2);
        }
        assert!(p.pages.iter().all(|pg| pg.frame.is_some() && !pg.writable));
        // Each frame is counted once per page table entry that maps it.
        let code = p.frames.iter().find(|f| f.region == Region::Code).expect("code");
        assert_eq!(code.refs, 2);
        let data = p.frames.iter().find(|f| f.region == Region::Data).expect("data");
        assert!(!data.cache);
        assert_eq!(data.refs, 2);
        assert!(p.desc.contains("shared by 2 processes"), "{}", p.desc);
    }

    #[test]
    fn a_write_splits_the_copy_off_and_lights_it() {
        let mut s = State::default();
        let before = pic(&s);
        let shared = before
            .frames
            .iter()
            .find(|f| f.region == Region::Data)
            .map(|f| f.frame)
            .expect("data frame");
        s.apply(Action::Do(Op::Write(2, Region::Data)));
        let p = pic(&s);
        fits(&p);
        let data: Vec<_> = p.frames.iter().filter(|f| f.region == Region::Data).collect();
        assert_eq!(data.len(), 2, "the copy is a second frame");
        let copy = data.iter().find(|f| f.users == [2]).expect("child's copy");
        assert_ne!(copy.frame, shared);
        assert!(copy.lit);
        let old = data.iter().find(|f| f.users == [1]).expect("parent's frame");
        assert_eq!(old.frame, shared);
        assert_eq!(old.refs, 1, "one reference left");
        let page = p
            .pages
            .iter()
            .find(|pg| pg.pid == 2 && pg.region == Region::Data)
            .expect("page");
        assert!(page.lit && page.writable);
        assert!(p.desc.contains(&format!("Lit: frame {:#x}", copy.frame)), "{}", p.desc);
        // The copy sits to the right of the parent's frame, under the child.
        assert!(copy.x > old.x);
    }

    #[test]
    fn four_processes_fit_and_a_zombie_has_no_pages() {
        let mut s = State::default();
        for op in [Op::Fork(1), Op::Fork(2), Op::Write(3, Region::Stack), Op::Exit(2)] {
            s.apply(Action::Do(op));
            assert!(s.last.is_ok(), "{op:?}: {:?}", s.last);
        }
        let p = pic(&s);
        fits(&p);
        assert_eq!(p.heads.len(), 4);
        assert!(p
            .pages
            .iter()
            .filter(|pg| pg.pid == 2)
            .all(|pg| pg.frame.is_none() && !pg.live));
        assert!(p.desc.contains("zombie"));
        assert_eq!(page_op(&p.pages[0]), Op::Read(1, Region::Code));
        assert!(page_label(&p.pages[1]).contains("write to the data page"));
    }
}
