//! The shell-fallback picture: three callers run the same `./myscript hi`, each a row of boxes:
//! the caller, the kernel's answer to its execve, and what happens next. A C program gets the
//! errno and nothing more; dash and bash, on ENOEXEC, look at the file's first bytes and either
//! run it as a shell script or give up with status 126 (POSIX, "Command Search and Execution";
//! dash `shellexec`, bash `execute_shell_script`/`check_binary_file`). A pure function of the
//! three runs.

use super::state::{summary, Runs};
use crate::widgets::exec_draw::{clip, Canvas};
use youcpu_core::exec::shell::{Fallback, ShellRun};
use youcpu_core::exec::{ExecOutcome, Failure};

/// The picture's width in viewBox units.
pub const W: f64 = 400.0;
const M: f64 = 8.0;

fn kernel(o: &ExecOutcome) -> (String, bool) {
    match &o.result {
        Ok(l) => (
            format!("✓ runs {}", String::from_utf8_lossy(&l.executable)),
            true,
        ),
        Err(Failure::Errno(e)) => (format!("✗ {}", e.name()), false),
        Err(Failure::Unavailable(m)) => (m.clone(), false),
    }
}

fn after(r: &ShellRun) -> (String, String) {
    match (&r.execve.result, &r.fallback) {
        (Ok(_), _) => ("the program runs".into(), "the kernel handled the file".into()),
        (Err(_), Some(Fallback::Script { argv, .. })) => (
            "runs it as a script".into(),
            format!(
                "argv {}",
                argv.iter()
                    .map(|a| format!("\"{}\"", String::from_utf8_lossy(a)))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ),
        (Err(_), Some(Fallback::Status { status, why })) => {
            (format!("gives up: status {status}"), why.clone())
        }
        (Err(_), None) => (summary(r), "the error is reported".into()),
    }
}

/// Draws the three rows; returns the height and a description.
pub fn draw(c: &mut Canvas, runs: &Runs, first_line: &str) -> (f64, String) {
    c.text(
        M,
        14.0,
        "start",
        "d-mono",
        format!("./myscript: {}", clip(first_line, 40)),
    );
    let mut y = 24.0;
    let mut desc = Vec::new();
    let (w1, w2, gap) = (84.0, 112.0, 16.0);
    let w3 = W - 2.0 * M - w1 - w2 - 2.0 * gap;
    let rows: [(&str, &str, Option<&ShellRun>, &ExecOutcome); 3] = [
        ("C program", "bare", None, &runs.bare),
        ("dash", "dash", Some(&runs.dash), &runs.dash.execve),
        ("bash", "bash", Some(&runs.bash), &runs.bash.execve),
    ];
    for (name, key, run, o) in rows {
        let (k, ok) = kernel(o);
        let (what, detail) = match run {
            None => match &o.result {
                Ok(_) => ("the program runs".to_string(), String::new()),
                Err(_) => (
                    "execve returns -1".to_string(),
                    "no second try: the caller sees the errno".to_string(),
                ),
            },
            Some(r) => after(r),
        };
        let x2 = M + w1 + gap;
        let x3 = x2 + w2 + gap;
        c.part(
            format!("caller {key}"),
            (M, y, w1, 30.0),
            "d-box-2",
            false,
            name,
            None,
        );
        c.arrow(M + w1, y + 15.0, x2, y + 15.0, "");
        c.part(
            format!("kernel {key}"),
            (x2, y, w2, 30.0),
            if ok { "" } else { "d-err" },
            false,
            &k,
            Some("execve"),
        );
        c.arrow(x2 + w2, y + 15.0, x3, y + 15.0, "");
        let fell_back = matches!(run.and_then(|r| r.fallback.as_ref()), Some(Fallback::Script { .. }));
        c.part(
            format!("after {key}"),
            (x3, y, w3, 30.0),
            if fell_back { "xd-shared" } else { "" },
            fell_back,
            &what,
            None,
        );
        if !detail.is_empty() {
            c.text(x2, y + 44.0, "start", "d-small", clip(&detail, 46));
        }
        desc.push(format!("{name}: execve {k}, then {what}{}", if detail.is_empty() { String::new() } else { format!(" ({detail})") }));
        y += 56.0;
    }
    (y, desc.join("; ") + ".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Apply;
    use crate::widgets::shell_fallback::state::{Action, State, PRESETS};

    #[test]
    fn every_preset_fits_and_the_fallback_is_lit() {
        for i in 0..PRESETS.len() {
            let mut s = State::default();
            s.apply(Action::Preset(i));
            let mut c = Canvas::new();
            let (h, _) = draw(&mut c, &s.runs, &s.text);
            assert!(c.max_x <= W && c.min_x >= 0.0 && c.max_y <= h, "preset {i}: {}..{}", c.min_x, c.max_x);
        }
        let s = State::default();
        let mut c = Canvas::new();
        let (_, d) = draw(&mut c, &s.runs, &s.text);
        assert_eq!(c.lit(), ["after dash", "after bash"]);
        assert!(d.starts_with("C program: execve ✗ ENOEXEC"), "{d}");
        let mut s = State::default();
        s.apply(Action::Preset(2));
        let mut c = Canvas::new();
        let (_, d) = draw(&mut c, &s.runs, &s.text);
        assert!(c.lit().is_empty());
        assert!(d.contains("gives up: status 126"), "{d}");
    }
}
