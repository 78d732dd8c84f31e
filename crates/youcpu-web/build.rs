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

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The article's parts, in reading order; each file must declare one of these ids.
const PART_IDS: [&str; 7] = [
    "basics",
    "timeslicing",
    "exec",
    "elf",
    "paging",
    "fork",
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
) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let events: Vec<Event> = Parser::new_ext(md, opts).collect();
    let mut out_events = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
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

fn parse_part(path: &Path) -> Part {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(path, 0, &e.to_string()));
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
    let mut links = Vec::new();
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
            if !chunk.trim().is_empty() {
                blocks.push(Block::Html(render(
                    &chunk,
                    &id,
                    &mut subsections,
                    &mut used,
                )));
            }
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
            chunk.push_str(line);
            chunk.push('\n');
        }
    }
    if !chunk.trim().is_empty() {
        blocks.push(Block::Html(render(
            &chunk,
            &id,
            &mut subsections,
            &mut used,
        )));
    }
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
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let dir = manifest.join("../../web/article");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let mut parts: Vec<Part> = Vec::new();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        parts.push(parse_part(f));
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
