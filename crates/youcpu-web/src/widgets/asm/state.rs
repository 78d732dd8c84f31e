//! The assembly ↔ machine code playground's state: the text typed in each direction, the
//! results computed from it by the core's assembler and disassembler, and which instruction is
//! selected for the byte-by-byte explanation. A pure reducer.

use super::build::{b64_decode, b64_encode, BuildAction, BuildState, HELLO, MAX_LINK_SOURCE};
use std::rc::Rc;
use std::sync::OnceLock;
use crate::ui::{Apply, Query, UrlState};
use youcpu_core::asm::{
    assemble, disassemble, disassemble_one, parse_hex, Assembled, Bitness, Decoded, DecodedItem,
    FieldKind, MAX_LINE_LEN,
};

/// The most lines the widget assembles at once.
pub const MAX_LINES: usize = 64;
/// The most characters of source or hex the widget keeps (a pasted novel is cut, with a note).
pub const MAX_TEXT: usize = 8192;
/// Where the first instruction is placed (a typical start of `.text` in a static program).
pub const BASE_IP: u64 = 0x40_1000;

/// The example the widget opens with.
pub const DEFAULT_SOURCE: &str = "add eax, 512\nadd ebx, 128\nadd ebx, 127\nmov rax, 0x80000000\nmov rdi, 1\nlea rsi, [rip + 0x20]\nmov edx, 13\nsyscall";

/// Which way the reader is translating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Assembly text to bytes.
    Assemble,
    /// Bytes to assembly text.
    Disassemble,
    /// A whole program built into an ELF file and run.
    Build,
}

/// One assembled line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmLine {
    /// The line as typed.
    pub source: String,
    /// Its address.
    pub ip: u64,
    /// The mode it was assembled in.
    pub bits: Bitness,
    /// The encoding and its breakdown, or the assembler's message.
    pub result: Result<(Assembled, Option<Decoded>), String>,
}

/// An edit or a click.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Switch direction.
    SetMode(Mode),
    /// New assembly text.
    Source(String),
    /// New hex text.
    Hex(String),
    /// 16-, 32- or 64-bit code.
    Bits(Bitness),
    /// Select the instruction at this index for the explanation.
    Select(usize),
    /// Back to the example.
    Reset,
    /// Something in the "Build and run" part.
    Build(BuildAction),
}

/// The widget's whole state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// Current direction.
    pub mode: Mode,
    /// CPU mode.
    pub bits: Bitness,
    /// Assembly text (one instruction per line).
    pub source: String,
    /// Hex text.
    pub hex: String,
    /// A note when input was cut to the widget's limits.
    pub notice: Option<String>,
    /// Assembly results, one per non-blank line.
    pub lines: Rc<Vec<AsmLine>>,
    /// Disassembly results, or the hex parser's message.
    pub decoded: Rc<Result<Vec<DecodedItem>, String>>,
    /// The selected instruction (index into `lines` or `decoded`).
    pub selected: usize,
    /// The "Build and run" part.
    pub build: BuildState,
}

impl Default for State {
    fn default() -> Self {
        let mut s = State {
            mode: Mode::Assemble,
            bits: Bitness::B64,
            source: DEFAULT_SOURCE.to_string(),
            hex: String::new(),
            notice: None,
            lines: Rc::new(Vec::new()),
            decoded: Rc::new(Ok(Vec::new())),
            selected: 0,
            build: BuildState::default(),
        };
        s.hex = hex_of_source(&s.assemble_all());
        s.recompute();
        s
    }
}

/// The hex the widget opens with: the example's bytes. Computed once, for [`State::to_query`],
/// which runs on every render and so must not assemble the example each time (issue #8).
fn default_hex() -> &'static str {
    static HEX: OnceLock<String> = OnceLock::new();
    HEX.get_or_init(|| State::default().hex)
}

fn hex_of_source(lines: &[AsmLine]) -> String {
    lines
        .iter()
        .filter_map(|l| l.result.as_ref().ok())
        .map(|(a, _)| hex(&a.bytes))
        .collect::<Vec<_>>()
        .join("  ")
}

/// Bytes as lowercase hex pairs separated by single spaces.
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which field each byte of an instruction belongs to (None for a byte no field covers).
pub fn byte_kinds(d: &Decoded) -> Vec<Option<FieldKind>> {
    let mut out = vec![None; d.len];
    for f in &d.fields {
        for k in out.iter_mut().skip(f.start).take(f.len) {
            *k = Some(f.kind);
        }
    }
    out
}

