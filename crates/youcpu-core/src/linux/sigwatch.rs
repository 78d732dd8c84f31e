//! A signal's delivery watched moment by moment, for the `signals` widget and its figure: a
//! program runs until an exception becomes a caught signal, and the moments that matter are
//! kept (the faulting instruction; the signal pending after the kernel's fault handler; the
//! handler's first instruction with the frame [`super::sigframe`] built; the way out, by
//! rt_sigreturn or by siglongjmp's rt_sigprocmask; the program back on its own stack), each
//! with the registers, the pending and blocked sets and the frame's bytes read from the
//! simulated memory. [`ranges`] labels the frame's bytes as `struct rt_sigframe`
//! (arch/x86/include/asm/sigframe.h) and the FXSAVE image lay them out.

use super::sigframe::{FPSTATE_SIZE, FRAME_SIZE, INFO, MCONTEXT, RED_ZONE, SIGMASK, UC_STACK};
use super::signal::{AltStack, SigAction};
use super::{Config, KernelAction, Linux, ProcessState};
use crate::cpu::state::{RDI, RDX, RSI, RSP};
use crate::cpu::Event;
use crate::loader::ExecArgs;

/// Which moment a [`Stop`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    /// The instruction that faults, about to run (ring 3).
    Fault,
    /// The kernel's fault handler has made the exception a signal: pending, not yet delivered.
    Pending,
    /// On the way back to ring 3 the kernel built the frame: the handler's first instruction.
    Handler,
    /// The handler leaves: rt_sigreturn called, or siglongjmp's jump (RSP back above the
    /// frame, the handler's mask still blocking).
    Leave {
        /// True for rt_sigreturn.
        sigreturn: bool,
    },
    /// The interrupted code runs again with its mask (after rt_sigreturn, or sigsetjmp's
    /// rt_sigprocmask): the frame is dead bytes below RSP.
    Back,
}

/// The frame the kernel built, as it is in memory at one stop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Its address: the handler's RSP on entry.
    pub at: u64,
    /// The FP state's address (`uc_mcontext.fpstate`).
    pub fpstate: u64,
    /// The bytes from [`Frame::at`] to the end of the FP state.
    pub bytes: Vec<u8>,
}

/// One moment of the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    /// Which.
    pub moment: Moment,
    /// User instructions retired so far.
    pub instructions: u64,
    /// RIP (for [`Moment::Pending`], where the process will resume).
    pub rip: u64,
    /// The instruction at RIP, Intel syntax (empty if it cannot be read).
    pub text: String,
    /// RSP, RDI, RSI, RDX.
    pub rsp: u64,
    /// RDI.
    pub rdi: u64,
    /// RSI.
    pub rsi: u64,
    /// RDX.
    pub rdx: u64,
    /// Pending signals (bit n-1 for signal n).
    pub pending: u64,
    /// Blocked signals.
    pub blocked: u64,
    /// The frame as memory holds it now (from [`Moment::Handler`] on).
    pub frame: Option<Frame>,
}

/// A watched run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watch {
    /// The signal caught (0 if none was).
    pub signal: u8,
    /// Its disposition when it was delivered.
    pub action: SigAction,
    /// The alternate stack when it was delivered.
    pub altstack: AltStack,
    /// The exception: vector, error code and CR2 (for a page fault).
    pub exception: Option<(u8, Option<u64>, u64)>,
    /// RSP when the instruction faulted.
    pub interrupted_rsp: u64,
    /// The moments, in order.
    pub stops: Vec<Stop>,
    /// What the program wrote to stdout.
    pub stdout: Vec<u8>,
    /// The exit status as a shell shows it, if it ended.
    pub status: Option<u8>,
}

/// The registers and signal sets a stop shows, cheap to take before every instruction.
#[derive(Clone, Copy)]
struct Snap {
    rip: u64,
    gpr: [u64; 16],
    pending: u64,
    blocked: u64,
    instructions: u64,
}

