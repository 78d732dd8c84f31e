//! How the trace shows a system call's arguments, as strace writes them: the argument kinds
//! of each call ([`arity`] for the callers that only need their number), flag names,
//! quoted strings and buffers read from the guest's memory.

use super::*;

/// How an argument is shown.
#[derive(Clone, Copy)]
pub(super) enum A {
    /// Signed decimal.
    I,
    /// Unsigned decimal.
    U,
    /// Hexadecimal (addresses), NULL for 0.
    P,
    /// A file offset in hexadecimal (0 as 0).
    Off,
    /// A descriptor or AT_FDCWD.
    Fd,
    /// A NUL-terminated string.
    S,
    /// A buffer read by the call: its length is argument `n`.
    In(usize),
    /// A buffer the call filled: its length is the result.
    Out,
    /// open flags.
    OFlags,
    /// An octal mode.
    Mode,
    /// mmap/mprotect protection.
    Prot,
    /// mmap flags.
    MFlags,
    /// lseek whence.
    Whence,
    /// *at flags.
    AtFlags,
    /// A signal number.
    Sig,
    /// access mode.
    Access,
    /// A clock id.
    Clock,
    /// arch_prctl code.
    ArchCode,
    /// fcntl command.
    FcntlCmd,
    /// ioctl request.
    Ioctl,
    /// madvise advice.
    Advice,
    /// A NULL-terminated array of strings (execve).
    Argv,
    /// wait4's status word, read after the call as strace decodes it.
    Status,
    /// An array of `struct iovec` the call reads (writev): its length is argument `n`.
    Iov(usize),
}

/// How many arguments system call `nr` takes (the registers after them are ignored by it), from
/// the same table the trace decodes them with; `None` for a call the table does not know.
pub fn arity(nr: u64) -> Option<usize> {
    signature(nr).map(|(args, _)| args.len())
}

/// The arguments of a system call, and whether its result is an address.
pub(super) fn signature(nr: u64) -> Option<(&'static [A], bool)> {
    use A::*;
    Some(match nr {
        0 => (&[Fd, Out, U], false),
        1 => (&[Fd, In(2), U], false),
        17 => (&[Fd, Out, U, I], false),
        18 => (&[Fd, In(2), U, I], false),
        2 => (&[S, OFlags, Mode], false),
        3 | 32 => (&[Fd], false),
        4 | 6 => (&[S, P], false),
        5 => (&[Fd, P], false),
        7 => (&[P, U, I], false),
        8 => (&[Fd, I, Whence], false),
        9 => (&[P, U, Prot, MFlags, Fd, Off], true),
        10 => (&[P, U, Prot], false),
        11 => (&[P, U], false),
        12 => (&[P], true),
        13 => (&[Sig, P, P, U], false),
        14 => (&[I, P, P, U], false),
        16 => (&[Fd, Ioctl, P], false),
        19 => (&[Fd, P, I], false),
        20 => (&[Fd, Iov(2), I], false),
        21 => (&[S, Access], false),
        22 => (&[P], false),
        25 => (&[P, U, U, I, P], true),
        35 => (&[P, P], false),
        36 => (&[I, P], false),
        37 => (&[U], false),
        38 => (&[I, P, P], false),
        230 => (&[Clock, I, P, P], false),
        234 => (&[I, I, Sig], false),
        200 => (&[I, Sig], false),
        28 => (&[P, U, Advice], false),
        33 => (&[Fd, Fd], false),
        39 | 24 | 57 | 58 | 102 | 104 | 107 | 108 | 110 | 111 | 112 | 186 => (&[], false),
        56 => (&[P, P, P, P, P], false),
        59 => (&[S, Argv, P], false),
        60 | 231 => (&[I], false),
        61 => (&[I, Status, I, P], false),
        62 => (&[I, Sig], false),
        131 => (&[P, P], false),
        63 | 99 => (&[P], false),
        72 => (&[Fd, FcntlCmd, P], false),
        77 => (&[Fd, I], false),
        79 => (&[P, U], false),
        80 | 84 | 87 => (&[S], false),
        81 => (&[Fd], false),
        82 => (&[S, S], false),
        83 => (&[S, Mode], false),
        89 => (&[S, Out, U], false),
        95 => (&[Mode], false),
        96 => (&[P, P], false),
        191..=192 => (&[S, S, P, U], false),
        193 => (&[Fd, S, P, U], false),
        194..=195 => (&[S, P, U], false),
        196 => (&[Fd, P, U], false),
        201 => (&[P], false),
        217 => (&[Fd, P, U], false),
        218 => (&[P], false),
        228 => (&[Clock, P], false),
        158 => (&[ArchCode, P], false),
        257 => (&[Fd, S, OFlags, Mode], false),
        258 => (&[Fd, S, Mode], false),
        262 => (&[Fd, S, P, AtFlags], false),
        263 => (&[Fd, S, AtFlags], false),
        264 => (&[Fd, S, Fd, S], false),
        267 => (&[Fd, S, Out, U], false),
        269 => (&[Fd, S, Access], false),
        439 => (&[Fd, S, Access, AtFlags], false),
        273 => (&[P, U], false),
        292 => (&[Fd, Fd, OFlags], false),
        293 => (&[P, OFlags], false),
        302 => (&[I, I, P, P], false),
        316 => (&[Fd, S, Fd, S, U], false),
        318 => (&[P, U, U], false),
        332 => (&[Fd, S, AtFlags, P, P], false),
        334 => (&[P, U, I, U], false),
        _ => return None,
    })
}

