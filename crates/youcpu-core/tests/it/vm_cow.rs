//! fork/copy-on-write invariants on random operation sequences: reference counts equal the
//! PTEs that map each frame (`System::audit`), no PTE maps a freed frame, a write by one process
//! never changes what another reads, and exiting every process frees every frame.

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use std::collections::HashMap;
use youcpu_core::paging::AccessKind;
use youcpu_core::vm::{Decision, FrameUse, Limits, Prot, Step, System, VmError};

use crate::vm_model::{addr, file, image, initial, is_mmap, live, op, Op, DATA, TEXT};

fn run(ops: Vec<Op>) {
    let limits = Limits {
        frames: 2048,
        processes: 16,
        tlb_entries: 8,
    };
    let (mut sys, _) = System::boot(limits, image()).unwrap();
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
                let prot = Prot {
                    read: true,
                    write: true,
                    exec: false,
                };
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
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_sequences_keep_the_invariants(ops in prop::collection::vec(op(), 1..60)) {
        run(ops);
    }
}

#[test]
fn a_write_after_fork_copies_and_the_other_keeps_its_bytes() {
    let (mut sys, _) = System::boot(Limits::default(), image()).unwrap();
    sys.write_bytes(1, DATA + 8, b"parent").unwrap();
    let before = sys.frames.in_use();
    let (child, steps) = sys.fork(1).unwrap();
    assert_eq!(
        steps,
        vec![Step::Fork {
            parent: 1,
            child,
            shared: 1,
            write_protected: 1
        }]
    );
    // Only page tables were allocated by fork.
    assert_eq!(sys.frames.count(FrameUse::User), 1);
    assert!(sys.frames.in_use() > before);
    let t = sys.write_bytes(child, DATA + 8, b"child!").unwrap();
    let cow = t.iter().find_map(|s| match s {
        Step::Kernel {
            decision:
                Decision::CowCopy {
                    from,
                    to,
                    refs_before,
                },
        } => Some((*from, *to, *refs_before)),
        _ => None,
    });
    let (from, to, refs) = cow.expect("a copy-on-write copy");
    assert_ne!(from, to);
    assert_eq!(refs, 2);
    assert_eq!(sys.read_bytes(1, DATA + 8, 6).unwrap().0, b"parent");
    assert_eq!(sys.read_bytes(child, DATA + 8, 6).unwrap().0, b"child!");
    // The parent's page has one reference left: its write reuses the frame.
    let t = sys.write_bytes(1, DATA + 8, b"P").unwrap();
    assert!(t.iter().any(
        |s| matches!(s, Step::Kernel { decision: Decision::CowReuse { frame } } if *frame == from)
    ));
    // The fault's error code: present, write, user.
    let t = sys.touch(child, TEXT, AccessKind::Write).unwrap();
    let pf = t
        .steps
        .iter()
        .find_map(|s| match s {
            Step::PageFault { fault } => Some(*fault),
            _ => None,
        })
        .unwrap();
    assert_eq!(pf.error_code, 0b110, "not present yet: W|U");
    sys.audit().unwrap();
}
