//! fork, vfork and clone without CLONE_VM (kernel/fork.c `kernel_clone`, `copy_process`),
//! the copy of an address space they make (mm/memory.c `copy_page_range`: private writable
//! pages become read-only in both processes and shared until the first write; MAP_SHARED and
//! read-only pages are simply shared) and the write fault that ends the sharing
//! (mm/memory.c `do_wp_page`: copy the frame, or reuse it when nobody else maps it).

use super::errno::Errno;
use super::fs::fd::FdTable;
use super::mm::AddressSpace;
use super::process::{Context, Process, MAX_PROCESSES};
use super::Linux;
use crate::cpu::fault::vector;
use crate::mmu::paging::{self, pte, PageFlags};
use crate::mmu::phys::{OutOfMemory, PhysMem, PAGE_SIZE};
use crate::mmu::Mmu;

/// The timer period switched on by the first fork when none was configured: 100,000 user
/// instructions (about 0.1 ms of a 1 GHz core; Linux's tick is 1-4 ms, a slice a few ticks).
pub const DEFAULT_SLICE: u64 = 100_000;

/// clone flags (include/uapi/linux/sched.h).
pub mod flags {
    /// Share the address space (threads, vfork).
    pub const CLONE_VM: u64 = 0x100;
    /// Share cwd and umask.
    pub const CLONE_FS: u64 = 0x200;
    /// Share the descriptor table.
    pub const CLONE_FILES: u64 = 0x400;
    /// Share signal handlers.
    pub const CLONE_SIGHAND: u64 = 0x800;
    /// Return a pidfd.
    pub const CLONE_PIDFD: u64 = 0x1000;
    /// The parent sleeps until the child exits or execs.
    pub const CLONE_VFORK: u64 = 0x4000;
    /// The child's parent is the caller's parent.
    pub const CLONE_PARENT: u64 = 0x8000;
    /// Same thread group.
    pub const CLONE_THREAD: u64 = 0x1_0000;
    /// New mount namespace.
    pub const CLONE_NEWNS: u64 = 0x2_0000;
    /// Set the child's FS base (TLS).
    pub const CLONE_SETTLS: u64 = 0x8_0000;
    /// Store the child's tid at `parent_tid` in the parent.
    pub const CLONE_PARENT_SETTID: u64 = 0x10_0000;
    /// Clear `child_tid` in the child at exit (and futex-wake it).
    pub const CLONE_CHILD_CLEARTID: u64 = 0x20_0000;
    /// Store the child's tid at `child_tid` in the child.
    pub const CLONE_CHILD_SETTID: u64 = 0x100_0000;
    /// The namespace flags (cgroup, uts, ipc, user, pid, net) and CLONE_IO.
    pub const NAMESPACES: u64 = 0xfe00_0000 | CLONE_NEWNS;
}

/// A child made by the system call being served: its registers are the parent's after
/// SYSRET with RAX = 0, filled in once the parent has returned.
#[derive(Clone, Copy, Debug)]
pub(super) struct NewChild {
    pub pid: u32,
    pub stack: u64,
    pub tls: Option<u64>,
    pub vfork: bool,
}

/// Every present 4 KiB leaf of the user half (PML4 entries 0-255): (address, entry address,
/// entry), and the page-table frames met on the way (PDPTs, PDs, PTs).
fn user_leaves(phys: &PhysMem, cr3: u64) -> (Vec<(u64, u64, u64)>, Vec<u64>) {
    let mut leaves = Vec::new();
    let mut tables = Vec::new();
    let table = |e: u64| (e & pte::P != 0 && e & pte::PS == 0).then_some(e & pte::ADDR);
    let root = cr3 & pte::ADDR;
    for i4 in 0..256u64 {
        let Some(t3) = table(phys.read_u64(root + i4 * 8)) else {
            continue;
        };
        tables.push(t3);
        for i3 in 0..512u64 {
            let Some(t2) = table(phys.read_u64(t3 + i3 * 8)) else {
                continue;
            };
            tables.push(t2);
            for i2 in 0..512u64 {
                let Some(t1) = table(phys.read_u64(t2 + i2 * 8)) else {
                    continue;
                };
                tables.push(t1);
                for i1 in 0..512u64 {
                    let ea = t1 + i1 * 8;
                    let e = phys.read_u64(ea);
                    if e & pte::P != 0 {
                        let va = (i4 << 39) | (i3 << 30) | (i2 << 21) | (i1 << 12);
                        leaves.push((va, ea, e));
                    }
                }
            }
        }
    }
    (leaves, tables)
}

fn entry_flags(e: u64) -> PageFlags {
    PageFlags {
        write: e & pte::RW != 0,
        user: e & pte::US != 0,
        exec: e & pte::NX == 0,
    }
}

