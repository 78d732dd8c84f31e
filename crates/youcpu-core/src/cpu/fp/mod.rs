//! The floating-point kernel: IEEE 754 binary32 and binary64 arithmetic on bit patterns, with
//! the x86 SSE rules the host's `f32`/`f64` cannot honour: the four rounding modes of
//! MXCSR.RC, DAZ (denormal inputs read as zero) and FTZ (tiny results flushed to zero), the six
//! sticky exception flags, tininess detected after rounding, the default NaN (negative quiet,
//! "QNaN floating-point indefinite") and the NaN propagation of Intel SDM vol. 1 §4.8.3.5 and
//! table 4-7 (the first source's NaN wins, signalling NaNs come out quieted).
//!
//! Every operation works on an unpacked value (sign, exponent, a 64-bit significand with its
//! leading one at bit 63) and ends in one rounding routine, [`round_pack`], that rounds a
//! 128-bit significand (sticky bits folded into bit 0) to the format's precision.
//!
//! Written here rather than taken from a crate: rustc_apfloat has no square root, no DAZ/FTZ or
//! denormal-operand flag and follows LLVM's NaN rules; Berkeley SoftFloat is C (a C toolchain in
//! the wasm build); simple-soft-float computes with big integers. This kernel is checked bit
//! for bit against the CPU by `tests/it/cpu_sse_native.rs`.

pub mod approx;
pub mod big;
pub mod convert;
pub mod ext;
pub mod ops;
pub mod transc;

/// MXCSR / exception flag bits (Intel SDM vol. 1 §10.2.3): the same order in the flags (bits
/// 0-5) and, shifted by 7, the masks.
pub mod flag {
    /// Invalid operation.
    pub const IE: u32 = 1 << 0;
    /// Denormal operand.
    pub const DE: u32 = 1 << 1;
    /// Divide by zero.
    pub const ZE: u32 = 1 << 2;
    /// Overflow.
    pub const OE: u32 = 1 << 3;
    /// Underflow.
    pub const UE: u32 = 1 << 4;
    /// Precision (inexact result).
    pub const PE: u32 = 1 << 5;
    /// All six.
    pub const ALL: u32 = 0x3f;
}

/// MXCSR control bits.
pub mod mxcsr {
    /// Denormals are zeros (inputs).
    pub const DAZ: u32 = 1 << 6;
    /// First mask bit (IM); the six masks are bits 7-12.
    pub const MASK_SHIFT: u32 = 7;
    /// Rounding control, bits 13-14.
    pub const RC_SHIFT: u32 = 13;
    /// Flush to zero (results).
    pub const FTZ: u32 = 1 << 15;
    /// The bits LDMXCSR accepts on the Intel core; others raise #GP(0) (MXCSR_MASK of FXSAVE
    /// is 0xffff).
    pub const WRITABLE: u32 = 0xffff;
    /// Misaligned SSE mode (AMD only, CPUID Fn8000_0001_ECX bit 7 MisAlignSse; AMD APM vol. 1
    /// §4.5.2 "Misaligned SSE mode"): legacy SSE instructions other than the explicitly aligned
    /// moves accept misaligned 16-byte memory operands.
    pub const MM: u32 = 1 << 17;

    /// The bits LDMXCSR, FXRSTOR and sigreturn accept on `vendor`'s core, also the MXCSR_MASK
    /// that FXSAVE stores: an AMD EPYC stores 0x0002ffff and accepts MM (bit 17).
    pub fn writable(vendor: crate::cpu::vendor::Vendor) -> u32 {
        match vendor {
            crate::cpu::vendor::Vendor::Intel => WRITABLE,
            crate::cpu::vendor::Vendor::Amd => WRITABLE | MM,
        }
    }
}

/// A rounding mode (MXCSR.RC; x87 FCW.RC uses the same encoding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rc {
    /// Round to nearest, ties to even (00).
    Nearest,
    /// Toward negative infinity (01).
    Down,
    /// Toward positive infinity (10).
    Up,
    /// Toward zero, truncate (11).
    Zero,
}

