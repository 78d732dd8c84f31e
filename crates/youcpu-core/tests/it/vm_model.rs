//! The process model both randomised `vm` suites run (`vm_cow` without a memory limit,
//! `vm_reclaim` under one): a program image with a text and a data segment, the operations
//! they draw, the addresses they touch, what an untouched page reads, and [`run`], which runs a
//! sequence and checks the invariants.

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use std::collections::HashMap;
use youcpu_core::vm::mmap::MMAP_BASE;
use youcpu_core::vm::vma::STACK_TOP;
use youcpu_core::vm::{Decision, FrameUse, Prot, Step, VmError};
use youcpu_core::vm::{Image, Limits, Segment, System, VmaKind};

pub(crate) const TEXT: u64 = 0x40_0000;
pub(crate) const DATA: u64 = 0x40_1000;

pub(crate) fn file() -> Vec<u8> {
    (0..0x3000u32).map(|i| (i * 7 + 3) as u8).collect()
}

/// Text r-x at 0x400000 (file 0..0x1000), data rw- at 0x401000 with 0x1800 file bytes then BSS
/// to 0x404000.
pub(crate) fn image() -> Image {
    let segs = vec![
        Segment {
            start: TEXT,
            file_end: TEXT + 0x1000,
            end: TEXT + 0x1000,
            offset: 0,
            file_bytes: 0x1000,
            rwx: (true, false, true),
        },
        Segment {
            start: DATA,
            file_end: DATA + 0x2000,
            end: DATA + 0x3000,
            offset: 0x1000,
            file_bytes: 0x1800,
            rwx: (true, true, false),
        },
    ];
    Image::new("prog", file(), segs, 200).unwrap()
}

/// What an untouched page shows at `va`: the file's byte for a file mapping, else zero.
pub(crate) fn initial(sys: &System, pid: u32, va: u64) -> u8 {
    let p = sys.process(pid).unwrap();
    match p
        .vmas
        .iter()
        .find(|v| v.contains(va))
        .map(|v| (v.start, &v.kind))
    {
        Some((
            start,
            VmaKind::File {
                offset, file_bytes, ..
            },
        )) if va - start < *file_bytes => file()[(offset + va - start) as usize],
        _ => 0,
    }
}

/// Mappings made by mmap lie in the 64 MiB below mmap_base.
pub(crate) fn is_mmap(start: u64) -> bool {
    (MMAP_BASE - (64 << 20)..MMAP_BASE).contains(&start)
}

#[derive(Clone, Debug)]
pub(crate) enum Op {
    Fork(usize),
    Write(usize, usize, u8),
    Read(usize, usize),
    Exit(usize),
    Exec(usize),
    Brk(usize, u64),
    Mmap(usize, u64, bool),
    Munmap(usize),
}

pub(crate) fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0usize..8).prop_map(Op::Fork),
        5 => (0usize..8, 0usize..64, any::<u8>()).prop_map(|(p, a, b)| Op::Write(p, a, b)),
        4 => (0usize..8, 0usize..64).prop_map(|(p, a)| Op::Read(p, a)),
        1 => (0usize..8).prop_map(Op::Exit),
        1 => (0usize..8).prop_map(Op::Exec),
        1 => (0usize..8, 0u64..4).prop_map(|(p, n)| Op::Brk(p, n)),
        1 => (0usize..8, 1u64..4, any::<bool>()).prop_map(|(p, n, f)| Op::Mmap(p, n, f)),
        1 => (0usize..8).prop_map(Op::Munmap),
    ]
}

/// Addresses to touch: text, data (file and BSS parts), heap, stack, stack below its VMA.
pub(crate) fn addr(sys: &System, pid: u32, k: usize) -> u64 {
    let p = sys.process(pid).unwrap();
    let j = (k as u64 * 0x531) & 0xfff;
    let maps: Vec<_> = p.vmas.iter().filter(|v| is_mmap(v.start)).collect();
    if k >= 48 && !maps.is_empty() {
        let v = maps[k % maps.len()];
        return v.start + (k as u64 * 0x777) % (v.end - v.start);
    }
    match k % 8 {
        0 => TEXT + j,
        1 | 2 => DATA + (k as u64 % 3) * 0x1000 + j,
        3 => 0x40_1800 + (j & 0x7ff),
        4 => p.brk_start + (k as u64 % 3) * 0x1000 + j,
        5 => STACK_TOP - 1 - j,
        6 => STACK_TOP - 0x3_0000 - (k as u64 % 4) * 0x1000 - j,
        _ => DATA + 0x2000 + j,
    }
}