impl AddressSpace {
    /// The child's copy (`dup_mmap` + `copy_page_range`): same regions, same frames; private
    /// writable pages lose write permission in both tables, so the first write to one faults
    /// and [`AddressSpace::fix_fault`] copies it. The caller flushes the TLB.
    pub fn fork_mm(&mut self, mmu: &mut Mmu) -> Result<AddressSpace, OutOfMemory> {
        let mut child = AddressSpace::new(mmu, Some(self.cr3))?;
        child.vmas = self.vmas.clone();
        child.start_brk = self.start_brk;
        child.brk = self.brk;
        let (leaves, _) = user_leaves(&mmu.phys, self.cr3);
        for (va, ea, e) in leaves {
            let frame = (e & pte::ADDR) / PAGE_SIZE;
            let mut flags = entry_flags(e);
            let private = self.find(va).is_none_or(|v| !v.shared);
            if private && flags.write {
                mmu.phys.write_u64(ea, e & !pte::RW);
                flags.write = false;
            }
            if let Err(oom) = paging::map_page(&mut mmu.phys, child.cr3, false, va, frame, flags) {
                child.destroy(mmu);
                return Err(oom);
            }
            mmu.phys.share_frame(frame);
        }
        Ok(child)
    }

    /// Frees every user page (one owner fewer for shared frames), the user half's page tables
    /// and the top-level table (`exit_mmap`, `free_pgtables`). The kernel half is shared and
    /// stays.
    pub fn destroy(&mut self, mmu: &mut Mmu) {
        if self.cr3 == 0 {
            return;
        }
        let (leaves, tables) = user_leaves(&mmu.phys, self.cr3);
        for (_, _, e) in leaves {
            mmu.phys.free_frame((e & pte::ADDR) / PAGE_SIZE);
        }
        for t in tables {
            mmu.phys.free_frame(t / PAGE_SIZE);
        }
        mmu.phys.free_frame(self.cr3 / PAGE_SIZE);
        self.cr3 = 0;
        self.vmas.clear();
    }

    /// A user page fault the kernel can fix: a lazily mapped page (demand paging) or a write
    /// to a copy-on-write page (`do_wp_page`). Returns false when the access is not allowed
    /// (the process gets SIGSEGV).
    pub fn fix_fault(
        &mut self,
        mmu: &mut Mmu,
        addr: u64,
        write: bool,
        fetch: bool,
    ) -> Result<bool, OutOfMemory> {
        let e = paging::leaf_entry(&mmu.phys, self.cr3, false, addr);
        if e & pte::P == 0 {
            return self.demand_fault(mmu, addr, write, fetch);
        }
        if !write || e & pte::RW != 0 || e & pte::US == 0 {
            return Ok(false);
        }
        let Some(v) = self.find(addr).filter(|v| v.prot.write) else {
            return Ok(false);
        };
        let prot = v.prot;
        let page = addr & !(PAGE_SIZE - 1);
        let old = (e & pte::ADDR) / PAGE_SIZE;
        let frame = if mmu.phys.frame_owners(old) > 1 && !v.shared {
            // wp_page_copy: a private copy for this process; the others keep the old frame.
            let new = mmu.phys.alloc_frame()?;
            let data = mmu.phys.frame(old).copied();
            if let Some(d) = data {
                mmu.phys.write(new * PAGE_SIZE, &d);
            }
            mmu.phys.free_frame(old);
            new
        } else {
            // wp_page_reuse: nobody else maps it any more.
            old
        };
        self.set_page(mmu, page, frame, prot)?;
        self.cow_faults += 1;
        Ok(true)
    }

    /// Writes `data` at `addr` as the kernel writes to user memory (`copy_to_user`): a page
    /// not yet present or still shared copy-on-write is fixed first. Fails on an address the
    /// process may not write (EFAULT).
    pub fn write_user(&mut self, mmu: &mut Mmu, addr: u64, data: &[u8]) -> Result<(), Errno> {
        let end = addr.checked_add(data.len() as u64).ok_or(Errno::Efault)?;
        let mut p = addr & !(PAGE_SIZE - 1);
        while p < end {
            let a = p.max(addr);
            let e = paging::leaf_entry(&mmu.phys, self.cr3, false, a);
            let ok = e & pte::P != 0 && e & pte::RW != 0 && e & pte::US != 0;
            if !ok && !matches!(self.fix_fault(mmu, a, true, false), Ok(true)) {
                return Err(Errno::Efault);
            }
            p += PAGE_SIZE;
        }
        self.poke(mmu, addr, data).map_err(|_| Errno::Efault)
    }
}

