//! The table of malformed invocations, subcommand by subcommand, each with the exit status it
//! must have.

use super::*;

pub(super) fn cases(f: &Files) -> Vec<Case> {
    let mut c = Vec::new();
    let s = |v: &[&str]| -> Vec<OsString> { v.iter().map(|x| os(x)).collect() };
    let junk_stdin: Vec<Vec<u8>> = {
        let mut rng = SplitMix64(7);
        vec![
            Vec::new(),
            b"\0\0\0\n".to_vec(),
            rng.bytes(3000),
            vec![0xff; 500],
            "mov eax, 1\n".repeat(20).into_bytes(),
            "x".repeat(200_000).into_bytes(),
            "\n".repeat(150_000).into_bytes(),
            "🦀 ünïcödé\r\n\t".repeat(100).into_bytes(),
        ]
    };

    // The dispatcher.
    c.push(case(&[], b"", Want::Fail));
    c.push(case(&s(&["bogus"]), b"", Want::Fail));
    c.push(case(&[os("")], b"", Want::Fail));
    c.push(case(&[non_utf8()], b"", Want::Fail));
    c.push(case(&s(&["--help"]), b"", Want::Ok));
    c.push(case(&s(&["ASM"]), b"", Want::Fail));

    // asm: stdin is the program; per-line errors are output (status 0), only unusable input
    // (too much of it, bad options) fails.
    c.extend(common_failures("asm", &[], b"nop\n"));
    for stdin in &junk_stdin {
        // 200,000 bytes on one line and 150,000 empty lines are within the input limit (4 MiB)
        // but the second is over the line limit (100,000 lines).
        let want = if stdin.iter().filter(|&&b| b == b'\n').count() > 100_000 {
            Want::Fail
        } else {
            Want::Ok
        };
        c.push(case(&s(&["asm"]), stdin, want));
        c.push(case(&s(&["asm", "--explain"]), stdin, want));
    }
    c.push(case(&s(&["asm"]), &vec![b'a'; (4 << 20) + 10], Want::Fail));
    for v in absurd() {
        c.push(case(
            &[os("asm"), os("--bits"), v.clone()],
            b"nop\n",
            Want::Fail,
        ));
        let want = if v == "0" { Want::Ok } else { Want::Fail }; // address 0 is fine
        c.push(case(&[os("asm"), os("--ip"), v], b"nop\n", want));
    }
    for ok in ["0", "0x0", "0xffffffffffffffff", "18446744073709551615"] {
        c.push(case(&s(&["asm", "--ip", ok]), b"jmp $+2\n", Want::Ok));
    }
    c.push(case(
        &s(&["asm", "--bits", "16", "--ip", "0x10000"]),
        b"nop\n",
        Want::Fail,
    ));
    c.push(case(&s(&["asm", "--bits"]), b"nop\n", Want::Fail));
    c.push(case(&s(&["asm", "--ip"]), b"nop\n", Want::Fail));
    c.push(case(
        &s(&["asm", "--bits", "32", "--bits", "64"]),
        b"nop\n",
        Want::Ok,
    ));
    c.push(case(&s(&["asm", "stray"]), b"nop\n", Want::Fail));

    // disasm: hex on the command line or stdin.
    c.extend(common_failures("disasm", &s(&["90"]), b""));
    for stdin in &junk_stdin {
        let hexish = stdin
            .iter()
            .all(|b| b.is_ascii_hexdigit() || b" ,\n\r\t".contains(b));
        let want = if hexish && !stdin.is_empty() && stdin.iter().any(u8::is_ascii_hexdigit) {
            Want::Ok
        } else {
            Want::Fail
        };
        c.push(case(&s(&["disasm", "-"]), stdin, want));
        // Without `-` stdin is not read: no bytes given.
        c.push(case(&s(&["disasm"]), stdin, Want::Fail));
    }
    c.push(case(&s(&["disasm", "-"]), b"90 0f 05 c3", Want::Ok));
    // 30,000 bytes are within the limit (65,536); 70,000 are not.
    c.push(case(
        &s(&["disasm", "-"]),
        "90 ".repeat(30_000).as_bytes(),
        Want::Ok,
    ));
    c.push(case(
        &s(&["disasm", "-"]),
        "90".repeat(70_000).as_bytes(),
        Want::Fail,
    ));
    c.push(case(&s(&["disasm", "0f"]), b"", Want::Ok)); // a truncated instruction is output
    c.push(case(&s(&["disasm", "ff", "ff", "ff"]), b"", Want::Ok));
    for bad in ["zz", "9", "0x", "", "90 9"] {
        c.push(case(&s(&["disasm", bad]), b"", Want::Fail));
    }
    c.push(case(&[os("disasm"), non_utf8()], b"", Want::Fail));
    for v in absurd() {
        c.push(case(
            &[os("disasm"), os("--bits"), v.clone(), os("90")],
            b"",
            Want::Fail,
        ));
        let want = if v == "0" { Want::Ok } else { Want::Fail };
        c.push(case(&[os("disasm"), os("--ip"), v, os("90")], b"", want));
    }
    c.push(case(
        &s(&["disasm", "--explain", "--bits", "16", "66", "90"]),
        b"",
        Want::Ok,
    ));
    c.push(case(&s(&["disasm", "90", "--bits"]), b"", Want::Fail));

    // elf: a file name and --max-size.
    c.extend(common_failures("elf", &[p(&f.elf)], b""));
    c.push(case(&[os("elf"), p(&f.elf)], b"", Want::Ok));
    c.push(case(&s(&["elf"]), b"", Want::Fail));
    for path in [&f.missing, &f.dir, &f.random, &f.empty] {
        c.push(case(&[os("elf"), p(path)], b"", Want::Fail));
    }
    for t in &f.truncated {
        c.push(case(&[os("elf"), p(t)], b"", Want::Fail));
    }
    c.push(case(&s(&["elf", "/dev/null"]), b"", Want::Fail));
    c.push(case(
        &s(&["elf", "/dev/zero", "--max-size", "4096"]),
        b"",
        Want::Fail,
    ));
    c.push(case(&s(&["elf", "/dev/zero"]), b"", Want::Fail)); // refused at 1 GiB, read lazily
    c.push(case(&s(&["elf", ""]), b"", Want::Fail));
    c.push(case(&[os("elf"), non_utf8()], b"", Want::Fail));
    c.push(case(&[os("elf"), p(&f.elf), p(&f.elf)], b"", Want::Fail));
    for v in absurd() {
        c.push(case(
            &[os("elf"), os("--max-size"), v, p(&f.elf)],
            b"",
            Want::Fail,
        ));
    }
    c.push(case(
        &[os("elf"), os("--max-size"), os("10"), p(&f.elf)],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("elf"), p(&f.elf), os("--max-size")],
        b"",
        Want::Fail,
    ));

    // exec: simulated execve on real files (nothing runs).
    c.extend(common_failures("exec", &[p(&f.elf)], b""));
    c.push(case(&[os("exec"), p(&f.elf)], b"", Want::Ok));
    c.push(case(&[os("exec"), p(&f.script), os("arg")], b"", Want::Ok));
    c.push(case(&s(&["exec"]), b"", Want::Fail));
    // A refused execve is a result, not a usage error: exec reports the errno (ENOENT,
    // EACCES, ENOEXEC) and exits 0, as its README says; only bad options exit 1.
    for path in [&f.missing, &f.dir, &f.random, &f.empty] {
        c.push(case(&[os("exec"), p(path)], b"", Want::Ok));
    }
    c.push(case(&s(&["exec", "/dev/null"]), b"", Want::Ok));
    c.push(case(&s(&["exec", "/dev/zero"]), b"", Want::Ok));
    c.push(case(&s(&["exec", ""]), b"", Want::Ok));
    for flag in [
        "--root", "--cwd", "--argv0", "--env", "--misc", "--user", "--shell",
    ] {
        // A missing value is refused; after PATH a flag is the program's argument.
        c.push(case(&[os("exec"), os(flag)], b"", Want::Fail));
        c.push(case(&[os("exec"), p(&f.elf), os(flag)], b"", Want::Ok));
    }
    for v in absurd() {
        c.push(case(
            &[os("exec"), os("--user"), v.clone(), p(&f.elf)],
            b"",
            Want::Fail,
        ));
        c.push(case(
            &[os("exec"), os("--misc"), v.clone(), p(&f.elf)],
            b"",
            Want::Fail,
        ));
        c.push(case(
            &[os("exec"), os("--shell"), v, p(&f.elf)],
            b"",
            Want::Fail,
        ));
    }
    c.push(case(
        &[os("exec"), os("--root"), p(&f.missing), p(&f.elf)],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("exec"), os("--root"), p(&f.random), p(&f.elf)],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("exec"), os("--env"), os("NOEQUALS"), p(&f.elf)],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[
            os("exec"),
            os("--user"),
            os("0:0"),
            os("--user"),
            os("1:1"),
            p(&f.elf),
        ],
        b"",
        Want::Ok,
    ));
    c.push(case(
        &[os("exec"), os("--argv0"), non_utf8(), p(&f.elf)],
        b"",
        Want::Ok,
    ));
    c.push(case(
        &[os("exec"), os("--no-argv"), p(&f.elf)],
        b"",
        Want::Ok,
    ));
    c.push(case(
        &[os("exec"), p(&f.elf), OsString::from("a".repeat(100_000))],
        b"",
        Want::Ok,
    ));

    // run: a static ELF under the simulator.
    c.extend(common_failures("run", &[p(&f.elf)], b""));
    c.push(case(&[os("run"), p(&f.elf)], b"", Want::Ok));
    c.push(case(&s(&["run"]), b"", Want::Fail));
    for path in [&f.missing, &f.dir, &f.random, &f.empty] {
        c.push(case(&[os("run"), p(path)], b"", Want::Fail));
    }
    // A `#!` script goes through the execve model as the kernel's would: /bin/sh runs it.
    c.push(case(&[os("run"), p(&f.script)], b"", Want::Ok));
    for t in &f.truncated {
        c.push(case(&[os("run"), p(t)], b"", Want::Fail));
    }
    c.push(case(&s(&["run", "/dev/null"]), b"", Want::Fail));
    c.push(case(&s(&["run", "/dev/zero"]), b"", Want::Fail));
    c.push(case(&s(&["run", ""]), b"", Want::Fail));
    c.push(case(&[os("run"), non_utf8()], b"", Want::Fail));
    for v in absurd() {
        c.push(case(
            &[os("run"), os("--max-steps"), v, p(&f.elf)],
            b"",
            Want::Fail,
        ));
    }
    c.push(case(
        &[os("run"), p(&f.elf), os("--max-steps")],
        b"",
        Want::Ok,
    )); // the guest's argument
    c.push(case(
        &[os("run"), os("--max-steps"), os("1"), p(&f.elf)],
        b"",
        Want::Fail,
    )); // budget hit

    // build: assembly source to an ELF file (written into the scratch directory).
    c.extend(common_failures("build", &[p(&f.source)], b""));
    c.push(case(
        &[os("build"), p(&f.source), os("-o"), os("out.elf")],
        b"",
        Want::Ok,
    ));
    c.push(case(
        &s(&["build", "-", "-o", "stdin.elf"]),
        b"_start:\n ret\n",
        Want::Ok,
    ));
    c.push(case(&s(&["build"]), b"", Want::Fail));
    for path in [&f.missing, &f.dir, &f.random, &f.bad_source, &f.elf] {
        c.push(case(
            &[os("build"), p(path), os("-o"), os("x.elf")],
            b"",
            Want::Fail,
        ));
    }
    c.push(case(
        &[os("build"), p(&f.empty), os("-o"), os("x.elf")],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &s(&["build", "/dev/null", "-o", "x.elf"]),
        b"",
        Want::Fail,
    ));
    c.push(case(
        &s(&["build", "/dev/zero", "-o", "x.elf"]),
        b"",
        Want::Fail,
    ));
    for stdin in &junk_stdin {
        // Twenty `mov eax, 1` lines are a program (entry at the start of .text).
        let want = if stdin.starts_with(b"mov eax, 1\n") {
            Want::Ok
        } else {
            Want::Fail
        };
        c.push(case(&s(&["build", "-", "-o", "j.elf"]), stdin, want));
    }
    c.push(case(
        &[os("build"), p(&f.source), os("-o")],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("build"), p(&f.source), os("-o"), p(&f.dir)],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[
            os("build"),
            p(&f.source),
            os("-o"),
            os("/nonexistent-dir/x"),
        ],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("build"), p(&f.source), os("-o"), os("")],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("build"), p(&f.source), p(&f.source)],
        b"",
        Want::Fail,
    ));

    // sched: a workload under a policy.
    let good = s(&["--policy", "rr", "--jobs", "5,3,8", "--quantum", "2"]);
    c.extend(common_failures("sched", &good, b""));
    let mut g = vec![os("sched")];
    g.extend(good.clone());
    c.push(case(&g, b"", Want::Ok));
    c.push(case(&s(&["sched"]), b"", Want::Fail));
    c.push(case(&s(&["sched", "--policy", "fifo"]), b"", Want::Fail));
    c.push(case(
        &s(&["sched", "--policy", "rr", "--jobs", "5,3"]),
        b"",
        Want::Ok,
    )); // the default quantum
    for flag in [
        "--policy",
        "--jobs",
        "--arrivals",
        "--quantum",
        "--target-latency",
        "--min-granularity",
        "--switch-cost",
        "--nice",
        "--tick",
        "--base-slice",
        "--horizon",
    ] {
        c.push(case(
            &[os("sched"), os("--jobs"), os("5,3"), os(flag)],
            b"",
            Want::Fail,
        ));
        for v in absurd() {
            let (policy, jobs) = match flag {
                "--target-latency" | "--min-granularity" => ("rr-latency", "5,3"),
                "--nice" | "--tick" => ("cfs", "5,3"),
                "--base-slice" => ("eevdf", "5,3"),
                "--policy" => ("fifo", "5,3"),
                _ => ("rr", "5,3"),
            };
            let mut args = s(&["sched", "--policy", policy, "--jobs", jobs]);
            if policy == "rr" && flag != "--quantum" {
                args.extend(s(&["--quantum", "2"]));
            }
            args.push(os(flag));
            args.push(v.clone());
            // "0" is a valid switch cost, and a horizon of 0 stops at once with every job
            // unfinished; "0" as an arrival list or nice list is refused for 2 jobs.
            let want = if v == "0" && matches!(flag, "--switch-cost" | "--horizon") {
                Want::Ok
            } else {
                Want::Fail
            };
            c.push(case(&args, b"", want));
        }
    }
    c.push(case(
        &s(&[
            "sched", "--policy", "fifo", "--jobs", "5", "--policy", "sjf",
        ]),
        b"",
        Want::Ok,
    ));
    c.push(case(
        &s(&["sched", "--policy", "fifo", "--jobs", &",".repeat(120_000)]),
        b"",
        Want::Fail,
    ));
    c.push(case(
        &s(&[
            "sched",
            "--policy",
            "rr",
            "--quantum",
            "1",
            "--jobs",
            "1099511627776,1099511627776",
        ]),
        b"",
        Want::Fail, // more than the simulator's event budget
    ));
    c.push(case(
        &s(&["sched", "--policy", "fifo", "--jobs", "5", "extra"]),
        b"",
        Want::Fail,
    ));

    // timeslice: CFS slices for N tasks.
    c.extend(common_failures("timeslice", &s(&["--tasks", "3"]), b""));
    c.push(case(&s(&["timeslice", "--tasks", "3"]), b"", Want::Ok));
    c.push(case(
        &s(&["timeslice", "--tasks", "3", "--tasks", "4"]),
        b"",
        Want::Ok,
    ));
    c.push(case(
        &s(&["timeslice", "--tasks", "3", "--nice", "0,5,-3"]),
        b"",
        Want::Ok,
    ));
    c.push(case(
        &s(&["timeslice", "--nice", "0,5,-3"]),
        b"",
        Want::Fail,
    )); // needs --tasks
    for flag in [
        "--tasks",
        "--latency-ms",
        "--min-granularity-ms",
        "--cpus",
        "--nice",
    ] {
        c.push(case(
            &[os("timeslice"), os("--tasks"), os("2"), os(flag)],
            b"",
            Want::Fail,
        ));
        for v in absurd() {
            let mut args = s(&["timeslice"]);
            if flag != "--tasks" && flag != "--nice" {
                args.extend(s(&["--tasks", "2"]));
            }
            args.push(os(flag));
            args.push(v.clone());
            // --nice without --tasks is refused even when the list is good.
            c.push(case(&args, b"", Want::Fail));
        }
    }
    c.push(case(
        &s(&["timeslice", "--tasks", "2", "stray"]),
        b"",
        Want::Fail,
    ));

    // translate: a page walk over a memory file.
    let mem = p(&f.memory);
    let tr = |extra: &[OsString]| -> Vec<OsString> {
        let mut a = vec![
            os("translate"),
            os("--memory"),
            mem.clone(),
            os("--root-pfn"),
            os("0"),
        ];
        a.extend_from_slice(extra);
        a
    };
    c.extend(common_failures("translate", &tr(&[os("0x1000")])[1..], b""));
    c.push(case(&tr(&[os("0x1000")]), b"", Want::Ok));
    c.push(case(&tr(&[]), b"", Want::Fail));
    c.push(case(&s(&["translate", "0x1000"]), b"", Want::Fail));
    for path in [&f.missing, &f.dir, &f.empty, &f.random] {
        // Missing, a directory, or too short for the walk's entries: all refused.
        let want = Want::Fail;
        c.push(case(
            &[
                os("translate"),
                os("--memory"),
                p(path),
                os("--root-pfn"),
                os("0"),
                os("0x1000"),
            ],
            b"",
            want,
        ));
    }
    for dev in ["/dev/null", "/dev/zero"] {
        c.push(case(
            &s(&["translate", "--memory", dev, "--root-pfn", "0", "0x1000"]),
            b"",
            Want::Fail,
        ));
    }
    for flag in [
        "--levels",
        "--offset-bits",
        "--pte-bytes",
        "--present-bit",
        "--pfn-shift",
        "--pfn-bits",
        "--root-pfn",
    ] {
        c.push(case(&tr(&[os("0x1000"), os(flag)]), b"", Want::Fail));
        for v in absurd() {
            // 0 is a valid present bit, pfn shift and root frame.
            let want = if v == "0" && matches!(flag, "--present-bit" | "--pfn-shift" | "--root-pfn")
            {
                Want::Ok
            } else {
                Want::Fail
            };
            c.push(case(&tr(&[os(flag), v, os("0x1000")]), b"", want));
        }
    }
    for va in absurd() {
        let want = if va == "0" { Want::Ok } else { Want::Fail };
        c.push(case(&tr(&[va]), b"", want));
    }
    c.push(case(
        &tr(&[os("--levels"), os(&"9,".repeat(50_000)), os("0")]),
        b"",
        Want::Fail,
    ));
    c.push(case(
        &tr(&[os("--root-pfn"), os("0xffffffffffffffff"), os("0")]),
        b"",
        Want::Fail,
    ));
    c
}
