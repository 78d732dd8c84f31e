//! Test helpers: scratch directories and the toolchain (gcc, as, ld, objcopy, strip).

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use youcpu_testkit::process::Run;

/// A fresh directory under the system temp dir, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("youcpu-elf-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        youcpu_testkit::process::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a command; panics with its stderr if it fails.
pub fn run(cmd: &str, args: &[&str]) {
    let out = Command::new(cmd)
        .args(args)
        .run_output()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a command and reports whether it succeeded (for optional toolchains).
pub fn try_run(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .run_output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub const HELLO_C: &str = r#"
#include <stdio.h>
int counter;
int initialised = 42;
int main(void) { counter++; printf("hello, world %d\n", initialised + counter); return 0; }
"#;

pub const HELLO_32_S: &str = r#"
.globl _start
.section .text
_start:
    movl $4, %eax
    movl $1, %ebx
    movl $msg, %ecx
    movl $len, %edx
    int $0x80
    movl $1, %eax
    xorl %ebx, %ebx
    int $0x80
.section .data
msg: .ascii "hello, 32-bit world\n"
len = . - msg
.section .bss
buf: .skip 64
"#;

pub const LIB_C: &str = r#"
int lib_value = 7;
int lib_add(int a, int b) { return a + b + lib_value; }
"#;

pub const GROUPS_CC: &str = r#"
template <typename T> T twice(T x) { return x + x; }
inline int helper(int x) { return twice(x) + 1; }
int use(int x) { return helper(x) + twice<long>(x); }
"#;
