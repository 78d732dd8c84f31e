//! Time (kernel/time/posix-timers.c, kernel/time/hrtimer.c, kernel/time/itimer.c): a
//! deterministic clock that advances one nanosecond per retired user instruction, plus the
//! time the CPU spent idle while every process slept; nanosleep and clock_nanosleep put a
//! process to sleep until a point on that clock, alarm sends SIGALRM at one. Time is looked
//! at whenever the scheduler runs (every timer interrupt, every block); when nothing can run
//! but someone sleeps or has an alarm, the clock jumps to the first of those, as an idle
//! CPU's next timer interrupt would come.

use super::errno::Errno;
use super::process::Block;
use super::Linux;

const NS: u64 = 1_000_000_000;
/// SIGALRM.
const SIGALRM: u8 = 14;

impl Linux {
    /// Nanoseconds on the simulated clock.
    pub fn now_ns(&self) -> u64 {
        self.m.cpu.retired_user.saturating_add(self.idle_ns)
    }

    /// A `struct timespec` from user memory, or with `micro` a `struct timeval`
    /// (include/uapi/linux/time_types.h), in nanoseconds: EFAULT when it cannot be read,
    /// EINVAL for negative seconds or a fraction of a second past 999,999,999 ns (999,999
    /// µs), as kernel/time/time.c `get_timespec64` and fs/select.c `poll_select_set_timeout`
    /// check.
    pub(super) fn time_in(&mut self, addr: u64, micro: bool) -> Result<u64, Errno> {
        let b = self.copy_in(addr, 16).map_err(|_| Errno::Efault)?;
        let w = |r: Option<&[u8]>| {
            let mut x = [0u8; 8];
            x.copy_from_slice(r.unwrap_or(&[0; 8]));
            i64::from_le_bytes(x)
        };
        let (sec, frac) = (w(b.get(..8)), w(b.get(8..16)));
        let unit = if micro { 1_000 } else { 1 };
        if sec < 0 || !(0..NS as i64 / unit).contains(&frac) {
            return Err(Errno::Einval);
        }
        Ok((sec as u64)
            .saturating_mul(NS)
            .saturating_add((frac * unit) as u64))
    }

    /// The wall clock: the simulated clock plus [`Linux::realtime_offset_ns`].
    pub fn realtime_ns(&self) -> u64 {
        self.now_ns().saturating_add(self.realtime_offset_ns)
    }

    /// clock_gettime (228): every clock reads the simulated clock; the wall clocks
    /// (CLOCK_REALTIME, _COARSE, _ALARM, CLOCK_TAI) add [`Linux::realtime_offset_ns`].
    pub(super) fn clock_gettime(&mut self, clock: u64, tp: u64) -> i64 {
        if clock > 11 {
            return Errno::Einval.ret();
        }
        let ns = if matches!(clock, 0 | 5 | 8 | 11) {
            self.realtime_ns()
        } else {
            self.now_ns()
        };
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
        let t = match self.time_in(req, false) {
            Ok(t) => t,
            Err(e) => return e.ret(),
        };
        let until = if flags & 1 != 0 {
            // An absolute time on a wall clock is on the wall clock's scale.
            if matches!(clock, Some(0 | 5 | 8 | 11)) {
                t.saturating_sub(self.realtime_offset_ns)
            } else {
                t
            }
        } else {
            self.now_ns().saturating_add(t)
        };
        if until > self.now_ns() {
            self.sleep_until = Some(until);
        }
        0
    }

    /// alarm (37): SIGALRM after `secs` seconds of the clock (0 cancels); returns the
    /// seconds left of the previous alarm, rounded up (kernel/time/itimer.c
    /// `alarm_setitimer`).
    pub(super) fn alarm(&mut self, secs: u64) -> i64 {
        let now = self.now_ns();
        let pid = self.pid;
        let Some(p) = self.procs.get_mut(&pid) else {
            return 0;
        };
        let left = p.alarm_at.map_or(0, |t| t.saturating_sub(now).div_ceil(NS));
        let secs = secs & 0xffff_ffff;
        p.alarm_at = (secs > 0).then(|| now.saturating_add(secs.saturating_mul(NS)));
        p.alarm_every = 0;
        // The scheduler looks at the clock on timer interrupts: make sure they come.
        if secs > 0 && self.m.timer.period.is_none() {
            let _ = self
                .m
                .timer
                .enable(super::fork::DEFAULT_SLICE, crate::cpu::fault::vector::TIMER);
        }
        left as i64
    }

