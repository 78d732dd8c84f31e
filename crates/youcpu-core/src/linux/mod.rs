//! A small simulated Linux kernel that runs static x86-64 programs in ring 3: one process at
//! first, more through fork, vfork and clone, each with its own page tables (CR3), descriptor
//! table and signal state, sharing the one simulated CPU by round robin on the timer
//! interrupt ([`sched`]); threads of a process share its memory ([`thread`], [`futex`]);
//! execve replaces a program ([`exec`]); signal handlers run with Linux's frame
//! ([`signal`], [`sigframe`]).
//!
//! The kernel itself is Rust code: its entry points (the SYSCALL target in LSTAR and one stub
//! per IDT vector) live on a supervisor-only page of HLT bytes in the upper half, and when the
//! CPU reaches one of them in ring 0 this module does the kernel's work and returns through
//! the CPU's own SYSRETQ or IRETQ. The ring changes themselves (SYSCALL's RCX/R11/FMASK, the
//! interrupt frame on the TSS.RSP0 stack) happen in the CPU model. A context switch is done
//! after that return, between two ring-3 states: the kernel's work takes no simulated time.
//!
//! This module is also the one home of what the kernels of the simulator share: [`layout`],
//! [`vma`], [`errno`] and [`boot`].

pub mod bare;
pub mod boot;
pub mod entry;
pub mod errno;
pub mod error;
pub mod exec;
pub mod fork;
pub mod fs;
pub mod futex;
pub mod layout;
pub mod ldso;
pub mod mm;
pub mod narrate;
pub mod pagecache;
pub mod process;
pub mod sched;
pub mod sigframe;
pub mod signal;
pub mod sigwatch;
pub mod syscalls;
pub mod thread;
pub mod time;
pub mod trace;
pub mod vma;
pub mod wait;

use crate::cpu::fault::vector;
use crate::cpu::{Event, TripleFault};
use crate::loader::{self, ExecArgs, LoadError, LoadInfo};
use crate::machine::Machine;
use crate::mmu::paging::{self, PageFlags};
use crate::mmu::phys::{OutOfMemory, PAGE_SIZE};
use fs::fd::FdTable;
use fs::OpenFiles;
use mm::{AddressSpace, Prot};
use process::{Block, Process};
use serde::Serialize;
use std::collections::BTreeMap;
use syscalls::SyscallRecord;

pub use boot::LINUX_FMASK;
pub use error::Error;
pub use layout::{KERNEL_CS, KERNEL_DS, KERNEL_TEXT, USER_CS, USER_DS};

/// Vector `v`'s handler is at `IDT_STUBS + 8 * v`.
pub const IDT_STUBS: u64 = KERNEL_TEXT + 0x100;
/// The IDT (256 gates of 16 bytes: one page).
pub const KERNEL_IDT: u64 = 0xffff_ffff_8200_0000;
/// The kernel stack (RSP0 = its top).
pub const KERNEL_STACK: u64 = 0xffff_ffff_8300_0000;
/// Kernel stack pages.
pub const KERNEL_STACK_PAGES: u64 = 4;

/// Most system calls kept in the log (later ones are counted only).
pub const MAX_SYSCALL_LOG: usize = 100_000;

/// Where the process is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ProcessState {
    /// Not finished.
    Running,
    /// Called exit/exit_group.
    Exited {
        /// The status (low 8 bits).
        code: u8,
    },
    /// Killed by a signal after an exception the kernel could not fix.
    Killed {
        /// Signal number (SIGSEGV = 11, ...).
        signal: u8,
        /// The exception, in words.
        reason: String,
    },
    /// The machine could not go on (triple fault, unexpected kernel state, out of memory).
    Crashed {
        /// Why.
        reason: String,
    },
}

impl ProcessState {
    /// The status a shell would report: the exit code, or 128 + signal.
    pub fn shell_status(&self) -> Option<u8> {
        match self {
            ProcessState::Exited { code } => Some(*code),
            ProcessState::Killed { signal, .. } => Some(128u8.wrapping_add(*signal)),
            _ => None,
        }
    }
}

/// What the kernel did at one entry, for traces and widgets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KernelAction {
    /// A system call was served.
    Syscall(SyscallRecord),
    /// A page fault was fixed by mapping a page (demand paging / stack growth).
    DemandPage {
        /// The faulting address.
        addr: u64,
    },
    /// A timer interrupt was taken and returned from.
    Timer,
    /// A write to a copy-on-write page was fixed by copying (or reusing) the frame.
    CopyOnWrite {
        /// The faulting address.
        addr: u64,
    },
    /// The CPU went from one process to another (the first blocked, ended or used up its
    /// time slice).
    Switch {
        /// The pid that ran.
        from: u32,
        /// The pid that runs now.
        to: u32,
    },
    /// A caught signal's handler will run: its frame is built on the way back to ring 3.
    Signal {
        /// Signal.
        signal: u8,
        /// The handler's address.
        handler: u64,
    },
    /// The process was killed.
    Kill {
        /// Signal.
        signal: u8,
        /// Why.
        reason: String,
    },
}

