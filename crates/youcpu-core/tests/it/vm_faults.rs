//! Demand paging and protection faults step by step: the zero page, file pages, stack growth
//! and its limit, SIGSEGV for writes to text, fetches from data, kernel addresses and unmapped
//! addresses, exec replacing the address space, and the process tree from pid 1.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::vm_model::decisions;
use youcpu_core::paging::{AccessKind, FaultKind};
use youcpu_core::vm::system::KERNEL_VA;
use youcpu_core::vm::vma::{STACK_EXPAND, STACK_LIMIT, STACK_TOP};
use youcpu_core::vm::{
    Decision, FrameUse, Image, Limits, ProcState, Segment, SegvReason, Step, System, VmError,
};

fn image(name: &str) -> Image {
    let bytes: Vec<u8> = (0..0x3000u32).map(|i| (i ^ (i >> 8)) as u8).collect();
    let segs = vec![
        Segment {
            start: 0x40_0000,
            file_end: 0x40_1000,
            end: 0x40_1000,
            offset: 0,
            file_bytes: 0x1000,
            rwx: (true, false, true),
        },
        Segment {
            start: 0x40_1000,
            file_end: 0x40_3000,
            end: 0x40_5000,
            offset: 0x1000,
            file_bytes: 0x1100,
            rwx: (true, true, false),
        },
    ];
    Image::new(name, bytes, segs, 300).unwrap()
}

fn fault(steps: &[Step]) -> Option<(FaultKind, u64, u64)> {
    steps.iter().find_map(|s| match s {
        Step::PageFault { fault } => Some((fault.kind, fault.cr2, fault.error_code)),
        _ => None,
    })
}

#[test]
fn first_touches_fault_and_map() {
    let (mut sys, _) = System::boot(Limits::default(), image("init")).unwrap();
    // Text: read from the file on the first fetch, then a TLB hit.
    let t = sys.touch(1, 0x40_0010, AccessKind::Fetch).unwrap();
    assert!(matches!(t.steps[0], Step::SwitchCr3 { pid: 1, .. }));
    assert_eq!(
        fault(&t.steps),
        Some((FaultKind::NotPresent, 0x40_0010, 0x14))
    );
    assert!(matches!(
        decisions(&t.steps)[..],
        [Decision::FileRead {
            offset: 0,
            bytes: 4096,
            ..
        }]
    ));
    let pa = t.result.unwrap();
    let again = sys.touch(1, 0x40_0020, AccessKind::Fetch).unwrap();
    assert!(matches!(again.steps[0], Step::TlbHit { .. }));
    assert_eq!(again.result.unwrap(), pa + 0x10);
    // The data page with the file's end in it: 0x100 bytes from the file, the rest zero.
    let d = sys.touch(1, 0x40_2000, AccessKind::Read).unwrap();
    assert!(matches!(
        decisions(&d.steps)[..],
        [Decision::FileRead {
            offset: 0x2000,
            bytes: 0x100,
            ..
        }]
    ));
    let (b, _) = sys.read_bytes(1, 0x40_20fe, 4).unwrap();
    assert_eq!(b, vec![(0x20fe ^ 0x20) as u8, (0x20ff ^ 0x20) as u8, 0, 0]);
    // BSS: a read maps the zero page read-only; a write then gets a private zeroed frame.
    let r = sys.touch(1, 0x40_4000, AccessKind::Read).unwrap();
    assert_eq!(
        decisions(&r.steps),
        vec![Decision::ZeroPage {
            frame: sys.zero_frame
        }]
    );
    let w = sys.touch(1, 0x40_4008, AccessKind::Write).unwrap();
    assert_eq!(
        fault(&w.steps).map(|f| (f.0, f.2)),
        Some((FaultKind::WriteProtected, 0x7))
    );
    assert!(matches!(
        decisions(&w.steps)[..],
        [Decision::DemandZero { .. }]
    ));
    assert_eq!(sys.read_bytes(1, 0x40_4000, 16).unwrap().0, vec![0; 16]);
    sys.audit().unwrap();
}

