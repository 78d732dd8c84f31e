//! SIGSEGV against the kernel: a static program built at test time installs a SA_SIGINFO
//! handler and reads, writes or jumps to an address given on its command line, then prints the
//! signal's si_code and si_addr (or "no fault"). The model, exec'ing the same file, must fault
//! the same way: no fault, SEGV_MAPERR or SEGV_ACCERR at the same address, or SI_KERNEL for a
//! non-canonical address; stack growth below the initial stack must succeed in both.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::process::Command;
use youcpu_core::paging::AccessKind;
use youcpu_core::vm::vma::STACK_TOP;
use youcpu_core::vm::{Image, Limits, System, VmaKind};
use youcpu_testkit::process::Run;

const PROGRAM: &str = r#"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static void handler(int sig, siginfo_t *si, void *ctx) {
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%d %lx\n", si->si_code, (unsigned long)si->si_addr);
    write(1, buf, n);
    _exit(0);
}
int main(int argc, char **argv) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    unsigned long a = strtoul(argv[2], 0, 16);
    int kind = atoi(argv[1]);
    if (kind == 0) { volatile char c = *(volatile char *)a; (void)c; }
    else if (kind == 1) { *(volatile char *)a = 1; }
    else { ((void (*)(void))a)(); }
    puts("no fault");
    return 0;
}
"#;

/// (si_code, si_addr), or None for no fault.
fn real(exe: &std::path::Path, kind: u8, addr: u64) -> Option<(i32, u64)> {
    let out = Command::new("setarch")
        .arg("-R")
        .arg(exe)
        .arg(kind.to_string())
        .arg(format!("{addr:x}"))
        .env_clear()
        .run_output()
        .expect("setarch (Debian package util-linux) is needed for this test");
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.trim();
    if line == "no fault" {
        return None;
    }
    let (c, a) = line.split_once(' ').unwrap();
    Some((c.parse().unwrap(), u64::from_str_radix(a, 16).unwrap()))
}

#[test]
fn faults_match_the_kernel() {
    let exe = crate::vm_model::build_static("segv", PROGRAM);
    let bytes = std::fs::read(&exe).unwrap();
    let image = Image::from_elf("segv", bytes, 4096).unwrap();
    let (sys0, _) = System::boot(Limits::default(), image).unwrap();
    let vmas = sys0.process(1).unwrap().vmas.clone();
    let brk = sys0.process(1).unwrap().brk_start;

    // Reads everywhere; writes only where the program's own state cannot be hurt (read-only
    // areas); jumps only to non-executable areas.
    let mut cases: Vec<(u8, u64)> = Vec::new();
    for v in &vmas {
        if v.kind == VmaKind::Stack {
            continue;
        }
        for a in [v.start, v.end - 1, v.start + (v.end - v.start) / 2] {
            cases.push((0, a));
            if !v.prot.write {
                cases.push((1, a));
            }
            if !v.prot.exec {
                cases.push((2, a));
            }
        }
    }
    let first = vmas.first().unwrap().start;
    cases.extend([
        (0, 0),
        (0, 0x1000),
        (1, 0x10_0000),
        (0, first - 1),
        (2, first - 0x1000),
        (0, brk + 0x10_0000), // far above the heap: the program's own brk use stays below
        (0, STACK_TOP - 0x3_0000), // below the initial stack: it grows
        (1, STACK_TOP - 0x4_0000),
        (0, STACK_TOP - (8 << 20) - 0x1000), // past RLIMIT_STACK
        (0, 0xffff_ffff_8100_0000),
        (1, 0xffff_8880_0000_0000),
        (0, 0x0000_8000_0000_0000),
        (0, 0x8000_0000_0000_0000),
        (2, 0x1234_5678_9abc_def0),
    ]);
    for (kind, addr) in cases {
        let want = real(&exe, kind, addr);
        let mut sys = sys0.clone();
        let k = [AccessKind::Read, AccessKind::Write, AccessKind::Fetch][kind as usize];
        let t = sys.touch(1, addr, k).unwrap();
        let got = t.result.err().map(|r| {
            let si_addr = if r.si_code() == 128 { 0 } else { addr };
            (r.si_code(), si_addr)
        });
        assert_eq!(
            got, want,
            "access {kind} at {addr:#x}: model {:?}",
            t.result
        );
        sys.audit().unwrap();
    }
    std::fs::remove_dir_all(exe.parent().unwrap()).ok();
}
