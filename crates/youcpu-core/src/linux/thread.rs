//! Threads (kernel/fork.c `copy_process` with CLONE_THREAD, kernel/exit.c `do_exit`,
//! `do_group_exit`): clone with CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
//! CLONE_THREAD (what glibc's and musl's pthread_create pass, with CLONE_SYSVSEM,
//! CLONE_SETTLS, CLONE_PARENT_SETTID and CLONE_CHILD_CLEARTID), clone3, set_tid_address,
//! gettid, exit of one thread and exit_group of all.
//!
//! A thread is a process-table entry with its own tid, registers, FPU, signal mask, pending
//! signals and alternate stack, whose thread group id ([`super::process::Process::tgid`]) is
//! its leader's pid. The group shares one address space, one descriptor table and one set
//! of signal handlers. The kernel keeps one copy of the shared parts, with the thread that
//! runs (the CPU's [`Linux::mm`] and [`Linux::fds`]) or, while none of the group runs, with one
//! of its threads; the others hold empty placeholders (CR3 0). A context switch between two
//! threads of a group leaves them on the CPU; a switch to a thread of another group takes
//! them from the thread of that group that holds them (sched.rs). `rt_sigaction` writes
//! the new action into every thread of the group. The working directory and umask are
//! copied at clone, not shared (a chdir in one thread is not seen by the others).
//!
//! Not modelled: exit (60) of the group leader while other threads live ends the whole
//! group as exit_group does (Linux keeps the process until the last thread exits); signals
//! sent to the process (kill) go to its leader thread, not to any thread that does not
//! block them; the robust futex list is accepted and never walked; clone with CLONE_VM but
//! without CLONE_THREAD (other than vfork), and CLONE_THREAD without CLONE_FILES, fail with
//! ENOSYS.
//!
//! A stop signal stops the whole group and SIGCONT continues it (a group stop,
//! [`super::signal`]).

use super::errno::Errno;
use super::fork::{flags::*, NewChild, DEFAULT_SLICE};
use super::process::{Context, Process, MAX_PROCESSES};
use super::signal::SigState;
use super::{Linux, ProcessState};
use crate::cpu::fault::vector;

/// `CLONE_ARGS_SIZE_VER0`: the smallest `struct clone_args` clone3 takes.
pub const CLONE_ARGS_SIZE_VER0: u64 = 64;

impl Linux {
    /// The thread group (process) id of `tid` (itself when it is not a thread).
    pub fn tgid_of(&self, tid: u32) -> u32 {
        self.procs.get(&tid).map_or(tid, |p| p.tgid)
    }

    /// The running thread's group id (what getpid returns).
    pub fn tgid(&self) -> u32 {
        self.tgid_of(self.pid)
    }

    /// Live threads of group `tgid` other than `except`.
    pub(super) fn group_members(&self, tgid: u32, except: u32) -> Vec<u32> {
        self.procs
            .values()
            .filter(|p| p.tgid == tgid && p.pid != except && p.alive())
            .map(|p| p.pid)
            .collect()
    }

    /// clone with CLONE_THREAD (called by `clone_process` once the flags are checked): a
    /// new thread in the caller's group, sharing its address space, descriptors and
    /// handlers; it starts after the caller's SYSRET with RAX = 0 on `stack`, with `tls`.
    pub(super) fn clone_thread(
        &mut self,
        fl: u64,
        stack: u64,
        parent_tid: u64,
        child_tid: u64,
        tls: u64,
    ) -> i64 {
        if fl & CLONE_FILES == 0 || fl & CLONE_VFORK != 0 {
            return Errno::Enosys.ret();
        }
        if self.procs.len() >= MAX_PROCESSES {
            return Errno::Eagain.ret();
        }
        let tid = self.alloc_pid();
        let tgid = self.tgid();
        let leader = self.procs.get(&tgid);
        let ppid = leader.map_or(0, |p| p.ppid);
        let (pgid, sid) = leader.map_or((tgid, tgid), |p| (p.pgid, p.sid));
        let sig = SigState {
            actions: self.sig.actions.clone(),
            // copy_process: a thread sharing the VM starts without an alternate stack.
            ..SigState::default()
        };
        self.procs.insert(
            tid,
            Process {
                tgid,
                ctx: Some(Context {
                    regs: Box::new(self.m.cpu.s.clone()),
                    mm: Default::default(),
                    fds: Default::default(),
                    sigmask: self.sigmask,
                    sigpending: 0,
                    sigign: self.sigign,
                    sig,
                    cwd: self.cwd,
                    umask: self.umask,
                }),
                clear_child_tid: if fl & CLONE_CHILD_CLEARTID != 0 {
                    child_tid
                } else {
                    0
                },
                ..Process::new(tid, ppid, (pgid, sid), 0)
            },
        );
        // Both addresses are in the one shared address space.
        if fl & CLONE_PARENT_SETTID != 0 {
            let _ = self.copy_out(parent_tid, &tid.to_le_bytes());
        }
        if fl & CLONE_CHILD_SETTID != 0 {
            let _ = self.copy_out(child_tid, &tid.to_le_bytes());
        }
        self.new_child = Some(NewChild {
            pid: tid,
            stack,
            tls: (fl & CLONE_SETTLS != 0).then_some(tls),
            vfork: false,
        });
        self.forks += 1;
        if self.m.timer.period.is_none() {
            let _ = self.m.timer.enable(DEFAULT_SLICE, vector::TIMER);
        }
        i64::from(tid)
    }

