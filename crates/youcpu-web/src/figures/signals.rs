//! Part 6's signal figure: the frame the simulated kernel built for the `signals` widget's
//! program (web/programs/bin/sigframe, its default run: SIGSEGV from a read of address 0x10),
//! drawn by the widget's own code at the handler's first instruction
//! (arch/x86/kernel/signal.c `get_sigframe`, signal_64.c `x64_setup_rt_frame`).

use crate::ui::{Apply, Diagram};
use crate::widgets::signals::diagram::{desc, draw, height, W};
use crate::widgets::signals::state::{Action, State};
use std::rc::Rc;
use yew::prelude::*;
use youcpu_core::linux::sigwatch::Moment;

/// The program, read at build time (the prerenderer is native; the browser fetches it).
const PROGRAM: &[u8] = include_bytes!("../../../../web/programs/bin/sigframe");

/// The stack at the handler's first instruction.
pub fn signal_frame() -> Html {
    let mut s = State::default();
    s.apply(Action::Loaded(Ok(Rc::new(PROGRAM.to_vec()))));
    if let Some(i) = s.stops().iter().position(|t| t.moment == Moment::Handler) {
        s.apply(Action::Go(i));
    }
    html! {
        <Diagram id={super::diagram_id("signal-frame")} title="The signal frame on the user stack"
            desc={desc(&s)} width={W as u32} height={height(&s).ceil() as u32} max_width={Some(560)}>
            { draw(&s, None, None) }
        </Diagram>
    }
}
