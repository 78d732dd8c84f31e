//! Time (kernel/time/posix-timers.c, kernel/time/hrtimer.c): a deterministic clock that
//! advances one nanosecond per retired user instruction, plus the time the CPU spent idle
//! while every process slept; nanosleep and clock_nanosleep put a process to sleep until a
//! point on that clock. When nothing can run but someone sleeps, the clock jumps to the first
//! wake-up, as an idle CPU's next timer interrupt would come.

use super::errno::Errno;
use super::process::Block;
use super::Linux;

const NS: u64 = 1_000_000_000;

impl Linux {
    /// Nanoseconds on the simulated clock.
    pub fn now_ns(&self) -> u64 {
        self.m.cpu.retired_user.saturating_add(self.idle_ns)
    }

    fn timespec_in(&mut self, addr: u64) -> Result<u64, Errno> {
        let b = self.copy_in(addr, 16).map_err(|_| Errno::Efault)?;
        let w = |r: Option<&[u8]>| {
            let mut x = [0u8; 8];
            x.copy_from_slice(r.unwrap_or(&[0; 8]));
            i64::from_le_bytes(x)
        };
        let (sec, nsec) = (w(b.get(..8)), w(b.get(8..16)));
        if sec < 0 || !(0..NS as i64).contains(&nsec) {
            return Err(Errno::Einval);
        }
        Ok((sec as u64).saturating_mul(NS).saturating_add(nsec as u64))
    }

    /// clock_gettime (228): every clock reads the simulated clock.
    pub(super) fn clock_gettime(&mut self, clock: u64, tp: u64) -> i64 {
        if clock > 11 {
            return Errno::Einval.ret();
        }
        let ns = self.now_ns();
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&(ns / NS).to_le_bytes());
        b[8..].copy_from_slice(&(ns % NS).to_le_bytes());
        match self.copy_out(tp, &b) {
            Ok(()) => 0,
            Err(e) => e,
        }
    }

    /// nanosleep (35) and clock_nanosleep (230; TIMER_ABSTIME = 1): the process sleeps
    /// until the deadline and the call returns 0 (there are no signal handlers to cut it
    /// short, so `rem` is never written).
    pub(super) fn nanosleep(&mut self, clock: Option<u64>, flags: u64, req: u64) -> i64 {
        if clock.is_some_and(|c| c > 11 || c == 2 || c == 3) {
            return Errno::Einval.ret();
        }
        let t = match self.timespec_in(req) {
            Ok(t) => t,
            Err(e) => return e.ret(),
        };
        let until = if flags & 1 != 0 {
            t
        } else {
            self.now_ns().saturating_add(t)
        };
        if until > self.now_ns() {
            self.sleep_until = Some(until);
        }
        0
    }

    /// Wakes the sleepers whose time has come; when `idle` (nothing can run), first moves
    /// the clock to the earliest wake-up. Returns true if someone woke.
    pub(super) fn wake_sleepers(&mut self, idle: bool) -> bool {
        let first = self
            .procs
            .values()
            .filter_map(|p| match p.blocked {
                Some(Block::Sleep { until }) => Some(until),
                _ => None,
            })
            .min();
        let Some(first) = first else {
            return false;
        };
        let now = self.now_ns();
        if idle && first > now {
            self.idle_ns += first - now;
        }
        let now = self.now_ns();
        let mut woke = false;
        for p in self.procs.values_mut() {
            if let Some(Block::Sleep { until }) = p.blocked {
                if until <= now {
                    p.blocked = None;
                    woke = true;
                }
            }
        }
        woke
    }
}