fn snap(l: &Linux) -> Snap {
    Snap {
        rip: l.m.cpu.s.rip,
        gpr: l.m.cpu.s.gpr,
        pending: l.sigpending,
        blocked: l.sigmask,
        instructions: l.instructions(),
    }
}

fn stop(l: &mut Linux, moment: Moment, s: Snap, frame_at: Option<(u64, u64)>) -> Stop {
    let mut code = [0u8; 15];
    let mut n = 0;
    while n < code.len() {
        let mut b = [0u8];
        if l.m.mmu.read_bytes(s.rip + n as u64, &mut b, true).is_err() {
            break;
        }
        code[n] = b[0];
        n += 1;
    }
    let text = crate::asm::disassemble_one(&code[..n], crate::asm::Bitness::B64, s.rip)
        .map(|d| d.text)
        .unwrap_or_default();
    let frame = frame_at.and_then(|(at, fp)| {
        let mut bytes = vec![0u8; (fp + FPSTATE_SIZE).saturating_sub(at).min(1 << 16) as usize];
        l.m.mmu.read_bytes(at, &mut bytes, true).ok()?;
        Some(Frame {
            at,
            fpstate: fp,
            bytes,
        })
    });
    Stop {
        moment,
        instructions: s.instructions,
        rip: s.rip,
        text,
        rsp: s.gpr[RSP],
        rdi: s.gpr[RDI],
        rsi: s.gpr[RSI],
        rdx: s.gpr[RDX],
        pending: s.pending,
        blocked: s.blocked,
        frame,
    }
}

fn regs(l: &mut Linux, moment: Moment, frame_at: Option<(u64, u64)>) -> Stop {
    let s = snap(l);
    stop(l, moment, s, frame_at)
}

/// Why [`watch`] has no moments to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatchError {
    /// The kernel did not boot.
    Boot(super::Error),
    /// The loader refused the program.
    Load(crate::loader::LoadError),
    /// The program still ran after this many instructions.
    Budget(u64),
    /// The processor shut down (a fault while delivering a fault's fault).
    TripleFault(crate::cpu::TripleFault),
}

impl std::fmt::Display for WatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WatchError::Boot(e) => e.fmt(f),
            WatchError::Load(e) => e.fmt(f),
            WatchError::Budget(n) => write!(f, "still running after {n} instructions"),
            WatchError::TripleFault(t) => t.fmt(f),
        }
    }
}

impl std::error::Error for WatchError {}

