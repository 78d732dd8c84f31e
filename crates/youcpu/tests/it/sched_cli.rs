//! `youcpu sched` end to end: the JSON contract, worked examples, every policy on one command
//! line, and bad input (exit status 1, a one-line message, `{"error"}` with `--json`, never a
//! panic).

#![allow(clippy::unwrap_used)] // tests may unwrap

use serde_json::Value;
use std::ffi::OsString;
use std::process::Command;
use std::time::{Duration, Instant};
use youcpu_testkit::process::Run;
use youcpu_testkit::rng::{Mmix, Rng};

fn run(args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .arg("sched")
        .args(args)
        .arg("--json")
        .run_output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let json: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn ok(args: &[&str]) -> Value {
    let (code, json, stderr) = run(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    json
}

fn fails(args: &[&str], needle: &str) {
    let (code, json, stderr) = run(args);
    assert_eq!(code, 1, "{args:?} should fail, got {json}");
    let msg = json["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{args:?}: no error in {json}"));
    assert!(msg.contains(needle), "{args:?}: {msg:?} lacks {needle:?}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("youcpu: "));
}

fn nums(v: &Value, field: &str) -> Vec<f64> {
    v["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j[field].as_f64().unwrap())
        .collect()
}

#[test]
fn json_contract_rr_quantum_1() {
    let v = ok(&["--policy", "rr", "--jobs", "5,5,5", "--quantum", "1"]);
    let jobs = v["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 3);
    for (i, j) in jobs.iter().enumerate() {
        for f in [
            "id",
            "arrival",
            "length",
            "first_run",
            "completion",
            "response",
            "turnaround",
            "wait",
        ] {
            assert!(j[f].is_u64(), "{f} in {j}");
        }
        assert_eq!(j["id"], i);
    }
    assert_eq!(nums(&v, "response"), [0.0, 1.0, 2.0]);
    assert_eq!(nums(&v, "turnaround"), [13.0, 14.0, 15.0]);
    assert_eq!(nums(&v, "wait"), [8.0, 9.0, 10.0]);
    assert_eq!(v["average"]["response"], 1.0);
    assert_eq!(v["average"]["turnaround"], 14.0);
    assert_eq!(v["average"]["wait"], 9.0);
    assert_eq!(v["context_switches"], 14);
    let tl = v["timeline"].as_array().unwrap();
    assert_eq!(tl.len(), 15);
    assert_eq!(
        tl[0],
        serde_json::json!({"job": 0, "cpu": 0, "start": 0, "end": 1})
    );
    assert_eq!(
        tl[14],
        serde_json::json!({"job": 2, "cpu": 0, "start": 14, "end": 15})
    );
}

#[test]
fn worked_examples_through_the_cli() {
    // OSTEP: FIFO 100,10,10 -> turnaround 110; SJF -> 50; STCF with late arrivals -> 50.
    let v = ok(&["--policy", "fifo", "--jobs", "100,10,10"]);
    assert_eq!(v["average"]["turnaround"], 110.0);
    let v = ok(&["--policy", "sjf", "--jobs", "100,10,10"]);
    assert_eq!(v["average"]["turnaround"], 50.0);
    let v = ok(&[
        "--policy",
        "stcf",
        "--jobs",
        "100,10,10",
        "--arrivals",
        "0,10,10",
    ]);
    assert_eq!(v["average"]["turnaround"], 50.0);
    assert_eq!(v["context_switches"], 3);
    // Classic SRTF exercise: waits 9, 0, 15, 2.
    let v = ok(&[
        "--policy",
        "stcf",
        "--jobs",
        "8,4,9,5",
        "--arrivals",
        "0,1,2,3",
    ]);
    assert_eq!(nums(&v, "wait"), [9.0, 0.0, 15.0, 2.0]);
    assert_eq!(v["average"]["wait"], 6.5);
    // RR: an arrival at the quantum boundary goes before the preempted job.
    let v = ok(&[
        "--policy",
        "rr",
        "--jobs",
        "3,3",
        "--arrivals",
        "0,2",
        "--quantum",
        "2",
    ]);
    let tl: Vec<(u64, u64, u64)> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["job"].as_u64().unwrap(),
                s["start"].as_u64().unwrap(),
                s["end"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(tl, [(0, 0, 2), (1, 2, 4), (0, 4, 5), (1, 5, 6)]);
    // Switch cost: FIFO 10,10 with cost 2 -> second job starts at 12.
    let v = ok(&["--policy", "fifo", "--jobs", "10,10", "--switch-cost", "2"]);
    assert_eq!(nums(&v, "first_run"), [0.0, 12.0]);
    assert_eq!(nums(&v, "wait"), [0.0, 12.0]);
    assert_eq!(v["switch_time"], 2);
    // Idle until the next arrival.
    let v = ok(&["--policy", "fifo", "--jobs", "2,2", "--arrivals", "0,10"]);
    assert_eq!(nums(&v, "completion"), [2.0, 12.0]);
    assert_eq!(v["idle_time"], 8);
}

#[test]
fn every_policy_takes_the_same_command_line() {
    for p in ["fifo", "sjf", "stcf", "rr", "cfs", "eevdf"] {
        let v = ok(&[
            "--policy",
            p,
            "--jobs",
            "3,5,2",
            "--arrivals",
            "0,1,2",
            "--quantum",
            "2",
            "--nice",
            "0,5,-5",
            "--switch-cost",
            "0",
        ]);
        assert_eq!(v["policy"], p);
        let lengths = nums(&v, "length");
        assert_eq!(lengths, [3.0, 5.0, 2.0]);
        for j in v["jobs"].as_array().unwrap() {
            let t = j["turnaround"].as_f64().unwrap();
            let w = j["wait"].as_f64().unwrap();
            let l = j["length"].as_f64().unwrap();
            assert!((t - w - l).abs() < 1e-9, "{p}: {j}");
        }
    }
}

#[test]
fn cfs_and_eevdf_take_milliseconds() {
    let v = ok(&["--policy", "cfs", "--jobs", "20,20"]);
    assert_eq!(v["unit"], "ms");
    assert_eq!(nums(&v, "completion"), [40.0, 38.0]);
    let v = ok(&["--policy", "eevdf", "--jobs", "20,20"]);
    assert_eq!(nums(&v, "completion"), [39.0, 40.0]);
    assert_eq!(v["context_switches"], 39);
    let v = ok(&[
        "--policy",
        "eevdf",
        "--jobs",
        "0.5,2:3:1.25",
        "--arrivals",
        "0,0.1",
        "--tick",
        "4",
        "--trace",
    ]);
    assert_eq!(nums(&v, "length"), [0.5, 3.25]);
    assert_eq!(nums(&v, "io"), [0.0, 3.0]);
    assert!(v["steps"].as_array().unwrap().len() > 3);
    assert!(!v["fair"].as_array().unwrap().is_empty());
    // Nice shares: 100 ms each, nice 0 and 5: the nice-0 job finishes first, having had about
    // 1024 / (1024 + 335) of the CPU until then.
    let v = ok(&["--policy", "cfs", "--jobs", "100,100", "--nice", "0,5"]);
    let c = nums(&v, "completion");
    assert!((c[0] - 100.0 * 1359.0 / 1024.0).abs() < 3.0, "{c:?}");
}

#[test]
fn a_horizon_leaves_jobs_unfinished() {
    let v = ok(&["--policy", "fifo", "--jobs", "5,5", "--horizon", "7"]);
    assert_eq!(v["jobs"][0]["completion"], 5);
    assert!(v["jobs"][1]["completion"].is_null());
    assert!(v["jobs"][1]["turnaround"].is_null());
    assert_eq!(v["jobs"][1]["first_run"], 5);
    assert_eq!(v["average"]["turnaround"], 5.0);
    assert_eq!(v["end"], 7);
    // 20000 jobs of 1000 ms under EEVDF: 20000 s in full (past the event limit), quick for 50 ms.
    let many = vec!["1000"; 20_000].join(",");
    let v = ok(&["--policy", "eevdf", "--jobs", &many, "--horizon", "50"]);
    assert_eq!(v["end"], 50.0);
    let ran = v["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| !j["first_run"].is_null())
        .count();
    assert!((40..=60).contains(&ran), "{ran} jobs ran in 50 ms");
}

#[test]
fn text_output_without_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .args(["sched", "--policy", "sjf", "--jobs", "3,1"])
        .run_output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("policy sjf"));
    assert!(text.contains("[0-1 job 1] [1-4 job 0]"), "{text}");
}

#[test]
fn bad_input_is_a_one_line_error() {
    fails(&["--jobs", "1"], "--policy is required");
    fails(&["--policy", "lottery", "--jobs", "1"], "not one of");
    fails(&["--policy", "rr"], "--jobs");
    fails(&["--policy", "rr", "--jobs", ""], "comma-separated");
    fails(&["--policy", "rr", "--jobs", "0"], "more than 0");
    fails(&["--policy", "rr", "--jobs", "3,-1"], "value 2");
    fails(&["--policy", "rr", "--jobs", "1,,2"], "value 2");
    fails(&["--policy", "rr", "--jobs", "abc"], "not a number");
    fails(&["--policy", "fifo", "--jobs", "1.5"], "not a number");
    fails(&["--policy", "cfs", "--jobs", "-1"], "negative");
    fails(
        &["--policy", "fifo", "--jobs", "9223372036854775807"],
        "outside",
    );
    fails(
        &["--policy", "fifo", "--jobs", "99999999999999999999999"],
        "outside",
    );
    fails(&["--policy", "fifo", "--jobs", "1099511627777"], "outside");
    fails(
        &["--policy", "cfs", "--jobs", "9223372036854.775807"],
        "outside",
    );
    fails(
        &["--policy", "fifo", "--jobs", "1,2", "--arrivals", "0"],
        "one arrival per job",
    );
    fails(
        &["--policy", "fifo", "--jobs", "1,2", "--arrivals", "0,-3"],
        "negative",
    );
    fails(
        &["--policy", "cfs", "--jobs", "1,2", "--nice", "0,20"],
        "outside -20..19",
    );
    fails(
        &["--policy", "cfs", "--jobs", "1,2", "--nice", "0"],
        "one nice value per job",
    );
    fails(
        &["--policy", "rr", "--jobs", "1", "--quantum", "0"],
        "more than 0",
    );
    fails(
        &["--policy", "rr", "--jobs", "1", "--quantum", "-2"],
        "quantum",
    );
    fails(
        &[
            "--policy",
            "rr",
            "--jobs",
            "1",
            "--switch-cost",
            "1099511627777",
        ],
        "outside",
    );
    fails(
        &[
            "--policy",
            "rr",
            "--jobs",
            "1",
            "--quantum",
            "1",
            "--target-latency",
            "4",
        ],
        "not both",
    );
    fails(&["--policy", "rr", "--jobs", "1", "--bogus"], "bogus");
    // `run` appends --json, which becomes the value of --jobs.
    fails(&["--policy", "rr", "--jobs"], "\"--json\" is not a number");
    fails(
        &["--policy", "rr", "--jobs", "2:1"],
        "must end with a CPU burst",
    );
    fails(
        &["--policy", "rr", "--jobs", "io2:1"],
        "where a CPU burst belongs",
    );
    fails(
        &["--policy", "eevdf", "--jobs", "1", "--tick", "0"],
        "more than 0",
    );
    // One argument is limited to 128 KiB (MAX_ARG_STRLEN), so 100001 jobs cannot be typed;
    // the cap is checked by counting commas before parsing anything.
    let many = vec!["1"; 20_000].join(",") + &",".repeat(80_001);
    fails(&["--policy", "fifo", "--jobs", &many], "more than 100000")
}

#[test]
fn absurd_work_is_refused_quickly() {
    // Two huge jobs with quantum 1 would take 2^41 quanta: the event cap stops it.
    let t = Instant::now();
    fails(
        &[
            "--policy",
            "rr",
            "--jobs",
            "1099511627776,1099511627776",
            "--quantum",
            "1",
        ],
        "more than 2000000 scheduling events",
    );
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    // One huge job alone is cheap (lone quanta are skipped).
    let v = ok(&[
        "--policy",
        "rr",
        "--jobs",
        "1099511627776",
        "--quantum",
        "1",
    ]);
    assert_eq!(v["jobs"][0]["completion"], 1_099_511_627_776u64);
    // 20000 jobs of FIFO are quick.
    let many = vec!["1"; 20_000].join(",");
    let t = Instant::now();
    let v = ok(&["--policy", "fifo", "--jobs", &many]);
    assert_eq!(v["jobs"].as_array().unwrap().len(), 20_000);
    assert!(t.elapsed() < Duration::from_secs(20));
}

#[test]
fn non_utf8_is_an_error() {
    use std::os::unix::ffi::OsStringExt;
    let out = Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .args(["sched", "--policy", "rr", "--jobs"])
        .arg(OsString::from_vec(vec![0x31, 0xff]))
        .arg("--json")
        .run_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("UTF-8"));
}

/// A deterministic pseudo-random string of at most `max` characters of `alphabet` (the CLI
/// crate has no proptest).
fn text(g: &mut Mmix, alphabet: &[u8], max: u64) -> String {
    let n = g.below(max + 1);
    (0..n)
        .map(|_| alphabet[g.below(alphabet.len() as u64) as usize] as char)
        .collect()
}

#[test]
fn arbitrary_input_never_panics() {
    let policies = ["fifo", "sjf", "stcf", "rr", "cfs", "eevdf", "x"];
    let mut g = Mmix(0x5eed);
    for _ in 0..60 {
        let policy = policies[g.below(policies.len() as u64) as usize];
        let jobs = text(&mut g, b"0123456789,:.+ -", 12);
        let mut args = vec![
            "--policy".to_string(),
            policy.to_string(),
            "--jobs".into(),
            jobs,
        ];
        for (flag, alphabet, max) in [
            ("--arrivals", &b"0123456789,.-"[..], 8),
            ("--quantum", b"0123456789-", 3),
            ("--switch-cost", b"0123456789.", 3),
        ] {
            if g.below(2) == 0 {
                args.push(flag.into());
                args.push(text(&mut g, alphabet, max));
            }
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, json, _) = run(&refs);
        assert!(code == 0 || code == 1, "{args:?} exited {code}");
        if code == 0 {
            assert!(json["jobs"].is_array());
        } else {
            assert!(json["error"].is_string(), "{args:?}");
        }
    }
}

/// Removes what a multi-CPU run added to the JSON: the top-level `cpus` and the `cpu` of every
/// timeline slice and step.
fn strip_cpu(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("cpus");
            if m.get("cpu").is_some_and(Value::is_number) {
                m.remove("cpu");
            }
            m.values_mut().for_each(strip_cpu);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_cpu),
        _ => {}
    }
}

#[test]
fn one_cpu_output_is_the_output_before_cpus_existed() {
    // 42 command lines (6 per policy: I/O, switch costs, horizons, nice, --trace) recorded with
    // `youcpu sched --json --trace` before `--cpus` was added; with one CPU everything but the
    // new `cpu`/`cpus` fields must be identical, steps and virtual-time samples included.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sched_one_cpu.json"
    ))
    .unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(cases.len(), 42);
    for c in &cases {
        let args: Vec<&str> = c["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let mut now = ok(&args);
        assert_eq!(now["cpus"], 1);
        assert!(now["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["cpu"] == 0));
        strip_cpu(&mut now);
        assert_eq!(now, c["out"], "{args:?}");
    }
}

#[test]
fn cpus_put_each_run_on_a_cpu() {
    let v = ok(&["--policy", "fifo", "--jobs", "10,2,10", "--cpus", "2"]);
    assert_eq!(v["cpus"], 2);
    assert_eq!(v["migrations"], 1);
    let tl: Vec<(u64, u64, u64, u64)> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let n = |k: &str| s[k].as_u64().unwrap();
            (n("job"), n("cpu"), n("start"), n("end"))
        })
        .collect();
    assert_eq!(tl, vec![(0, 0, 0, 10), (1, 1, 0, 2), (2, 1, 2, 12)]);
    assert_eq!(nums(&v, "migrations"), vec![0.0, 0.0, 1.0]);
    // Every policy takes --cpus; CFS/EEVDF tunables scale with the CPU count.
    for p in ["fifo", "sjf", "stcf", "rr", "cfs", "eevdf"] {
        let v = ok(&[
            "--policy",
            p,
            "--jobs",
            "3,4,5,6,7",
            "--cpus",
            "3",
            "--trace",
        ]);
        assert_eq!(v["cpus"], 3, "{p}");
        let steps = v["steps"].as_array().unwrap();
        assert!(steps.iter().all(|s| s["cpu"].as_u64().unwrap() < 3), "{p}");
        assert_eq!(
            v["idle_time"].as_f64().unwrap() + nums(&v, "length").iter().sum::<f64>(),
            3.0 * v["end"].as_f64().unwrap(),
            "{p}"
        );
    }
    let v = ok(&[
        "--policy",
        "rr",
        "--jobs",
        "5,5,5,5,5",
        "--cpus",
        "2",
        "--balance-interval",
        "3",
    ]);
    assert_eq!(v["balance_interval"], 3);
    let text = Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .args([
            "sched", "--policy", "fifo", "--jobs", "10,2,10", "--cpus", "2",
        ])
        .run_output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("on 2 CPUs; 1 migrations"), "{text}");
    assert!(text.contains("cpu 1: [0-2 job 1] [2-12 job 2]"), "{text}");
}

#[test]
fn bad_cpu_counts_are_one_line_errors() {
    for bad in ["0", "9", "-1", "x", "", "1.5", "99999999999999999999"] {
        fails(
            &["--policy", "fifo", "--jobs", "3", "--cpus", bad],
            "--cpus",
        );
    }
    fails(
        &[
            "--policy",
            "rr",
            "--jobs",
            "3",
            "--cpus",
            "2",
            "--balance-interval",
            "0",
        ],
        "--balance-interval",
    );
    fails(
        &["--policy", "cfs", "--jobs", "3", "--balance-interval", "-4"],
        "--balance-interval",
    );
}

/// The widget's spelling of a wait (`io3`) and the colon form are one syntax.
#[test]
fn a_pattern_reads_the_same_in_both_spellings() {
    let a = ok(&["--policy", "fifo", "--jobs", "2:3:2,4"]);
    let b = ok(&["--policy", "fifo", "--jobs", "2 io3 2,4"]);
    assert_eq!(a, b);
    assert_eq!(a["jobs"].as_array().map(Vec::len), Some(2));
}
