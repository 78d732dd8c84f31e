//! The execve picture, drawn from the simulated execve's steps: the chain of binary-format
//! handlers tried on each file (fs/exec.c `search_binary_handler` walks the list: binfmt_misc,
//! binfmt_script, binfmt_elf, compat_binfmt_elf), each box saying whether the handler declined
//! (ENOEXEC), claimed the file or failed; argv drawn as boxes, as passed and as each `#!`
//! rewrite leaves it (fs/binfmt_script.c `load_script`); and `bprm->buf`, the 256 bytes
//! `prepare_binprm` reads, with the fields `load_script` finds in it marked. Pure functions of
//! the outcome and the number of steps shown; the widget and the Part 3 figures draw the same.

use crate::widgets::exec_draw::{clip, Canvas};
use yew::Html;
use youcpu_core::exec::script::Shebang;
use youcpu_core::exec::{Binfmt, ExecOutcome, Failure, Step, StepKind};

/// The picture's width in viewBox units: narrow enough to stay legible on a 360 px phone.
pub const W: f64 = 360.0;
const M: f64 = 8.0;

fn lossy(b: &[u8]) -> String {
    crate::ui::escape(b).replace('\n', "\\n")
}

fn verdict(steps: &[Step], depth: usize, b: Binfmt) -> Option<(usize, &'static str, &'static str)> {
    steps
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.depth == depth
                && s.binfmt == Some(b)
                && matches!(
                    s.kind,
                    StepKind::Decline | StepKind::Claim | StepKind::Fail | StepKind::Done
                )
        })
        .map(|(i, s)| match s.kind {
            StepKind::Decline => (i, "✗ not mine", ""),
            StepKind::Fail => (i, s.errno.map_or("fails", |e| e.name()), "d-err"),
            StepKind::Done => (i, "✓ loads it", ""),
            _ => (i, "✓ claims it", ""),
        })
        .next_back()
}

/// `class`, dimmed when the step it shows is not reached yet.
fn later(class: &str, idx: usize, shown: usize) -> String {
    if idx >= shown {
        format!("{class} d-dim")
    } else {
        class.to_string()
    }
}

/// Draws argv as a row of boxes (wrapping), starting at `y`; the first `new` boxes are the ones
/// this step put there; `lit` lights them; returns the y below them.
fn argv_boxes(
    c: &mut Canvas,
    y: f64,
    name: &str,
    argv: &[Vec<u8>],
    (new, class, lit): (usize, &str, bool),
) -> f64 {
    c.text(M, y + 12.0, "start", "d-small", format!("{name}:"));
    let mut x = M + 4.0;
    let mut y = y + 18.0;
    for (i, a) in argv.iter().enumerate() {
        let s = format!("[{i}] \"{}\"", clip(&lossy(a), 22));
        let w = (s.chars().count() as f64 * 7.3 + 12.0).min(W - 2.0 * M - 4.0);
        if x + w > W - M && x > M + 4.0 {
            x = M + 4.0;
            y += 28.0;
        }
        let cl = if i < new { format!("{class} xd-new") } else { class.to_string() };
        c.part(format!("argv {name} {i}"), (x, y, w, 22.0), &cl, lit && (i < new || new == 0), &s, None);
        x += w + 6.0;
    }
    if argv.is_empty() {
        c.text(M + 4.0, y + 14.0, "start", "d-small", "(empty)");
    }
    y + 30.0
}

/// How the chain is drawn: the path given to execve, the outcome and how many steps are shown.
pub struct Chain<'a> {
    /// The path as passed to execve.
    pub path: &'a [u8],
    /// The simulated execve.
    pub outcome: &'a ExecOutcome,
    /// Steps shown (1-based count).
    pub shown: usize,
}

