//! fork/copy-on-write invariants on random operation sequences: reference counts equal the
//! PTEs that map each frame (`System::audit`), no PTE maps a freed frame, a write by one process
//! never changes what another reads, and exiting every process frees every frame.

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use youcpu_core::paging::AccessKind;
use youcpu_core::vm::{Decision, FrameUse, Limits, Step, System};

use crate::vm_model::{image, op, run, DATA, TEXT};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_sequences_keep_the_invariants(ops in prop::collection::vec(op(), 1..60)) {
        run(ops, None);
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
