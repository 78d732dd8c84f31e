//! wait4 and waitid (kernel/exit.c `kernel_wait4`, `kernel_waitid`, `do_wait`,
//! `eligible_child`, `wait_task_zombie`, `wait_task_stopped`, `wait_task_continued`): which
//! children a call may see, the status it reports, reaping, WNOHANG, WNOWAIT, and sleeping
//! until a child changes state.

use super::errno::Errno;
use super::process::{cld_code, wait_status, Block, WaitEvent, SIGCHLD};
use super::Linux;

/// WNOHANG: return at once when no child has changed state.
pub const WNOHANG: u64 = 1;
/// WUNTRACED / WSTOPPED: report stopped children.
pub const WUNTRACED: u64 = 2;
/// WEXITED (waitid): report children that ended.
pub const WEXITED: u64 = 4;
/// WCONTINUED: report continued children.
pub const WCONTINUED: u64 = 8;
/// WNOWAIT (waitid): leave the child a zombie.
pub const WNOWAIT: u64 = 0x0100_0000;
/// __WNOTHREAD.
pub const WNOTHREAD: u64 = 0x2000_0000;
/// __WALL: children of any exit signal.
pub const WALL: u64 = 0x4000_0000;
/// __WCLONE: only children whose exit signal is not SIGCHLD.
pub const WCLONE: u64 = 0x8000_0000;

/// Which children a wait names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Any,
    Pid(u32),
    Group(u32),
}

/// sizeof(struct rusage) on x86-64.
const RUSAGE_SIZE: usize = 144;
/// sizeof(siginfo_t).
const SIGINFO_SIZE: usize = 128;

impl Linux {
    /// The pids of the caller's children a wait may see (`eligible_child`), oldest first.
    fn eligible(&self, which: Which, options: u64) -> Vec<u32> {
        self.procs
            .values()
            .filter(|p| p.ppid == self.tgid() && p.pid != self.pid && p.tgid == p.pid)
            .filter(|p| match which {
                Which::Any => true,
                Which::Pid(pid) => p.pid == pid,
                Which::Group(g) => p.pgid == g,
            })
            .filter(|p| {
                options & WALL != 0 || (p.exit_signal != SIGCHLD) == (options & WCLONE != 0)
            })
            .map(|p| p.pid)
            .collect()
    }

    fn my_pgid(&self) -> u32 {
        self.procs.get(&self.pid).map_or(self.pid, |p| p.pgid)
    }

    /// The first child among `kids` with something to report (`wait_consider_task`: exits
    /// with WEXITED, stops with WUNTRACED, continues with WCONTINUED), or what to do
    /// instead: ECHILD when there are none, 0 with WNOHANG, else sleep (the call restarts
    /// when a child changes state).
    fn find_event(
        &mut self,
        kids: &[u32],
        options: u64,
        exited: bool,
    ) -> Result<(u32, WaitEvent), i64> {
        if kids.is_empty() {
            return Err(Errno::Echild.ret());
        }
        let (stopped, continued) = (options & WUNTRACED != 0, options & WCONTINUED != 0);
        let found = kids.iter().find_map(|k| {
            let e = self.procs.get(k)?.wait_event(exited, stopped, continued)?;
            Some((*k, e))
        });
        match found {
            Some(f) => Ok(f),
            None if options & WNOHANG != 0 => Err(0),
            None => {
                self.block = Some(Block::Wait);
                Err(0)
            }
        }
    }

    /// Takes the reported event off the child (or, for an exit, the child itself) unless
    /// `keep` (WNOWAIT). Returns the child's state.
    fn consume(&mut self, z: u32, e: WaitEvent, keep: bool) -> Option<super::ProcessState> {
        let state = self.procs.get(&z)?.state.clone();
        if !keep {
            match e {
                WaitEvent::Exit => {
                    self.procs.remove(&z);
                }
                WaitEvent::Stop(_) => {
                    if let Some(p) = self.procs.get_mut(&z) {
                        p.stop_report = None;
                    }
                }
                WaitEvent::Continue => {
                    if let Some(p) = self.procs.get_mut(&z) {
                        p.cont_report = false;
                    }
                }
            }
        }
        Some(state)
    }

