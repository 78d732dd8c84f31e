//! The state of `signals`: which variant of the program runs, its watched run (from
//! [`youcpu_core::linux::sigwatch`]), the moment shown and the byte range picked. Pure: the
//! program's bytes come in with [`Action::Loaded`] (the view fetches them).

use crate::ui::Apply;
use std::rc::Rc;
use youcpu_core::linux::sigframe::{FPSTATE_SIZE, RED_ZONE};
use youcpu_core::linux::signal::{name, sa};
use youcpu_core::linux::sigwatch::{self, Moment, Range, Stop, Watch};

/// Where the page finds the program (web/programs/bin/sigframe, copied by Trunk).
pub const PROGRAM_URL: &str = "programs/bin/sigframe";
/// The most instructions a run may take (the program needs about 6,000).
pub const BUDGET: u64 = 2_000_000;

/// Which fault the program makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Reads address 0x10: a page fault, SIGSEGV.
    Segv,
    /// Divides by zero: a divide error, SIGFPE.
    Fpe,
    /// Runs `ud2`: an invalid opcode, SIGILL.
    Ill,
}

impl Kind {
    /// Every kind, in the picker's order.
    pub const ALL: [Kind; 3] = [Kind::Segv, Kind::Fpe, Kind::Ill];

    /// The program's first argument.
    pub fn arg(self) -> &'static str {
        match self {
            Kind::Segv => "segv",
            Kind::Fpe => "fpe",
            Kind::Ill => "ill",
        }
    }

    /// The picker's label.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Segv => "SIGSEGV: read address 0x10",
            Kind::Fpe => "SIGFPE: divide by zero",
            Kind::Ill => "SIGILL: ud2",
        }
    }
}

/// The variant of the program: its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variant {
    /// The fault.
    pub kind: Kind,
    /// SA_ONSTACK with a 16 KiB alternate stack.
    pub onstack: bool,
    /// SA_NODEFER: the signal is not blocked while its handler runs.
    pub nodefer: bool,
    /// The handler returns (through rt_sigreturn) instead of siglongjmp.
    pub ret: bool,
}

impl Default for Variant {
    fn default() -> Self {
        Variant {
            kind: Kind::Segv,
            onstack: false,
            nodefer: false,
            ret: false,
        }
    }
}

impl Variant {
    /// argv.
    pub fn argv(&self) -> Vec<&'static str> {
        let mut v = vec!["sigframe", self.kind.arg()];
        for (on, a) in [
            (self.onstack, "onstack"),
            (self.nodefer, "nodefer"),
            (self.ret, "return"),
        ] {
            if on {
                v.push(a);
            }
        }
        v
    }
}

/// A flag the reader toggles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    /// SA_ONSTACK.
    OnStack,
    /// SA_NODEFER.
    NoDefer,
    /// Leave by returning.
    Return,
}

/// What the reader (or the fetch) does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The program's bytes arrived (or could not be fetched).
    Loaded(Result<Rc<Vec<u8>>, String>),
    /// Another fault.
    Kind(Kind),
    /// A flag toggled.
    Toggle(Flag),
    /// The next moment.
    Next,
    /// The previous moment.
    Prev,
    /// A moment by index.
    Go(usize),
    /// A byte range picked (index into [`State::rows`]), or the same again to close it.
    Pick(usize),
    /// Back to the defaults (the program stays loaded).
    Reset,
}

/// The widget's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// The variant.
    pub variant: Variant,
    /// The program's bytes once fetched.
    pub program: Option<Rc<Vec<u8>>>,
    /// The watched run of the variant, or why it failed (also a failed fetch).
    pub run: Option<Rc<Result<Watch, String>>>,
    /// The moment shown.
    pub at: usize,
    /// The picked range.
    pub picked: Option<usize>,
}

impl State {
    fn rerun(&mut self) {
        if let Some(p) = &self.program {
            // A fetch failure and a run's failure are both shown in words (Display).
            let run = sigwatch::watch(p, &self.variant.argv(), BUDGET).map_err(|e| e.to_string());
            self.run = Some(Rc::new(run));
        }
        let n = self.stops().len();
        self.at = self.at.min(n.saturating_sub(1));
    }

    /// The run, if it worked.
    pub fn watch(&self) -> Option<&Watch> {
        self.run.as_deref().and_then(|r| r.as_ref().ok())
    }

    /// Why there is no run (a fetch or a run that failed).
    pub fn error(&self) -> Option<&str> {
        self.run
            .as_deref()
            .and_then(|r| r.as_ref().err())
            .map(String::as_str)
    }

    /// The moments.
    pub fn stops(&self) -> &[Stop] {
        self.watch().map_or(&[], |w| &w.stops)
    }

    /// The moment shown.
    pub fn stop(&self) -> Option<&Stop> {
        self.stops().get(self.at)
    }

    /// The frame's address and its FP state's (known from the handler's moment on, and shown
    /// as the place it will go before that).
    pub fn frame_at(&self) -> Option<(u64, u64)> {
        self.stops()
            .iter()
            .find_map(|s| s.frame.as_ref().map(|f| (f.at, f.fpstate)))
    }

