//! A small simulated Linux kernel that runs one static x86-64 program in ring 3.
//!
//! The kernel itself is Rust code: its entry points (the SYSCALL target in LSTAR and one stub
//! per IDT vector) live on a supervisor-only page of HLT bytes in the upper half, and when the
//! CPU reaches one of them in ring 0 this module does the kernel's work and returns through
//! the CPU's own SYSRETQ or IRETQ. The ring changes themselves (SYSCALL's RCX/R11/FMASK, the
//! interrupt frame on the TSS.RSP0 stack) happen in the CPU model.

pub mod mm;
pub mod syscalls;

use crate::cpu::fault::vector;
use crate::cpu::interrupt::{gate, Gate};
use crate::cpu::state::{cr, rflags, DescriptorTable, R10, R8, R9, RAX, RDI, RDX, RSI, RSP};
use crate::cpu::{Event, TripleFault};
use crate::loader::{self, ExecArgs, LoadInfo};
use crate::machine::Machine;
use crate::mmu::paging::{self, PageFlags};
use crate::mmu::phys::PAGE_SIZE;
use mm::{AddressSpace, Prot};
use serde::Serialize;
use syscalls::SyscallRecord;

/// Linux's selectors (arch/x86/include/asm/segment.h): __KERNEL_CS.
pub const KERNEL_CS: u16 = 0x10;
/// __KERNEL_DS.
pub const KERNEL_DS: u16 = 0x18;
/// __USER_DS (RPL 3).
pub const USER_DS: u16 = 0x2b;
/// __USER_CS (RPL 3).
pub const USER_CS: u16 = 0x33;
/// The kernel text page: LSTAR (entry_SYSCALL_64) at its start, IDT stubs from +0x100.
pub const KERNEL_TEXT: u64 = 0xffff_ffff_8100_0000;
/// Vector `v`'s handler is at `IDT_STUBS + 8 * v`.
pub const IDT_STUBS: u64 = KERNEL_TEXT + 0x100;
/// The IDT (256 gates of 16 bytes: one page).
pub const KERNEL_IDT: u64 = 0xffff_ffff_8200_0000;
/// The kernel stack (RSP0 = its top).
pub const KERNEL_STACK: u64 = 0xffff_ffff_8300_0000;
/// Kernel stack pages.
pub const KERNEL_STACK_PAGES: u64 = 4;
/// SYSCALL's RFLAGS mask as Linux sets it (arch/x86/kernel/cpu/common.c syscall_init).
pub const LINUX_FMASK: u64 = rflags::CF
    | rflags::PF
    | rflags::AF
    | rflags::ZF
    | rflags::SF
    | rflags::TF
    | rflags::IF
    | rflags::DF
    | rflags::OF
    | rflags::IOPL
    | rflags::NT
    | rflags::RF
    | rflags::AC
    | rflags::ID;

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

/// Signal numbers (include/uapi/asm-generic/signal.h).
pub mod signal {
    /// Illegal instruction.
    pub const SIGILL: u8 = 4;
    /// Trace/breakpoint trap.
    pub const SIGTRAP: u8 = 5;
    /// Bus error.
    pub const SIGBUS: u8 = 7;
    /// Arithmetic exception.
    pub const SIGFPE: u8 = 8;
    /// Segmentation fault.
    pub const SIGSEGV: u8 = 11;