    /// wait4(pid, wstatus, options, rusage) (61): `pid > 0` that child, `-1` any, `0` the
    /// caller's group, `< -1` the group `-pid`. Returns the reaped child's pid; the status
    /// and a zeroed rusage are stored after reaping (EFAULT if they cannot be).
    pub(super) fn wait4(&mut self, pid: i32, wstatus: u64, options: u64, rusage: u64) -> i64 {
        if options & !(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WCLONE | WALL) != 0 {
            return Errno::Einval.ret();
        }
        if pid == i32::MIN {
            return Errno::Esrch.ret(); // -INT_MIN is not a pid group
        }
        let which = match pid {
            -1 => Which::Any,
            0 => Which::Group(self.my_pgid()),
            p if p > 0 => Which::Pid(p as u32),
            p => Which::Group(p.unsigned_abs()),
        };
        let kids = self.eligible(which, options);
        let (z, e) = match self.find_event(&kids, options, true) {
            Ok(f) => f,
            Err(r) => return r,
        };
        let Some(state) = self.consume(z, e, false) else {
            return Errno::Echild.ret();
        };
        let status = wait_status(&state, e);
        if wstatus != 0 && self.copy_out(wstatus, &status.to_le_bytes()).is_err() {
            return Errno::Efault.ret();
        }
        if rusage != 0 && self.copy_out(rusage, &[0; RUSAGE_SIZE]).is_err() {
            return Errno::Efault.ret();
        }
        i64::from(z)
    }

    /// waitid(idtype, id, infop, options, rusage) (247): P_ALL (0), P_PID (1), P_PGID (2,
    /// id 0 = the caller's group); P_PIDFD (3) fails with EBADF (no pidfds). One of WEXITED,
    /// WSTOPPED, WCONTINUED is required. Fills the siginfo (SIGCHLD, CLD_EXITED or CLD_KILLED,
    /// pid, uid, status) and returns 0; with WNOHANG and no ended child the siginfo is zeroed.
    pub(super) fn waitid(
        &mut self,
        idtype: u64,
        id: u64,
        infop: u64,
        options: u64,
        rusage: u64,
    ) -> i64 {
        let allowed =
            WNOHANG | WNOWAIT | WEXITED | WUNTRACED | WCONTINUED | WNOTHREAD | WCLONE | WALL;
        if options & !allowed != 0 || options & (WEXITED | WUNTRACED | WCONTINUED) == 0 {
            return Errno::Einval.ret();
        }
        let id = id as u32 as i32;
        let which = match idtype {
            0 => Which::Any,
            1 if id > 0 => Which::Pid(id as u32),
            2 if id == 0 => Which::Group(self.my_pgid()),
            2 if id > 0 => Which::Group(id as u32),
            3 => return Errno::Ebadf.ret(),
            _ => return Errno::Einval.ret(),
        };
        let kids = self.eligible(which, options);
        let found = self.find_event(&kids, options, options & WEXITED != 0);
        let mut info = [0u8; SIGINFO_SIZE];
        let z = match found {
            Ok(f) => Some(f),
            Err(0) if self.block.is_none() => None,
            Err(r) => return r,
        };
        if let Some((z, e)) = z {
            let Some(state) = self.consume(z, e, options & WNOWAIT != 0) else {
                return Errno::Echild.ret();
            };
            let (code, status) = cld_code(&state, e);
            let put = |b: &mut [u8; SIGINFO_SIZE], at: usize, v: i32| {
                if let Some(d) = b.get_mut(at..at + 4) {
                    d.copy_from_slice(&v.to_le_bytes());
                }
            };
            put(&mut info, 0, i32::from(SIGCHLD));
            put(&mut info, 8, code);
            put(&mut info, 16, z as i32);
            put(&mut info, 20, self.uid as i32);
            put(&mut info, 24, status);
        }
        if infop != 0 && self.copy_out(infop, info.get(..28).unwrap_or(&[])).is_err() {
            return Errno::Efault.ret();
        }
        if rusage != 0 && self.copy_out(rusage, &[0; RUSAGE_SIZE]).is_err() {
            return Errno::Efault.ret();
        }
        0
    }
}