    /// clone3(args, size) (435): `struct clone_args` (flags, pidfd, child_tid, parent_tid,
    /// exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup: u64 each) as
    /// clone's arguments; the stack is given as its lowest address and size. EINVAL for a
    /// short struct, signal bits in `flags`, an exit signal above 64 or a stack without a
    /// size; E2BIG past a page; set_tid and CLONE_INTO_CGROUP are not modelled (EINVAL).
    pub(super) fn sys_clone3(&mut self, args: u64, size: u64) -> i64 {
        if size < CLONE_ARGS_SIZE_VER0 {
            return Errno::Einval.ret();
        }
        if size > crate::mmu::phys::PAGE_SIZE {
            return Errno::E2big.ret();
        }
        let Ok(b) = self.copy_in(args, size) else {
            return Errno::Efault.ret();
        };
        let w = |i: usize| {
            let mut x = [0u8; 8];
            if let Some(s) = b.get(8 * i..8 * i + 8) {
                x.copy_from_slice(s);
            }
            u64::from_le_bytes(x)
        };
        let (fl, child_tid, parent_tid, exit_signal) = (w(0), w(2), w(3), w(4));
        let (stack, stack_size, tls, set_tid_size) = (w(5), w(6), w(7), w(9));
        // Fields past the known ones must be zero (copy_struct_from_user).
        if b.iter().skip(88).any(|&x| x != 0) {
            return Errno::E2big.ret();
        }
        const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;
        if fl & 0xff != 0
            || exit_signal > 64
            || (stack == 0) != (stack_size == 0)
            || set_tid_size != 0
            || fl & CLONE_INTO_CGROUP != 0
            || fl >> 32 & !(CLONE_INTO_CGROUP >> 32) != 0
        {
            return Errno::Einval.ret();
        }
        let top = if stack == 0 {
            0
        } else {
            stack.wrapping_add(stack_size)
        };
        self.clone_process(fl | exit_signal, top, parent_tid, child_tid, tls)
    }

    /// set_tid_address(tidptr) (218): where 0 is written (and a futex woken) when the
    /// thread exits; returns the tid.
    pub(super) fn set_tid_address(&mut self, tidptr: u64) -> i64 {
        let me = self.pid;
        if let Some(p) = self.procs.get_mut(&me) {
            p.clear_child_tid = tidptr;
        }
        i64::from(me)
    }

    /// exit(code) (60): the calling thread ends (`do_exit`). Another thread of its group
    /// goes on: the thread's `clear_child_tid` word becomes 0 and one futex waiter on it
    /// wakes (`mm_release`), which is how pthread_join learns of it. The last thread's
    /// exit, or the leader's, ends the process (see the module notes).
    pub(super) fn sys_exit(&mut self, code: u64) {
        let me = self.pid;
        let tgid = self.tgid();
        let others = self.group_members(tgid, me);
        if others.is_empty() || me == tgid {
            self.sys_exit_group(code);
            return;
        }
        self.clear_tid();
        self.state = ProcessState::Exited {
            code: (code & 0xff) as u8,
        };
    }

