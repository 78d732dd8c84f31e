//! A programmable interval timer that raises an interrupt every N retired instructions
//! (instructions stand in for time, which keeps the machine deterministic).

use serde::Serialize;

/// The timer device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Timer {
    /// Instructions between interrupts; `None` = disabled.
    pub period: Option<u64>,
    /// Instructions left until the next tick.
    pub countdown: u64,
    /// A tick is waiting for IF = 1.
    pub pending: bool,
    /// Ticks raised so far.
    pub ticks: u64,
    /// The vector it raises.
    pub vector: u8,
}

/// The longest period accepted (bounds how long a halted machine "sleeps").
pub const MAX_PERIOD: u64 = 1 << 40;

/// A timer period outside 1..=[`MAX_PERIOD`] instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadPeriod {
    /// The period asked for.
    pub period: u64,
}

impl std::fmt::Display for BadPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "timer period must be 1..={MAX_PERIOD} instructions, got {}",
            self.period
        )
    }
}

impl std::error::Error for BadPeriod {}

impl Timer {
    /// Enables the timer with `period` instructions (1..=MAX_PERIOD) on `vector`.
    pub fn enable(&mut self, period: u64, vector: u8) -> Result<(), BadPeriod> {
        if period == 0 || period > MAX_PERIOD {
            return Err(BadPeriod { period });
        }
        self.period = Some(period);
        self.countdown = period;
        self.vector = vector;
        self.pending = false;
        Ok(())
    }

    /// Disables the timer.
    pub fn disable(&mut self) {
        self.period = None;
        self.pending = false;
    }

    /// Counts one retired instruction; sets `pending` when the period elapses.
    #[inline]
    pub fn tick(&mut self) {
        if self.period.is_some() {
            self.countdown = self.countdown.saturating_sub(1);
            if self.countdown == 0 {
                self.fire();
            }
        }
    }

    /// Counts `n` retired instructions at once, as `n` calls to [`Timer::tick`] would; `n`
    /// must not exceed the countdown (the period runs out at most once).
    #[inline]
    pub fn advance(&mut self, n: u64) {
        if self.period.is_some() && n > 0 {
            self.countdown = self.countdown.saturating_sub(n);
            if self.countdown == 0 {
                self.fire();
            }
        }
    }

    /// Raises the interrupt now (a halted CPU skips ahead to the next tick).
    pub fn fire(&mut self) {
        if let Some(p) = self.period {
            self.pending = true;
            self.ticks += 1;
            self.countdown = p;
        }
    }
}
