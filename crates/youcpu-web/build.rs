//! Compiles the article's Markdown (`web/article/*.md`, one file per part) into Rust at build
//! time, so no Markdown parser ships in the wasm and a widget directive naming an unknown widget
//! fails the build.
//!
//! A part file starts with front matter:
//!
//! ```text
//! ---
//! id: timeslicing          (one of the anchors in PART_IDS, each used once)
//! title: Slicing time
//! summary: One paragraph in plain text.
//! ---
//! ```
//!
//! and a line `::: widget NAME` anywhere in the body places the widget NAME there; a line
//! `::: figure NAME Caption, in Markdown.` places the figure NAME (drawn by
//! `src/figures/`) with that caption, numbered in reading order, anchored at `#figure-NAME`.
//!
//! Every internal link (`[text](#anchor)`) must name an anchor the page has: a part id, a heading
//! id (`PART-SLUG`), or a placed widget (`widget-NAME`); a dangling one fails the build.
//!
//! A number the prose quotes from a simulated run is written `{{run:KEY}}` and filled in from
//! `web/article/run-facts.txt` (`KEY = VALUE` lines), which a native test re-derives from the
//! simulator (`crates/youcpu-core/tests/it/run_facts.rs`), so prose and run cannot drift apart; an
//! unknown key fails the build.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The article's parts, in reading order; each file must declare one of these ids.
const PART_IDS: [&str; 8] = [
    "basics",
    "timeslicing",
    "exec",
    "elf",
    "paging",
    "fork",
    "your-program",
    "epilogue",
];

/// The `WidgetKind` variant a directive `::: widget some-name` mounts: `SomeName`. The
/// registry (`src/widgets/mod.rs`) names each variant so; a directive naming no widget there
/// does not compile (and the registry's tests name it).
fn variant(name: &str) -> Option<String> {
    if name.is_empty()
        || !name.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    {
        return None;
    }
    Some(
        name.split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect(),
    )
}

/// The heading of the glossary section (in the epilogue).
const GLOSSARY_HEADING: &str = "Glossary";

/// A glossary entry is a list item `- **Term**: definition.` under the heading
/// `### Glossary`: its term and the rest of the line.
fn glossary_entry(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("- **")?;
    let (term, rest) = rest.split_once("**:")?;
    Some((term.to_string(), rest.to_string()))
}

/// The anchor of a glossary term: `term-` and its first name's slug.
fn term_slug(term: &str) -> String {
    let first = term.split(", ").next().unwrap_or(term);
    let first = first.split(" (").next().unwrap_or(first);
    format!("term-{}", slug(&first.replace('`', "")))
}

/// One glossary term and the names it goes by in the prose.
struct Term {
    slug: String,
    /// "Auxiliary vector (auxv)" goes by `auxiliary vector` and `auxv`; "TLB, translation
    /// lookaside buffer" by `TLB` and `translation lookaside buffer`.
    keys: Vec<String>,
}

/// Links each glossary term's first use in the article's prose to its definition.
#[derive(Default)]
struct Glossary {
    terms: Vec<Term>,
    linked: BTreeSet<String>,
}

/// A name written with capitals after its first letter (`TLB`, `CR3`, `ModRM`) is matched
/// exactly; any other without regard to case.
fn exact(key: &str) -> bool {
    key.chars().skip(1).any(|c| c.is_ascii_uppercase())
}

impl Glossary {
    fn add(&mut self, term: &str) {
        let mut keys = Vec::new();
        // "Page, frame" and "Reclaim, swap" are linked by their first name only (`frame` and
        // `swap` have other senses: a stack frame, swapping stacks); an abbreviation and its
        // expansion ("TLB, translation lookaside buffer") by either.
        let names: Vec<&str> = term.split(", ").collect();
        let first_is_abbreviation = names.first().is_some_and(|n| exact(&n.replace('`', "")));
        let take = if first_is_abbreviation {
            names.len()
        } else {
            1
        };
        for name in names.into_iter().take(take) {
            let name = name.replace('`', "");
            match name.split_once(" (") {
                Some((a, b)) => {
                    keys.push(a.trim().to_string());
                    keys.push(b.trim_end_matches(')').trim().to_string());
                }
                None => keys.push(name.trim().to_string()),
            }
        }
        keys.retain(|k| !k.is_empty());
        self.terms.push(Term {
            slug: term_slug(term),
            keys,
        });
    }

