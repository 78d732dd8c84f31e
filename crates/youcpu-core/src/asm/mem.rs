//! Constant expressions with registers in them (`[rax + rbx*4 - 8]`) folded into a linear
//! sum, and the sum turned into a memory operand the way GAS reads Intel syntax.

use super::error::AsmError;
use super::parse::Mem;
use super::regs;
use iced_x86::Register;

/// A sum `constant + Σ reg*coef + dollar*$` built while parsing an expression.
#[derive(Clone, Debug, Default)]
pub(super) struct Lin {
    pub(super) konst: i128,
    /// (register, coefficient, written with an explicit `*`).
    pub(super) regs: Vec<(Register, i128, bool)>,
    pub(super) dollar: i128,
}

/// Values beyond this magnitude are refused before they can overflow.
const VALUE_LIMIT: i128 = 1 << 66;

impl Lin {
    pub(super) fn is_const(&self) -> bool {
        self.regs.is_empty() && self.dollar == 0
    }
    fn check(self) -> Result<Self, AsmError> {
        if self.konst.abs() > VALUE_LIMIT
            || self.dollar.abs() > VALUE_LIMIT
            || self.regs.iter().any(|r| r.1.abs() > VALUE_LIMIT)
        {
            return Err(AsmError::Syntax(
                "a value in the expression is too large".into(),
            ));
        }
        Ok(self)
    }
    pub(super) fn add(mut self, other: Lin, sign: i128) -> Result<Self, AsmError> {
        self.konst += sign * other.konst;
        self.dollar += sign * other.dollar;
        for (r, c, s) in other.regs {
            self.regs.push((r, sign * c, s));
        }
        if self.regs.len() > 4 {
            return Err(AsmError::BadAddress("too many registers".into()));
        }
        self.check()
    }
    pub(super) fn mul(self, other: Lin) -> Result<Self, AsmError> {
        let (k, mut v) = if self.is_const() {
            (self.konst, other)
        } else if other.is_const() {
            (other.konst, self)
        } else {
            return Err(AsmError::BadAddress(
                "two registers multiplied together".into(),
            ));
        };
        v.konst *= k;
        v.dollar *= k;
        for r in &mut v.regs {
            r.1 *= k;
            r.2 = true;
        }
        v.check()
    }
}

/// Turns `[ ... ]` contents into base/index/scale/disp the way GAS does
/// (gas/config/tc-i386-intel.c i386_intel_simplify_register): a register written with `*` is
/// the index; otherwise the first is the base and the second the index, except that
/// esp/rsp can only be a base, so `[rax + rsp]` becomes base rsp, index rax.
pub(super) fn to_mem(v: Lin, seg: Option<Register>) -> Result<Mem, AsmError> {
    if v.dollar != 0 {
        return Err(AsmError::BadAddress(
            "\"$\" cannot be used in a memory operand".into(),
        ));
    }
    let mut base = None;
    let mut index: Option<(Register, i128)> = None;
    for &(r, coef, scaled) in &v.regs {
        let vector = r.is_xmm() || r.is_ymm() || r.is_zmm();
        if !regs::is_address_reg(r) && !vector {
            return Err(AsmError::BadAddress(format!(
                "{} cannot address memory",
                regs::name(r)
            )));
        }
        if coef <= 0 {
            return Err(AsmError::BadAddress(format!(
                "{} cannot be subtracted or scaled by {coef}",
                regs::name(r)
            )));
        }
        // A vector register can only be a VSIB index (gathers: `[rax + xmm1*4]`).
        if !scaled && coef == 1 && base.is_none() && !vector {
            base = Some(r);
        } else if index.is_none() {
            index = Some((r, coef));
        } else {
            return Err(AsmError::BadAddress(
                "at most a base and an index register".into(),
            ));
        }
    }
    if let (Some(b), Some((i, 1))) = (base, index) {
        if matches!(i, Register::RSP | Register::ESP) && !v.regs.iter().any(|x| x.0 == i && x.2) {
            base = Some(i);
            index = Some((b, 1));
        }
    }
    // 16-bit addressing has no scale at all: GAS refuses even an explicit `*1`.
    if v.regs.iter().any(|x| x.2 && x.0.is_gpr16()) {
        return Err(AsmError::BadAddress(
            "16-bit addressing has no scaled index".into(),
        ));
    }
    // 16-bit addressing has base bx/bp and index si/di in either order ([si+bx] is [bx+si]).
    if let (Some(b @ (Register::SI | Register::DI)), Some((i @ (Register::BX | Register::BP), 1))) =
        (base, index)
    {
        base = Some(i);
        index = Some((b, 1));
    }
    let (index, scale) = match index {
        None => (None, 1),
        Some((r, s)) => {
            if !matches!(s, 1 | 2 | 4 | 8) {
                return Err(AsmError::BadAddress(format!(
                    "scale {s}: the scale must be 1, 2, 4 or 8"
                )));
            }
            if matches!(
                r,
                Register::RSP | Register::ESP | Register::SP | Register::RIP | Register::EIP
            ) {
                return Err(AsmError::BadAddress(format!(
                    "{} cannot be an index register",
                    regs::name(r)
                )));
            }
            (Some(r), s as u32)
        }
    };
    if let (Some(Register::RIP | Register::EIP), Some(_)) = (base, index) {
        return Err(AsmError::BadAddress(
            "rip-relative addressing takes no index register".into(),
        ));
    }
    let vsib = index.is_some_and(|r| r.is_xmm() || r.is_ymm() || r.is_zmm());
    let sizes: Vec<usize> = base
        .iter()
        .chain(index.iter().filter(|_| !vsib))
        .map(|r| addr_bits(*r))
        .collect();
    if sizes.windows(2).any(|w| w.first() != w.get(1)) {
        return Err(AsmError::BadAddress(
            "base and index registers must be the same size".into(),
        ));
    }
    Ok(Mem {
        seg,
        base,
        index,
        scale,
        disp: v.konst,
    })
}

/// The address size a base/index register implies: 16, 32 or 64.
pub fn addr_bits(r: Register) -> usize {
    if r.is_gpr16() {
        16
    } else if r.is_gpr32() || r == Register::EIP {
        32
    } else {
        64
    }
}