fn clip(text: String, notice: &mut Option<String>) -> String {
    if text.chars().count() > MAX_TEXT {
        *notice = Some(format!(
            "The input was cut to its first {MAX_TEXT} characters."
        ));
        text.chars().take(MAX_TEXT).collect()
    } else {
        text
    }
}

impl State {
    fn assemble_all(&self) -> Vec<AsmLine> {
        let mut ip = BASE_IP;
        let mut out = Vec::new();
        for line in self
            .source
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(MAX_LINES)
        {
            let line = if line.len() > MAX_LINE_LEN {
                line.chars().take(80).collect::<String>()
            } else {
                line.to_string()
            };
            let here = ip;
            // A line with the same text at the same address and mode as before assembles the
            // same way: reuse it, so a keystroke re-assembles only the lines it changed. (Only
            // lines without surrounding blanks, whose stored trimmed text is the text itself.)
            let same = (line.trim() == line)
                .then(|| {
                    self.lines
                        .iter()
                        .find(|l| l.ip == here && l.source == line && l.bits == self.bits)
                })
                .flatten();
            let result = match same {
                Some(l) => l.result.clone(),
                None => assemble(&line, self.bits, here)
                    .map(|a| {
                        let d = disassemble_one(&a.bytes, self.bits, here).ok();
                        (a, d)
                    })
                    .map_err(|e| e.to_string()),
            };
            if let Ok((a, _)) = &result {
                ip = here.wrapping_add(a.bytes.len() as u64) & self.bits.max_ip();
            }
            out.push(AsmLine {
                source: line.trim().to_string(),
                ip: here,
                bits: self.bits,
                result,
            });
        }
        out
    }

    fn recompute(&mut self) {
        self.recompute_parts(true, true);
    }

    /// Re-assembles the source (`asm`) and/or re-disassembles the hex (`dis`): an edit in one
    /// direction leaves the other's results as they are (issue #8: work per input).
    fn recompute_parts(&mut self, asm: bool, dis: bool) {
        if asm {
            self.lines = Rc::new(self.assemble_all());
        }
        if self.source.lines().filter(|l| !l.trim().is_empty()).count() > MAX_LINES {
            self.notice = Some(format!("Only the first {MAX_LINES} lines are assembled."));
        }
        if dis {
            self.decoded = Rc::new(
                parse_hex(&self.hex)
                    .and_then(|b| disassemble(&b, self.bits, BASE_IP))
                    .map_err(|e| e.to_string()),
            );
        }
        let n = match self.mode {
            Mode::Assemble => self.lines.len(),
            Mode::Disassemble => self.decoded.as_ref().as_ref().map_or(0, Vec::len),
            Mode::Build => 0,
        };
        if self.selected >= n {
            self.selected = n.saturating_sub(1);
        }
    }


    /// The decoded instruction the explanation panel shows, if any.
    pub fn selected_decoded(&self) -> Option<&Decoded> {
        match self.mode {
            Mode::Assemble => self
                .lines
                .get(self.selected)
                .and_then(|l| l.result.as_ref().ok())
                .and_then(|(_, d)| d.as_ref()),
            Mode::Disassemble => match self.decoded.as_ref() {
                Ok(items) => match items.get(self.selected) {
                    Some(DecodedItem::Insn(d)) => Some(d),
                    _ => None,
                },
                Err(_) => None,
            },
            Mode::Build => None,
        }
    }

    /// The assembler's choice for the selected line (assemble mode only).
    pub fn selected_assembled(&self) -> Option<&Assembled> {
        if self.mode != Mode::Assemble {
            return None;
        }
        self.lines
            .get(self.selected)
            .and_then(|l| l.result.as_ref().ok())
            .map(|(a, _)| a)
    }


}


impl UrlState for State {
    const PREFIX: &'static str = "asm-";

