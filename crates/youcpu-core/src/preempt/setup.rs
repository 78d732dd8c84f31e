//! Building a [`System`]: the kernel's pages mapped supervisor-only in every address space,
//! one address space per process, each task's kernel stack holding its first frame, the CPU
//! in long mode at the kernel's `boot`.

use super::kernel::{self, *};
use super::trace::Reason;
use super::{
    Config, Entry, Error, Mode, System, Task, MAX_PERIOD, MAX_PROCESSES, MAX_YIELD_EVERY, MEMORY,
};
use crate::asm::listing::assemble_listing;
use crate::cpu::fault::vector;
use crate::cpu::state::{rflags, RSP};
use crate::linux::boot;
use crate::machine::Machine;
use crate::mmu::paging::{self, PageFlags};
use crate::mmu::phys::PAGE_SIZE;
use std::collections::VecDeque;

fn alloc(m: &mut Machine) -> Result<u64, Error> {
    m.mmu
        .phys
        .alloc_frame()
        .map_err(|e| Error::Machine(e.to_string()))
}

fn map(m: &mut Machine, cr3: u64, va: u64, frame: u64, flags: PageFlags) -> Result<(), Error> {
    paging::map_page(&mut m.mmu.phys, cr3, false, va, frame, flags)
        .map(|_| ())
        .map_err(|e| Error::Machine(e.to_string()))
}

const KERNEL_RW: PageFlags = PageFlags {
    write: true,
    user: false,
    exec: false,
};

