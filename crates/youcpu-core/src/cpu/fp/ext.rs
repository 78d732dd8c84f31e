//! The x87 double-extended format (Intel SDM vol. 1 §4.2.2, §8.2): a sign, a 15-bit exponent
//! (bias 16383) and a 64-bit significand with an explicit integer bit. Arithmetic rounds to the
//! precision control's 24, 53 or 64 bits while keeping the extended exponent range; NaNs
//! follow the x87 rule (the NaN with the larger significand; SDM vol. 1 table 4-7), and the
//! unsupported encodings (unnormals, pseudo-NaNs, pseudo-infinities) are invalid operands.

use super::ops::{round_keep, Exact};
use super::{flag, Env, Fmt, Kind, Num, Rc};

/// An 80-bit value: `se` holds the sign (bit 15) and the biased exponent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Ext {
    /// Sign and exponent.
    pub se: u16,
    /// Significand, integer bit at 63.
    pub sig: u64,
}

/// Exponent bias.
pub const BIAS: i32 = 16383;
/// The integer bit.
const INT: u64 = 1 << 63;
/// The quiet bit.
const QUIET: u64 = 1 << 62;

impl Ext {
    /// The 10 bytes as an integer (little-endian layout of memory).
    pub fn to_bits(self) -> u128 {
        u128::from(self.sig) | (u128::from(self.se) << 64)
    }
    /// From the 10 bytes.
    pub fn from_bits(b: u128) -> Ext {
        Ext {
            se: (b >> 64) as u16,
            sig: b as u64,
        }
    }
    /// The nearest `f64`, for showing a register to a reader (not for computing: an 80-bit
    /// value has 11 more significand bits and a wider exponent range than `f64`). NaNs come
    /// out as NaN, unsupported encodings too.
    pub fn approx_f64(self) -> f64 {
        let s = if self.sign() { -1.0 } else { 1.0 };
        let e = self.exp();
        if e == 0x7fff {
            return if self.sig << 1 == 0 {
                s * f64::INFINITY
            } else {
                f64::NAN
            };
        }
        if self.is_unsupported() {
            return f64::NAN;
        }
        // sig * 2^(e - BIAS - 63), with a denormal's exponent read as 1.
        let e = if e == 0 { 1 } else { e };
        let mut v = self.sig as f64;
        let mut k = e - BIAS - 63;
        // Scale in steps so intermediate powers of two stay finite.
        while k > 1000 {
            v *= 2f64.powi(1000);
            k -= 1000;
        }
        while k < -1000 {
            v *= 2f64.powi(-1000);
            k += 1000;
        }
        s * v * 2f64.powi(k)
    }

    /// Negative.
    pub fn sign(self) -> bool {
        self.se & 0x8000 != 0
    }
    /// Biased exponent.
    pub fn exp(self) -> i32 {
        i32::from(self.se & 0x7fff)
    }
    /// A NaN (exponent all ones, integer bit set, fraction nonzero).
    pub fn is_nan(self) -> bool {
        self.exp() == 0x7fff && self.sig & INT != 0 && self.sig << 1 != 0
    }
    /// A signalling NaN.
    pub fn is_snan(self) -> bool {
        self.is_nan() && self.sig & QUIET == 0
    }
    /// An unsupported encoding: a nonzero exponent with the integer bit clear.
    pub fn is_unsupported(self) -> bool {
        self.exp() != 0 && self.sig & INT == 0
    }
    /// Infinity.
    pub fn inf(sign: bool) -> Ext {
        Ext {
            se: 0x7fff | if sign { 0x8000 } else { 0 },
            sig: INT,
        }
    }
    /// Zero.
    pub fn zero(sign: bool) -> Ext {
        Ext {
            se: if sign { 0x8000 } else { 0 },
            sig: 0,
        }
    }
    /// The QNaN floating-point indefinite.
    pub fn indefinite() -> Ext {
        Ext {
            se: 0xffff,
            sig: INT | QUIET,
        }
    }
    /// The same NaN, quieted.
    pub fn quieted(self) -> Ext {
        Ext {
            se: self.se,
            sig: self.sig | QUIET,
        }
    }
    /// Sign flipped.
    pub fn negated(self) -> Ext {
        Ext {
            se: self.se ^ 0x8000,
            sig: self.sig,
        }
    }
}

/// Unpacks; a denormal (or pseudo-denormal) raises DE. NaNs and unsupported encodings are the
/// caller's business (they come out as [`Kind::Nan`]).
pub fn unpack(x: Ext, env: &mut Env) -> Num {
    let sign = x.sign();
    let e = x.exp();
    let mut n = Num {
        sign,
        kind: Kind::Zero,
        exp: 0,
        sig: 0,
    };
    if e == 0x7fff {
        n.kind = if x.sig == INT { Kind::Inf } else { Kind::Nan };
    } else if x.is_unsupported() {
        n.kind = Kind::Nan;
    } else if e == 0 {
        if x.sig != 0 {
            env.flags |= flag::DE;
            let lz = x.sig.leading_zeros();
            n.kind = Kind::Finite;
            n.sig = x.sig << lz;
            n.exp = 1 - BIAS - lz as i32;
        }
    } else {
        n.kind = Kind::Finite;
        n.sig = x.sig;
        n.exp = e - BIAS;
    }
    n
}

