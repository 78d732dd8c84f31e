//! Preemption on the Part 1 machine: two or three user processes running real instructions on
//! the simulated CPU, each in its own address space, and a tiny kernel whose timer handler and
//! `sched_yield` path are ring-0 x86-64 code (see [`kernel`]) that saves the registers on the
//! task's kernel stack, switches CR3 and the stack, and IRETQs into the next task.
//!
//! Two modes: preemptive (the timer raises IDT vector 32 every N instructions) and cooperative
//! (the timer is off; processes give the CPU up by calling `sched_yield`, and one that never
//! does keeps it for ever).
//!
//! The one step done in Rust rather than by the simulated CPU: the model's CPU keeps TSS.RSP0 in
//! a register ([`crate::cpu::state::State::tss_rsp0`]) where a real CPU reads it from the TSS in
//! memory (through TR) at each ring-3-to-0 delivery (Intel SDM vol. 3 §6.14.2). The kernel here
//! writes RSP0 into a TSS in guest memory, as Linux does; after every kernel instruction
//! [`System::step`] copies that memory word into the register, which is what the CPU would read.
//! The scheduler's choice, the register saving and the CR3 and stack switch are all guest code.
//!
//! Why a kernel apart from [`crate::linux`], which schedules real programs by the same timer
//! interrupt: here the context switch itself is the lesson, so it is x86-64 code the reader
//! can single-step, where the Rust kernel switches between two instructions. Both boot
//! through [`crate::linux::boot`] and use Linux's selectors and layout
//! ([`crate::linux::layout`]).

pub mod error;
pub mod kernel;
mod setup;
pub mod trace;

#[cfg(test)]
mod tests;

use crate::asm::listing::Listing;
use crate::cpu::state::{rflags, RAX, RSP};
use crate::cpu::{fault::vector, Event};
use crate::machine::Machine;
pub use error::Error;
pub use kernel::Program;
use kernel::*;
use serde::Serialize;
use std::collections::VecDeque;
use trace::{Owner, Reason, Run, Switch};

/// The most processes a machine accepts.
pub const MAX_PROCESSES: usize = 8;
/// The longest timer period accepted, in instructions.
pub const MAX_PERIOD: u64 = 1_000_000;
/// The longest yield interval accepted, in loop iterations.
pub const MAX_YIELD_EVERY: u64 = 1_000_000;
/// The most steps one machine runs before it refuses to go on.
pub const MAX_STEPS: u64 = 100_000_000;
/// The most switches kept in the log (older ones are dropped; all are counted).
pub const MAX_SWITCH_LOG: usize = 256;
/// The most timeline runs kept (older ones are dropped).
pub const MAX_RUNS: usize = 4096;
/// Simulated physical memory.
const MEMORY: u64 = 2 << 20;

/// How the CPU is shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Mode {
    /// The timer interrupts every `period` instructions.
    Preemptive {
        /// Instructions between timer interrupts.
        period: u64,
    },
    /// No timer: processes call `sched_yield` every `yield_every` loop iterations.
    Cooperative {
        /// Iterations between yields in the counter programs.
        yield_every: u64,
    },
}

impl Mode {
    /// The yield interval the programs are built with (none in preemptive mode).
    pub fn yield_every(self) -> Option<u64> {
        match self {
            Mode::Preemptive { .. } => None,
            Mode::Cooperative { yield_every } => Some(yield_every),
        }
    }
}

/// One process to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessSpec {
    /// The program it runs, when it is one of [`Program::ALL`].
    pub program: Option<Program>,
    /// Its assembly source (at [`USER_CODE`]).
    pub source: String,
    /// The byte stored at [`LETTER`] (the counters print it).
    pub letter: u8,
}

impl ProcessSpec {
    /// A process running `program`, printing `letter`, built for `mode`.
    pub fn new(program: Program, letter: u8, mode: Mode) -> Self {
        ProcessSpec {
            program: Some(program),
            source: program.source(mode.yield_every()),
            letter,
        }
    }
}

