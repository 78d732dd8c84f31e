//! mmap and munmap: top-down placement below mmap_base, file pages through the page cache with
//! a zero tail past the end of the file, anonymous pages on first touch, SIGSEGV after munmap,
//! sharing across fork, and the bookkeeping after each step.

#![allow(clippy::unwrap_used)] // tests may unwrap

use youcpu_core::paging::AccessKind;
use youcpu_core::vm::mmap::MMAP_BASE;
use youcpu_core::vm::{
    Decision, FrameUse, Image, Limits, Prot, Segment, SegvReason, Step, System, VmError,
};

fn image() -> Image {
    let seg = Segment {
        start: 0x40_0000,
        file_end: 0x40_1000,
        end: 0x40_1000,
        offset: 0,
        file_bytes: 0x1000,
        rwx: (true, false, true),
    };
    Image::new("init", vec![0x90; 0x1000], vec![seg], 100).unwrap()
}

const R: Prot = Prot::R;
const RW: Prot = Prot::RW;

#[test]
fn mapped_files_and_anonymous_memory() {
    let (mut sys, _) = System::boot(Limits::default(), image()).unwrap();
    let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let f = sys.add_file("data.bin", data.clone()).unwrap();
    let a = sys.mmap(1, 10_000, R, Some((f, 0))).unwrap();
    assert_eq!(a, MMAP_BASE - 3 * 4096);
    let b = sys.mmap(1, 4096, RW, None).unwrap();
    assert_eq!(b, a - 4096, "the next mapping goes right below");
    // Whole file pages come through the page cache; the last page is private with a zero tail.
    let t = sys.touch(1, a + 5, AccessKind::Read).unwrap();
    assert!(t.steps.iter().any(|s| matches!(
        s,
        Step::Kernel {
            decision: Decision::FileRead { bytes: 4096, .. }
        }
    )));
    assert_eq!(sys.read_bytes(1, a, 10_000).unwrap().0, data);
    assert_eq!(
        sys.read_bytes(1, a + 10_000, 2288).unwrap().0,
        vec![0; 2288]
    );
    assert_eq!(sys.frames.count(FrameUse::PageCache), 2);
    // Read-only mapping: writes are SIGSEGV.
    assert!(matches!(
        sys.write_bytes(1, a, b"x"),
        Err(VmError::Segv {
            reason: SegvReason::WriteReadOnly,
            ..
        })
    ));
    // Anonymous: zero on first touch, then ours; shared with a child until one writes.
    sys.write_bytes(1, b + 100, b"anon").unwrap();
    let (child, _) = sys.fork(1).unwrap();
    assert_eq!(sys.read_bytes(child, b + 100, 4).unwrap().0, b"anon");
    assert_eq!(sys.read_bytes(child, a, 3).unwrap().0, data[..3]);
    sys.write_bytes(child, b + 100, b"kid!").unwrap();
    assert_eq!(sys.read_bytes(1, b + 100, 4).unwrap().0, b"anon");
    sys.audit().unwrap();
    // munmap: the pages go, the range is unmapped, the child keeps its own.
    assert_eq!(sys.munmap(1, a).unwrap(), 3);
    let t = sys.touch(1, a, AccessKind::Read).unwrap();
    // The next VMA above is the stack, too far to grow: SEGV_MAPERR as for no VMA.
    assert_eq!(t.result.unwrap_err().si_code(), SegvReason::NoVma.si_code());
    assert_eq!(
        sys.read_bytes(child, a + 4096, 2).unwrap().0,
        data[4096..4098]
    );
    assert!(sys.munmap(1, a).is_err());
    sys.audit().unwrap();
    // The freed range is reused by the next mapping of that size.
    assert_eq!(sys.mmap(1, 4096 * 3, RW, None).unwrap(), a);
    sys.exit(child, 0).unwrap();
    sys.audit().unwrap();
}

#[test]
fn bad_mappings_are_errors() {
    let (mut sys, _) = System::boot(Limits::default(), image()).unwrap();
    let f = sys.add_file("f", vec![1; 100]).unwrap();
    assert_eq!(sys.add_file("f", vec![1; 100]).unwrap(), f);
    assert!(matches!(sys.mmap(1, 0, R, None), Err(VmError::TooLong(0))));
    assert!(matches!(
        sys.mmap(1, 2 << 30, R, None),
        Err(VmError::TooLong(_))
    ));
    assert!(sys.mmap(1, 4096, R, Some((f, 100))).is_err());
    assert!(sys.mmap(1, 4096, R, Some((99, 0))).is_err());
    assert!(matches!(
        sys.mmap(9, 4096, R, None),
        Err(VmError::NoProcess(9))
    ));
    // A file mapped past its end: the pages past it read zero... and still map.
    let a = sys.mmap(1, 3 * 4096, R, Some((f, 0))).unwrap();
    assert_eq!(sys.read_bytes(1, a + 98, 4).unwrap().0, vec![1, 1, 0, 0]);
    assert_eq!(sys.read_bytes(1, a + 8192, 4).unwrap().0, vec![0; 4]);
    sys.audit().unwrap();
}
