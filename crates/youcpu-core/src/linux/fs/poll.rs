//! poll, ppoll, select and pselect6 (fs/select.c `do_sys_poll`, `do_select`) over pipes, the
//! console and files: which
//! descriptors are ready now, or sleep until one may be (a pipe or standard input changes)
//! or the timeout passes. The call restarts after each wake-up with the same deadline.

use super::FileKind;
use crate::linux::errno::Errno;
use crate::linux::process::Block;
use crate::linux::Linux;

const POLLIN: u16 = 0x1;
const POLLOUT: u16 = 0x4;
const POLLERR: u16 = 0x8;
const POLLHUP: u16 = 0x10;
const POLLNVAL: u16 = 0x20;
const POLLRDNORM: u16 = 0x40;
const POLLWRNORM: u16 = 0x100;

impl Linux {
    /// What descriptor `fd` is ready for (`f_op->poll`).
    fn poll_mask(&self, fd: i32) -> u16 {
        let Some(kind) = u64::try_from(fd).ok().and_then(|fd| self.file_kind(fd)) else {
            return POLLNVAL;
        };
        match kind {
            FileKind::PipeRead { pipe } => self.pipes.get(pipe).map_or(POLLNVAL, |p| {
                let data = if p.buf.is_empty() {
                    0
                } else {
                    POLLIN | POLLRDNORM
                };
                data | if p.writers == 0 { POLLHUP } else { 0 }
            }),
            FileKind::PipeWrite { pipe } => self.pipes.get(pipe).map_or(POLLNVAL, |p| {
                let room = if p.buf.len() < super::pipe::PIPE_SIZE {
                    POLLOUT | POLLWRNORM
                } else {
                    0
                };
                room | if p.readers == 0 { POLLERR } else { 0 }
            }),
            // Standard input is a pipe whose writer closes once all input has come.
            FileKind::Stdin => {
                let data = if self.stdin_read < self.stdin.len() {
                    POLLIN | POLLRDNORM
                } else {
                    0
                };
                data | if self.stdin_open { 0 } else { POLLHUP }
            }
            FileKind::Stdout | FileKind::Stderr => POLLOUT | POLLWRNORM,
            FileKind::File { .. } | FileKind::Dir { .. } | FileKind::ProcMaps { .. } => {
                POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM
            }
        }
    }

    /// poll (7; `timeout` in ms, negative: for ever) and ppoll (271; a timespec or none; the
    /// signal mask argument is accepted and not applied).
    pub(in crate::linux) fn poll(&mut self, fds: u64, nfds: u64, timeout_ns: Option<u64>) -> i64 {
        if nfds > super::fd::MAX_FDS as u64 {
            return Errno::Einval.ret();
        }
        let raw = match self.copy_in(fds, nfds * 8) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let mut out = raw.clone();
        let mut ready = 0i64;
        for (i, e) in raw.chunks_exact(8).enumerate() {
            let fd = i32::from_le_bytes([e[0], e[1], e[2], e[3]]);
            let events = u16::from_le_bytes([e[4], e[5]]);
            let rev = if fd < 0 {
                0
            } else {
                self.poll_mask(fd) & (events | POLLERR | POLLHUP | POLLNVAL)
            };
            if rev != 0 {
                ready += 1;
            }
            if let Some(d) = out.get_mut(i * 8 + 6..i * 8 + 8) {
                d.copy_from_slice(&rev.to_le_bytes());
            }
        }
        if self.poll_wait(ready != 0, timeout_ns).is_none() {
            return 0;
        }
        match self.copy_out(fds, &out) {
            Ok(()) => ready,
            Err(e) => e,
        }
    }

    /// The sleep of a poll or select that found nothing `ready` (`do_poll`, `do_select`):
    /// until `timeout` nanoseconds from now (None: for ever), the deadline kept across the
    /// call's restarts. None when it sleeps; else the time now and the deadline.
    fn poll_wait(&mut self, ready: bool, timeout: Option<u64>) -> Option<(u64, u64)> {
        let now = self.now_ns();
        let pid = self.pid;
        let until = match self.procs.get(&pid).and_then(|p| p.poll_until) {
            Some(u) => u,
            None => timeout.map_or(u64::MAX, |t| now.saturating_add(t)),
        };
        let p = self.procs.get_mut(&pid);
        if !ready && until > now {
            if let Some(p) = p {
                p.poll_until = Some(until);
            }
            self.block = Some(Block::Poll {
                until: (until != u64::MAX).then_some(until),
            });
            return None;
        }
        if let Some(p) = p {
            p.poll_until = None;
        }
        Some((now, until))
    }

