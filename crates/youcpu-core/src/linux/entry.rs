//! The kernel's entry points (arch/x86/entry/entry_64.S): the SYSCALL target and the IDT
//! vectors, reached when the CPU is in ring 0 at one of the stubs on the kernel text page;
//! system calls go to [`super::syscalls`], page faults to demand paging and copy-on-write,
//! the timer to the scheduler, other exceptions become signals
//! (arch/x86/kernel/traps.c, arch/x86/mm/fault.c).

use super::process::Block;
use super::signal;
use super::syscalls::{self, SyscallRecord};
use super::{KernelAction, Linux, ProcessState, IDT_STUBS, KERNEL_TEXT, MAX_SYSCALL_LOG};
use crate::cpu::fault::vector;
use crate::cpu::state::{R10, R8, R9, RAX, RDI, RDX, RSI, RSP};

fn has_error_code(v: u8) -> bool {
    matches!(v, 8 | 10..=14 | 17 | 21 | 29 | 30)
}

impl Linux {
    /// The kernel's work when the CPU is in ring 0 at one of its entry points, then the end
    /// of the running process if it ended there (another process takes the CPU).
    pub(super) fn kernel_entry(&mut self) -> Option<KernelAction> {
        let mut a = self.kernel_entry_work();
        self.kernel_exit_to_user(&mut a);
        a
    }

    /// The first half of a kernel entry, for widgets that show a signal pending before it is
    /// delivered: the work at the entry point (a fault may leave a signal pending in
    /// [`Linux::sigpending`]). The CPU must be in ring 0 at an entry point; call
    /// [`Linux::kernel_exit_to_user`] next, before any other step.
    pub fn kernel_entry_work(&mut self) -> Option<KernelAction> {
        let mut a = self.kernel_work();
        self.trace_action(&a);
        self.after_kernel_work(&mut a);
        a
    }

    /// The second half of a kernel entry: signals on the way back to ring 3
    /// (`exit_to_user_mode_loop`); a default action may end the process.
    pub fn kernel_exit_to_user(&mut self, a: &mut Option<KernelAction>) {
        self.exit_to_user();
        self.after_kernel_work(a);
        if !self.page_cache.is_empty() {
            self.cache_release_unmapped();
            if self.state != ProcessState::Running {
                // The last process ended (its address space is kept for inspection):
                // what its shared mappings stored goes to the files now.
                for slot in 0..self.page_cache.files.len() {
                    self.cache_writeback(slot, 0, u64::MAX);
                }
            }
        }
    }

