//! The fetch-decode-execute stepper's state: a short assembly program (labels resolved here),
//! assembled into the code page of a simulated Linux process, run one instruction at a time on
//! the core's CPU model, with a bounded undo history of whole-machine snapshots. A pure reducer.

use std::rc::Rc;
use yew::Reducible;
use youcpu_core::asm::{assemble, disassemble_one, Bitness};
use youcpu_core::cpu::state::{rflags, State, GPR_NAMES, RSP};
use youcpu_core::cpu::vendor::{self, Vendor};
use youcpu_core::linux::mm::Prot;
use youcpu_core::linux::{Config, KernelAction, Linux, ProcessState, TraceStep, USER_CS, USER_DS};
use youcpu_core::mmu::paging::{leaf_entry, pte};

/// The URL query prefix this widget owns.
pub const URL_PREFIX: &str = "fe-";
/// Where the program is placed (its first instruction).
pub const CODE: u64 = 0x40_1000;
/// The top of the one-page user stack.
pub const STACK_TOP: u64 = 0x7ffe_0000;
/// Most bytes of machine code (one page).
pub const MAX_CODE: usize = 4096;
/// Most characters of program text kept.
pub const MAX_SOURCE: usize = 8000;
/// Most lines of program text.
pub const MAX_LINES: usize = 300;
/// Most steps one click of Run takes.
pub const RUN_SLICE: u64 = 10_000;
/// Most steps one task of a Run takes before the page gets to paint and take input: a Run goes
/// on in chunks of this size, each in its own timer task, so no task comes near 50 ms (measured
/// by scripts/measure.mjs: 200-step chunks still made 57 ms tasks on a loaded machine).
pub const RUN_CHUNK: u64 = 100;
/// Most steps in all, after which the program is considered runaway.
pub const MAX_STEPS: u64 = 1_000_000;
/// Most snapshots kept for Step back.
pub const MAX_HISTORY: usize = 200;
/// Simulated physical memory (plenty for the kernel's pages and one small program).
const MEMORY: u64 = 1 << 20;

/// The default program: add 1..5 into RAX, then exit with the sum as the status.
pub const DEFAULT_PROGRAM: &str = "; rax = 1 + 2 + 3 + 4 + 5
    mov eax, 0
    mov ecx, 1
again:
    add rax, rcx
    inc rcx
    cmp rcx, 6
    jne again     ; rcx != 6: loop
    mov edi, eax  ; status = sum
    mov eax, 60   ; 60 is exit
    syscall";

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

/// An edit or a click.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeAction {
    /// The program text changed.
    Source(String),
    /// Execute one instruction.
    Step,
    /// Execute up to [`RUN_SLICE`] instructions, stopping when the process ends: the first
    /// [`RUN_CHUNK`] now, the rest by [`FeAction::Continue`].
    Run,
    /// The next chunk of a Run (the view dispatches it from a timer while steps are pending).
    Continue,
    /// Undo the last Step or Run.
    Back,
    /// Start the program over.
    Restart,
    /// Back to the default program.
    Reset,
    /// Model another vendor's core (the program starts over).
    Vendor(Vendor),
}

/// The widget's state.
#[derive(Clone)]
pub struct FeState {
    /// The program text.
    pub source: String,
    /// Each line assembled.
    pub lines: Vec<LineView>,
    /// A problem with the program as a whole (too long, no instructions).
    pub error: Option<String>,
    /// The running process, when the program assembled.
    pub os: Option<Rc<Linux>>,
    /// Earlier machines, most recent last.
    pub history: Vec<Rc<Linux>>,
    /// The registers before the last action (for highlighting changes).
    pub before: Option<State>,
    /// What the last step did.
    pub last: Option<LastStep>,
    /// A message about the last action.
    pub notice: Option<String>,
    /// Steps the current Run still has to take (0 when no Run is going on).
    pub pending: u64,
    /// Whose core the machine models where results are undefined.
    pub vendor: Vendor,
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_' || ch == '.')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.')
}

/// Splits a line into (label, instruction text), comments removed.
fn split_line(line: &str) -> (Option<&str>, &str) {
    let code = line.split([';', '#']).next().unwrap_or_default().trim();
    if let Some((head, rest)) = code.split_once(':') {
        let head = head.trim();
        if is_ident(head) {
            return (Some(head), rest.trim());
        }
    }
    (None, code)
}

