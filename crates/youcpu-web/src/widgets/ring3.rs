//! The machine shared by the widgets that run a small program in a simulated ring-3 process
//! (`fetch-execute`, `syscall`, `rings`): its program assembled line by line (labels resolved),
//! the process booted with it, one step run and described phase by phase (with the status flags
//! the manuals leave undefined, and what each vendor's core leaves in them).

use youcpu_core::asm::{disassemble_one, listing, Bitness};
use youcpu_core::cpu::state::{rflags, State as CpuState, GPR_NAMES};
use youcpu_core::cpu::vendor::{self, Vendor};
use youcpu_core::linux::bare::Bare;
use youcpu_core::linux::{Config, KernelAction, Linux, ProcessState, TraceStep};

/// Where the program is placed (its first instruction).
pub const CODE: u64 = 0x40_1000;
/// The top of the one-page user stack.
pub const STACK_TOP: u64 = 0x7ffe_0000;
/// Most bytes of machine code (one page).
pub const MAX_CODE: usize = 4096;
/// Most lines of program text.
pub const MAX_LINES: usize = 300;
/// Simulated physical memory (plenty for the kernel's pages and one small program).
const MEMORY: u64 = 1 << 20;

/// The six status flags shown, with their bits.
pub const FLAGS: [(&str, u64); 6] = [
    ("CF", rflags::CF),
    ("PF", rflags::PF),
    ("AF", rflags::AF),
    ("ZF", rflags::ZF),
    ("SF", rflags::SF),
    ("OF", rflags::OF),
];

/// One line of the program and what it assembled to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineView {
    /// The text as typed.
    pub source: String,
    /// Address of its first byte.
    pub addr: u64,
    /// Its machine code (empty for blank, comment or label lines).
    pub bytes: Vec<u8>,
    /// Why it was refused.
    pub error: Option<String>,
}

/// What the last Step (or the last instruction of a Run) did, phase by phase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastStep {
    /// RIP when it started.
    pub rip: u64,
    /// Fetch: the bytes read at RIP (up to 15, the longest an instruction can be).
    pub fetched: Vec<u8>,
    /// Decode: the instruction's text.
    pub text: String,
    /// Decode: its length in bytes.
    pub len: usize,
    /// Execute: what changed, one entry each.
    pub changes: Vec<String>,
    /// Set when the step was not an ordinary instruction: an exception, the kernel, the end.
    pub note: Option<String>,
    /// The status flags the manuals leave undefined after this instruction (RFLAGS bits).
    pub undefined: u64,
    /// When `undefined` is not 0: RFLAGS after the instruction on each vendor's core, this
    /// machine's vendor first (the other computed on a copy of the machine).
    pub vendors: Vec<(Vendor, u64)>,
}

/// Assembles a listing with labels ([`youcpu_core::asm::listing::lay_out`]). Returns the lines
/// and the machine code if every line is good.
pub fn build(source: &str) -> (Vec<LineView>, Result<Vec<u8>, String>) {
    let draft = listing::lay_out(source, CODE, MAX_LINES);
    let code = draft.code();
    let views: Vec<LineView> = draft
        .lines
        .into_iter()
        .map(|l| LineView {
            source: l.text,
            addr: l.addr,
            bytes: l.bytes,
            error: l.error,
        })
        .collect();
    if let Some((_, name)) = draft.duplicate {
        return (views, Err(format!("the label `{name}` is defined twice")));
    }
    if source.lines().count() > MAX_LINES {
        return (views, Err(format!("more than {MAX_LINES} lines")));
    }
    if views.iter().any(|v| v.error.is_some()) {
        return (views, Err("fix the marked lines to run the program".into()));
    }
    if code.is_empty() {
        return (views, Err("the program has no instructions".into()));
    }
    if code.len() > MAX_CODE {
        return (
            views,
            Err(format!(
                "{} bytes of code: the widget has one {MAX_CODE}-byte page for it",
                code.len()
            )),
        );
    }
    (views, Ok(code))
}

/// A process with `code` at [`CODE`] in ring 3, ready to run its first instruction.
pub fn boot(code: &[u8]) -> Result<Linux, String> {
    boot_on(code, Vendor::Intel)
}

/// [`boot`] on a core of `vendor`.
pub fn boot_on(code: &[u8], vendor: Vendor) -> Result<Linux, String> {
    Linux::bare(
        &Config {
            memory_limit: MEMORY,
            vendor,
            ..Config::default()
        },
        Bare {
            code_at: CODE,
            code,
            stack_top: STACK_TOP,
        },
    )
    .map_err(|e| e.to_string())
}

/// Up to `n` bytes at a virtual address, read through the page tables without side effects
/// (stops at the first unmapped byte).
pub fn peek(os: &Linux, addr: u64, n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n.min(64)];
    let got = os.m.mmu.peek(os.m.cpu.s.cr3, addr, &mut out);
    out.truncate(got);
    out
}