/// Runs `program` (a static x86-64 executable) with `argv` until it ends or `budget` user
/// instructions have retired, and keeps the moments of the first caught signal's delivery.
pub fn watch(program: &[u8], argv: &[&str], budget: u64) -> Result<Watch, WatchError> {
    let mut l = Linux::new(&Config::default()).map_err(WatchError::Boot)?;
    let args = ExecArgs {
        argv: argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
        envp: vec![b"HOME=/".to_vec(), b"LANG=C".to_vec()],
        execfn: argv
            .first()
            .map(|a| a.as_bytes().to_vec())
            .unwrap_or_default(),
        uid: 1000,
        gid: 1000,
        random_seed: crate::loader::stack::RANDOM_SEED,
    };
    l.exec(program, None, &args).map_err(WatchError::Load)?;
    let mut w = Watch {
        signal: 0,
        action: SigAction::default(),
        altstack: AltStack::default(),
        exception: None,
        interrupted_rsp: 0,
        stops: Vec::new(),
        stdout: Vec::new(),
        status: None,
    };
    // The last exception: the state before its instruction and the delivery, kept in case
    // it turns into the signal.
    let mut last_fault: Option<(Snap, u8, Option<u64>)> = None;
    let mut frame: Option<(u64, u64)> = None;
    let mut left = false;
    while l.state == ProcessState::Running {
        if l.m.cpu.s.cs & 3 == 0 {
            let mut a = l.kernel_entry_work();
            let first = w.signal == 0;
            if let (true, Some(KernelAction::Signal { signal, .. })) = (first, &a) {
                w.signal = *signal;
                w.action = l.sig.action(*signal);
                w.altstack = l.sig.altstack;
                w.interrupted_rsp = l.m.cpu.s.gpr[RSP];
                if let Some((before, vector, err)) = last_fault.take() {
                    w.exception = Some((vector, err, l.m.cpu.s.cr2));
                    w.stops.push(stop(&mut l, Moment::Fault, before, None));
                }
                w.stops.push(regs(&mut l, Moment::Pending, None));
            }
            let nr = match &a {
                Some(KernelAction::Syscall(r)) => Some(r.nr),
                _ => None,
            };
            if frame.is_some() && !left && nr == Some(15) {
                left = true;
                w.stops
                    .push(regs(&mut l, Moment::Leave { sigreturn: true }, frame));
            }
            l.kernel_exit_to_user(&mut a);
            if w.signal != 0 && frame.is_none() && l.m.cpu.s.rip == w.action.handler {
                let at = l.m.cpu.s.gpr[RSP];
                let mut fp = [0u8; 8];
                let _ = l.m.mmu.read_bytes(at + MCONTEXT + 184, &mut fp, true);
                frame = Some((at, u64::from_le_bytes(fp)));
                w.stops.push(regs(&mut l, Moment::Handler, frame));
            }
            // Back: rt_sigreturn has loaded the saved registers, or (after siglongjmp)
            // sigsetjmp's tail has put the saved mask back with rt_sigprocmask.
            if left && matches!(nr, Some(14 | 15)) && l.state == ProcessState::Running {
                w.stops.push(regs(&mut l, Moment::Back, frame));
                break;
            }
            continue;
        }
        if l.instructions() >= budget {
            return Err(WatchError::Budget(budget));
        }
        // siglongjmp: RSP back up on the interrupted code's stack (the handler's frame and
        // locals are all below it, or on the alternate stack, lower still).
        if frame.is_some() && !left && l.m.cpu.s.gpr[RSP] >= w.interrupted_rsp {
            left = true;
            w.stops
                .push(regs(&mut l, Moment::Leave { sigreturn: false }, frame));
        }
        let before = snap(&l);
        match l.m.step() {
            Ok(Event::Delivered(d)) => {
                last_fault = Some((before, d.vector, d.error_code));
                l.last_fault = d.fault;
            }
            Ok(_) => {}
            Err(t) => return Err(WatchError::TripleFault(t)),
        }
    }
    l.run(budget.saturating_sub(l.instructions()));
    w.stdout = std::mem::take(&mut l.stdout);
    w.status = l.state.shell_status();
    Ok(w)
}

/// Which part of the frame a [`Range`] belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The return address.
    Pretcode,
    /// `uc_flags`, `uc_link`, `uc_stack`, `uc_sigmask`.
    Context,
    /// `uc_mcontext`: the saved registers and the fault.
    Registers,
    /// `siginfo_t`.
    Info,
    /// Alignment padding.
    Padding,
    /// The FXSAVE image.
    Fp,
}

/// One labelled byte range of the frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    /// Offset from the frame's start.
    pub offset: u64,
    /// Bytes.
    pub len: u64,
    /// The field's name as the kernel's headers spell it.
    pub name: &'static str,
    /// Which part.
    pub part: Part,
    /// What it holds, in a sentence.
    pub meaning: &'static str,
}

const GREGS: [&str; 16] = [
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rdi", "rsi", "rbp", "rbx", "rdx", "rax",
    "rcx", "rsp",
];

