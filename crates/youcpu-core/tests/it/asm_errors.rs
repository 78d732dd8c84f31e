//! The assembler and disassembler on bad, odd and hostile input: every line gives bytes or a
//! one-line error value, never a panic, and in bounded time. Plus properties that tie the two
//! together: whatever we assemble decodes back to one instruction of the same length, and
//! whatever we decode re-assembles to the same bytes.

use proptest::prelude::*;
use std::time::{Duration, Instant};
use youcpu_core::asm::{
    assemble, assemble_lines, disassemble, disassemble_one, parse_hex, AsmError, Bitness,
    DecodedItem, DisasmError, MAX_LINE_LEN,
};

fn err(line: &str, bits: Bitness) -> AsmError {
    match assemble(line, bits, 0) {
        Ok(a) => panic!("{line:?} assembled to {:02x?}, expected an error", a.bytes),
        Err(e) => e,
    }
}

fn bytes(line: &str, bits: Bitness) -> Vec<u8> {
    match assemble(line, bits, 0) {
        Ok(a) => a.bytes,
        Err(e) => panic!("{line:?}: {e}"),
    }
}

#[test]
fn messages_say_what_is_wrong() {
    use Bitness::*;
    let cases: &[(&str, Bitness, &str)] = &[
        ("frob eax", B64, "unknown mnemonic \"frob\""),
        ("add eax", B64, "\"add\" takes 2 operand(s), not 1"),
        ("add eax, ebx, ecx", B64, "takes 2 operand(s), not 3"),
        (
            "mov eax, 0x1ffffffff",
            B64,
            "0x1ffffffff does not fit in 32 bits",
        ),
        ("add al, 256", B64, "0x100 does not fit in 8 bits"),
        ("add al, -129", B64, "-0x81 does not fit in 8 bits"),
        (
            "add rax, 0x80000000",
            B64,
            "0x80000000 does not fit in a sign-extended 32-bit immediate",
        ),
        ("add [rax], 1", B64, "ambiguous operand size for \"add\""),
        ("inc [rax]", B64, "ambiguous operand size"),
        ("mov eax, [rax*3]", B64, "the scale must be 1, 2, 4 or 8"),
        ("mov eax, [rsp*2]", B64, "rsp cannot be an index register"),
        ("mov eax, [rax+rbx+rcx]", B64, "at most a base and an index"),
        ("mov eax, [rax+ebx]", B64, "the same size"),
        (
            "mov eax, [rax+0x80000000]",
            B64,
            "out of range of a signed 32-bit displacement",
        ),
        ("mov ah, r8b", B64, "REX prefix"),
        ("mov eax, xmm0", B64, "invalid operands for \"mov\""),
        ("push eax", B64, "invalid operands for \"push\""),
        ("pusha", B64, "does not exist in 64-bit mode"),
        ("add eax, 0ffh", B64, "no h suffix"),
        ("add eax, 10h", B64, "write 0x10"),
        ("mov eax, 1; nop", B64, "one instruction per line"),
        ("mov eax, dword [rax]", B64, "write \"dword ptr\""),
        ("mov eax, foo", B64, "\"foo\" is not a register"),
        ("add eax, 99999999999999999999999", B64, "more than 64 bits"),
        ("mov eax, [rip+rax]", B64, "no index register"),
        ("mov eax, [rip]", B32, "only in 64-bit mode"),
        ("lock add eax, 1", B64, "lock needs a memory destination"),
        ("rep add eax, ebx", B64, "cannot take a rep prefix"),
        ("mov cs, ax", B64, "#UD"),
        ("sysret", B64, "ambiguous operand size"),
        ("jmp $+0x100000000", B64, "out of reach"),
        ("loop $+0x1000", B64, "out of reach"),
        ("{frob} add eax, 1", B64, "unknown pseudo-prefix"),
        ("lock", B64, "a prefix with no instruction"),
        (".word 5", B64, "only .byte"),
        (".byte 256", B64, "0x100 does not fit in 8 bits"),
        ("mov eax, ünïcode", B64, "unexpected character 'ü'"),
        ("mov eax, st(9)", B64, "st(i) needs i from 0 to 7"),
        ("add eax, 1 2", B64, "expected \",\" or the end of the line"),
        (
            "add eax,",
            B64,
            "expected a value before the end of the line",
        ),
        ("mov eax, [rax", B64, "expected \"]\""),
        ("mov eax, [rax*rbx]", B64, "two registers multiplied"),
        (
            "mov eax, [$]",
            B64,
            "\"$\" cannot be used in a memory operand",
        ),
        ("mov eax, rbx+1", B64, "needs brackets"),
    ];
    let mut bad = Vec::new();
    for (line, bits, want) in cases {
        let e = err(line, *bits).to_string();
        if !e.contains(want) || e.contains('\n') {
            bad.push(format!("{line:?}: got {e:?}, want it to contain {want:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn empty_and_comment_lines_hold_no_instruction() {
    for l in ["", "   ", "\t", "# a comment", "   # indented comment"] {
        assert_eq!(err(l, Bitness::B64), AsmError::Empty, "{l:?}");
    }
}

#[test]
fn long_lines_are_refused_quickly() {
    let start = Instant::now();
    let huge = format!("add eax, {}", "1".repeat(100_000));
    assert_eq!(err(&huge, Bitness::B64), AsmError::LineTooLong(huge.len()));
    // Just under the limit: still bounded (refused for its content, not its length).
    let nested = format!("add eax, {}1{}", "(".repeat(2000), ")".repeat(2000));
    assert!(nested.len() <= MAX_LINE_LEN);
    assert!(err(&nested, Bitness::B64)
        .to_string()
        .contains("nested more than"));
    let minus = format!("add eax, {}1", "-".repeat(4000));
    assert!(assemble(&minus, Bitness::B64, 0).is_err());
    let plus = format!("add eax, {}", vec!["1"; 2000].join("+"));
    assert!(plus.len() <= MAX_LINE_LEN);
    assert_eq!(
        bytes(&plus, Bitness::B64),
        vec![0x05, 0xd0, 0x07, 0x00, 0x00]
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn expressions_and_spellings() {
    use Bitness::B64;
    // Constant arithmetic and GAS number forms (octal after a leading 0, 0b binary, 'c').
    assert_eq!(bytes("add eax, (1+2)*3", B64), bytes("add eax, 9", B64));
    assert_eq!(bytes("add eax, 010", B64), bytes("add eax, 8", B64));
    assert_eq!(bytes("add eax, 0b101", B64), bytes("add eax, 5", B64));
    assert_eq!(bytes("mov eax, 'a'", B64), bytes("mov eax, 97", B64));
    assert_eq!(
        bytes("MOV EAX, DWORD PTR [RAX+0X10]", B64),
        bytes("mov eax, dword ptr [rax+16]", B64)
    );
    assert_eq!(bytes("mov eax,[rax]", B64), bytes("mov eax, [rax]", B64));
    assert_eq!(
        bytes("mov eax, [rax][rbx]", B64),
        bytes("mov eax, [rax+rbx]", B64)
    );
    assert_eq!(
        bytes("mov eax, [rax]+8", B64),
        bytes("mov eax, [rax+8]", B64)
    );
    assert_eq!(bytes("jz $+2", B64), bytes("je $+2", B64));
    assert_eq!(bytes("sal eax, 1", B64), bytes("shl eax, 1", B64));
    // The worked examples of the article.
    assert_eq!(
        bytes("add eax, 512", B64),
        vec![0x05, 0x00, 0x02, 0x00, 0x00]
    );
    assert_eq!(
        bytes("add ebx, 128", B64),
        vec![0x81, 0xc3, 0x80, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        bytes("mov rax, 0x80000000", B64),
        vec![0x48, 0xb8, 0, 0, 0, 0x80, 0, 0, 0, 0]
    );
}

#[test]
fn branches_are_relative_to_ip() {
    let at = |line: &str, ip: u64| assemble(line, Bitness::B64, ip).map(|a| a.bytes);
    assert_eq!(
        at("jmp 0x1000", 0x1000).ok(),
        Some(vec![0xe9, 0xfb, 0xff, 0xff, 0xff])
    );
    assert_eq!(at("jmp $", 0x1000).ok(), Some(vec![0xeb, 0xfe]));
    assert_eq!(
        at("call 0x2000", 0x1000).ok(),
        Some(vec![0xe8, 0xfb, 0x0f, 0x00, 0x00])
    );
    assert_eq!(
        at("mov eax, [rip+0x10]", 0x1234).ok(),
        Some(vec![0x8b, 0x05, 0x10, 0, 0, 0])
    );
    // 16-bit branches wrap at 64 KiB.
    let b = assemble("jmp 0x0", Bitness::B16, 0xfff0)
        .map(|a| a.bytes)
        .ok();
    assert_eq!(b, Some(vec![0xe9, 0x0d, 0x00]));
}

#[test]
fn listings_place_each_line_after_the_previous() {
    let src = "push rbp\nmov rbp, rsp\n\n# body\nfrob\njmp $\ncall 0x1000\nret";
    let lines = assemble_lines(src, Bitness::B64, 0x1000);
    assert_eq!(lines.len(), 8);
    let ips: Vec<u64> = lines.iter().map(|l| l.ip).collect();
    assert_eq!(
        ips,
        [0x1000, 0x1001, 0x1004, 0x1004, 0x1004, 0x1004, 0x1006, 0x100b]
    );
    assert!(matches!(
        &lines[4].result,
        Err(AsmError::UnknownMnemonic(_))
    ));
    assert!(lines[2].result.as_ref().is_ok_and(|a| a.bytes.is_empty()));
    // Each line gives what assembling it alone at its address gives.
    for l in &lines {
        if let (Ok(a), Ok(b)) = (&l.result, assemble(&l.source, Bitness::B64, l.ip)) {
            assert_eq!(a.bytes, b.bytes, "{:?}", l.source);
        }
    }
    let json = serde_json::to_value(&lines).expect("serialize");
    assert_eq!(json[4]["result"]["error"], "unknown mnemonic \"frob\"");
    assert_eq!(json[0]["result"]["ok"]["bytes"], serde_json::json!([0x55]));
}

#[test]
fn hex_input() {
    assert_eq!(parse_hex("05 00 02 00 00").ok(), Some(vec![5, 0, 2, 0, 0]));
    assert_eq!(parse_hex("0500020000").ok(), Some(vec![5, 0, 2, 0, 0]));
    assert_eq!(parse_hex("0x05,0x00 \\x02").ok(), Some(vec![5, 0, 2]));
    assert!(matches!(parse_hex("0g"), Err(DisasmError::BadHex(_))));
    assert!(matches!(parse_hex("050"), Err(DisasmError::BadHex(_))));
    assert!(matches!(
        parse_hex(&"00".repeat(70_000)),
        Err(DisasmError::TooManyBytes(_))
    ));
    assert_eq!(parse_hex("").ok(), Some(vec![]));
}

#[test]
fn undecodable_bytes_are_reported_per_position() {
    // 06 is invalid in 64-bit mode; 0f alone is truncated.
    let items = disassemble(&[0x06, 0x90, 0x0f], Bitness::B64, 0x10).expect("decode");
    assert_eq!(items.len(), 3);
    assert!(matches!(
        &items[0],
        DecodedItem::Bad {
            ip: 0x10,
            error: DisasmError::Invalid,
            ..
        }
    ));
    assert!(matches!(&items[1], DecodedItem::Insn(d) if d.text == "nop" && d.ip == 0x11));
    assert!(matches!(
        &items[2],
        DecodedItem::Bad {
            ip: 0x12,
            error: DisasmError::Truncated,
            ..
        }
    ));
    assert!(disassemble(&vec![0x90; 70_000], Bitness::B64, 0).is_err());
}

#[test]
fn breakdown_covers_every_byte() {
    let d = disassemble_one(
        &[0x66, 0x41, 0x81, 0x44, 0x8b, 0x7f, 0x34, 0x12],
        Bitness::B64,
        0,
    )
    .expect("decode");
    let kinds: Vec<String> = d.fields.iter().map(|f| f.label.clone()).collect();
    assert_eq!(
        kinds,
        ["o16", "REX", "opcode", "ModRM", "SIB", "disp8", "imm16"]
    );
    let mut next = 0;
    for f in &d.fields {
        assert_eq!(f.start, next);
        next += f.len;
    }
    assert_eq!(next, d.len);
}

fn asmish() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "add",
        "mov",
        "lea",
        "push",
        "pop",
        "xchg",
        "test",
        "imul",
        "shl",
        "jmp",
        "call",
        "movzx",
        "lock",
        "rep",
        "movq",
        "pxor",
        "nop",
        "int",
        "ret",
        "eax",
        "rax",
        "al",
        "ah",
        "r8b",
        "r12",
        "rsp",
        "rbp",
        "r13",
        "rip",
        "xmm0",
        "fs",
        "cs",
        "dword",
        "byte",
        "ptr",
        "[",
        "]",
        "+",
        "-",
        "*",
        ",",
        ",",
        ":",
        "(",
        ")",
        "$",
        "1",
        "2",
        "8",
        "0x7f",
        "0x80",
        "-129",
        "0xffffffff",
        "0x80000000",
        "{load}",
        "st(1)",
        "'",
        "#",
        "\u{e9}",
    ]);
    prop::collection::vec(words, 0..12).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Any line: no panic; assembled bytes decode to exactly one instruction of that length.
    #[test]
    fn assembled_bytes_decode_back(line in asmish(), bits in prop::sample::select(vec![16u64, 32, 64]), ip in 0u64..0x10000) {
        let bits = Bitness::from_bits(bits).expect("mode");
        if let Ok(a) = assemble(&line, bits, ip) {
            prop_assert!(!a.bytes.is_empty() && a.bytes.len() <= 15, "{line:?}");
            let d = disassemble_one(&a.bytes, bits, ip).map_err(|e| TestCaseError::fail(format!("{line:?}: {e}")))?;
            prop_assert_eq!(d.len, a.bytes.len(), "{:?}", line);
        }
    }

    /// Arbitrary text (any Unicode, any length up to a few hundred characters): a value or an
    /// error, never a panic; an error is one line.
    #[test]
    fn arbitrary_text_never_panics(line in ".{0,300}", bits in prop::sample::select(vec![16u64, 32, 64])) {
        let bits = Bitness::from_bits(bits).expect("mode");
        if let Err(e) = assemble(&line, bits, 0) {
            prop_assert!(!e.to_string().contains('\n'));
        }
        let _ = parse_hex(&line);
    }

    /// Any bytes: no panic; every decoded instruction's text re-assembles to its bytes, and the
    /// items cover the input exactly.
    #[test]
    fn decoded_text_reassembles(data in prop::collection::vec(any::<u8>(), 0..64), bits in prop::sample::select(vec![16u64, 32, 64])) {
        let bits = Bitness::from_bits(bits).expect("mode");
        let items = disassemble(&data, bits, 0x1000).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut covered = 0;
        for it in &items {
            match it {
                DecodedItem::Insn(d) => {
                    let a = assemble(&d.text, bits, d.ip).map_err(|e| TestCaseError::fail(format!("{:?}: {e}", d.text)))?;
                    prop_assert_eq!(&a.bytes, &d.bytes, "{:?}", d.text);
                    // The breakdown covers the instruction exactly, field after field.
                    let mut next = 0;
                    for f in &d.fields {
                        prop_assert_eq!(f.start, next, "{:?}", d.text);
                        prop_assert!(f.len > 0);
                        next += f.len;
                    }
                    prop_assert_eq!(next, d.len, "{:?}", d.text);
                    covered += d.len;
                }
                DecodedItem::Bad { bytes, .. } => covered += bytes.len(),
            }
        }
        prop_assert_eq!(covered, data.len());
    }
}
