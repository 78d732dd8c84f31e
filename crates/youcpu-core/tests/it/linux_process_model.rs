//! The simulated process model where the real system's answer depends on its set-up (who
//! reaps orphans, process limits, what happens when the first process ends), leaks, and bad
//! system-call arguments: run in the simulator only.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

use harness::{build, sim_linux, Build};
use youcpu_core::cpu::state::{R10, R8, R9, RAX, RDI, RDX, RSI};
use youcpu_core::linux::mm::{Prot, Vma, VmaKind};
use youcpu_core::linux::process::MAX_PROCESSES;
use youcpu_core::linux::{Config, Linux, ProcessState};

fn run(case: &[&str]) -> Linux {
    let exe = build("fork_model.c", Build::Musl);
    sim_linux(&exe, case, 200_000_000)
}

fn out(l: &Linux) -> String {
    String::from_utf8_lossy(&l.stdout).into_owned()
}

#[test]
fn orphans_go_to_the_first_process() {
    let l = run(&["orphan"]);
    assert_eq!(
        out(&l),
        // Round robin after the child's exit: pid 3 (the grandchild) runs before pid 1.
        "grandchild: new parent 1\nchild 3\nreaped the grandchild too: 1 status 4\n"
    );
    assert_eq!(l.state, ProcessState::Exited { code: 0 });
    assert_eq!(l.procs.len(), 1);
}

#[test]
fn fork_bomb_stops_at_the_process_limit() {
    let l = run(&["bomb"]);
    assert_eq!(
        out(&l),
        format!(
            "fork {} failed: Resource temporarily unavailable\n",
            MAX_PROCESSES - 1
        )
    );
    assert_eq!(l.state.shell_status(), Some(128 + 9));
}

#[test]
fn children_die_with_the_first_process() {
    let l = run(&["leave"]);
    assert_eq!(l.state, ProcessState::Exited { code: 7 });
    assert!(l
        .procs
        .values()
        .filter(|p| p.pid != 1)
        .all(|p| matches!(p.state, ProcessState::Killed { signal: 9, .. })));
    assert_eq!(l.forks, 3);
}

#[test]
fn a_deadlock_stops_the_machine() {
    let l = run(&["deadlock"]);
    assert_eq!(out(&l), "child: No child process\n");
    match &l.state {
        ProcessState::Crashed { reason } => assert!(reason.starts_with("deadlock"), "{reason}"),
        s => panic!("{s:?}"),
    }
}

#[test]
fn children_leave_no_frames_behind() {
    let one = run(&["many", "1"]);
    let many = run(&["many", "25"]);
    assert_eq!(out(&many), "last status 25\n");
    assert_eq!(many.forks, 25);
    assert!(many.switches >= 50);
    assert_eq!(
        one.m.mmu.phys.allocated_frames(),
        many.m.mmu.phys.allocated_frames()
    );
    // Every description is closed once the run has ended, the first process's included.
    assert_eq!(many.files.len(), 0);
}

const CODE: u64 = 0x40_0000;
const STACK: u64 = 0x7fff_0000;

/// Every process runs `syscall; jmp back` and the test loads the registers before each call.
fn syscall_loop() -> Linux {
    let mut l = Linux::new(&Config::default()).unwrap();
    let rx = Prot::RX;
    l.mm.add(Vma::new(CODE, CODE + 4096, rx, VmaKind::Elf));
    l.mm.add(Vma::new(STACK - 65536, STACK, Prot::RW, VmaKind::Stack));
    let code = [0x0f, 0x05, 0xeb, 0xfc];
    youcpu_testkit::ring3::enter(&mut l, &[(CODE, rx)], CODE, &code, STACK - 64);
    l
}

#[test]
fn random_process_system_calls_never_panic() {
    let nrs = [
        0u64, 1, 3, 9, 11, 12, 13, 14, 20, 24, 32, 33, 39, 56, 57, 58, 60, 61, 62, 109, 110, 111,
        112, 121, 124, 186, 200, 231, 234, 247, 292, 435, 999,
    ];
    // YOUCPU_FUZZ_SEED and YOUCPU_FUZZ_ROUNDS run other or longer campaigns.
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let mut seed = env("YOUCPU_FUZZ_SEED", 0x9e37_79b9_7f4a_7c15).max(1);
    let rounds = env("YOUCPU_FUZZ_ROUNDS", 40);
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let arg = |n: u64, r: u64| match n % 10 {
        0 => 0,
        1 => u64::MAX,
        2 => r % 8,
        3 => STACK - 4096 + r % 4096,
        4 => r,
        5 => 17,
        6 => 0x4000_0000 | 1,
        7 => 1 << 47,
        8 => CODE + 2, // bytes of code: a short "path"
        _ => 9,
    };
    let mut calls = 0;
    for _ in 0..rounds {
        let mut l = syscall_loop();
        for _ in 0..300 {
            if l.state != ProcessState::Running {
                break;
            }
            let nr = nrs[(next() % nrs.len() as u64) as usize];
            let a: [u64; 6] = std::array::from_fn(|_| arg(next(), next()));
            // Mostly kill/wait/fork: exits only now and then, so trees grow.
            if (nr == 60 || nr == 231) && next() % 4 != 0 {
                continue;
            }
            let s = &mut l.m.cpu.s;
            if s.rip != CODE {
                l.run(1);
                continue;
            }
            s.gpr[RAX] = nr;
            for (r, v) in [RDI, RSI, RDX, R10, R8, R9].into_iter().zip(a) {
                s.gpr[r] = v;
            }
            l.run(2);
            calls += 1;
            assert!(l.procs.len() <= MAX_PROCESSES);
        }
        if let ProcessState::Crashed { reason } = &l.state {
            assert!(reason.starts_with("deadlock"), "{reason}");
        }
    }
    assert!(calls > rounds * 120, "{calls}");
    eprintln!("{calls} system calls in {rounds} machines");
}
