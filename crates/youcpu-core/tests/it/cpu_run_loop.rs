//! The hot loop ([`Linux::run`] → `Machine::run` → `Cpu::run`, which runs many instructions per
//! call and fetches by successor link) does exactly what single steps do ([`Linux::step_traced`]
//! → `Machine::step` → `Cpu::step`, one instruction per call, every fetch checked): same
//! registers, flags, memory, retired count, timer ticks and end, on random loops mixing compact
//! and generic instructions, stores into the code being run (the next instruction's immediate,
//! an opcode in the loop), system calls in the middle, faults, and timer interrupts, run in
//! budgets of random size.

#![allow(clippy::unwrap_used)] // tests may unwrap

use youcpu_core::cpu::state::rflags;
use youcpu_core::cpu::Event;
use youcpu_core::linux::{Config, Linux, ProcessState};
use youcpu_testkit::ring3::{self, RW, RWX};
use youcpu_testkit::rng::{Rng, SplitMix64};

const CODE: u64 = 0x40_0000;
const STACK_PAGE: u64 = 0x40_2000;

/// Instructions that need no patching (the compact forms and some generic ones).
const PLAIN: &[&[u8]] = &[
    &[0x48, 0x01, 0xd8],                   // add rax, rbx
    &[0x48, 0x31, 0xc2],                   // xor rdx, rax
    &[0x29, 0xc1],                         // sub ecx, eax
    &[0x48, 0x89, 0x54, 0x24, 0xf8],       // mov [rsp-8], rdx
    &[0x48, 0x8b, 0x5c, 0x24, 0xf8],       // mov rbx, [rsp-8]
    &[0x0f, 0xb6, 0x44, 0x24, 0xf9],       // movzx eax, byte [rsp-7]
    &[0x48, 0x63, 0x74, 0x24, 0xf8],       // movsxd rsi, [rsp-8]
    &[0x48, 0xd1, 0xe3],                   // shl rbx, 1
    &[0x48, 0xd3, 0xea],                   // shr rdx, cl
    &[0xc1, 0xf8, 0x03],                   // sar eax, 3
    &[0x48, 0x8d, 0x4c, 0x98, 0x08],       // lea rcx, [rax+rbx*4+8]
    &[0x48, 0x0f, 0x44, 0xf2],             // cmovz rsi, rdx
    &[0x0f, 0x92, 0xc0],                   // setb al
    &[0x50, 0x5f],                         // push rax; pop rdi
    &[0x66, 0x01, 0xc3],                   // add bx, ax
    &[0x00, 0xe0],                         // add al, ah (high byte: generic)
    &[0x48, 0xff, 0xc6],                   // inc rsi
    &[0x48, 0x83, 0x44, 0x24, 0xf0, 0x05], // add qword [rsp-16], 5
    &[0x48, 0x0f, 0xaf, 0xc3],             // imul rax, rbx (generic)
    &[0x48, 0x0f, 0xbc, 0xd0],             // bsf rdx, rax (generic)
    &[0x48, 0x87, 0xd9],                   // xchg rcx, rbx (generic)
    &[0xf2, 0x48, 0x0f, 0x2a, 0xc0],       // cvtsi2sd xmm0, rax (generic)
    &[0xf2, 0x0f, 0x58, 0xc8],             // addsd xmm1, xmm0 (generic)
    &[0x74, 0x03, 0x48, 0xff, 0xc0],       // jz +3; inc rax
    &[0xe8, 0, 0, 0, 0, 0x5e],             // call next; pop rsi
    &[0x9c, 0x58],                         // pushfq; pop rax (generic)
];

/// Rare instructions that may end the program: a load from wherever RAX points (usually
/// SIGSEGV), a division (SIGFPE on zero), INT3 (SIGTRAP), UD2 (SIGILL).
const RARE: &[&[u8]] = &[
    &[0x48, 0x8b, 0x00],              // mov rax, [rax]
    &[0x48, 0xf7, 0xf3],              // div rbx
    &[0xcc],                          // int3
    &[0x0f, 0x0b],                    // ud2
    &[0x48, 0x89, 0x00],              // mov [rax], rax
    &[0xb8, 39, 0, 0, 0, 0x0f, 0x05], // getpid (a system call in the middle)
];

