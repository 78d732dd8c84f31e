//! The binfmt_misc picture: the registration string cut into its seven fields
//! (`:name:type:offset:magic:mask:interpreter:flags`, Documentation/admin-guide/binfmt-misc.rst,
//! parsed by fs/binfmt_misc.c `create_entry`), the field a refusal is about marked; then the
//! entry tried on one example file, as `check_file` does: for a magic entry the file's bytes at
//! the offset, ANDed with the mask, beside the magic, byte by byte; for an extension entry the
//! name's extension. The example files are listed with whether the entry claims each; the reader
//! picks the file. A pure function of the text, the verdict and the pick.

use super::state::Verdict;
use crate::widgets::exec_draw::{clip, Canvas};
use youcpu_core::exec::examples::example_fs;
use youcpu_core::exec::fs::MemNode;
use youcpu_core::exec::misc::MiscMatch;

/// The picture's width in viewBox units.
pub const W: f64 = 360.0;
const M: f64 = 8.0;
/// The fields, in order.
pub const FIELDS: [&str; 7] = [
    "name",
    "type",
    "offset",
    "magic",
    "mask",
    "interpreter",
    "flags",
];

/// The example files the picture offers, one of each kind.
const SAMPLES: [&str; 8] = [
    "/Hello.class",
    "/hello.pyc",
    "/hello.sh",
    "/tool.js",
    "/flags.py",
    "/notes.txt",
    "/blob.bin",
    "/hello-static",
];

/// The example files the entry is tried on (a class file, compiled Python, scripts, text, a
/// binary blob, an ELF program), with their first 256 bytes (what `check_file` sees).
pub fn sample_files() -> Vec<(String, Vec<u8>)> {
    let fs = example_fs().unwrap_or_default();
    // MemFs lists its entries sorted by path.
    fs.entries()
        .filter_map(|(p, e)| match &e.node {
            MemNode::File(b) => Some((
                String::from_utf8_lossy(&p).into_owned(),
                b.iter().take(256).copied().collect(),
            )),
            _ => None,
        })
        .filter(|(p, _)| SAMPLES.iter().any(|s| p.ends_with(s)))
        .collect()
}

/// The registration string's fields as typed: the first character is the delimiter.
pub fn fields(text: &str) -> Vec<String> {
    let mut chars = text.chars();
    let Some(delim) = chars.next() else {
        return Vec::new();
    };
    chars.as_str().split(delim).map(str::to_string).collect()
}

/// The field a refusal's reason is about, if it names one.
fn blamed(reason: &str) -> Option<usize> {
    let r = reason.to_ascii_lowercase();
    let keys: [(&str, usize); 8] = [
        ("interpreter", 5),
        ("mask", 4),
        ("magic", 3),
        ("offset", 2),
        ("flag", 6),
        ("type", 1),
        ("extension", 3),
        ("name", 0),
    ];
    keys.iter().find(|(k, _)| r.contains(k)).map(|(_, i)| *i)
}

fn byte_text(b: u8) -> String {
    format!("{b:02x}")
}

