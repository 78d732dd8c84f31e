//! The bookkeeping check the property tests and widgets use: reference counts against PTEs.

use super::frames::FrameUse;
use super::system::{ProcState, System};
use std::collections::BTreeMap;

/// What [`System::audit`] found wrong in the bookkeeping (a bug of the model).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditError {
    /// A process maps the shared zero page writable.
    ZeroPageWritable {
        /// The process.
        pid: u32,
        /// The virtual page.
        page: u64,
    },
    /// A process maps a page-cache frame writable.
    CacheFrameWritable {
        /// The process.
        pid: u32,
        /// The frame.
        frame: u64,
    },
    /// A process maps a frame that is free or the kernel's.
    BadFrame {
        /// The process.
        pid: u32,
        /// The virtual page.
        page: u64,
        /// The frame.
        frame: u64,
        /// What the frame is (None: free).
        usage: Option<(FrameUse, u32)>,
    },
    /// Table frames allocated against those the live processes reach.
    Tables {
        /// Allocated.
        allocated: usize,
        /// Reachable.
        reachable: usize,
    },
    /// Page-cache frames allocated against those in the cache.
    Cache {
        /// Allocated.
        allocated: usize,
        /// In the cache.
        cached: usize,
    },
    /// User frames allocated against those mapped.
    Users {
        /// Allocated.
        allocated: usize,
        /// Mapped.
        mapped: usize,
    },
    /// A page-cache frame whose reference count is not one plus its PTEs.
    CacheRefs {
        /// The frame.
        frame: u64,
        /// What it is.
        usage: Option<(FrameUse, u32)>,
        /// The references expected.
        want: u32,
    },
    /// A user frame whose reference count is not its PTEs.
    UserRefs {
        /// The frame.
        frame: u64,
        /// Its references.
        refs: u32,
        /// The PTEs that map it.
        ptes: u32,
    },
}

impl std::fmt::Display for AuditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            AuditError::ZeroPageWritable { pid, page } => {
                write!(f, "pid {pid} maps the zero page writable at {page:#x}")
            }
            AuditError::CacheFrameWritable { pid, frame } => {
                write!(f, "pid {pid} maps page-cache frame {frame:#x} writable")
            }
            AuditError::BadFrame {
                pid,
                page,
                frame,
                usage,
            } => write!(
                f,
                "pid {pid} maps {page:#x} to frame {frame:#x} which is {usage:?}"
            ),
            AuditError::Tables {
                allocated,
                reachable,
            } => write!(
                f,
                "{allocated} table frames allocated, {reachable} reachable"
            ),
            AuditError::Cache { allocated, cached } => {
                write!(
                    f,
                    "{allocated} page-cache frames allocated, {cached} in the cache"
                )
            }
            AuditError::Users { allocated, mapped } => {
                write!(f, "{allocated} user frames allocated, {mapped} mapped")
            }
            AuditError::CacheRefs { frame, usage, want } => write!(
                f,
                "page-cache frame {frame:#x} is {usage:?}, expected {want} references"
            ),
            AuditError::UserRefs { frame, refs, ptes } => {
                write!(f, "frame {frame:#x} has {refs} references but {ptes} PTEs")
            }
        }
    }
}

impl std::error::Error for AuditError {}

impl System {
    /// Checks the bookkeeping: every user frame's reference count equals the PTEs that map it,
    /// every page-cache frame's count is one (the cache) plus its PTEs, no PTE maps a free or
    /// kernel frame (but the zero page, read-only), and every table frame belongs to exactly one
    /// live process.
    pub fn audit(&self) -> Result<(), AuditError> {
        let mut ptes: BTreeMap<u64, u32> = BTreeMap::new();
        let mut tables = 0usize;
        for p in self.processes().filter(|p| p.state == ProcState::Running) {
            tables += 1 + self.table_frames(p.root_pfn).len();
            for m in self.mapped(p.root_pfn) {
                if m.frame == self.zero_frame {
                    if m.writable {
                        return Err(AuditError::ZeroPageWritable {
                            pid: p.pid,
                            page: m.page,
                        });
                    }
                    continue;
                }
                match self.frames.info(m.frame) {
                    Some((FrameUse::PageCache, _)) if m.writable => {
                        return Err(AuditError::CacheFrameWritable {
                            pid: p.pid,
                            frame: m.frame,
                        })
                    }
                    Some((FrameUse::User | FrameUse::PageCache, _)) => {
                        *ptes.entry(m.frame).or_default() += 1
                    }
                    usage => {
                        return Err(AuditError::BadFrame {
                            pid: p.pid,
                            page: m.page,
                            frame: m.frame,
                            usage,
                        })
                    }
                }
            }
        }
        if self.frames.count(FrameUse::Table) != tables {
            return Err(AuditError::Tables {
                allocated: self.frames.count(FrameUse::Table),
                reachable: tables,
            });
        }
        let cached: Vec<u64> = self.cache.values().copied().collect();
        if self.frames.count(FrameUse::PageCache) != cached.len() {
            return Err(AuditError::Cache {
                allocated: self.frames.count(FrameUse::PageCache),
                cached: cached.len(),
            });
        }
        let users = ptes
            .keys()
            .filter(|f| matches!(self.frames.info(**f), Some((FrameUse::User, _))))
            .count();
        if self.frames.count(FrameUse::User) != users {
            return Err(AuditError::Users {
                allocated: self.frames.count(FrameUse::User),
                mapped: users,
            });
        }
        for &f in &cached {
            let want = 1 + ptes.get(&f).copied().unwrap_or(0);
            match self.frames.info(f) {
                Some((FrameUse::PageCache, r)) if r == want => {}
                usage => {
                    return Err(AuditError::CacheRefs {
                        frame: f,
                        usage,
                        want,
                    })
                }
            }
        }
        for (f, n) in ptes {
            if let Some((FrameUse::User, r)) = self.frames.info(f) {
                if r != n {
                    return Err(AuditError::UserRefs {
                        frame: f,
                        refs: r,
                        ptes: n,
                    });
                }
            }
        }
        Ok(())
    }
}
