//! Elementary functions on [`Big`] for the x87 transcendentals (FSIN, FCOS, FSINCOS, FPTAN,
//! FPATAN, F2XM1, FYL2X, FYL2XP1): series after argument reduction, about 120 correct bits.
//! Trigonometric arguments are reduced modulo pi/2 with the 66-bit pi the x87 uses (Intel SDM
//! vol. 1 §8.3.10), exactly, so results near multiples of pi come out as the CPU's do.

use super::big::Big;

/// sqrt(2) as a significand (value 1.414...).
const SQRT2_SIG: u128 = 0xb504_f333_f9de_6484_597d_89b3_754a_be9f;

/// The 66-bit pi of the x87's reduction, as an integer: pi ~= PI66 / 2^66.
const PI66: u128 = 0xc_90fd_aa22_168c_234c;

/// 2 atanh(t) = ln((1 + t) / (1 - t)) by its series (|t| < 0.2).
fn two_atanh(t: Big) -> Big {
    let t2 = t.times(t);
    let mut term = t;
    let mut sum = t;
    let mut k = 1;
    while k < 200 {
        term = term.times(t2);
        k += 2;
        let add = term.over(Big::int(k));
        if add.is_zero() || add.exp < sum.exp - 130 {
            break;
        }
        sum = sum.plus(add);
    }
    sum.scale(1)
}

/// ln(x) for finite x > 0.
pub fn ln(x: Big) -> Big {
    let mut e = x.exp;
    let mut m = Big {
        sign: false,
        exp: 0,
        sig: x.sig,
    };
    if m.sig > SQRT2_SIG {
        m = m.scale(-1);
        e += 1;
    }
    let t = m.minus(Big::ONE).over(m.plus(Big::ONE));
    two_atanh(t).plus(Big::int(i64::from(e)).times(Big::LN2))
}

/// ln(1 + x) for x > -1, without cancellation for small x.
pub fn ln1p(x: Big) -> Big {
    if x.to_f64().abs() > 0.25 {
        return ln(Big::ONE.plus(x));
    }
    let t = x.over(x.plus(Big::int(2)));
    two_atanh(t)
}

/// e^z - 1 for |z| <= 1, by its series.
pub fn expm1(z: Big) -> Big {
    let mut term = z;
    let mut sum = z;
    for k in 2..60 {
        term = term.times(z).over(Big::int(k));
        if term.is_zero() || term.exp < sum.exp - 130 {
            break;
        }
        sum = sum.plus(term);
    }
    sum
}

/// 2^x - 1 (F2XM1; defined for |x| <= 1, computed beyond too).
pub fn exp2m1(x: Big) -> Big {
    let v = x.to_f64();
    if v.abs() <= 1.0 {
        return expm1(x.times(Big::LN2));
    }
    let i = v.floor().clamp(-20000.0, 20000.0) as i64;
    let f = x.minus(Big::int(i));
    Big::ONE
        .plus(expm1(f.times(Big::LN2)))
        .scale(i as i32)
        .minus(Big::ONE)
}

/// atan(t) for |t| <= 1: two halvings (atan t = 2 atan(t / (1 + sqrt(1 + t^2)))) then the
/// series.
fn atan_small(t: Big) -> Big {
    let mut t = t;
    for _ in 0..2 {
        t = t.over(Big::ONE.plus(Big::ONE.plus(t.times(t)).sqrt()));
    }
    let t2 = t.times(t);
    let mut term = t;
    let mut sum = t;
    let mut k = 1;
    while k < 300 {
        term = term.times(t2).negated();
        k += 2;
        let add = term.over(Big::int(k));
        if add.is_zero() || add.exp < sum.exp - 130 {
            break;
        }
        sum = sum.plus(add);
    }
    sum.scale(2)
}

/// atan2(y, x) for finite nonzero operands (FPATAN).
pub fn atan2(y: Big, x: Big) -> Big {
    let (ay, ax) = (Big { sign: false, ..y }, Big { sign: false, ..x });
    // The angle of (|x|, |y|) in [0, pi/2].
    let a = if (ay.exp, ay.sig) <= (ax.exp, ax.sig) {
        atan_small(ay.over(ax))
    } else {
        Big::PI.scale(-1).minus(atan_small(ax.over(ay)))
    };
    let a = if x.sign { Big::PI.minus(a) } else { a };
    if y.sign {
        a.negated()
    } else {
        a
    }
}

/// A value and whether the true one lies below it in magnitude (the first neglected term of
/// its alternating series points towards zero).
pub type Dir = (Big, bool);