    /// The longest name of any term that `text` starts with, if it ends at a word boundary
    /// (a plural `s` or `es` may follow): its length in `text` and the term's index.
    fn match_at(&self, text: &str) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize, usize)> = None; // (key length, matched length, term)
        for (ti, t) in self.terms.iter().enumerate() {
            for k in &t.keys {
                let Some(head) = text.get(..k.len()) else {
                    continue;
                };
                let same = if exact(k) {
                    head == k
                } else {
                    head.eq_ignore_ascii_case(k)
                };
                if !same {
                    continue;
                }
                let tail = &text[k.len()..];
                let suffix = if tail.starts_with("es") && !exact(k) {
                    2
                } else if tail.starts_with('s') {
                    1
                } else {
                    0
                };
                let after = tail[suffix..].chars().next();
                let bounded = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                let (len, ok) = if bounded(after) {
                    (k.len() + suffix, true)
                } else if bounded(tail.chars().next()) {
                    (k.len(), true)
                } else {
                    (0, false)
                };
                if ok && best.is_none_or(|(kl, _, _)| k.len() > kl) {
                    best = Some((k.len(), len, ti));
                }
            }
        }
        best.map(|(_, len, ti)| (len, ti))
    }

    /// Copies `text` into `out`, each not yet linked term's first use wrapped in a link.
    fn link_text<'a>(&mut self, text: &str, out: &mut Vec<Event<'a>>) {
        let mut plain = String::new();
        let mut rest = text;
        let mut prev: Option<char> = None;
        while !rest.is_empty() {
            let starts_word = !prev.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if starts_word {
                if let Some((len, ti)) = self.match_at(rest) {
                    let slug = self.terms[ti].slug.clone();
                    let (word, tail) = rest.split_at(len);
                    if self.linked.insert(slug.clone()) {
                        if !plain.is_empty() {
                            out.push(Event::Text(CowStr::from(std::mem::take(&mut plain))));
                        }
                        out.push(Event::InlineHtml(CowStr::from(format!(
                            "<a class=\"term\" href=\"#{slug}\">"
                        ))));
                        out.push(Event::Text(CowStr::from(word.to_string())));
                        out.push(Event::InlineHtml(CowStr::from("</a>")));
                    } else {
                        plain.push_str(word);
                    }
                    prev = word.chars().last();
                    rest = tail;
                    continue;
                }
            }
            let c = rest.chars().next().unwrap_or(' ');
            plain.push(c);
            prev = Some(c);
            rest = &rest[c.len_utf8()..];
        }
        if !plain.is_empty() {
            out.push(Event::Text(CowStr::from(plain)));
        }
    }

    /// An inline code span that is exactly a term's name (`ENOEXEC`) links as a whole.
    fn link_code<'a>(&mut self, code: &str, out: &mut Vec<Event<'a>>) {
        let hit = self
            .terms
            .iter()
            .find(|t| t.keys.iter().any(|k| k == code))
            .map(|t| t.slug.clone());
        match hit {
            Some(slug) if self.linked.insert(slug.clone()) => {
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "<a class=\"term\" href=\"#{slug}\">"
                ))));
                out.push(Event::Code(CowStr::from(code.to_string())));
                out.push(Event::InlineHtml(CowStr::from("</a>")));
            }
            _ => out.push(Event::Code(CowStr::from(code.to_string()))),
        }
    }
}

struct Part {
    id: String,
    title: String,
    summary: String,
    blocks: Vec<Block>,
    subsections: Vec<(String, String)>,
    /// Every heading id of this part (all levels).
    anchors: BTreeSet<String>,
    /// Widget directive names placed in this part.
    widgets: Vec<String>,
    /// Figure names placed in this part.
    figures: Vec<String>,
    /// Internal link targets (without `#`) and the line each was found on.
    links: Vec<(String, usize)>,
    words: usize,
}

enum Block {
    Html(String),
    Widget(String),
    /// A figure's variant, number and caption (inline HTML).
    Figure(String, usize, String),
}

fn fail(file: &Path, line: usize, msg: &str) -> ! {
    panic!("{}:{}: {}", file.display(), line, msg);
}

/// The run facts: `KEY = VALUE` lines of `web/article/run-facts.txt` (`#` starts a comment).
fn run_facts(path: &Path) -> std::collections::BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(path, 0, &e.to_string()));
    let mut facts = std::collections::BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            fail(path, n + 1, "run facts are `KEY = VALUE` lines");
        };
        facts.insert(k.trim().to_string(), v.trim().to_string());
    }
    facts
}

