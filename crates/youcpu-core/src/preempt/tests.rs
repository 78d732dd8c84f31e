#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use crate::cpu::state::GPR_NAMES;
use proptest::prelude::*;

fn spec(p: Program, letter: u8, mode: Mode) -> ProcessSpec {
    ProcessSpec::new(p, letter, mode)
}

fn system(programs: &[Program], mode: Mode) -> System {
    let processes = programs
        .iter()
        .enumerate()
        .map(|(i, p)| spec(*p, b'A' + i as u8, mode))
        .collect();
    System::new(&Config { processes, mode }).unwrap()
}

fn custom(sources: &[String], mode: Mode) -> System {
    let processes = sources
        .iter()
        .enumerate()
        .map(|(i, s)| ProcessSpec {
            program: None,
            source: s.clone(),
            letter: b'a' + i as u8,
        })
        .collect();
    System::new(&Config { processes, mode }).unwrap()
}

/// The user-visible state of a task: its 16 registers, RIP and the status flags, from the CPU
/// when it is on it in ring 3, else from its saved frame on its kernel stack.
fn task_state(s: &System, i: usize) -> ([u64; 16], u64, u64) {
    if s.cpu().current == i {
        assert!(!s.in_kernel(), "read task state while the kernel runs");
        let st = &s.m.cpu.s;
        return (st.gpr, st.rip, st.rflags & rflags::STATUS);
    }
    let f = s.saved_frame(i).unwrap();
    let get = |name: &str| f.iter().find(|x| x.name == name).unwrap().value;
    let mut g = [0u64; 16];
    for (k, n) in GPR_NAMES.iter().enumerate() {
        g[k] = get(n);
    }
    (g, get("rip"), get("rflags") & rflags::STATUS)
}

/// Steps until the CPU is in ring 3 (a kernel trip is short).
fn to_user(s: &mut System) {
    for _ in 0..10_000 {
        if !s.in_kernel() {
            return;
        }
        s.step().unwrap();
    }
    panic!("the kernel never returned");
}

const PATTERN: [(&str, u64); 15] = [
    ("rax", 0x1111_1111_1111_1111),
    ("rbx", 0x2222_2222_2222_2222),
    ("rcx", 0x3333_3333_3333_3333),
    ("rdx", 0x4444_4444_4444_4444),
    ("rsi", 0x5555_5555_5555_5555),
    ("rdi", 0x6666_6666_6666_6666),
    ("rbp", 0x7777_7777_7777_7777),
    ("r8", 0x8888_8888_8888_8888),
    ("r9", 0x9999_9999_9999_9999),
    ("r10", 0xaaaa_aaaa_aaaa_aaaa),
    ("r11", 0xbbbb_bbbb_bbbb_bbbb),
    ("r12", 0xcccc_cccc_cccc_cccc),
    ("r13", 0xdddd_dddd_dddd_dddd),
    ("r14", 0xeeee_eeee_eeee_eeee),
    ("r15", 0x0f0f_0f0f_0f0f_0f0f),
];

fn pattern_program(xor: u64) -> String {
    let mut s = String::from("start:\n");
    for (r, v) in PATTERN {
        s.push_str(&format!("    mov {r}, {:#x}\n", v ^ xor));
    }
    s.push_str("top:\n    inc qword ptr [0x600000]\n    jmp top\n");
    s
}

