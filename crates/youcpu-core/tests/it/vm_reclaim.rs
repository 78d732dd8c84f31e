//! Memory pressure (`vm::reclaim`): with a memory limit, random operation sequences (fork,
//! reads, writes, exit, exec, brk, mmap, munmap) keep every invariant of `vm_cow` while pages
//! are swapped out, dropped and faulted back in: what a process reads is always what it wrote
//! (swap-in restores the contents exactly), reference counts match the PTEs, the charged frames
//! never pass the limit, and exits free every swap slot. Then worked cases: the clock's
//! eviction order, swap-in, file pages dropped and read again, the fault counters, the OOM
//! outcome, shrinking the limit, and pages shared by fork going to one slot.

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use youcpu_core::vm::{Decision, FrameUse, Limits, Step, System, VmError};

use crate::vm_model::{decisions, file, image, op, run, TEXT};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_sequences_under_a_memory_limit_keep_the_invariants(
        ops in prop::collection::vec(op(), 1..60),
        limit in 1usize..24,
        swap in prop_oneof![Just(0usize), 1usize..6, 6usize..64],
    ) {
        run(ops, Some((limit, swap)));
    }
}

/// What reclaim did during `steps`: ('c', frame) second chance, ('s', frame) swap-out,
/// ('d', frame) file page dropped.
fn reclaim(steps: &[Step]) -> Vec<(char, u64)> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::SecondChance { frame, .. } => Some(('c', *frame)),
            Step::SwapOut { frame, .. } => Some(('s', *frame)),
            Step::DropFilePage { frame, .. } => Some(('d', *frame)),
            _ => None,
        })
        .collect()
}

fn frame_of(sys: &System, pid: u32, page: u64) -> Option<u64> {
    sys.mapped_pages(pid)
        .iter()
        .find(|m| m.page == page)
        .map(|m| m.frame)
}

fn booted(limit: Option<usize>, swap: usize) -> (System, u64) {
    let (mut sys, _) = System::boot(Limits::default(), image()).unwrap();
    sys.set_memory_limit(limit, swap).unwrap();
    let heap = sys.process(1).unwrap().brk_start;
    sys.brk(1, heap + 0x8000).unwrap();
    (sys, heap)
}

#[test]
fn the_clock_gives_accessed_pages_a_second_chance_then_evicts_in_frame_order() {
    let (mut sys, heap) = booted(Some(3), 8);
    let pages: Vec<u64> = (0..4).map(|i| heap + i * 0x1000).collect();
    for (i, &p) in pages.iter().take(3).enumerate() {
        let steps = sys.write_bytes(1, p, &[0xa0 + i as u8; 16]).unwrap();
        assert!(reclaim(&steps).is_empty());
    }
    let f: Vec<u64> = pages[..3]
        .iter()
        .map(|&p| frame_of(&sys, 1, p).unwrap())
        .collect();
    assert!(f.windows(2).all(|w| w[0] < w[1]), "{f:?}");
    // The fourth page needs a frame: all three were accessed, so each gets a second chance
    // (accessed bit cleared); the hand comes round to the first and swaps it out.
    let steps = sys.write_bytes(1, pages[3], &[0xa3; 16]).unwrap();
    assert_eq!(
        reclaim(&steps),
        vec![('c', f[0]), ('c', f[1]), ('c', f[2]), ('s', f[0])]
    );
    let out = steps.iter().find_map(|s| match s {
        Step::SwapOut {
            slot, pages: who, ..
        } => Some((*slot, who.clone())),
        _ => None,
    });
    assert_eq!(out, Some((0, vec![(1, pages[0])])));
    assert!(steps
        .iter()
        .any(|s| s.explain().contains("write it to swap slot 0")));
    assert_eq!(sys.swapped_pages(1), vec![(pages[0], 0)]);
    assert_eq!(frame_of(&sys, 1, pages[0]), None);
    // Reading it back is a major fault from swap; the bytes are exactly those written. The
    // frame for it comes from the next page the hand finds unreferenced: the second one, which
    // takes slot 1 (the new frame is found before slot 0 is released).
    let (bytes, steps) = sys.read_bytes(1, pages[0], 16).unwrap();
    assert_eq!(bytes, vec![0xa0; 16]);
    assert!(matches!(
        decisions(&steps)[..],
        [Decision::SwapIn { slot: 0, .. }]
    ));
    assert_eq!(reclaim(&steps), vec![('s', f[1])]);
    assert_eq!(sys.swapped_pages(1), vec![(pages[1], 1)]);
    assert_eq!(sys.swap_usage(), (1, 8));
    let c = sys.counters();
    assert_eq!(
        (
            c.minor_faults,
            c.major_faults,
            c.swap_outs,
            c.swap_ins,
            c.second_chances
        ),
        (4, 1, 2, 1, 3)
    );
    // Every page still reads what was written.
    for (i, &p) in pages.iter().enumerate() {
        let (b, _) = sys.read_bytes(1, p, 16).unwrap();
        assert_eq!(b, vec![0xa0 + i as u8; 16], "page {i}");
    }
    assert!(sys.charged() <= 3);
    sys.audit().unwrap();
}