/// The labelled ranges of a frame at `at` with its FP state at `fpstate`, in address order,
/// covering every byte from `at` to the FP state's end.
pub fn ranges(at: u64, fpstate: u64) -> Vec<Range> {
    use Part::*;
    let r = |offset, len, name, part, meaning| Range {
        offset,
        len,
        name,
        part,
        meaning,
    };
    let mut v = vec![
        r(0, 8, "pretcode", Pretcode, "the handler's return address: sa_restorer, the C library's stub that calls rt_sigreturn"),
        r(8, 8, "uc_flags", Context, "UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS (and UC_FP_XSTATE on a CPU with XSAVE)"),
        r(16, 8, "uc_link", Context, "unused by Linux: 0"),
        r(UC_STACK, 8, "uc_stack.ss_sp", Context, "the alternate signal stack's base (0: none)"),
        r(UC_STACK + 8, 8, "uc_stack.ss_flags", Context, "the alternate stack seen from the interrupted RSP: SS_DISABLE (2) if there is none, 0 if the code was not on it, SS_ONSTACK (1) if it was"),
        r(UC_STACK + 16, 8, "uc_stack.ss_size", Context, "the alternate stack's size"),
    ];
    for (i, name) in GREGS.iter().enumerate() {
        v.push(r(
            MCONTEXT + 8 * i as u64,
            8,
            name,
            Registers,
            "a general register as it was when the instruction faulted",
        ));
    }
    let m = MCONTEXT + 128;
    v.extend([
        r(m, 8, "rip", Registers, "the faulting instruction's address: where the interrupted code resumes after rt_sigreturn"),
        r(m + 8, 8, "eflags", Registers, "the flags when it faulted"),
        r(m + 16, 8, "cs, gs, fs, ss", Registers, "the segment selectors, 16 bits each (cs 0x33, ss 0x2b)"),
        r(m + 24, 8, "err", Registers, "the exception's error code (for a page fault: bit 0 present, 1 write, 2 user)"),
        r(m + 32, 8, "trapno", Registers, "the exception's vector: 14 page fault, 0 divide error, 6 invalid opcode"),
        r(m + 40, 8, "oldmask", Registers, "the first word of the blocked mask before delivery"),
        r(m + 48, 8, "cr2", Registers, "CR2: the address a page fault could not reach"),
        r(m + 56, 8, "fpstate", Registers, "the address of the FP state below"),
        r(m + 64, 64, "reserved", Registers, "reserved words of struct sigcontext: 0"),
        r(SIGMASK, 8, "uc_sigmask", Context, "the blocked mask to restore when the handler returns"),
        r(INFO, 4, "si_signo", Info, "the signal's number"),
        r(INFO + 4, 4, "si_errno", Info, "0"),
        r(INFO + 8, 4, "si_code", Info, "why: SEGV_MAPERR 1 (no mapping), FPE_INTDIV 1, ILL_ILLOPN 2, SI_USER 0 (kill)"),
        r(INFO + 12, 4, "(padding)", Info, "aligns the union to 8 bytes"),
        r(INFO + 16, 8, "si_addr", Info, "the address: the one a page fault missed, the instruction for SIGFPE and SIGILL"),
        r(INFO + 24, 104, "(rest of siginfo)", Info, "the union's other fields: unused for a fault"),
    ]);
    let end = fpstate.saturating_sub(at);
    if end > FRAME_SIZE {
        v.push(r(FRAME_SIZE, end - FRAME_SIZE, "(alignment)", Padding, "the gap that puts the FP state on a 64-byte boundary and the handler's RSP + 8 on a 16-byte one"));
    }
    v.extend([
        r(
            end,
            32,
            "fpstate: x87 control",
            Fp,
            "FCW, FSW, the tag word, the last x87 instruction, MXCSR: the FXSAVE image's header",
        ),
        r(
            end + 32,
            128,
            "fpstate: st0-st7",
            Fp,
            "the eight x87 registers",
        ),
        r(
            end + 160,
            256,
            "fpstate: xmm0-xmm15",
            Fp,
            "the sixteen SSE registers",
        ),
        r(
            end + 416,
            96,
            "fpstate: reserved",
            Fp,
            "FXSAVE's reserved and software bytes (with XSAVE: the magic that says more follows)",
        ),
    ]);
    v
}