/// Options for a new kernel + process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Simulated physical memory in bytes.
    pub memory_limit: u64,
    /// Timer period in instructions (None = off).
    pub timer_period: Option<u64>,
    /// Process id reported by getpid.
    pub pid: u32,
    /// Whose CPU the machine models where the manuals leave results undefined (and what
    /// CPUID reports).
    pub vendor: crate::cpu::vendor::Vendor,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            memory_limit: crate::mmu::phys::DEFAULT_MEMORY_LIMIT,
            timer_period: None,
            pid: 1,
            vendor: crate::cpu::vendor::Vendor::Intel,
        }
    }
}

/// The kernel, the machine and one process.
#[derive(Clone)]
pub struct Linux {
    /// The machine.
    pub m: Machine,
    /// The process's address space.
    pub mm: AddressSpace,
    /// Its state.
    pub state: ProcessState,
    /// Bytes written to fd 1.
    pub stdout: Vec<u8>,
    /// Bytes written to fd 2.
    pub stderr: Vec<u8>,
    /// Standard input: what reads of the console's input get, in order, shared by every
    /// process (a pipe's contents given before the run); then end of file.
    pub stdin: Vec<u8>,
    /// Bytes of [`Linux::stdin`] read so far.
    pub stdin_read: usize,
    /// More standard input may come ([`Linux::feed_stdin`]): a read finding none sleeps, and
    /// when nothing else can run, [`Linux::run`] returns with [`Linux::awaiting_input`] set.
    /// False (the default): once [`Linux::stdin`] is read, reads find end of file.
    pub stdin_open: bool,
    /// Every process waits and one of them waits for standard input.
    pub awaiting_input: bool,
    /// System calls made (the first [`MAX_SYSCALL_LOG`]).
    pub syscalls: Vec<SyscallRecord>,
    /// All system calls counted.
    pub syscall_count: u64,
    /// Process id.
    pub pid: u32,
    /// uid reported.
    pub uid: u64,
    /// gid reported.
    pub gid: u64,
    /// What loading did.
    pub load: Option<LoadInfo>,
    /// Timer interrupts served.
    pub timer_interrupts: u64,
    /// The last exception the CPU delivered (its full description).
    pub last_fault: Option<crate::cpu::fault::Fault>,
    /// Blocked signals (bit n-1 for signal n), set by rt_sigprocmask.
    pub sigmask: u64,
    /// Signals sent while blocked.
    pub sigpending: u64,
    /// Signals set to SIG_IGN (bit n-1 for signal n).
    pub sigign: u64,
    /// The running process's handlers, pending siginfo, alternate stack.
    pub sig: signal::SigState,
    /// The running process's descriptors.
    pub fds: FdTable,
    /// The open file descriptions of every process.
    pub files: OpenFiles,
    /// The file system: the in-memory one at first ([`fs::memfs`]), the host's with
    /// [`Linux::set_fs`].
    pub fs: Box<dyn fs::vfs::Vfs>,
    /// Every pipe.
    pub pipes: fs::pipe::Pipes,
    /// The page cache behind shared file mappings ([`pagecache`]).
    pub page_cache: pagecache::PageCache,
    /// Whether the console's streams are terminals.
    pub terminal: fs::Terminal,
    /// The program's path as exec was given it (what /proc/self/exe names).
    pub exe: Vec<u8>,
    /// The state of the getrandom generator (xorshift, seeded like AT_RANDOM).
    pub random_state: u64,
    /// The running process's working directory (an inode of [`Linux::fs`]).
    pub cwd: usize,
    /// The running process's file mode creation mask (022 at first, as a login shell sets).
    pub umask: u32,
    /// Every process, the running one included (its parts are in the fields above).
    pub procs: BTreeMap<u32, Process>,
    /// The first process: the reaper of orphans; the run ends with it.
    pub init_pid: u32,
    /// Context switches so far.
    pub switches: u64,
    /// Processes created by fork, vfork and clone.
    pub forks: u64,
    /// The last switch (from, to).
    pub last_switch: Option<(u32, u32)>,
    next_pid: u32,
    slice_start: u64,
    /// Set by a system call that must sleep: the call restarts once woken.
    block: Option<Block>,
    new_child: Option<fork::NewChild>,
    /// sched_yield: give the CPU to the next runnable process on the way out.
    resched: bool,
    /// nanosleep: sleep until this point of the clock on the way out.
    sleep_until: Option<u64>,
    /// Nanoseconds the CPU spent idle (every process asleep).
    pub idle_ns: u64,
    /// What the wall clocks (CLOCK_REALTIME, gettimeofday, time) add to the simulated clock:
    /// 0 (they start at 1970) unless set, as the CLI sets it to the host's time at start.
    pub realtime_offset_ns: u64,
    /// The event recorder (off unless started: `trace.start(...)`).
    pub trace: trace::Trace,
}