#[test]
fn clean_file_pages_are_dropped_and_read_again() {
    let (mut sys, heap) = booted(Some(2), 4);
    // The text page: read from the file into the page cache (a major fault).
    let (text, steps) = sys.read_bytes(1, TEXT, 8).unwrap();
    assert!(matches!(decisions(&steps)[..], [Decision::FileRead { .. }]));
    let cached = frame_of(&sys, 1, TEXT).unwrap();
    assert_eq!(
        sys.frames.info(cached).map(|i| i.0),
        Some(FrameUse::PageCache)
    );
    sys.write_bytes(1, heap, &[1]).unwrap();
    // A third frame: the text page and the heap page get second chances, then the text page
    // (first in frame order) is dropped, not swapped: the file still has it.
    let steps = sys.write_bytes(1, heap + 0x1000, &[2]).unwrap();
    let r = reclaim(&steps);
    assert_eq!(r.last(), Some(&('d', cached)), "{r:?}");
    assert!(steps.iter().any(|s| matches!(
        s,
        Step::DropFilePage { offset: 0, pages, .. } if pages == &vec![(1, TEXT)]
    )));
    assert_eq!(sys.swap_usage(), (0, 4));
    assert!(sys.page_cache().iter().all(|&(_, _, f)| f != cached));
    // Reading it again goes back to the file: another major fault, the same bytes.
    let (again, steps) = sys.read_bytes(1, TEXT, 8).unwrap();
    assert_eq!(again, text);
    assert_eq!(again, file()[..8].to_vec());
    assert!(matches!(decisions(&steps)[..], [Decision::FileRead { .. }]));
    let c = sys.counters();
    assert_eq!((c.major_faults, c.minor_faults, c.file_drops), (2, 2, 1));
    sys.audit().unwrap();
}

#[test]
fn without_a_limit_nothing_is_reclaimed_but_faults_are_counted() {
    let (mut sys, heap) = booted(None, 0);
    sys.read_bytes(1, TEXT, 1).unwrap(); // major: from the file
    sys.read_bytes(1, heap, 1).unwrap(); // minor: the zero page
    sys.write_bytes(1, heap, &[5]).unwrap(); // minor: a new zeroed frame
    sys.read_bytes(1, heap, 1).unwrap(); // no fault
    let c = sys.counters();
    assert_eq!((c.major_faults, c.minor_faults), (1, 2));
    assert_eq!((c.swap_outs, c.file_drops, c.second_chances), (0, 0, 0));
    assert_eq!(sys.memory_limit(), None);
}

