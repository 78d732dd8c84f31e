//! Arithmetic on bit patterns: add, subtract, multiply, divide, square root, compare, min/max
//! and round to integral, each exact to the last bit in every rounding mode (Intel SDM vol. 1
//! §4.8, §11.5; vol. 2 ADDSD, MULSD, DIVSD, SQRTSD, MINSD/MAXSD, CMPSD, ROUNDSD).

use super::{flag, invalid, propagate_nan, round_pack, unpack, Env, Fmt, Kind, Num, Rc};

/// Shifts right keeping a sticky bit (any lost one bit sets bit 0).
#[inline]
fn shr_sticky(x: u128, n: u32) -> u128 {
    if n == 0 {
        x
    } else if n >= 128 {
        u128::from(x != 0)
    } else {
        (x >> n) | u128::from(x << (128 - n) != 0)
    }
}

/// The exact result of an operation on two non-NaN operands, before rounding: shared by the
/// SSE formats and the x87 double-extended one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exact {
    /// An invalid operation (inf - inf, 0 * inf, 0/0, inf/inf, sqrt of a negative).
    Invalid,
    /// A finite nonzero number divided by zero: infinity with this sign.
    DivByZero(bool),
    /// Infinity with this sign.
    Inf(bool),
    /// Zero with this sign (exact).
    Zero(bool),
    /// sign * sig / 2^127 * 2^exp; `sig` nonzero (not necessarily normalized), sticky in bit 0.
    Finite {
        /// Negative.
        sign: bool,
        /// Exponent.
        exp: i32,
        /// Significand.
        sig: u128,
    },
}

impl Exact {
    /// The same value with bit 127 of the significand set.
    #[inline]
    pub fn normalized(self) -> Exact {
        match self {
            Exact::Finite { sign, exp, sig } => {
                let lz = sig.leading_zeros();
                Exact::Finite {
                    sign,
                    exp: exp - lz as i32,
                    sig: sig << lz,
                }
            }
            e => e,
        }
    }
}

/// x + y (negate y's sign for a subtraction). `rc` decides the sign of an exact zero sum.
pub fn add_core(x: Num, y: Num, rc: Rc) -> Exact {
    let zero_sum = |sx: bool, sy: bool| Exact::Zero(if sx == sy { sx } else { rc == Rc::Down });
    match (x.kind, y.kind) {
        (Kind::Inf, Kind::Inf) => {
            if x.sign != y.sign {
                Exact::Invalid
            } else {
                Exact::Inf(x.sign)
            }
        }
        (Kind::Inf, _) => Exact::Inf(x.sign),
        (_, Kind::Inf) => Exact::Inf(y.sign),
        (Kind::Zero, Kind::Zero) => zero_sum(x.sign, y.sign),
        (Kind::Zero, _) => passthrough(y),
        (_, Kind::Zero) => passthrough(x),
        _ => {
            // Larger magnitude first; significands at bit 126 (a carry has room).
            let (big, small) = if (x.exp, x.sig) >= (y.exp, y.sig) {
                (x, y)
            } else {
                (y, x)
            };
            let d = (big.exp - small.exp) as u32;
            let bs = u128::from(big.sig) << 63;
            let ss = shr_sticky(u128::from(small.sig) << 63, d);
            let sig = if big.sign == small.sign {
                bs + ss
            } else {
                bs - ss
            };
            if sig == 0 {
                return Exact::Zero(rc == Rc::Down);
            }
            Exact::Finite {
                sign: big.sign,
                exp: big.exp + 1,
                sig,
            }
            .normalized()
        }
    }
}

/// A finite operand passed on unchanged in value (x + 0): still rounded, so that a denormal
/// meets FTZ and the underflow rules as the hardware applies them.
#[inline]
fn passthrough(n: Num) -> Exact {
    match n.kind {
        Kind::Finite => Exact::Finite {
            sign: n.sign,
            exp: n.exp,
            sig: u128::from(n.sig) << 64,
        },
        Kind::Zero => Exact::Zero(n.sign),
        _ => Exact::Inf(n.sign),
    }
}

/// x * y.
pub fn mul_core(x: Num, y: Num) -> Exact {
    let sign = x.sign != y.sign;
    match (x.kind, y.kind) {
        (Kind::Inf, Kind::Zero) | (Kind::Zero, Kind::Inf) => Exact::Invalid,
        (Kind::Inf, _) | (_, Kind::Inf) => Exact::Inf(sign),
        (Kind::Zero, _) | (_, Kind::Zero) => Exact::Zero(sign),
        _ => Exact::Finite {
            sign,
            exp: x.exp + y.exp + 1,
            sig: u128::from(x.sig) * u128::from(y.sig),
        }
        .normalized(),
    }
}

