//! Whole programs, built at test time, run natively (under ptrace single-step) and in the
//! simulator: stdout, exit status (128 + signal when killed) and the retired instruction
//! count must match.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

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
fn code_rewritten_right_after_the_store_that_rewrites_it() {
    let r = compare("smc_next.S", Build::Asm, &[]);
    assert!(r.steps > 10_000, "{} steps", r.steps);
}

#[test]
fn each_process_keeps_its_own_fpu_state_across_switches() {
    let o = harness::compare_outcome("fpu_switch.c", &[]);
    assert!(o.stdout.contains("child: x87 ") && o.stdout.contains("parent: x87 "));
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

#[test]
fn unmasked_sse_exception_is_sigfpe() {
    assert_eq!(compare("sigfpe_sse.S", Build::Asm, &[]).status, 136);
}

#[test]
fn musl_floating_point_printf_strtod_libm_and_simd_strings() {
    // printf("%f") formats through long double in musl: the x87 unit end to end.
    let r = compare("float.c", Build::MuslLm, &[]);
    assert!(String::from_utf8_lossy(&r.stdout).contains("3: 0.100000 1.000000e-01 0.1"));
}

#[test]
fn glibc_floating_point_printf_strtod_libm_and_simd_strings() {
    // glibc picks its libm and string routines by CPUID (AVX2/FMA natively, SSE4.1 on the
    // simulated core): output and status are compared, not the instruction count.
    let exe = harness::build("float.c", Build::GlibcLm);
    let n = harness::native_plain(&exe, &[]);
    let s = harness::sim(&exe, &[]);
    assert_eq!(
        (String::from_utf8_lossy(&s.stdout), s.status),
        (String::from_utf8_lossy(&n.stdout), n.status)
    );
    assert!(n.stdout.len() > 3000);
}

#[test]
fn simd_string_functions_musl_and_glibc() {
    // musl: output, status and instruction count; glibc (SSE4.2 routines on the simulated
    // core, AVX2 natively): output and status.
    let m = compare("simdstr.c", Build::Musl, &[]);
    let exe = harness::build("simdstr.c", Build::GlibcLm);
    let n = harness::native_plain(&exe, &[]);
    let s = harness::sim(&exe, &[]);
    assert_eq!(
        (String::from_utf8_lossy(&s.stdout), s.status),
        (String::from_utf8_lossy(&n.stdout), n.status)
    );
    // Both C libraries compute the same checksum.
    assert_eq!(m.stdout, n.stdout);
}

#[test]
fn misaligned_movaps_is_sigsegv() {
    assert_eq!(compare("movaps_misaligned.S", Build::Asm, &[]).status, 139);
}

#[test]
fn ldmxcsr_with_reserved_bits_is_sigsegv() {
    assert_eq!(compare("ldmxcsr_reserved.S", Build::Asm, &[]).status, 139);
}

#[test]
fn unmasked_x87_exception_is_sigfpe_at_the_next_x87_instruction() {
    assert_eq!(compare("sigfpe_x87.S", Build::Asm, &[]).status, 136);
}

#[test]
fn vectorized_sse4_code_from_gcc_o3_x86_64_v2() {
    // gcc -O3 -march=x86-64-v2 vectorizes with SSE4.1/4.2, SSSE3 and POPCNT (PMULLD, PBLENDVB,
    // PMOVZX, PACKUSDW, PSHUFB, PMINUD...): musl with instruction counts, glibc by output.
    let m = compare("vector.c", Build::MuslV2, &[]);
    assert!(String::from_utf8_lossy(&m.stdout).starts_with("int: "));
    let exe = harness::build("vector.c", Build::GlibcV2);
    let n = harness::native_plain(&exe, &[]);
    let s = harness::sim(&exe, &[]);
    assert_eq!(
        (String::from_utf8_lossy(&s.stdout), s.status),
        (String::from_utf8_lossy(&n.stdout), n.status)
    );
    assert_eq!(m.stdout, n.stdout, "musl and glibc builds print the same");
}

#[test]
fn floating_point_program_built_for_x86_64_v2() {
    // The same float/double/long double program with ROUNDSD for floor/ceil/trunc and
    // vectorized loops: musl (with instruction counts).
    let r = compare("float.c", Build::MuslV2, &[]);
    assert!(String::from_utf8_lossy(&r.stdout).contains("floor="));
}

#[test]
fn unmasked_sse_and_x87_exceptions_give_sigfpe_with_the_kernels_si_code() {
    // Every exception of both units unmasked alone, and all at once (musl and glibc builds,
    // native and simulated output compared whole): si_code, the faulting RIP, trapno 19 (#XM)
    // or 16 (#MF at the next FWAIT), and the MXCSR / x87 words in the signal frame.
    let o = harness::compare_outcome("sig_fpe.c", &[]);
    let s = &o.stdout;
    assert!(s.ends_with("signals: 21\n"), "{s}");
    assert!(!s.contains("WRONG"), "{s}");
    // One of each si_code: FPE_FLTDIV 3, FLTOVF 4, FLTUND 5, FLTRES 6, FLTINV 7.
    for code in 3..=7 {
        assert!(s.contains(&format!("code {code} addr==rip 1")), "{s}");
    }
    assert!(s.contains("trapno 19") && s.contains("trapno 16"), "{s}");
}
