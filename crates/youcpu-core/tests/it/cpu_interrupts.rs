//! Exceptions, interrupts and system calls through the CPU model: IDT delivery with the
//! ring 3 -> 0 stack switch, IRETQ, SYSCALL/SYSRETQ state, privileged instructions, the timer,
//! #UD texts, double and triple faults, and the simulated kernel's handling.

#![allow(clippy::unwrap_used)] // tests may unwrap

use youcpu_core::cpu::fault::{vector, Fault};
use youcpu_core::cpu::state::{rflags, R11, RCX, RSP};
use youcpu_core::cpu::Event;
use youcpu_core::linux::mm::Prot;
use youcpu_core::linux::{
    Config, Linux, ProcessState, KERNEL_CS, KERNEL_STACK, KERNEL_STACK_PAGES, KERNEL_TEXT, USER_CS,
    USER_DS,
};

const CODE: u64 = 0x40_0000;
const STACK: u64 = 0x7000_0000;

/// A booted kernel with `code` at CODE in ring 3, a stack page below STACK.
fn user(code: &[u8], cfg: Config) -> Linux {
    let mut l = Linux::new(&cfg).unwrap();
    let pages = [(CODE, Prot::RX), (STACK - 4096, Prot::RW)];
    youcpu_testkit::ring3::enter(&mut l, &pages, CODE, code, STACK - 8);
    l
}

fn delivered(ev: Event) -> youcpu_core::cpu::interrupt::Delivery {
    match ev {
        Event::Delivered(d) => *d,
        other => panic!("expected a delivery, got {other:?}"),
    }
}

fn read_u64(l: &mut Linux, a: u64) -> u64 {
    let mut b = [0u8; 8];
    l.m.mmu.read_bytes(a, &mut b, false).unwrap();
    u64::from_le_bytes(b)
}

#[test]
fn int3_from_ring3_switches_to_rsp0_and_pushes_the_frame() {
    let mut l = user(&[0x90, 0xcc, 0x90], Config::default());
    assert!(matches!(l.m.step().unwrap(), Event::Retired));
    let d = delivered(l.m.step().unwrap());
    assert_eq!(
        (d.vector, d.from_cpl, d.to_cpl, d.error_code),
        (vector::BP, 3, 0, None)
    );
    assert_eq!(
        d.saved_rip,
        CODE + 2,
        "int3 is a trap: the next instruction is saved"
    );
    let top = KERNEL_STACK + KERNEL_STACK_PAGES * 4096;
    assert_eq!(d.new_rsp, top - 40);
    let s = &l.m.cpu.s;
    assert_eq!((s.cs, s.cpl(), s.rip), (KERNEL_CS, 0, d.handler));
    assert_eq!(s.rflags & rflags::IF, 0, "interrupt gates clear IF");
    // The frame: RIP, CS, RFLAGS, RSP, SS from the top.
    let sp = l.m.cpu.s.gpr[RSP];
    assert_eq!(read_u64(&mut l, sp), CODE + 2);
    assert_eq!(read_u64(&mut l, sp + 8), u64::from(USER_CS));
    assert_eq!(read_u64(&mut l, sp + 16) & rflags::IF, rflags::IF);
    assert_eq!(read_u64(&mut l, sp + 24), STACK - 8);
    assert_eq!(read_u64(&mut l, sp + 32), u64::from(USER_DS));
    let names: Vec<_> = d.frame().into_iter().map(|(a, n)| (a - sp, n)).collect();
    assert_eq!(
        names,
        [
            (0, "RIP"),
            (8, "CS"),
            (16, "RFLAGS"),
            (24, "RSP"),
            (32, "SS")
        ]
    );
    // IRETQ returns to ring 3 where it was.
    l.m.cpu.iretq(&mut l.m.mmu).unwrap();
    let s = &l.m.cpu.s;
    assert_eq!(
        (s.cs, s.ss, s.rip, s.gpr[RSP]),
        (USER_CS, USER_DS, CODE + 2, STACK - 8)
    );
    assert_ne!(s.rflags & rflags::IF, 0);
    // And the kernel turns the breakpoint into SIGTRAP.
    let mut l = user(&[0x90, 0xcc, 0x90], Config::default());
    l.run(10);
    assert!(matches!(l.state, ProcessState::Killed { signal: 5, .. }));
}

