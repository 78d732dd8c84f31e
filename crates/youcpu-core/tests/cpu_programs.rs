//! Whole programs, built at test time, run natively (under ptrace single-step) and in the
//! simulator: stdout, exit status (128 + signal when killed) and the retired instruction
//! count must match.

#![allow(clippy::unwrap_used)] // tests may unwrap

#[path = "programs/harness.rs"]
mod harness;

use harness::{compare, Build};
use youcpu_testkit::process::Run;

#[test]
fn exit42() {
    assert_eq!(compare("exit42.S", Build::Asm, &[]).status, 42);
}

#[test]
fn counting_loop() {
    let r = compare("loop.S", Build::Asm, &[]);
    assert_eq!(r.status, 20);
    assert!(r.steps > 3000);
}

#[test]
fn rep_string_instructions() {
    let r = compare("strings.S", Build::Asm, &[]);
    assert_eq!(&r.stdout[..27], b"abcdefghijklmnopqrstuvwxyz\n");
}

#[test]
fn recursion_and_division_without_libc() {
    let r = compare("calc.c", Build::NoLibc, &[]);
    assert!(String::from_utf8_lossy(&r.stdout).starts_with("fib(20)=6765\n"));
}

#[test]
fn null_pointer_write_is_sigsegv() {
    let r = compare("segv.c", Build::NoLibc, &[]);
    assert_eq!(r.status, 139);
    assert_eq!(r.stdout, b"before\n");
}

#[test]
fn divide_by_zero_is_sigfpe() {
    assert_eq!(compare("divzero.S", Build::Asm, &[]).status, 136);
}

#[test]
fn idiv_overflow_is_sigfpe() {
    assert_eq!(compare("idivovf.S", Build::Asm, &[]).status, 136);
}

#[test]
fn ud2_is_sigill() {
    assert_eq!(compare("ud2.S", Build::Asm, &[]).status, 132);
}

#[test]
fn int3_is_sigtrap() {
    assert_eq!(compare("int3.S", Build::Asm, &[]).status, 133);
}

#[test]
fn hlt_in_ring3_is_sigsegv() {
    assert_eq!(compare("hlt.S", Build::Asm, &[]).status, 139);
}

#[test]
fn cli_in_ring3_is_sigsegv() {
    assert_eq!(compare("cli.S", Build::Asm, &[]).status, 139);
}

#[test]
fn int_through_kernel_only_gate_is_sigsegv() {
    assert_eq!(compare("intn.S", Build::Asm, &[]).status, 139);
}

#[test]
fn legacy_int80_write_and_exit() {
    let r = compare("int80.S", Build::Asm, &[]);
    assert_eq!((r.status, r.stdout.as_slice()), (5, b"int80\n".as_slice()));
}

#[test]
fn musl_hello_world_with_printf_numbers() {
    let r = compare("hello.c", Build::Musl, &["one", "two words", ""]);
    assert_eq!(r.status, 3);
    assert!(r.stdout.starts_with(b"hello, world\n"));
}

#[test]
fn self_modifying_code_is_seen_by_the_decode_cache() {
    let r = compare("smc.S", Build::Asm, &[]);
    assert_eq!(r.status, 45);
}

#[test]
fn abort_is_sigabrt_after_the_mask_is_restored() {
    let r = compare("abort.c", Build::Musl, &[]);
    assert_eq!(
        (r.status, r.stdout.as_slice()),
        (134, b"about to abort\n".as_slice())
    );
}

#[test]
fn musl_string_functions_qsort_malloc() {
    compare("strfun.c", Build::Musl, &[]);
}

#[test]
fn runaway_program_hits_the_step_budget() {
    let exe = harness::build("forever.S", Build::Asm);
    let l = harness::sim_linux(&exe, &[], 100_000);
    assert_eq!(l.state, youcpu_core::linux::ProcessState::Running);
    assert_eq!(l.instructions(), 100_000);
}

#[test]
fn glibc_static_hello_world() {
    // glibc probes CPUID and picks its SSE2 routines on the simulated core, so only the output
    // and the status are compared (the native run takes its AVX paths).
    let exe = harness::tmp().join("hello_glibc");
    let ok = std::process::Command::new("gcc")
        .args(["-O2", "-static", "-o"])
        .arg(&exe)
        .arg(harness::src_dir().join("hello.c"))
        .run_status()
        .unwrap();
    assert!(ok.success());
    let n = harness::native_plain(&exe, &["glibc"]);
    let s = harness::sim(&exe, &["glibc"]);
    assert_eq!(
        (String::from_utf8_lossy(&s.stdout), s.status),
        (String::from_utf8_lossy(&n.stdout), n.status)
    );
}