/// Draws the whole handler chain from `y`: the steps already shown in full, the current one
/// lit, the ones still to come dimmed (so the first step already shows where it leads). Each
/// handler that said something is clickable (its key is the number of steps to show). Returns
/// the y below it and a description of what is shown so far.
pub fn chain(c: &mut Canvas, y: f64, ch: &Chain) -> (f64, String) {
    let steps = &ch.outcome.steps[..];
    let shown = ch.shown.clamp(1, steps.len().max(1));
    let cur = shown - 1;
    let current = steps.get(cur);
    let first_at = |depth: usize| steps.iter().position(|s| s.depth == depth).unwrap_or(0);
    let mut desc = Vec::new();
    let mut y = y;
    let max_depth = steps.iter().map(|s| s.depth).max().unwrap_or(0);
    let mut prev_argv: Option<Vec<Vec<u8>>> = None;
    for depth in 0..=max_depth {
        let file = if depth == 0 {
            lossy(ch.path)
        } else {
            ch.outcome
                .chain
                .get(depth - 1)
                .and_then(|l| l.interp.as_deref())
                .map_or_else(|| "?".into(), lossy)
        };
        let seen = first_at(depth) < shown;
        // A handler opening the interpreter (binfmt set) opens the next row's file.
        let lit_file = current.is_some_and(|s| match (s.kind, s.binfmt) {
            (StepKind::Open, Some(_)) => s.depth + 1 == depth,
            (StepKind::Open | StepKind::ReadBuffer, _) => s.depth == depth,
            _ => false,
        });
        c.part(
            format!("file {depth}"),
            (M, y, W - 2.0 * M, 24.0),
            &later("d-box-2", first_at(depth), shown),
            lit_file,
            &format!("{}: {}", if depth == 0 { "execve" } else { "then" }, clip(&file, 40)),
            None,
        );
        if seen {
            desc.push(format!(
                "{} \"{file}\"",
                if depth == 0 { "execve opens" } else { "then the interpreter" }
            ));
        }
        y += 30.0;
        if depth == 0 {
            if let Some((i, a)) = steps.iter().enumerate().find_map(|(i, s)| {
                (s.kind == StepKind::Arguments).then_some(s.argv.as_ref().map(|a| (i, a))).flatten()
            }) {
                let lit = cur == i;
                y = argv_boxes(c, y, "argv as passed", a, (0, &later("", i, shown), lit));
                prev_argv = Some(a.clone());
            }
        }
        let tried = steps.iter().any(|s| s.depth == depth && s.binfmt.is_some());
        if tried {
            // The handlers, side by side, in the order the kernel tries them.
            let bw = (W - 2.0 * M - 3.0 * 6.0) / 4.0;
            let mut said = Vec::new();
            for (i, b) in Binfmt::ORDER.iter().enumerate() {
                let x = M + i as f64 * (bw + 6.0);
                let v = verdict(steps, depth, *b);
                let lit = current.is_some_and(|s| s.depth == depth && s.binfmt == Some(*b));
                let (sub, class) = match v {
                    Some((k, t, cl)) => (t, later(cl, k, shown)),
                    None => ("not tried", "d-dim".to_string()),
                };
                c.part(format!("handler {} {depth}", b.name()), (x, y, bw, 48.0), &class, lit, b.name(), Some(sub));
                if let Some((k, ..)) = v {
                    if k < shown {
                        said.push(format!("{}: {sub}", b.name()));
                    }
                    // Clicking a handler shows the steps up to its verdict.
                    c.hit(k + 1, (x, y, bw, 48.0), format!("step {}: {} on {}: {sub}", k + 1, b.name(), clip(&file, 30)), lit);
                }
                if i > 0 {
                    c.arrow(x - 6.0, y + 24.0, x - 0.5, y + 24.0, "d-muted");
                }
            }
            if !said.is_empty() {
                desc.push(format!("the handlers say {}", said.join(", ")));
            }
            y += 56.0;
        }
        // A failure with no handler (open, depth limit, ENOEXEC from every handler).
        if let Some((k, f)) = steps
            .iter()
            .enumerate()
            .find(|(_, s)| s.depth == depth && s.kind == StepKind::Fail && s.binfmt.is_none())
        {
            let name = f.errno.map_or("fails", |e| e.name());
            c.part(format!("fail {depth}"), (M, y, W - 2.0 * M, 48.0), &later("d-err", k, shown), cur == k, &format!("execve fails: {name}"), None);
            c.hit(k + 1, (M, y, W - 2.0 * M, 48.0), format!("step {}: execve fails with {name}", k + 1), cur == k);
            if k < shown {
                desc.push(format!("execve fails with {name}"));
            }
            y += 54.0;
        }
        // The rewrite this depth's claim made.
        if let Some((k, rw)) = steps
            .iter()
            .enumerate()
            .find(|(_, s)| s.depth == depth && s.kind == StepKind::Rewrite)
        {
            if let Some(a) = &rw.argv {
                let old = prev_argv.as_ref().map_or(0, Vec::len);
                // argv[0] is replaced and the interpreter (and its argument) put in front.
                let new = a.len().saturating_sub(old.saturating_sub(1)).min(a.len());
                let lit = cur == k;
                c.arrow(W / 2.0, y - 6.0, W / 2.0, y + 4.0, if lit { "d-hl" } else { "d-muted" });
                y = argv_boxes(c, y + 2.0, "argv rewritten", a, (new, &later("", k, shown), lit));
                if k < shown {
                    desc.push(format!(
                        "argv becomes {}",
                        a.iter().map(|x| format!("\"{}\"", lossy(x))).collect::<Vec<_>>().join(", ")
                    ));
                }
                prev_argv = Some(a.clone());
            }
        }
    }
    let finished = shown >= steps.len();
    match &ch.outcome.result {
        Ok(l) => {
            let s = format!("runs {}", clip(&lossy(&l.executable), 36));
            let k = steps.len().saturating_sub(1);
            c.part("result", (M, y, W - 2.0 * M, 26.0), &later("", k, shown), finished, &s, None);
            if finished {
                desc.push(format!(
                    "the program that runs is {} with argv {}",
                    lossy(&l.executable),
                    l.argv.iter().map(|x| format!("\"{}\"", lossy(x))).collect::<Vec<_>>().join(", ")
                ));
            }
            y += 32.0;
        }
        Err(Failure::Unavailable(m)) => {
            c.text(M, y + 14.0, "start", "d-small", clip(m, 60));
            y += 22.0;
        }
        Err(Failure::Errno(_)) => {}
    }
    let mut d = format!("Step {shown} of {}: ", steps.len());
    d.push_str(&desc.join("; "));
    d.push('.');
    (y, d)
}