/// Rounds sign * sig / 2^127 * 2^exp (bit 127 set) to `p` bits (24, 53 or 64) in the extended
/// exponent range. Returns the value and whether its magnitude was rounded up (x87 C1).
pub fn round_pack(sign: bool, exp: i32, sig: u128, p: u32, env: &mut Env) -> (Ext, bool) {
    let emin = 1 - BIAS;
    let s: u16 = if sign { 0x8000 } else { 0 };
    let p = p as i32;
    if exp >= emin {
        let (mut k, inexact) = round_keep(sig, p, sign, env.rc);
        let mut e = exp;
        let up = k != sig >> (128 - p);
        if k >> p != 0 {
            k >>= 1;
            e += 1;
        }
        if e > BIAS {
            env.flags |= flag::OE | flag::PE;
            return if env.rc.overflows_to_infinity(sign) {
                (Ext::inf(sign), true)
            } else {
                let max = if p == 64 {
                    u64::MAX
                } else {
                    u64::MAX << (64 - p)
                };
                (
                    Ext {
                        se: s | 0x7ffe,
                        sig: max,
                    },
                    false,
                )
            };
        }
        if inexact {
            env.flags |= flag::PE;
        }
        let sig64 = (k as u64) << (64 - p);
        return (
            Ext {
                se: s | (e + BIAS) as u16,
                sig: sig64,
            },
            up,
        );
    }
    let (k_unbounded, _) = round_keep(sig, p, sign, env.rc);
    let tiny = !(k_unbounded >> p != 0 && exp + 1 == emin);
    // Denormalized as a format of p bits with the extended exponent range would be: the
    // quantum is 2^(emin - (p - 1)) (checked on the CPU with precision control 24 and 53).
    let d = emin - exp;
    let keep = p - d;
    let (k, inexact) = round_keep(sig, keep, sign, env.rc);
    let (t, _) = round_keep(sig, keep, sign, Rc::Zero);
    let up = k != t;
    if tiny && (inexact || !env.um) {
        env.flags |= flag::UE;
    }
    if inexact {
        env.flags |= flag::PE;
    }
    let v = (k as u64) << (64 - p);
    // A carry to 2^emin sets the integer bit: biased exponent 1.
    let se = if v & INT != 0 { s | 1 } else { s };
    (Ext { se, sig: v }, up)
}

/// The x87 result of a two-operand operation with a NaN operand (SDM vol. 1 table 4-7): a
/// signalling NaN raises IE; the QNaN if only one is signalling; else the larger significand
/// (ties: the smaller sign-and-exponent word, i.e. the positive one); quieted.
pub fn propagate_nan(a: Ext, b: Ext, env: &mut Env) -> Ext {
    let (an, bn) = (a.is_nan(), b.is_nan());
    let (asn, bsn) = (a.is_snan(), b.is_snan());
    if asn || bsn {
        env.flags |= flag::IE;
    }
    let pick_a = if !bn {
        true
    } else if !an {
        false
    } else if asn != bsn {
        bsn
    } else {
        let (ma, mb) = (a.sig & !QUIET, b.sig & !QUIET);
        if ma != mb {
            ma > mb
        } else {
            a.se <= b.se
        }
    };
    if pick_a {
        a.quieted()
    } else {
        b.quieted()
    }
}

/// Rounds an exact result to precision `p`; (value, C1 = rounded up).
pub fn from_exact(e: Exact, before: u32, p: u32, env: &mut Env) -> (Ext, bool) {
    match e {
        Exact::Invalid => {
            // An invalid operation hides the denormal operand (checked on the CPU).
            env.flags = before | flag::IE;
            (Ext::indefinite(), false)
        }
        Exact::DivByZero(s) => {
            env.flags = before | flag::ZE;
            (Ext::inf(s), false)
        }
        Exact::Inf(s) => (Ext::inf(s), false),
        Exact::Zero(s) => (Ext::zero(s), false),
        Exact::Finite { sign, exp, sig } => round_pack(sign, exp, sig, p, env),
    }
}

