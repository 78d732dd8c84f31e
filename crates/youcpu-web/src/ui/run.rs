//! One way for a widget to work in the background: a step in its own timer task, so the page
//! keeps painting and answering input while a program runs or a simulation computes.

use gloo_timers::callback::{Interval, Timeout};

/// How a background run paces its steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// The next step in a new task as soon as the last one's result is on screen: one step per
    /// render whose `progress` changed (a zero-delay `setTimeout`).
    Chunks,
    /// A step every this many milliseconds (`setInterval`), for motion the reader watches.
    Every(u32),
}

/// While `run` is `Some`, calls `step` in a timer task, paced by it. With [`Pace::Chunks`] it is
/// called once per change of `progress` (the step's own result re-arms it); with
/// [`Pace::Every`] every period until `run` changes. A new `progress` or `run` cancels the step
/// still pending (dropping gloo-timers' handle clears the timer), so a stale one never runs;
/// so does unmounting.
#[yew::hook]
pub fn use_background_run<K, F>(progress: K, run: Option<Pace>, step: F)
where
    K: PartialEq + 'static,
    F: Fn() + 'static,
{
    yew::use_effect_with((progress, run), move |(_, run)| {
        let (mut once, mut every) = (None, None);
        match run {
            Some(Pace::Chunks) => once = Some(Timeout::new(0, step)),
            Some(Pace::Every(ms)) => every = Some(Interval::new(*ms, step)),
            None => {}
        }
        move || drop((once, every))
    });
}