#[test]
fn page_fault_pushes_error_code_and_sets_cr2() {
    // mov al, [0x1234]
    let mut l = user(&[0x8a, 0x04, 0x25, 0x34, 0x12, 0, 0], Config::default());
    let d = delivered(l.m.step().unwrap());
    assert_eq!(d.vector, vector::PF);
    assert_eq!(d.error_code, Some(4), "user read of a not-present page");
    assert_eq!(d.saved_rip, CODE, "a fault saves the faulting instruction");
    assert_eq!(l.m.cpu.s.cr2, 0x1234);
    let sp = l.m.cpu.s.gpr[RSP];
    assert_eq!(read_u64(&mut l, sp), 4);
    assert_eq!(read_u64(&mut l, sp + 8), CODE);
    assert_eq!(d.frame()[..2], [(sp, "error code"), (sp + 8, "RIP")]);
    assert_eq!(l.m.cpu.retired_user, 0);
}

#[test]
fn divide_error_and_undefined_opcode() {
    // xor ecx, ecx; div ecx
    let mut l = user(&[0x31, 0xc9, 0xf7, 0xf1], Config::default());
    l.m.step().unwrap();
    let d = delivered(l.m.step().unwrap());
    assert_eq!((d.vector, d.saved_rip), (vector::DE, CODE + 2));
    // AVX and AES are not modelled: #UD naming the instruction.
    for (bytes, text) in [
        (&[0x66, 0x0f, 0x38, 0xdc, 0xc1][..], "aesenc"),
        (&[0xc5, 0xf0, 0x58, 0xc2][..], "vaddps"),
    ] {
        let mut l = user(bytes, Config::default());
        let d = delivered(l.m.step().unwrap());
        assert_eq!(d.vector, vector::UD);
        let msg = d.fault.unwrap().to_string();
        assert!(msg.contains(text), "{msg}");
    }
    // Bytes that are no instruction at all.
    let mut l = user(&[0x06, 0x90], Config::default()); // push es: invalid in 64-bit mode
    let d = delivered(l.m.step().unwrap());
    assert_eq!(d.vector, vector::UD);
    let msg = d.fault.unwrap().to_string();
    assert!(msg.contains("cannot decode the bytes 06"), "{msg}");
}

#[test]
fn cpuid_describes_the_simulated_core() {
    // cpuid with eax = 0, then eax = 1.
    let mut l = user(
        &[0x31, 0xc0, 0x0f, 0xa2, 0xb8, 1, 0, 0, 0, 0x0f, 0xa2],
        Config::default(),
    );
    l.m.step().unwrap();
    l.m.step().unwrap();
    let g = l.m.cpu.s.gpr;
    let vendor: Vec<u8> = [g[3], g[2], g[1]]
        .iter()
        .flat_map(|r| (*r as u32).to_le_bytes())
        .collect();
    assert_eq!(vendor, b"GenuineIntel");
    l.m.step().unwrap();
    l.m.step().unwrap();
    let g = l.m.cpu.s.gpr;
    assert_eq!(
        g[1],
        (1 << 0) | (1 << 9) | (1 << 13) | (1 << 19) | (1 << 20) | (1 << 23),
        "ECX: SSE3, SSSE3, CX16, SSE4.1, SSE4.2, POPCNT; no AVX or XSAVE (cpu_features checks every bit)"
    );
    assert_eq!(g[2] & (1 << 26), 1 << 26, "EDX: SSE2");
}

#[test]
fn privileged_instructions_in_ring3_raise_gp0() {
    let cases: &[(&[u8], &str)] = &[
        (&[0xf4], "hlt"),
        (&[0x0f, 0x22, 0xd8], "mov cr3"),
        (&[0x0f, 0x20, 0xd8], "mov from cr3"),
        (&[0x0f, 0x30], "wrmsr"),
        (&[0x0f, 0x32], "rdmsr"),
        (&[0x0f, 0x01, 0x38], "invlpg"),
        (&[0x0f, 0x01, 0xf8], "swapgs"),
        (&[0x0f, 0x01, 0x18], "lidt"),
        (&[0xfa], "cli"),
        (&[0xfb], "sti"),
        (&[0x48, 0x0f, 0x07], "sysretq"),
        (&[0xe4, 0x60], "in"),
    ];
    for (bytes, name) in cases {
        let mut l = user(bytes, Config::default());
        let d = delivered(l.m.step().unwrap());
        assert_eq!((d.vector, d.error_code), (vector::GP, Some(0)), "{name}");
        assert_eq!(d.saved_rip, CODE, "{name}");
        assert_eq!(l.m.cpu.retired_user, 0, "{name}");
    }
}

