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
        let mut a = self.kernel_work();
        self.trace_action(&a);
        self.after_kernel_work(&mut a);
        a
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
        if let Some(b) = block {
            self.block_current(b);
        } else if let Some(until) = self.sleep_until.take() {
            self.block_current(Block::Sleep { until });
        } else if std::mem::take(&mut self.resched) {
            self.schedule();
        }
        if self.state == ProcessState::Running {
            self.deliver_pending();
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
                let sig = match v {
                    vector::DE | vector::MF | vector::XM => signal::SIGFPE,
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
