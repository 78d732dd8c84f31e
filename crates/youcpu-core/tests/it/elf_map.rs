//! The memory-map picture against the kernel: programs written by the writer pause, and their
//! /proc/PID/maps must show exactly the file-backed and anonymous regions `memory_map` predicts.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::elf_tools as tools;

use std::process::{Command, Stdio};
use tools::Scratch;
use youcpu_core::elf::writer::{write_executable, ExecutableSpec, PAGE};
use youcpu_core::elf::{memory_map, parse};
use youcpu_testkit::process::Run;

/// pause(); jmp back: mov eax, 34 / syscall / jmp -9.
const PAUSE_LOOP: [u8; 9] = [0xb8, 34, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7];

/// (start, end, perms, offset, path) for each line of /proc/PID/maps.
fn maps(pid: u32) -> Vec<(u64, u64, String, u64, String)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (a, b) = f[0].split_once('-').unwrap();
            let hex = |s: &str| u64::from_str_radix(s, 16).unwrap();
            (
                hex(a),
                hex(b),
                f[1].to_string(),
                hex(f[2]),
                f.get(5).unwrap_or(&"").to_string(),
            )
        })
        .collect()
}

#[test]
fn load_regions_match_proc_maps() {
    let t = Scratch::new("map");
    let base = ExecutableSpec::x86_64(PAUSE_LOOP.to_vec(), Vec::new());
    let variants = [
        ("code-only", base.clone()),
        (
            "data-and-bss",
            ExecutableSpec {
                data: vec![7; 5000],
                bss_size: 3 * PAGE + 5,
                ..base.clone()
            },
        ),
        (
            "small-bss",
            ExecutableSpec {
                data: vec![1; 13],
                bss_size: 100,
                ..base.clone()
            },
        ),
        (
            "bss-only",
            ExecutableSpec {
                bss_size: 10_000,
                ..base.clone()
            },
        ),
        (
            "bss-only-bare",
            ExecutableSpec {
                bss_size: 10_000,
                section_headers: false,
                ..base.clone()
            },
        ),
        (
            "pinned",
            ExecutableSpec {
                data: vec![2; 300],
                bss_size: 9000,
                data_vaddr: Some(0x70_0ff0),
                ..base.clone()
            },
        ),
    ];
    for (name, spec) in variants {
        let w = write_executable(&spec).unwrap();
        let path = t.write(name, &w.bytes);
        youcpu_testkit::process::chmod(&path, 0o755).unwrap();
        let elf = parse(&w.bytes).unwrap();
        let regions = memory_map(&elf, PAGE).unwrap();
        let mut child = Command::new(&path)
            .stdout(Stdio::null())
            .run_spawn()
            .unwrap();
        let shown = path.to_str().unwrap().to_string();
        // Wait until the program sleeps in pause(): execve has finished mapping everything
        // (reading earlier can catch the kernel between the file and the BSS mappings).
        let mut lines = Vec::new();
        for _ in 0..1000 {
            let stat =
                std::fs::read_to_string(format!("/proc/{}/stat", child.id())).unwrap_or_default();
            let state = stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .next();
            lines = maps(child.id());
            if state == Some("S") && lines.iter().any(|l| l.4 == shown) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        child.kill().unwrap();
        let _ = child.wait();
        for r in &regions {
            assert!(r.aligned, "{name}: segment {} not mmap-aligned", r.segment);
            let perms = format!("{}p", r.flags_text);
            if r.file_end > r.start {
                let want = (
                    r.start,
                    r.file_end,
                    perms.clone(),
                    r.file_offset,
                    shown.clone(),
                );
                assert!(
                    lines.contains(&want),
                    "{name}: no file mapping {want:x?} in {lines:x?}"
                );
            }
            if r.end > r.file_end {
                let anon = lines
                    .iter()
                    .find(|l| l.0 == r.file_end && l.2 == perms && l.4.is_empty());
                let anon = anon.unwrap_or_else(|| {
                    panic!(
                        "{name}: no anonymous pages at {:#x} in {lines:x?}",
                        r.file_end
                    )
                });
                assert_eq!(anon.1, r.end, "{name}: end of the BSS pages");
            }
        }
        let file_lines = lines.iter().filter(|l| l.4 == shown).count();
        assert_eq!(
            file_lines,
            regions.iter().filter(|r| r.file_end > r.start).count(),
            "{name}: {lines:x?}"
        );
    }
}

#[test]
fn page_size_must_be_a_power_of_two() {
    let w = write_executable(&ExecutableSpec::x86_64(PAUSE_LOOP.to_vec(), vec![1])).unwrap();
    let elf = parse(&w.bytes).unwrap();
    assert!(memory_map(&elf, 3000).is_none());
    let big = memory_map(&elf, 1 << 21).unwrap();
    assert!(big
        .iter()
        .all(|r| r.start % (1 << 21) == 0 && r.end % (1 << 21) == 0));
}
