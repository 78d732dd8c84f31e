//! The core's step traces (`youcpu_testkit::traces`: execve on the example filesystem, the ELF
//! loader's steps, whole musl programs with every kernel trace event, the scheduler under every
//! policy) computed by the wasm32 build in the browser, line for line the file the native test
//! checks (`youcpu-core/tests/data/traces.txt`): the page computes what the CLI computes.

use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn step_traces_in_the_browser_match_the_native_ones() {
    let recorded = include_str!("../../../youcpu-core/tests/data/traces.txt");
    let lines = youcpu_testkit::traces::lines();
    assert_eq!(lines.len(), recorded.lines().count(), "number of lines");
    for (i, (got, want)) in lines.iter().zip(recorded.lines()).enumerate() {
        assert_eq!(got, want, "line {}", i + 1);
    }
}