#[test]
fn preemption_keeps_every_register_of_every_process() {
    let xors = [0, 0x0123_4567_89ab_cdef];
    let mut s = custom(
        &[pattern_program(xors[0]), pattern_program(xors[1])],
        Mode::Preemptive { period: 97 },
    );
    // Past each task's 15 movs, checked at every step from then on.
    s.run(2_000, Until::Budget).unwrap();
    let mut checked = 0;
    for _ in 0..40_000 {
        s.step().unwrap();
        if s.in_kernel() {
            continue;
        }
        for (i, x) in xors.iter().enumerate() {
            let (g, _, _) = task_state(&s, i);
            for (r, v) in PATTERN {
                let k = GPR_NAMES.iter().position(|n| *n == r).unwrap();
                assert_eq!(g[k], v ^ x, "task {} {r}", i + 1);
            }
            assert_eq!(g[RSP], USER_STACK_TOP, "task {} rsp", i + 1);
        }
        checked += 1;
    }
    // The timer counts kernel instructions too: about half of each period is the switch.
    assert!(checked > 10_000, "{checked}");
    assert!(s.timer_interrupts() > 300, "{}", s.timer_interrupts());
    let p = s.processes();
    assert!(p[0].counter > 1000 && p[1].counter > 1000);
    // The frame a waiting task left: its user CS/SS and IF on.
    let f = s.saved_frame(1 - s.cpu().current).unwrap();
    let get = |n: &str| f.iter().find(|x| x.name == n).unwrap().value;
    assert_eq!(get("cs"), u64::from(USER_CS));
    assert_eq!(get("ss"), u64::from(USER_DS));
    assert_ne!(get("rflags") & rflags::IF, 0);
}

#[test]
fn cr3_and_rsp0_follow_the_running_task() {
    let mut s = system(
        &[Program::Counter, Program::SlowCounter, Program::Counter],
        Mode::Preemptive { period: 120 },
    );
    let cr3s: Vec<u64> = s.processes().iter().map(|p| p.cr3).collect();
    assert_eq!(cr3s.len(), 3);
    assert!(cr3s[0] != cr3s[1] && cr3s[1] != cr3s[2] && cr3s[0] != cr3s[2]);
    let mut seen = [false; 3];
    for _ in 0..20_000 {
        s.step().unwrap();
        if s.in_kernel() {
            continue;
        }
        let c = s.cpu();
        seen[c.current] = true;
        assert_eq!(c.cr3, cr3s[c.current]);
        assert_eq!(s.m.cpu.s.tss_rsp0, kstack_top(c.current));
        assert_eq!(s.kread(TSS_RSP0).unwrap(), kstack_top(c.current));
        assert_eq!(c.cpl, 3);
        assert!(c.interrupts_on);
    }
    assert_eq!(seen, [true; 3]);
    // The same virtual data page, three different frames.
    let p = s.processes();
    assert!(p[0].data_phys != p[1].data_phys && p[1].data_phys != p[2].data_phys);
    // Each switch's record: CR3 changes to the next task's, the frame saved on the old task's
    // kernel stack.
    let sw: Vec<&Switch> = s
        .switches()
        .iter()
        .filter(|w| w.reason == Reason::Timer)
        .collect();
    assert!(sw.len() > 50);
    for w in sw {
        let from = w.from.unwrap();
        assert_eq!(w.to, (from + 1) % 3, "round robin");
        assert_eq!(w.cr3_from, cr3s[from]);
        assert_eq!(w.cr3_to, cr3s[w.to]);
        assert_eq!(w.rsp0, kstack_top(from));
        assert_eq!(w.rsp0_to, kstack_top(w.to));
        assert_eq!(w.saved_at, Some(kstack_top(from) - FRAME_BYTES));
        assert_eq!(w.handler, s.kernel_listing().label("timer_entry").unwrap());
        assert!(w.explain().contains("IDT vector 32"));
    }
}