    /// `mm_release`'s CLONE_CHILD_CLEARTID: 0 at the word and a FUTEX_WAKE of one waiter.
    fn clear_tid(&mut self) {
        let at = self.procs.get(&self.pid).map_or(0, |p| p.clear_child_tid);
        if at != 0 && self.copy_out(at, &0u32.to_le_bytes()).is_ok() {
            if let Ok(pa) = self
                .m
                .mmu
                .translate(at, crate::cpu::bus::Access::Read, true)
            {
                self.futex_wake(pa, super::futex::BITSET_ANY, 1);
            }
        }
    }

    /// exit_group(code) (231): every thread of the group ends with `code`.
    pub(super) fn sys_exit_group(&mut self, code: u64) {
        let state = ProcessState::Exited {
            code: (code & 0xff) as u8,
        };
        self.end_group(self.tgid(), state);
    }

    /// `do_group_exit` / `zap_other_threads` for group `tgid`: its threads other than the
    /// running one and the leader vanish, the leader ends with `state` (a zombie its parent
    /// waits for), and so does the running thread if it is one of them.
    pub(super) fn end_group(&mut self, tgid: u32, state: ProcessState) {
        let me = self.pid;
        for t in self.group_members(tgid, me) {
            if t == tgid {
                continue;
            }
            if let Some(ctx) = self.procs.remove(&t).and_then(|p| p.ctx) {
                self.release_ctx(tgid, ctx);
            }
        }
        if me != tgid {
            self.exit_other(tgid, state.clone());
        }
        if self.tgid_of(me) == tgid {
            self.state = state;
        }
    }
}

#[cfg(test)]
mod tests {
    //! Hostile arguments to the calls of signal.rs, sigframe.rs, exec.rs, futex.rs and this
    //! file: a SYSCALL instruction run with random numbers from a seeded generator in its
    //! registers (small integers, stack and code addresses, kernel addresses, random words).
    //! The kernel may fail the call, kill the process or find it deadlocked; it must not
    //! panic.

    use crate::cpu::state::{R10, R8, R9, RAX, RDI, RDX, RSI};
    use crate::linux::bare::Bare;
    use crate::linux::{Config, Linux, ProcessState};

    const CODE: u64 = 0x40_0000;
    const STACK_TOP: u64 = 0x7fff_0000;
    /// rt_sigaction, rt_sigprocmask, rt_sigreturn, rt_sigpending, rt_sigsuspend,
    /// sigaltstack, futex, set_tid_address, clone3, execve, execveat, clone, kill, tkill,
    /// tgkill, exit.
    const CALLS: [u64; 16] = [
        13, 14, 15, 127, 130, 131, 202, 218, 435, 59, 322, 56, 62, 200, 234, 60,
    ];

    fn boot() -> Linux {
        let cfg = Config {
            memory_limit: 16 << 20,
            ..Config::default()
        };
        // syscall; jmp back to it.
        let code = [0x0f, 0x05, 0xeb, 0xfc];
        Linux::bare(
            &cfg,
            Bare {
                code: &code,
                code_at: CODE,
                stack_top: STACK_TOP,
            },
        )
        .unwrap_or_else(|e| panic!("boot: {e}"))
    }

    #[test]
    fn random_arguments_never_panic() {
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rnd = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut l = boot();
        let (mut ended, mut calls) = (0, 0);
        for _ in 0..6000 {
            let nr = CALLS[(rnd() % CALLS.len() as u64) as usize];
            let mut a = [0u64; 6];
            for x in &mut a {
                *x = match rnd() % 8 {
                    0 => rnd() % 70,
                    1 => STACK_TOP - 8 - ((rnd() % 4000) & !7),
                    2 => CODE + rnd() % 4096,
                    3 => 0xffff_ffff_8100_0000 + (rnd() & 0xffff),
                    4 => 0,
                    5 => rnd() & 0xffff_ffff,
                    6 => 1u64 << (rnd() % 64),
                    _ => rnd(),
                };
            }
            let st = &mut l.m.cpu.s;
            st.rip = CODE;
            st.gpr[RAX] = nr;
            for (r, v) in [RDI, RSI, RDX, R10, R8, R9].into_iter().zip(a) {
                st.gpr[r] = v;
            }
            l.run(3);
            calls += 1;
            if l.state != ProcessState::Running || l.pid != l.init_pid || l.procs.len() > 8 {
                ended += 1;
                l = boot();
            }
        }
        assert_eq!(calls, 6000);
        assert!(
            ended > 0,
            "no call ever ended the process: the arguments are too tame"
        );
    }
}
