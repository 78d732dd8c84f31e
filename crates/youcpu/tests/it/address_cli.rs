//! Addresses typed on the command line follow the core's one grammar
//! (`youcpu_core::units::address`): `asm --ip`, `disasm --ip`, `translate`'s VAs and its
//! `--root-pfn` accept exactly what `parse_address` accepts, with the same value, and refuse the
//! rest with its message (exit 1, one line). The page-walk widget calls the same function.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::common::{self, fails_cleanly, with_stdin};
use std::process::{Command, Output};
use youcpu_core::units::{parse_address, parse_address_bits};

/// Accepted and refused forms alike: the CLI must agree with the core on every one.
const TEXTS: &[&str] = &[
    "0",
    "4096",
    "0x1000",
    "0X1000",
    "0xAbC",
    " 0x10 ",
    "0x7ffd_1c2a_3b40",
    "1_000",
    "0xffff_ffff_ffff_ffff",
    "18446744073709551615",
    "18446744073709551616",
    "0x1_0000_0000_0000_0000",
    "",
    "0x",
    "+1",
    "-1",
    "0x+1",
    "_1",
    "1_",
    "1__0",
    "0x_1",
    "1 000",
    "0o17",
    "0b1",
    "10h",
    "1e3",
    "nonsense",
];

fn youcpu(args: &[&str], stdin: &[u8]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_youcpu"));
    c.args(args);
    with_stdin(c, stdin)
}

/// The same arguments with `--json` after the command word.
fn json<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.insert(1, "--json");
    v
}

#[test]
fn asm_and_disasm_ip() {
    for &text in TEXTS {
        for bits in ["16", "32", "64"] {
            let want = parse_address_bits(text, bits.parse().unwrap());
            let asm = ["asm", "--bits", bits, "--ip", text];
            let disasm = ["disasm", "--bits", bits, "--ip", text, "90"];
            match &want {
                Ok(ip) => {
                    let v = common::ok_json(youcpu(&json(&asm), b"nop\n"));
                    assert_eq!(v[0]["bytes"], "90", "{asm:?}");
                    let v = common::ok_json(youcpu(&json(&disasm), b""));
                    assert_eq!(v[0]["ip"].as_u64(), Some(*ip), "{disasm:?}");
                }
                Err(e) => {
                    let want = format!("--ip: {e}");
                    fails_cleanly(|a| youcpu(a, b"nop\n"), &asm, &want);
                    fails_cleanly(|a| youcpu(a, b""), &disasm, &want);
                }
            }
        }
    }
}

#[test]
fn translate_vas_and_root_pfn() {
    // Frame 0 is an x86-64 root table of zeros: a canonical VA walks one step and faults
    // "not-present", a non-canonical one faults "non-canonical"; either way the VA is echoed.
    let dir = common::scratch("address_cli");
    let mem = dir.join("zeros");
    youcpu_testkit::process::write(&mem, [0u8; 4096]).unwrap();
    let m = common::s(&mem);
    let translate = |a: &[&str]| youcpu(a, b"");
    for &text in TEXTS {
        // `--` so that a VA such as "-1" is an operand, not an option.
        let va_args = ["translate", "--memory", m, "--root-pfn", "0", "--", text];
        let pfn_args = ["translate", "--memory", m, "--root-pfn", text, "0"];
        match parse_address(text) {
            Ok(va) => {
                let v = common::ok_json(translate(&json(&va_args)));
                assert_eq!(v[0]["va"].as_u64(), Some(va), "{text:?}");
                // Only frame 0 is in the file: another root fails on reading, not on parsing.
                let out = translate(&pfn_args);
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(!err.contains("--root-pfn:"), "{text:?}: {err}");
                assert_eq!(out.status.code() == Some(0), va == 0, "{text:?}: {err}");
            }
            Err(e) => {
                fails_cleanly(translate, &va_args, &format!("VA: {e}"));
                fails_cleanly(translate, &pfn_args, &format!("--root-pfn: {e}"));
            }
        }
    }
    std::fs::remove_dir_all(dir).ok();
}
