//! Writing files and spawning processes so that no child inherits a descriptor of a file being
//! written (the cause of `ETXTBSY` when that file is then executed; fs/exec.c
//! `deny_write_access` refuses a file that any process has open for writing).

use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

/// Writers hold it exclusively while a file is open; spawns share it while they fork.
static FORK: RwLock<()> = RwLock::new(());

fn writing() -> RwLockWriteGuard<'static, ()> {
    FORK.write().unwrap_or_else(|e| e.into_inner())
}

fn forking() -> RwLockReadGuard<'static, ()> {
    FORK.read().unwrap_or_else(|e| e.into_inner())
}

/// `errno` ETXTBSY on Linux.
const ETXTBSY: i32 = 26;

/// Writes `bytes` to `path` (created or truncated) with permission bits `mode` (umask not
/// applied), synced and closed before any other spawn of this process can fork.
pub fn write_mode(path: impl AsRef<Path>, bytes: impl AsRef<[u8]>, mode: u32) -> io::Result<()> {
    let path = path.as_ref();
    let _g = writing();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)?;
    f.write_all(bytes.as_ref())?;
    f.sync_all()?;
    drop(f);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// Writes a plain (non-executable, 0644) file as [`write_mode`] does.
pub fn write(path: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    write_mode(path, bytes, 0o644)
}

/// Writes an executable (0755) file as [`write_mode`] does.
pub fn write_exe(path: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    write_mode(path, bytes, 0o755)
}

/// Changes a file's permission bits under the same lock (a chmod itself opens nothing, but
/// callers that write with `std::fs` first need the pair ordered with spawns).
pub fn chmod(path: impl AsRef<Path>, mode: u32) -> io::Result<()> {
    let _g = writing();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// `Command`'s run methods, forking under the lock. A direct exec that still reports
/// `ETXTBSY` (a process outside this one holding the file) is retried for up to a second.
pub trait Run {
    /// As [`Command::spawn`].
    fn run_spawn(&mut self) -> io::Result<Child>;
    /// As [`Command::output`].
    fn run_output(&mut self) -> io::Result<Output>;
    /// As [`Command::status`].
    fn run_status(&mut self) -> io::Result<ExitStatus>;
}

fn retry<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let mut tries = 0;
    loop {
        match f() {
            Err(e) if e.raw_os_error() == Some(ETXTBSY) && tries < 100 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            r => return r,
        }
    }
}

impl Run for Command {
    fn run_spawn(&mut self) -> io::Result<Child> {
        retry(|| {
            let _g = forking();
            self.spawn()
        })
    }

    fn run_output(&mut self) -> io::Result<Output> {
        // `output` keeps its own stdio defaults (stdin null, the rest captured); the lock is
        // held while the child runs, which only delays writers.
        retry(|| {
            let _g = forking();
            self.output()
        })
    }

    fn run_status(&mut self) -> io::Result<ExitStatus> {
        retry(|| {
            let _g = forking();
            self.status()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many threads writing and running fresh scripts at once never see "Text file busy".
    #[test]
    fn writers_and_spawners_in_parallel_never_get_etxtbsy() {
        let dir = std::env::temp_dir().join(format!("youcpu-testkit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let dir = dir.clone();
                std::thread::spawn(move || {
                    for i in 0..40 {
                        let p = dir.join(format!("s{t}-{i}"));
                        write_exe(&p, format!("#!/bin/sh\nexit {}\n", i % 7)).expect("write");
                        let st = Command::new(&p).run_status().expect("run");
                        assert_eq!(st.code(), Some(i % 7));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
