//! `youcpu asm` and `youcpu disasm`: the text and JSON contracts, per-line errors, addresses
//! carried from line to line, round trips between the two commands, and the error contract
//! (exit 1, one line on stderr, `{"error": ...}` with --json; never a panic or a signal).
//! The encodings themselves are checked against GNU as in youcpu-core's asm_oracle tests.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::common::{self, fails_cleanly, with_stdin};
use serde_json::Value;
use std::process::{Command, Output};

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_youcpu"));
    c.args(args);
    with_stdin(c, stdin)
}

fn ok_text(args: &[&str], stdin: &str) -> String {
    let out = run(args, stdin.as_bytes());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn ok_json(args: &[&str], stdin: &[u8]) -> Value {
    common::ok_json(run(args, stdin))
}

/// Exit 1, one line on stderr, and with --json an {"error"} document.
fn fails(args: &[&str], stdin: &[u8], want: &str) {
    fails_cleanly(|a| run(a, stdin), args, want);
}

#[test]
fn asm_text_is_one_line_per_input_line() {
    let input =
        "add eax, 512\nadd ebx, 128\n\n# comment\nmov rax, 0x80000000\nfrob\nadd [rax], 1\n";
    let out = ok_text(&["asm"], input);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "05 00 02 00 00",
            "81 c3 80 00 00 00",
            "",
            "",
            "48 b8 00 00 00 80 00 00 00 00",
            "error: unknown mnemonic \"frob\"",
            "error: ambiguous operand size for \"add\": say byte/word/dword/qword ptr",
        ]
    );
}

#[test]
fn asm_json_contract() {
    let v = ok_json(
        &["asm", "--json"],
        b"add eax, 512\nmov eax, 0x1ffffffff\n\n",
    );
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 3);
    assert_eq!(
        arr[0],
        serde_json::json!({"source": "add eax, 512", "bytes": "05 00 02 00 00"})
    );
    assert_eq!(
        arr[1],
        serde_json::json!({"source": "mov eax, 0x1ffffffff", "error": "0x1ffffffff does not fit in 32 bits"})
    );
    // A blank line assembles to nothing, as in GAS, and keeps its place.
    assert_eq!(arr[2], serde_json::json!({"source": "", "bytes": ""}));
    // --explain adds why and the forms considered.
    let v = ok_json(&["asm", "--json", "--explain"], b"add eax, 1\n");
    assert_eq!(v[0]["considered"].as_array().unwrap().len(), 3);
    assert_eq!(v[0]["considered"][0]["bytes"], "83 c0 01");
}

#[test]
fn asm_addresses_follow_the_lines() {
    // jmp to the first line's address from the second line: e9 rel32 = 0x400000 - 0x400007.
    let out = ok_text(
        &["asm", "--ip", "0x400000"],
        "add eax, 512\njmp 0x400000\njmp $\n",
    );
    assert_eq!(out, "05 00 02 00 00\ne9 f6 ff ff ff\neb fe\n");
    let out = ok_text(
        &["asm", "--bits", "16", "--ip", "4096"],
        "push 128\njmp 0x1000\n",
    );
    assert_eq!(out, "68 80 00\ne9 fa ff\n");
    let out = ok_text(&["asm", "--bits", "32"], "inc eax\npush 1\n");
    assert_eq!(out, "40\n6a 01\n");
}

#[test]
fn asm_odd_input_is_a_line_error_not_a_failure() {
    let mut input = b"nop\n".to_vec();
    input.extend_from_slice(b"mov eax, \xff\xfe\n");
    input.extend_from_slice(format!("add eax, {}\n", "9".repeat(100_000)).as_bytes());
    input.extend_from_slice("mov eax, ünïcode\r\n".as_bytes());
    let v = ok_json(&["asm", "--json"], &input);
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 4);
    assert_eq!(arr[0]["bytes"], "90");
    assert!(arr[1]["error"]
        .as_str()
        .unwrap()
        .contains("not valid UTF-8"));
    assert!(arr[2]["error"].as_str().unwrap().contains("at most 4096"));
    assert!(arr[3]["error"]
        .as_str()
        .unwrap()
        .contains("unexpected character"));
}

#[test]
fn asm_bad_options() {
    fails(&["asm", "--bits", "8"], b"nop\n", "8 is not a CPU mode");
    fails(&["asm", "--bits", "x"], b"nop\n", "--bits");
    fails(
        &["asm", "--ip", "0x10000", "--bits", "16"],
        b"nop\n",
        "beyond the 16-bit address space",
    );
    fails(&["asm", "--ip", "-1"], b"nop\n", "--ip");
    fails(&["asm", "--frob"], b"nop\n", "frob");
}