    /// The signal's name.
    pub fn name(s: u8) -> &'static str {
        match s {
            SIGILL => "SIGILL",
            SIGTRAP => "SIGTRAP",
            SIGBUS => "SIGBUS",
            SIGFPE => "SIGFPE",
            SIGSEGV => "SIGSEGV",
            _ => "signal",
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
}

fn has_error_code(v: u8) -> bool {
    matches!(v, 8 | 10..=14 | 17 | 21 | 29 | 30)
}

impl Linux {
    /// Boots the kernel: page tables, kernel text/IDT/stack pages, IDT gates, SYSCALL MSRs,
    /// paging on. The CPU is left in ring 0 until [`Linux::exec`].
    pub fn new(cfg: &Config) -> Result<Self, String> {
        let mut m = Machine::new(cfg.memory_limit);
        m.cpu.s.vendor = cfg.vendor;
        let mut mm = AddressSpace::new(&mut m.mmu, None).map_err(|e| e.to_string())?;
        let kmap = |m: &mut Machine,
                    mm: &AddressSpace,
                    va: u64,
                    write: bool,
                    exec: bool|
         -> Result<u64, String> {
            let f = m.mmu.phys.alloc_frame().map_err(|e| e.to_string())?;
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
            )
            .map_err(|e| e.to_string())?;
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
            let g = Gate {
                offset: IDT_STUBS + 8 * u64::from(v),
                selector: KERNEL_CS,
                ist: 0,
                kind: gate::INTERRUPT,
                dpl,
                present: true,
            };
            m.mmu
                .phys
                .write(idt * PAGE_SIZE + 16 * u64::from(v), &g.encode());
        }
        for i in 0..KERNEL_STACK_PAGES {
            kmap(&mut m, &mm, KERNEL_STACK + i * PAGE_SIZE, true, false)?;
        }
        let s = &mut m.cpu.s;
        s.cs = KERNEL_CS;
        s.ss = KERNEL_DS;
        s.efer = cr::EFER_SCE | cr::EFER_LME | cr::EFER_LMA | cr::EFER_NXE;
        s.star = (u64::from(USER_CS - 16) << 48) | (u64::from(KERNEL_CS) << 32);
        s.lstar = KERNEL_TEXT;
        s.fmask = LINUX_FMASK;
        s.cr0 = cr::CR0_PE | cr::CR0_WP | cr::CR0_PG | (1 << 4) | (1 << 5);
        s.cr4 = cr::CR4_PAE | cr::CR4_OSFXSR | (1 << 10) | (1 << 16);
        s.cr3 = mm.cr3;
        s.idtr = DescriptorTable {
            base: KERNEL_IDT,
            limit: 4095,
        };
        s.tss_rsp0 = KERNEL_STACK + KERNEL_STACK_PAGES * PAGE_SIZE;
        m.cpu.sync_paging(&mut m.mmu);
        if let Some(p) = cfg.timer_period {
            m.timer.enable(p, vector::TIMER)?;
        }
        mm.demand_faults = 0;
        Ok(Linux {
            m,
            mm,
            state: ProcessState::Running,
            stdout: Vec::new(),
            stderr: Vec::new(),
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
        })
    }

    /// execve: loads the program and sets up ring 3 at its entry (or the interpreter's) with
    /// the initial stack, all other registers zero, IF set.
    pub fn exec(
        &mut self,
        program: &[u8],
        interp: Option<&[u8]>,
        args: &ExecArgs,
    ) -> Result<&LoadInfo, String> {
        self.uid = args.uid;
        self.gid = args.gid;
        let info = loader::load(&mut self.m.mmu, &mut self.mm, program, interp, args)?;
        let s = &mut self.m.cpu.s;
        s.gpr = [0; 16];
        s.gpr[RSP] = info.stack.sp;
        s.rip = info.start;
        s.rflags = rflags::FIXED | rflags::IF;
        s.cs = USER_CS;
        s.ss = USER_DS;
        s.xmm = [0; 16];
        s.fs_base = 0;
        s.gs_base = 0;
        self.state = ProcessState::Running;
        Ok(self.load.insert(info))
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
            if self.m.cpu.retired_user >= limit {
                return false;
            }
            match self.m.step() {
                Ok(Event::Delivered(d)) => self.last_fault = d.fault,
                Ok(_) => {}
                Err(t) => self.crash(t),
            }
        }
        true
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

    /// The kernel's work when the CPU is in ring 0 at one of its entry points.
    fn kernel_entry(&mut self) -> Option<KernelAction> {
        let rip = self.m.cpu.s.rip;
        if rip == KERNEL_TEXT {
            return self.syscall_entry();
        }
        if (IDT_STUBS..IDT_STUBS + 8 * 256).contains(&rip) && (rip - IDT_STUBS).is_multiple_of(8) {
            return self.vector_entry(((rip - IDT_STUBS) / 8) as u8);
        }
        self.state = ProcessState::Crashed {
            reason: format!("ring 0 reached {rip:#x}, which is not a kernel entry point"),
        };
        None
    }

    fn syscall_entry(&mut self) -> Option<KernelAction> {
        let g = self.m.cpu.s.gpr;
        let nr = g[RAX];
        let args = [g[RDI], g[RSI], g[RDX], g[R10], g[R8], g[R9]];
        let ret = self.syscall(nr, args);
        let rec = SyscallRecord {
            nr,
            name: syscalls::name(nr),
            args,
            ret,
        };
        self.syscall_count += 1;
        if self.syscalls.len() < MAX_SYSCALL_LOG {
            self.syscalls.push(rec.clone());
        }
        if let Some(r) = ret {
            self.m.cpu.s.gpr[RAX] = r as u64;
            if let Err(f) = self.m.cpu.sysret() {
                self.kill(
                    signal::SIGSEGV,
                    format!("return from system call failed: {f}"),
                );
            }
        }
        Some(KernelAction::Syscall(rec))
    }

