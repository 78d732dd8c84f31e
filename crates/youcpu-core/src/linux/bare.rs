//! A bare ring-3 process: a few bytes of machine code on one page and a one-page stack, with
//! no ELF file and no initial stack contents (no argv, environment or auxiliary vector). The
//! widgets that step a small program (`fetch-execute`, `rings`, `syscall`) and the interpreter
//! benchmarks start from it; a real program goes through [`Linux::exec`] instead.

use super::mm::Prot;
use super::{Config, Error, Linux, USER_CS, USER_DS};
use crate::cpu::state::{rflags, State as CpuState, RSP};
use crate::mmu::phys::PAGE_SIZE;

/// Where and what a [`Linux::bare`] process runs.
#[derive(Clone, Copy, Debug)]
pub struct Bare<'a> {
    /// The address of the first instruction (the start of a page).
    pub code_at: u64,
    /// The machine code, at most one page.
    pub code: &'a [u8],
    /// The top of the stack (RSP at the start); the page below it is mapped read-write.
    pub stack_top: u64,
}

impl Linux {
    /// A process in ring 3 about to run `bare.code`: the code's page is mapped read and
    /// execute, the page under `bare.stack_top` read and write, RIP and RSP point at them,
    /// CS and SS hold the user selectors and RFLAGS has only IF set (as after `execve`).
    pub fn bare(cfg: &Config, bare: Bare<'_>) -> Result<Linux, Error> {
        if bare.code.len() > PAGE_SIZE as usize {
            return Err(Error::CodeTooLong {
                len: bare.code.len(),
            });
        }
        if !bare.code_at.is_multiple_of(PAGE_SIZE) || !bare.stack_top.is_multiple_of(PAGE_SIZE) {
            return Err(Error::Unaligned);
        }
        let mut os = Linux::new(cfg)?;
        let rx = Prot::RX;
        let rw = Prot::RW;
        os.mm.map_now(&mut os.m.mmu, bare.code_at, rx)?;
        os.mm
            .map_now(&mut os.m.mmu, bare.stack_top - PAGE_SIZE, rw)?;
        os.mm.poke(&mut os.m.mmu, bare.code_at, bare.code)?;
        enter_ring3(&mut os.m.cpu.s, bare.code_at, bare.stack_top);
        Ok(os)
    }
}

/// Sets the CPU as `execve` leaves it for ring 3 (arch/x86 `start_thread`): RIP at `rip`, RSP
/// at `rsp`, the user CS and SS, RFLAGS with only IF (and the fixed bit 1) set. Every start of
/// a ring-3 program goes through it: [`Linux::bare`], [`Linux::exec`]'s load, and the test
/// kit's scratch processes.
pub fn enter_ring3(s: &mut CpuState, rip: u64, rsp: u64) {
    s.rip = rip;
    s.gpr[RSP] = rsp;
    s.cs = USER_CS;
    s.ss = USER_DS;
    s.rflags = rflags::FIXED | rflags::IF;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_process_runs_its_code_in_ring_3_and_exits() {
        // mov edi, 7; mov eax, 231 (exit_group); syscall
        let code = [0xbf, 7, 0, 0, 0, 0xb8, 231, 0, 0, 0, 0x0f, 0x05];
        let cfg = Config::default();
        let mut os = Linux::bare(
            &cfg,
            Bare {
                code_at: 0x40_1000,
                code: &code,
                stack_top: 0x7ffe_0000,
            },
        )
        .unwrap();
        assert_eq!(os.m.cpu.s.cs & 3, 3, "ring 3");
        os.run(100);
        assert_eq!(os.instructions(), 3);
        assert!(Linux::bare(
            &cfg,
            Bare {
                code_at: 0x40_1001,
                code: &code,
                stack_top: 0x7ffe_0000
            }
        )
        .is_err());
        assert!(Linux::bare(
            &cfg,
            Bare {
                code_at: 0x40_1000,
                code: &[0x90; 4097],
                stack_top: 0x7ffe_0000
            }
        )
        .is_err());
    }
}