#[test]
fn the_stack_grows_down_to_its_limit() {
    let (mut sys, _) = System::boot(Limits::default(), image("init")).unwrap();
    let stack = sys.process(1).unwrap().vmas.last().unwrap().clone();
    assert_eq!(
        (stack.end, stack.end - stack.start),
        (STACK_TOP, STACK_EXPAND + 4096)
    );
    let va = stack.start - 3 * 4096 + 12;
    let t = sys.touch(1, va, AccessKind::Write).unwrap();
    assert_eq!(
        decisions(&t.steps)[0],
        Decision::StackGrow {
            from: stack.start,
            to: va & !0xfff
        }
    );
    assert!(t.result.is_ok());
    assert_eq!(
        sys.process(1).unwrap().vmas.last().unwrap().start,
        va & !0xfff
    );
    // Just inside 8 MiB grows; just outside is SIGSEGV.
    assert!(sys
        .touch(1, STACK_TOP - STACK_LIMIT, AccessKind::Read)
        .unwrap()
        .result
        .is_ok());
    let far = sys
        .touch(1, STACK_TOP - STACK_LIMIT - 1, AccessKind::Read)
        .unwrap();
    assert_eq!(far.result, Err(SegvReason::StackLimit));
}

#[test]
fn protection_faults_end_in_sigsegv() {
    let (mut sys, _) = System::boot(Limits::default(), image("init")).unwrap();
    let cases = [
        (0x40_0000, AccessKind::Write, SegvReason::WriteReadOnly),
        (0x40_1000, AccessKind::Fetch, SegvReason::ExecNoExec),
        (0x10_0000, AccessKind::Read, SegvReason::NoVma),
        (0x40_5000, AccessKind::Read, SegvReason::StackLimit), // below the stack VMA: expand_stack refuses
        (KERNEL_VA, AccessKind::Read, SegvReason::KernelAddress),
        (0x8000_0000_0000, AccessKind::Read, SegvReason::NonCanonical),
    ];
    for (va, kind, reason) in cases {
        let t = sys.touch(1, va, kind).unwrap();
        assert_eq!(t.result, Err(reason), "{va:#x}");
        assert_eq!(decisions(&t.steps).last(), Some(&Decision::Segv { reason }));
    }
    // Present pages: the fault has P set; the kernel page is present but supervisor-only.
    sys.touch(1, 0x40_0000, AccessKind::Read).unwrap();
    let t = sys.touch(1, 0x40_0000, AccessKind::Write).unwrap();
    assert_eq!(
        fault(&t.steps),
        Some((FaultKind::WriteProtected, 0x40_0000, 0x7))
    );
    sys.touch(1, 0x40_1000, AccessKind::Read).unwrap();
    let t = sys.touch(1, 0x40_1000, AccessKind::Fetch).unwrap();
    assert_eq!(
        fault(&t.steps),
        Some((FaultKind::NoExecute, 0x40_1000, 0x15))
    );
    let t = sys.touch(1, KERNEL_VA, AccessKind::Read).unwrap();
    assert_eq!(
        fault(&t.steps),
        Some((FaultKind::UserSupervisor, KERNEL_VA, 0x5))
    );
    assert!(matches!(
        sys.write_bytes(1, 0x40_0000, b"x"),
        Err(VmError::Segv {
            addr: 0x40_0000,
            reason: SegvReason::WriteReadOnly
        })
    ));
}

#[test]
fn boot_to_a_shell_running_a_command() {
    let (mut sys, boot) = System::boot(Limits::default(), image("init")).unwrap();
    assert!(matches!(&boot[..], [Step::Exec { pid: 1, .. }]));
    let (sh, _) = sys.fork(1).unwrap();
    sys.exec(sh, image("sh")).unwrap();
    sys.write_bytes(sh, 0x40_1000, b"shell state").unwrap();
    let (cmd, _) = sys.fork(sh).unwrap();
    assert_eq!(sys.process(cmd).unwrap().ppid, sh);
    let steps = sys.exec(cmd, image("ls")).unwrap();
    // exec dropped the child's reference to the shared data frame (and its tables).
    assert!(matches!(&steps[..], [Step::Exec { freed, .. }] if *freed >= 1));
    assert!(sys.mapped_pages(cmd).is_empty());
    assert_eq!(
        sys.read_bytes(cmd, 0x40_1000, 4).unwrap().0,
        image("ls").bytes[0x1000..0x1004]
    );
    let (grandchild, _) = sys.fork(cmd).unwrap();
    let user_before = sys.frames.count(FrameUse::User);
    sys.exit(cmd, 7).unwrap();
    assert_eq!(
        sys.process(grandchild).unwrap().ppid,
        1,
        "orphans go to init"
    );
    assert_eq!(sys.process(cmd).unwrap().state, ProcState::Zombie(7));
    assert!(sys.frames.count(FrameUse::User) <= user_before);
    assert_eq!(
        sys.wait(sh).unwrap(),
        Some(Step::Reap {
            parent: sh,
            child: cmd,
            code: 7
        })
    );
    assert_eq!(sys.wait(sh).unwrap(), None);
    assert!(matches!(
        sys.touch(cmd, 0x40_0000, AccessKind::Read),
        Err(VmError::NoProcess(_))
    ));
    sys.exit(grandchild, 0).unwrap();
    assert!(sys.wait(1).unwrap().is_some());
    assert_eq!(sys.exit(1, 0), Err(VmError::InitExit));
    sys.audit().unwrap();
    for s in &steps {
        assert!(!s.explain().is_empty());
    }
}