    fn kill(&mut self, sig: u8, reason: String) -> Option<KernelAction> {
        self.state = ProcessState::Killed {
            signal: sig,
            reason: reason.clone(),
        };
        Some(KernelAction::Kill {
            signal: sig,
            reason,
        })
    }

    /// Returns to the interrupted context: drop the error code (if any), then IRETQ.
    fn iret(&mut self, v: u8) {
        if has_error_code(v) {
            self.m.cpu.s.gpr[RSP] = self.m.cpu.s.gpr[RSP].wrapping_add(8);
        }
        if let Err(f) = self.m.cpu.iretq(&mut self.m.mmu) {
            self.state = ProcessState::Crashed {
                reason: format!("iretq failed: {f}"),
            };
        }
    }

    fn vector_entry(&mut self, v: u8) -> Option<KernelAction> {
        let sp = self.m.cpu.s.gpr[RSP];
        let frame = if has_error_code(v) {
            sp.wrapping_add(8)
        } else {
            sp
        };
        let rd = |l: &mut Linux, a: u64| -> u64 {
            let mut b = [0u8; 8];
            let _ = l.m.mmu.read_bytes(a, &mut b, false);
            u64::from_le_bytes(b)
        };
        let code = if has_error_code(v) { rd(self, sp) } else { 0 };
        let saved_rip = rd(self, frame);
        let saved_cs = rd(self, frame.wrapping_add(8));
        if saved_cs & 3 == 0 {
            self.state = ProcessState::Crashed {
                reason: format!("kernel oops: exception vector {v} in ring 0 at {saved_rip:#x}"),
            };
            return None;
        }
        match v {
            vector::TIMER => {
                self.timer_interrupts += 1;
                self.iret(v);
                Some(KernelAction::Timer)
            }
            vector::PF => {
                let addr = self.m.cpu.s.cr2;
                let f = crate::cpu::fault::Fault::PageFault { addr, code };
                if code & crate::cpu::fault::pf::P == 0 {
                    let write = code & crate::cpu::fault::pf::W != 0;
                    let fetch = code & crate::cpu::fault::pf::I != 0;
                    match self.mm.demand_fault(&mut self.m.mmu, addr, write, fetch) {
                        Ok(true) => {
                            self.iret(v);
                            return Some(KernelAction::DemandPage { addr });
                        }
                        Ok(false) => {}
                        Err(e) => return self.kill(signal::SIGSEGV, format!("{f}: {e}")),
                    }
                }
                self.kill(signal::SIGSEGV, format!("{f} at rip {saved_rip:#x}"))
            }
            0x80 => {
                // The legacy 32-bit system call gate: eax = number, ebx, ecx, edx... (i386 table).
                let g = self.m.cpu.s.gpr;
                let lo = |x: u64| x & 0xffff_ffff;
                let nr = lo(g[RAX]);
                let r = match nr {
                    1 | 252 => {
                        self.state = ProcessState::Exited {
                            code: (g[3] & 0xff) as u8,
                        };
                        return Some(KernelAction::Syscall(SyscallRecord {
                            nr,
                            name: "exit (int 0x80)",
                            args: [lo(g[3]), 0, 0, 0, 0, 0],
                            ret: None,
                        }));
                    }
                    4 => self
                        .syscall(1, [lo(g[3]), lo(g[1]), lo(g[2]), 0, 0, 0])
                        .unwrap_or(0),
                    20 => i64::from(self.pid),
                    _ => -syscalls::errno::ENOSYS,
                };
                self.m.cpu.s.gpr[RAX] =
                    (r as u64) & 0xffff_ffff | if r < 0 { 0xffff_ffff_0000_0000 } else { 0 };
                self.iret(v);
                Some(KernelAction::Syscall(SyscallRecord {
                    nr,
                    name: "int 0x80",
                    args: [lo(g[3]), lo(g[1]), lo(g[2]), 0, 0, 0],
                    ret: Some(r),
                }))
            }
            _ => {
                let sig = match v {
                    vector::DE => signal::SIGFPE,
                    vector::UD => signal::SIGILL,
                    vector::BP | vector::DB => signal::SIGTRAP,
                    vector::SS | vector::AC => signal::SIGBUS,
                    _ => signal::SIGSEGV,
                };
                let what = match self.last_fault.as_ref().filter(|f| f.vector() == v) {
                    Some(f) => f.to_string(),
                    None => format!("exception vector {v} (error code {code:#x})"),
                };
                self.kill(sig, format!("{what} at rip {saved_rip:#x}"))
            }
        }
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