/// A number as the prose writes it: thousands separated by commas (29203 -> 29,203).
fn grouped(v: &str) -> String {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) || v.len() < 4 {
        return v.to_string();
    }
    let mut out = String::new();
    for (i, c) in v.chars().enumerate() {
        if i > 0 && (v.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Replaces each `{{run:KEY}}` in `text` with the fact's value (an unknown key fails).
fn fill_run_facts(path: &Path, text: &str) -> String {
    let facts = RUN_FACTS.get().expect("run facts are read first");
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("{{run:") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 6..];
        let Some(end) = after.find("}}") else {
            fail(path, 0, "`{{run:` without its closing `}}`");
        };
        let key = &after[..end];
        match facts.get(key) {
            Some(v) => out.push_str(&grouped(v)),
            None => fail(
                path,
                0,
                &format!("`{{{{run:{key}}}}}`: no such key in web/article/run-facts.txt"),
            ),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

static RUN_FACTS: std::sync::OnceLock<std::collections::BTreeMap<String, String>> =
    std::sync::OnceLock::new();

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Renders one Markdown chunk; `###` headings get ids `PART-SLUG` and are collected.
fn render(
    md: &str,
    part: &str,
    subsections: &mut Vec<(String, String)>,
    used: &mut BTreeSet<String>,
    glossary: &mut Glossary,
) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let events: Vec<Event> = Parser::new_ext(md, opts).collect();
    let mut out_events = Vec::with_capacity(events.len());
    // Inside a heading, link, image or code block no glossary link is made; after the
    // glossary's own heading none at all.
    let mut no_links = 0usize;
    let mut after_glossary = false;
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(
                Tag::Heading { .. } | Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_),
            ) => no_links += 1,
            Event::End(TagEnd::Heading(_) | TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock) => {
                no_links = no_links.saturating_sub(1)
            }
            Event::Text(t) if no_links == 0 && !after_glossary => {
                glossary.link_text(t, &mut out_events);
                i += 1;
                continue;
            }
            Event::Code(c) if no_links == 0 && !after_glossary => {
                glossary.link_code(c, &mut out_events);
                i += 1;
                continue;
            }
            _ => {}
        }
        if let Event::Start(Tag::Heading {
            level,
            id: None,
            classes,
            attrs,
        }) = &events[i]
        {
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            let mut id = format!("{part}-{}", slug(&text));
            let base = id.clone();
            let mut n = 2;
            while !used.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            if text == GLOSSARY_HEADING {
                after_glossary = true;
            }
            if *level == HeadingLevel::H3 {
                subsections.push((id.clone(), text));
            }
            out_events.push(Event::Start(Tag::Heading {
                level: *level,
                id: Some(CowStr::from(id)),
                classes: classes.clone(),
                attrs: attrs.clone(),
            }));
        } else {
            out_events.push(events[i].clone());
        }
        i += 1;
    }
    let mut s = String::new();
    html::push_html(&mut s, out_events.into_iter());
    s
}