    /// The rows of the stack picture, high addresses first: the frame's labelled ranges.
    pub fn rows(&self) -> Vec<Range> {
        let Some((at, fp)) = self.frame_at() else {
            return Vec::new();
        };
        let mut v = sigwatch::ranges(at, fp);
        v.reverse();
        v
    }

    /// The bytes of a range at the moment shown (None before the frame is written).
    pub fn bytes(&self, r: &Range) -> Option<&[u8]> {
        let f = self.stop()?.frame.as_ref()?;
        f.bytes
            .get(r.offset as usize..(r.offset + r.len) as usize)
    }

    /// Bytes between the FP state's end and the red zone (alignment), and the interrupted
    /// RSP; None on the alternate stack, where the frame starts at its top.
    pub fn above(&self) -> Option<(u64, u64)> {
        let w = self.watch()?;
        let (_, fp) = self.frame_at()?;
        let top = w.interrupted_rsp.checked_sub(RED_ZONE)?;
        let end = fp + FPSTATE_SIZE;
        (top >= end && top - end < 4096).then(|| (top - end, w.interrupted_rsp))
    }
}

/// The moment's name, for the track and the live region.
pub fn moment_name(m: Moment) -> &'static str {
    match m {
        Moment::Fault => "the fault",
        Moment::Pending => "pending",
        Moment::Handler => "the handler",
        Moment::Leave { sigreturn: true } => "rt_sigreturn",
        Moment::Leave { sigreturn: false } => "siglongjmp",
        Moment::Back => "back",
    }
}

