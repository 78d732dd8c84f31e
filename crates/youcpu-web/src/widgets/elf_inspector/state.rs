//! The ELF inspector's state: the file's bytes (an example, or a file the reader opened, which
//! never leaves the browser), the parse, which table is shown, and which field's bytes are
//! highlighted in the hex view. A pure reducer.

use super::examples::EXAMPLES;
use std::rc::Rc;
use crate::ui::{Apply, Query, UrlState};
use youcpu_core::elf::{parse, ByteRange, ElfFile, MAX_FILE_SIZE};

/// Bytes per hex-view row.
pub const HEX_ROW: u64 = 16;
/// Rows in the hex view.
pub const HEX_ROWS: u64 = 12;

/// Which table is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// ELF header fields.
    Header,
    /// Program headers.
    Segments,
    /// Section headers.
    Sections,
}

impl Tab {
    /// URL/test key.
    pub fn key(self) -> &'static str {
        match self {
            Tab::Header => "header",
            Tab::Segments => "segments",
            Tab::Sections => "sections",
        }
    }
}

/// Where the bytes came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A built-in example, by index.
    Example(usize),
    /// A file the reader opened (its name).
    File(String),
}

/// A highlighted field: its bytes and a label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// The bytes.
    pub range: ByteRange,
    /// What they are.
    pub label: String,
}

/// An action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Load example i.
    Example(usize),
    /// The reader opened a file.
    File {
        /// Its name.
        name: String,
        /// Its bytes.
        bytes: Rc<Vec<u8>>,
    },
    /// A file could not be read (too large, read error).
    FileError(String),
    /// Show a table.
    Tab(Tab),
    /// Highlight a field's bytes (None clears).
    Highlight(Option<Highlight>),
}

/// The widget's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// Where the bytes came from.
    pub source: Source,
    /// The bytes.
    pub bytes: Rc<Vec<u8>>,
    /// The parse, or the parser's message.
    pub parsed: Rc<Result<ElfFile, String>>,
    /// A message about the last file the reader tried to open.
    pub file_error: Option<String>,
    /// The table shown.
    pub tab: Tab,
    /// The highlighted bytes.
    pub highlight: Option<Highlight>,
}

impl Default for State {
    fn default() -> Self {
        let mut s = State {
            source: Source::Example(0),
            bytes: Rc::new(Vec::new()),
            parsed: Rc::new(Err(String::new())),
            file_error: None,
            tab: Tab::Segments,
            highlight: None,
        };
        s.load_example(0);
        s
    }
}

impl State {
    fn load_example(&mut self, i: usize) {
        let Some(e) = EXAMPLES.get(i) else { return };
        match (e.build)() {
            Ok(b) => self.set_bytes(Source::Example(i), Rc::new(b)),
            Err(msg) => {
                self.source = Source::Example(i);
                self.bytes = Rc::new(Vec::new());
                self.parsed = Rc::new(Err(format!("could not build the example: {msg}")));
            }
        }
    }

    fn set_bytes(&mut self, source: Source, bytes: Rc<Vec<u8>>) {
        self.parsed = Rc::new(parse(&bytes).map_err(|e| e.to_string()));
        self.source = source;
        self.bytes = bytes;
        self.highlight = None;
        self.file_error = None;
    }


    /// The first byte offset the hex view shows: a row boundary one row above the highlight.
    pub fn hex_window_start(&self) -> u64 {
        let len = self.bytes.len() as u64;
        let want = self
            .highlight
            .as_ref()
            .map_or(0, |h| (h.range.start / HEX_ROW).saturating_sub(1) * HEX_ROW);
        // The latest start whose window still ends at the file's last row.
        let last_row = len.saturating_sub(1) / HEX_ROW * HEX_ROW;
        want.min(last_row.saturating_sub((HEX_ROWS - 1) * HEX_ROW))
    }


}

impl UrlState for State {
    const PREFIX: &'static str = "elf-";

    /// Builds the state a link describes.
    fn from_query(q: &Query) -> Self {
        let mut s = State::default();
        let get = |k: &str| q.text(k);
        if let Some(i) = get("ex").and_then(|v| v.parse::<usize>().ok()) {
            s.apply(Action::Example(i));
        }
        match get("tab").as_deref() {
            Some("header") => s.tab = Tab::Header,
            Some("sections") => s.tab = Tab::Sections,
            _ => {}
        }
        s
    }

    /// The keys that reproduce this state (a file from the reader's disk cannot be linked).
    fn to_query(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Source::Example(i) = self.source {
            if i != 0 {
                out.push(("ex".into(), i.to_string()));
            }
        }
        if self.tab != Tab::Segments {
            out.push(("tab".into(), self.tab.key().into()));
        }
        out
    }
}

impl Apply for State {
    type Action = Action;

    /// Applies one action.
    fn apply(&mut self, a: Action) {
        match a {
            Action::Example(i) => self.load_example(i),
            Action::File { name, bytes } => {
                if bytes.len() as u64 > MAX_FILE_SIZE {
                    self.file_error = Some(crate::ui::too_large(&name, bytes.len() as u64));
                } else {
                    let name: String = name.chars().take(120).collect();
                    self.set_bytes(Source::File(name), bytes);
                }
            }
            Action::FileError(m) => self.file_error = Some(m),
            Action::Tab(t) => self.tab = t,
            Action::Highlight(h) => {
                self.highlight = h.filter(|h| {
                    h.range.end <= self.bytes.len() as u64 && h.range.start <= h.range.end
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_on_the_hello_example() {
        let s = State::default();
        let elf = s.parsed.as_ref().as_ref().expect("parses");
        assert_eq!(elf.segments.iter().filter(|g| g.is_load()).count(), 2);
        assert!(elf.sections.iter().any(|x| x.name == ".text"));
    }

    #[test]
    fn junk_files_are_messages() {
        let mut s = State::default();
        for junk in [
            Vec::new(),
            b"hello".to_vec(),
            vec![0x7f, b'E', b'L', b'F'],
            vec![0xff; 4096],
        ] {
            s.apply(Action::File {
                name: "junk".into(),
                bytes: Rc::new(junk),
            });
            assert!(s.parsed.is_err());
        }
        // A truncated copy of a real file.
        let good = State::default();
        for cut in [10usize, 63, 64, 100, 200] {
            let b = good.bytes[..cut.min(good.bytes.len())].to_vec();
            s.apply(Action::File {
                name: "cut".into(),
                bytes: Rc::new(b),
            });
            assert!(s.parsed.is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn highlights_stay_inside_the_file_and_move_the_hex_window() {
        let mut s = State::default();
        let len = s.bytes.len() as u64;
        s.apply(Action::Highlight(Some(Highlight {
            range: ByteRange {
                start: len,
                end: len + 8,
            },
            label: "x".into(),
        })));
        assert!(s.highlight.is_none());
        s.apply(Action::Highlight(Some(Highlight {
            range: ByteRange {
                start: 0x40,
                end: 0x78,
            },
            label: "phdr".into(),
        })));
        assert_eq!(s.hex_window_start(), 0x30);
        s.apply(Action::Highlight(None));
        assert_eq!(s.hex_window_start(), 0);
    }

    #[test]
    fn query_round_trip() {
        let mut s = State::default();
        s.apply(Action::Example(1));
        s.apply(Action::Tab(Tab::Header));
        assert_eq!(State::from_query(&s.to_query().into()), s);
        assert_eq!(
            State::from_query(&Query::from([("ex", "999")])),
            State::default()
        );
    }
}