fn parse_part(path: &Path, glossary: &mut Glossary) -> Part {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(path, 0, &e.to_string()));
    let text = fill_run_facts(path, &text);
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, "---")) => {}
        _ => fail(path, 1, "expected front matter starting with ---"),
    }
    let (mut id, mut title, mut summary) = (None, None, None);
    let mut body_start = None;
    for (n, line) in lines.by_ref() {
        if line == "---" {
            body_start = Some(n + 1);
            break;
        }
        let Some((k, v)) = line.split_once(':') else {
            fail(path, n + 1, "front matter lines are `key: value`");
        };
        let v = v.trim().to_string();
        match k.trim() {
            "id" => id = Some(v),
            "title" => title = Some(v),
            "summary" => summary = Some(v),
            other => fail(path, n + 1, &format!("unknown front matter key `{other}`")),
        }
    }
    let body_start =
        body_start.unwrap_or_else(|| fail(path, 1, "front matter is not closed with ---"));
    let id = id.unwrap_or_else(|| fail(path, 1, "front matter needs `id`"));
    if !PART_IDS.contains(&id.as_str()) {
        fail(path, 2, &format!("id `{id}` is not one of {PART_IDS:?}"));
    }
    let title = title.unwrap_or_else(|| fail(path, 1, "front matter needs `title`"));
    let summary = summary.unwrap_or_else(|| fail(path, 1, "front matter needs `summary`"));
    if summary.len() < 80 {
        fail(
            path,
            1,
            "the summary should be a real paragraph (80 characters or more)",
        );
    }
    for banned in ["lorem", "ipsum", "something something", "TODO", "TBD"] {
        if text.to_lowercase().contains(&banned.to_lowercase()) {
            fail(
                path,
                1,
                &format!("placeholder text `{banned}` in the article"),
            );
        }
    }

    let mut blocks = Vec::new();
    let mut subsections = Vec::new();
    let mut used = BTreeSet::new();
    let mut chunk = String::new();
    let mut words = 0;
    let mut widgets = Vec::new();
    let mut figures = Vec::new();
    let mut in_glossary = false;
    let mut links = Vec::new();
    // The prose gathered since the last directive becomes one HTML block.
    let mut flush = |chunk: &str,
                     blocks: &mut Vec<Block>,
                     subsections: &mut Vec<_>,
                     used: &mut BTreeSet<String>| {
        if !chunk.trim().is_empty() {
            blocks.push(Block::Html(render(
                chunk,
                &id,
                subsections,
                used,
                &mut *glossary,
            )));
        }
    };
    for (n, line) in text.lines().enumerate().skip(body_start) {
        let mut rest = line;
        while let Some(at) = rest.find("](#") {
            let tail = &rest[at + 3..];
            let end = tail.find(')').unwrap_or(tail.len());
            links.push((tail[..end].to_string(), n + 1));
            rest = &tail[end..];
        }
        if let Some(rest) = line.strip_prefix(":::") {
            let rest = rest.trim_start();
            let (kind, rest) = rest.split_once(' ').unwrap_or((rest, ""));
            let (name, caption) = rest
                .trim_start()
                .split_once(' ')
                .unwrap_or((rest.trim(), ""));
            if kind != "widget" && kind != "figure" {
                fail(
                    path,
                    n + 1,
                    "directives are `::: widget NAME` and `::: figure NAME Caption`",
                );
            }
            if name.is_empty() {
                fail(path, n + 1, &format!("`::: {kind}` needs a NAME"));
            }
            let Some(variant) = variant(name) else {
                fail(
                    path,
                    n + 1,
                    &format!("`{name}` is not a {kind} id (lowercase words joined by -)"),
                );
            };
            if kind == "widget" && !caption.trim().is_empty() {
                fail(
                    path,
                    n + 1,
                    "`::: widget NAME` takes nothing after the name",
                );
            }
            if kind == "figure" && caption.trim().len() < 20 {
                fail(
                    path,
                    n + 1,
                    "`::: figure NAME Caption`: a figure needs a caption that says what it shows",
                );
            }
            flush(&chunk, &mut blocks, &mut subsections, &mut used);
            chunk.clear();
            if kind == "widget" {
                widgets.push(name.to_string());
                blocks.push(Block::Widget(variant));
            } else {
                words += caption.split_whitespace().count();
                figures.push(name.to_string());
                blocks.push(Block::Figure(variant, 0, inline(caption.trim())));
            }
        } else {
            words += line.split_whitespace().count();
            if let Some(h) = line.strip_prefix("### ") {
                in_glossary = h.trim() == GLOSSARY_HEADING;
            }
            match glossary_entry(line).filter(|_| in_glossary) {
                Some((term, rest)) => {
                    let slug = term_slug(&term);
                    if !used.insert(slug.clone()) {
                        fail(path, n + 1, &format!("the glossary defines `{term}` twice"));
                    }
                    let _ = write!(chunk, "- <dfn id=\"{slug}\">{term}</dfn>:{rest}");
                }
                None => chunk.push_str(line),
            }
            chunk.push('\n');
        }
    }
    flush(&chunk, &mut blocks, &mut subsections, &mut used);
    let mut summary_html = String::new();
    html::push_html(&mut summary_html, Parser::new(&summary));
    Part {
        id,
        title,
        summary: summary_html,
        blocks,
        subsections,
        anchors: used,
        widgets,
        figures,
        links,
        words,
    }
}

/// Renders one line of Markdown as inline HTML (a caption: no enclosing paragraph).
fn inline(md: &str) -> String {
    let mut s = String::new();
    html::push_html(&mut s, Parser::new(md));
    let s = s.trim();
    s.strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
        .unwrap_or(s)
        .to_string()
}

