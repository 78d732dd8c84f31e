//! Robustness: random bytes executed as code, with random register values, must never panic
//! the simulator (a panic in wasm kills the page). Each run ends in a signal, an exit, the
//! step budget or a crash report; all are fine, a panic is not. Debug builds also check
//! arithmetic overflow, so this runs the interpreter's every path with hostile operands.

#![allow(clippy::unwrap_used)] // tests may unwrap

use youcpu_core::cpu::state::rflags;
use youcpu_core::linux::mm::Prot;
use youcpu_core::linux::{Config, Linux, USER_CS, USER_DS};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn interesting(r: &mut Rng) -> u64 {
    match r.next() % 6 {
        0 => 0,
        1 => u64::MAX,
        2 => 1 << 63,
        3 => 0x40_0000 + r.next() % 0x2000, // inside the mapped pages
        4 => r.next() % 256,
        _ => r.next(),
    }
}

#[test]
fn random_code_never_panics() {
    let base = Linux::new(&Config {
        memory_limit: 8 << 20,
        ..Config::default()
    })
    .unwrap();
    let mut rng = Rng(12345);
    let mut outcomes = std::collections::BTreeMap::<String, u32>::new();
    for _ in 0..20_000 {
        let mut l = base.clone();
        l.mm.map_now(
            &mut l.m.mmu,
            0x40_0000,
            Prot {
                read: true,
                write: true,
                exec: true,
            },
        )
        .unwrap();
        l.mm.map_now(
            &mut l.m.mmu,
            0x40_1000,
            Prot {
                read: true,
                write: true,
                exec: false,
            },
        )
        .unwrap();
        let code: Vec<u8> = (0..256)
            .map(|_| {
                // Bias towards prefixes and common opcodes so more instructions decode.
                let b = rng.next() as u8;
                match rng.next() % 8 {
                    0 => [0x48, 0x66, 0xf3, 0xf2, 0x0f, 0x4c, 0x41, 0xc4][(b % 8) as usize],
                    _ => b,
                }
            })
            .collect();
        l.mm.poke(&mut l.m.mmu, 0x40_0000, &code).unwrap();
        let s = &mut l.m.cpu.s;
        for g in s.gpr.iter_mut() {
            *g = interesting(&mut rng);
        }
        s.gpr[4] = 0x40_1800;
        for x in s.xmm.iter_mut() {
            *x = u128::from(rng.next()) << 64 | u128::from(rng.next());
        }
        s.rip = 0x40_0000 + rng.next() % 64;
        s.cs = USER_CS;
        s.ss = USER_DS;
        s.rflags = rflags::FIXED | rflags::IF | (rng.next() & (rflags::STATUS | rflags::DF));
        l.run(300);
        let key = match &l.state {
            youcpu_core::linux::ProcessState::Running => "running".to_string(),
            youcpu_core::linux::ProcessState::Exited { .. } => "exited".to_string(),
            youcpu_core::linux::ProcessState::Killed { signal, .. } => format!("signal {signal}"),
            youcpu_core::linux::ProcessState::Crashed { .. } => "crashed".to_string(),
        };
        *outcomes.entry(key).or_default() += 1;
    }
    // Most random code faults quickly; many different outcomes show the paths were exercised.
    assert!(outcomes.len() >= 3, "{outcomes:?}");
    eprintln!("{outcomes:?}");
}