impl Linux {
    /// Boots the kernel: page tables, kernel text/IDT/stack pages, IDT gates, SYSCALL MSRs,
    /// paging on. The CPU is left in ring 0 until [`Linux::exec`].
    pub fn new(cfg: &Config) -> Result<Self, Error> {
        let mut m = Machine::new(cfg.memory_limit);
        m.cpu.s.vendor = cfg.vendor;
        let mut mm = AddressSpace::new(&mut m.mmu, None)?;
        let kmap = |m: &mut Machine,
                    mm: &AddressSpace,
                    va: u64,
                    write: bool,
                    exec: bool|
         -> Result<u64, OutOfMemory> {
            let f = m.mmu.phys.alloc_frame()?;
            paging::map_page(
                &mut m.mmu.phys,
                mm.cr3,
                false,
                va,
                f,
                PageFlags {
                    write,
                    user: false,
                    exec,
                },
            )?;
            Ok(f)
        };
        let text = kmap(&mut m, &mm, KERNEL_TEXT, false, true)?;
        m.mmu
            .phys
            .write(text * PAGE_SIZE, &[0xf4; PAGE_SIZE as usize]);
        let idt = kmap(&mut m, &mm, KERNEL_IDT, true, false)?;
        for v in 0..=255u8 {
            // int3 (3), into (4) and the legacy int 0x80 are callable from ring 3 (DPL 3).
            let dpl = if matches!(v, 3 | 4 | 0x80) { 3 } else { 0 };
            let g = boot::interrupt_gate(IDT_STUBS + 8 * u64::from(v), dpl);
            boot::write_gate(&mut m.mmu.phys, idt * PAGE_SIZE, v, &g);
        }
        for i in 0..KERNEL_STACK_PAGES {
            kmap(&mut m, &mm, KERNEL_STACK + i * PAGE_SIZE, true, false)?;
        }
        boot::enter_long_mode(
            &mut m.cpu.s,
            &boot::BootParams {
                cr3: mm.cr3,
                idt: KERNEL_IDT,
                syscall_entry: KERNEL_TEXT,
                rsp0: KERNEL_STACK + KERNEL_STACK_PAGES * PAGE_SIZE,
            },
        );
        m.cpu.sync_paging(&mut m.mmu);
        if let Some(p) = cfg.timer_period {
            m.timer.enable(p, vector::TIMER)?;
        }
        mm.demand_faults = 0;
        let mut files = OpenFiles::default();
        let fds = FdTable::console(&mut files);
        let mut procs = BTreeMap::new();
        procs.insert(
            cfg.pid,
            Process::new(cfg.pid, 0, (cfg.pid, cfg.pid), process::SIGCHLD),
        );
        Ok(Linux {
            m,
            mm,
            state: ProcessState::Running,
            stdout: Vec::new(),
            stderr: Vec::new(),
            stdin: Vec::new(),
            stdin_read: 0,
            stdin_open: false,
            awaiting_input: false,
            syscalls: Vec::new(),
            syscall_count: 0,
            pid: cfg.pid,
            uid: 0,
            gid: 0,
            load: None,
            timer_interrupts: 0,
            last_fault: None,
            sigmask: 0,
            sigpending: 0,
            sigign: 0,
            sig: signal::SigState::default(),
            fds,
            files,
            fs: Box::new(fs::memfs::MemFs::new()),
            pipes: fs::pipe::Pipes::default(),
            page_cache: pagecache::PageCache::default(),
            terminal: fs::Terminal::default(),
            exe: Vec::new(),
            random_state: crate::loader::stack::RANDOM_SEED,
            cwd: fs::memfs::ROOT,
            umask: 0o022,
            procs,
            init_pid: cfg.pid,
            switches: 0,
            forks: 0,
            last_switch: None,
            next_pid: cfg.pid.saturating_add(1).max(2),
            slice_start: 0,
            block: None,
            new_child: None,
            resched: false,
            sleep_until: None,
            idle_ns: 0,
            realtime_offset_ns: 0,
            trace: trace::Trace::default(),
        })
    }