/// The red zone the kernel skips above the frame (128 bytes below the interrupted RSP).
pub const SKIPPED: u64 = RED_ZONE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_frame_without_gaps() {
        let at = 0x7fff_f000 - 456;
        let fp = 0x7fff_f000;
        let v = ranges(at, fp);
        let mut next = 0;
        for r in &v {
            assert_eq!(r.offset, next, "{}", r.name);
            next += r.len;
        }
        assert_eq!(next, 456 + FPSTATE_SIZE);
        assert_eq!(v.iter().filter(|r| r.part == Part::Registers).count(), 25);
    }

    fn program() -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../web/programs/bin/sigframe");
        std::fs::read(p).expect("web/programs/bin/sigframe")
    }

    fn word(f: &Frame, off: u64) -> u64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&f.bytes[off as usize..off as usize + 8]);
        u64::from_le_bytes(b)
    }

    #[test]
    fn a_segv_is_watched_from_fault_to_siglongjmp() {
        let w = watch(&program(), &["sigframe"], 2_000_000).expect("runs");
        for s in &w.stops {
            eprintln!(
                "{:?} rip {:#x} {} rsp {:#x} pend {:#x} blk {:#x} frame {:?}",
                s.moment,
                s.rip,
                s.text,
                s.rsp,
                s.pending,
                s.blocked,
                s.frame.as_ref().map(|f| (f.at, f.fpstate))
            );
        }
        eprintln!("{}", String::from_utf8_lossy(&w.stdout));
        let kinds: Vec<Moment> = w.stops.iter().map(|s| s.moment).collect();
        assert_eq!(
            kinds,
            [
                Moment::Fault,
                Moment::Pending,
                Moment::Handler,
                Moment::Leave { sigreturn: false },
                Moment::Back
            ]
        );
        assert_eq!(w.signal, 11);
        assert_eq!(w.exception, Some((14, Some(4), 0x10)));
        assert_eq!(w.status, Some(0));
        let fault = &w.stops[0];
        assert_eq!(fault.text, "mov eax, dword ptr [0x10]");
        assert_eq!(w.stops[1].pending, 1 << 10);
        let h = &w.stops[2];
        let f = h.frame.as_ref().expect("frame");
        assert_eq!(h.rsp, f.at);
        assert_eq!(h.rdi, 11);
        assert_eq!(h.rsi, f.at + INFO);
        assert_eq!(h.rdx, f.at + 8);
        assert_eq!(h.blocked, 1 << 10);
        assert_eq!(f.fpstate - f.at, 456);
        assert_eq!(word(f, MCONTEXT + 128), fault.rip);
        assert_eq!(word(f, MCONTEXT + 120), fault.rsp);
        assert_eq!(word(f, INFO + 16), 0x10);
        assert!(fault.rsp - RED_ZONE >= f.fpstate + FPSTATE_SIZE);
        assert!(w.stops[4].rsp >= fault.rsp);
    }

    #[test]
    fn variants_change_the_frame() {
        let w = watch(
            &program(),
            &["sigframe", "ill", "onstack", "nodefer", "return"],
            2_000_000,
        )
        .expect("runs");
        let kinds: Vec<Moment> = w.stops.iter().map(|s| s.moment).collect();
        assert_eq!(kinds[3], Moment::Leave { sigreturn: true });
        assert_eq!(w.signal, 4);
        let h = &w.stops[2];
        assert_eq!(h.blocked, 0, "SA_NODEFER");
        let f = h.frame.as_ref().expect("frame");
        assert!(
            w.altstack.sp <= f.at && f.fpstate + FPSTATE_SIZE <= w.altstack.sp + w.altstack.size
        );
        assert_eq!(
            word(f, UC_STACK + 8),
            0,
            "the interrupted code was not on it"
        );
        assert_eq!(word(f, UC_STACK), w.altstack.sp);
        assert!(String::from_utf8_lossy(&w.stdout).contains("the handler returned"));
    }
}