/// [`from_exact`] for an x87 instruction with a register destination, honouring the control
/// word's exception `masks` (bits 0-5): an unmasked numeric overflow or underflow does not
/// produce the masked response (infinity, the largest number, a denormal) but the exact
/// result rounded to `p` bits with its exponent brought back into range by 24576, the "bias
/// adjustment" (Intel SDM vol. 1 §8.5.4 and §8.5.5, table 8-10); OE or UE is set, PE and C1
/// only when that rounding is inexact (checked on the CPU: 2^16000 * 2^16000 raises OE alone).
pub fn from_exact_x87(e: Exact, before: u32, p: u32, masks: u16, env: &mut Env) -> (Ext, bool) {
    /// The bias adjustment of the double-extended format.
    const ADJUST: i32 = 24576;
    let ahead = env.flags;
    let (r, up) = from_exact(e, before, p, env);
    let unmasked = env.flags & !u32::from(masks) & (flag::OE | flag::UE);
    match e {
        Exact::Finite { sign, exp, sig } if unmasked != 0 => {
            let (exp, raised) = if unmasked & flag::OE != 0 {
                (exp - ADJUST, flag::OE)
            } else {
                (exp + ADJUST, flag::UE)
            };
            let mut wrapped = Env { flags: 0, ..*env };
            let (r, up) = round_pack(sign, exp, sig, p, &mut wrapped);
            if wrapped.flags & flag::OE != 0 {
                // Beyond the adjustment's reach (FSCALE by a huge power): infinity whatever
                // the rounding control, with PE and C1 (checked on the CPU).
                env.flags = ahead | flag::OE | flag::PE;
                return (Ext::inf(sign), true);
            }
            if raised == flag::UE && wrapped.flags & flag::UE != 0 {
                env.flags = ahead | flag::UE | flag::PE;
                return (Ext::zero(sign), false);
            }
            env.flags = ahead | raised | (wrapped.flags & flag::PE);
            (r, up)
        }
        _ => (r, up),
    }
}

/// From binary32/binary64 (exact): DE for a denormal. A signalling NaN stays signalling (the
/// caller raises IE: FLD quiets it, arithmetic propagates it by the x87 rules).
pub fn from_ieee(f: Fmt, b: u64, env: &mut Env) -> Ext {
    let sign = b & f.sign() != 0;
    let s: u16 = if sign { 0x8000 } else { 0 };
    if f.is_nan(b) {
        let payload = (b & f.frac_mask()) << (63 - f.frac);
        return Ext {
            se: s | 0x7fff,
            sig: INT | payload,
        };
    }
    let n = super::unpack(f, b, env);
    match n.kind {
        Kind::Zero => Ext::zero(sign),
        Kind::Inf | Kind::Nan => Ext::inf(sign),
        Kind::Finite => Ext {
            se: s | (n.exp + BIAS) as u16,
            sig: n.sig,
        },
    }
}

/// To binary32/binary64, rounded by `env.rc` (precision control does not apply). Returns the
/// bits and C1 (rounded up).
pub fn to_ieee(f: Fmt, x: Ext, env: &mut Env) -> (u64, bool) {
    if x.is_nan() || x.is_unsupported() && x.exp() != 0 {
        if x.is_unsupported() || x.is_snan() {
            env.flags |= flag::IE;
        }
        if x.is_unsupported() {
            return (f.default_nan(), false);
        }
        let sign = if x.sign() { f.sign() } else { 0 };
        let payload = (x.sig & !INT) >> (63 - f.frac);
        return (sign | f.exp_mask() | f.quiet() | payload, false);
    }
    let before = env.flags;
    let n = unpack(x, env);
    // FST reports no #D.
    env.flags = before | (env.flags & !flag::DE);
    match n.kind {
        Kind::Zero => (f.zero(n.sign), false),
        Kind::Inf | Kind::Nan => (f.inf(n.sign), false),
        Kind::Finite => {
            let sig = u128::from(n.sig) << 64;
            let r = super::round_pack(f, n.sign, n.exp, sig, env);
            // Rounded up: the result's magnitude exceeds the exact one.
            let back = super::unpack_raw(f, r);
            let up = match back.kind {
                Kind::Inf => true,
                Kind::Finite => (back.exp, back.sig) > (n.exp, n.sig),
                _ => false,
            };
            (r, up)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approx_f64_of_common_values() {
        let one = Ext {
            se: BIAS as u16,
            sig: INT,
        };
        assert_eq!(one.approx_f64(), 1.0);
        assert_eq!(one.negated().approx_f64(), -1.0);
        let three_halves = Ext {
            se: BIAS as u16,
            sig: INT | (INT >> 1),
        };
        assert_eq!(three_halves.approx_f64(), 1.5);
        assert_eq!(Ext::zero(false).approx_f64(), 0.0);
        assert_eq!(Ext::inf(true).approx_f64(), f64::NEG_INFINITY);
        assert!(Ext::indefinite().approx_f64().is_nan());
        let huge = Ext {
            se: 0x7ffe,
            sig: INT,
        };
        assert_eq!(huge.approx_f64(), f64::INFINITY);
        let tiny = Ext { se: 1, sig: INT };
        assert_eq!(tiny.approx_f64(), 0.0);
    }
}
