//! The bookkeeping check the property tests and widgets use: reference counts against PTEs.

use super::frames::FrameUse;
use super::system::{ProcState, System};
use std::collections::BTreeMap;

impl System {
    /// Checks the bookkeeping: every user frame's reference count equals the PTEs that map it,
    /// every page-cache frame's count is one (the cache) plus its PTEs, no PTE maps a free or
    /// kernel frame (but the zero page, read-only), and every table frame belongs to exactly one
    /// live process.
    pub fn audit(&self) -> Result<(), String> {
        let mut ptes: BTreeMap<u64, u32> = BTreeMap::new();
        let mut tables = 0usize;
        for p in self.processes().filter(|p| p.state == ProcState::Running) {
            tables += 1 + self.table_frames(p.root_pfn).len();
            for m in self.mapped(p.root_pfn) {
                if m.frame == self.zero_frame {
                    if m.writable {
                        return Err(format!(
                            "pid {} maps the zero page writable at {:#x}",
                            p.pid, m.page
                        ));
                    }
                    continue;
                }
                match self.frames.info(m.frame) {
                    Some((FrameUse::PageCache, _)) if m.writable => {
                        return Err(format!(
                            "pid {} maps page-cache frame {:#x} writable",
                            p.pid, m.frame
                        ))
                    }
                    Some((FrameUse::User | FrameUse::PageCache, _)) => {
                        *ptes.entry(m.frame).or_default() += 1
                    }
                    other => {
                        return Err(format!(
                            "pid {} maps {:#x} to frame {:#x} which is {other:?}",
                            p.pid, m.page, m.frame
                        ))
                    }
                }
            }
        }
        if self.frames.count(FrameUse::Table) != tables {
            return Err(format!(
                "{} table frames allocated, {tables} reachable",
                self.frames.count(FrameUse::Table)
            ));
        }
        let cached: Vec<u64> = self.cache.values().copied().collect();
        if self.frames.count(FrameUse::PageCache) != cached.len() {
            return Err(format!(
                "{} page-cache frames allocated, {} in the cache",
                self.frames.count(FrameUse::PageCache),
                cached.len()
            ));
        }
        let users = ptes
            .keys()
            .filter(|f| matches!(self.frames.info(**f), Some((FrameUse::User, _))))
            .count();
        if self.frames.count(FrameUse::User) != users {
            return Err(format!(
                "{} user frames allocated, {users} mapped",
                self.frames.count(FrameUse::User)
            ));
        }
        for &f in &cached {
            let want = 1 + ptes.get(&f).copied().unwrap_or(0);
            match self.frames.info(f) {
                Some((FrameUse::PageCache, r)) if r == want => {}
                other => {
                    return Err(format!(
                        "page-cache frame {f:#x} is {other:?}, expected {want} references"
                    ))
                }
            }
        }
        for (f, n) in ptes {
            if let Some((FrameUse::User, r)) = self.frames.info(f) {
                if r != n {
                    return Err(format!("frame {f:#x} has {r} references but {n} PTEs"));
                }
            }
        }
        Ok(())
    }
}