    /// execve: loads the program and sets up ring 3 at its entry (or the interpreter's) with
    /// the initial stack, all other registers zero, IF set.
    pub fn exec(
        &mut self,
        program: &[u8],
        interp: Option<&[u8]>,
        args: &ExecArgs,
    ) -> Result<&LoadInfo, LoadError> {
        self.uid = args.uid;
        self.gid = args.gid;
        self.exe = args.execfn.clone();
        let info = loader::load(&mut self.m.mmu, &mut self.mm, program, interp, args)?;
        let s = &mut self.m.cpu.s;
        s.gpr = [0; 16];
        bare::enter_ring3(s, info.start, info.stack.sp);
        s.xmm = [0; 16];
        s.fs_base = 0;
        s.gs_base = 0;
        self.state = ProcessState::Running;
        self.load = Some(info);
        self.name_elf_regions();
        self.load
            .as_ref()
            .ok_or_else(|| LoadError::new(errno::Errno::Efault, "no load record"))
    }

    /// Retired ring-3 instructions so far.
    pub fn instructions(&self) -> u64 {
        self.m.cpu.retired_user
    }

    /// Runs until the process ends or `budget` more user instructions have retired.
    /// Returns true when the process is no longer running.
    pub fn run(&mut self, budget: u64) -> bool {
        let limit = self.m.cpu.retired_user.saturating_add(budget);
        while self.state == ProcessState::Running {
            if self.m.cpu.s.cs & 3 == 0 {
                self.kernel_entry();
                continue;
            }
            if self.awaiting_input || self.m.cpu.retired_user >= limit {
                return false;
            }
            // Many user instructions at once: the machine stops at anything the kernel
            // must see (a delivery, a change of ring).
            match self.m.run(limit - self.m.cpu.retired_user) {
                Ok((_, Event::Delivered(d))) => self.last_fault = d.fault,
                Ok(_) => {}
                Err(t) => self.crash(t),
            }
        }
        true
    }

    /// More standard input (empty: end of file, the input is closed); wakes the readers.
    pub fn feed_stdin(&mut self, data: &[u8]) {
        if data.is_empty() {
            self.stdin_open = false;
        }
        self.stdin.extend_from_slice(data);
        self.awaiting_input = false;
        self.wake_all(Block::Stdin);
        if self
            .procs
            .get(&self.pid)
            .is_some_and(|p| p.blocked.is_some())
        {
            self.schedule();
            self.after_kernel_work(&mut None);
        }
    }

    /// One step for widgets: a user instruction (with its text), an exception delivery, or
    /// the kernel's work at an entry point.
    pub fn step_traced(&mut self) -> TraceStep {
        if self.state != ProcessState::Running {
            return TraceStep::Stopped(self.state.clone());
        }
        if self.m.cpu.s.cs & 3 == 0 {
            return match self.kernel_entry() {
                Some(a) => TraceStep::Kernel(a),
                None => TraceStep::Stopped(self.state.clone()),
            };
        }
        let rip = self.m.cpu.s.rip;
        let text = match self.m.cpu.icache.fetch(&mut self.m.mmu, rip, true) {
            Ok(i) => i.to_string(),
            Err(f) => f.to_string(),
        };
        match self.m.step() {
            Ok(Event::Delivered(d)) => {
                self.last_fault = d.fault.clone();
                TraceStep::Exception {
                    rip,
                    text,
                    delivery: *d,
                }
            }
            Ok(_) => TraceStep::Instruction { rip, text },
            Err(t) => {
                self.crash(t);
                TraceStep::Stopped(self.state.clone())
            }
        }
    }

    fn crash(&mut self, t: TripleFault) {
        self.state = ProcessState::Crashed {
            reason: t.to_string(),
        };
    }
}

/// One step as [`Linux::step_traced`] reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum TraceStep {
    /// A user instruction retired.
    Instruction {
        /// Its address.
        rip: u64,
        /// Its text (Intel syntax).
        text: String,
    },
    /// An instruction raised an exception (or was INT n) and it was delivered.
    Exception {
        /// The instruction's address.
        rip: u64,
        /// Its text.
        text: String,
        /// The delivery.
        delivery: crate::cpu::interrupt::Delivery,
    },
    /// The kernel ran at an entry point.
    Kernel(KernelAction),
    /// The process is not running.
    Stopped(ProcessState),
}

/// Prot for kernel-internal uses (re-exported for widgets).
pub type PageProt = Prot;
