//! Whole programs built by our assembler and ELF writer (`asm::build_program`) from source,
//! then run three ways with the same results required: natively under ptrace single-step
//! (the kernel counts retired instructions), in our simulator, and — built from the same
//! source by GNU as and ld — natively again; linked by ld at our addresses, GNU's `.text` and
//! `.data` bytes must equal ours. readelf must accept our files without a warning.
//! Junk sources must give errors naming the line. Needs gcc and binutils.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

use harness::{native, sim, tmp, RunResult};
use std::path::PathBuf;
use std::process::Command;
use youcpu_core::asm::build_program;
use youcpu_core::asm::program::Section;
use youcpu_testkit::process::Run;

fn write_exe(name: &str, bytes: &[u8]) -> PathBuf {
    let p = tmp().join(name);
    youcpu_testkit::process::write(&p, bytes).unwrap();
    youcpu_testkit::process::chmod(&p, 0o755).unwrap();
    p
}

/// The same source through GNU as and ld.
fn gnu_build(name: &str, src: &str) -> PathBuf {
    let s = tmp().join(format!("{name}-gnu.s"));
    let o = tmp().join(format!("{name}-gnu.o"));
    let exe = tmp().join(format!("{name}-gnu"));
    youcpu_testkit::process::write(&s, format!(".intel_syntax noprefix\n{src}\n")).unwrap();
    let a = Command::new("as")
        .arg("-o")
        .arg(&o)
        .arg(&s)
        .run_output()
        .unwrap();
    assert!(
        a.status.success(),
        "{name}: as: {}",
        String::from_utf8_lossy(&a.stderr)
    );
    let l = Command::new("ld")
        .arg("-o")
        .arg(&exe)
        .arg(&o)
        .run_output()
        .unwrap();
    assert!(
        l.status.success(),
        "{name}: ld: {}",
        String::from_utf8_lossy(&l.stderr)
    );
    exe
}

fn readelf_clean(name: &str, exe: &PathBuf) {
    let out = Command::new("readelf")
        .args(["-a", "-W"])
        .arg(exe)
        .run_output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name}: readelf failed: {err}");
    assert!(err.is_empty(), "{name}: readelf warns: {err}");
    assert!(!text.to_lowercase().contains("warning"), "{name}: {text}");
    assert!(text.contains("EXEC (Executable file)"), "{name}: {text}");
}

/// The bytes of one section of a linked file (objcopy).
fn section_bytes(exe: &PathBuf, section: &str) -> Vec<u8> {
    let out = exe.with_extension(format!("{}.bin", section.trim_start_matches('.')));
    let st = Command::new("objcopy")
        .args(["-O", "binary", "--only-section", section])
        .arg(exe)
        .arg(&out)
        .run_status()
        .unwrap();
    assert!(st.success());
    std::fs::read(&out).unwrap_or_default()
}

/// GNU as + ld with the sections at our addresses give the same `.text` and `.data` bytes:
/// every encoding, label, rip-relative displacement and data value agrees.
fn same_bytes_as_gnu(name: &str, src: &str, p: &youcpu_core::asm::Program) {
    let s = tmp().join(format!("{name}-at.s"));
    let o = tmp().join(format!("{name}-at.o"));
    let exe = tmp().join(format!("{name}-at"));
    youcpu_testkit::process::write(&s, format!(".intel_syntax noprefix\n{src}\n")).unwrap();
    assert!(Command::new("as")
        .arg("-o")
        .arg(&o)
        .arg(&s)
        .run_status()
        .unwrap()
        .success());
    let l = Command::new("ld")
        .arg(format!("-Ttext={:#x}", p.layout.code_vaddr))
        .arg(format!("-Tdata={:#x}", p.layout.data_vaddr))
        .arg(format!("-Tbss={:#x}", p.layout.bss_vaddr))
        .arg("-o")
        .arg(&exe)
        .arg(&o)
        .run_output()
        .unwrap();
    assert!(
        l.status.success(),
        "{name}: ld: {}",
        String::from_utf8_lossy(&l.stderr)
    );
    let ours = &p.elf;
    let at = |off: u64, len: u64| ours[off as usize..(off + len) as usize].to_vec();
    assert_eq!(
        section_bytes(&exe, ".text"),
        at(p.layout.code_offset, p.text_size),
        "{name}: .text differs from GNU as"
    );
    assert_eq!(
        section_bytes(&exe, ".data"),
        at(p.layout.data_offset, p.data_size),
        "{name}: .data differs from GNU as"
    );
}