impl Linux {
    /// fork (57), vfork (58) and clone (56) without CLONE_VM: a new process with a copy of
    /// the caller's address space, descriptors and signal mask. vfork (CLONE_VM|CLONE_VFORK)
    /// is served as a copy too, the parent sleeping until the child exits; a vfork child
    /// may only call _exit or exec, so it cannot tell. Threads (CLONE_VM alone) and shared
    /// descriptor tables are not modelled (ENOSYS).
    pub(super) fn clone_process(
        &mut self,
        fl: u64,
        stack: u64,
        parent_tid: u64,
        child_tid: u64,
        tls: u64,
    ) -> i64 {
        use flags::*;
        let exit_signal = (fl & 0xff) as u8;
        if fl & CLONE_NEWNS != 0 && fl & CLONE_FS != 0
            || fl & CLONE_THREAD != 0 && fl & CLONE_SIGHAND == 0
            || fl & CLONE_SIGHAND != 0 && fl & CLONE_VM == 0
            || exit_signal > 64
        {
            return Errno::Einval.ret();
        }
        if fl & CLONE_THREAD != 0 {
            return self.clone_thread(fl, stack, parent_tid, child_tid, tls);
        }
        let vfork = fl & CLONE_VFORK != 0;
        if fl & CLONE_VM != 0 && !vfork
            || fl & (CLONE_FILES | CLONE_PIDFD | NAMESPACES | CLONE_THREAD) != 0
        {
            return Errno::Enosys.ret();
        }
        if self.procs.len() >= MAX_PROCESSES {
            return Errno::Eagain.ret();
        }
        let mut mm = match self.mm.fork_mm(&mut self.m.mmu) {
            Ok(mm) => mm,
            Err(_) => return Errno::Enomem.ret(),
        };
        // The parent's writable pages just became read-only: drop its stale translations.
        self.m.cpu.sync_paging(&mut self.m.mmu);
        let pid = self.alloc_pid();
        if fl & CLONE_CHILD_SETTID != 0 {
            let _ = mm.write_user(&mut self.m.mmu, child_tid, &pid.to_le_bytes());
        }
        // The parent is the process (the group leader), whichever thread forks.
        let me = self.procs.get(&self.tgid());
        let ppid = match me {
            Some(p) if fl & CLONE_PARENT != 0 => p.ppid,
            _ => self.tgid(),
        };
        let (pgid, sid) = me.map_or((self.pid, self.pid), |p| (p.pgid, p.sid));
        let fds: FdTable = self.fds.fork(&mut self.files);
        self.procs.insert(
            pid,
            Process {
                ctx: Some(Context {
                    regs: Box::new(self.m.cpu.s.clone()),
                    mm,
                    fds,
                    sigmask: self.sigmask,
                    sigpending: 0,
                    sigign: self.sigign,
                    sig: self.sig.fork(),
                    cwd: self.cwd,
                    umask: self.umask,
                }),
                clear_child_tid: if fl & CLONE_CHILD_CLEARTID != 0 {
                    child_tid
                } else {
                    0
                },
                ..Process::new(pid, ppid, (pgid, sid), exit_signal)
            },
        );
        if fl & CLONE_PARENT_SETTID != 0 {
            let _ = self.copy_out(parent_tid, &pid.to_le_bytes());
        }
        self.new_child = Some(NewChild {
            pid,
            stack,
            tls: (fl & CLONE_SETTLS != 0).then_some(tls),
            vfork,
        });
        self.forks += 1;
        if self.m.timer.period.is_none() {
            let _ = self.m.timer.enable(DEFAULT_SLICE, vector::TIMER);
        }
        i64::from(pid)
    }

    /// The next free pid (`alloc_pid`: counting up, skipping pids in use).
    pub(super) fn alloc_pid(&mut self) -> u32 {
        loop {
            let p = self.next_pid;
            self.next_pid = if p >= (1 << 22) { 2 } else { p + 1 };
            if !self.procs.contains_key(&p) && p != 0 {
                return p;
            }
        }
    }

    /// After the parent's SYSRET: the child's registers are the parent's, RAX = 0, on its
    /// own stack and TLS when clone gave them; a vfork parent then sleeps.
    pub(super) fn finish_clone(&mut self, c: NewChild) {
        let mut r = self.m.cpu.s.clone();
        r.gpr[crate::cpu::state::RAX] = 0;
        if c.stack != 0 {
            r.gpr[crate::cpu::state::RSP] = c.stack;
        }
        if let Some(t) = c.tls {
            r.fs_base = t;
        }
        if let Some(ctx) = self.procs.get_mut(&c.pid).and_then(|p| p.ctx.as_mut()) {
            *ctx.regs = r;
        }
        if c.vfork {
            self.block_current(super::process::Block::Vfork { child: c.pid });
        }
    }
}
