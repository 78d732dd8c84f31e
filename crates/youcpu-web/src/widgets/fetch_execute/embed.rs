//! `fetch-execute`'s view on a machine another widget hands over: your-program opens a moment of
//! a whole program's run and steps on from there here, in the same picture (memory around RIP,
//! the decoder, the CPU), with the same phases, registers and x87/SSE panel as the widget in
//! Part 1. Only Step, Run, Stop and Step back: the program is the reader's, not one typed here.

use super::parts;
use super::state::{Action, State, LineView};
use crate::ui::{use_background_run, use_narrow, Apply, Control, Dispatch, Pace, Reduced, Stepper};
use crate::widgets::ring3::peek;
use std::rc::Rc;
use yew::prelude::*;
use youcpu_core::asm::{disassemble_one, Bitness};
use youcpu_core::linux::Linux;

/// Snapshots kept for Step back: a whole program's machine (its libraries' pages included) is
/// about a megabyte, so fewer than the widget's own 200.
pub const KEEP: usize = 16;

/// The instruction at RIP as a one-line listing, so the picture outlines its bytes and the
/// decoder names it before the first step (empty in the kernel or where nothing decodes).
pub fn listing_at(os: &Linux) -> Vec<LineView> {
    let rip = os.m.cpu.s.rip;
    if os.m.cpu.s.cs & 3 != 3 {
        return Vec::new();
    }
    let bytes = peek(os, rip, 15);
    match disassemble_one(&bytes, Bitness::B64, rip) {
        Ok(d) if d.len > 0 => vec![LineView {
            source: d.text,
            addr: rip,
            bytes: bytes.get(..d.len).unwrap_or_default().to_vec(),
            error: None,
        }],
        _ => Vec::new(),
    }
}

/// The stepper's state: fetch-execute's own, with the listing kept at RIP after every action.
#[derive(Clone)]
pub struct Handed {
    /// fetch-execute's state on the handed machine.
    pub fe: State,
    /// Instructions the process had retired when it was handed over.
    pub at: u64,
}

impl Handed {
    /// The stepper on `os`.
    pub fn new(os: Linux) -> Self {
        let lines = listing_at(&os);
        let at = os.m.cpu.retired_user;
        Handed {
            fe: State::from_machine(os, lines, KEEP),
            at,
        }
    }
}

impl Apply for Handed {
    type Action = Action;

    fn ignores(&self, a: &Action) -> bool {
        self.fe.ignores(a)
    }

    fn apply(&mut self, a: Action) {
        // Only the stepping actions: the others would start fetch-execute's own program.
        if matches!(a, Action::Step | Action::Run | Action::Continue | Action::Stop | Action::Back) {
            self.fe.apply(a);
            self.fe.lines = self.fe.os.as_deref().map(listing_at).unwrap_or_default();
        }
    }
}

/// The stepper's properties.
#[derive(Properties, Clone)]
pub struct HandedProps {
    /// The machine, at the moment it was opened.
    pub machine: Rc<Linux>,
    /// The picture's id (`data-testid`, and its title's and description's ids).
    pub id: AttrValue,
}

impl PartialEq for HandedProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.machine, &o.machine) && self.id == o.id
    }
}

/// fetch-execute's view of a handed machine (a new machine starts it afresh: key it by the
/// moment).
#[component]
pub fn HandedStepper(p: &HandedProps) -> Html {
    let state = {
        let m = p.machine.clone();
        use_reducer(move || Reduced(Handed::new((*m).clone())))
    };
    let shown = use_narrow();
    {
        let d = state.dispatcher();
        use_background_run(
            (state.fe.pending, state.fe.retired()),
            (state.fe.pending > 0).then_some(Pace::Chunks),
            move || d.dispatch(Action::Continue),
        );
    }
    let fe = &state.fe;
    let running = fe.running();
    let os = fe.os.clone();
    let on_hit = {
        let d = state.dispatcher();
        Callback::from(move |key: String| {
            if key == "decoder" {
                d.dispatch(Action::Step);
            }
        })
    };
    let picture = crate::widgets::cpu_pic::render_shown(
        shown,
        |narrow| super::diagram::layout(fe, narrow),
        &p.id,
        "Fetch, decode, execute from this moment: memory around RIP, the decoder and the CPU",
        &super::diagram::describe(fe),
        Some(on_hit),
    );
    let since = fe.retired().saturating_sub(state.at);
    let regs = os.as_ref().map_or_else(Html::default, |o| {
        let c = &o.m.cpu.s;
        let at_rip = if running { peek(o, c.rip, 15) } else { Vec::new() };
        parts::registers(c, fe.before.as_ref(), fe.last.as_ref().map_or(0, |l| l.undefined), &at_rip)
    });
    html! {
        <div class="fe-handed" data-testid="fe-handed">
            { picture }
            <Stepper label="Step on from this moment" steps={vec![
                Control::button("Step", state.on(Action::Step)).testid("fe-step").disabled(!running),
                if fe.pending > 0 {
                    Control::button("Stop", state.on(Action::Stop)).testid("fe-stop")
                } else {
                    Control::button("Run", state.on(Action::Run)).testid("fe-run").disabled(!running)
                },
                Control::button("Step back", state.on(Action::Back)).testid("fe-back").disabled(fe.history.is_empty()),
                Control::hint(format!("{since} instructions since the moment ({} in all)", fe.retired())).testid("fe-count"),
            ]} />
            { parts::phases(fe.last.as_ref(), running) }
            if let Some(n) = &fe.notice { <p class="stale" role="status" data-testid="fe-notice">{ n.clone() }</p> }
            <details class="fe-regs-wrap" open=true>
                <summary>{ "Every register in full" }</summary>
                { regs }
            </details>
            if let Some(o) = os.as_ref().filter(|o| super::fp::touched(&o.m.cpu)) { { super::fp::panel(&o.m.cpu, fe.before.as_ref()) } }
        </div>
    }
}