#[test]
fn int_n_needs_a_dpl3_gate() {
    // int 0x40 -> #GP(0x40*8+2); the int instruction does not retire.
    let mut l = user(&[0xcd, 0x40], Config::default());
    let d = delivered(l.m.step().unwrap());
    assert_eq!(
        (d.vector, d.error_code, d.saved_rip),
        (vector::GP, Some(0x40 * 8 + 2), CODE)
    );
    assert_eq!(l.m.cpu.retired_user, 0);
    // int 0x80 has DPL 3: delivered as itself, and retires.
    let mut l = user(&[0xcd, 0x80], Config::default());
    let d = delivered(l.m.step().unwrap());
    assert_eq!((d.vector, d.saved_rip), (0x80, CODE + 2));
    assert_eq!(l.m.cpu.retired_user, 1);
}

#[test]
fn syscall_and_sysret_switch_rings_with_rcx_r11_and_fmask() {
    // syscall (getpid: rax = 39) then nop.
    let mut l = user(&[0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0x90], Config::default());
    l.m.cpu.s.rflags |= rflags::CF | rflags::DF;
    let before = l.m.cpu.s.rflags;
    l.m.step().unwrap();
    assert!(matches!(l.m.step().unwrap(), Event::Retired));
    let s = &l.m.cpu.s;
    assert_eq!((s.cs, s.cpl(), s.rip), (KERNEL_CS, 0, KERNEL_TEXT));
    assert_eq!(s.gpr[RCX], CODE + 7);
    assert_eq!(s.gpr[R11], before);
    assert_eq!(
        s.rflags & (rflags::IF | rflags::DF | rflags::CF),
        0,
        "FMASK cleared them"
    );
    assert_eq!(s.gpr[RSP], STACK - 8, "SYSCALL does not switch stacks");
    // The kernel runs getpid and returns with SYSRETQ.
    assert!(matches!(
        l.step_traced(),
        youcpu_core::linux::TraceStep::Kernel(_)
    ));
    let s = &l.m.cpu.s;
    assert_eq!(
        (s.cs, s.ss, s.rip, s.gpr[0]),
        (USER_CS, USER_DS, CODE + 7, 1)
    );
    assert_eq!(s.rflags, before);
    assert_eq!(l.syscalls.last().map(|r| r.name), Some("getpid"));
}

#[test]
fn timer_interrupt_every_n_instructions() {
    // An endless loop: inc rax; jmp back.
    let cfg = Config {
        timer_period: Some(1000),
        ..Config::default()
    };
    let mut l = user(&[0x48, 0xff, 0xc0, 0xeb, 0xfb], cfg);
    l.run(10_500);
    assert_eq!(l.timer_interrupts, 10);
    assert_eq!(l.m.timer.ticks, 10);
    assert_eq!(l.state, ProcessState::Running);
    assert_eq!(l.m.cpu.s.gpr[0], 10_500 / 2);
    // With IF clear the tick stays pending.
    let mut l = user(
        &[0x48, 0xff, 0xc0, 0xeb, 0xfb],
        Config {
            timer_period: Some(10),
            ..Config::default()
        },
    );
    l.m.cpu.s.rflags &= !rflags::IF;
    for _ in 0..50 {
        assert!(matches!(l.m.step().unwrap(), Event::Retired));
    }
    assert!(l.m.timer.pending);
    l.m.cpu.s.rflags |= rflags::IF;
    let d = delivered(l.m.step().unwrap());
    assert_eq!((d.vector, d.fault), (vector::TIMER, None));
    assert!(l.m.timer.enable(0, 32).is_err());
}

