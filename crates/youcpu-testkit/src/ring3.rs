//! A scratch ring-3 process for the interpreter's randomised tests: pages mapped where the
//! test says, with the protections it says (code pages may be writable, so a test can run
//! self-modifying code), its code written, and the CPU about to run it in ring 3. The page's
//! own widgets use the core's `Linux::bare`, whose code page is read-only.

use youcpu_core::linux::bare::enter_ring3;
use youcpu_core::linux::mm::Prot;
use youcpu_core::linux::{Linux, ProcessState};

/// Read, write and execute: a code page the program may rewrite.
pub const RWX: Prot = Prot::RWX;

/// Read and write: a stack or data page.
pub const RW: Prot = Prot::RW;

/// Maps each of `pages` (a page address and its protection) in `l`, writes `code` at
/// `code_at`, and sets the CPU as `execve` leaves it for ring 3: RIP at the code, RSP at
/// `stack`, the user CS and SS, RFLAGS with IF only (the test may then set any register).
/// Panics if a page cannot be mapped or the code written (a test's own set-up is wrong).
pub fn enter(l: &mut Linux, pages: &[(u64, Prot)], code_at: u64, code: &[u8], stack: u64) {
    for &(page, prot) in pages {
        if let Err(e) = l.mm.map_now(&mut l.m.mmu, page, prot) {
            panic!("mapping {page:#x}: {e}");
        }
    }
    if let Err(e) = l.mm.poke(&mut l.m.mmu, code_at, code) {
        panic!("writing the code at {code_at:#x}: {e}");
    }
    enter_ring3(&mut l.m.cpu.s, code_at, stack);
}

/// How a run ended, as one short key to count outcomes by: "running", "exited",
/// "signal N" or "crashed: why".
pub fn outcome(state: &ProcessState) -> String {
    match state {
        ProcessState::Running => "running".to_string(),
        ProcessState::Exited { .. } => "exited".to_string(),
        ProcessState::Killed { signal, .. } => format!("signal {signal}"),
        ProcessState::Crashed { reason } => format!("crashed: {reason}"),
    }
}