#[test]
fn the_timer_period_is_honoured() {
    for period in [60, 100, 257] {
        let mut s = system(
            &[Program::Counter, Program::SlowCounter],
            Mode::Preemptive { period },
        );
        // Count the instructions between ticks ourselves, step by step.
        let (mut fires, mut delivered) = (Vec::new(), Vec::new());
        let mut last_tick = 0;
        for _ in 0..30_000 {
            let (ticks, ints) = (s.m.timer.ticks, s.timer_interrupts());
            s.step().unwrap();
            if s.m.timer.ticks != ticks {
                fires.push(s.instructions());
                last_tick = s.instructions();
            }
            if s.timer_interrupts() != ints {
                delivered.push((s.instructions(), last_tick));
            }
        }
        assert!(fires.len() > 100, "period {period}");
        assert_eq!(fires[0], period);
        for w in fires.windows(2) {
            assert_eq!(w[1] - w[0], period, "period {period}");
        }
        // Delivered at once in ring 3; a tick during a kernel trip (IF = 0) waits for the
        // IRETQ, never longer than the longest trip (the write path, 62 instructions).
        for (at, fired) in &delivered {
            assert!(
                at - fired <= 62,
                "period {period}: fired {fired}, delivered {at}"
            );
        }
        // The switch log says when it fired and when it was delivered.
        for w in s.switches().iter().filter(|w| w.reason == Reason::Timer) {
            let f = w.fired_at.unwrap();
            assert!(f <= w.at && f % period == 0);
            if f < w.at {
                assert!(w.explain().contains("while the kernel ran with IF = 0"));
            }
        }
        // Below the write path's length two ticks can fall in one kernel trip: the second
        // finds the first still pending and is merged, as a real interrupt line does.
        let lost = fires.len() - delivered.len();
        if period > 62 {
            assert!(lost <= 1, "period {period}: {lost}");
        }
    }
}

#[test]
fn a_period_shorter_than_the_handler_starves_the_processes() {
    // The handler takes more than 10 instructions: the next tick is already pending when it
    // returns, so each task gets no instruction at all before the next interrupt.
    let mut s = system(
        &[Program::Counter, Program::Counter],
        Mode::Preemptive { period: 10 },
    );
    s.run(20_000, Until::Budget).unwrap();
    let kernel = s.switches().back().unwrap().kernel_instructions;
    assert!(kernel > 10, "{kernel}");
    let user: u64 = s.processes().iter().map(|p| p.user_instructions).sum();
    assert!(user < 50, "{user}");
    assert!(s.timer_interrupts() > 100);
}

#[test]
fn cooperative_switches_only_on_yield() {
    let mode = Mode::Cooperative { yield_every: 5 };
    let mut s = system(&[Program::Counter, Program::SlowCounter], mode);
    s.run(50_000, Until::Budget).unwrap();
    assert_eq!(s.timer_interrupts(), 0);
    assert!(s.m.timer.period.is_none());
    let sw: Vec<&Switch> = s.switches().iter().skip(1).collect();
    assert!(sw.len() > 100);
    assert!(sw.iter().all(|w| w.reason == Reason::Yield));
    for w in &sw {
        assert_eq!(w.to, 1 - w.from.unwrap());
        assert_eq!(
            w.handler,
            s.kernel_listing().label("syscall_entry").unwrap()
        );
    }
    assert_eq!(s.yields(), s.switch_total() - 1);
    // A task switches exactly every 5 increments: its counter is a multiple of 5 while waiting.
    to_user(&mut s);
    let waiting = 1 - s.cpu().current;
    assert_eq!(s.processes()[waiting].counter % 5, 0);
    let console = s.console();
    assert!(console.contains('A') && console.contains('B'), "{console}");
}

#[test]
fn a_runaway_freezes_cooperative_mode_and_is_preempted_otherwise() {
    let progs = [Program::Counter, Program::Runaway, Program::Counter];
    let mut s = system(&progs, Mode::Cooperative { yield_every: 4 });
    s.run(20_000, Until::Budget).unwrap();
    let before = s.processes();
    assert_eq!(s.cpu().current, 1);
    let why = s.frozen().unwrap();
    assert!(why.contains("timer is off"), "{why}");
    let switches = s.switch_total();
    s.run(50_000, Until::Budget).unwrap();
    let after = s.processes();
    assert_eq!(after[0].counter, before[0].counter);
    assert_eq!(after[2].counter, before[2].counter);
    assert_eq!(after[1].counter, before[1].counter + 25_000);
    assert_eq!(s.switch_total(), switches);
    assert!(!s.in_kernel());

    let mut s = system(&progs, Mode::Preemptive { period: 300 });
    s.run(20_000, Until::Budget).unwrap();
    let before = s.processes();
    s.run(50_000, Until::Budget).unwrap();
    let after = s.processes();
    for i in 0..3 {
        assert!(after[i].counter > before[i].counter, "task {}", i + 1);
    }
    assert!(s.frozen().is_none());
    assert!(s
        .switches()
        .iter()
        .any(|w| w.from == Some(1) && w.reason == Reason::Timer));
}