impl Rc {
    /// From the two-bit field.
    pub fn from_bits(b: u32) -> Rc {
        match b & 3 {
            0 => Rc::Nearest,
            1 => Rc::Down,
            2 => Rc::Up,
            _ => Rc::Zero,
        }
    }

    /// Whether an overflowing result of this sign becomes an infinity (else the largest
    /// finite value of that sign), IEEE 754-2008 §7.4 and Intel SDM vol. 1 §4.9.1.4, table
    /// 4-10: to nearest, always; toward -inf, only negative results; toward +inf, only
    /// positive ones; toward zero, never.
    #[inline]
    pub fn overflows_to_infinity(self, sign: bool) -> bool {
        match self {
            Rc::Nearest => true,
            Rc::Down => sign,
            Rc::Up => !sign,
            Rc::Zero => false,
        }
    }
}

/// The environment of one operation: the controls it reads and the flags it raises.
#[derive(Clone, Copy, Debug)]
pub struct Env {
    /// Rounding mode.
    pub rc: Rc,
    /// Denormal inputs are read as zero.
    pub daz: bool,
    /// Tiny results are flushed to zero (only while underflow is masked).
    pub ftz: bool,
    /// Underflow masked: UE is then raised only for tiny *inexact* results.
    pub um: bool,
    /// Exception flags raised so far ([`flag`] bits).
    pub flags: u32,
    /// SSE only: the unmasked ones of OE and UE ([`flag`] bits; 0 for the x87, whose
    /// unmasked responses `ext` handles). With one of them raised the instruction faults
    /// (#XM) and PE reports whether the result rounded with an unbounded exponent is inexact,
    /// as the CPU shows it (`tests/it/cpu_sse_unmasked.rs`), not the masked response's.
    pub xm: u32,
}

impl Env {
    /// Rounding `rc`, underflow masked, no DAZ or FTZ, no flags raised: the environment of the
    /// x87 constants (FLD1, FLDPI...) and of the unit tests.
    pub(crate) fn plain(rc: Rc) -> Env {
        Env {
            rc,
            daz: false,
            ftz: false,
            um: true,
            flags: 0,
            xm: 0,
        }
    }

    /// The environment MXCSR describes, with no flags raised yet.
    pub fn from_mxcsr(m: u32) -> Env {
        Env {
            rc: Rc::from_bits(m >> mxcsr::RC_SHIFT),
            daz: m & mxcsr::DAZ != 0,
            ftz: m & mxcsr::FTZ != 0,
            um: m & (flag::UE << mxcsr::MASK_SHIFT) != 0,
            flags: 0,
            xm: (flag::OE | flag::UE) & !(m >> mxcsr::MASK_SHIFT),
        }
    }
}

/// An IEEE 754 binary interchange format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fmt {
    /// Stored fraction bits (23 or 52).
    pub frac: u32,
    /// Exponent bits (8 or 11).
    pub exp: u32,
}

/// binary32 (`float`).
pub const F32: Fmt = Fmt { frac: 23, exp: 8 };
/// binary64 (`double`).
pub const F64: Fmt = Fmt { frac: 52, exp: 11 };

