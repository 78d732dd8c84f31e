//! The linking picture: processes running the dynamic program side by side, each a column of
//! its mapped regions (highest address first), and below them physical memory: the read-only
//! file pages of the program, the loader and the library held once in the page cache, with a
//! line from every process that maps them (mm/filemap.c: one page-cache page per file page,
//! mapped into every process), and each process's own frames for what it writes (private
//! copy-on-write file pages, BSS, stack: mm/memory.c `do_wp_page`). A pure function of the
//! regions and the number of processes.

use super::state::{Region, Sharing};
use crate::widgets::exec_draw::{clip, Canvas};

/// The picture's width in viewBox units.
pub const W: f64 = 400.0;
const M: f64 = 8.0;
/// Most process columns drawn (the rest are said in words).
pub const COLS: u32 = 4;

/// A region's short name: "libc.so.6 r-x".
fn short(r: &Region) -> String {
    let what = r
        .what
        .trim_end_matches(" segment")
        .trim_start_matches("/lib64/")
        .trim_start_matches("/lib/x86_64-linux-gnu/");
    let what = what.split(" (").next().unwrap_or(what);
    let what = if what.starts_with("ld-linux") {
        "ld.so"
    } else {
        what
    };
    format!("{} {}", r.perms, what)
}

/// Draws `n` processes mapping `regions`; returns the height and a description. Two clickable
/// parts: key 0 removes a process, key 1 adds one.
pub fn draw(c: &mut Canvas, regions: &[Region], n: u32, max: u32) -> (f64, String) {
    let mut rs: Vec<&Region> = regions.iter().collect();
    rs.sort_by_key(|r| std::cmp::Reverse(r.start));
    let k = n.clamp(1, COLS);
    // The buttons: one process fewer, one more.
    c.text(M, 16.0, "start", "d-title", format!("{n} process{} running hello-dyn", if n == 1 { "" } else { "es" }));
    c.part("fewer", (W - M - 66.0, 2.0, 30.0, 22.0), "d-box-2", false, "−", None);
    c.part("more", (W - M - 30.0, 2.0, 30.0, 22.0), "d-box-2", false, "+", None);
    if n > 1 {
        c.hit(0, (W - M - 66.0, 2.0, 30.0, 22.0), format!("one process fewer ({} now)", n), false);
    }
    if n < max {
        c.hit(1, (W - M - 30.0, 2.0, 30.0, 22.0), format!("one process more ({} now)", n), false);
    }
    let gap = 8.0;
    let cw = (W - 2.0 * M - gap * f64::from(k - 1)) / f64::from(k);
    let top = 32.0;
    let rh = 17.0;
    // Where each process's shared regions are, to draw lines from.
    let mut from: Vec<(usize, f64, f64)> = Vec::new();
    let mut bottoms = Vec::new();
    for p in 0..k {
        let x = M + f64::from(p) * (cw + gap);
        c.text(x + cw / 2.0, top + 10.0, "middle", "d-label", format!("process {}", p + 1));
        let mut y = top + 16.0;
        for (i, r) in rs.iter().enumerate() {
            let class = match r.sharing {
                Sharing::Shared => "xd-shared",
                _ => "xd-private",
            };
            c.part(format!("p{p} {i}"), (x, y, cw, rh - 2.0), class, false, "", None);
            c.text(x + 3.0, y + 11.5, "start", "d-small", clip(&short(r), ((cw - 6.0) / 6.0) as usize));
            if r.sharing == Sharing::Shared {
                from.push((i, x + cw / 2.0, y + rh - 2.0));
            }
            y += rh;
        }
        bottoms.push((x, y));
    }
    let col_end = bottoms.first().map_or(top, |b| b.1);
    let mut y = col_end + 26.0;
    if n > k {
        c.text(W / 2.0, col_end + 14.0, "middle", "d-small", format!("and {} more, mapping the same", n - k));
    }
    // Physical memory: the shared file pages once, then each process's own pages.
    c.text(M, y + 12.0, "start", "d-title", "physical memory: page frames");
    y += 20.0;
    c.text(M, y + 10.0, "start", "d-small", "held once (page cache), mapped by every process:");
    y += 16.0;
    let mut x = M;
    let mut at: Vec<(usize, f64, f64)> = Vec::new();
    let unit = 9.0;
    for (i, r) in rs.iter().enumerate().filter(|(_, r)| r.sharing == Sharing::Shared) {
        let label = short(r);
        let w = (r.pages() as f64 * unit).max(label.chars().count() as f64 * 6.0 + 8.0).min(W - 2.0 * M);
        if x + w > W - M {
            x = M;
            y += 24.0;
        }
        c.part(format!("frames {i}"), (x, y, w, 20.0), "xd-shared", true, "", None);
        c.text(x + 4.0, y + 14.0, "start", "d-small", clip(&format!("{label} ×{}", r.pages()), ((w - 6.0) / 6.0) as usize));
        at.push((i, x + w / 2.0, y));
        x += w + 4.0;
    }
    y += 26.0;
    // The lines: every process's shared region to its one copy.
    for (i, fx, fy) in &from {
        if let Some((_, tx, ty)) = at.iter().find(|(j, ..)| j == i) {
            c.line(*fx, *fy, *tx, *ty, "xd-link");
        }
    }
    let private: u64 = rs.iter().filter(|r| r.sharing != Sharing::Shared).map(|r| r.pages()).sum();
    let shared: u64 = rs.iter().filter(|r| r.sharing == Sharing::Shared).map(|r| r.pages()).sum();
    c.text(M, y + 10.0, "start", "d-small", "each process's own (written pages, BSS, stack):");
    y += 16.0;
    for (p, (bx, by)) in bottoms.iter().enumerate() {
        let w = (private as f64 * unit).clamp(60.0, W - 2.0 * M - 70.0);
        c.text(M, y + 14.0, "start", "d-small", format!("process {}", p + 1));
        c.part(format!("own {p}"), (M + 64.0, y, w, 20.0), "xd-private", false, "", None);
        c.text(M + 68.0, y + 14.0, "start", "d-small", format!("{private} pages"));
        c.path(&[(bx + 2.0, by - 2.0), (bx + 2.0, by + 4.0)], "d-muted", false);
        y += 24.0;
    }
    if n > k {
        c.text(M, y + 12.0, "start", "d-small", format!("… and {} more rows like these", n - k));
        y += 18.0;
    }
    let d = format!(
        "{n} process{} running hello-dyn, each mapping {} regions. The read-only file pages ({}) are one copy in memory, {shared} pages, with a line from every process; each process has {private} pages of its own ({}), {} in all, so {} pages altogether.",
        if n == 1 { "" } else { "es" },
        rs.len(),
        rs.iter().filter(|r| r.sharing == Sharing::Shared).map(|r| short(r)).collect::<Vec<_>>().join(", "),
        rs.iter().filter(|r| r.sharing != Sharing::Shared).map(|r| short(r)).collect::<Vec<_>>().join(", "),
        private * u64::from(n),
        shared + private * u64::from(n)
    );
    (y + 4.0, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Apply;
    use crate::widgets::linking::state::{pages_for, Action, State, MAX_PROCS};

    #[test]
    fn every_count_fits_and_the_totals_agree_with_the_model() {
        for n in 1..=MAX_PROCS {
            let mut s = State::default();
            s.apply(Action::Procs(n));
            let rs = s.sides.1.regions.as_ref().expect("the dynamic program loads");
            let mut c = Canvas::new();
            let (h, d) = draw(&mut c, rs, n, MAX_PROCS);
            assert!(c.max_x <= W && c.min_x >= 0.0 && c.max_y <= h, "{n}: {}..{}", c.min_x, c.max_x);
            let (shared, private) = pages_for(rs, n);
            assert!(d.contains(&format!("{} pages altogether", shared + private)), "{d}");
            let drawn = n.min(COLS) as usize;
            assert_eq!(c.parts.iter().filter(|p| p.name.starts_with("own ")).count(), drawn);
            assert_eq!(c.hits.len(), usize::from(n > 1) + usize::from(n < MAX_PROCS));
        }
    }
}