    /// setitimer (38) and getitimer (36; `new` = None) for ITIMER_REAL (0): the alarm with
    /// microsecond resolution and a reload interval; `old` gets the time left and the
    /// interval. ITIMER_VIRTUAL and ITIMER_PROF are accepted and never fire.
    pub(super) fn itimer(&mut self, which: u64, new: Option<u64>, old: u64) -> i64 {
        if which > 2 {
            return Errno::Einval.ret();
        }
        let tv = |ns: u64| {
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&(ns / NS).to_le_bytes());
            b[8..].copy_from_slice(&((ns % NS) / 1000).to_le_bytes());
            b
        };
        let now = self.now_ns();
        let (left, every) = match self.procs.get(&self.pid) {
            Some(p) if which == 0 => (
                p.alarm_at.map_or(0, |t| t.saturating_sub(now)),
                p.alarm_every,
            ),
            _ => (0, 0),
        };
        let set = match new {
            Some(n) if n != 0 => {
                let Ok(b) = self.copy_in(n, 32) else {
                    return Errno::Efault.ret();
                };
                let w = |i: usize| {
                    let mut x = [0u8; 8];
                    x.copy_from_slice(b.get(i..i + 8).unwrap_or(&[0; 8]));
                    i64::from_le_bytes(x)
                };
                let ns = |sec: i64, usec: i64| -> Option<u64> {
                    ((0..1_000_000).contains(&usec) && sec >= 0).then(|| {
                        (sec as u64)
                            .saturating_mul(NS)
                            .saturating_add(usec as u64 * 1000)
                    })
                };
                match (ns(w(0), w(8)), ns(w(16), w(24))) {
                    (Some(i), Some(v)) => Some((i, v)),
                    _ => return Errno::Einval.ret(),
                }
            }
            Some(_) => return Errno::Efault.ret(),
            None => None,
        };
        if old != 0 {
            let mut o = [0u8; 32];
            o[..16].copy_from_slice(&tv(every));
            o[16..].copy_from_slice(&tv(left));
            if let Err(e) = self.copy_out(old, &o) {
                return e;
            }
        }
        if let (Some((every, value)), 0) = (set, which) {
            let pid = self.pid;
            if let Some(p) = self.procs.get_mut(&pid) {
                p.alarm_at = (value > 0).then(|| now.saturating_add(value));
                p.alarm_every = if value > 0 { every } else { 0 };
            }
            if value > 0 && self.m.timer.period.is_none() {
                let _ = self
                    .m
                    .timer
                    .enable(super::fork::DEFAULT_SLICE, crate::cpu::fault::vector::TIMER);
            }
        }
        0
    }

    /// Time passes: sleepers whose time has come wake, alarms that are due send SIGALRM.
    /// When `idle` (nothing can run), the clock first moves to the earliest of those.
    /// Returns true if someone woke or was signalled.
    pub(super) fn wake_sleepers(&mut self, idle: bool) -> bool {
        let first = self
            .procs
            .values()
            .filter(|p| p.alive())
            .flat_map(|p| {
                let sleep = match p.blocked {
                    Some(
                        Block::Sleep { until }
                        | Block::Poll { until: Some(until) }
                        | Block::Futex {
                            until: Some(until), ..
                        },
                    ) => Some(until),
                    _ => None,
                };
                sleep.into_iter().chain(p.alarm_at)
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
        let mut alarms = Vec::new();
        let mut futex_timeouts = Vec::new();
        for p in self.procs.values_mut() {
            if let Some(Block::Sleep { until } | Block::Poll { until: Some(until) }) = p.blocked {
                if until <= now {
                    p.blocked = None;
                    woke = true;
                }
            }
            if let Some(Block::Futex {
                until: Some(until), ..
            }) = p.blocked
            {
                if until <= now {
                    p.blocked = None;
                    futex_timeouts.push(p.pid);
                    woke = true;
                }
            }
            if p.alarm_at.is_some_and(|t| t <= now) && p.alive() {
                p.alarm_at = (p.alarm_every > 0).then(|| now.saturating_add(p.alarm_every));
                alarms.push(p.pid);
            }
        }
        for pid in futex_timeouts {
            self.finish_sleep(pid, Errno::Etimedout.ret());
        }
        for pid in alarms {
            // SIGALRM (SI_KERNEL, as `it_real_fn` sends it): a handler wakes the process.
            self.send_signal_info(pid, SIGALRM, super::signal::SigInfo::KERNEL);
            woke = true;
        }
        woke
    }

    /// getrandom (318): `len` bytes from a deterministic generator (the same in every run,
    /// like AT_RANDOM here); GRND_NONBLOCK, GRND_RANDOM and GRND_INSECURE are accepted.
    pub(super) fn getrandom(&mut self, buf: u64, len: u64, flags: u64) -> i64 {
        if flags & !7 != 0 || flags & 6 == 6 {
            return Errno::Einval.ret();
        }
        let n = len.min(32 << 20) as usize;
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let mut x = self.random_state;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.random_state = x;
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.truncate(n);
        match self.copy_out(buf, &out) {
            Ok(()) => n as i64,
            Err(e) => e,
        }
    }

    /// gettimeofday (96): the wall clock in seconds and microseconds; the timezone, if
    /// asked for, is UTC (kernel/time/time.c).
    pub(super) fn gettimeofday(&mut self, tv: u64, tz: u64) -> i64 {
        let ns = self.realtime_ns();
        if tv != 0 {
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&(ns / NS).to_le_bytes());
            b[8..].copy_from_slice(&(ns % NS / 1000).to_le_bytes());
            if let Err(e) = self.copy_out(tv, &b) {
                return e;
            }
        }
        if tz != 0 {
            if let Err(e) = self.copy_out(tz, &[0u8; 8]) {
                return e;
            }
        }
        0
    }

    /// time (201): the wall clock's seconds, also stored at `tloc` when it is not NULL.
    pub(super) fn time(&mut self, tloc: u64) -> i64 {
        let secs = self.realtime_ns() / NS;
        if tloc != 0 {
            if let Err(e) = self.copy_out(tloc, &secs.to_le_bytes()) {
                return e;
            }
        }
        secs as i64
    }
}