impl Fmt {
    /// Exponent bias.
    #[inline]
    pub fn bias(self) -> i32 {
        (1 << (self.exp - 1)) - 1
    }
    /// Precision in bits, hidden one included.
    #[inline]
    pub fn p(self) -> u32 {
        self.frac + 1
    }
    /// The sign bit.
    #[inline]
    pub fn sign(self) -> u64 {
        1 << (self.frac + self.exp)
    }
    /// The exponent field, in place.
    #[inline]
    pub fn exp_mask(self) -> u64 {
        ((1u64 << self.exp) - 1) << self.frac
    }
    /// The fraction field.
    #[inline]
    pub fn frac_mask(self) -> u64 {
        (1u64 << self.frac) - 1
    }
    /// The quiet bit of a NaN (the fraction's top bit).
    #[inline]
    pub fn quiet(self) -> u64 {
        1 << (self.frac - 1)
    }
    /// The default NaN (QNaN floating-point indefinite): negative, quiet, zero payload.
    #[inline]
    pub fn default_nan(self) -> u64 {
        self.sign() | self.exp_mask() | self.quiet()
    }
    /// Any NaN.
    #[inline]
    pub fn is_nan(self, b: u64) -> bool {
        b & self.exp_mask() == self.exp_mask() && b & self.frac_mask() != 0
    }
    /// A signalling NaN.
    #[inline]
    pub fn is_snan(self, b: u64) -> bool {
        self.is_nan(b) && b & self.quiet() == 0
    }
    /// A denormal (subnormal) number.
    #[inline]
    pub fn is_denormal(self, b: u64) -> bool {
        b & self.exp_mask() == 0 && b & self.frac_mask() != 0
    }
    /// Infinity with the given sign.
    #[inline]
    pub fn inf(self, sign: bool) -> u64 {
        self.exp_mask() | if sign { self.sign() } else { 0 }
    }
    /// Zero with the given sign.
    #[inline]
    pub fn zero(self, sign: bool) -> u64 {
        if sign {
            self.sign()
        } else {
            0
        }
    }
    /// The largest finite number with the given sign.
    #[inline]
    pub fn max_finite(self, sign: bool) -> u64 {
        (self.exp_mask() - (1 << self.frac)) | self.frac_mask() | self.zero(sign)
    }
}

/// What an unpacked operand is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// ±0 (or a denormal read as zero under DAZ).
    Zero,
    /// A finite nonzero number: `sig` (leading one at bit 63) / 2^63 * 2^`exp`.
    Finite,
    /// ±infinity.
    Inf,
    /// A NaN (the bits are kept by the caller).
    Nan,
}

/// An unpacked operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Num {
    /// Negative.
    pub sign: bool,
    /// Class.
    pub kind: Kind,
    /// Unbiased exponent (finite numbers).
    pub exp: i32,
    /// Significand with its leading one at bit 63 (finite numbers).
    pub sig: u64,
}

/// Unpacks `b`. A denormal raises DE, or reads as zero under DAZ (Intel SDM vol. 1 §10.2.3.4).
#[inline]
pub fn unpack(f: Fmt, b: u64, env: &mut Env) -> Num {
    let sign = b & f.sign() != 0;
    let e = ((b & f.exp_mask()) >> f.frac) as i32;
    let m = b & f.frac_mask();
    let mut n = Num {
        sign,
        kind: Kind::Zero,
        exp: 0,
        sig: 0,
    };
    if e == (1 << f.exp) - 1 {
        n.kind = if m == 0 { Kind::Inf } else { Kind::Nan };
    } else if e == 0 {
        if m != 0 {
            if env.daz {
                return n;
            }
            env.flags |= flag::DE;
            let lz = m.leading_zeros();
            n.kind = Kind::Finite;
            n.sig = m << lz;
            // m = 0.frac * 2^(1-bias): its leading one is at bit 63-lz.
            n.exp = 1 - f.bias() - (lz as i32 - (63 - f.frac as i32));
        }
    } else {
        n.kind = Kind::Finite;
        n.sig = ((1u64 << f.frac) | m) << (63 - f.frac);
        n.exp = e - f.bias();
    }
    n
}

/// Unpacks without touching flags or applying DAZ (moves, sign tests).
#[inline]
pub fn unpack_raw(f: Fmt, b: u64) -> Num {
    let mut env = Env {
        rc: Rc::Nearest,
        daz: false,
        ftz: false,
        um: true,
        flags: 0,
        xm: 0,
    };
    unpack(f, b, &mut env)
}