#[test]
fn disasm_json_contract() {
    let v = ok_json(&["disasm", "--json", "05 00 02 00 00 06"], b"");
    assert_eq!(
        v,
        serde_json::json!([
            {"ip": 0, "len": 5, "bytes": "05 00 02 00 00", "mnemonic": "add", "text": "add eax, 0x200",
             "flow": "next", "operands": [
                {"text": "eax", "slot": "implicit", "kind": "register", "name": "eax", "number": 0, "bits": 32},
                {"text": "0x200", "slot": "immediate", "kind": "immediate", "value": 512, "bits": 32,
                 "extended_to": 32, "sign_extended": false}
             ]},
            {"ip": 5, "error": "not a valid instruction"}
        ])
    );
    // A call through memory, and a string instruction's operands, which its text leaves out.
    let v = ok_json(&["disasm", "--json", "ff 15 10 00 00 00 a4"], b"");
    assert_eq!(v[0]["flow"], "indirect_call");
    assert_eq!(
        v[0]["operands"][0],
        serde_json::json!({"text": "qword ptr [rip+0x10]", "slot": "modrm_rm", "kind": "memory",
            "base": "rip", "index": null, "scale": 1, "displacement": 0x16, "displacement_bytes": 4,
            "segment": "ds", "size": 8, "rip_relative": true})
    );
    assert_eq!(v[1]["text"], "movsb");
    assert_eq!(v[1]["operands"][0]["text"], serde_json::Value::Null);
    assert_eq!(v[1]["operands"][0]["base"], "rdi");
    assert_eq!(v[1]["operands"][1]["segment"], "ds");
    let v = ok_json(
        &[
            "disasm",
            "--json",
            "--explain",
            "--ip",
            "0x1000",
            "eb",
            "fe",
        ],
        b"",
    );
    assert_eq!(v[0]["ip"], 0x1000);
    assert_eq!(v[0]["text"], "jmp $+0x0");
    assert_eq!(v[0]["fields"][1]["label"], "rel8");
    assert_eq!(v[0]["flow"], "branch");
    assert_eq!(
        v[0]["operands"],
        serde_json::json!([{"text": "$+0x0", "slot": "relative", "kind": "near_branch", "target": 0x1000,
            "displacement_bytes": 1}])
    );
}

#[test]
fn disasm_text_reassembles_through_the_cli() {
    let hex = "55 48 89 e5 48 83 ec 10 89 7d fc 8b 45 fc 03 c3 0f af c7 48 8d 05 10 00 00 00 \
               e8 00 00 00 00 74 02 eb fe c9 c3 66 0f 1f 44 00 00 f3 48 ab 64 48 8b 04 25 28 00 00 00";
    for bits in ["64", "32"] {
        let v = ok_json(
            &["disasm", "--json", "--bits", bits, "--ip", "0x401000", hex],
            b"",
        );
        let texts: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["text"].as_str().unwrap())
            .collect();
        let out = ok_text(
            &["asm", "--bits", bits, "--ip", "0x401000"],
            &(texts.join("\n") + "\n"),
        );
        let joined: Vec<&str> = out.lines().collect();
        let want = hex.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(joined.join(" "), want, "--bits {bits}: {texts:?}");
    }
}

#[test]
fn disasm_bad_input() {
    fails(&["disasm"], b"", "no bytes given");
    fails(&["disasm", "0g"], b"", "is not hex bytes");
    fails(&["disasm", "050"], b"", "odd number of hex digits");
    fails(&["disasm", "--bits", "128", "90"], b"", "not a CPU mode");
    let big = "90".repeat(17_500);
    fails(&["disasm", &big, &big, &big, &big], b"", "at most 65536");
    // "-" reads the hex from stdin.
    fails(
        &["disasm", "-"],
        "90 ".repeat(70_000).as_bytes(),
        "at most 65536",
    );
    let v = ok_json(&["disasm", "--json", "-"], b"05 00 02\n00 00\n");
    assert_eq!(v[0]["text"], "add eax, 0x200");
    // A truncated instruction is an entry, not a failure.
    let v = ok_json(&["disasm", "--json", "48 8b"], b"");
    assert_eq!(
        v[0]["error"],
        "the bytes end in the middle of an instruction"
    );
}
