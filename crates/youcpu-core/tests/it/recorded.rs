//! Results recorded on real processors, one file per oracle program and vendor, so that the
//! vendor profile this machine cannot run live is still checked (`tests/data/cpu/`).
//!
//! A file is gzip'd text: `#` lines say where it was recorded; every other line is one case,
//! `key<TAB>hex bytes`, where the key is the case's description as the generator makes it.
//! Cases are matched by key (the n-th case with a key to the n-th record with it), so a
//! generator that gains cases still lines up with an older recording: the new cases are only
//! checked live until someone records them on the other vendor. A recorded case the generator
//! no longer makes is an error: the recording would silently stop covering it.
//!
//! To record: run the oracle tests with `YOUCPU_RECORD=1` on a machine of the vendor to
//! record; the test writes that vendor's file from the native run (and still compares).

#![allow(dead_code, clippy::unwrap_used)] // shared helpers; tests may unwrap

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use youcpu_core::cpu::vendor::Vendor;

/// Where a corpus's recording for `vendor` lives.
pub fn path(corpus: &str, vendor: Vendor) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/cpu")
        .join(format!("{corpus}.{}.tsv.gz", vendor.id()))
}

/// One recording: where it came from and the records by key, in order.
pub struct Recording {
    /// The `#` lines.
    pub header: Vec<String>,
    /// (key, bytes) in file order.
    pub records: Vec<(String, Vec<u8>)>,
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Reads a recording; a missing or unreadable file fails the test.
pub fn load(corpus: &str, vendor: Vendor) -> Recording {
    let p = path(corpus, vendor);
    let f = std::fs::File::open(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(f)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut header = Vec::new();
    let mut records = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(h) = line.strip_prefix('#') {
            header.push(h.trim().to_string());
            continue;
        }
        let (key, hex) = line
            .rsplit_once('\t')
            .unwrap_or_else(|| panic!("{}:{}: no tab", p.display(), n + 1));
        let bytes = unhex(hex).unwrap_or_else(|| panic!("{}:{}: bad hex", p.display(), n + 1));
        records.push((key.to_string(), bytes));
    }
    assert!(!records.is_empty(), "{}: no records", p.display());
    Recording { header, records }
}

/// Writes a recording of `vendor` (under `YOUCPU_RECORD=1`) from a native run's output.
pub fn save(corpus: &str, vendor: Vendor, keys: &[String], out: &[u8], size: usize) {
    assert_eq!(out.len(), keys.len() * size, "output size");
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        cpuinfo
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split(':').nth(1))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut text = format!(
        "# {corpus}: {} cases of {size} bytes, recorded natively on {} (CPUID family {}, model {}, stepping {}), Linux {}\n",
        keys.len(),
        field("model name"),
        field("cpu family"),
        field("model\t"),
        field("stepping"),
        kernel.trim()
    );
    for (i, k) in keys.iter().enumerate() {
        assert!(!k.contains('\n'), "key with a newline: {k:?}");
        text.push_str(k);
        text.push('\t');
        for b in &out[i * size..(i + 1) * size] {
            text.push_str(&format!("{b:02x}"));
        }
        text.push('\n');
    }
    let p = path(corpus, vendor);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&p).unwrap(),
        flate2::Compression::best(),
    );
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap();
    eprintln!(
        "recorded {} cases of {corpus} to {}",
        keys.len(),
        p.display()
    );
}

/// True when the test run asks for recordings to be written.
pub fn recording() -> bool {
    std::env::var_os("YOUCPU_RECORD").is_some_and(|v| v == "1")
}

/// Lines up a simulator run of the current generator (`keys`, `out` of `size`-byte records)
/// with a recording: returns, for every recorded case, (case index, recorded bytes). Panics
/// when a recorded case no longer exists.
pub fn line_up<'a>(rec: &'a Recording, keys: &[String]) -> Vec<(usize, &'a [u8])> {
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, k) in keys.iter().enumerate() {
        by_key.entry(k.as_str()).or_default().push(i);
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut missing = Vec::new();
    let mut pairs = Vec::new();
    for (k, bytes) in &rec.records {
        let n = seen.entry(k.as_str()).or_default();
        match by_key.get(k.as_str()).and_then(|v| v.get(*n)) {
            Some(&i) => pairs.push((i, bytes.as_slice())),
            None => missing.push(k.clone()),
        }
        *n += 1;
    }
    assert!(
        missing.is_empty(),
        "{} recorded cases are no longer generated (re-record with YOUCPU_RECORD=1 on that \
         vendor's machine, or keep the case): {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    pairs
}