/// The signals in a mask, by name ("none" for an empty one).
pub fn set_names(mask: u64) -> String {
    let v: Vec<&str> = (1..=64u8)
        .filter(|s| mask & (1u64 << (s - 1)) != 0)
        .map(name)
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// The SA_ flags of a disposition, named.
pub fn flag_names(flags: u64) -> String {
    let v: Vec<&str> = [
        (sa::SIGINFO, "SA_SIGINFO"),
        (sa::ONSTACK, "SA_ONSTACK"),
        (sa::NODEFER, "SA_NODEFER"),
        (sa::RESTART, "SA_RESTART"),
        (sa::RESTORER, "SA_RESTORER"),
    ]
    .iter()
    .filter(|(b, _)| flags & b != 0)
    .map(|(_, n)| *n)
    .collect();
    v.join(" | ")
}

/// The moment in words: what happened and what the picture shows.
pub fn describe(s: &State) -> String {
    let (Some(w), Some(st)) = (s.watch(), s.stop()) else {
        return s
            .error()
            .map_or("Loading the program…".into(), |e| format!("The run failed: {e}"));
    };
    let sig = name(w.signal);
    let frame = s.frame_at();
    let size = frame.map_or(0, |(at, fp)| fp + FPSTATE_SIZE - at);
    match st.moment {
        Moment::Fault => {
            let what = match w.exception {
                Some((14, Some(e), cr2)) => format!(
                    "address {cr2:#x} is in no mapping, so the CPU will raise a page fault (vector 14, error code {e})"
                ),
                Some((v, _, _)) => format!("the CPU will raise exception vector {v}"),
                None => "the CPU will raise an exception".into(),
            };
            format!(
                "Ring 3 is about to run `{}` at {:#x} with RSP {:#x}: {what}. No signal is pending.",
                st.text, st.rip, st.rsp
            )
        }
        Moment::Pending => format!(
            "The kernel's exception handler made the fault {sig} and left it pending (pending: {}; blocked: {}). \
             The registers are those of the faulting instruction; nothing is on the user stack yet.",
            set_names(st.pending),
            set_names(st.blocked)
        ),
        Moment::Handler => format!(
            "On the way back to user mode the kernel delivered {sig}: it skipped the 128-byte red zone{}, wrote a {size}-byte frame at {:#x} \
             and set RIP to the handler ({:#x}), RDI = {}, RSI = &info ({:#x}), RDX = &uc ({:#x}). Blocked now: {}.",
            if w.action.flags & sa::ONSTACK != 0 { ", switched to the alternate stack" } else { "" },
            st.rsp,
            st.rip,
            st.rdi,
            st.rsi,
            st.rdx,
            set_names(st.blocked)
        ),
        Moment::Leave { sigreturn: true } => format!(
            "The handler moved the saved RIP past the faulting instruction and returned to the restorer at pretcode, which called rt_sigreturn (RSP {:#x}, 8 bytes above the frame's start): the kernel reads every register, the flags, the FP state and the mask back from the frame.",
            st.rsp
        ),
        Moment::Leave { sigreturn: false } => format!(
            "siglongjmp jumped back into sigsetjmp: RSP is {:#x}, above the frame, which no one will read again. The handler's mask still blocks {}.",
            st.rsp,
            set_names(st.blocked)
        ),
        Moment::Back => format!(
            "The interrupted code runs again at {:#x} with RSP {:#x} and its own mask (blocked: {}). The frame's bytes are still in memory below RSP, dead.",
            st.rip,
            st.rsp,
            set_names(st.blocked)
        ),
    }
}

/// The range a register points at (by its address), for the picture's arrows.
pub fn points_at(rows: &[Range], frame: u64, addr: u64) -> Option<usize> {
    rows.iter()
        .position(|r| addr >= frame + r.offset && addr < frame + r.offset + r.len)
}

impl Apply for State {
    type Action = Action;

    fn apply(&mut self, a: Action) {
        match a {
            Action::Loaded(Ok(p)) => {
                self.program = Some(p);
                self.rerun();
            }
            Action::Loaded(Err(e)) => self.run = Some(Rc::new(Err(e))),
            Action::Kind(k) => {
                self.variant.kind = k;
                self.picked = None;
                self.rerun();
            }
            Action::Toggle(f) => {
                let v = &mut self.variant;
                match f {
                    Flag::OnStack => v.onstack = !v.onstack,
                    Flag::NoDefer => v.nodefer = !v.nodefer,
                    Flag::Return => v.ret = !v.ret,
                }
                self.rerun();
            }
            Action::Next => self.at = (self.at + 1).min(self.stops().len().saturating_sub(1)),
            Action::Prev => self.at = self.at.saturating_sub(1),
            Action::Go(i) => self.at = i.min(self.stops().len().saturating_sub(1)),
            Action::Pick(i) => {
                self.picked = if self.picked == Some(i) { None } else { Some(i) };
            }
            Action::Reset => {
                self.variant = Variant::default();
                self.at = 0;
                self.picked = None;
                self.rerun();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(v: Variant) -> State {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/programs/bin/sigframe");
        let mut s = State {
            variant: v,
            ..State::default()
        };
        s.apply(Action::Loaded(Ok(Rc::new(std::fs::read(p).expect("the program")))));
        s
    }

    #[test]
    fn the_default_run_stops_at_five_moments_with_the_frame_from_the_handler_on() {
        let mut s = loaded(Variant::default());
        let names: Vec<&str> = s.stops().iter().map(|t| moment_name(t.moment)).collect();
        assert_eq!(names, ["the fault", "pending", "the handler", "siglongjmp", "back"]);
        assert!(describe(&s).contains("mov eax, dword ptr [0x10]"), "{}", describe(&s));
        assert!(describe(&s).contains("page fault (vector 14, error code 4)"));
        let rows = s.rows();
        assert!(s.bytes(&rows[0]).is_none(), "nothing written before delivery");
        s.apply(Action::Next);
        assert!(describe(&s).contains("pending: SIGSEGV; blocked: none"), "{}", describe(&s));
        s.apply(Action::Next);
        let d = describe(&s);
        assert!(d.contains("968-byte frame") && d.contains("RDI = 11") && d.contains("Blocked now: SIGSEGV."), "{d}");
        let st = s.stop().expect("stop").clone();
        let (at, _) = s.frame_at().expect("frame");
        assert_eq!(points_at(&rows, at, st.rsp).map(|i| rows[i].name), Some("pretcode"));
        assert_eq!(points_at(&rows, at, st.rdx).map(|i| rows[i].name), Some("uc_flags"));
        assert_eq!(points_at(&rows, at, st.rsi).map(|i| rows[i].name), Some("si_signo"));
        let addr = rows.iter().find(|r| r.name == "si_addr").expect("si_addr");
        assert_eq!(s.bytes(addr), Some(&0x10u64.to_le_bytes()[..]));
        let total: u64 = rows.iter().map(|r| r.len).sum();
        assert_eq!(total, 968, "the labelled ranges add up to the frame and its FP state");
        s.apply(Action::Go(9));
        assert_eq!(s.at, 4);
        assert!(describe(&s).contains("blocked: none"));
    }

    #[test]
    fn variants_change_the_moments_the_mask_and_the_stack() {
        let mut s = loaded(Variant::default());
        s.apply(Action::Toggle(Flag::Return));
        s.apply(Action::Toggle(Flag::NoDefer));
        s.apply(Action::Kind(Kind::Ill));
        let names: Vec<&str> = s.stops().iter().map(|t| moment_name(t.moment)).collect();
        assert_eq!(names[3], "rt_sigreturn");
        s.apply(Action::Go(2));
        assert!(describe(&s).contains("Blocked now: none."), "{}", describe(&s));
        assert!(s.above().is_some());
        s.apply(Action::Toggle(Flag::OnStack));
        s.apply(Action::Go(2));
        assert!(describe(&s).contains("alternate stack"), "{}", describe(&s));
        assert!(s.above().is_none(), "the frame is on the alternate stack");
        s.apply(Action::Reset);
        assert_eq!(s.variant, Variant::default());
        assert_eq!(s.at, 0);
    }

    #[test]
    fn a_failed_fetch_and_junk_say_so() {
        let mut s = State::default();
        assert!(describe(&s).contains("Loading"));
        s.apply(Action::Loaded(Err("HTTP 404".into())));
        assert!(describe(&s).contains("HTTP 404"));
        s.apply(Action::Loaded(Ok(Rc::new(b"junk".to_vec()))));
        assert!(s.error().is_some());
        s.apply(Action::Next);
        assert_eq!(s.at, 0);
    }
}
