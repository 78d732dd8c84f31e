//! Signal handlers on the simulated Linux: C programs built with musl-gcc -static and
//! gcc -static, run natively and in the simulator; stdout, stderr and the exit status must
//! match. They print what a handler sees (si_code, si_addr, the sigcontext's registers, the
//! masks), so the frame the simulated kernel builds is compared with the real kernel's.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

use harness::compare_outcome;

#[test]
fn segv_handlers_see_code_address_and_trap() {
    let o = compare_outcome("sig_segv.c", &[]);
    assert!(
        o.stdout
            .contains("write to a read-only page:\n  signal 11 code 2 errno 0 trapno 14 err 0x6"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("faults caught: 6\n"));
    assert!(o
        .stdout
        .contains("fault in a handler with SIGSEGV blocked: signaled 1 signal 11\n"));
}

#[test]
fn traps_become_signals_and_handlers_edit_the_context() {
    let o = compare_outcome("sig_traps.c", &[]);
    assert!(
        o.stdout
            .contains("7 / 0:\n  SIGFPE code 1 addr==rip 1 trapno 0 err 0\n"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("  rip is ud2_here: 1\n  returned 42\n"));
    assert!(o.stdout.contains("  SIGTRAP code 128 addr==rip 0 trapno 3"));
    assert!(o
        .stdout
        .contains("frame: uc%16 0 info%16 0 fpregs%64 0 cwd 0x37f"));
}

#[test]
fn raise_masks_nesting_restart_and_sigchld() {
    let o = compare_outcome("sig_raise.c", &[]);
    assert!(o.stdout.contains("order: 10 12 12\n"), "{}", o.stdout);
    assert!(o.stdout.contains("SA_NODEFER depth reached 3 in 3 calls\n"));
    assert!(o
        .stdout
        .contains("without SA_NODEFER depth reached 1 in 3 calls\n"));
    assert!(o
        .stdout
        .contains("SA_RESETHAND: second raise killed the child: 1 (signal 10)\n"));
    assert!(o.stdout.contains("read with SA_RESTART: 4 late\n"));
    assert!(o.stdout.contains("  SIGCHLD 17 code 1 status 7\n"));
}

#[test]
fn stack_overflow_recovered_on_the_alternate_stack() {
    let o = compare_outcome("sig_altstack.c", &[]);
    assert!(
        o.stdout.contains(
            "overflow 2:\n  signal 11 code 1, local on the alternate stack 1, ss_flags 1\n"
        ),
        "{}",
        o.stdout
    );
    assert!(o
        .stdout
        .contains("overflow without SA_ONSTACK: signaled 1 signal 11\n"));
}

#[test]
fn real_time_signals_are_queued_with_their_values() {
    let o = compare_outcome("rtsig.c", &[]);
    assert!(
        o.stdout
            .contains("  RTMIN+2 code SI_QUEUE value 2 from self 1\n"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("kill three times, unblocking:\n"));
    assert_eq!(o.stdout.matches("RTMIN+4 code SI_USER").count(), 3);
    assert!(o
        .stdout
        .contains("child: kernel code to the parent: Operation not permitted"));
}

/// The frame itself against the real kernel's: sig_frame.c's handler (entered through an
/// assembly stub that records RSP before any C code runs) prints the frame's layout and every
/// field, with SA_ONSTACK, SA_NODEFER and a return through rt_sigreturn; the simulator must
/// print what this machine's kernel made. The fixed distances are checked by name too.
#[test]
fn the_frame_field_by_field() {
    let o = compare_outcome("sig_frame.c", &[]);
    let s = &o.stdout;
    assert_eq!(
        s.matches("sig 11 rax 0 rsp%16 8 &uc-rsp 8 &info-rsp 312\n")
            .count(),
        4,
        "{s}"
    );
    assert_eq!(
        s.matches("pretcode==sa_restorer 1 uc_flags&6 6 uc_link 0\n")
            .count(),
        4
    );
    assert_eq!(
        s.matches("r8 7777 r9 8888 r10 9999 r11 aaaa r12 3333 r13 4444 r14 5555 r15 6666\n")
            .count(),
        4
    );
    assert_eq!(
        s.matches("rdi eeee rsi dddd rbp 2222 rbx 1111 rdx cccc rax 1234 rcx bbbb\n")
            .count(),
        4
    );
    assert_eq!(
        s.matches("rsp==fault_rsp 1 rip==fault_here 1 eflags&0xcd5 0x44\n")
            .count(),
        4
    );
    assert_eq!(
        s.matches("cs 0x33 gs 0 fs 0 ss 0x2b err 4 trapno 14 cr2 0x10 oldmask 0x200\n")
            .count(),
        4
    );
    assert_eq!(
        s.matches("si_signo 11 si_errno 0 si_code 1 si_addr 0x10\n")
            .count(),
        4
    );
    assert_eq!(
        s.matches("fpstate%64 0 fpstate-rsp 456 below red zone 1 cwd 0x37f")
            .count(),
        4
    );
    assert_eq!(
        s.matches("uc_stack: sp==alt 1 sp==0 0 flags 0 size 65536\n")
            .count(),
        2
    );
    assert_eq!(s.matches("on the alternate stack 1\n").count(), 2);
    assert!(
        s.contains("blocked in handler: SIGSEGV 0 SIGUSR2 1\n"),
        "SA_NODEFER"
    );
    assert_eq!(
        s.matches("after: SIGUSR1 blocked 1 SIGSEGV blocked 0\n")
            .count(),
        4
    );
}

/// The signals widget's program (web/programs/bin/sigframe, built by scripts/programs.sh)
/// prints the same natively and in the simulator in every variant the widget offers, and the
/// watched run's frame is where the real kernel puts it (456 bytes below the FP state, the
/// FP state below the red zone).
#[cfg(all(unix, target_arch = "x86_64"))]
#[test]
fn the_widget_program_runs_as_natively_in_every_variant() {
    use youcpu_core::linux::sigwatch::{watch, Moment};
    let exe =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/programs/bin/sigframe");
    let bytes = std::fs::read(&exe).expect("web/programs/bin/sigframe");
    for args in [
        &[][..],
        &["fpe"],
        &["ill"],
        &["segv", "onstack"],
        &["segv", "nodefer", "return"],
        &["fpe", "return"],
        &["ill", "onstack", "return"],
    ] {
        let native = harness::native_plain(&exe, args);
        let sim = harness::sim(&exe, args);
        assert_eq!(
            String::from_utf8_lossy(&sim.stdout),
            String::from_utf8_lossy(&native.stdout),
            "{args:?}"
        );
        assert_eq!(sim.status, native.status, "{args:?}");
        let mut argv = vec!["sigframe"];
        argv.extend_from_slice(args);
        let w = watch(&bytes, &argv, 5_000_000).expect("runs");
        assert_eq!(w.stdout, native.stdout, "{args:?}");
        let h = w
            .stops
            .iter()
            .find(|s| s.moment == Moment::Handler)
            .expect("handler ran");
        let f = h.frame.as_ref().expect("frame");
        assert_eq!(f.fpstate - f.at, 456);
        assert_eq!(f.fpstate % 64, 0);
        assert_eq!(h.rsp % 16, 8);
        assert_eq!(w.stops.len(), 5, "{args:?}");
    }
}