/// Builds `src`, checks the file, and runs it natively, in the simulator and as GNU-built.
fn check(name: &str, src: &str) -> RunResult {
    let p = build_program(src).unwrap_or_else(|e| panic!("{name}: {e}"));
    same_bytes_as_gnu(name, src, &p);
    let exe = write_exe(name, &p.elf);
    readelf_clean(name, &exe);
    let n = native(&exe, &[]);
    let s = sim(&exe, &[]);
    assert_eq!(
        String::from_utf8_lossy(&s.stdout),
        String::from_utf8_lossy(&n.stdout),
        "{name}: stdout differs (simulator vs native)"
    );
    assert_eq!(s.status, n.status, "{name}: exit status differs");
    assert_eq!(s.steps, n.steps, "{name}: retired instructions differ");
    let g = native(&gnu_build(name, src), &[]);
    assert_eq!(
        g.stdout, n.stdout,
        "{name}: stdout differs from the GNU-built file"
    );
    assert_eq!(
        g.status, n.status,
        "{name}: status differs from the GNU-built file"
    );
    assert_eq!(
        g.steps, n.steps,
        "{name}: steps differ from the GNU-built file"
    );
    n
}

const HELLO: &str = r#"
.data
msg:    .ascii "Hello, world!\n"
len = . - msg
.text
.globl _start
_start:
    mov eax, 1          # write(
    mov edi, 1          #   stdout,
    lea rsi, [rip + msg] #  msg,
    mov edx, len        #   len)
    syscall
    mov eax, 60         # exit(0)
    xor edi, edi
    syscall
"#;

#[test]
fn hello_world() {
    let r = check("hello", HELLO);
    assert_eq!(r.stdout, b"Hello, world!\n");
    assert_eq!((r.status, r.steps), (0, 8));
    let p = build_program(HELLO).unwrap();
    assert!(p.entry_is_start);
    assert_eq!(p.layout.segments, 2);
    assert_eq!(p.data_size, 14);
    let sym = |n: &str| p.symbols.iter().find(|s| s.name == n).unwrap().clone();
    assert_eq!(sym("msg").section, Some(Section::Data));
    assert_eq!(sym("len").value, 14);
    assert_eq!(sym("len").section, None);
    assert_eq!(sym("_start").value, p.entry);
}

#[test]
fn exit_statuses_0_to_255() {
    for code in [0u32, 1, 2, 42, 127, 128, 200, 254, 255] {
        let src = format!(".text\n_start:\n    mov edi, {code}\n    mov eax, 60\n    syscall\n");
        let r = check(&format!("exit{code}"), &src);
        assert_eq!(u32::from(r.status), code);
    }
}

#[test]
fn entry_without_start_is_the_first_instruction() {
    let r = check("nostart", "mov eax, 60\nmov edi, 9\nsyscall\n");
    assert_eq!(r.status, 9);
    // _start later in .text: the bytes before it never run.
    let r = check(
        "latestart",
        ".globl _start\nud2\n_start: mov eax, 60\nmov edi, 8\nsyscall\n",
    );
    assert_eq!(r.status, 8);
}

#[test]
fn backward_loop_fills_bss_then_writes() {
    let src = r#"
.bss
buf: .zero 16
.text
_start:
    xor ecx, ecx
again:
    lea eax, [rcx + '0']
    mov byte ptr [buf + rcx], al
    inc ecx
    cmp ecx, 10
    jne again
    mov byte ptr [buf + 10], 10
    mov eax, 1
    mov edi, 1
    mov esi, offset buf
    mov edx, 11
    syscall
    mov eax, 60
    xor edi, edi
    syscall
"#;
    assert_eq!(check("digits", src).stdout, b"0123456789\n");
    let p = build_program(src).unwrap();
    assert_eq!((p.data_size, p.bss_size), (0, 16));
}

