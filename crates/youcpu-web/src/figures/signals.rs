//! Part 6's signal figure: the frame the simulated kernel built for the `signals` widget's
//! program (web/programs/bin/sigframe, its default run: SIGSEGV from a read of address 0x10),
//! drawn by the widget's own code at the handler's first instruction
//! (arch/x86/kernel/signal.c `get_sigframe`, signal_64.c `x64_setup_rt_frame`).

use crate::ui::Apply;
use crate::widgets::signals::diagram::{desc, draw, height, width};
use crate::widgets::signals::state::{Action, State};
use std::rc::Rc;
use yew::prelude::*;
use youcpu_core::linux::sigwatch::Moment;

/// The program, read at build time (the prerenderer is native; the browser fetches it).
const PROGRAM: &[u8] = include_bytes!("../../../../web/programs/bin/sigframe");

/// The stack at the handler's first instruction, drawn wide and narrow (the style sheet shows
/// the one that fits the screen).
pub fn signal_frame() -> Html {
    let mut s = State::default();
    s.apply(Action::Loaded(Ok(Rc::new(PROGRAM.to_vec()))));
    if let Some(i) = s.stops().iter().position(|t| t.moment == Moment::Handler) {
        s.apply(Action::Go(i));
    }
    let layout = |narrow: bool| {
        (
            width(narrow),
            height(&s, narrow),
            draw(&s, narrow, None, None),
        )
    };
    super::paging::dual(
        "signal-frame",
        "The signal frame on the user stack",
        desc(&s),
        layout(false),
        layout(true),
        Some(560),
    )
}
