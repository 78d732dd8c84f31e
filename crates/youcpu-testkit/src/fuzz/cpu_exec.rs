//! The CPU on arbitrary bytes from an arbitrary register, flag and ring state, under the
//! model kernel's page tables (`linux::Linux`): a code page (read/write/execute) at 0x400000
//! holds the input's bytes, a data page follows. In ring 3 the kernel model runs (system calls,
//! faults turned into signals) for a bounded number of instructions; in ring 0 the machine is
//! stepped directly, so faults go through the IDT (Intel SDM vol. 3 ch. 6) to the kernel's stubs.
//! Invariants: every step returns an event or a triple fault, never a panic; the ring-3 run
//! stops by the budget; a process that ended says how.

use super::input::Input;
use youcpu_core::cpu::state::rflags;
use youcpu_core::linux::{ProcessState, KERNEL_CS, KERNEL_DS, USER_CS, USER_DS};

/// Where the input's code is placed.
pub const CODE: u64 = super::SCRATCH_CODE;
/// User instructions (ring 3) or machine steps (ring 0) per input.
pub const STEPS: u64 = 400;
/// Flags the input may set (bit 1 is always set; VM, VIF, VIP are not modelled in long mode).
pub const FLAG_MASK: u64 = rflags::STATUS
    | rflags::TF
    | rflags::IF
    | rflags::DF
    | rflags::IOPL
    | rflags::NT
    | rflags::RF
    | rflags::AC
    | rflags::ID;

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut l = super::scratch();
    let mut inp = Input::new(data);
    let mode = inp.u8();
    let ring0 = mode & 1 == 1;
    let timer = mode & 2 == 2;
    let s = &mut l.m.cpu.s;
    for g in s.gpr.iter_mut() {
        *g = inp.edgy_u64();
    }
    for x in s.xmm.iter_mut().take(4) {
        *x = u128::from(inp.edgy_u64()) << 64 | u128::from(inp.edgy_u64());
    }
    s.rflags = rflags::FIXED | (inp.u32() as u64 & FLAG_MASK);
    s.fs_base = inp.edgy_u64();
    s.gs_base = inp.edgy_u64();
    s.rip = CODE + u64::from(inp.u8() % 32);
    if ring0 {
        s.cs = KERNEL_CS;
        s.ss = KERNEL_DS;
    } else {
        s.cs = USER_CS;
        s.ss = USER_DS;
    }
    let code = inp.take(4096);
    if l.mm.poke(&mut l.m.mmu, CODE, code).is_err() {
        panic!("cannot write the code page");
    }
    if timer && l.m.timer.enable(7, 0x20).is_err() {
        panic!("the timer refuses period 7");
    }
    if ring0 {
        for _ in 0..STEPS {
            if l.m.step().is_err() {
                break; // a triple fault: the machine resets, the model stops here
            }
        }
    } else {
        let before = l.instructions();
        let done = l.run(STEPS);
        assert!(l.instructions() - before <= STEPS);
        if done {
            assert_ne!(l.state, ProcessState::Running);
        }
    }
}