#[test]
fn hlt_in_ring0_waits_for_the_timer() {
    let mut l = Linux::new(&Config {
        timer_period: Some(5),
        ..Config::default()
    })
    .unwrap();
    // Ring 0 code in a kernel-only page: sti; hlt; nop.
    let page = 0xffff_ffff_8400_0000;
    let f = l.m.mmu.phys.alloc_frame().unwrap();
    youcpu_core::mmu::paging::map_page(
        &mut l.m.mmu.phys,
        l.mm.cr3,
        false,
        page,
        f,
        youcpu_core::mmu::paging::PageFlags {
            write: false,
            user: false,
            exec: true,
        },
    )
    .unwrap();
    l.m.mmu.phys.write(f * 4096, &[0xfb, 0xf4, 0x90]);
    l.m.cpu.s.rip = page;
    l.m.cpu.s.gpr[RSP] = KERNEL_STACK + 4096;
    l.m.step().unwrap();
    assert!(matches!(l.m.step().unwrap(), Event::Halted));
    assert!(l.m.cpu.halted);
    assert!(matches!(l.m.step().unwrap(), Event::Halted));
    let d = delivered(l.m.step().unwrap());
    assert_eq!(
        (d.vector, d.from_cpl, d.to_cpl, d.saved_rip),
        (vector::TIMER, 0, 0, page + 2)
    );
    assert!(!l.m.cpu.halted);
}

#[test]
fn double_and_triple_faults() {
    let mut l = user(&[0x8a, 0x04, 0x25, 0x34, 0x12, 0, 0], Config::default());
    // An IDT too short for #PF (vector 14) but covering #GP and #DF: #PF delivery raises
    // #GP(14*8+2), which during a #PF is a double fault.
    l.m.cpu.s.idtr.limit = 14 * 16 - 1;
    let d = delivered(l.m.step().unwrap());
    assert_eq!((d.vector, d.error_code), (vector::DF, Some(0)));
    // No usable IDT at all: triple fault, the machine stops.
    let mut l = user(&[0x8a, 0x04, 0x25, 0x34, 0x12, 0, 0], Config::default());
    l.m.cpu.s.idtr.limit = 0;
    let t = l.m.step().unwrap_err();
    assert_eq!(t.chain.len(), 3);
    assert!(t.to_string().contains("triple fault"));
    l.run(10);
    assert!(matches!(l.state, ProcessState::Crashed { .. }));
}

#[test]
fn demand_paging_grows_the_stack_and_backs_mmap() {
    // push 8 KiB below the mapped stack page: the fault is fixed by mapping a page.
    // sub rsp, 0x2000; push rax; mov eax, 60; xor edi, edi; syscall
    let code = [
        0x48, 0x81, 0xec, 0x00, 0x20, 0x00, 0x00, 0x50, 0xb8, 60, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05,
    ];
    let mut l = user(&code, Config::default());
    l.mm.add(youcpu_core::linux::mm::Vma::new(
        STACK - (1 << 20),
        STACK - 4096,
        Prot::RW,
        youcpu_core::linux::mm::VmaKind::Stack,
    ));
    l.run(100);
    assert_eq!(l.state, ProcessState::Exited { code: 0 });
    assert_eq!(l.mm.demand_faults, 1);
    assert_eq!(l.instructions(), 5);
}

#[test]
fn step_traced_explains_each_step() {
    let mut l = user(&[0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0xcc], Config::default());
    use youcpu_core::linux::{KernelAction, TraceStep};
    let steps: Vec<TraceStep> = (0..6).map(|_| l.step_traced()).collect();
    assert!(matches!(&steps[0], TraceStep::Instruction { text, .. } if text == "mov eax,27h"));
    assert!(matches!(&steps[1], TraceStep::Instruction { text, .. } if text == "syscall"));
    assert!(
        matches!(&steps[2], TraceStep::Kernel(KernelAction::Syscall(r)) if r.name == "getpid" && r.ret == Some(1))
    );
    assert!(matches!(&steps[3], TraceStep::Exception { delivery, .. } if delivery.vector == 3));
    assert!(matches!(
        &steps[4],
        TraceStep::Kernel(KernelAction::Kill { signal: 5, .. })
    ));
    assert!(matches!(
        &steps[5],
        TraceStep::Stopped(ProcessState::Killed { .. })
    ));
    // Every step serialises for the widgets.
    for s in &steps {
        assert!(serde_json::to_string(s).is_ok());
    }
    let _ = Fault::Breakpoint;
}