    /// Builds the state a link describes.
    fn from_query(q: &Query) -> Self {
        let mut s = State::default();
        let get = |k: &str| q.text(k);
        if let Some(b) = get("bits") {
            let bits = match b.as_str() {
                "16" => Bitness::B16,
                "32" => Bitness::B32,
                _ => Bitness::B64,
            };
            s.apply(Action::Bits(bits));
        }
        if let Some(src) = get("src") {
            s.apply(Action::Source(src));
        }
        if let Some(h) = get("hex") {
            s.apply(Action::Hex(h));
        }
        if let Some(p) = get("prog") {
            match b64_decode(&p).and_then(|b| String::from_utf8(b).ok()) {
                Some(src) if src.len() <= MAX_LINK_SOURCE => {
                    s.build.apply(BuildAction::Source(src));
                }
                _ => {
                    s.build.notice = Some(
                        "The program in the link could not be read; here is the example.".into(),
                    )
                }
            }
        }
        match get("mode").as_deref() {
            Some("dis") => {
                s.mode = Mode::Disassemble;
                s.recompute();
            }
            Some("build") => s.mode = Mode::Build,
            _ => {}
        }
        if let Some(i) = get("sel").and_then(|v| v.parse::<usize>().ok()) {
            s.apply(Action::Select(i));
        }
        s
    }

    /// The keys that reproduce this state; defaults are left out.
    fn to_query(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match self.mode {
            Mode::Disassemble => out.push(("mode".into(), "dis".into())),
            Mode::Build => out.push(("mode".into(), "build".into())),
            Mode::Assemble => {}
        }
        if self.bits != Bitness::B64 {
            out.push(("bits".into(), self.bits.bits().to_string()));
        }
        if self.source != DEFAULT_SOURCE {
            out.push(("src".into(), self.source.clone()));
        }
        if self.mode == Mode::Disassemble && self.hex != default_hex() {
            out.push(("hex".into(), self.hex.clone()));
        }
        if self.selected != 0 {
            out.push(("sel".into(), self.selected.to_string()));
        }
        if self.build.source != HELLO && self.build.source.len() <= MAX_LINK_SOURCE {
            out.push(("prog".into(), b64_encode(self.build.source.as_bytes())));
        }
        out
    }
}

impl Apply for State {
    type Action = Action;