/// (sin r, cos r) for |r| <= pi/4 (a little more is fine).
fn sin_cos_small(r: Big) -> (Dir, Dir) {
    let r2 = r.times(r);
    let mut s = r;
    let mut term = r;
    for k in 1..40 {
        term = term
            .times(r2)
            .over(Big::int((2 * k) * (2 * k + 1)))
            .negated();
        if term.is_zero() || term.exp < s.exp - 130 {
            break;
        }
        s = s.plus(term);
    }
    let s_below = !r.is_zero() && term.sign != s.sign;
    let mut c = Big::ONE;
    let mut term = Big::ONE;
    for k in 1..40 {
        term = term
            .times(r2)
            .over(Big::int((2 * k - 1) * (2 * k)))
            .negated();
        if term.is_zero() || term.exp < -130 {
            break;
        }
        c = c.plus(term);
    }
    let c_below = !r.is_zero() && term.sign != c.sign;
    ((s, s_below), (c, c_below))
}

/// Reduces sign * sig64 / 2^63 * 2^exp (|x| < 2^63) modulo pi66/2, exactly: the quadrant
/// (mod 4) and the remainder in [-pi/4, pi/4].
fn reduce(sign: bool, exp: i32, sig64: u64) -> (u32, Big) {
    if exp < -2 {
        return (0, Big::from_parts(sign, exp, sig64));
    }
    // |x| = X * 2^-67 with X = sig64 * 2^(exp + 4) (exp <= 62: at most 130 bits) and pi/2 =
    // PI66 * 2^-67: n = round(X / PI66) by long division, the remainder D = X - n PI66 fits
    // 68 bits.
    let sh = (exp + 4) as u32;
    let (mut rem, mut q) = (0u128, 0u128);
    for bit in (0..64 + sh).rev() {
        let b = if bit >= sh {
            (sig64 >> (bit - sh)) & 1
        } else {
            0
        };
        rem = (rem << 1) | u128::from(b);
        q <<= 1;
        if rem >= PI66 {
            rem -= PI66;
            q |= 1;
        }
    }
    let (n, neg, d) = if 2 * rem >= PI66 {
        (q + 1, true, PI66 - rem)
    } else {
        (q, false, rem)
    };
    let r = if d == 0 {
        Big::ZERO
    } else {
        let lz = d.leading_zeros();
        Big {
            sign: neg != sign,
            exp: 127 - lz as i32 - 67,
            sig: d << lz,
        }
    };
    let quad = (n & 3) as u32;
    (if sign { (4 - quad) & 3 } else { quad }, r)
}

/// (sin x, cos x) for |x| < 2^63 given as sign, exponent and 64-bit significand, each with
/// the direction of its error.
pub fn sin_cos(sign: bool, exp: i32, sig64: u64) -> (Dir, Dir) {
    let (q, r) = reduce(sign, exp, sig64);
    let ((s, sb), (c, cb)) = sin_cos_small(r);
    match q {
        0 => ((s, sb), (c, cb)),
        1 => ((c, cb), (s.negated(), sb)),
        2 => ((s.negated(), sb), (c.negated(), cb)),
        _ => ((c.negated(), cb), (s, sb)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Big, b: f64) -> bool {
        (a.to_f64() - b).abs() <= 1e-15 * b.abs().max(1e-300)
    }

    #[test]
    fn functions_match_the_host_roughly() {
        assert!(close(ln(Big::int(10)), 10f64.ln()));
        assert!(close(ln(Big::int(3).over(Big::int(4))), 0.75f64.ln()));
        assert!(close(ln1p(Big::int(1).over(Big::int(5))), 1.2f64.ln()));
        assert!(close(
            exp2m1(Big::int(1).over(Big::int(3))),
            2f64.powf(1.0 / 3.0) - 1.0
        ));
        assert!(close(exp2m1(Big::int(-1)), -0.5));
        assert!(close(
            atan2(Big::int(1), Big::int(1)),
            std::f64::consts::FRAC_PI_4
        ));
        assert!(close(
            atan2(Big::int(-3), Big::int(-4)),
            (-3f64).atan2(-4.0)
        ));
        for v in [0.5f64, 1.0, 2.0, 3.0, 10.0, 100.0, -7.0, 1e6] {
            let b = v.to_bits();
            let e = ((b >> 52) & 0x7ff) as i32 - 1023;
            let sig = ((b & ((1 << 52) - 1)) | (1 << 52)) << 11;
            let ((s, _), (c, _)) = sin_cos(v < 0.0, e, sig);
            // The 66-bit pi of the reduction drifts by n * 2^-68 from the true function.
            let tol = 1e-15 + v.abs() * 1e-20;
            assert!((s.to_f64() - v.sin()).abs() < tol, "sin {v}");
            assert!((c.to_f64() - v.cos()).abs() < tol, "cos {v}");
        }
    }
}