    fn kernel_work(&mut self) -> Option<KernelAction> {
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
            pid: self.pid,
        };
        self.syscall_count += 1;
        if self.syscalls.len() < MAX_SYSCALL_LOG && self.block.is_none() {
            self.syscalls.push(rec.clone());
        }
        let block = self.block.take();
        self.trace.restarting = block.is_some();
        if let Some(r) = ret {
            // A call that must sleep returns to the SYSCALL instruction with RAX = its number
            // again, so it runs anew once woken (arch/x86/kernel/signal.c restart path).
            self.m.cpu.s.gpr[RAX] = if block.is_some() { nr } else { r as u64 };
            if let Err(f) = self.m.cpu.sysret() {
                let why = format!("return from system call failed: {f}");
                if let Some(c) = self.new_child.take() {
                    // Its registers would have been ours after the return: it cannot start.
                    let killed = ProcessState::Killed {
                        signal: signal::SIGSEGV,
                        reason: why.clone(),
                    };
                    self.exit_other(c.pid, killed);
                }
                self.kill(signal::SIGSEGV, why);
                return Some(KernelAction::Syscall(rec));
            }
            if block.is_some() {
                self.m.cpu.s.rip = self.m.cpu.s.rip.wrapping_sub(2);
            }
        }
        if let Some(c) = self.new_child.take() {
            self.finish_clone(c);
        }
        let sleep = block.or(self.sleep_until.take().map(|until| Block::Sleep { until }));
        if let Some(b) = sleep.filter(|&b| !self.interrupts_sleep(b)) {
            self.block_current(b);
        } else if std::mem::take(&mut self.resched) {
            self.schedule();
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

    /// An exception of ring-3 code that becomes a signal: a caught one returns to ring 3
    /// (its handler runs on the way), an uncaught one kills as before.
    fn fault_signal(
        &mut self,
        v: u8,
        sig: u8,
        info: signal::SigInfo,
        trap: signal::TrapInfo,
        reason: String,
    ) -> Option<KernelAction> {
        let a = self.force_fault(sig, info, trap, reason);
        if self.state == ProcessState::Running {
            self.iret(v);
        }
        Some(a)
    }

    /// The signal and `si_code` of an exception other than #PF (arch/x86/kernel/traps.c
    /// `do_error_trap`, `exc_general_protection`, `exc_int3`, `math_error`): #DE is
    /// SIGFPE/FPE_INTDIV, #UD SIGILL/ILL_ILLOPN, #MF and #XM SIGFPE with the code of the
    /// first unmasked exception flag (`fpu__exception_code`), #AC SIGBUS/BUS_ADRALN; #BP and
    /// #DB SIGTRAP, #NP and #SS SIGBUS, #GP and the rest SIGSEGV, all SI_KERNEL.
    fn trap_signal(&self, v: u8) -> (u8, i32) {
        use signal::si;
        match v {
            vector::DE => (signal::SIGFPE, si::FPE_INTDIV),
            vector::UD => (signal::SIGILL, si::ILL_ILLOPN),
            vector::MF | vector::XM => {
                let err = if v == vector::MF {
                    let x = &self.m.cpu.s.x87;
                    x.status() & !(x.fcw & 0x3f)
                } else {
                    let m = self.m.cpu.s.mxcsr;
                    (!(m >> 7) & m) as u16
                };
                let code = if err & 0x01 != 0 {
                    si::FPE_FLTINV
                } else if err & 0x04 != 0 {
                    si::FPE_FLTDIV
                } else if err & 0x08 != 0 {
                    si::FPE_FLTOVF
                } else if err & 0x12 != 0 {
                    si::FPE_FLTUND
                } else if err & 0x20 != 0 {
                    si::FPE_FLTRES
                } else {
                    si::KERNEL
                };
                (signal::SIGFPE, code)
            }
            vector::AC => (signal::SIGBUS, si::BUS_ADRALN),
            vector::BP | vector::DB => (signal::SIGTRAP, si::KERNEL),
            vector::SS | vector::NP => (signal::SIGBUS, si::KERNEL),
            _ => (signal::SIGSEGV, si::KERNEL),
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
                let from = self.pid;
                self.schedule();
                if self.pid != from {
                    return Some(KernelAction::Switch { from, to: self.pid });
                }
                Some(KernelAction::Timer)
            }
            vector::PF => {
                let addr = self.m.cpu.s.cr2;
                let f = crate::cpu::fault::Fault::PageFault { addr, code };
                let present = code & crate::cpu::fault::pf::P != 0;
                let write = code & crate::cpu::fault::pf::W != 0;
                let fetch = code & crate::cpu::fault::pf::I != 0;
                if !present {
                    use super::pagecache::FileFault;
                    match self.file_fault(addr, write, fetch) {
                        FileFault::NotFile => {}
                        FileFault::Mapped => {
                            self.iret(v);
                            return Some(KernelAction::DemandPage { addr });
                        }
                        FileFault::OutOfMemory => {
                            return self.kill(
                                signal::SIGSEGV,
                                format!("{f}: no memory for a page of a file mapping"),
                            )
                        }
                        FileFault::PastEof => {
                            // mm/filemap.c filemap_fault: VM_FAULT_SIGBUS, which
                            // arch/x86/mm/fault.c do_sigbus sends as BUS_ADRERR.
                            let info = signal::SigInfo {
                                code: signal::si::BUS_ADRERR,
                                fields: signal::SigFields::Fault { addr },
                            };
                            let trap = signal::TrapInfo {
                                trapno: u64::from(v),
                                err: code,
                                cr2: addr,
                            };
                            return self.fault_signal(
                                v,
                                signal::SIGBUS,
                                info,
                                trap,
                                format!(
                                    "{f} past the end of the mapped file at rip {saved_rip:#x}"
                                ),
                            );
                        }
                    }
                }
                if !present || write {
                    match self.mm.fix_fault(&mut self.m.mmu, addr, write, fetch) {
                        Ok(true) => {
                            self.iret(v);
                            return Some(if present {
                                KernelAction::CopyOnWrite { addr }
                            } else {
                                KernelAction::DemandPage { addr }
                            });
                        }
                        Ok(false) => {}
                        Err(e) => return self.kill(signal::SIGSEGV, format!("{f}: {e}")),
                    }
                }
                // arch/x86/mm/fault.c: no region at the address is SEGV_MAPERR, a region
                // that forbids the access SEGV_ACCERR; a kernel address reads as a
                // protection fault (`sanitize_error_code`).
                let user_addr = addr < super::layout::STACK_TOP;
                let code_si = if user_addr && self.mm.find(addr).is_some() {
                    signal::si::SEGV_ACCERR
                } else {
                    signal::si::SEGV_MAPERR
                };
                let err = code
                    | if user_addr {
                        0
                    } else {
                        crate::cpu::fault::pf::P
                    };
                let info = signal::SigInfo {
                    code: code_si,
                    fields: signal::SigFields::Fault { addr },
                };
                let trap = signal::TrapInfo {
                    trapno: u64::from(v),
                    err,
                    cr2: addr,
                };
                self.fault_signal(
                    v,
                    signal::SIGSEGV,
                    info,
                    trap,
                    format!("{f} at rip {saved_rip:#x}"),
                )
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
                            pid: self.pid,
                        }));
                    }
                    4 => self
                        .syscall(1, [lo(g[3]), lo(g[1]), lo(g[2]), 0, 0, 0])
                        .unwrap_or(0),
                    20 => i64::from(self.pid),
                    _ => super::errno::Errno::Enosys.ret(),
                };
                self.m.cpu.s.gpr[RAX] =
                    (r as u64) & 0xffff_ffff | if r < 0 { 0xffff_ffff_0000_0000 } else { 0 };
                self.iret(v);
                Some(KernelAction::Syscall(SyscallRecord {
                    nr,
                    name: "int 0x80",
                    args: [lo(g[3]), lo(g[1]), lo(g[2]), 0, 0, 0],
                    ret: Some(r),
                    pid: self.pid,
                }))
            }
            _ => {
                let (sig, si_code) = self.trap_signal(v);
                // si_addr: the faulting instruction for #DE, #UD, #MF and #XM
                // (`error_get_trap_addr`), nothing for the others.
                let addr = match v {
                    vector::DE | vector::UD | vector::MF | vector::XM => saved_rip,
                    _ => 0,
                };
                let info = signal::SigInfo {
                    code: si_code,
                    fields: if si_code == signal::si::KERNEL {
                        signal::SigFields::None
                    } else {
                        signal::SigFields::Fault { addr }
                    },
                };
                let trap = signal::TrapInfo {
                    trapno: u64::from(v),
                    err: code,
                    cr2: 0,
                };
                let what = match self.last_fault.as_ref().filter(|f| f.vector() == v) {
                    Some(f) => f.to_string(),
                    None => format!("exception vector {v} (error code {code:#x})"),
                };
                self.fault_signal(v, sig, info, trap, format!("{what} at rip {saved_rip:#x}"))
            }
        }
    }
}