/// Rounds sign * `sig` / 2^127 * 2^`exp` (`sig` nonzero with bit 127 set, sticky bits folded
/// into bit 0) to format `f`, raising OE/UE/PE and applying FTZ, and packs it.
pub fn round_pack(f: Fmt, sign: bool, exp: i32, sig: u128, env: &mut Env) -> u64 {
    let p = f.p() as i32;
    let emin = 1 - f.bias();
    let s = f.zero(sign);
    if exp >= emin {
        let (mut k, inexact) = ops::round_keep(sig, p, sign, env.rc);
        let mut e = exp;
        if k >> p != 0 {
            k >>= 1;
            e += 1;
        }
        if e > f.bias() {
            env.flags |= flag::OE;
            if env.xm & flag::OE == 0 || inexact {
                env.flags |= flag::PE;
            }
            return if env.rc.overflows_to_infinity(sign) {
                f.inf(sign)
            } else {
                f.max_finite(sign)
            };
        }
        if inexact {
            env.flags |= flag::PE;
        }
        return s | (((e + f.bias()) as u64) << f.frac) | (k as u64 & f.frac_mask());
    }
    // Tiny before rounding. x86 detects tininess after rounding (to the format's precision
    // with an unbounded exponent): only a carry up to 2^emin makes it not tiny.
    let (k_unbounded, inexact_unbounded) = ops::round_keep(sig, p, sign, env.rc);
    let tiny = !(k_unbounded >> p != 0 && exp + 1 == emin);
    let (k, inexact) = ops::round_keep(sig, p - (emin - exp), sign, env.rc);
    if tiny && env.xm & flag::UE != 0 {
        // Unmasked underflow (SSE): #XM follows and the destination is not written.
        env.flags |= flag::UE;
        if inexact_unbounded {
            env.flags |= flag::PE;
        }
        return s | (k as u64);
    }
    if tiny && env.ftz && env.um {
        env.flags |= flag::UE | flag::PE;
        return s;
    }
    if tiny && (inexact || !env.um) {
        env.flags |= flag::UE;
    }
    if inexact {
        env.flags |= flag::PE;
    }
    // A carry into bit p-1 is the smallest normal: the packed bits come out right as they are.
    s | (k as u64)
}

/// The x86 SSE NaN result of a two-operand operation where at least one operand is a NaN: the
/// first source if it is a NaN, else the second, quieted; IE if either is signalling (Intel
/// SDM vol. 1 table 4-7).
#[inline]
pub fn propagate_nan(f: Fmt, a: u64, b: u64, env: &mut Env) -> u64 {
    if f.is_snan(a) || f.is_snan(b) {
        env.flags |= flag::IE;
    }
    if f.is_nan(a) {
        a | f.quiet()
    } else {
        b | f.quiet()
    }
}

/// The default NaN with IE raised: an invalid operation.
#[inline]
pub fn invalid(f: Fmt, env: &mut Env) -> u64 {
    env.flags |= flag::IE;
    f.default_nan()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(rc: Rc) -> Env {
        Env::plain(rc)
    }

    #[test]
    fn unpack_normal_and_denormal() {
        let mut e = env(Rc::Nearest);
        let n = unpack(F64, 1.0f64.to_bits(), &mut e);
        assert_eq!((n.kind, n.exp, n.sig), (Kind::Finite, 0, 1 << 63));
        let n = unpack(F64, 1, &mut e);
        assert_eq!((n.exp, n.sig), (-1074, 1 << 63));
        assert_eq!(e.flags, flag::DE);
        let n = unpack(F32, 3, &mut e);
        assert_eq!((n.exp, n.sig), (-148, 3 << 62));
    }

    #[test]
    fn round_pack_round_trips_and_overflows() {
        let mut e = env(Rc::Nearest);
        let x = 1.5f64;
        let n = unpack(F64, x.to_bits(), &mut e);
        assert_eq!(
            round_pack(F64, false, n.exp, u128::from(n.sig) << 64, &mut e),
            x.to_bits()
        );
        assert_eq!(e.flags, 0);
        assert_eq!(
            round_pack(F64, true, 1024, 1 << 127, &mut e),
            f64::NEG_INFINITY.to_bits()
        );
        let mut z = env(Rc::Zero);
        assert_eq!(
            round_pack(F64, false, 1024, 1 << 127, &mut z),
            f64::MAX.to_bits()
        );
        // Smallest denormal from a value just over half of it, in each mode.
        let mut e = env(Rc::Nearest);
        assert_eq!(round_pack(F64, false, -1076, (1 << 127) | 1, &mut e), 0);
        assert_eq!(e.flags, flag::UE | flag::PE);
        let mut u = env(Rc::Up);
        assert_eq!(round_pack(F64, false, -1076, 1 << 127, &mut u), 1);
    }
}
