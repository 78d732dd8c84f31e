//! Register names as GAS spells them in Intel syntax, mapped to iced-x86 registers.

use iced_x86::Register;
use std::collections::HashMap;
use std::sync::OnceLock;

fn table() -> &'static HashMap<String, Register> {
    static TABLE: OnceLock<HashMap<String, Register>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::new();
        for r in Register::values() {
            if r == Register::None {
                continue;
            }
            m.insert(name(r), r);
        }
        m.insert("st".into(), Register::ST0);
        m
    })
}

/// The register called `name` (lowercase), if any. `st(i)` is handled by the operand parser.
pub fn lookup(name: &str) -> Option<Register> {
    table().get(name).copied()
}

/// The name GAS gives `r` (lowercase). iced calls the low bytes of r8..r15 "r8l"; GAS only
/// knows "r8b" (gas/config/tc-i386.c reg table, opcodes/i386-reg.tbl).
pub fn name(r: Register) -> String {
    let n = format!("{r:?}").to_ascii_lowercase();
    match n.strip_suffix('l') {
        Some(stem)
            if stem
                .strip_prefix('r')
                .is_some_and(|n| n.parse::<u8>().is_ok()) =>
        {
            format!("{stem}b")
        }
        _ => n,
    }
}

/// True for the registers a memory operand may use as base or index.
pub fn is_address_reg(r: Register) -> bool {
    r.is_gpr16() || r.is_gpr32() || r.is_gpr64() || matches!(r, Register::RIP | Register::EIP)
}
