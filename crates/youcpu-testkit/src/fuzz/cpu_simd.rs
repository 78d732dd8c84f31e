//! The floating-point and SIMD units on arbitrary code and state: MXCSR (any rounding mode,
//! DAZ/FTZ, exceptions unmasked too), the x87 control word, TOP, tags and registers (any
//! 80-bit patterns: NaNs, unnormals, pseudo-denormals), all sixteen XMM registers and edgy
//! general registers; the code page gets the input's bytes with SSE/x87 escapes spliced in
//! (so most instructions land in the 0F, 0F 38, 0F 3A and D8-DF maps). Ring 3 under the model
//! kernel: #UD, #GP, #XM, #MF become signals. Invariants as for `cpu_exec`: no panic, the run
//! stops by the budget, a process that stopped says how.

use super::input::Input;
use youcpu_core::cpu::state::rflags;
use youcpu_core::linux::{ProcessState, USER_CS, USER_DS};

/// Where the code is placed.
pub const CODE: u64 = super::SCRATCH_CODE;
/// User instructions per input.
pub const STEPS: u64 = 400;

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut l = super::scratch();
    let mut inp = Input::new(data);
    let cpu = &mut l.m.cpu;
    cpu.s.mxcsr = u32::from(inp.u16());
    cpu.s.x87.fcw = inp.u16();
    cpu.s.x87.fsw = inp.u16() & 0x7fff;
    cpu.s.x87.top = inp.u8() & 7;
    cpu.s.x87.valid = inp.u8();
    for r in cpu.s.x87.regs.iter_mut() {
        r.se = inp.u16();
        r.sig = inp.edgy_u64();
    }
    for x in cpu.s.xmm.iter_mut() {
        *x = u128::from(inp.edgy_u64()) << 64 | u128::from(inp.edgy_u64());
    }
    for g in cpu.s.gpr.iter_mut() {
        *g = inp.edgy_u64();
    }
    cpu.s.gpr[4] = CODE + 0x1800;
    cpu.s.rflags = rflags::FIXED | rflags::IF | (u64::from(inp.u8()) & rflags::STATUS);
    cpu.s.rip = CODE;
    cpu.s.cs = USER_CS;
    cpu.s.ss = USER_DS;
    // Code: each input byte below 0x20 chooses an escape to splice in before the next bytes.
    let mut code = Vec::with_capacity(4096);
    for &b in inp.rest() {
        if code.len() >= 4000 {
            break;
        }
        match b {
            0x00..=0x07 => code.extend_from_slice(&[0x0f]),
            0x08..=0x0b => code.extend_from_slice(&[0x66, 0x0f]),
            0x0c..=0x0d => code.extend_from_slice(&[0xf2, 0x0f]),
            0x0e..=0x0f => code.extend_from_slice(&[0xf3, 0x0f]),
            0x10..=0x13 => code.extend_from_slice(&[0x66, 0x0f, 0x38]),
            0x14..=0x17 => code.extend_from_slice(&[0x66, 0x0f, 0x3a]),
            0x18..=0x1f => code.push(0xd8 + (b & 7)),
            _ => code.push(b),
        }
    }
    if l.mm.poke(&mut l.m.mmu, CODE, &code).is_err() {
        panic!("cannot write the code page");
    }
    let before = l.instructions();
    let done = l.run(STEPS);
    assert!(l.instructions() - before <= STEPS);
    if done {
        assert_ne!(l.state, ProcessState::Running);
    }
}