pub(crate) fn live(sys: &System) -> Vec<u32> {
    sys.processes()
        .filter(|p| p.root_pfn != 0)
        .map(|p| p.pid)
        .collect()
}

/// Runs `ops` on a booted system and checks the invariants after each and at the end: the
/// reference counts match the PTEs (`System::audit`), a process reads what it wrote (the
/// shadow), a write-after-fork copies. With `limit` (frames, swap slots) the memory limit is
/// set: the charged frames never pass it, an OOM kill is an allowed outcome, and exits free every
/// swap slot; without it the same sequences run with memory to spare.
pub(crate) fn run(ops: Vec<Op>, limit: Option<(usize, usize)>) {
    let limits = Limits {
        frames: 2048,
        processes: 16,
        tlb_entries: 8,
    };
    let (mut sys, _) = System::boot(limits, image()).unwrap();
    if let Some((frames, swap)) = limit {
        sys.set_memory_limit(Some(frames), swap).unwrap();
    }
    let oom_kill_ok = limit.is_some();
    // Bytes each process has written, by address; everything else reads as `initial`.
    let mut shadow: HashMap<u32, HashMap<u64, u8>> = HashMap::from([(1, HashMap::new())]);
    let mapped_file = sys.add_file("mapped", file()).unwrap();
    for op in ops {
        let pids = live(&sys);
        let pick = |i: usize| pids[i % pids.len()];
        match op {
            Op::Fork(i) => match sys.fork(pick(i)) {
                Ok((child, steps)) => {
                    let s = shadow[&pick(i)].clone();
                    shadow.insert(child, s);
                    assert!(matches!(steps[0], Step::Fork { .. }));
                }
                Err(VmError::TooManyProcesses(_)) | Err(VmError::OutOfMemory { .. }) => {}
                Err(VmError::OomKill { .. }) if oom_kill_ok => {}
                Err(e) => panic!("{e}"),
            },
            Op::Write(i, k, b) => {
                let pid = pick(i);
                let va = addr(&sys, pid, k);
                let heap_end = {
                    let p = sys.process(pid).unwrap();
                    (p.brk + 0xfff) & !0xfff
                };
                match sys.write_bytes(pid, va, &[b]) {
                    Ok(steps) => {
                        shadow.get_mut(&pid).unwrap().insert(va, b);
                        for s in &steps {
                            if let Step::Kernel {
                                decision: Decision::CowCopy { refs_before, .. },
                            } = s
                            {
                                assert!(*refs_before >= 2);
                            }
                        }
                    }
                    Err(VmError::Segv { reason, .. }) => {
                        // Only the text, and heap addresses above the break, may fault.
                        let text = (TEXT..TEXT + 0x1000).contains(&va);
                        let heap = va >= heap_end && va < heap_end + 0x4000;
                        assert!(text || heap, "{va:#x} {reason:?}");
                    }
                    Err(VmError::OutOfMemory { .. }) => {}
                    Err(VmError::OomKill { .. }) if oom_kill_ok => {}
                    Err(e) => panic!("{e}"),
                }
            }
            Op::Read(i, k) => {
                let pid = pick(i);
                let va = addr(&sys, pid, k);
                match sys.read_bytes(pid, va, 1) {
                    Ok((v, _)) => {
                        let want = shadow[&pid]
                            .get(&va)
                            .copied()
                            .unwrap_or_else(|| initial(&sys, pid, va));
                        assert_eq!(v[0], want, "pid {pid} at {va:#x}");
                    }
                    Err(VmError::Segv { .. }) | Err(VmError::OutOfMemory { .. }) => {}
                    Err(VmError::OomKill { .. }) if oom_kill_ok => {}
                    Err(e) => panic!("{e}"),
                }
            }
            Op::Exit(i) => {
                let pid = pick(i);
                if pid == 1 {
                    assert_eq!(sys.exit(1, 0), Err(VmError::InitExit));
                    continue;
                }
                let parent = sys.process(pid).unwrap().ppid;
                sys.exit(pid, 3).unwrap();
                shadow.remove(&pid);
                let reaped = sys.wait(parent).unwrap();
                assert!(
                    matches!(reaped, Some(Step::Reap { code: 3, .. })),
                    "{reaped:?}"
                );
                assert!(sys.process(pid).is_none() || sys.process(parent).is_none());
            }
            Op::Exec(i) => {
                let pid = pick(i);
                sys.exec(pid, image()).unwrap();
                assert!(sys.swapped_pages(pid).is_empty());
                shadow.insert(pid, HashMap::new());
                assert!(sys.mapped_pages(pid).is_empty());
            }
            Op::Brk(i, pages) => {
                let pid = pick(i);
                let start = sys.process(pid).unwrap().brk_start;
                let new = start + pages * 0x1000;
                assert_eq!(sys.brk(pid, new).unwrap(), new);
                let end = (new + 0xfff) & !0xfff;
                shadow
                    .get_mut(&pid)
                    .unwrap()
                    .retain(|&a, _| a < start || a < end || a >= start + 0x10_0000);
            }
            Op::Mmap(i, pages, with_file) => {
                let pid = pick(i);
                let prot = Prot::RW;
                let f = with_file.then_some((mapped_file, 0));
                match sys.mmap(pid, pages * 0x1000, prot, f) {
                    Ok(a) => assert!(is_mmap(a), "{a:#x}"),
                    Err(e) => panic!("{e}"),
                }
            }
            Op::Munmap(i) => {
                let pid = pick(i);
                let first = sys
                    .process(pid)
                    .unwrap()
                    .vmas
                    .iter()
                    .find(|v| is_mmap(v.start))
                    .cloned();
                if let Some(v) = first {
                    sys.munmap(pid, v.start).unwrap();
                    shadow.get_mut(&pid).unwrap().retain(|&a, _| !v.contains(a));
                }
            }
        }
        sys.audit().unwrap();
        let frames = limit.map_or(usize::MAX, |l| l.0);
        assert!(
            sys.charged() <= frames,
            "{} frames charged, limit {frames}",
            sys.charged()
        );
        let c = sys.counters();
        assert!(
            sys.swap_usage().0 as u64 <= c.swap_outs,
            "more slots in use than pages ever swapped out"
        );
    }
    // Every process but init exits; init execs a fresh image: only kernel frames and init's
    // root table remain.
    for pid in live(&sys).into_iter().filter(|&p| p != 1) {
        sys.exit(pid, 0).unwrap();
    }
    while sys.wait(1).unwrap().is_some() {}
    sys.exec(1, image()).unwrap();
    sys.audit().unwrap();
    assert_eq!(sys.frames.count(FrameUse::User), 0);
    assert_eq!(sys.frames.count(FrameUse::Table), 1);
    // The page cache outlives the processes until it is dropped.
    let cached = sys.frames.count(FrameUse::PageCache) as u64;
    assert_eq!(sys.drop_caches(), cached);
    assert_eq!(sys.frames.count(FrameUse::PageCache), 0);
    sys.audit().unwrap();
    assert_eq!(sys.processes().count(), 1);
    // Exit and exec forgot every swap entry, so every slot is free again.
    assert_eq!(sys.swap_usage().0, 0);
}

/// The kernel's decisions among `steps`, in order.
pub(crate) fn decisions(steps: &[Step]) -> Vec<Decision> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Kernel { decision } => Some(decision.clone()),
            _ => None,
        })
        .collect()
}

/// Compiles the C `program` to `youcpu-vm-NAME-PID/NAME` in the temporary directory with the
/// machine's gcc: static, not PIE, no RELRO, so that the segments the model loads are the ones
/// the kernel maps.
pub(crate) fn build_static(name: &str, program: &str) -> std::path::PathBuf {
    use youcpu_testkit::process::Run;
    let dir = std::env::temp_dir().join(format!("youcpu-vm-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (src, exe) = (dir.join(format!("{name}.c")), dir.join(name));
    youcpu_testkit::process::write(&src, program).unwrap();
    let st = std::process::Command::new("gcc")
        .args(["-O0", "-static", "-no-pie", "-Wl,-z,norelro", "-o"])
        .arg(&exe)
        .arg(&src)
        .run_status()
        .expect("gcc (Debian packages gcc and libc6-dev) is needed for this test");
    assert!(st.success());
    exe
}