#[test]
fn forward_jump_skips_a_crash() {
    let src =
        "_start:\n    jmp over\n    ud2\nover:\n    mov edi, 3\n    mov eax, 60\n    syscall\n";
    assert_eq!(check("forward", src).status, 3);
}

#[test]
fn several_writes_and_a_subroutine() {
    let src = r#"
.data
a: .ascii "one "
b: .ascii "two "
c: .asciz "three\n"
.text
_start:
    lea rsi, [rip + a]
    mov edx, 4
    call print
    lea rsi, [rip + b]
    mov edx, 4
    call print
    lea rsi, [rip + c]
    mov edx, 6
    call print
    mov eax, 60
    mov edi, 0
    syscall
print:                  # write(1, rsi, rdx)
    mov eax, 1
    mov edi, 1
    syscall
    ret
"#;
    assert_eq!(check("writes", src).stdout, b"one two three\n");
}

#[test]
fn quad_table_sum_and_pointers() {
    let src = r#"
.data
table: .quad 10, 20, 30, 0x40
count = (. - table) / 8
pmsg:  .quad msg
msg:   .string "ok\n"
.text
_start:
    xor eax, eax
    xor ecx, ecx
sum:
    add rax, qword ptr [table + rcx*8]
    inc rcx
    cmp rcx, 4
    jb sum
    push rax
    mov rsi, pmsg           # a bare address is memory, as in GNU as: rsi = *ptr = msg
    mov eax, 1
    mov edi, 1
    mov edx, 3
    syscall
    pop rdi                 # 10 + 20 + 30 + 64 = 124
    mov eax, 60
    syscall
"#;
    // `/` is not supported: the line names it.
    let e = build_program(src).unwrap_err();
    assert_eq!(e.errors[0].line, 4, "{e}");
    let src = src.replace("count = (. - table) / 8", "count = 4");
    let r = check("table", &src);
    assert_eq!((r.stdout.as_slice(), r.status), (&b"ok\n"[..], 124));
}

#[test]
fn sizes_of_data_and_alignment() {
    let src = r#"
.data
b1: .byte 1, 2, -1
.balign 4
w:  .word 0x1234, -2
.p2align 3
l:  .long 100000
q:  .quad -1
    .skip 3, 0x41
    .ascii "\n"
.text
_start:
    movzx eax, byte ptr [b1 + 2]      # 255
    movzx ecx, word ptr [w]           # 0x1234
    add eax, ecx
    add eax, dword ptr [l]
    add rax, qword ptr [q]            # - 1
    mov rdi, rax
    and edi, 0xff
    push rdi
    mov eax, 1
    mov edi, 1
    lea rsi, [rip + q + 8]
    mov edx, 4
    syscall
    pop rdi
    mov eax, 60
    syscall
"#;
    let r = check("sizes", src);
    assert_eq!(r.stdout, b"AAA\n");
    assert_eq!(u32::from(r.status), (255 + 0x1234 + 100000 - 1) & 0xff);
    let p = build_program(src).unwrap();
    let addr = |n: &str| p.symbols.iter().find(|s| s.name == n).unwrap().value;
    assert_eq!(addr("w") % 4, 0);
    assert_eq!(addr("l") % 8, 0);
}

#[test]
fn big_bss_and_a_long_loop() {
    let src = r#"
.bss
big: .skip 200000
end:
.text
_start:
    mov ecx, 50000
fill:
    mov byte ptr [big + rcx*4 - 1], cl
    loop fill
    movzx edi, byte ptr [end - 1]     # 50000 & 0xff = 0x50
    mov eax, 60
    syscall
"#;
    let r = check("bigbss", src);
    assert_eq!(r.status, 0x50);
    assert!(r.steps > 100_000);
}