/// x / y.
pub fn div_core(x: Num, y: Num) -> Exact {
    let sign = x.sign != y.sign;
    match (x.kind, y.kind) {
        (Kind::Inf, Kind::Inf) | (Kind::Zero, Kind::Zero) => Exact::Invalid,
        (Kind::Inf, _) => Exact::Inf(sign),
        (_, Kind::Inf) | (Kind::Zero, _) => Exact::Zero(sign),
        (_, Kind::Zero) => Exact::DivByZero(sign),
        _ => {
            let (q, adj) = divide_sig(x.sig, y.sig);
            Exact::Finite {
                sign,
                exp: x.exp - y.exp + adj,
                sig: q,
            }
            .normalized()
        }
    }
}

/// The square root, with a root of 64 + `extra` significant bits (0 to 4) before the sticky.
pub fn sqrt_core(x: Num, extra: u32) -> Exact {
    match x.kind {
        Kind::Zero => Exact::Zero(x.sign),
        _ if x.sign => Exact::Invalid,
        Kind::Inf => Exact::Inf(false),
        _ => {
            let (s, rem, exp) = sqrt_sig_rem(x.sig, x.exp);
            // More root bits from the remainder: next bit b is 1 iff 4 rem >= 4 s + 1.
            let (mut s, mut rem) = (u128::from(s), rem);
            for _ in 0..extra.min(4) {
                let t = 4 * s + 1;
                rem *= 4;
                s *= 2;
                if rem >= t {
                    rem -= t;
                    s += 1;
                }
            }
            let shift = 64 - extra.min(4);
            Exact::Finite {
                sign: false,
                exp,
                sig: (s << shift) | u128::from(rem != 0),
            }
        }
    }
}

/// Rounds an exact result into format `f`; `before` is the flag state ahead of the operands'
/// unpacking (a #Z hides the #D of a denormal dividend, checked on the CPU).
#[inline]
fn to_ieee(f: Fmt, e: Exact, before: u32, env: &mut Env) -> u64 {
    match e {
        Exact::Invalid => invalid(f, env),
        Exact::DivByZero(s) => {
            env.flags = before | flag::ZE;
            f.inf(s)
        }
        Exact::Inf(s) => f.inf(s),
        Exact::Zero(s) => f.zero(s),
        Exact::Finite { sign, exp, sig } => round_pack(f, sign, exp, sig, env),
    }
}

/// Unpacks two operands; a NaN in either gives the propagated NaN.
#[inline]
fn unpack2(f: Fmt, a: u64, b: u64, env: &mut Env) -> Result<(Num, Num), u64> {
    if f.is_nan(a) || f.is_nan(b) {
        return Err(propagate_nan(f, a, b, env));
    }
    Ok((unpack(f, a, env), unpack(f, b, env)))
}

/// a + b, or a - b when `sub`.
pub fn add(f: Fmt, a: u64, b: u64, sub: bool, env: &mut Env) -> u64 {
    let before = env.flags;
    match unpack2(f, a, b, env) {
        Ok((x, mut y)) => {
            y.sign ^= sub;
            to_ieee(f, add_core(x, y, env.rc), before, env)
        }
        Err(nan) => nan,
    }
}

/// a * b.
pub fn mul(f: Fmt, a: u64, b: u64, env: &mut Env) -> u64 {
    let before = env.flags;
    match unpack2(f, a, b, env) {
        Ok((x, y)) => to_ieee(f, mul_core(x, y), before, env),
        Err(nan) => nan,
    }
}

/// a / b.
pub fn div(f: Fmt, a: u64, b: u64, env: &mut Env) -> u64 {
    let before = env.flags;
    match unpack2(f, a, b, env) {
        Ok((x, y)) => to_ieee(f, div_core(x, y), before, env),
        Err(nan) => nan,
    }
}

/// The quotient of two significands (leading ones at bit 63) as 128 bits with a sticky bit,
/// and the exponent adjustment (quotient = result / 2^127 * 2^adj).
#[inline]
pub fn divide_sig(a: u64, b: u64) -> (u128, i32) {
    let (num, adj) = if a >= b {
        (u128::from(a), 0)
    } else {
        (u128::from(a) << 1, -1)
    };
    let d = u128::from(b);
    // num / d in [1, 2): 64 integer-scaled bits, then 64 more from the remainder.
    let n1 = num << 63;
    let (q1, r1) = (n1 / d, n1 % d);
    let n2 = r1 << 64;
    let (q2, r2) = (n2 / d, n2 % d);
    ((q1 << 64) | q2 | u128::from(r2 != 0), adj)
}