impl System {
    /// Builds the machine: kernel pages mapped supervisor-only in every address space, one
    /// address space per process (code, data and stack at the same virtual addresses, backed by
    /// different frames), each task's kernel stack holding a frame that IRETQs to its entry; the
    /// CPU in ring 0 at `boot`.
    pub fn new(cfg: &Config) -> Result<System, Error> {
        let n = cfg.processes.len();
        if n == 0 || n > MAX_PROCESSES {
            return Err(Error::Processes(n));
        }
        match cfg.mode {
            Mode::Preemptive { period } if period == 0 || period > MAX_PERIOD => {
                return Err(Error::Period(period))
            }
            Mode::Cooperative { yield_every }
                if yield_every == 0 || yield_every > MAX_YIELD_EVERY =>
            {
                return Err(Error::YieldEvery(yield_every))
            }
            _ => {}
        }
        let kernel = assemble_listing(&kernel::source(), KTEXT, PAGE_SIZE as usize)
            .map_err(|e| Error::Kernel(e.to_string()))?;
        let label = |name: &str| {
            kernel
                .label(name)
                .ok_or_else(|| Error::Kernel(format!("the kernel has no `{name}` label")))
        };
        let (boot, timer_entry, syscall_entry, fault_entry) = (
            label("boot")?,
            label("timer_entry")?,
            label("syscall_entry")?,
            label("fault_entry")?,
        );

        let mut m = Machine::new(MEMORY);
        // The kernel's own page tables; every process's PML4 shares its upper-half entry, as
        // Linux's pgd_alloc copies the kernel entries (clone_pgd_range, arch/x86/mm/pgtable.c).
        let kernel_cr3 = alloc(&mut m)? * PAGE_SIZE;
        let text = alloc(&mut m)?;
        map(
            &mut m,
            kernel_cr3,
            KTEXT,
            text,
            PageFlags {
                write: false,
                user: false,
                exec: true,
            },
        )?;
        m.mmu.phys.write(text * PAGE_SIZE, &kernel.code);
        for va in [KDATA, TSS, IDT, CONSOLE] {
            let f = alloc(&mut m)?;
            map(&mut m, kernel_cr3, va, f, KERNEL_RW)?;
        }
        for i in 0..n {
            let f = alloc(&mut m)?;
            map(&mut m, kernel_cr3, kstack_page(i), f, KERNEL_RW)?;
        }
        let mut sys = System {
            m,
            mode: cfg.mode,
            kernel_cr3,
            kernel,
            tasks: Vec::with_capacity(n),
            steps: 0,
            instructions: 0,
            current: 0,
            entry: None,
            switches: VecDeque::new(),
            switch_total: 0,
            timer_interrupts: 0,
            yields: 0,
            writes: 0,
            timeline: VecDeque::new(),
            last_fire: 0,
            stopped: None,
        };
        // Gates 0-31 (exceptions) lead to `fault_entry`, 32 to the timer handler.
        for v in 0..=vector::TIMER {
            let handler = if v == vector::TIMER {
                timer_entry
            } else {
                fault_entry
            };
            let g = boot::interrupt_gate(handler, 0);
            sys.kwrite_bytes(IDT + 16 * u64::from(v), &g.encode())?;
        }
        sys.kwrite(NTASKS, n as u64)?;
        let kernel_top = sys.m.mmu.phys.read_u64(kernel_cr3 + 511 * 8);
        for (i, spec) in cfg.processes.iter().enumerate() {
            let listing =
                assemble_listing(&spec.source, USER_CODE, PAGE_SIZE as usize).map_err(|e| {
                    Error::Source {
                        process: i + 1,
                        message: e.to_string(),
                    }
                })?;
            let m = &mut sys.m;
            let cr3 = alloc(m)? * PAGE_SIZE;
            m.mmu.phys.write_u64(cr3 + 511 * 8, kernel_top);
            let code = alloc(m)?;
            map(
                m,
                cr3,
                USER_CODE,
                code,
                PageFlags {
                    write: false,
                    user: true,
                    exec: true,
                },
            )?;
            m.mmu.phys.write(code * PAGE_SIZE, &listing.code);
            let user_rw = PageFlags {
                write: true,
                user: true,
                exec: false,
            };
            let data = alloc(m)?;
            map(m, cr3, USER_DATA, data, user_rw)?;
            m.mmu.phys.write(data * PAGE_SIZE + 8, &[spec.letter]);
            let stack = alloc(m)?;
            map(m, cr3, USER_STACK_TOP - PAGE_SIZE, stack, user_rw)?;
            // The first frame: zero registers under an IRETQ frame into ring 3 at the entry
            // (Linux builds the same for a new task: ret_from_fork returns through it).
            let top = kstack_top(i);
            let frame_at = top - FRAME_BYTES;
            let mut words = [0u64; 20];
            words[15] = USER_CODE;
            words[16] = u64::from(USER_CS);
            words[17] = rflags::FIXED | rflags::IF;
            words[18] = USER_STACK_TOP;
            words[19] = u64::from(USER_DS);
            for (k, w) in words.iter().enumerate() {
                sys.kwrite(frame_at + 8 * k as u64, *w)?;
            }
            let entry = TASKS + TASK_ENTRY * i as u64;
            sys.kwrite(entry + T_RSP, frame_at)?;
            sys.kwrite(entry + T_CR3, cr3)?;
            sys.kwrite(entry + T_KSTACK, top)?;
            sys.tasks.push(Task {
                spec: spec.clone(),
                cr3,
                data_phys: data * PAGE_SIZE,
                listing,
                user_instructions: 0,
            });
        }
        let s = &mut sys.m.cpu.s;
        boot::enter_long_mode(
            s,
            &boot::BootParams {
                cr3: kernel_cr3,
                idt: IDT,
                syscall_entry,
                // The boot code writes RSP0 into the TSS; `step` copies it from there.
                rsp0: s.tss_rsp0,
            },
        );
        s.rip = boot;
        s.gpr[RSP] = kstack_top(0);
        s.rflags = rflags::FIXED;
        sys.m.cpu.sync_paging(&mut sys.m.mmu);
        if let Mode::Preemptive { period } = cfg.mode {
            sys.m
                .timer
                .enable(period, vector::TIMER)
                .map_err(|e| Error::Machine(e.to_string()))?;
        }
        sys.entry = Some(Entry {
            at: 0,
            reason: Reason::Boot,
            fired_at: None,
            vector: None,
            handler: boot,
            from: None,
            from_rip: 0,
            rsp0: 0,
            cr3_from: kernel_cr3,
            kernel_start: 0,
        });
        Ok(sys)
    }

    pub(super) fn kphys(&self, va: u64) -> Result<u64, Error> {
        let e = paging::leaf_entry(&self.m.mmu.phys, self.kernel_cr3, false, va);
        if e & paging::pte::P == 0 {
            return Err(Error::Unmapped(va));
        }
        Ok((e & paging::pte::ADDR) | (va & 0xfff))
    }
}