    /// ppoll's timespec (NULL: no timeout).
    pub(in crate::linux) fn ppoll(&mut self, fds: u64, nfds: u64, tsp: u64) -> i64 {
        let t = match self.timeout_in(tsp, false) {
            Ok(t) => t,
            Err(e) => return e.ret(),
        };
        let start = self.now_ns();
        let until = self
            .procs
            .get(&self.pid)
            .and_then(|p| p.poll_until)
            .or(t.map(|t| start.saturating_add(t)));
        let r = self.poll(fds, nfds, t);
        if let (Some(u), None, Some(t)) = (until, self.block, t) {
            self.time_left(tsp, u.saturating_sub(start).min(t), false);
        }
        r
    }

    /// select (23; a timeval, written back with the time left) and pselect6 (270; a
    /// timespec): the three fd_set bitmaps of `n` descriptors through the same readiness
    /// as poll (readable: POLLIN, POLLHUP or POLLERR; writable: POLLOUT or POLLERR; no
    /// exceptional conditions). EBADF for a descriptor in a set that is not open.
    pub(in crate::linux) fn select(&mut self, n: u64, sets: [u64; 3], tv: u64, micro: bool) -> i64 {
        if n > super::fd::MAX_FDS as u64 {
            return Errno::Einval.ret();
        }
        let bytes = n.div_ceil(64) * 8;
        let mut input = [Vec::new(), Vec::new(), Vec::new()];
        for (k, &a) in sets.iter().enumerate() {
            if a != 0 {
                match self.copy_in(a, bytes) {
                    Ok(b) => input[k] = b,
                    Err(e) => return e,
                }
            }
        }
        let bit = |v: &[u8], i: u64| {
            v.get((i / 8) as usize)
                .is_some_and(|b| b >> (i % 8) & 1 != 0)
        };
        let mut out = [
            vec![0u8; bytes as usize],
            vec![0u8; bytes as usize],
            vec![0u8; bytes as usize],
        ];
        let mut ready = 0i64;
        for i in 0..n {
            let wanted = [bit(&input[0], i), bit(&input[1], i), bit(&input[2], i)];
            if !wanted.iter().any(|&w| w) {
                continue;
            }
            let m = self.poll_mask(i as i32);
            if m & POLLNVAL != 0 {
                return Errno::Ebadf.ret();
            }
            let got = [
                m & (POLLIN | POLLRDNORM | POLLHUP | POLLERR) != 0,
                m & (POLLOUT | POLLWRNORM | POLLERR) != 0,
                false,
            ];
            for k in 0..3 {
                if wanted[k] && got[k] {
                    if let Some(b) = out[k].get_mut((i / 8) as usize) {
                        *b |= 1 << (i % 8);
                    }
                    ready += 1;
                }
            }
        }
        let timeout = match self.timeout_in(tv, micro) {
            Ok(t) => t,
            Err(e) => return e.ret(),
        };
        let Some((now, until)) = self.poll_wait(ready != 0, timeout) else {
            return 0;
        };
        for (k, &a) in sets.iter().enumerate() {
            if a != 0 {
                if let Err(e) = self.copy_out(a, &out[k]) {
                    return e;
                }
            }
        }
        if tv != 0 {
            self.time_left(
                tv,
                until.saturating_sub(now).min(timeout.unwrap_or(0)),
                micro,
            );
        }
        ready
    }

    /// A timeout argument (a timespec, or with `micro` a timeval): NULL waits without end
    /// (`None`), else its length ([`Linux::time_in`]).
    fn timeout_in(&mut self, addr: u64, micro: bool) -> Result<Option<u64>, Errno> {
        if addr == 0 {
            return Ok(None);
        }
        self.time_in(addr, micro).map(Some)
    }

    /// `poll_select_finish`: the time left written back to a timeval (select) or a
    /// timespec (pselect6, ppoll); 0 once the call timed out.
    fn time_left(&mut self, at: u64, left: u64, micro: bool) {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&(left / 1_000_000_000).to_le_bytes());
        let frac = left % 1_000_000_000;
        let frac = if micro { frac / 1000 } else { frac };
        b[8..].copy_from_slice(&frac.to_le_bytes());
        let _ = self.copy_out(at, &b);
    }
}