#[test]
fn reverse_a_string_in_place() {
    let src = r#"
.data
s: .ascii "stressed"
n = . - s
nl: .byte 10
.text
_start:
    lea rsi, [rip + s]
    lea rdi, [rsi + n - 1]
swap:
    cmp rsi, rdi
    jae done
    mov al, byte ptr [rsi]
    mov bl, byte ptr [rdi]
    mov byte ptr [rsi], bl
    mov byte ptr [rdi], al
    inc rsi
    dec rdi
    jmp swap
done:
    mov eax, 1
    mov edi, 1
    lea rsi, [rip + s]
    mov edx, n + 1
    syscall
    mov eax, 60
    xor edi, edi
    syscall
"#;
    assert_eq!(check("reverse", src).stdout, b"desserts\n");
}

#[test]
fn print_a_number_in_decimal() {
    let src = r#"
.equ VALUE, 9876543210
.bss
out: .zero 32
.text
_start:
    mov rax, VALUE
    lea rdi, [rip + out + 31]
    mov byte ptr [rdi], 10
    mov ecx, 10
digit:
    xor edx, edx
    div rcx
    add dl, '0'
    dec rdi
    mov byte ptr [rdi], dl
    test rax, rax
    jnz digit
    lea rdx, [rip + out + 32]
    sub rdx, rdi
    mov rsi, rdi
    mov edi, 1
    mov eax, 1
    syscall
    mov eax, 60
    xor edi, edi
    syscall
"#;
    assert_eq!(check("decimal", src).stdout, b"9876543210\n");
}

#[test]
fn strlen_of_an_asciz_and_far_jumps() {
    // A jump over more than 127 bytes takes the rel32 form; the passes settle on it.
    let src = format!(
        r#"
.data
msg: .asciz "counted\n"
.text
_start:
    lea rsi, [rip + msg]
    xor edx, edx
count:
    cmp byte ptr [rsi + rdx], 0
    je found
    inc rdx
    jmp count
found:
    jmp far_away
{}
far_away:
    mov eax, 1
    mov edi, 1
    syscall
    mov eax, 60
    mov edi, 7
    syscall
"#,
        "    nop\n".repeat(300)
    );
    let r = check("strlen", &src);
    assert_eq!((r.stdout.as_slice(), r.status), (&b"counted\n"[..], 7));
    assert!(build_program(&src).unwrap().passes >= 2);
}

#[test]
fn a_segfault_is_the_same_everywhere() {
    // Writing to .text (r-x) kills the process with SIGSEGV: status 128 + 11.
    let r = check(
        "segv",
        "_start:\n    mov byte ptr [_start], 0\n    mov eax, 60\n    syscall\n",
    );
    assert_eq!(r.status, 139);
}

#[test]
fn junk_gives_line_numbered_errors() {
    let cases: &[(&str, usize, &str)] = &[
        ("mov eax, 1\nmvo eax, 2\nsyscall", 2, "mvo"),
        ("_start:\n  jmp nowhere\n", 2, "nowhere is not defined"),
        ("a:\na:\nnop", 2, "already defined on line 1"),
        (".data\nx: .byte 300\n.text\nnop", 2, "300"),
        (".data\nnop\n", 2, "instructions belong in .text"),
        (".bss\n.byte 1\n.text\nnop", 2, ".bss"),
        ("mov edx, len\nlen = 5\n", 1, "defined later"),
        (".frobnicate\nnop", 1, "not supported"),
        (".data\nx: .ascii \"open\n.text\nnop", 2, "closing quote"),
        ("nop\n.section .rodata\n", 2, ".rodata"),
        ("nop\nrax: nop", 2, "register"),
        ("ptr: nop", 1, "keyword"),
        (".data\n.long msg\nmsg: .byte 1\n.text\nnop", 2, ".quad"),
        (".data\n_start: .byte 1\n.text\nnop", 2, "_start"),
        (".data\nx: .byte 1\n", 0, "no instructions"),
        ("", 0, "no instructions"),
        ("nop\n.balign 3", 2, "power of two"),
        ("nop\n.bss\n.zero 99999999999", 3, "from 0 to"),
        ("mov eax, [rip + 1 +]\n", 1, ""),
        ("add eax, 1 ; nop", 1, "separates statements"),
        ("\u{0}\u{1}", 1, ""),
        ("mov rax, rbx + msg\nmsg: nop", 1, "brackets"),
    ];
    for (src, line, want) in cases {
        let e = build_program(src).expect_err(src);
        let first = &e.errors[0];
        assert_eq!(first.line, *line, "{src:?}: {e}");
        assert!(first.message.contains(want), "{src:?}: {e}");
        if *line > 0 {
            assert!(e.to_string().starts_with(&format!("line {line}: ")), "{e}");
        }
    }
    // Every error is reported, each with its line.
    let e = build_program("bad1\nnop\nbad2 eax\n").unwrap_err();
    let lines: Vec<usize> = e.errors.iter().map(|x| x.line).collect();
    assert_eq!(lines, [1, 3]);
    assert!(e.to_string().contains("and 1 more error"));
    // Limits are named.
    let huge = "nop\n".repeat(70_000);
    assert!(build_program(&huge)
        .unwrap_err()
        .to_string()
        .contains("limit"));
    let many = "\n".repeat(20_000);
    assert!(build_program(&many)
        .unwrap_err()
        .to_string()
        .contains("10000"));
}