#[test]
fn limits_are_errors() {
    let small = Limits {
        frames: 40,
        processes: 3,
        tlb_entries: 4,
    };
    let (mut sys, _) = System::boot(small, image("init")).unwrap();
    sys.fork(1).unwrap();
    sys.fork(1).unwrap();
    assert_eq!(sys.fork(1), Err(VmError::TooManyProcesses(3)));
    let mut oom = None;
    for page in 0..40u64 {
        if let Err(e) = sys.touch(1, STACK_TOP - 4096 * (page + 1), AccessKind::Write) {
            oom = Some(e);
            break;
        }
    }
    assert_eq!(oom, Some(VmError::OutOfMemory { frames: 40 }));
    sys.audit().unwrap();
    assert!(matches!(
        sys.read_bytes(1, 0x40_0000, 2 << 20),
        Err(VmError::TooLong(_))
    ));
    assert!(System::boot(Limits { frames: 3, ..small }, image("init")).is_err());
    let bad = Segment {
        start: 0x40_0001,
        file_end: 0x40_1000,
        end: 0x40_1000,
        offset: 0,
        file_bytes: 1,
        rwx: (true, false, false),
    };
    assert!(Image::new("bad", vec![], vec![bad], 0).is_err());
}

#[test]
fn file_pages_are_shared_through_the_page_cache() {
    let (mut sys, _) = System::boot(Limits::default(), image("init")).unwrap();
    let (a, _) = sys.fork(1).unwrap();
    sys.exec(a, image("prog")).unwrap();
    let (b, _) = sys.fork(1).unwrap();
    sys.exec(b, image("prog")).unwrap();
    let ta = sys.touch(a, 0x40_0000, AccessKind::Fetch).unwrap();
    let read = decisions(&ta.steps);
    let frame = match read[..] {
        [Decision::FileRead {
            frame, bytes: 4096, ..
        }] => frame,
        _ => panic!("{read:?}"),
    };
    let tb = sys.touch(b, 0x40_0000, AccessKind::Read).unwrap();
    assert_eq!(decisions(&tb.steps), vec![Decision::PageCache { frame }]);
    assert_eq!(sys.frames.info(frame), Some((FrameUse::PageCache, 3)));
    // A write to the private data mapping copies the cached page; the cache keeps the file's bytes.
    let r = sys.touch(a, 0x40_1000, AccessKind::Read).unwrap();
    let data = match decisions(&r.steps)[..] {
        [Decision::FileRead { frame, .. }] => frame,
        ref d => panic!("{d:?}"),
    };
    sys.write_bytes(a, 0x40_1000, b"private").unwrap();
    let (cached, _) = sys.read_bytes(b, 0x40_1000, 7).unwrap();
    assert_eq!(cached, image("prog").bytes[0x1000..0x1007]);
    assert_eq!(sys.read_bytes(a, 0x40_1000, 7).unwrap().0, b"private");
    assert_eq!(sys.frames.info(data), Some((FrameUse::PageCache, 2)));
    sys.audit().unwrap();
    // Exits leave the cache; drop_caches empties what nobody maps.
    sys.exit(a, 0).unwrap();
    sys.exit(b, 0).unwrap();
    assert_eq!(sys.frames.info(frame), Some((FrameUse::PageCache, 1)));
    assert_eq!(sys.drop_caches(), 2);
    assert_eq!(sys.frames.info(frame), None);
    sys.audit().unwrap();
}
