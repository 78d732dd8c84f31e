//! A 128-bit-significand float for the x87 transcendentals: truncating add, multiply, divide
//! and square root, about 125 correct bits each, enough to round a 64-bit result correctly
//! but in rare near-halfway cases (Intel documents its own results as within 1 ulp).

use super::ops::Exact;

/// sign * sig / 2^127 * 2^exp; `sig` has bit 127 set, or is 0 for zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Big {
    /// Negative.
    pub sign: bool,
    /// Exponent.
    pub exp: i32,
    /// Significand.
    pub sig: u128,
}

impl Big {
    /// Zero.
    pub const ZERO: Big = Big::positive(0, 0);
    /// One.
    pub const ONE: Big = Big::positive(0, 1 << 127);
    /// ln 2.
    pub const LN2: Big = Big::positive(-1, 0xb172_17f7_d1cf_79ab_c9e3_b398_03f2_f6af);
    /// log2(e) = 1 / ln 2.
    pub const LOG2E: Big = Big::positive(0, 0xb8aa_3b29_5c17_f0bb_be87_fed0_691d_3e89);
    /// pi.
    pub const PI: Big = Big::positive(1, 0xc90f_daa2_2168_c234_c4c6_628b_80dc_1cd1);

    /// A positive value `sig / 2^127 * 2^exp` (the constants above).
    const fn positive(exp: i32, sig: u128) -> Big {
        Big {
            sign: false,
            exp,
            sig,
        }
    }

    /// From sign, exponent and a 64-bit significand with its leading one at bit 63.
    pub fn from_parts(sign: bool, exp: i32, sig64: u64) -> Big {
        Big {
            sign,
            exp,
            sig: u128::from(sig64) << 64,
        }
        .norm()
    }

    /// A small integer.
    pub fn int(v: i64) -> Big {
        Big {
            sign: v < 0,
            exp: 127,
            sig: u128::from(v.unsigned_abs()),
        }
        .norm()
    }

    /// True for zero.
    pub fn is_zero(self) -> bool {
        self.sig == 0
    }

    fn norm(mut self) -> Big {
        if self.sig == 0 {
            return Big::ZERO;
        }
        let lz = self.sig.leading_zeros();
        self.sig <<= lz;
        self.exp -= lz as i32;
        self
    }

    /// Negated.
    pub fn negated(self) -> Big {
        Big {
            sign: !self.sign && !self.is_zero(),
            ..self
        }
    }

    /// Times 2^k.
    pub fn scale(self, k: i32) -> Big {
        if self.is_zero() {
            self
        } else {
            Big {
                exp: self.exp + k,
                ..self
            }
        }
    }

    /// self + o.
    pub fn plus(self, o: Big) -> Big {
        if self.is_zero() {
            return o;
        }
        if o.is_zero() {
            return self;
        }
        let (a, b) = if (self.exp, self.sig) >= (o.exp, o.sig) {
            (self, o)
        } else {
            (o, self)
        };
        let d = (a.exp - b.exp) as u32;
        // One guard bit of headroom: significands at bit 126.
        let x = a.sig >> 1;
        let y = if d >= 127 { 0 } else { (b.sig >> 1) >> d };
        let s = if a.sign == b.sign { x + y } else { x - y };
        Big {
            sign: a.sign,
            exp: a.exp + 1,
            sig: s,
        }
        .norm()
    }

    /// self - o.
    pub fn minus(self, o: Big) -> Big {
        self.plus(o.negated())
    }

    /// self * o.
    pub fn times(self, o: Big) -> Big {
        if self.is_zero() || o.is_zero() {
            return Big::ZERO;
        }
        let (a1, a0) = ((self.sig >> 64) as u64, self.sig as u64);
        let (b1, b0) = ((o.sig >> 64) as u64, o.sig as u64);
        let hh = u128::from(a1) * u128::from(b1);
        let hl = u128::from(a1) * u128::from(b0);
        let lh = u128::from(a0) * u128::from(b1);
        let ll = u128::from(a0) * u128::from(b0);
        let mid = (hl & u128::from(u64::MAX)) + (lh & u128::from(u64::MAX)) + (ll >> 64);
        let hi = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
        // hi holds the top 128 bits of a 256-bit product in [2^254, 2^256).
        let lo_top = (mid as u64) as u128;
        let (sig, exp) = if hi >> 127 != 0 {
            (hi, self.exp + o.exp + 1)
        } else {
            ((hi << 1) | (lo_top >> 63), self.exp + o.exp)
        };
        Big {
            sign: self.sign != o.sign,
            exp,
            sig,
        }
    }

