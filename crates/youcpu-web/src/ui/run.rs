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

/// How long one slice of a background run may compute before it hands the main thread back, in
/// milliseconds. A slice and the render of its result share one task; at 4x CPU throttling (a
/// mid-range phone) the render takes four times as long but the slice still stops at this wall
/// time, so the task stays under the 50 ms that counts as a long task (issue #18) as long as the
/// render fits in about 10 ms at 1x. A budget in time, not in steps: the same widget runs more
/// steps per slice on a fast machine and fewer on a slow one.
pub const SLICE_MS: f64 = 8.0;

/// The budget of a run's first slice, the one computed in the reader's own input task
/// (fetch-execute's Run): that task also carries the input's events and the render
/// of its result, and at 4x CPU throttling those take four times as long while a slice does not,
/// so the first slice is kept short and the run's later slices, each in a task of its own, take
/// [`SLICE_MS`].
pub const FIRST_SLICE_MS: f64 = 2.0;

/// Milliseconds on a monotonic clock: `performance.now()` in the browser (HTML Living Standard,
/// "High Resolution Time"), [`std::time::Instant`] natively (tests).
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        crate::dom::window()
            .and_then(|w| w.performance())
            .map_or_else(js_sys::Date::now, |p| p.now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::OnceLock;
        use std::time::Instant;
        static START: OnceLock<Instant> = OnceLock::new();
        START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
    }
}

/// A time budget for one slice of work: a reducer that advances a simulation asks it after each
/// step (or every few steps) whether to stop, so the slice ends after about `ms` milliseconds
/// whatever one step costs. The clock is read at most once per [`Slice::CHECK_EVERY`] calls,
/// and never before the first step: a slice always makes progress.
#[derive(Clone, Debug)]
pub struct Slice {
    deadline: f64,
    clock: fn() -> f64,
    calls: u32,
}

impl Slice {
    /// Steps between two readings of the clock (a reading costs about as much as a few
    /// instructions of the simulated CPU).
    pub const CHECK_EVERY: u32 = 8;

    /// A slice of [`SLICE_MS`] from now.
    pub fn new() -> Self {
        Slice::lasting(SLICE_MS)
    }

    /// A run's first slice, computed in the input's own task: [`FIRST_SLICE_MS`] from now.
    pub fn first() -> Self {
        Slice::lasting(FIRST_SLICE_MS)
    }

    /// A slice of `ms` milliseconds from now.
    pub fn lasting(ms: f64) -> Self {
        Slice::on_clock(ms, now_ms)
    }

    /// A slice of `ms` milliseconds measured on `clock` (tests give a fake one).
    pub fn on_clock(ms: f64, clock: fn() -> f64) -> Self {
        Slice {
            deadline: clock() + ms,
            clock,
            calls: 0,
        }
    }

    /// Call once per step done: true when the slice's time is spent and the caller should stop
    /// and hand the thread back.
    pub fn spent(&mut self) -> bool {
        self.calls = self.calls.wrapping_add(1);
        self.calls.is_multiple_of(Self::CHECK_EVERY) && (self.clock)() >= self.deadline
    }
}

impl Default for Slice {
    fn default() -> Self {
        Slice::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static FAKE: Cell<f64> = const { Cell::new(0.0) };
    }
    fn fake() -> f64 {
        FAKE.with(Cell::get)
    }

    #[test]
    fn a_slice_stops_when_its_time_is_spent_and_reads_the_clock_sparingly() {
        FAKE.with(|c| c.set(100.0));
        let mut s = Slice::on_clock(8.0, fake);
        // The clock has not moved: never spent, however many steps.
        assert!((0..100).all(|_| !s.spent()));
        FAKE.with(|c| c.set(107.9));
        assert!((0..Slice::CHECK_EVERY).all(|_| !s.spent()));
        FAKE.with(|c| c.set(108.0));
        let steps = (1..=Slice::CHECK_EVERY).find(|_| s.spent());
        assert!(
            steps.is_some(),
            "spent within CHECK_EVERY steps of the deadline"
        );
    }

    #[test]
    fn the_real_clock_moves_forward_and_a_short_slice_ends() {
        let a = now_ms();
        let mut s = Slice::lasting(1.0);
        let mut n = 0u64;
        while !s.spent() {
            n += 1;
            assert!(n < 1_000_000_000, "a 1 ms slice must end");
        }
        assert!(now_ms() - a >= 1.0);
    }
}