/// What to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The processes, in task order.
    pub processes: Vec<ProcessSpec>,
    /// The mode.
    pub mode: Mode,
}

/// The CPU as a widget shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CpuView {
    /// RIP.
    pub rip: u64,
    /// RSP.
    pub rsp: u64,
    /// CR3.
    pub cr3: u64,
    /// CS.
    pub cs: u16,
    /// The CPL: CS's low two bits.
    pub cpl: u8,
    /// RFLAGS.
    pub rflags: u64,
    /// RFLAGS.IF: interrupts enabled.
    pub interrupts_on: bool,
    /// The task in `current`.
    pub current: usize,
}

/// One slot of a saved frame read back from a kernel stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// Its address.
    pub addr: u64,
    /// What it holds.
    pub name: &'static str,
    /// The value.
    pub value: u64,
}

/// A process as a widget shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProcessView {
    /// 0-based task index.
    pub index: usize,
    /// Its program, when one of the menu's.
    pub program: Option<Program>,
    /// Its letter.
    pub letter: char,
    /// Its counter, read from its data page.
    pub counter: u64,
    /// Instructions it retired in ring 3.
    pub user_instructions: u64,
    /// On the CPU right now (or being switched away from/to in the kernel).
    pub current: bool,
    /// Its page-table root.
    pub cr3: u64,
    /// The physical address its [`USER_DATA`] page maps to.
    pub data_phys: u64,
    /// The top of its kernel stack.
    pub kstack_top: u64,
    /// Its saved frame (registers, then what the CPU pushed), when it is waiting.
    pub saved: Option<Vec<Slot>>,
}

struct Task {
    spec: ProcessSpec,
    cr3: u64,
    data_phys: u64,
    listing: Listing,
    user_instructions: u64,
}

/// A kernel trip in progress.
#[derive(Clone, Debug)]
struct Entry {
    at: u64,
    reason: Reason,
    fired_at: Option<u64>,
    vector: Option<u8>,
    handler: u64,
    from: Option<usize>,
    from_rip: u64,
    rsp0: u64,
    cr3_from: u64,
    kernel_start: u64,
}

/// What [`System::run`] stops at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// Only the budget.
    Budget,
    /// The next completed kernel trip that resumed a task (a switch, boot included).
    Switch,
}

/// The multi-process machine.
pub struct System {
    /// The CPU, memory and timer.
    pub m: Machine,
    mode: Mode,
    kernel_cr3: u64,
    kernel: Listing,
    tasks: Vec<Task>,
    steps: u64,
    instructions: u64,
    current: usize,
    entry: Option<Entry>,
    switches: VecDeque<Switch>,
    switch_total: u64,
    timer_interrupts: u64,
    yields: u64,
    writes: u64,
    timeline: VecDeque<Run>,
    last_fire: u64,
    stopped: Option<Error>,
}

impl Clone for System {
    fn clone(&self) -> Self {
        System {
            m: self.m.clone(),
            mode: self.mode,
            kernel_cr3: self.kernel_cr3,
            kernel: self.kernel.clone(),
            tasks: self
                .tasks
                .iter()
                .map(|t| Task {
                    spec: t.spec.clone(),
                    cr3: t.cr3,
                    data_phys: t.data_phys,
                    listing: t.listing.clone(),
                    user_instructions: t.user_instructions,
                })
                .collect(),
            steps: self.steps,
            instructions: self.instructions,
            current: self.current,
            entry: self.entry.clone(),
            switches: self.switches.clone(),
            switch_total: self.switch_total,
            timer_interrupts: self.timer_interrupts,
            yields: self.yields,
            writes: self.writes,
            timeline: self.timeline.clone(),
            last_fire: self.last_fire,
            stopped: self.stopped.clone(),
        }
    }
}

impl System {
    /// Reads a kernel word (through the kernel's page tables).
    pub fn kread(&self, va: u64) -> Result<u64, Error> {
        Ok(self.m.mmu.phys.read_u64(self.kphys(va)?))
    }

