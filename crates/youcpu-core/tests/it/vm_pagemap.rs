//! Fork, copy-on-write and the zero page against the kernel's own page tables: a static program
//! reads /proc/self/pagemap (frame numbers, visible to root) and /proc/kpagecount (how many
//! PTEs map a frame) around a fork and a write, and the model, running the same steps on the same
//! file, must show the same sharing: the zero page for read-only BSS pages, one frame shared by
//! parent and child after fork with two mappings, a private copy after the child's write, and
//! the parent's frame back to one mapping.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::process::Command;
use youcpu_core::paging::AccessKind;
use youcpu_core::vm::{Image, Limits, System};
use youcpu_testkit::process::Run;

const PROGRAM: &str = r#"
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
static char bss[16 * 4096] __attribute__((aligned(4096)));
static uint64_t pfn(void *p) {
    uint64_t e = 0;
    int fd = open("/proc/self/pagemap", O_RDONLY);
    pread(fd, &e, 8, ((uintptr_t)p / 4096) * 8);
    close(fd);
    return (e >> 63) ? (e & ((1ULL << 55) - 1)) : 0;
}
static uint64_t count(uint64_t f) {
    uint64_t c = 0;
    int fd = open("/proc/kpagecount", O_RDONLY);
    pread(fd, &c, 8, f * 8);
    close(fd);
    return c;
}
int main(void) {
    volatile char c = bss[0];
    c = bss[3 * 4096];
    (void)c;
    bss[4096] = 1;
    printf("%lx %lx %lx %lx %lx\n", (unsigned long)bss, pfn(bss), pfn(bss + 4096),
           pfn(bss + 8192), pfn(bss + 3 * 4096));
    fflush(stdout);
    pid_t k = fork();
    if (k == 0) {
        uint64_t b = pfn(bss + 4096);
        printf("%lx %lx %lx %lu\n", pfn(bss), b, pfn(bss + 8192), count(b));
        bss[4096] = 2;
        printf("%lx %lu\n", pfn(bss + 4096), count(pfn(bss + 4096)));
        fflush(stdout);
        _exit(0);
    }
    waitpid(k, 0, 0);
    uint64_t b = pfn(bss + 4096);
    printf("%lx %lu %d\n", b, count(b), bss[4096]);
    return 0;
}
"#;

fn frame(sys: &System, pid: u32, va: u64) -> u64 {
    sys.mapped_pages(pid)
        .iter()
        .find(|m| m.page == va & !0xfff)
        .map_or(0, |m| m.frame)
}

fn refs(sys: &System, f: u64) -> u64 {
    sys.frames.info(f).map_or(0, |(_, r)| u64::from(r))
}

#[test]
fn fork_cow_and_the_zero_page_match_pagemap() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap();
    if euid != "0" {
        youcpu_testkit::oracle::missing(
            "root: /proc/PID/pagemap hides frame numbers from other users",
        );
        return;
    }
    let exe = crate::vm_model::build_static("pm", PROGRAM);
    let out = Command::new("setarch")
        .arg("-R")
        .arg(&exe)
        .env_clear()
        .run_output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<u64>> = text
        .lines()
        .map(|l| {
            l.split_whitespace()
                .map(|w| u64::from_str_radix(w, 16).unwrap())
                .collect()
        })
        .collect();
    let (p, c, w, a) = (&rows[0], &rows[1], &rows[2], &rows[3]);
    let bss = p[0];

    let image = Image::from_elf("pm", std::fs::read(&exe).unwrap(), 4096).unwrap();
    let (mut sys, _) = System::boot(Limits::default(), image).unwrap();
    sys.touch(1, bss, AccessKind::Read).unwrap();
    sys.touch(1, bss + 3 * 4096, AccessKind::Read).unwrap();
    sys.write_bytes(1, bss + 4096, &[1]).unwrap();
    let mp = [bss, bss + 4096, bss + 8192, bss + 3 * 4096].map(|v| frame(&sys, 1, v));
    // Parent: read pages share the zero page, the written page has its own frame, the
    // untouched page is not present.
    assert_eq!(p[1] == p[4], mp[0] == mp[3]);
    assert_eq!(mp[0], sys.zero_frame);
    assert_eq!(
        (p[1] != 0, p[2] != 0, p[3]),
        (mp[0] != 0, mp[1] != 0, mp[2])
    );
    assert_eq!(p[1] == p[2], mp[0] == mp[1]);
    let (child, _) = sys.fork(1).unwrap();
    let mc = [bss, bss + 4096, bss + 8192].map(|v| frame(&sys, child, v));
    // Child after fork: the same frames, the written one mapped twice.
    assert_eq!(
        (c[0] == p[1], c[1] == p[2], c[2]),
        (mc[0] == mp[0], mc[1] == mp[1], mc[2])
    );
    assert_eq!(c[3], refs(&sys, mc[1]));
    sys.write_bytes(child, bss + 4096, &[2]).unwrap();
    let mw = frame(&sys, child, bss + 4096);
    // Child after its write: a new frame with one mapping.
    assert_eq!(w[0] == p[2], mw == mp[1]);
    assert_eq!(w[1], refs(&sys, mw));
    sys.exit(child, 0).unwrap();
    sys.wait(1).unwrap();
    // Parent after the child's exit: its frame again, one mapping, its own byte.
    let ma = frame(&sys, 1, bss + 4096);
    assert_eq!(a[0] == p[2], ma == mp[1]);
    assert_eq!(a[1], refs(&sys, ma));
    assert_eq!(
        u64::from(sys.read_bytes(1, bss + 4096, 1).unwrap().0[0]),
        a[2]
    );
    sys.audit().unwrap();
    std::fs::remove_dir_all(exe.parent().unwrap()).ok();
}