#[test]
fn round_robin_is_fair_within_one_quantum() {
    let period = 500;
    let mut s = system(
        &[Program::Counter, Program::Counter, Program::Counter],
        Mode::Preemptive { period },
    );
    s.run(300_000, Until::Budget).unwrap();
    let p = s.processes();
    let u: Vec<u64> = p.iter().map(|x| x.user_instructions).collect();
    let (lo, hi) = (*u.iter().min().unwrap(), *u.iter().max().unwrap());
    assert!(hi - lo <= period, "{u:?}");
    let c: Vec<u64> = p.iter().map(|x| x.counter).collect();
    let (lo, hi) = (*c.iter().min().unwrap(), *c.iter().max().unwrap());
    // The tight loop is 4 instructions an increment (plus a write every 16).
    assert!(hi - lo <= period / 4 + 1, "{c:?}");
}

#[test]
fn absurd_settings_are_refused_clearly() {
    let mk = |n: usize, mode: Mode| {
        System::new(&Config {
            processes: (0..n).map(|_| spec(Program::Counter, b'A', mode)).collect(),
            mode,
        })
    };
    let p = Mode::Preemptive { period: 100 };
    assert_eq!(mk(0, p).err(), Some(Error::Processes(0)));
    let e = mk(10, p).err().unwrap();
    assert_eq!(e, Error::Processes(10));
    assert!(e.to_string().contains("1 to 8 processes, not 10"), "{e}");
    let e = mk(2, Mode::Preemptive { period: 0 }).err().unwrap();
    assert_eq!(e, Error::Period(0));
    assert!(
        e.to_string().contains("1 to 1,000,000 instructions, not 0"),
        "{e}"
    );
    let e = mk(2, Mode::Preemptive { period: u64::MAX }).err().unwrap();
    assert!(
        e.to_string().contains("not 18,446,744,073,709,551,615"),
        "{e}"
    );
    let e = mk(2, Mode::Cooperative { yield_every: 0 }).err().unwrap();
    assert_eq!(e, Error::YieldEvery(0));
    assert!(e.to_string().contains("every 1 to"), "{e}");
    // Eight processes, the largest period: builds and runs.
    let mut s = mk(8, Mode::Preemptive { period: MAX_PERIOD }).unwrap();
    s.run(1000, Until::Budget).unwrap();
    // A process that faults stops the machine with a message, no panic.
    let mut s = custom(&["mov rax, [0]".to_string()], p);
    let e = s.run(100, Until::Budget).err().unwrap();
    assert!(matches!(e, Error::Raised { task: 1, .. }), "{e}");
    assert!(e.to_string().starts_with("task 1 raised"), "{e}");
    assert_eq!(s.step().err().unwrap(), e);
    assert_eq!(s.stopped(), Some(&e));
    let e = System::new(&Config {
        processes: vec![ProcessSpec {
            program: None,
            source: "top:\n    frobnicate rax\n".into(),
            letter: b'x',
        }],
        mode: p,
    })
    .err()
    .unwrap();
    assert!(matches!(&e, Error::Source { process: 1, .. }), "{e}");
    assert!(e.to_string().starts_with("process 1: line 2"), "{e}");
}

#[test]
fn system_call_numbers_match_the_c_library() {
    // arch/x86/entry/syscalls/syscall_64.tbl, as this machine's C library numbers them.
    assert_eq!(SYS_YIELD, libc::SYS_sched_yield as u64);
    assert_eq!(SYS_WRITE, libc::SYS_write as u64);
}

