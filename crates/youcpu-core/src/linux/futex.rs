//! Fast user-space mutexes (kernel/futex/syscalls.c `do_futex`, kernel/futex/waitwake.c
//! `futex_wait`, `futex_wake`): FUTEX_WAIT and FUTEX_WAIT_BITSET sleep while the 32-bit word
//! at the address still holds the expected value (EAGAIN if it does not), with an optional
//! timeout (relative for WAIT, absolute on the simulated clock for WAIT_BITSET; ETIMEDOUT);
//! FUTEX_WAKE and FUTEX_WAKE_BITSET wake up to `val` sleepers whose bitsets intersect.
//! FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME are accepted (the simulated clocks agree).
//!
//! A futex is named by the physical address of its word (kernel/futex/core.c `get_futex_key`
//! keys shared futexes by page, private ones by mm and address: the frame names both), so
//! threads of one process and processes sharing a MAP_SHARED page meet on it. A sleeper's
//! call is rewound onto its SYSCALL instruction like every sleeping call; a wake, a timeout
//! or a caught signal makes it return 0, ETIMEDOUT or EINTR.

use super::errno::Errno;
use super::process::Block;
use super::Linux;
use crate::cpu::state::{State, RAX};

/// FUTEX_WAIT.
pub const FUTEX_WAIT: u64 = 0;
/// FUTEX_WAKE.
pub const FUTEX_WAKE: u64 = 1;
/// FUTEX_WAIT_BITSET.
pub const FUTEX_WAIT_BITSET: u64 = 9;
/// FUTEX_WAKE_BITSET.
pub const FUTEX_WAKE_BITSET: u64 = 10;
/// FUTEX_PRIVATE_FLAG.
pub const FUTEX_PRIVATE_FLAG: u64 = 128;
/// FUTEX_CLOCK_REALTIME.
pub const FUTEX_CLOCK_REALTIME: u64 = 256;
/// FUTEX_BITSET_MATCH_ANY.
pub const BITSET_ANY: u32 = u32::MAX;

/// The bitset of a futex operation: every waiter for FUTEX_WAIT and FUTEX_WAKE (`plain`),
/// else `val3`, which may not be empty (kernel/futex/syscalls.c: EINVAL).
fn bitset_of(plain: bool, val3: u64) -> Result<u32, Errno> {
    match if plain { BITSET_ANY } else { val3 as u32 } {
        0 => Err(Errno::Einval),
        b => Ok(b),
    }
}

impl Linux {
    /// The registers of `pid` as it will resume (the CPU's for the running process).
    pub(super) fn regs_of(&mut self, pid: u32) -> Option<&mut State> {
        if pid == self.pid {
            return Some(&mut self.m.cpu.s);
        }
        self.procs
            .get_mut(&pid)
            .and_then(|p| p.ctx.as_mut())
            .map(|c| &mut *c.regs)
    }

    /// A sleeper leaves its rewound call with `ret` (`futex_wait` returning).
    pub(super) fn finish_sleep(&mut self, pid: u32, ret: i64) {
        if let Some(r) = self.regs_of(pid) {
            r.gpr[RAX] = ret as u64;
            r.rip = r.rip.wrapping_add(2);
        }
    }

    /// The physical address of the aligned 32-bit word at `addr` (faulting it in first).
    fn futex_key(&mut self, addr: u64) -> Result<u64, Errno> {
        if addr & 3 != 0 {
            return Err(Errno::Einval);
        }
        self.copy_in(addr, 4).map_err(|_| Errno::Efault)?;
        self.m
            .mmu
            .translate(addr, crate::cpu::bus::Access::Read, true)
            .map_err(|_| Errno::Efault)
    }

    /// futex(uaddr, op, val, timeout, uaddr2, val3) (202).
    pub(super) fn sys_futex(
        &mut self,
        uaddr: u64,
        op: u64,
        val: u64,
        timeout: u64,
        val3: u64,
    ) -> Result<i64, Errno> {
        let cmd = op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
        if op & FUTEX_CLOCK_REALTIME != 0 && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT {
            return Err(Errno::Enosys);
        }
        match cmd {
            FUTEX_WAIT | FUTEX_WAIT_BITSET => {
                let bitset = bitset_of(cmd == FUTEX_WAIT, val3)?;
                let until = if timeout == 0 {
                    None
                } else {
                    let t = self.time_in(timeout, false)?;
                    Some(if cmd == FUTEX_WAIT {
                        self.now_ns().saturating_add(t)
                    } else if op & FUTEX_CLOCK_REALTIME != 0 {
                        // An absolute CLOCK_REALTIME time is on the wall clock's scale.
                        t.saturating_sub(self.realtime_offset_ns)
                    } else {
                        t
                    })
                };
                let key = self.futex_key(uaddr)?;
                let b = self.copy_in(uaddr, 4).map_err(|_| Errno::Efault)?;
                let cur = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                if cur != val as u32 {
                    return Err(Errno::Eagain);
                }
                if until.is_some_and(|u| u <= self.now_ns()) {
                    return Err(Errno::Etimedout);
                }
                self.block = Some(Block::Futex { key, bitset, until });
                Ok(0)
            }
            FUTEX_WAKE | FUTEX_WAKE_BITSET => {
                let bitset = bitset_of(cmd == FUTEX_WAKE, val3)?;
                let key = self.futex_key(uaddr)?;
                Ok(self.futex_wake(key, bitset, val as i32))
            }
            _ => Err(Errno::Enosys),
        }
    }

    /// Wakes up to `n` sleepers on `key` whose bitset meets `bitset`, in pid order; their
    /// calls return 0. Returns how many woke.
    pub(super) fn futex_wake(&mut self, key: u64, bitset: u32, n: i32) -> i64 {
        let woken: Vec<u32> = self
            .procs
            .values()
            .filter(|p| {
                p.alive()
                    && matches!(p.blocked, Some(Block::Futex { key: k, bitset: b, .. })
                        if k == key && b & bitset != 0)
            })
            .map(|p| p.pid)
            .take(n.max(0) as usize)
            .collect();
        for &pid in &woken {
            if let Some(p) = self.procs.get_mut(&pid) {
                p.blocked = None;
            }
            self.finish_sleep(pid, 0);
        }
        woken.len() as i64
    }
}