/// Draws the picture; `pick` is the index of the file tried among `files`. Returns the height
/// and a description. Each file is a clickable part (key = its index).
pub fn draw(
    c: &mut Canvas,
    text: &str,
    verdict: &Verdict,
    files: &[(String, Vec<u8>)],
    pick: usize,
) -> (f64, String) {
    let fs = fields(text);
    let mut desc = Vec::new();
    c.text(
        M,
        16.0,
        "start",
        "d-title",
        "the registration string, field by field",
    );
    let bad = match verdict {
        Verdict::Refused { reason, .. } => blamed(reason),
        Verdict::Accepted { .. } => None,
    };
    // Two rows: name, type, offset, magic / mask, interpreter, flags.
    let rows: [&[usize]; 2] = [&[0, 1, 2, 3], &[4, 5, 6]];
    let mut y = 24.0;
    for row in rows {
        let weights: Vec<f64> = row
            .iter()
            .map(|&i| match i {
                0 => 1.5,
                3 => 2.5,
                1 | 2 | 6 => 1.0,
                _ => 2.0,
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let avail = W - 2.0 * M - 6.0 * (row.len() - 1) as f64;
        let mut x = M;
        for (k, &i) in row.iter().enumerate() {
            let w = avail * weights[k] / total;
            let value = fs.get(i).cloned();
            let shown = match &value {
                None => "(missing)".to_string(),
                Some(v) if v.is_empty() => "none".to_string(),
                Some(v) => v.clone(),
            };
            let class = if bad == Some(i) { "d-err" } else { "" };
            c.part(
                format!("field {}", FIELDS[i]),
                (x, y, w, 40.0),
                class,
                false,
                &shown,
                None,
            );
            c.text(x + 4.0, y + 36.0, "start", "d-small", FIELDS[i]);
            desc.push(format!("{} \"{}\"", FIELDS[i], shown));
            x += w + 6.0;
        }
        y += 46.0;
    }
    let mut d = format!("The fields: {}.", desc.join(", "));
    match verdict {
        Verdict::Refused { errno, reason } => {
            c.part(
                "refused",
                (M, y, W - 2.0 * M, 26.0),
                "d-err",
                true,
                &format!("refused: write(2) fails with {errno}"),
                None,
            );
            c.text(M, y + 42.0, "start", "d-small", clip(reason, 57));
            if reason.chars().count() > 57 {
                let rest: String = reason.chars().skip(56).collect();
                c.text(M, y + 56.0, "start", "d-small", clip(&rest, 57));
                y += 14.0;
            }
            y += 54.0;
            d.push_str(&format!(
                " The kernel refuses it with {errno}{}: {reason}",
                bad.map(|i| format!(" (the {} field)", FIELDS[i]))
                    .unwrap_or_default()
            ));
        }
        Verdict::Accepted { entry, claims, .. } => {
            let claimed = |p: &str| claims.iter().any(|c| c.path == p);
            c.text(
                M,
                y + 14.0,
                "start",
                "d-title",
                "which example files it claims",
            );
            y += 22.0;
            let cw = (W - 2.0 * M - 6.0) / 2.0;
            for (i, (path, _)) in files.iter().enumerate() {
                let (col, row) = ((i % 2) as f64, (i / 2) as f64);
                let (x, yy) = (M + col * (cw + 6.0), y + row * 54.0);
                let name = path.rsplit('/').next().unwrap_or(path);
                let yes = claimed(path);
                let label = format!("{} {}", if yes { "✓" } else { "✗" }, clip(name, 22));
                c.part(
                    format!("file {name}"),
                    (x, yy, cw, 48.0),
                    if yes { "xd-shared" } else { "d-box-2" },
                    i == pick,
                    &label,
                    None,
                );
                c.hit(
                    i,
                    (x, yy, cw, 48.0),
                    format!(
                        "{path}: {}; show the match",
                        if yes { "claimed" } else { "not claimed" }
                    ),
                    i == pick,
                );
            }
            y += files.len().div_ceil(2) as f64 * 54.0 + 4.0;
            d.push_str(&format!(
                " Accepted. Of {} example files it claims {}.",
                files.len(),
                if claims.is_empty() {
                    "none".to_string()
                } else {
                    claims
                        .iter()
                        .map(|c| c.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ));
            if let Some((path, buf)) = files.get(pick) {
                let name = path.rsplit('/').next().unwrap_or(path);
                let (y1, dd) = match &entry.matcher {
                    MiscMatch::Magic {
                        offset,
                        magic,
                        mask,
                    } => magic_rows(c, y, name, buf, *offset, magic, mask.as_deref()),
                    MiscMatch::Extension(ext) => {
                        let ext = String::from_utf8_lossy(ext).into_owned();
                        let has = name.rsplit_once('.').map(|(_, e)| e.to_string());
                        let ok = has.as_deref() == Some(ext.as_str());
                        c.text(
                            M,
                            y + 14.0,
                            "start",
                            "d-title",
                            format!("{name}: its extension"),
                        );
                        c.part(
                            "ext file",
                            (M, y + 22.0, W / 2.0 - 20.0, 24.0),
                            "",
                            false,
                            &format!(".{}", has.clone().unwrap_or_else(|| "(none)".into())),
                            None,
                        );
                        c.part(
                            "ext entry",
                            (W / 2.0 + 12.0, y + 22.0, W / 2.0 - 20.0, 24.0),
                            if ok { "xd-shared" } else { "d-err" },
                            true,
                            &format!(".{ext}"),
                            None,
                        );
                        c.text(
                            W / 2.0,
                            y + 38.0,
                            "middle",
                            "d-label",
                            if ok { "=" } else { "≠" },
                        );
                        (
                            y + 54.0,
                            format!(
                                "{name}'s extension is {}: {}.",
                                has.unwrap_or_else(|| "none".into()),
                                if ok { "it matches" } else { "no match" }
                            ),
                        )
                    }
                };
                y = y1;
                d.push(' ');
                d.push_str(&dd);
            }
        }
    }
    (y + 4.0, d)
}

/// The file's bytes at `offset`, under the mask, beside the magic, column by column.
fn magic_rows(
    c: &mut Canvas,
    y: f64,
    name: &str,
    buf: &[u8],
    offset: usize,
    magic: &[u8],
    mask: Option<&[u8]>,
) -> (f64, String) {
    const COLS: usize = 12;
    let n = magic.len().min(COLS);
    c.text(
        M,
        y + 14.0,
        "start",
        "d-title",
        format!("{}: bytes {offset}–{} of its buffer", clip(name, 18), offset + magic.len().saturating_sub(1)),
    );
    let (x0, cw) = (M + 64.0, ((W - M - 64.0 - M) / COLS as f64).min(28.0));
    let mut rows: Vec<(&str, Vec<u8>)> = vec![(
        "file",
        (0..n)
            .map(|i| buf.get(offset + i).copied().unwrap_or(0))
            .collect(),
    )];
    if let Some(m) = mask {
        rows.push(("& mask", m.iter().take(n).copied().collect()));
        let anded: Vec<u8> = (0..n)
            .map(|i| buf.get(offset + i).copied().unwrap_or(0) & m.get(i).copied().unwrap_or(0xff))
            .collect();
        rows.push(("= ", anded));
    }
    rows.push(("magic", magic.iter().take(n).copied().collect()));
    let test = rows.len() - 2;
    let mut yy = y + 22.0;
    let mut all = true;
    let rows_n = rows.len();
    for (r, (label, bytes)) in rows.iter().enumerate() {
        c.text(x0 - 6.0, yy + 15.0, "end", "d-small", *label);
        for (i, b) in bytes.iter().enumerate() {
            let x = x0 + i as f64 * cw;
            let ok = rows[test].1.get(i) == magic.get(i);
            let class = if r == test || r == rows_n - 1 {
                if ok {
                    "xd-interp"
                } else {
                    "xd-nl"
                }
            } else {
                "xd-byte"
            };
            c.rect(x + 1.0, yy, cw - 2.0, 20.0, class);
            c.text(x + cw / 2.0, yy + 14.0, "middle", "d-mono", byte_text(*b));
        }
        yy += 22.0;
    }
    for i in 0..n {
        let ok = rows[test].1.get(i) == magic.get(i);
        all &= ok;
        c.text(
            x0 + i as f64 * cw + cw / 2.0,
            yy + 14.0,
            "middle",
            "d-label",
            if ok { "✓" } else { "✗" },
        );
    }
    // Bytes past the columns drawn are compared too.
    for i in n..magic.len() {
        let b = buf.get(offset + i).copied().unwrap_or(0) & mask.and_then(|m| m.get(i)).copied().unwrap_or(0xff);
        all &= magic.get(i) == Some(&b);
    }
    if magic.len() > n {
        c.text(W - M, yy + 14.0, "end", "d-small", format!("+{} more", magic.len() - n));
    }
    let verdict = if all { "every byte matches: claimed" } else { "a byte differs: not claimed" };
    c.text(M, yy + 34.0, "start", "d-label", verdict);
    (
        yy + 42.0,
        format!(
            "{name}: its bytes at offset {offset} are {}{}; the magic is {}: {verdict}.",
            rows[0].1.iter().map(|b| byte_text(*b)).collect::<Vec<_>>().join(" "),
            if mask.is_some() { " (compared under the mask)" } else { "" },
            magic.iter().take(n).map(|b| byte_text(*b)).collect::<Vec<_>>().join(" ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Apply;
    use crate::widgets::binfmt_misc::state::{Action, State, PRESETS};

    #[test]
    fn every_preset_fits_and_the_java_entry_claims_its_class_file() {
        let files = sample_files();
        assert!(files.len() >= 4, "{files:?}");
        for i in 0..PRESETS.len() {
            let mut s = State::default();
            s.apply(Action::Preset(i));
            for pick in 0..files.len() {
                let mut c = Canvas::new();
                let (h, d) = draw(&mut c, &s.text, &s.verdict, &files, pick);
                assert!(c.max_x <= W && c.min_x >= 0.0, "preset {i} pick {pick}: {}..{}", c.min_x, c.max_x);
                assert!(c.max_y <= h, "preset {i}");
                assert!(d.len() > 40);
            }
        }
        let s = State::default();
        let class = files.iter().position(|(p, _)| p.ends_with(".class")).expect("a class file");
        let mut c = Canvas::new();
        let (_, d) = draw(&mut c, &s.text, &s.verdict, &files, class);
        assert!(d.contains("ca fe ba be"), "{d}");
        assert!(d.contains("every byte matches: claimed"), "{d}");
        assert!(c.find("file Hello.class").is_some_and(|p| p.lit));
        let other = (class + 1) % files.len();
        let mut c = Canvas::new();
        let (_, d) = draw(&mut c, &s.text, &s.verdict, &files, other);
        assert!(d.contains("a byte differs"), "{d}");
    }

    #[test]
    fn a_refusal_marks_the_field_it_is_about() {
        let mut s = State::default();
        s.apply(Action::Preset(4));
        let mut c = Canvas::new();
        let (_, d) = draw(&mut c, &s.text, &s.verdict, &sample_files(), 0);
        assert!(d.contains("EINVAL"), "{d}");
        assert!(c.find("refused").is_some_and(|p| p.lit));
        assert_eq!(fields(":a:M::x::/bin/sh:"), ["a", "M", "", "x", "", "/bin/sh", ""]);
    }
}