/// A random loop: a body of instructions, some of which rewrite code in the body, run R15
/// times, then exit_group(RBX & 0xff).
fn program(r: &mut SplitMix64) -> Vec<u8> {
    let mut code = Vec::new();
    // mov r15d, iterations
    code.extend([0x41, 0xbf]);
    code.extend((50 + r.below(500) as u32).to_le_bytes());
    let top = code.len();
    // (position of a rel32 to fix, the code offset it must reach)
    let mut fixups: Vec<(usize, usize)> = Vec::new();
    let n = 4 + r.below(24);
    for _ in 0..n {
        match r.below(20) {
            0 => {
                // Patch the immediate of the very next instruction with the loop counter:
                // mov [rip+d], r15d; mov eax, imm32.
                code.extend([0x44, 0x89, 0x3d]);
                let at = code.len();
                code.extend([0; 4]);
                fixups.push((at, code.len() + 1));
                code.extend([0xb8, 0, 0, 0, 0]);
            }
            1 => {
                // Rewrite the opcode of a later ALU op into one of add/or/and/sub (01, 09, 21, 29):
                // by bits 3 and 5 of the loop counter: mov r8d, r15d; and r8b, 0x28; or r8b, 1;
                // mov [rip+d], r8b; ...; op ebx, eax.
                code.extend([
                    0x45, 0x89, 0xf8, 0x41, 0x80, 0xe0, 0x28, 0x41, 0x80, 0xc8, 0x01,
                ]);
                code.extend([0x44, 0x88, 0x05]);
                let at = code.len();
                code.extend([0; 4]);
                for _ in 0..r.below(3) {
                    code.extend(r.pick(PLAIN));
                }
                fixups.push((at, code.len()));
                code.extend([0x01, 0xc3]);
            }
            2 => {
                // A store that rewrites the next instruction's immediate on odd passes and
                // writes the stack on even ones (so the store's link to the next instruction
                // is in place when it rewrites it): lea rdi, [rip+d]; lea rax, [rsp-32];
                // test r15b, 1; cmovz rdi, rax; mov [rdi], r15d; mov eax, imm32; add r14d, eax.
                code.extend([0x48, 0x8d, 0x3d]);
                let at = code.len();
                code.extend([0; 4]);
                code.extend([0x48, 0x8d, 0x44, 0x24, 0xe0, 0x41, 0xf6, 0xc7, 0x01]);
                code.extend([0x48, 0x0f, 0x44, 0xf8, 0x44, 0x89, 0x3f]);
                fixups.push((at, code.len() + 1));
                code.extend([0xb8, 0, 0, 0, 0, 0x41, 0x01, 0xc6]);
            }
            3 if r.below(8) == 0 => code.extend(r.pick(RARE)),
            _ => code.extend(r.pick(PLAIN)),
        }
    }
    for (at, target) in fixups {
        // RIP-relative: from the end of the instruction holding the displacement.
        let rel = target as i64 - (at as i64 + 4);
        code[at..at + 4].copy_from_slice(&(rel as i32).to_le_bytes());
    }
    // dec r15; jnz top (rel32)
    code.extend([0x49, 0xff, 0xcf, 0x0f, 0x85]);
    let rel = top as i64 - (code.len() as i64 + 4);
    code.extend((rel as i32).to_le_bytes());
    // mov edi, ebx; movzx edi, dil; mov eax, 231; syscall
    code.extend([
        0x89, 0xdf, 0x40, 0x0f, 0xb6, 0xff, 0xb8, 231, 0, 0, 0, 0x0f, 0x05,
    ]);
    code
}

