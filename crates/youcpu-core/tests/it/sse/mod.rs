//! The operand tables and instruction forms of `cpu_sse_native.rs` (and `cpu_sse_unmasked.rs`),
//! and the end both give their generated programs.

pub mod forms;
pub mod tables;

use forms::Form;
use std::fmt::Write;
use tables::Input;

/// The end of a generated test program (GNU as, AT&T syntax): write the `out` buffer (a `rec`-byte
/// record for each row of each form's table) to standard output 1 MiB at a time and exit; then
/// `code`; the data: `mx_default` (MXCSR's reset value), `data`, and each table a form uses as
/// 48-byte input records; and `out`, with 64 spare bytes (a store form writes past its record,
/// the next one overwrites it).
pub fn program_tail(
    a: &mut String,
    tables: &[Vec<Input>],
    forms: &[&Form],
    rec: usize,
    code: &str,
    data: &str,
) {
    let total: usize = forms.iter().map(|f| tables[f.table].len()).sum();
    let _ = writeln!(
        a,
        "    ldmxcsr mx_default(%rip)\n    lea out(%rip), %r13\n    mov ${}, %r14\n2:\n    mov $1, %eax\n    mov $1, %edi\n    mov %r13, %rsi\n    mov %r14, %rdx\n    cmp $0x100000, %rdx\n    jbe 3f\n    mov $0x100000, %edx\n3:\n    syscall\n    test %rax, %rax\n    jle 4f\n    add %rax, %r13\n    sub %rax, %r14\n    jnz 2b\n4:\n    mov $60, %eax\n    xor %edi, %edi\n    syscall",
        total * rec
    );
    a.push_str(code);
    a.push_str(".data\n.balign 16\nmx_default: .long 0x1f80\n");
    a.push_str(data);
    for (t, rows) in tables.iter().enumerate() {
        if !forms.iter().any(|f| f.table == t) {
            continue;
        }
        let _ = writeln!(a, ".balign 16\ntable{t}:");
        for r in rows {
            let _ = writeln!(
                a,
                "    .long {:#x}, 0, 0, 0\n    .quad {:#x}, {:#x}, {:#x}, {:#x}",
                r.mxcsr,
                r.a as u64,
                (r.a >> 64) as u64,
                r.b as u64,
                (r.b >> 64) as u64
            );
        }
    }
    let _ = writeln!(a, ".bss\n.balign 16\nout: .space {}", total * rec + 64);
}
