//! The SSE/MMX and x87 corpora recorded on real CPUs (crates/youcpu-core/tests/corpus/, one
//! file per kind and processor: an Intel Xeon of family 6, an AMD EPYC of family 1Ah) replayed
//! by the wasm32 build in a real browser, each on its vendor's profile: the page computes
//! exactly what the CLI and each CPU compute (the native tests `recorded_sse_corpus_replays`
//! and `recorded_x87_corpus_replays` replay the same files, and
//! `every_fp_corpus_is_replayed_in_the_browser_too` checks that this file names every one).
//! The transcendentals, which the manuals document to within one ulp rather than to the bit,
//! are held to that bound (`recorded_x87_transcendental_corpus_replays_within_one_ulp`
//! natively).

use std::io::Read;
use wasm_bindgen_test::*;
use youcpu_core::cpu::replay::{self, ReplayError};
use youcpu_core::cpu::vendor::Vendor;

/// A gzipped corpus: its path (which names the recording vendor) and bytes.
macro_rules! corpus {
    ($file:literal) => {
        (
            $file,
            include_bytes!(concat!("../../../youcpu-core/tests/corpus/", $file)).as_slice(),
        )
    };
}

/// Replays every corpus of `files` on its vendor's profile with `run`; both vendors must be
/// among them.
fn replay_all(
    files: &[(&str, &[u8])],
    min: usize,
    run: impl Fn(&[u8], Vendor) -> Result<usize, ReplayError>,
) {
    let mut vendors = Vec::new();
    for (file, gz) in files {
        let vendor =
            replay::corpus_vendor(file).unwrap_or_else(|| panic!("{file}: no vendor in the name"));
        let mut data = Vec::new();
        flate2::read::GzDecoder::new(*gz)
            .read_to_end(&mut data)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        match run(&data, vendor) {
            Ok(n) => assert!(n > min, "{file}: too few recorded cases: {n}"),
            Err(e) => panic!("{file}: {e}"),
        }
        vendors.push(vendor);
    }
    for v in Vendor::ALL {
        assert!(vendors.contains(&v), "no corpus recorded on {v}");
    }
}

#[wasm_bindgen_test]
fn recorded_sse_corpus_replays_in_the_browser() {
    replay_all(
        &[corpus!("sse-intel-06.bin.gz"), corpus!("sse-amd-1a.bin.gz")],
        5000,
        replay::replay_sse_corpus,
    );
}

#[wasm_bindgen_test]
fn recorded_x87_corpus_replays_in_the_browser() {
    replay_all(
        &[corpus!("x87-intel-06.bin.gz"), corpus!("x87-amd-1a.bin.gz")],
        2000,
        replay::replay_x87_corpus,
    );
}

#[wasm_bindgen_test]
fn recorded_x87_transcendentals_replay_in_the_browser_within_one_ulp() {
    replay_all(
        &[
            corpus!("x87_transc-intel-06.bin.gz"),
            corpus!("x87_transc-amd-1a.bin.gz"),
        ],
        2000,
        |data, vendor| replay::replay_x87_transcendentals(data, vendor, 1),
    );
}