/// The square root.
pub fn sqrt(f: Fmt, a: u64, env: &mut Env) -> u64 {
    if f.is_nan(a) {
        return propagate_nan(f, a, a, env);
    }
    let before = env.flags;
    let x = unpack(f, a, env);
    let e = sqrt_core(x, 0);
    if e == Exact::Invalid {
        // The square root of a negative denormal is #I only (checked on the CPU).
        env.flags = before;
    }
    to_ieee(f, e, before, env)
}

/// The square root of sig / 2^63 * 2^exp: a 64-bit root (leading one at bit 63), the
/// remainder, and the root's exponent.
#[inline]
pub fn sqrt_sig_rem(sig: u64, exp: i32) -> (u64, u128, i32) {
    // m = M / 2^126 in [1, 4) with an even exponent left over.
    let (m, e) = if exp & 1 == 0 {
        (u128::from(sig) << 63, exp)
    } else {
        (u128::from(sig) << 64, exp - 1)
    };
    let (s, r) = isqrt(m);
    (s as u64, r, e / 2)
}

/// Integer square root with remainder, bit by bit (the digit recurrence: exact).
fn isqrt(n: u128) -> (u128, u128) {
    let mut rem = n;
    let mut root: u128 = 0;
    let mut bit: u128 = 1 << 126;
    while bit > n {
        bit >>= 2;
    }
    while bit != 0 {
        if rem >= root + bit {
            rem -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    (root, rem)
}

/// The result of comparing two values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// a < b.
    Less,
    /// a = b.
    Equal,
    /// a > b.
    Greater,
    /// Either is a NaN.
    Unordered,
}

/// Compares; IE for a signalling NaN, or for any NaN when `signalling` (COMISD, CMPLTSD...).
/// DE for a denormal operand of an ordered comparison.
pub fn compare(f: Fmt, a: u64, b: u64, signalling: bool, env: &mut Env) -> Cmp {
    if f.is_nan(a) || f.is_nan(b) {
        if signalling || f.is_snan(a) || f.is_snan(b) {
            env.flags |= flag::IE;
        }
        return Cmp::Unordered;
    }
    let x = unpack(f, a, env);
    let y = unpack(f, b, env);
    cmp_num(x, y)
}

/// Orders two non-NaN operands (zeros of either sign are equal).
pub fn cmp_num(x: Num, y: Num) -> Cmp {
    let key = |n: Num| -> i128 {
        let mag: i128 = match n.kind {
            Kind::Zero => return 0,
            Kind::Finite => ((i128::from(n.exp) + 100_000) << 64) | i128::from(n.sig),
            _ => i128::MAX,
        };
        if n.sign {
            -mag
        } else {
            mag
        }
    };
    match key(x).cmp(&key(y)) {
        std::cmp::Ordering::Less => Cmp::Less,
        std::cmp::Ordering::Equal => Cmp::Equal,
        std::cmp::Ordering::Greater => Cmp::Greater,
    }
}

/// MINSD/MAXSD: the second operand when either is a NaN (IE) or both are zeros; otherwise the
/// smaller (larger). Intel SDM vol. 2 MINSD: "If only one value is a NaN (SNaN or QNaN) for
/// this instruction, the second source operand is returned".
pub fn min_max(f: Fmt, a: u64, b: u64, max: bool, env: &mut Env) -> u64 {
    let c = compare(f, a, b, true, env);
    let pick_a = match c {
        Cmp::Less => !max,
        Cmp::Greater => max,
        _ => false,
    };
    let r = if pick_a { a } else { b };
    if env.daz && f.is_denormal(r) {
        // The denormal read as zero is what the unit passes on.
        return f.zero(r & f.sign() != 0);
    }
    r
}

/// ROUNDSD/ROUNDSS: round to an integral value in `rc`; PE unless `suppress_pe`.
pub fn round_int(f: Fmt, a: u64, rc: Rc, suppress_pe: bool, env: &mut Env) -> u64 {
    if f.is_nan(a) {
        return propagate_nan(f, a, a, env);
    }
    // No DE: the SDM lists only #I (SNaN) and #P for ROUNDSD.
    let before = env.flags;
    let x = unpack(f, a, env);
    env.flags = before | (env.flags & !flag::DE);
    match x.kind {
        Kind::Zero => f.zero(x.sign),
        Kind::Inf | Kind::Nan => a,
        Kind::Finite => {
            if x.exp >= f.frac as i32 {
                return a;
            }
            // Integer part: keep (exp + 1) bits of the 64-bit significand.
            let keep = x.exp + 1;
            let sig = u128::from(x.sig) << 64;
            let (k, inexact) = round_keep(sig, keep, x.sign, rc);
            if inexact && !suppress_pe {
                env.flags |= flag::PE;
            }
            if k == 0 {
                return f.zero(x.sign);
            }
            // k is an integer < 2^(frac+1): exact in the format.
            let lz = k.leading_zeros();
            let mut e2 = Env { flags: 0, ..*env };
            round_pack(f, x.sign, 127 - lz as i32, k << lz, &mut e2)
        }
    }
}

/// Rounds the top `keep` bits as an integer (the same rules as the format rounding).
#[inline]
pub fn round_keep(sig: u128, keep: i32, sign: bool, rc: Rc) -> (u128, bool) {
    let (kept, rem, half): (u128, u128, u128) = if keep >= 128 {
        (sig, 0, 1)
    } else if keep <= 0 {
        let rem = if keep == 0 { sig } else { u128::from(sig != 0) };
        (0, rem, 1 << 127)
    } else {
        let k = keep as u32;
        (sig >> (128 - k), sig << k, 1 << 127)
    };
    let inexact = rem != 0;
    let up = match rc {
        Rc::Nearest => rem > half || (rem == half && kept & 1 == 1),
        Rc::Down => inexact && sign,
        Rc::Up => inexact && !sign,
        Rc::Zero => false,
    };
    (kept + u128::from(up), inexact)
}

#[cfg(test)]
mod tests {
    use super::super::{F32, F64};
    use super::*;

    fn env(rc: Rc) -> Env {
        Env::plain(rc)
    }

    /// Round to nearest agrees with the host on ordinary values.
    #[test]
    fn nearest_matches_the_host() {
        let vals = [
            1.0f64,
            -2.5,
            3.0e-310,
            1e308,
            0.1,
            -7.25e-5,
            123456.789,
            f64::MIN_POSITIVE,
            5e-324,
            -0.0,
        ];
        for &a in &vals {
            for &b in &vals {
                let mut e = env(Rc::Nearest);
                let (x, y) = (a.to_bits(), b.to_bits());
                assert_eq!(add(F64, x, y, false, &mut e), (a + b).to_bits(), "{a}+{b}");
                assert_eq!(add(F64, x, y, true, &mut e), (a - b).to_bits(), "{a}-{b}");
                assert_eq!(mul(F64, x, y, &mut e), (a * b).to_bits(), "{a}*{b}");
                if b != 0.0 {
                    assert_eq!(div(F64, x, y, &mut e), (a / b).to_bits(), "{a}/{b}");
                }
                let (fa, fb) = (a as f32, b as f32);
                let (x, y) = (u64::from(fa.to_bits()), u64::from(fb.to_bits()));
                assert_eq!(mul(F32, x, y, &mut e), u64::from((fa * fb).to_bits()));
                assert_eq!(
                    add(F32, x, y, false, &mut e),
                    u64::from((fa + fb).to_bits())
                );
            }
            if a >= 0.0 {
                let mut e = env(Rc::Nearest);
                assert_eq!(
                    sqrt(F64, a.to_bits(), &mut e),
                    a.sqrt().to_bits(),
                    "sqrt {a}"
                );
            }
        }
    }

    #[test]
    fn directed_rounding_and_flags() {
        let third = |rc| {
            let mut e = env(rc);
            (
                div(F64, 1.0f64.to_bits(), 3.0f64.to_bits(), &mut e),
                e.flags,
            )
        };
        let (n, fl) = third(Rc::Nearest);
        assert_eq!(n, (1.0f64 / 3.0).to_bits());
        assert_eq!(fl, flag::PE);
        assert_eq!(third(Rc::Up).0, n + 1);
        assert_eq!(third(Rc::Down).0, n);
        let mut e = env(Rc::Nearest);
        assert_eq!(
            div(F64, 1.0f64.to_bits(), 0, &mut e),
            f64::INFINITY.to_bits()
        );
        assert_eq!(e.flags, flag::ZE);
        let mut e = env(Rc::Nearest);
        assert_eq!(sqrt(F64, (-1.0f64).to_bits(), &mut e), F64.default_nan());
        assert_eq!(e.flags, flag::IE);
    }

    #[test]
    fn round_to_integral() {
        let mut e = env(Rc::Nearest);
        let r = |x: f64, rc, e: &mut Env| f64::from_bits(round_int(F64, x.to_bits(), rc, false, e));
        assert_eq!(r(2.5, Rc::Nearest, &mut e), 2.0);
        assert_eq!(r(-2.5, Rc::Down, &mut e), -3.0);
        assert_eq!(r(0.3, Rc::Up, &mut e), 1.0);
        assert_eq!(r(-0.3, Rc::Up, &mut e).to_bits(), (-0.0f64).to_bits());
        assert_eq!(r(1e300, Rc::Zero, &mut e), 1e300);
    }
}