#[test]
fn the_line_at_rip_follows_kernel_and_task() {
    let mut s = system(
        &[Program::Counter, Program::Counter],
        Mode::Preemptive { period: 200 },
    );
    assert_eq!(s.line_at_rip(), Some("xor ebx, ebx"));
    s.run(10_000, Until::Switch).unwrap();
    assert_eq!(s.line_at_rip(), Some("inc qword ptr [0x600000]"));
    s.run(10_000, Until::Switch).unwrap();
    // Resumed where it was preempted, mid-loop: a line of the counter program.
    assert!(s
        .listing(1)
        .unwrap()
        .lines
        .iter()
        .any(|l| Some(l.text.trim()) == s.line_at_rip()));
}

#[test]
fn run_until_switch_stops_after_the_iretq() {
    let mut s = system(
        &[Program::Counter, Program::Counter],
        Mode::Preemptive { period: 200 },
    );
    let n = s.run(10_000, Until::Switch).unwrap();
    assert_eq!(s.switches().back().unwrap().reason, Reason::Boot);
    assert!(n < 50);
    s.run(10_000, Until::Switch).unwrap();
    let w = s.switches().back().unwrap();
    assert_eq!((w.reason, w.from, w.to), (Reason::Timer, Some(0), 1));
    assert_eq!(s.cpu().rip, w.resume_rip);
    assert_eq!(w.resume_rip, USER_CODE);
    let text = w.explain();
    assert!(text.starts_with("instruction 200: timer fires"), "{text}");
    assert!(text.contains("iretq to RIP 0x400000 in ring 3"), "{text}");
}

/// A random straight-line block of register arithmetic, looped.
fn random_program(ops: &[(u8, u8, u8, u32)]) -> String {
    // No RSP (index 4): the program keeps its stack.
    const REGS: [&str; 15] = [
        "rax", "rcx", "rdx", "rbx", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
        "r14", "r15",
    ];
    let mut s = String::from("top:\n");
    for (i, &(op, a, b, imm)) in ops.iter().enumerate() {
        let (ra, rb) = (REGS[a as usize % 15], REGS[b as usize % 15]);
        let line = match op % 9 {
            0 => format!("add {ra}, {}", imm & 0x7fff_ffff),
            1 => format!("xor {ra}, {rb}"),
            2 => format!("imul {ra}, {rb}"),
            3 => format!("rol {ra}, {}", imm % 63 + 1),
            4 => format!("adc {ra}, {rb}"),
            5 => format!("sbb {ra}, {rb}"),
            6 => format!("lea {ra}, [{ra} + {rb}*2 + {}]", imm & 0xffff),
            7 => format!("mov {ra}, {:#x}", u64::from(imm) * 0x1_0000_0001 + i as u64),
            _ => "inc qword ptr [0x600000]".to_string(),
        };
        s.push_str("    ");
        s.push_str(&line);
        s.push('\n');
    }
    s.push_str("    jmp top\n");
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever the period and the programs, every process ends exactly where it would have
    /// run alone for the same number of its own instructions: registers, RIP, status flags.
    #[test]
    fn switches_are_invisible_to_the_processes(
        period in 40u64..700,
        steps in 2_000u64..12_000,
        progs in proptest::collection::vec(
            proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u32>()), 1..12),
            2..4,
        ),
    ) {
        let sources: Vec<String> = progs.iter().map(|p| random_program(p)).collect();
        let mut s = custom(&sources, Mode::Preemptive { period });
        s.run(steps, Until::Budget).unwrap();
        to_user(&mut s);
        for (i, src) in sources.iter().enumerate() {
            let target = s.processes()[i].user_instructions;
            let mut alone = custom(std::slice::from_ref(src), Mode::Cooperative { yield_every: 1 });
            to_user(&mut alone);
            while alone.processes()[0].user_instructions < target {
                alone.step().unwrap();
            }
            prop_assert_eq!(task_state(&s, i), task_state(&alone, 0), "task {}", i + 1);
            prop_assert_eq!(s.processes()[i].counter, alone.processes()[0].counter);
        }
    }
}