#[test]
fn with_nothing_to_evict_the_oom_killer_picks_the_biggest_process() {
    let (mut sys, heap) = booted(Some(2), 0);
    sys.write_bytes(1, heap, &[1]).unwrap();
    let (child, _) = sys.fork(1).unwrap();
    sys.write_bytes(child, heap + 0x1000, &[2]).unwrap();
    // Both frames are anonymous and there is no swap: nothing can go.
    let e = sys.write_bytes(1, heap + 0x2000, &[3]).unwrap_err();
    match &e {
        VmError::OomKill {
            victim,
            rss,
            swap,
            limit,
            ..
        } => {
            assert_eq!((*victim, *rss, *swap, *limit), (child, 2, 0, 2));
        }
        other => panic!("{other}"),
    }
    let msg = e.to_string();
    assert!(msg.contains("the OOM killer picks pid 2"), "{msg}");
    assert_eq!(msg.lines().count(), 1);
    // The refused access changed nothing: both processes still read their bytes.
    assert_eq!(sys.read_bytes(1, heap, 1).unwrap().0, vec![1]);
    assert_eq!(sys.read_bytes(child, heap + 0x1000, 1).unwrap().0, vec![2]);
    sys.audit().unwrap();
}

#[test]
fn lowering_the_limit_reclaims_at_once_and_bad_limits_are_refused() {
    let (mut sys, heap) = booted(None, 0);
    for i in 0..5u64 {
        sys.write_bytes(1, heap + i * 0x1000, &[i as u8 + 1])
            .unwrap();
    }
    assert_eq!(sys.charged(), 5);
    let steps = sys.set_memory_limit(Some(2), 8).unwrap();
    assert_eq!(reclaim(&steps).iter().filter(|r| r.0 == 's').count(), 3);
    assert_eq!(sys.charged(), 2);
    assert_eq!(sys.swap_usage(), (3, 8));
    for i in 0..5u64 {
        assert_eq!(
            sys.read_bytes(1, heap + i * 0x1000, 1).unwrap().0,
            vec![i as u8 + 1]
        );
    }
    assert!(sys.set_memory_limit(Some(0), 8).is_err());
    assert!(sys.set_memory_limit(Some(2), 1 << 30).is_err());
    let used = sys.swap_usage().0;
    let e = sys.set_memory_limit(Some(2), 0).unwrap_err().to_string();
    assert!(e.contains("in swap"), "{e}");
    assert_eq!(sys.swap_usage().0, used);
    // Lifting the limit stops reclaim; no limit means no eviction however much is used.
    sys.set_memory_limit(None, 8).unwrap();
    for i in 0..8u64 {
        let steps = sys.write_bytes(1, heap + i * 0x1000, &[9]).unwrap();
        assert!(reclaim(&steps).is_empty());
    }
    sys.audit().unwrap();
}

#[test]
fn a_page_shared_by_fork_goes_to_one_slot_and_each_process_reads_it_back() {
    let (mut sys, heap) = booted(Some(1), 8);
    sys.write_bytes(1, heap, &[0x5a; 32]).unwrap();
    let (child, _) = sys.fork(1).unwrap();
    let shared = frame_of(&sys, 1, heap).unwrap();
    assert_eq!(frame_of(&sys, child, heap), Some(shared));
    // The parent needs a second frame under a limit of one: the shared frame goes to swap,
    // one slot for both PTEs.
    let steps = sys.write_bytes(1, heap + 0x1000, &[0x11]).unwrap();
    let out: Vec<_> = steps
        .iter()
        .filter_map(|s| match s {
            Step::SwapOut { slot, pages, .. } => Some((*slot, pages.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(out, vec![(0, vec![(1, heap), (child, heap)])]);
    assert_eq!(sys.swapped_pages(1), vec![(heap, 0)]);
    assert_eq!(sys.swapped_pages(child), vec![(heap, 0)]);
    // The child writes: it reads the page back from swap, into a frame of its own.
    let steps = sys.write_bytes(child, heap, &[0x77]).unwrap();
    assert!(decisions(&steps)
        .iter()
        .any(|d| matches!(d, Decision::SwapIn { slot: 0, .. })));
    assert_eq!(sys.read_bytes(1, heap, 2).unwrap().0, vec![0x5a, 0x5a]);
    assert_eq!(sys.read_bytes(child, heap, 2).unwrap().0, vec![0x77, 0x5a]);
    assert_eq!(sys.read_bytes(1, heap + 0x1000, 1).unwrap().0, vec![0x11]);
    sys.audit().unwrap();
    sys.exit(child, 0).unwrap();
    sys.wait(1).unwrap();
    assert!(sys.swapped_pages(child).is_empty());
    sys.audit().unwrap();
}