    /// Applies one action.
    fn apply(&mut self, action: Action) {
        match action {
            Action::Reset => {
                *self = State::default();
                return;
            }
            Action::SetMode(m) => {
                if m != self.mode {
                    // Carry the work across: what was assembled becomes the bytes to decode.
                    let hex = self.hex.clone();
                    if m == Mode::Disassemble && self.lines.iter().any(|l| l.result.is_ok()) {
                        self.hex = hex_of_source(&self.lines);
                    }
                    self.mode = m;
                    self.selected = 0;
                    let dis = self.hex != hex;
                    self.recompute_parts(false, dis);
                } else {
                    self.recompute_parts(false, false);
                }
                return;
            }
            Action::Source(t) => {
                self.notice = None;
                self.source = clip(t, &mut self.notice);
                self.recompute_parts(true, false);
                return;
            }
            Action::Hex(t) => {
                self.notice = None;
                self.hex = clip(t, &mut self.notice);
                self.selected = 0;
                self.recompute_parts(false, true);
                return;
            }
            Action::Bits(b) => self.bits = b,
            Action::Select(i) => {
                self.selected = i;
                self.recompute_parts(false, false);
                return;
            }
            Action::Build(a) => {
                // Running and editing the program leave the other two views as they are.
                self.build.apply(a);
                return;
            }
        }
        self.recompute();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_of(s: &State, i: usize) -> String {
        match &s.lines[i].result {
            Ok((a, _)) => hex(&a.bytes),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn reused_lines_and_kept_views_equal_a_fresh_computation() {
        let mut s = State::default();
        let edits = [
            Action::Source("mov eax, 1\nadd eax, 512\n".into()),
            Action::Source("mov eax, 1\nadd eax, 5122\n  push rbx\nbogus".into()),
            Action::Select(2),
            Action::Bits(Bitness::B32),
            Action::Source("mov eax, 1\npush ebx\nadd eax, 5122\n".into()),
            Action::SetMode(Mode::Disassemble),
            Action::Hex("b8 01 00 00 00 53".into()),
            Action::SetMode(Mode::Assemble),
            Action::Source("mov eax, 2\npush ebx\nadd eax, 5122\n".into()),
        ];
        for a in edits {
            s.apply(a.clone());
            let mut fresh = s.clone();
            fresh.lines = Rc::new(Vec::new());
            fresh.decoded = Rc::new(Ok(Vec::new()));
            fresh.recompute();
            assert_eq!(fresh.lines, s.lines, "after {a:?}");
            assert_eq!(fresh.decoded, s.decoded, "after {a:?}");
            assert_eq!(fresh.selected, s.selected, "after {a:?}");
        }
        // The defaults the link leaves out are the example's.
        assert!(State::default().to_query().is_empty());
        assert_eq!(default_hex(), State::default().hex);
    }

    #[test]
    fn the_example_assembles_like_gas() {
        let s = State::default();
        assert_eq!(bytes_of(&s, 0), "05 00 02 00 00");
        assert_eq!(bytes_of(&s, 1), "81 c3 80 00 00 00");
        assert_eq!(bytes_of(&s, 2), "83 c3 7f");
        assert_eq!(
            s.lines[3].result.as_ref().map(|(a, _)| a.bytes.len()),
            Ok(10)
        );
        assert_eq!(s.lines[0].ip, BASE_IP);
        assert_eq!(s.lines[1].ip, BASE_IP + 5);
    }

    #[test]
    fn the_breakdown_covers_every_byte_of_add_eax_512() {
        let s = State::default();
        let d = s.selected_decoded().expect("line 0 decodes");
        let kinds = byte_kinds(d);
        assert_eq!(kinds[0], Some(FieldKind::Opcode));
        assert!(kinds[1..].iter().all(|k| *k == Some(FieldKind::Immediate)));
    }

    #[test]
    fn junk_lines_are_messages_not_panics() {
        let mut s = State::default();
        let junk = [
            "mov",
            "add eax,",
            "frobnicate rax",
            "mov rax, 0x1ffffffffffffffff",
            "٣",
            "\u{0}",
            "add [rax], 1",
        ];
        s.apply(Action::Source(junk.join("\n")));
        assert_eq!(s.lines.len(), junk.len());
        assert!(s.lines.iter().all(|l| l.result.is_err()), "{:?}", s.lines);
        s.apply(Action::Source("x".repeat(100_000)));
        assert!(s.notice.is_some());
        assert!(s.source.len() <= MAX_TEXT);
        s.apply(Action::Source("nop\n".repeat(500)));
        assert_eq!(s.lines.len(), MAX_LINES);
        assert!(s.notice.is_some());
    }

    #[test]
    fn switching_direction_carries_the_bytes_over() {
        let mut s = State::default();
        s.apply(Action::Source("add eax, 512\nret".into()));
        s.apply(Action::SetMode(Mode::Disassemble));
        assert_eq!(s.hex, "05 00 02 00 00  c3");
        let items = s.decoded.as_ref().as_ref().expect("decodes");
        assert_eq!(items.len(), 2);
        match &items[0] {
            DecodedItem::Insn(d) => assert_eq!(d.text, "add eax, 0x200"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_hex_is_a_message_and_bad_bytes_are_marked() {
        let mut s = State::default();
        s.apply(Action::SetMode(Mode::Disassemble));
        s.apply(Action::Hex("zz".into()));
        assert!(s.decoded.is_err());
        s.apply(Action::Hex("06 c3".into())); // 06 (push es) is invalid in 64-bit mode
        let items = s.decoded.as_ref().as_ref().expect("parses");
        assert!(matches!(items[0], DecodedItem::Bad { .. }));
        s.apply(Action::Select(1));
        assert_eq!(
            s.selected_decoded().map(|d| d.mnemonic.as_str()),
            Some("ret")
        );
        s.apply(Action::Select(99));
        assert_eq!(s.selected, 1);
    }

    #[test]
    fn query_round_trip() {
        let mut s = State::default();
        s.apply(Action::Bits(Bitness::B32));
        s.apply(Action::Source("push ebp\nmov ebp, esp".into()));
        s.apply(Action::Select(1));
        let back = State::from_query(&s.to_query().into());
        assert_eq!(back, s);
        let mut d = State::default();
        d.apply(Action::SetMode(Mode::Disassemble));
        d.apply(Action::Hex("90 90 c3".into()));
        assert_eq!(State::from_query(&d.to_query().into()), d);
        let mut b = State::default();
        b.apply(Action::SetMode(Mode::Build));
        b.apply(Action::Build(BuildAction::Source("nop # ü\n".into())));
        let q = b.to_query();
        assert!(q.iter().any(|(k, v)| k == "prog" && !v.contains('%')));
        assert_eq!(State::from_query(&q.into()), b);
        // Longer than a link carries: the source stays out of the URL.
        b.apply(Action::Build(BuildAction::Source("nop\n".repeat(2000))));
        assert!(!b.to_query().iter().any(|(k, _)| k == "prog"));
        let bad = State::from_query(&Query::from([("prog", "***")]));
        assert!(bad.build.notice.is_some());
    }
}
