//! The x86-64 core: architectural state, decode cache, interpreter and exception delivery.
//!
//! The CPU reaches memory only through a [`bus::Bus`] (the MMU). One call to [`Cpu::step`]
//! executes one instruction (one iteration of a REP string instruction, as the hardware's
//! single-step trap sees it) or delivers one exception/interrupt through the IDT.

pub mod bus;
pub mod decode;
pub mod exec;
mod families;
pub mod fault;
pub mod flags;
pub mod fp;
pub mod interrupt;
pub mod operand;
pub mod replay;
pub mod state;
pub mod uop;
pub mod vendor;
pub mod x87;

use bus::{Bus, PagingConfig};
use decode::{DecodeCache, Fetched};
use fault::Fault;
use serde::Serialize;
use state::State;

/// What one [`Cpu::step`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// An instruction (or one REP iteration) retired.
    Retired,
    /// The instruction raised an exception, or was INT n/INT3/an interrupt; it was delivered.
    /// (Boxed: deliveries are rare and the common `Retired` should stay small to return.)
    Delivered(Box<interrupt::Delivery>),
    /// HLT: the core waits for an interrupt.
    Halted,
}

/// The core stopped for good: delivering an exception faulted twice (a triple fault shuts a
/// real machine down).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TripleFault {
    /// The exceptions in order.
    pub chain: Vec<Fault>,
}

impl std::fmt::Display for TripleFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.chain.iter().map(|x| x.to_string()).collect();
        write!(
            f,
            "triple fault (the machine would reset): {}",
            parts.join(", then ")
        )
    }
}

impl std::error::Error for TripleFault {}

/// One x86-64 core.
#[derive(Clone, Default)]
pub struct Cpu {
    /// Registers, flags, control registers, MSRs.
    pub s: State,
    /// Decoded instructions.
    pub icache: DecodeCache,
    /// Instructions retired in ring 3 (each REP iteration counts once, as single-stepping sees).
    pub retired_user: u64,
    /// Instructions retired in ring 0.
    pub retired_kernel: u64,
    /// True after HLT until an interrupt arrives.
    pub halted: bool,
}

impl Cpu {
    /// A core in its reset state (paging off, ring 0).
    pub fn new() -> Self {
        Cpu::default()
    }

    /// True when the core runs in ring 3.
    #[inline]
    pub fn user(&self) -> bool {
        self.s.cs & 3 == 3
    }

    /// The paging controls implied by CR0, CR3, CR4 and EFER.
    pub fn paging_config(&self) -> PagingConfig {
        PagingConfig {
            enabled: self.s.cr0 & state::cr::CR0_PG != 0,
            cr3: self.s.cr3,
            la57: self.s.cr4 & state::cr::CR4_LA57 != 0,
            wp: self.s.cr0 & state::cr::CR0_WP != 0,
            nxe: self.s.efer & state::cr::EFER_NXE != 0,
        }
    }

    /// Pushes the paging controls to the bus (after a CR0/CR3/CR4/EFER change), flushing the TLB.
    pub fn sync_paging<B: Bus + ?Sized>(&mut self, bus: &mut B) {
        bus.set_paging(self.paging_config());
    }

    /// Executes one instruction, or delivers the exception it raised.
    #[inline]
    pub fn step<B: Bus>(&mut self, bus: &mut B) -> Result<Event, TripleFault> {
        if self.halted {
            return Ok(Event::Halted);
        }
        let user = self.user();
        self.step_one(bus, user)
    }