    fn kwrite(&mut self, va: u64, v: u64) -> Result<(), Error> {
        let p = self.kphys(va)?;
        self.m.mmu.phys.write_u64(p, v);
        Ok(())
    }

    fn kwrite_bytes(&mut self, va: u64, b: &[u8]) -> Result<(), Error> {
        let p = self.kphys(va)?;
        self.m.mmu.phys.write(p, b);
        Ok(())
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The kernel's listing.
    pub fn kernel_listing(&self) -> &Listing {
        &self.kernel
    }

    /// Task `i`'s program listing.
    pub fn listing(&self, i: usize) -> Option<&Listing> {
        self.tasks.get(i).map(|t| &t.listing)
    }

    /// The source line of the instruction at RIP (from the kernel's listing in ring 0, else the
    /// running task's), comment removed; `None` when RIP is not at a line's start.
    pub fn line_at_rip(&self) -> Option<&str> {
        let s = &self.m.cpu.s;
        let listing = if s.cpl() == 0 {
            Some(&self.kernel)
        } else {
            self.listing(self.current)
        }?;
        listing
            .lines
            .iter()
            .find(|l| l.addr == s.rip && !l.bytes.is_empty())
            .map(|l| l.text.split('#').next().unwrap_or("").trim())
    }

    /// The number of processes.
    pub fn processes_len(&self) -> usize {
        self.tasks.len()
    }

    /// Instructions retired (ring 0 and ring 3).
    pub fn instructions(&self) -> u64 {
        self.instructions
    }

    /// Timer interrupts delivered.
    pub fn timer_interrupts(&self) -> u64 {
        self.timer_interrupts
    }

    /// `sched_yield` calls.
    pub fn yields(&self) -> u64 {
        self.yields
    }

    /// `write` calls.
    pub fn writes(&self) -> u64 {
        self.writes
    }

    /// Kernel trips that resumed a task (boot included).
    pub fn switch_total(&self) -> u64 {
        self.switch_total
    }

    /// The latest switches, oldest first.
    pub fn switches(&self) -> &VecDeque<Switch> {
        &self.switches
    }

    /// Who held the CPU, run by run, oldest first (the last [`MAX_RUNS`]).
    pub fn timeline(&self) -> &VecDeque<Run> {
        &self.timeline
    }

    /// Why the machine stopped, if it did.
    pub fn stopped(&self) -> Option<&Error> {
        self.stopped.as_ref()
    }

    /// The CPU.
    pub fn cpu(&self) -> CpuView {
        let s = &self.m.cpu.s;
        CpuView {
            rip: s.rip,
            rsp: s.gpr[RSP],
            cr3: s.cr3,
            cs: s.cs,
            cpl: s.cpl(),
            rflags: s.rflags,
            interrupts_on: s.flag(rflags::IF),
            current: self.current,
        }
    }

    /// True while the kernel is running (between an entry and the IRETQ that ends it).
    pub fn in_kernel(&self) -> bool {
        self.m.cpu.s.cpl() == 0
    }

    /// The console's contents (the last 4 KiB written).
    pub fn console(&self) -> String {
        let len = self.kread(CONSOLE_LEN).unwrap_or(0);
        let n = len.min(CONSOLE_SIZE);
        let mut out = String::with_capacity(n as usize);
        for k in (len - n)..len {
            let a = CONSOLE + (k & (CONSOLE_SIZE - 1));
            let mut b = [0u8; 1];
            if let Ok(p) = self.kphys(a) {
                self.m.mmu.phys.read(p, &mut b);
            }
            let c = b[0];
            out.push(if c.is_ascii_graphic() || c == b' ' {
                c as char
            } else {
                '.'
            });
        }
        out
    }

    /// Bytes written to the console so far.
    pub fn console_len(&self) -> u64 {
        self.kread(CONSOLE_LEN).unwrap_or(0)
    }

    /// Task `i`'s saved frame read from its kernel stack, lowest address first.
    pub fn saved_frame(&self, i: usize) -> Option<Vec<Slot>> {
        let at = self.kread(TASKS + TASK_ENTRY * i as u64 + T_RSP).ok()?;
        FRAME_SLOTS
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let addr = at + 8 * k as u64;
                self.kread(addr)
                    .ok()
                    .map(|value| Slot { addr, name, value })
            })
            .collect()
    }

    /// Every process.
    pub fn processes(&self) -> Vec<ProcessView> {
        self.tasks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let current = i == self.current;
                // A frame in the task entry is the task's registers only while it waits (the
                // running task's entry still points at the frame it was last resumed from).
                let waiting = !current;
                ProcessView {
                    index: i,
                    program: t.spec.program,
                    letter: t.spec.letter as char,
                    counter: self.m.mmu.phys.read_u64(t.data_phys),
                    user_instructions: t.user_instructions,
                    current,
                    cr3: t.cr3,
                    data_phys: t.data_phys,
                    kstack_top: kstack_top(i),
                    saved: if waiting { self.saved_frame(i) } else { None },
                }
            })
            .collect()
    }

    /// When the machine can never switch again, why (cooperative mode, a runaway on the CPU).
    pub fn frozen(&self) -> Option<String> {
        let Mode::Cooperative { .. } = self.mode else {
            return None;
        };
        if self.in_kernel() || self.switch_total == 0 {
            return None;
        }
        let t = self.tasks.get(self.current)?;
        let spin = t.listing.label("spin")?;
        if t.spec.program != Some(Program::Runaway) || self.m.cpu.s.rip < spin {
            return None;
        }
        Some(format!(
            "Frozen: task {} is stuck in `inc qword ptr [counter]; jmp spin`, a loop with no \
             system call. The timer is off, so no interrupt will ever come; the CPU only \
             leaves ring 3 through an interrupt, an exception or a system call, so the kernel \
             never runs again and cannot give the CPU to anyone else. The other processes \
             are not dead, only never resumed: their registers wait on their kernel stacks.",
            self.current + 1
        ))
    }

    fn record(&mut self, owner: Owner) {
        if let Some(last) = self.timeline.back_mut() {
            if last.owner == owner && last.start + last.len == self.instructions {
                last.len += 1;
                return;
            }
        }
        if self.timeline.len() >= MAX_RUNS {
            self.timeline.pop_front();
        }
        self.timeline.push_back(Run {
            owner,
            start: self.instructions,
            len: 1,
        });
    }

    fn stop(&mut self, why: Error) -> Error {
        self.stopped = Some(why.clone());
        why
    }

    /// Executes one instruction, or delivers one timer interrupt. Returns true when this step
    /// completed a kernel trip (a task was resumed in ring 3).
    pub fn step(&mut self) -> Result<bool, Error> {
        if let Some(e) = &self.stopped {
            return Err(e.clone());
        }
        if self.steps >= MAX_STEPS {
            return Err(self.stop(Error::StepLimit));
        }
        self.steps += 1;
        let cpl_before = self.m.cpu.s.cpl();
        let rsp0 = self.m.cpu.s.tss_rsp0;
        let ticks = self.m.timer.ticks;
        let ev = match self.m.step() {
            Ok(ev) => ev,
            Err(t) => return Err(self.stop(Error::Cpu(t.to_string()))),
        };
        let mut resumed = false;
        match ev {
            Event::Delivered(d) if d.fault.is_none() && d.vector == vector::TIMER => {
                self.timer_interrupts += 1;
                self.entry = Some(Entry {
                    at: self.instructions,
                    reason: Reason::Timer,
                    fired_at: Some(self.last_fire),
                    vector: Some(d.vector),
                    handler: d.handler,
                    from: Some(self.current),
                    from_rip: d.saved_rip,
                    rsp0,
                    cr3_from: self.m.cpu.s.cr3,
                    kernel_start: self.instructions,
                });
            }
            Event::Delivered(d) => {
                let what = d
                    .fault
                    .as_ref()
                    .map_or_else(|| format!("vector {}", d.vector), |f| f.to_string());
                return Err(self.stop(Error::Raised {
                    task: self.current + 1,
                    what,
                    rip: d.saved_rip,
                }));
            }
            Event::Halted => {
                return Err(self.stop(Error::Halted));
            }
            Event::Retired => {
                let owner = if cpl_before == 3 {
                    if let Some(t) = self.tasks.get_mut(self.current) {
                        t.user_instructions += 1;
                    }
                    Owner::Task(self.current)
                } else {
                    Owner::Kernel
                };
                self.record(owner);
                self.instructions += 1;
                if self.m.timer.ticks != ticks {
                    self.last_fire = self.instructions;
                }
                let cpl = self.m.cpu.s.cpl();
                if cpl_before == 3 && cpl == 0 {
                    // SYSCALL: RAX holds the number.
                    let nr = self.m.cpu.s.gpr[RAX];
                    if nr == SYS_YIELD {
                        self.yields += 1;
                        self.entry = Some(Entry {
                            at: self.instructions - 1,
                            reason: Reason::Yield,
                            fired_at: None,
                            vector: None,
                            handler: self.m.cpu.s.rip,
                            from: Some(self.current),
                            from_rip: self.m.cpu.s.gpr[crate::cpu::state::RCX],
                            rsp0,
                            cr3_from: self.m.cpu.s.cr3,
                            kernel_start: self.instructions,
                        });
                    } else if nr == SYS_WRITE {
                        self.writes += 1;
                    }
                }
                if cpl_before == 0 {
                    // Kernel code may have written TSS.RSP0 in memory: the CPU reads it there.
                    self.m.cpu.s.tss_rsp0 = self.kread(TSS_RSP0).unwrap_or(0);
                }
                if cpl_before == 0 && cpl == 3 {
                    let cur = self.kread(CURRENT).unwrap_or(0) as usize;
                    self.current = cur.min(self.tasks.len().saturating_sub(1));
                    if let Some(e) = self.entry.take() {
                        resumed = true;
                        self.finish(e);
                    }
                }
            }
        }
        Ok(resumed)
    }

    fn finish(&mut self, e: Entry) {
        let to = self.current;
        let s = &self.m.cpu.s;
        let (cr3_to, resume_rip, resume_rsp, rsp0_to) = (s.cr3, s.rip, s.gpr[RSP], s.tss_rsp0);
        let saved_at = e
            .from
            .and_then(|f| self.kread(TASKS + TASK_ENTRY * f as u64 + T_RSP).ok());
        let rsp_to = self
            .kread(TASKS + TASK_ENTRY * to as u64 + T_RSP)
            .unwrap_or(0);
        let sw = Switch {
            at: e.at,
            reason: e.reason,
            fired_at: e.fired_at,
            vector: e.vector,
            handler: e.handler,
            from: e.from,
            to,
            from_rip: e.from_rip,
            rsp0: e.rsp0,
            saved_at,
            cr3_from: e.cr3_from,
            cr3_to,
            rsp_to,
            rsp0_to,
            resume_rip,
            resume_rsp,
            kernel_instructions: self.instructions - e.kernel_start,
        };
        if self.switches.len() >= MAX_SWITCH_LOG {
            self.switches.pop_front();
        }
        self.switches.push_back(sw);
        self.switch_total += 1;
    }

    /// Runs up to `budget` steps, or fewer when `until` is met; returns the steps taken. An
    /// error stops the machine for good.
    pub fn run(&mut self, budget: u64, until: Until) -> Result<u64, Error> {
        let mut n = 0;
        while n < budget {
            let resumed = self.step()?;
            n += 1;
            if resumed && until == Until::Switch {
                break;
            }
        }
        Ok(n)
    }
}