/// Replaces whole-word label names in the operands by their addresses.
fn substitute(insn: &str, labels: &[(String, u64)]) -> String {
    let Some((mnemonic, ops)) = insn.split_once(char::is_whitespace) else {
        return insn.to_string();
    };
    let mut out = String::from(mnemonic);
    out.push(' ');
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match labels.iter().find(|(l, _)| l == word) {
            Some((_, a)) => out.push_str(&format!("{a:#x}")),
            None => out.push_str(word),
        }
        word.clear();
    };
    for ch in ops.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' {
            word.push(ch);
        } else {
            flush(&mut word, &mut out);
            out.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Assembles a listing with labels: addresses are recomputed until they settle (a jump's
/// size depends on its distance). Returns the lines and the machine code if every line is good.
pub fn build(source: &str) -> (Vec<LineView>, Result<Vec<u8>, String>) {
    let src_lines: Vec<&str> = source.lines().take(MAX_LINES).collect();
    let mut labels: Vec<(String, u64)> = Vec::new();
    let mut dup: Option<String> = None;
    for l in &src_lines {
        if let (Some(name), _) = split_line(l) {
            if labels.iter().any(|(n, _)| n == name) {
                dup.get_or_insert_with(|| format!("the label `{name}` is defined twice"));
            } else {
                labels.push((name.to_string(), CODE));
            }
        }
    }
    let mut views = Vec::new();
    for _pass in 0..6 {
        let mut at = CODE;
        let mut new_labels = labels.clone();
        views.clear();
        for l in &src_lines {
            let (label, insn) = split_line(l);
            if let Some(name) = label {
                if let Some(e) = new_labels.iter_mut().find(|(n, _)| n == name) {
                    e.1 = at;
                }
            }
            let mut v = LineView {
                source: (*l).to_string(),
                addr: at,
                bytes: Vec::new(),
                error: None,
            };
            if !insn.is_empty() {
                match assemble(&substitute(insn, &labels), Bitness::B64, at) {
                    Ok(a) => v.bytes = a.bytes,
                    Err(e) => v.error = Some(e.to_string()),
                }
            }
            at = at.wrapping_add(v.bytes.len() as u64);
            views.push(v);
        }
        let settled = new_labels == labels;
        labels = new_labels;
        if settled {
            break;
        }
    }
    if let Some(d) = dup {
        return (views, Err(d));
    }
    if source.lines().count() > MAX_LINES {
        return (views, Err(format!("more than {MAX_LINES} lines")));
    }
    if views.iter().any(|v| v.error.is_some()) {
        return (views, Err("fix the marked lines to run the program".into()));
    }
    let code: Vec<u8> = views.iter().flat_map(|v| v.bytes.iter().copied()).collect();
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
    let mut os = Linux::new(&Config {
        memory_limit: MEMORY,
        vendor,
        ..Config::default()
    })?;
    let rx = Prot {
        read: true,
        write: false,
        exec: true,
    };
    let rw = Prot {
        read: true,
        write: true,
        exec: false,
    };
    os.mm
        .map_now(&mut os.m.mmu, CODE, rx)
        .map_err(|e| e.to_string())?;
    os.mm
        .map_now(&mut os.m.mmu, STACK_TOP - 4096, rw)
        .map_err(|e| e.to_string())?;
    os.mm.poke(&mut os.m.mmu, CODE, code)?;
    let s = &mut os.m.cpu.s;
    s.rip = CODE;
    s.gpr[RSP] = STACK_TOP;
    s.cs = USER_CS;
    s.ss = USER_DS;
    s.rflags = rflags::FIXED | rflags::IF;
    Ok(os)
}

/// Up to `n` bytes at a virtual address, read through the page tables without side effects
/// (stops at the first unmapped byte).
pub fn peek(os: &Linux, addr: u64, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n.min(64) {
        let a = addr.wrapping_add(i as u64);
        let e = leaf_entry(&os.m.mmu.phys, os.m.cpu.s.cr3, false, a);
        if e & pte::P == 0 {
            break;
        }
        let mut b = [0u8; 1];
        os.m.mmu.phys.read((e & pte::ADDR) | (a & 0xfff), &mut b);
        out.push(b[0]);
    }
    out
}

/// What changed between two register files, in words.
pub fn changes(a: &State, b: &State) -> Vec<String> {
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

impl FeState {
    /// The state for a program text, on an Intel core.
    pub fn with_source(source: &str) -> Self {
        FeState::with_source_on(source, Vendor::Intel)
    }

    /// The state for a program text on a core of `vendor`.
    pub fn with_source_on(source: &str, vendor: Vendor) -> Self {
        let source: String = source.chars().take(MAX_SOURCE).collect();
        let (lines, code) = build(&source);
        let (os, error) = match code.and_then(|c| boot_on(&c, vendor)) {
            Ok(os) => (Some(Rc::new(os)), None),
            Err(e) => (None, Some(e)),
        };
        FeState {
            source,
            lines,
            error,
            os,
            history: Vec::new(),
            before: None,
            last: None,
            notice: None,
            pending: 0,
            vendor,
        }
    }

    /// Restores the state from the widget's URL keys (prefix removed).
    pub fn from_query(pairs: &[(String, String)]) -> Self {
        let vendor = pairs
            .iter()
            .rev()
            .find(|(k, _)| k == "cpu")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or_default();
        match pairs.iter().find(|(k, _)| k == "src") {
            Some((_, v)) => FeState::with_source_on(v, vendor),
            None => FeState::with_source_on(DEFAULT_PROGRAM, vendor),
        }
    }

    /// The widget's URL keys (prefix removed): the program text unless it is the default, the
    /// vendor unless it is Intel.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        if self.source != DEFAULT_PROGRAM {
            q.push(("src".into(), self.source.clone()));
        }
        if self.vendor != Vendor::Intel {
            q.push(("cpu".into(), self.vendor.id().into()));
        }
        q
    }

    /// Instructions retired in ring 3 so far.
    pub fn retired(&self) -> u64 {
        self.os.as_ref().map_or(0, |o| o.m.cpu.retired_user)
    }

    /// True while the process can still run.
    pub fn running(&self) -> bool {
        self.os
            .as_ref()
            .is_some_and(|o| o.state == ProcessState::Running)
    }

    /// Takes up to `budget` steps and returns how many it took. `record`: this starts a Step or
    /// a Run (the machine before it goes into the history, changes are shown against it); a
    /// Run's later chunks add to the same history entry.
    fn advance(&mut self, budget: u64, record: bool) -> u64 {
        let Some(os) = self.os.clone() else { return 0 };
        if os.state != ProcessState::Running {
            return 0;
        }
        let mut next = (*os).clone();
        let before = next.m.cpu.s.clone();
        let mut last = None;
        let mut n = 0;
        while n < budget && next.state == ProcessState::Running {
            if next.m.cpu.retired_user >= MAX_STEPS {
                self.notice = Some(format!(
                    "Stopped: {MAX_STEPS} instructions is this widget's budget. Is it an endless loop?"
                ));
                break;
            }
            match step_once(&mut next) {
                Some(s) => last = Some(s),
                None => break,
            }
            n += 1;
        }
        if let Some(e) = ended(&next.state) {
            self.notice = Some(e);
        }
        if record {
            self.history.push(os);
            if self.history.len() > MAX_HISTORY {
                self.history.remove(0);
            }
            self.before = Some(before);
        }
        if last.is_some() {
            self.last = last;
        }
        self.os = Some(Rc::new(next));
        n
    }

    /// One chunk of a Run; when the Run's budget is spent with the process still running, says
    /// it paused.
    fn run_chunk(&mut self, first: bool) {
        let n = self.advance(RUN_CHUNK.min(self.pending), first);
        self.pending = self.pending.saturating_sub(n);
        if n == 0 || !self.running() || self.notice.is_some() {
            self.pending = 0;
        }
        if self.pending == 0 && self.running() && self.notice.is_none() {
            self.notice = Some(format!(
                "Paused after {RUN_SLICE} steps so the page stays responsive; Run again to go on."
            ));
        }
    }
}

impl Reducible for FeState {
    type Action = FeAction;

    fn reduce(self: Rc<Self>, action: FeAction) -> Rc<Self> {
        let mut s = (*self).clone();
        s.notice = None;
        if action != FeAction::Continue {
            s.pending = 0;
        }
        match action {
            FeAction::Source(t) => return Rc::new(FeState::with_source_on(&t, s.vendor)),
            FeAction::Reset => return Rc::new(FeState::with_source(DEFAULT_PROGRAM)),
            FeAction::Restart => return Rc::new(FeState::with_source_on(&s.source, s.vendor)),
            FeAction::Vendor(v) => return Rc::new(FeState::with_source_on(&s.source, v)),
            FeAction::Step => {
                s.last = None;
                s.advance(1, true);
            }
            FeAction::Run => {
                s.last = None;
                s.pending = RUN_SLICE;
                s.run_chunk(true);
            }
            FeAction::Continue => {
                if s.pending > 0 {
                    s.run_chunk(false);
                }
            }
            FeAction::Back => {
                if let Some(prev) = s.history.pop() {
                    s.os = Some(prev);
                    s.before = None;
                    s.last = None;
                    s.notice = Some("Stepped back: the whole machine as it was.".into());
                }
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use youcpu_core::cpu::state::RAX;

    /// The rest of a Run's chunks, as the view's timer would dispatch them.
    fn finish(mut s: Rc<FeState>) -> Rc<FeState> {
        for _ in 0..=(RUN_SLICE / RUN_CHUNK) {
            if s.pending == 0 {
                break;
            }
            s = s.reduce(FeAction::Continue);
        }
        assert_eq!(s.pending, 0, "a Run ends within its budget");
        s
    }

    /// A Run and its chunks.
    fn run_all(s: Rc<FeState>) -> Rc<FeState> {
        finish(s.reduce(FeAction::Run))
    }

    #[test]
    fn default_program_sums_and_exits_with_15() {
        let s = Rc::new(FeState::from_query(&[]));
        assert!(s.error.is_none(), "{:?} {:?}", s.error, s.lines);
        let s = run_all(s);
        let os = s.os.as_ref().unwrap();
        assert_eq!(os.state, ProcessState::Exited { code: 15 });
        assert_eq!(os.m.cpu.s.gpr[RAX], 60);
        assert!(s.notice.as_deref().unwrap().contains("status 15"));
    }

    #[test]
    fn step_shows_the_three_phases_and_back_undoes() {
        let s = Rc::new(FeState::from_query(&[]));
        let s = s.reduce(FeAction::Step).reduce(FeAction::Step);
        let l = s.last.clone().unwrap();
        assert_eq!(l.rip, CODE + 5);
        assert_eq!(l.text, "mov ecx, 0x1");
        assert_eq!(l.len, 5);
        assert_eq!(l.fetched, vec![0xb9, 1, 0, 0, 0]);
        assert!(l.changes.iter().any(|c| c.starts_with("rcx: 0x0 → 0x1")));
        let s = s.reduce(FeAction::Step);
        assert_eq!(s.last.as_ref().unwrap().text, "add rax, rcx");
        let s = s.reduce(FeAction::Back);
        assert_eq!(s.os.as_ref().unwrap().m.cpu.s.rip, CODE + 10);
        assert_eq!(s.retired(), 2);
    }

    #[test]
    fn labels_resolve_forward_and_back() {
        let (lines, code) = build("  jmp fwd\nback: nop\nfwd: jmp back");
        let code = code.unwrap();
        // A numeric target gets the rel32 form, as GNU as gives it.
        assert_eq!(
            code,
            vec![0xe9, 1, 0, 0, 0, 0x90, 0xe9, 0xfa, 0xff, 0xff, 0xff]
        );
        assert_eq!(lines[2].addr, CODE + 6);
    }

    #[test]
    fn bad_lines_are_marked_and_nothing_runs() {
        let s = FeState::with_source("mov eax, 1\nfrobnicate rax\nmov rax, [");
        assert!(s.os.is_none());
        assert!(s.lines[1].error.is_some() && s.lines[2].error.is_some());
        assert!(s.lines[0].error.is_none());
        let s = Rc::new(s).reduce(FeAction::Step).reduce(FeAction::Run);
        assert!(s.last.is_none());
        assert!(FeState::with_source("").error.is_some());
        assert!(FeState::with_source("a: nop\na: nop").error.is_some());
    }

    #[test]
    fn endless_loop_pauses_and_hlt_in_ring3_is_killed() {
        let s = Rc::new(FeState::with_source("top: jmp top")).reduce(FeAction::Run);
        assert_eq!(s.retired(), RUN_CHUNK, "a Run takes one chunk at a time");
        assert_eq!(s.pending, RUN_SLICE - RUN_CHUNK);
        assert!(s.notice.is_none());
        let s = finish(s);
        assert!(s.running());
        assert_eq!(s.retired(), RUN_SLICE);
        assert_eq!(s.history.len(), 1, "one Run is one step back");
        assert!(s.notice.as_deref().unwrap().contains("Paused"));
        let back = s.reduce(FeAction::Back);
        assert_eq!(back.retired(), 0);
        // A Step during a Run ends the Run.
        let s = Rc::new(FeState::with_source("top: jmp top"))
            .reduce(FeAction::Run)
            .reduce(FeAction::Step);
        assert_eq!(s.pending, 0);
        assert_eq!(s.retired(), RUN_CHUNK + 1);
        let s = Rc::new(FeState::with_source("hlt")).reduce(FeAction::Run);
        let os = s.os.as_ref().unwrap();
        assert!(matches!(os.state, ProcessState::Killed { signal: 11, .. }));
    }

    #[test]
    fn history_is_bounded_and_url_round_trips() {
        let mut s = Rc::new(FeState::with_source("top: inc rax\njmp top"));
        for _ in 0..(MAX_HISTORY + 20) {
            s = s.reduce(FeAction::Step);
        }
        assert_eq!(s.history.len(), MAX_HISTORY);
        let q = s.to_query();
        let back = FeState::from_query(&q);
        assert_eq!(back.source, s.source);
        assert!(FeState::from_query(&[]).to_query().is_empty());
        let long = "nop\n".repeat(5000);
        assert!(FeState::with_source(&long).source.len() <= MAX_SOURCE);
    }

    /// After DIV the flags are undefined: the step says which, and what each vendor's core
    /// leaves (Intel keeps ZF/PF from the XOR before it, AMD clears them and sets AF).
    #[test]
    fn undefined_flags_are_marked_with_both_vendors_values() {
        let prog = "mov eax, 10\nxor edx, edx\nmov ecx, 3\ndiv ecx\nadd eax, 1";
        let mut s = Rc::new(FeState::with_source(prog));
        // mov: every flag defined (none touched); xor: AF undefined, both leave 0.
        let expect = [0, rflags::AF, 0];
        for want in expect {
            s = s.reduce(FeAction::Step);
            let l = s.last.clone().unwrap();
            assert_eq!(l.undefined, want, "{}", l.text);
            if want != 0 {
                assert_eq!((l.vendors[0].1 ^ l.vendors[1].1) & want, 0, "{}", l.text);
            }
        }
        s = s.reduce(FeAction::Step);
        let l = s.last.clone().unwrap();
        assert!(l.text.starts_with("div"), "{}", l.text);
        assert_eq!(l.undefined, rflags::STATUS);
        let v: Vec<(Vendor, u64)> = l.vendors.iter().map(|(v, f)| (*v, f & 0xfff)).collect();
        assert_eq!(v, vec![(Vendor::Intel, 0x246), (Vendor::Amd, 0x212)]);
        // The quotient and remainder do not depend on the vendor.
        assert_eq!(s.os.as_ref().unwrap().m.cpu.s.gpr[RAX], 3);
        s = s.reduce(FeAction::Step);
        assert_eq!(s.last.as_ref().map(|l| l.undefined), Some(0));
        assert!(s.last.as_ref().unwrap().vendors.is_empty());
    }

    /// The AMD core is a stated choice kept in the URL; the program starts over on it.
    #[test]
    fn vendor_choice_round_trips_through_the_url() {
        let s = Rc::new(FeState::with_source(DEFAULT_PROGRAM));
        assert_eq!(s.to_query(), Vec::<(String, String)>::new());
        let s = s.reduce(FeAction::Vendor(Vendor::Amd));
        assert_eq!(s.vendor, Vendor::Amd);
        assert_eq!(s.os.as_ref().unwrap().m.cpu.s.vendor, Vendor::Amd);
        let q = s.to_query();
        assert_eq!(q, vec![("cpu".to_string(), "amd".to_string())]);
        let back = FeState::from_query(&q);
        assert_eq!(back.vendor, Vendor::Amd);
        let s = s.reduce(FeAction::Source("shl eax, 3".into()));
        assert_eq!(s.vendor, Vendor::Amd, "editing keeps the vendor");
        let s = s.reduce(FeAction::Step);
        let l = s.last.clone().unwrap();
        assert_eq!(l.undefined, rflags::AF | rflags::OF);
        assert_eq!(l.vendors[0].0, Vendor::Amd);
        assert_eq!(
            l.vendors[0].1 & rflags::AF,
            rflags::AF,
            "AMD sets AF after SHL"
        );
        assert_eq!(l.vendors[1].1 & rflags::AF, 0, "Intel clears it");
        let bad = FeState::from_query(&[("cpu".into(), "z80".into())]);
        assert_eq!(
            bad.vendor,
            Vendor::Intel,
            "an unknown vendor falls back to Intel"
        );
    }
}
