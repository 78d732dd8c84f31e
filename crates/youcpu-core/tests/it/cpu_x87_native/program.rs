//! The oracle program (every form over its table, an FNSAVE image per record) and the
//! recorded corpus it can write.

use super::tables::Input;
use super::REC;
use std::fmt::Write;

pub(super) fn program(tables: &[Vec<Input>], forms: &[(&str, usize)]) -> String {
    let mut a = String::from(".globl _start\n_start:\n    lea out(%rip), %rdi\n");
    let mut total = 0;
    for (k, (text, t)) in forms.iter().enumerate() {
        let n = tables[*t].len();
        total += n;
        let _ = writeln!(
            a,
            "# form {k}\n    lea table{t}(%rip), %rsi\n    mov ${n}, %r12d\n1:"
        );
        a.push_str("    fninit\n    fldcw 32(%rsi)\n    fldt 16(%rsi)\n    fldt (%rsi)\n    movabs $0x5a5a5a5a5a5a5a5a, %r8\n    mov %r8, 128(%rdi)\n    mov %r8, 136(%rdi)\n    xor %eax, %eax\n    pushq $0xad7\n    popfq\n");
        let _ = writeln!(a, "xform{k}_b:\n    {text}\nxform{k}_e:");
        a.push_str("    mov %ax, 116(%rdi)\n    pushfq\n    pop %rax\n    mov %rax, (%rdi)\n    fnsave 8(%rdi)\n    add $48, %rsi\n    add $144, %rdi\n    dec %r12d\n    jnz 1b\n");
    }
    let _ = writeln!(
        a,
        "    lea out(%rip), %r13\n    mov ${}, %r14\n2:\n    mov $1, %eax\n    mov $1, %edi\n    mov %r13, %rsi\n    mov %r14, %rdx\n    cmp $0x100000, %rdx\n    jbe 3f\n    mov $0x100000, %edx\n3:\n    syscall\n    test %rax, %rax\n    jle 4f\n    add %rax, %r13\n    sub %rax, %r14\n    jnz 2b\n4:\n    mov $60, %eax\n    xor %edi, %edi\n    syscall",
        total * REC
    );
    a.push_str(".data\n");
    for (t, rows) in tables.iter().enumerate() {
        if !forms.iter().any(|f| f.1 == t) {
            continue;
        }
        let _ = writeln!(a, ".balign 16\ntable{t}:");
        for r in rows {
            let _ = writeln!(
                a,
                "    .quad {:#x}\n    .short {:#x}, 0, 0, 0\n    .quad {:#x}\n    .short {:#x}, 0, 0, 0\n    .short {:#x}, 0, 0, 0\n    .quad {:#x}",
                r.a.1, r.a.0, r.b.1, r.b.0, r.cw, r.mem
            );
        }
    }
    let _ = writeln!(
        a,
        ".bss\n.balign 16\nscratch: .space 512\nout: .space {}",
        total * REC
    );
    a
}

/// The 48-byte input record as the program's table holds it.
pub(super) fn input_bytes(r: &Input) -> Vec<u8> {
    let mut v = Vec::with_capacity(48);
    v.extend_from_slice(&r.a.1.to_le_bytes());
    v.extend_from_slice(&r.a.0.to_le_bytes());
    v.extend_from_slice(&[0; 6]);
    v.extend_from_slice(&r.b.1.to_le_bytes());
    v.extend_from_slice(&r.b.0.to_le_bytes());
    v.extend_from_slice(&[0; 6]);
    v.extend_from_slice(&r.cw.to_le_bytes());
    v.extend_from_slice(&[0; 6]);
    v.extend_from_slice(&r.mem.to_le_bytes());
    v
}

pub(super) fn write_corpus(forms: &[Vec<u8>], records: &[(usize, Vec<u8>, Vec<u8>)]) {
    write_corpus_to("x87", forms, records);
}

/// Writes the corpus of `kind` (`x87`, `x87_transc`) recorded on this host.
pub(super) fn write_corpus_to(
    kind: &str,
    forms: &[Vec<u8>],
    records: &[(usize, Vec<u8>, Vec<u8>)],
) {
    assert!(records.iter().all(|r| r.2.len() == 126));
    crate::harness::write_corpus(b"YCX871", kind, forms, records);
}
