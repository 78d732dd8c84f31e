//! The linking picture: processes running the dynamic program side by side, each a column of
//! its mapped regions (highest address first), and below them physical memory: the read-only
//! file pages of the program, the loader and the library held once in the page cache, with a
//! line from every process that maps them (mm/filemap.c: one page-cache page per file page,
//! mapped into every process), and each process's own frames for what it writes (private
//! copy-on-write file pages, BSS, stack: mm/memory.c `do_wp_page`). A pure function of the
//! regions and the number of processes.

use super::state::{Region, Sharing};
use crate::widgets::exec_draw::{clip, order_by, Canvas};

/// The picture's width in viewBox units.
pub const W: f64 = 400.0;
const M: f64 = 8.0;
/// Most process columns drawn (the rest are said in words).
pub const COLS: u32 = 4;

/// The file a region maps ("libc.so.6", "ld.so", "./hello-dyn"), or what it is.
fn file_of(r: &Region) -> String {
    let what = r.what.split(" (").next().unwrap_or(&r.what);
    let what = what
        .trim_end_matches(" segment")
        .rsplit('/')
        .next()
        .unwrap_or(what);
    if what.starts_with("ld-linux") {
        "ld.so".into()
    } else {
        what.to_string()
    }
}

/// A region's short name: "r-x libc.so.6".
fn short(r: &Region) -> String {
    format!("{} {}", r.perms, file_of(r))
}

/// Draws `n` processes mapping `regions`; returns the height and a description. Two clickable
/// parts: key 0 removes a process, key 1 adds one.
pub fn draw(c: &mut Canvas, regions: &[Region], n: u32, max: u32) -> (f64, String) {
    let starts: Vec<u64> = regions.iter().map(|r| r.start).collect();
    let rs: Vec<&Region> = order_by(&starts)
        .into_iter()
        .rev()
        .filter_map(|i| regions.get(i))
        .collect();
    let k = n.clamp(1, COLS);
    c.text(
        M,
        16.0,
        "start",
        "d-title",
        format!("{n} process{} running hello-dyn", if n == 1 { "" } else { "es" }),
    );
    // The buttons: one process fewer, one more.
    let (minus, plus) = ((W - M - 66.0, 2.0, 30.0, 22.0), (W - M - 30.0, 2.0, 30.0, 22.0));
    c.part("fewer", minus, "d-box-2", false, "−", None);
    c.part("more", plus, "d-box-2", false, "+", None);
    if n > 1 {
        c.hit(0, minus, format!("one process fewer ({n} now)"), false);
    }
    if n < max {
        c.hit(1, plus, format!("one process more ({n} now)"), false);
    }
    let gap = 8.0;
    let cw = (W - 2.0 * M - gap * f64::from(k - 1)) / f64::from(k);
    let top = 32.0;
    let rh = 17.0;
    let col_end = top + 16.0 + rh * rs.len() as f64;
    // The shared files, each held once: their blocks' places, computed first so the lines
    // from the processes can be drawn behind everything.
    let mut files: Vec<(String, u64)> = Vec::new();
    for r in rs.iter().filter(|r| r.sharing == Sharing::Shared) {
        let f = file_of(r);
        match files.iter_mut().find(|(g, _)| *g == f) {
            Some(e) => e.1 += r.pages(),
            None => files.push((f, r.pages())),
        }
    }
    let fy = col_end + 44.0;
    let fw = (W - 2.0 * M - 6.0 * (files.len().max(1) - 1) as f64) / files.len().max(1) as f64;
    let block_x = |i: usize| M + i as f64 * (fw + 6.0);
    for p in 0..k {
        let px = M + f64::from(p) * (cw + gap) + cw / 2.0;
        for i in 0..files.len() {
            c.line(px, col_end, block_x(i) + fw / 2.0, fy, "xd-link");
        }
    }
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
            y += rh;
        }
    }
    if n > k {
        c.text(W - M, col_end + 12.0, "end", "d-small", format!("and {} more, mapping the same", n - k));
    }
    for (i, (f, pages)) in files.iter().enumerate() {
        c.part(format!("frames {f}"), (block_x(i), fy, fw, 30.0), "xd-shared", true, &clip(f, ((fw - 6.0) / 7.0) as usize), Some(&format!("{pages} page{}, once", if *pages == 1 { "" } else { "s" })));
    }
    let mut y = fy + 34.0;
    c.text(M, y + 12.0, "start", "d-small", "above: frames in the page cache, shared by every process");
    y += 24.0;
    let private: u64 = rs.iter().filter(|r| r.sharing != Sharing::Shared).map(|r| r.pages()).sum();
    let shared: u64 = files.iter().map(|f| f.1).sum();
    c.text(M, y + 10.0, "start", "d-small", "each process's own frames (written pages, BSS, stack):");
    y += 16.0;
    for p in 0..k {
        c.text(M, y + 14.0, "start", "d-small", format!("process {}", p + 1));
        c.part(format!("own {p}"), (M + 64.0, y, (private as f64 * 12.0).clamp(70.0, 240.0), 20.0), "xd-private", false, &format!("{private} pages"), None);
        y += 24.0;
    }
    if n > k {
        c.text(M, y + 12.0, "start", "d-small", format!("… and {} more like these", n - k));
        y += 18.0;
    }
    let d = format!(
        "{n} process{} running hello-dyn, each mapping {} regions. The read-only file pages of {} are one copy in memory, {shared} pages, with a line from every process; each process has {private} pages of its own ({}), {} in all, so {} pages altogether.",
        if n == 1 { "" } else { "es" },
        rs.len(),
        files.iter().map(|f| f.0.as_str()).collect::<Vec<_>>().join(", "),
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