mod junk {
    use proptest::prelude::*;
    use youcpu_core::asm::build_program;
    use youcpu_core::linux::{Config, Linux, ProcessState};
    use youcpu_core::loader::stack::RANDOM_SEED;
    use youcpu_core::loader::ExecArgs;

    /// Lines built from the pieces programs are made of, in any order.
    fn programish() -> impl Strategy<Value = String> {
        let words = prop::sample::select(vec![
            "_start:",
            "a:",
            "b:",
            "a",
            "b",
            ".",
            "msg",
            "len",
            "=",
            ".data",
            ".text",
            ".bss",
            ".byte",
            ".word",
            ".long",
            ".quad",
            ".ascii",
            ".asciz",
            "\"hi\\n\"",
            "\"",
            ".zero",
            ".skip",
            ".balign",
            ".p2align",
            ".equ",
            ".set",
            ".globl",
            ".section",
            "mov",
            "jmp",
            "call",
            "loop",
            "lea",
            "eax",
            "rax",
            "rsi",
            "[rip",
            "+",
            "-",
            "*",
            "]",
            "[",
            ",",
            "offset",
            "qword",
            "ptr",
            "syscall",
            "ret",
            "nop",
            "1",
            "0x10",
            "-1",
            "4096",
            "0xffffffffffffffff",
            "'a'",
            "#",
            ";",
            "(",
            ")",
            "ü",
            "$",
        ]);
        let line = prop::collection::vec(words, 0..8).prop_map(|w| w.join(" "));
        prop::collection::vec(line, 0..12).prop_map(|l| l.join("\n"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        /// Any source: a program or errors, never a panic; every error names a line that
        /// exists (or 0 for the whole program) and is one line of text; a built program loads
        /// and runs in the simulator without crashing the machine.
        #[test]
        fn any_source_builds_or_names_lines(src in prop_oneof![programish(), ".{0,200}"]) {
            let n = src.lines().count();
            match build_program(&src) {
                Err(e) => {
                    prop_assert!(!e.errors.is_empty());
                    for x in &e.errors {
                        prop_assert!(x.line <= n, "{src:?}: {x}");
                        prop_assert!(!x.message.contains('\n'), "{x}");
                    }
                }
                Ok(p) => {
                    let mut l = Linux::new(&Config { memory_limit: 64 << 20, ..Config::default() })
                        .expect("boot");
                    let args = ExecArgs { argv: vec![b"p".to_vec()], envp: Vec::new(), execfn: b"p".to_vec(), uid: 0, gid: 0, random_seed: RANDOM_SEED };
                    l.exec(&p.elf, None, &args).map_err(|e| TestCaseError::fail(format!("{src:?}: {e}")))?;
                    l.run(10_000);
                    prop_assert!(!matches!(l.state, ProcessState::Crashed { .. }), "{src:?}: {:?}", l.state);
                }
            }
        }
    }
}