fn main() {
    // The split app (feature `split`, src/split.rs): the splitter builds its call graph from the
    // linker's relocations, so the app's wasm keeps them (wasm-ld --emit-relocs; wasm-opt drops
    // them from what ships).
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32")
        && std::env::var_os("CARGO_FEATURE_SPLIT").is_some()
    {
        println!("cargo:rustc-link-arg-bin=youcpu-web=--emit-relocs");
    }
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let dir = manifest.join("../../web/article");
    println!("cargo:rerun-if-changed={}", dir.display());
    let facts_file = dir.join("run-facts.txt");
    println!("cargo:rerun-if-changed={}", facts_file.display());
    let _ = RUN_FACTS.set(run_facts(&facts_file));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let mut parts: Vec<Part> = Vec::new();
    // The glossary (in the last part) is read first, so that each term's first use anywhere in
    // the article links to its definition.
    let mut glossary = Glossary::default();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| fail(f, 0, &e.to_string()));
        let mut in_glossary = false;
        for line in text.lines() {
            if let Some(h) = line.strip_prefix("### ") {
                in_glossary = h.trim() == GLOSSARY_HEADING;
            }
            if let Some((term, _)) = glossary_entry(line).filter(|_| in_glossary) {
                glossary.add(&term);
            }
        }
    }
    if glossary.terms.is_empty() {
        panic!("web/article: no glossary entries (`- **Term**: definition` lines)");
    }
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        parts.push(parse_part(f, &mut glossary));
    }
    for t in &glossary.terms {
        if !glossary.linked.contains(&t.slug) {
            println!(
                "cargo:warning=the glossary term `{}` is never used in the prose before the glossary",
                t.keys.join("`, `")
            );
        }
    }
    let ids: Vec<&str> = parts.iter().map(|p| p.id.as_str()).collect();
    if ids != PART_IDS {
        panic!(
            "web/article must hold one file per part, in this order: {PART_IDS:?}; found {ids:?}"
        );
    }
    let mut anchors: BTreeSet<String> = BTreeSet::new();
    for p in &parts {
        anchors.insert(p.id.clone());
        anchors.extend(p.anchors.iter().cloned());
        anchors.extend(p.widgets.iter().map(|w| format!("widget-{w}")));
        for f in &p.figures {
            if !anchors.insert(format!("figure-{f}")) {
                panic!("the figure `{f}` is placed twice");
            }
        }
    }
    // Figures are numbered in reading order across the whole article.
    let mut number = 0;
    for p in &mut parts {
        for b in &mut p.blocks {
            if let Block::Figure(_, n, _) = b {
                number += 1;
                *n = number;
            }
        }
    }
    for (p, f) in parts.iter().zip(&files) {
        for (target, line) in &p.links {
            if !anchors.contains(target) {
                fail(
                    f,
                    *line,
                    &format!("link to `#{target}`, which no part, heading or widget has"),
                );
            }
        }
    }

    let mut out = String::from("// Generated by build.rs from web/article/*.md. Do not edit.\n");
    out.push_str(
        "/// Every part of the article, in reading order.\npub static PARTS: &[Part] = &[\n",
    );
    for (i, p) in parts.iter().enumerate() {
        let _ = write!(
            out,
            "    Part {{ number: {}, id: {:?}, title: {:?}, words: {}, subsections: &[",
            i + 1,
            p.id,
            p.title,
            p.words
        );
        for (id, t) in &p.subsections {
            let _ = write!(out, "({id:?}, {t:?}), ");
        }
        out.push_str("] },\n");
    }
    out.push_str("];\n");
    out.push_str("/// The text of every part, in the order of [`PARTS`].\npub static BODIES: &[PartBody] = &[\n");
    for p in &parts {
        let _ = writeln!(out, "    PartBody {{ summary: {:?}, blocks: &[", p.summary);
        for b in &p.blocks {
            match b {
                Block::Html(h) => {
                    let _ = writeln!(out, "        Block::Html({h:?}),");
                }
                Block::Widget(v) => {
                    let _ = writeln!(
                        out,
                        "        Block::Widget(crate::widgets::WidgetKind::{v}),"
                    );
                }
                Block::Figure(v, n, caption) => {
                    let _ = writeln!(
                        out,
                        "        Block::Figure {{ kind: crate::figures::FigureKind::{v}, number: {n}, caption: {caption:?} }},"
                    );
                }
            }
        }
        out.push_str("    ] },\n");
    }
    out.push_str("];\n");
    let out_path =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("article.rs");
    std::fs::write(&out_path, out).unwrap_or_else(|e| panic!("{}: {e}", out_path.display()));
}