/// What changed between two register files, in words.
pub fn changes(a: &CpuState, b: &CpuState) -> Vec<String> {
    let mut out = Vec::new();
    for (i, name) in GPR_NAMES.iter().enumerate() {
        let (x, y) = (a.gpr.get(i).copied(), b.gpr.get(i).copied());
        if x != y {
            out.push(format!(
                "{name}: {:#x} → {:#x}",
                x.unwrap_or(0),
                y.unwrap_or(0)
            ));
        }
    }
    for (i, (x, y)) in a.xmm.iter().zip(&b.xmm).enumerate() {
        if x != y {
            out.push(format!("xmm{i}: {x:#x} → {y:#x}"));
        }
    }
    if a.mxcsr != b.mxcsr {
        out.push(format!("mxcsr: {:#x} → {:#x}", a.mxcsr, b.mxcsr));
    }
    for (name, bit) in FLAGS {
        if (a.rflags ^ b.rflags) & bit != 0 {
            out.push(format!(
                "{name}: {} → {}",
                u8::from(a.rflags & bit != 0),
                u8::from(b.rflags & bit != 0)
            ));
        }
    }
    if (a.rflags ^ b.rflags) & rflags::IF != 0 {
        out.push(format!(
            "IF: {} → {}",
            u8::from(a.rflags & rflags::IF != 0),
            u8::from(b.rflags & rflags::IF != 0)
        ));
    }
    if a.cs != b.cs {
        out.push(format!(
            "cs: {:#x} → {:#x} (ring {} → ring {})",
            a.cs,
            b.cs,
            a.cs & 3,
            b.cs & 3
        ));
    }
    out
}

fn describe_kernel(a: &KernelAction) -> String {
    match a {
        KernelAction::Syscall(r) => match r.ret {
            Some(v) => format!(
                "the kernel ran system call {} ({}) and returned {v} in rax",
                r.nr, r.name
            ),
            None => format!(
                "the kernel ran system call {} ({}) with status {}: the process is gone",
                r.nr, r.name, r.args[0] as i64
            ),
        },
        KernelAction::DemandPage { addr } => {
            format!("the kernel mapped a page for {addr:#x} and returned")
        }
        KernelAction::Timer => "a timer interrupt: the kernel took over and returned".into(),
        KernelAction::CopyOnWrite { addr } => {
            format!("the kernel copied the shared page of {addr:#x} and returned")
        }
        KernelAction::Switch { from, to } => format!("the kernel switched from pid {from} to {to}"),
        KernelAction::Kill { signal, reason } => format!(
            "the kernel killed the process with {} ({reason})",
            youcpu_core::linux::signal::name(*signal)
        ),
        KernelAction::Signal { signal, handler } => format!(
            "the kernel sent {} and will run its handler at {handler:#x}",
            youcpu_core::linux::signal::name(*signal)
        ),
    }
}

/// Describes how the process ended.
pub fn ended(st: &ProcessState) -> Option<String> {
    match st {
        ProcessState::Running => None,
        ProcessState::Exited { code } => Some(format!("The process exited with status {code}.")),
        ProcessState::Killed { signal, reason } => Some(format!(
            "The process was killed by {} (signal {signal}): {reason}.",
            youcpu_core::linux::signal::name(*signal)
        )),
        ProcessState::Crashed { reason } => Some(format!("The machine stopped: {reason}.")),
    }
}

/// One step of the process, described phase by phase. `None` when it has ended.
pub fn step_once(os: &mut Linux) -> Option<LastStep> {
    if os.state != ProcessState::Running {
        return None;
    }
    let before = os.m.cpu.s.clone();
    let rip = before.rip;
    let ring0 = before.cs & 3 == 0;
    let fetched = if ring0 { Vec::new() } else { peek(os, rip, 15) };
    let (text, len) = match disassemble_one(&fetched, Bitness::B64, rip) {
        Ok(d) => (d.text, d.len),
        Err(e) => (e.to_string(), 0),
    };
    let undefined = if ring0 {
        0
    } else {
        vendor::undefined_flags_in(&fetched, &before)
    };
    let vendors = if undefined == 0 {
        Vec::new()
    } else {
        // The same instruction on the other vendor's core, from the same machine state.
        let mine = os.m.cpu.s.vendor;
        let other = Vendor::ALL.into_iter().find(|v| *v != mine).unwrap_or(mine);
        let mut twin = os.clone();
        twin.m.cpu.s.vendor = other;
        twin.step_traced();
        vec![(other, twin.m.cpu.s.rflags)]
    };
    let t = os.step_traced();
    let mut vendors = vendors;
    if !vendors.is_empty() {
        vendors.insert(0, (os.m.cpu.s.vendor, os.m.cpu.s.rflags));
    }
    let mut changes = changes(&before, &os.m.cpu.s);
    if os.m.cpu.s.rip != before.rip {
        changes.push(format!("rip: {:#x} → {:#x}", before.rip, os.m.cpu.s.rip));
    }
    let note = match t {
        TraceStep::Instruction { .. } => None,
        TraceStep::Exception { delivery, .. } => Some(format!(
            "the instruction raised {} (vector {}): the CPU switched to ring {} and jumped to the kernel's handler",
            delivery
                .fault
                .as_ref()
                .map_or_else(|| "an interrupt".to_string(), |f| f.to_string()),
            delivery.vector,
            delivery.to_cpl
        )),
        TraceStep::Kernel(a) => Some(describe_kernel(&a)),
        TraceStep::Stopped(s) => ended(&s),
    };
    if ring0 {
        return Some(LastStep {
            rip,
            fetched: Vec::new(),
            text: "(kernel code)".into(),
            len: 0,
            changes,
            note,
            undefined: 0,
            vendors: Vec::new(),
        });
    }
    Some(LastStep {
        rip,
        fetched: fetched.get(..len).unwrap_or(&fetched).to_vec(),
        text,
        len,
        changes,
        note,
        undefined,
        vendors,
    })
}