    /// self / o (o nonzero).
    pub fn over(self, o: Big) -> Big {
        if self.is_zero() || o.is_zero() {
            return Big::ZERO;
        }
        let (n, d) = (self.sig, o.sig);
        let (mut r, mut q, exp) = if n >= d {
            (n - d, 1u128, self.exp - o.exp)
        } else {
            // n / d in [1/2, 1): the first quotient bit comes after one doubling.
            ((n << 1).wrapping_sub(d), 1u128, self.exp - o.exp - 1)
        };
        for _ in 0..127 {
            let top = r >> 127 != 0;
            let r2 = r << 1;
            q <<= 1;
            if top || r2 >= d {
                r = r2.wrapping_sub(d);
                q |= 1;
            } else {
                r = r2;
            }
        }
        Big {
            sign: self.sign != o.sign,
            exp,
            sig: q,
        }
    }

    /// The square root (self >= 0), by Newton's method from a double estimate.
    pub fn sqrt(self) -> Big {
        if self.is_zero() {
            return self;
        }
        let approx = (self.sig >> 75) as f64 / (1u64 << 52) as f64;
        let (m, e) = if self.exp & 1 == 0 {
            (approx, self.exp)
        } else {
            (approx * 2.0, self.exp - 1)
        };
        let s = m.sqrt();
        let mut y = Big {
            sign: false,
            exp: e / 2,
            sig: ((s * (1u64 << 62) as f64) as u128) << 65,
        }
        .norm();
        for _ in 0..3 {
            y = y.plus(self.over(y)).scale(-1);
        }
        y
    }

    /// As an exact value for the rounding routines (sticky bit set: the value is not exact).
    pub fn to_exact(self) -> Exact {
        self.inexact(false)
    }

    /// As an exact value whose true magnitude lies just below the computed one (the first
    /// neglected term of an alternating series points down).
    pub fn to_exact_below(self) -> Exact {
        self.inexact(true)
    }

    /// [`to_exact`](Self::to_exact) (`below == false`: the sticky bit set) or
    /// [`to_exact_below`](Self::to_exact_below) (one unit of the last place less).
    fn inexact(self, below: bool) -> Exact {
        if self.is_zero() {
            Exact::Zero(self.sign)
        } else {
            Exact::Finite {
                sign: self.sign,
                exp: self.exp,
                sig: if below { self.sig - 1 } else { self.sig | 1 },
            }
        }
    }

    /// As an f64 (for comparisons in range reduction).
    pub fn to_f64(self) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        let m = (self.sig >> 75) as f64 / (1u64 << 52) as f64;
        let v = m * 2f64.powi(self.exp.clamp(-1100, 1100));
        if self.sign {
            -v
        } else {
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_close_to_the_host() {
        let x = Big::int(3).over(Big::int(7));
        assert!((x.to_f64() - 3.0 / 7.0).abs() < 1e-16);
        let y = x.times(Big::int(7));
        assert!((y.to_f64() - 3.0).abs() < 1e-15);
        assert!((Big::int(2).sqrt().to_f64() - 2f64.sqrt()).abs() < 3e-16);
        let r = Big::int(2).sqrt();
        assert!((r.times(r).minus(Big::int(2))).to_f64().abs() < 1e-35);
        assert!((Big::int(5).minus(Big::int(8)).to_f64() + 3.0).abs() < 1e-16);
        assert!(
            (Big::PI.times(Big::LN2).to_f64() - std::f64::consts::PI * std::f64::consts::LN_2)
                .abs()
                < 1e-15
        );
    }
}
