//! Names with an operand-size suffix for the oracle lists.

#[allow(unused_imports)]
use super::*;

/// Names whose operand size is a suffix, as objdump prints them and GAS accepts them.
pub fn sized_names(bits: u32) -> Vec<String> {
    let m = match bits {
        64 => "[rax]",
        32 => "[eax]",
        _ => "[bx]",
    };
    let mut v: Vec<String> = [
        "iret",
        "iretw",
        "iretd",
        "sysretd",
        "sysexitd",
        "pushw 1",
        "pushw 0x1234",
        "pushd 1",
        "pushw fs",
        "popw fs",
        "pushd fs",
        "popd gs",
        "retw",
        "retw 8",
        "retd",
        "retf",
        "retfw",
        "retfd",
        "retfd 8",
        "leavew",
        "leaved",
        "enterw 1, 0",
        "enterd 8, 1",
        "pushfw",
        "popfw",
        "pushfd",
        "popfd",
        "xlat",
        "fwait",
        "nop",
        "xchg ax, ax",
        "xchg eax, eax",
        "nop",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // String instructions as objdump prints them.
    let (di, si) = match bits {
        64 => ("rdi", "rsi"),
        32 => ("edi", "esi"),
        _ => ("di", "si"),
    };
    for (size, acc) in [
        ("byte", "al"),
        ("word", "ax"),
        ("dword", "eax"),
        ("qword", "rax"),
    ] {
        if acc == "rax" && bits != 64 {
            continue;
        }
        for s in [
            format!("movs {size} ptr es:[{di}], {size} ptr ds:[{si}]"),
            format!("movs {size} ptr [{di}], {size} ptr [{si}]"),
            format!("rep movs {size} ptr es:[{di}], {size} ptr ds:[{si}]"),
            format!("cmps {size} ptr ds:[{si}], {size} ptr es:[{di}]"),
            format!("repz cmps {size} ptr [{si}], {size} ptr es:[{di}]"),
            format!("scas {acc}, {size} ptr es:[{di}]"),
            format!("lods {acc}, {size} ptr ds:[{si}]"),
            format!("stos {size} ptr es:[{di}], {acc}"),
            format!("rep stos {size} ptr [{di}], {acc}"),
            format!("ins {size} ptr es:[{di}], dx"),
            format!("outs dx, {size} ptr ds:[{si}]"),
            format!("lods {acc}, [{si}]"),
        ] {
            v.push(s);
        }
    }
    for s in ["movs [rdi], [rsi]", "movs", "lods"] {
        v.push(s.to_string());
    }
    for op in [
        "fnsave", "fnstenv", "frstor", "fldenv", "lgdt", "sgdt", "lidt", "sidt",
    ] {
        v.push(format!("{op}w {m}"));
        v.push(format!("{op}d {m}"));
        v.push(format!("{op} {m}"));
    }
    for s in [
        "xstore-rng",
        "xstorerng",
        "xcryptecb",
        "xcrypt-ofb",
        "getsec",
    ] {
        v.push(s.to_string());
    }
    if bits == 64 {
        for s in [
            "iretq",
            "sysretq",
            "sysexitq",
            "retfq",
            "pushfq",
            "popfq",
            "movabs rax, 1",
            "movabs rax, -1",
            "movabs eax, ds:0x1000",
            "movabs al, ds:0x1122334455667788",
            "movabs ds:0x10, rax",
            "movabs ax, [0x10]",
            "pcmpestriq xmm0, xmm1, 1",
            "pcmpestrmq xmm8, xmm0, 0xbb",
            "pcmpestri xmm0, xmm1, 1",
        ] {
            v.push(s.to_string());
        }
    } else {
        for s in ["pushaw", "popaw", "pushad", "popad", "pusha", "popa"] {
            v.push(s.to_string());
        }
    }
    v
}