fn machine(r: &mut SplitMix64, code: &[u8]) -> Linux {
    let timer_period = match r.below(3) {
        0 => None,
        1 => Some(1 + r.below(40)),
        _ => Some(50 + r.below(5000)),
    };
    let mut l = Linux::new(&Config {
        memory_limit: 8 << 20,
        timer_period,
        ..Config::default()
    })
    .unwrap();
    let pages = [(CODE, RWX), (CODE + 0x1000, RWX), (STACK_PAGE, RW)];
    ring3::enter(&mut l, &pages, CODE, code, STACK_PAGE + 0x800);
    let s = &mut l.m.cpu.s;
    for g in s.gpr.iter_mut() {
        *g = match r.below(3) {
            0 => r.below(16),
            1 => STACK_PAGE + r.below(0x1000),
            _ => r.next(),
        };
    }
    s.gpr[4] = STACK_PAGE + 0x800;
    s.rflags = rflags::FIXED | rflags::IF | (r.next() & rflags::STATUS);
    l
}

/// What the two runs must agree on.
#[derive(Debug, PartialEq)]
struct Seen {
    state: ProcessState,
    user: u64,
    kernel: u64,
    cpu: youcpu_core::cpu::state::State,
    timer: youcpu_core::machine::timer::Timer,
    code: Vec<u8>,
    stack: Vec<u8>,
}

fn observe(l: &mut Linux) -> Seen {
    let mut code = vec![0u8; 0x2000];
    l.m.mmu.read_bytes(CODE, &mut code, false).unwrap();
    let mut stack = vec![0u8; 0x1000];
    l.m.mmu.read_bytes(STACK_PAGE, &mut stack, false).unwrap();
    Seen {
        state: l.state.clone(),
        user: l.instructions(),
        kernel: l.m.cpu.retired_kernel,
        cpu: l.m.cpu.s.clone(),
        timer: l.m.timer.clone(),
        code,
        stack,
    }
}

/// [`Linux::run`] as it was before the run loop: one `Machine::step` per user instruction,
/// the kernel's work (`Linux::run(0)` does only that) whenever the core is in ring 0.
fn run_stepwise(l: &mut Linux, budget: u64) {
    let limit = l.instructions().saturating_add(budget);
    while l.state == ProcessState::Running {
        if l.m.cpu.s.cs & 3 == 0 {
            l.run(0);
            continue;
        }
        if l.instructions() >= limit {
            return;
        }
        match l.m.step() {
            Ok(Event::Delivered(d)) => l.last_fault = d.fault,
            Ok(_) => {}
            Err(t) => panic!("triple fault: {t}"),
        }
    }
}

#[test]
fn the_run_loop_does_what_single_steps_do() {
    let mut r = SplitMix64(0x2026_1207);
    let mut ends = std::collections::BTreeMap::<String, u32>::new();
    let mut instructions = 0u64;
    for case in 0..250 {
        let code = program(&mut r);
        let mut fast = machine(&mut r, &code);
        let mut slow = fast.clone();
        let mut chunks = 0;
        while fast.state == ProcessState::Running && chunks < 40 {
            let budget = match r.below(4) {
                0 => 1 + r.below(5),
                1 => 1 + r.below(100),
                _ => 1 + r.below(20_000),
            };
            fast.run(budget);
            run_stepwise(&mut slow, budget);
            let (a, b) = (observe(&mut fast), observe(&mut slow));
            assert_eq!(
                a, b,
                "case {case}, chunk {chunks}: the run loop and single steps differ"
            );
            chunks += 1;
        }
        instructions += fast.instructions();
        *ends.entry(ring3::outcome(&fast.state)).or_default() += 1;
    }
    eprintln!("{instructions} instructions; ends: {ends:?}");
    // The mix reached clean exits, signals and the code rewrites.
    assert!(ends.get("exited").copied().unwrap_or(0) >= 100, "{ends:?}");
    assert!(ends.len() >= 3, "{ends:?}");
    assert!(instructions > 500_000, "{instructions}");
}
