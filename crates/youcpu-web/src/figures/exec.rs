//! Part 3's figures: execve on a script, drawn by the execve widget's own drawing code from the
//! simulated execve of the widget's example files (fs/exec.c, fs/binfmt_script.c).

use crate::ui::{Apply, Diagram};
use crate::widgets::exec_draw::Canvas;
use crate::widgets::execve::diagram::{buffer, chain, Chain, W};
use crate::widgets::execve::state::{Action, State, PICKS};
use yew::prelude::*;

/// The execve widget's state for the example file `path`, every step shown.
fn finished(path: &str) -> State {
    let mut s = State::default();
    if let Some(i) = PICKS.iter().position(|p| p.path == path) {
        s.apply(Action::Pick(i));
    }
    s.apply(Action::All);
    s
}

/// `./hello.sh world` through the handler chain: binfmt_misc and binfmt_script at depth 0
/// (the script handler claims it and rewrites argv), then binfmt_elf loading /bin/sh.
pub fn execve_chain() -> Html {
    let s = finished("/home/user/hello.sh");
    let mut c = Canvas::new();
    let ch = Chain {
        path: s.path.as_bytes(),
        outcome: &s.outcome,
        shown: s.shown,
    };
    let (y, desc) = chain(&mut c, 4.0, &ch);
    html! {
        <Diagram id={super::diagram_id("execve-chain")} title="execve(\"./hello.sh\") through the binary-format handlers"
            desc={desc} width={W as u32} height={(y + 4.0).ceil() as u32} max_width={Some(520)}>
            { c.html() }
        </Diagram>
    }
}

/// The 256 bytes binfmt_script reads of flags.py, with the `#!` line's fields marked.
pub fn shebang_buffer() -> Html {
    let s = finished("/home/user/flags.py");
    let mut c = Canvas::new();
    // The first buffer (the script's own), as the script handler parses it.
    let at = s
        .outcome
        .steps
        .iter()
        .position(|st| st.kind == youcpu_core::exec::StepKind::Claim)
        .map_or(s.shown, |k| k + 1);
    let (y, desc) = buffer(&mut c, 4.0, &s.outcome, at).unwrap_or((4.0, String::new()));
    html! {
        <Diagram id={super::diagram_id("shebang-buffer")} title="The 256-byte buffer of flags.py, as binfmt_script reads it"
            desc={desc} width={W as u32} height={(y + 4.0).ceil() as u32} max_width={Some(520)}>
            { c.html() }
        </Diagram>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::super::FigureKind;

    /// Writes this family's figures to `$DEXEC_DUMP/NAME.html` for a look in a browser
    /// (`DEXEC_DUMP=/tmp/x cargo test -p youcpu-web --lib dump -- --ignored`).
    #[test]
    #[ignore]
    fn dump() {
        let Ok(dir) = std::env::var("DEXEC_DUMP") else {
            return;
        };
        for &k in FigureKind::ALL {
            let html = super::super::tests::render(k);
            let page = format!("<!doctype html><link rel=stylesheet href=\"{}/../../web/style.css\"><body><main class=\"article\" style=\"max-width:720px;margin:auto\"><figure class=\"figure\">{html}</figure></main>", env!("CARGO_MANIFEST_DIR"));
            std::fs::write(format!("{dir}/{}.html", k.id()), page).expect("write");
        }
        // The widgets' pictures in their opening states.
        use crate::ui::Apply;
        use crate::widgets::exec_draw::Canvas;
        use crate::widgets::*;
        let mut pics: Vec<(&str, Canvas, f64)> = Vec::new();
        let s = binfmt_misc::state::State::default();
        let files = binfmt_misc::diagram::sample_files();
        let mut c = Canvas::new();
        let (h, _) = binfmt_misc::diagram::draw(&mut c, &s.text, &s.verdict, &files, 0);
        pics.push(("w-binfmt", c, h));
        let s = shell_fallback::state::State::default();
        let mut c = Canvas::new();
        let (h, _) = shell_fallback::diagram::draw(&mut c, &s.runs, &s.text);
        pics.push(("w-shell", c, h));
        let mut s = linking::state::State::default();
        s.apply(linking::state::Action::Procs(3));
        let mut c = Canvas::new();
        let (h, _) =
            linking::diagram::draw(&mut c, s.sides.1.regions.as_ref().expect("regions"), 3, 8);
        pics.push(("w-linking", c, h));
        for (name, c, h) in pics {
            let body = c.html();
            let html = futures::executor::block_on(
                yew::LocalServerRenderer::<Wrap>::with_props(WrapProps { body, h }).render(),
            );
            let page = format!("<!doctype html><link rel=stylesheet href=\"{}/../../web/style.css\"><body><main class=\"article\" style=\"max-width:720px;margin:auto\"><figure class=\"figure\">{html}</figure></main>", env!("CARGO_MANIFEST_DIR"));
            std::fs::write(format!("{dir}/{name}.html"), page).expect("write");
        }
    }

    #[derive(yew::Properties, PartialEq)]
    struct WrapProps {
        body: yew::Html,
        h: f64,
    }

    #[yew::component]
    fn Wrap(p: &WrapProps) -> yew::Html {
        yew::html! {
            <crate::ui::Diagram id="x" title="x" desc="x" width={400} height={p.h.ceil() as u32} max_width={Some(560)}>
                { p.body.clone() }
            </crate::ui::Diagram>
        }
    }
}