/// `a|b|c` of the set bits with names, the rest in hex.
pub(super) fn flags(v: u64, names: &[(u64, &str)], zero: &str) -> String {
    let mut parts = Vec::new();
    let mut rest = v;
    for &(bit, n) in names {
        if bit != 0 && rest & bit == bit {
            parts.push(n.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() {
        zero.to_string()
    } else {
        parts.join("|")
    }
}

/// strace's quoting of bytes: C escapes, `...` past the limit.
pub(super) fn quote(bytes: &[u8], more: bool) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(STRING_LIMIT) {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\{b:o}")),
        }
    }
    s.push('"');
    if more || bytes.len() > STRING_LIMIT {
        s.push_str("...");
    }
    s
}

pub(super) fn named(v: u64, names: &[(u64, &str)]) -> String {
    names
        .iter()
        .find(|(k, _)| *k == v)
        .map_or_else(|| v.to_string(), |(_, n)| (*n).to_string())
}

pub(super) const OPEN_FLAGS: &[(u64, &str)] = &[
    (0o100, "O_CREAT"),
    (0o200, "O_EXCL"),
    (0o400, "O_NOCTTY"),
    (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"),
    (0o4000, "O_NONBLOCK"),
    (0o10000, "O_DSYNC"),
    (0o200000, "O_DIRECTORY"),
    (0o400000, "O_NOFOLLOW"),
    (0o1000000, "O_NOATIME"),
    (0o2000000, "O_CLOEXEC"),
    (0o10000000, "O_PATH"),
    (0o100000, "O_LARGEFILE"),
];

pub(super) const MAP_FLAGS: &[(u64, &str)] = &[
    (0x03, "MAP_SHARED_VALIDATE"),
    (0x01, "MAP_SHARED"),
    (0x02, "MAP_PRIVATE"),
    (0x10, "MAP_FIXED"),
    (0x20, "MAP_ANONYMOUS"),
    (0x100, "MAP_GROWSDOWN"),
    (0x800, "MAP_DENYWRITE"),
    (0x1000, "MAP_EXECUTABLE"),
    (0x2000, "MAP_LOCKED"),
    (0x4000, "MAP_NORESERVE"),
    (0x8000, "MAP_POPULATE"),
    (0x10000, "MAP_NONBLOCK"),
    (0x20000, "MAP_STACK"),
    (0x40000, "MAP_HUGETLB"),
    (0x10_0000, "MAP_FIXED_NOREPLACE"),
];

pub(super) const AT_FLAGS: &[(u64, &str)] = &[
    (0x100, "AT_SYMLINK_NOFOLLOW"),
    (0x200, "AT_REMOVEDIR"),
    (0x400, "AT_SYMLINK_FOLLOW"),
    (0x800, "AT_NO_AUTOMOUNT"),
    (0x1000, "AT_EMPTY_PATH"),
];

impl Linux {
    pub(super) fn trace_string(&mut self, addr: u64, max: usize) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        for i in 0..max as u64 {
            let mut b = [0u8; 1];
            self.m
                .mmu
                .read_bytes(addr.checked_add(i)?, &mut b, true)
                .ok()?;
            if b[0] == 0 {
                return Some(out);
            }
            out.push(b[0]);
        }
        Some(out)
    }

    pub(super) fn show_arg(
        &mut self,
        kind: A,
        v: u64,
        args: &[u64; 6],
        ret: Option<i64>,
    ) -> String {
        let ptr = |v: u64| {
            if v == 0 {
                "NULL".to_string()
            } else {
                format!("{v:#x}")
            }
        };
        match kind {
            A::I => (v as i64).to_string(),
            A::U => v.to_string(),
            A::P => ptr(v),
            A::Off => {
                if v == 0 {
                    "0".into()
                } else {
                    format!("{v:#x}")
                }
            }
            A::Fd => {
                if v as i32 == -100 {
                    "AT_FDCWD".to_string()
                } else {
                    (v as i32).to_string()
                }
            }
            A::S => match self.trace_string(v, 4096) {
                Some(s) => {
                    // Paths are shown whole, as strace does.
                    let mut q = String::from("\"");
                    q.push_str(&String::from_utf8_lossy(&s).escape_debug().to_string());
                    q.push('"');
                    q
                }
                None => ptr(v),
            },
            A::In(n) => {
                let len = args.get(n).copied().unwrap_or(0);
                self.show_buf(v, len)
            }
            A::Out => match ret {
                Some(r) if r >= 0 => self.show_buf(v, r as u64),
                _ => ptr(v),
            },
            A::OFlags => {
                let acc = match v & 3 {
                    0 => "O_RDONLY",
                    1 => "O_WRONLY",
                    2 => "O_RDWR",
                    _ => "O_ACCMODE",
                };
                let rest = flags(v & !3, OPEN_FLAGS, "");
                if rest.is_empty() {
                    acc.to_string()
                } else {
                    format!("{acc}|{rest}")
                }
            }
            A::Mode => format!("0{v:o}"),
            A::Prot => flags(
                v,
                &[(1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC")],
                "PROT_NONE",
            ),
            A::MFlags => flags(v, MAP_FLAGS, "0"),
            A::Whence => named(v, &[(0, "SEEK_SET"), (1, "SEEK_CUR"), (2, "SEEK_END")]),
            A::AtFlags => flags(v, AT_FLAGS, "0"),
            A::Sig => match u8::try_from(v) {
                Ok(s) if (1..=64).contains(&s) => crate::linux::signal::name(s).to_string(),
                _ => v.to_string(),
            },
            A::Access => flags(v, &[(4, "R_OK"), (2, "W_OK"), (1, "X_OK")], "F_OK"),
            A::Clock => named(
                v,
                &[
                    (0, "CLOCK_REALTIME"),
                    (1, "CLOCK_MONOTONIC"),
                    (2, "CLOCK_PROCESS_CPUTIME_ID"),
                    (3, "CLOCK_THREAD_CPUTIME_ID"),
                    (4, "CLOCK_MONOTONIC_RAW"),
                    (5, "CLOCK_REALTIME_COARSE"),
                    (6, "CLOCK_MONOTONIC_COARSE"),
                    (7, "CLOCK_BOOTTIME"),
                ],
            ),
            A::ArchCode => named(
                v,
                &[
                    (0x1001, "ARCH_SET_GS"),
                    (0x1002, "ARCH_SET_FS"),
                    (0x1003, "ARCH_GET_FS"),
                    (0x1004, "ARCH_GET_GS"),
                    (0x3001, "ARCH_CET_STATUS"),
                ],
            ),
            A::FcntlCmd => named(
                v,
                &[
                    (0, "F_DUPFD"),
                    (1, "F_GETFD"),
                    (2, "F_SETFD"),
                    (3, "F_GETFL"),
                    (4, "F_SETFL"),
                    (1030, "F_DUPFD_CLOEXEC"),
                ],
            ),
            A::Ioctl => named(
                v,
                &[
                    (0x5401, "TCGETS"),
                    (0x5402, "TCSETS"),
                    (0x5403, "TCSETSW"),
                    (0x5404, "TCSETSF"),
                    (0x540f, "TIOCGPGRP"),
                    (0x5413, "TIOCGWINSZ"),
                ],
            ),
            A::Advice => named(
                v,
                &[
                    (0, "MADV_NORMAL"),
                    (1, "MADV_RANDOM"),
                    (2, "MADV_SEQUENTIAL"),
                    (3, "MADV_WILLNEED"),
                    (4, "MADV_DONTNEED"),
                    (8, "MADV_FREE"),
                    (14, "MADV_HUGEPAGE"),
                ],
            ),
            A::Iov(n) => {
                let count = args.get(n).copied().unwrap_or(0);
                // strace prints at most IOV_MAX entries; a few are plenty here.
                let mut items = Vec::new();
                for i in 0..count.min(8) {
                    let mut w = [0u8; 16];
                    let Some(a) = v.checked_add(i * 16) else {
                        return ptr(v);
                    };
                    if self.m.mmu.read_bytes(a, &mut w, true).is_err() {
                        return ptr(v);
                    }
                    let (b, l) = w.split_at(8);
                    let base = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
                    let len = u64::from_le_bytes(l.try_into().unwrap_or([0; 8]));
                    let data = if base == 0 {
                        "NULL".to_string()
                    } else {
                        self.show_buf(base, len)
                    };
                    items.push(format!("{{iov_base={data}, iov_len={len}}}"));
                }
                let more = if count > 8 { ", ..." } else { "" };
                format!("[{}{more}]", items.join(", "))
            }
            A::Status => {
                let mut w = [0u8; 4];
                if v == 0
                    || ret.is_none_or(|r| r <= 0)
                    || self.m.mmu.read_bytes(v, &mut w, true).is_err()
                {
                    return ptr(v);
                }
                let st = u32::from_le_bytes(w);
                // include/uapi/linux/wait.h via the libc macros: low 7 bits the signal (0:
                // exited), bits 8-15 the exit status.
                let sig = (st & 0x7f) as u8;
                if st & 0xff == 0x7f {
                    let stop = u8::try_from((st >> 8) & 0xff).unwrap_or(0);
                    format!(
                        "[{{WIFSTOPPED(s) && WSTOPSIG(s) == {}}}]",
                        crate::linux::signal::name(stop)
                    )
                } else if sig == 0 {
                    format!(
                        "[{{WIFEXITED(s) && WEXITSTATUS(s) == {}}}]",
                        (st >> 8) & 0xff
                    )
                } else {
                    let core = if st & 0x80 != 0 {
                        " && WCOREDUMP(s)"
                    } else {
                        ""
                    };
                    format!(
                        "[{{WIFSIGNALED(s) && WTERMSIG(s) == {}{core}}}]",
                        crate::linux::signal::name(sig)
                    )
                }
            }
            A::Argv => {
                let mut items = Vec::new();
                for i in 0..32u64 {
                    let mut w = [0u8; 8];
                    let Some(a) = v.checked_add(i * 8) else {
                        break;
                    };
                    if self.m.mmu.read_bytes(a, &mut w, true).is_err() {
                        return ptr(v);
                    }
                    let p = u64::from_le_bytes(w);
                    if p == 0 {
                        return format!("[{}]", items.join(", "));
                    }
                    let s = self.trace_string(p, 4096).unwrap_or_default();
                    items.push(quote(&s, false));
                }
                format!("[{}, ...]", items.join(", "))
            }
        }
    }

    /// A buffer as strace's `printstrn` shows it: NULL for address 0, the address when it
    /// cannot be read, else its first [`STRING_LIMIT`] bytes quoted.
    pub(super) fn show_buf(&mut self, addr: u64, len: u64) -> String {
        if addr == 0 {
            return "NULL".into();
        }
        let n = (len as usize).min(STRING_LIMIT);
        let mut b = vec![0u8; n];
        if self.m.mmu.read_bytes(addr, &mut b, true).is_err() {
            return format!("{addr:#x}");
        }
        quote(&b, len as usize > n)
    }
}