    /// Executes up to `max` instructions as [`Cpu::step`] would, one after the other, and
    /// stops early at the first step that is not [`Event::Retired`] (a delivery, HLT) or
    /// after an instruction that changed the privilege level (SYSCALL, SYSRET, IRET: the
    /// caller's kernel takes over there). Returns how many steps retired and the last event
    /// ([`Event::Retired`] when `max` was reached; `max` = 0 runs nothing).
    ///
    /// This is the hot loop of every long run: the same work as `max` calls to
    /// [`Cpu::step`], without returning to the caller between instructions.
    #[inline]
    pub fn run<B: Bus>(&mut self, bus: &mut B, max: u64) -> Result<(u64, Event), TripleFault> {
        if self.halted {
            return Ok((0, Event::Halted));
        }
        let user = self.user();
        let mut n = 0;
        while n < max {
            // The chain: instructions with a compact form, each found by the previous one's
            // successor link, while nothing that could break the links happens (a code
            // write ends it; the compact forms cannot change the privilege or the
            // translations). Anything else takes the full step below.
            let mut p = self.icache.chain_start(bus, user);
            if p != 0 {
                let epoch = bus.translation_epoch();
                let budget = max - n;
                let mut k = 0u64;
                let mut fault = None;
                // After an instruction without a compact form: the core halted, changed
                // ring, or the translations changed (the chain must stop for each).
                let mut stop = false;
                while k < budget {
                    let rip = self.s.rip;
                    let Some((c, u)) = self.icache.successor(p, rip) else {
                        break;
                    };
                    p = c;
                    self.s.rip = u.next_ip;
                    let r = if u.op == uop::Op::Generic {
                        stop = true;
                        match self.icache.instruction(c - 1) {
                            Some(&ins) => exec::execute(self, bus, &ins),
                            None => Err(fault::Fault::ud(format!(
                                "decode cache entry {c} is missing at {rip:#x}"
                            ))),
                        }
                    } else {
                        exec::fast::run(&mut self.s, bus, u)
                    };
                    if let Err(f) = r {
                        fault = Some((f, rip));
                        break;
                    }
                    k += 1;
                    if bus.code_writes_pending() {
                        break;
                    }
                    if stop {
                        if self.halted || self.user() != user || bus.translation_epoch() != epoch {
                            break;
                        }
                        stop = false;
                    }
                }
                self.icache.set_prev(p);
                n += k;
                if user {
                    self.retired_user += k;
                } else {
                    self.retired_kernel += k;
                }
                if let Some((f, rip)) = fault {
                    return Ok((n, self.deliver_fault(bus, f, rip, user)?));
                }
                if self.halted {
                    return Ok((n, Event::Halted));
                }
                if n >= max || self.user() != user {
                    break;
                }
            }
            match self.step_one(bus, user)? {
                Event::Retired => {
                    n += 1;
                    if self.user() != user {
                        break;
                    }
                }
                e => return Ok((n, e)),
            }
        }
        Ok((n, Event::Retired))
    }

    /// One step of a core that is not halted, at privilege `user` (= [`Cpu::user`]).
    #[inline(always)]
    fn step_one<B: Bus>(&mut self, bus: &mut B, user: bool) -> Result<Event, TripleFault> {
        let rip = self.s.rip;
        let result = match self.icache.next_fast(bus, rip, user) {
            Some(i) => self.execute_cached(bus, i),
            None => match self.icache.lookup(bus, rip, user) {
                Ok(Fetched::Cached(i)) => self.execute_cached(bus, i),
                Ok(Fetched::Uncached(ins)) => {
                    self.s.rip = ins.next_ip();
                    exec::execute(self, bus, &ins)
                }
                Err(f) => Err(f),
            },
        };
        match result {
            Ok(()) => {
                if user {
                    self.retired_user += 1;
                } else {
                    self.retired_kernel += 1;
                }
                if self.halted {
                    return Ok(Event::Halted);
                }
                Ok(Event::Retired)
            }
            Err(f) => self.deliver_fault(bus, f, rip, user),
        }
    }

    /// Delivers the exception `f` raised by the instruction at `rip` (or the trap it is).
    #[cold]
    #[inline(never)]
    fn deliver_fault<B: Bus>(
        &mut self,
        bus: &mut B,
        f: fault::Fault,
        rip: u64,
        user: bool,
    ) -> Result<Event, TripleFault> {
        // Faults save the faulting instruction's RIP; traps (INT n, INT3) the next one, and
        // they retire, unless their own delivery faulted (e.g. #GP from a DPL-0 gate), in
        // which case they did not.
        let trap = f.is_trap();
        if !trap {
            self.s.rip = rip;
        }
        let v = f.vector();
        let d = self.raise(bus, f, rip)?;
        if trap && d.vector == v {
            if user {
                self.retired_user += 1;
            } else {
                self.retired_kernel += 1;
            }
        }
        Ok(Event::Delivered(Box::new(d)))
    }

    /// Runs decode-cache entry `i`: its compact form, or the generic handler when it has none.
    #[inline(always)]
    fn execute_cached<B: Bus>(&mut self, bus: &mut B, i: u32) -> Result<(), fault::Fault> {
        let Some(u) = self.icache.uop(i) else {
            return Err(fault::Fault::ud(format!(
                "decode cache entry {i} is missing at {:#x}",
                self.s.rip
            )));
        };
        self.s.rip = u.next_ip;
        if u.op != uop::Op::Generic {
            return exec::fast::run(&mut self.s, bus, u);
        }
        let ip = u.ip;
        match self.icache.instruction(i) {
            Some(&ins) => exec::execute(self, bus, &ins),
            None => Err(fault::Fault::ud(format!(
                "decode cache entry {i} is missing at {ip:#x}"
            ))),
        }
    }
}
