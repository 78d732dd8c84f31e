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
