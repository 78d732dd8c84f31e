//! A machine: one CPU, its MMU over simulated physical memory, and a timer device.

pub mod timer;

use crate::cpu::{Cpu, Event, TripleFault};
use crate::mmu::Mmu;
use timer::Timer;

/// The whole machine.
#[derive(Clone)]
pub struct Machine {
    /// The core.
    pub cpu: Cpu,
    /// Memory and translation.
    pub mmu: Mmu,
    /// The interval timer.
    pub timer: Timer,
}

impl Machine {
    /// A machine with `memory_limit` bytes of physical memory.
    pub fn new(memory_limit: u64) -> Self {
        Machine {
            cpu: Cpu::new(),
            mmu: Mmu::new(memory_limit),
            timer: Timer::default(),
        }
    }

    /// Delivers a pending timer interrupt if IF allows, then executes one instruction.
    /// A halted core with the timer on skips ahead to the next tick.
    #[inline]
    pub fn step(&mut self) -> Result<Event, TripleFault> {
        if self.timer.pending {
            if let Some(d) = self.cpu.interrupt(&mut self.mmu, self.timer.vector)? {
                self.timer.pending = false;
                return Ok(Event::Delivered(Box::new(d)));
            }
        }
        if self.cpu.halted {
            if self.timer.period.is_some() && self.cpu.s.flag(crate::cpu::state::rflags::IF) {
                self.timer.fire();
            }
            return Ok(Event::Halted);
        }
        let ev = self.cpu.step(&mut self.mmu)?;
        if matches!(ev, Event::Retired) {
            self.timer.tick();
        }
        Ok(ev)
    }

    /// Up to `max` steps as [`Machine::step`] takes them, in one call: stops early at the
    /// first step that is not [`Event::Retired`], after an instruction that changed the
    /// privilege level, and after the instruction on which the timer's period runs out (its
    /// interrupt is delivered by the next call). Returns how many steps retired and the last
    /// event ([`Event::Retired`] when `max` was reached).
    pub fn run(&mut self, max: u64) -> Result<(u64, Event), TripleFault> {
        if max == 0 {
            return Ok((0, Event::Retired));
        }
        if self.timer.pending || self.cpu.halted {
            let ev = self.step()?;
            return Ok((u64::from(matches!(ev, Event::Retired)), ev));
        }
        // The timer counts retired instructions down from at least 1 while it is on.
        let max = match self.timer.period {
            Some(_) => max.min(self.timer.countdown.max(1)),
            None => max,
        };
        let (n, ev) = self.cpu.run(&mut self.mmu, max)?;
        self.timer.advance(n);
        Ok((n, ev))
    }
}