/// Which field of the `#!` line a byte is in.
fn field(i: usize, buf: &[u8], sb: Option<&Shebang>) -> Option<usize> {
    let sb = sb?;
    if i < 2 && buf.starts_with(b"#!") {
        return Some(0);
    }
    if i >= sb.interp_at && i < sb.interp_at + sb.interp.len() {
        return Some(1);
    }
    if let (Some(at), Some(arg)) = (sb.arg_at, sb.arg.as_ref()) {
        if i >= at && i < at + arg.len() {
            return Some(2);
        }
    }
    (Some(i) == sb.newline_at).then_some(3)
}

const FIELD_CLASS: [&str; 4] = ["xd-bang", "xd-interp", "xd-arg", "xd-nl"];

/// The glyph a byte is shown as in the grid.
fn glyph(b: u8) -> String {
    match b {
        b'\n' => "⏎".into(),
        b'\r' => "␍".into(),
        b'\t' => "⇥".into(),
        b' ' => "␣".into(),
        0 => "·".into(),
        0x21..=0x7e => (b as char).to_string(),
        _ => format!("{b:02x}"),
    }
}

/// Draws the most recent 256-byte buffer among the shown steps (with the `#!` fields marked
/// once binfmt_script has parsed them) from `y`; returns the y below it and a description.
/// `None` when no buffer has been read yet.
pub fn buffer(c: &mut Canvas, y: f64, outcome: &ExecOutcome, shown: usize) -> Option<(f64, String)> {
    let steps = &outcome.steps[..];
    let shown = shown.clamp(1, steps.len().max(1));
    let reads = || steps.iter().enumerate().filter(|(_, s)| s.kind == StepKind::ReadBuffer);
    let (at, read) = reads()
        .rfind(|(i, _)| *i < shown)
        .or_else(|| reads().next())?;
    let buf = read.buf.as_deref()?;
    let claim = steps[at..]
        .iter()
        .position(|s| s.depth == read.depth && s.kind == StepKind::Claim && s.shebang.is_some())
        .map(|k| k + at);
    let sb = claim.and_then(|k| steps[k].shebang.as_ref());
    let lit = shown == at + 1 || claim == Some(shown - 1);
    let file = if read.depth == 0 {
        "the file".to_string()
    } else {
        outcome
            .chain
            .get(read.depth - 1)
            .and_then(|l| l.interp.as_deref())
            .map_or_else(|| "the interpreter".into(), lossy)
    };
    c.text(M, y + 13.0, "start", "d-title", format!("bprm->buf: the first 256 bytes of {}", clip(&file, 12)));
    let (cw, chh, x0, y0) = ((W - 2.0 * M - 24.0) / 16.0, 20.0, M + 24.0, y + 22.0);
    // The rows up to the last non-zero byte; the zero rows after it are drawn as one band.
    let rows = buf
        .iter()
        .take(256)
        .rposition(|&b| b != 0)
        .map_or(1, |p| p / 16 + 1);
    let n = (rows * 16).min(buf.len());
    let band = if rows < 16 { chh + 4.0 } else { 0.0 };
    if lit {
        c.rect(x0 - 3.0, y0 - 3.0, 16.0 * cw + 6.0, rows as f64 * chh + band + 6.0, "d-hl");
    } else {
        // An empty slot in its place, so the cells after it keep their positions in the
        // view's diff when the highlight comes and goes.
        c.shapes.push(Html::default());
    }
    for row in 0..rows {
        c.text(x0 - 4.0, y0 + row as f64 * chh + 14.0, "end", "d-small", format!("{:02x}", row * 16));
    }
    for (i, &b) in buf.iter().take(n).enumerate() {
        let (col, row) = ((i % 16) as f64, (i / 16) as f64);
        let (x, yy) = (x0 + col * cw, y0 + row * chh);
        let f = field(i, buf, sb);
        let class = match f {
            Some(k) => FIELD_CLASS[k],
            None if b == 0 => "xd-zero",
            None => "xd-byte",
        };
        c.rect(x + 0.5, yy + 0.5, cw - 1.0, chh - 1.0, &later(class, at, shown));
        c.text(x + cw / 2.0, yy + 14.0, "middle", if b == 0 { "d-small d-muted" } else { "d-mono" }, glyph(b));
    }
    let mut y = y0 + rows as f64 * chh + 8.0;
    if rows < 16 {
        let yy = y0 + rows as f64 * chh + 2.0;
        c.rect(x0 + 0.5, yy, 16.0 * cw - 1.0, chh - 2.0, "xd-zero");
        c.text(x0 - 4.0, yy + 13.0, "end", "d-small", format!("{:02x}", rows * 16));
        c.text(x0 + 8.0 * cw, yy + 13.0, "middle", "d-small", format!("bytes {}–255: all zero", rows * 16));
        y += band;
    }
    let mut desc = format!(
        "The 256-byte buffer read from {file}: {} non-zero bytes",
        buf.iter().filter(|&&b| b != 0).count()
    );
    if let Some(sb) = sb {
        // The legend: each field with its swatch, its bytes and its value, in words too.
        let mut items: Vec<(usize, String)> = vec![(0, "#! at bytes 0–1".into())];
        items.push((
            1,
            format!(
                "interpreter \"{}\", bytes {}–{}",
                clip(&lossy(&sb.interp), 24),
                sb.interp_at,
                (sb.interp_at + sb.interp.len()).saturating_sub(1)
            ),
        ));
        if let (Some(at), Some(arg)) = (sb.arg_at, sb.arg.as_ref()) {
            items.push((
                2,
                format!(
                    "one argument \"{}\", bytes {at}–{}",
                    clip(&lossy(arg), 20),
                    (at + arg.len()).saturating_sub(1)
                ),
            ));
        }
        items.push((
            3,
            match sb.newline_at {
                Some(n) => format!("end of the line: byte {n}"),
                None => "no newline in the buffer: the line is cut".into(),
            },
        ));
        for (k, t) in &items {
            c.rect(M + 4.0, y + 2.0, 14.0, 12.0, FIELD_CLASS[*k]);
            c.text(M + 24.0, y + 12.0, "start", "d-small", t.clone());
            y += 18.0;
        }
        desc.push_str(&format!(
            "; binfmt_script found {}",
            items.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(", ")
        ));
    } else if buf.starts_with(b"#!") {
        c.text(M, y + 12.0, "start", "d-small", "starts with #!: binfmt_script will parse this line");
        y += 18.0;
    } else {
        c.text(M, y + 12.0, "start", "d-small", "no #! at the start: not a script");
        desc.push_str("; it does not start with #!");
        y += 18.0;
    }
    Some((y, desc + "."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widgets::execve::state::{Action, State};
    use crate::ui::Apply;

    fn draw(s: &State) -> (Canvas, String) {
        let mut c = Canvas::new();
        let (y, mut d) = chain(&mut c, 0.0, &Chain { path: s.path.as_bytes(), outcome: &s.outcome, shown: s.shown });
        if let Some((_, b)) = buffer(&mut c, y, &s.outcome, s.shown) {
            d.push(' ');
            d.push_str(&b);
        }
        (c, d)
    }

    #[test]
    fn every_example_fits_the_width_at_every_step() {
        for i in 0..super::super::state::PICKS.len() {
            let mut s = State::default();
            s.apply(Action::Pick(i));
            loop {
                let (c, _) = draw(&s);
                assert!(c.max_x <= W && c.min_x >= 0.0, "example {i} step {}: {}..{}", s.shown, c.min_x, c.max_x);
                if s.finished() {
                    break;
                }
                s.apply(Action::Next);
            }
        }
    }

    #[test]
    fn the_lit_part_follows_the_steps_of_a_script() {
        let mut s = State::default();
        let (c, d) = draw(&s);
        assert_eq!(c.lit(), ["file 0"]);
        assert!(d.contains("execve opens \"./hello.sh\""), "{d}");
        let mut seen = Vec::new();
        let mut parsed = false;
        while !s.finished() {
            s.apply(Action::Next);
            let (c, d) = draw(&s);
            seen.extend(c.lit().into_iter().map(String::from));
            parsed |= d.contains("interpreter \"/bin/sh\", bytes 2–8");
        }
        assert!(parsed, "the buffer's fields are described once the script handler claims it");
        for want in ["handler misc 0", "handler script 0", "argv argv rewritten 0", "handler elf 1", "result"] {
            assert!(seen.iter().any(|x| x == want), "{want} never lit: {seen:?}");
        }
        let (c, d) = draw(&s);
        assert!(d.contains("argv becomes \"/bin/sh\", \"./hello.sh\", \"world\""), "{d}");
        assert!(d.contains("the program that runs is /bin/sh"), "{d}");
        assert!(c.find("handler compat_elf 1").is_some());
        // The script handler's button shows its verdict: the claim, with only it lit.
        let k = c.hits.iter().find(|h| h.label.contains("script on ./hello.sh")).map(|h| h.key);
        s.apply(Action::Show(k.expect("a button for the script handler")));
        let (c, d) = draw(&s);
        assert_eq!(c.lit(), ["handler script 0"], "{d}");
        assert!(d.contains("script: ✓ claims it"), "{d}");
        // The script handler opening the interpreter lights it and the next file, /bin/sh.
        s.apply(Action::Show(7));
        assert_eq!(draw(&s).0.lit(), ["handler script 0", "file 1"]);
    }

    #[test]
    fn a_failure_is_drawn_as_an_error() {
        let mut s = State::default();
        s.apply(Action::Pick(8));
        s.apply(Action::All);
        let (c, d) = draw(&s);
        assert!(d.contains("ENOENT"), "{d}");
        assert!(c.parts.iter().any(|p| p.name.starts_with("fail") || p.name.starts_with("handler script")));
    }
}
