//! `youcpu timeslice` as a process: the JSON contract, and exit status 1 with a one-line
//! message for every kind of bad input.

use std::process::Command;
use youcpu_testkit::process::Run;

fn youcpu(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .args(args)
        .run_output()
        .expect("run youcpu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> serde_json::Value {
    let (code, stdout, stderr) = youcpu(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).expect("one JSON document")
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().expect("a number")
}

#[test]
fn defaults_three_tasks_one_cpu() {
    let v = json(&["timeslice", "--tasks", "3", "--json"]);
    assert_eq!(f(&v["scaled_latency_ms"]), 6.0);
    assert_eq!(f(&v["scaled_min_granularity_ms"]), 0.75);
    assert_eq!(f(&v["period_ms"]), 6.0);
    let slices = v["slices_ms"].as_array().expect("array");
    assert_eq!(slices.len(), 3);
    for s in slices {
        assert!((f(s) - 2.0).abs() < 1e-5);
    }
}

#[test]
fn cpu_scaling_and_the_granularity_floor() {
    // 8 CPUs: factor 4, latency 24 ms, granularity 3 ms, nr_latency 8; 10 tasks: 30 ms.
    let v = json(&["timeslice", "--tasks", "10", "--cpus", "8", "--json"]);
    assert_eq!(f(&v["scaled_latency_ms"]), 24.0);
    assert_eq!(f(&v["scaled_min_granularity_ms"]), 3.0);
    assert_eq!(f(&v["period_ms"]), 30.0);
    assert!(v["slices_ms"]
        .as_array()
        .expect("array")
        .iter()
        .all(|s| f(s) == 3.0));
    // 64 CPUs scale like 8.
    let v64 = json(&["timeslice", "--tasks", "10", "--cpus", "64", "--json"]);
    assert_eq!(v64["period_ms"], v["period_ms"]);
}

#[test]
fn custom_base_values_and_nice() {
    let v = json(&[
        "timeslice",
        "--tasks",
        "2",
        "--latency-ms",
        "10",
        "--min-granularity-ms",
        "1",
        "--cpus",
        "2",
        "--nice",
        "0,5",
        "--json",
    ]);
    // factor 2: latency 20 ms, granularity 2 ms; shares 1024/1359 and 335/1359 of 20 ms.
    assert_eq!(f(&v["scaled_latency_ms"]), 20.0);
    assert_eq!(f(&v["period_ms"]), 20.0);
    let s = v["slices_ms"].as_array().expect("array");
    assert!((f(&s[0]) - 20.0 * 1024.0 / 1359.0).abs() < 1e-5);
    assert!((f(&s[1]) - 20.0 * 335.0 / 1359.0).abs() < 1e-5);
}

#[test]
fn bad_input_exits_1_with_one_line() {
    let cases: &[&[&str]] = &[
        &["timeslice"],
        &["timeslice", "--tasks"],
        &["timeslice", "--tasks", "0"],
        &["timeslice", "--tasks", "-1"],
        &["timeslice", "--tasks", "1000000000"],
        &["timeslice", "--tasks", "abc"],
        &["timeslice", "--tasks", ""],
        &["timeslice", "--tasks", "3", "--nice", "0,0"],
        &["timeslice", "--tasks", "2", "--nice", "0,20"],
        &["timeslice", "--tasks", "2", "--nice", "0,-21"],
        &["timeslice", "--tasks", "2", "--nice", "a,b"],
        &["timeslice", "--tasks", "2", "--cpus", "0"],
        &["timeslice", "--tasks", "2", "--latency-ms", "0"],
        &["timeslice", "--tasks", "2", "--latency-ms", "-6"],
        &["timeslice", "--tasks", "2", "--latency-ms", "NaN"],
        &["timeslice", "--tasks", "2", "--min-granularity-ms", "1e400"],
        &["timeslice", "--tasks", "2", "--bogus"],
        &["nosuchcommand"],
        &[],
    ];
    for args in cases {
        let (code, stdout, stderr) = youcpu(args);
        assert_eq!(code, 1, "{args:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}");
        let mut with_json = args.to_vec();
        with_json.push("--json");
        let (code, stdout, _) = youcpu(&with_json);
        assert_eq!(code, 1, "{with_json:?}");
        let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON error document");
        assert!(
            v["error"].as_str().is_some_and(|s| !s.is_empty()),
            "{with_json:?}"
        );
    }
}
