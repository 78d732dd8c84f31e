//! Conversions (Intel SDM vol. 2 CVTSD2SI, CVTTSD2SI, CVTSI2SD, CVTSD2SS, CVTSS2SD and their
//! packed forms): float to integer rounded by MXCSR.RC or truncated, with the "integer
//! indefinite" (the most negative integer) for NaNs and out-of-range values; integer to float
//! rounded by MXCSR.RC; and between binary32 and binary64.

use super::ops::round_keep;
use super::{flag, round_pack, unpack, Env, Fmt, Kind, Rc, F32, F64};

/// Float to a signed integer of `bits` (32 or 64), rounded by `env.rc` or truncated; the
/// result is the integer's bits (zero-extended). NaN and out of range: the integer indefinite
/// (1 << (bits - 1)) and IE; inexact: PE. No DE (the SDM lists only #I and #P).
pub fn to_int(f: Fmt, a: u64, bits: u32, truncate: bool, env: &mut Env) -> u64 {
    let indefinite = 1u64 << (bits - 1);
    if f.is_nan(a) {
        env.flags |= flag::IE;
        return indefinite;
    }
    let before = env.flags;
    let x = unpack(f, a, env);
    env.flags = before | (env.flags & !flag::DE);
    let rc = if truncate { Rc::Zero } else { env.rc };
    match x.kind {
        Kind::Zero => 0,
        Kind::Inf | Kind::Nan => {
            env.flags |= flag::IE;
            indefinite
        }
        Kind::Finite => {
            if x.exp >= bits as i32 {
                env.flags |= flag::IE;
                return indefinite;
            }
            let (k, inexact) = round_keep(u128::from(x.sig) << 64, x.exp + 1, x.sign, rc);
            let Some(v) = signed(k, x.sign, inexact, bits, env) else {
                return indefinite;
            };
            if bits == 64 {
                v
            } else {
                v & 0xffff_ffff
            }
        }
    }
}

/// The rounded magnitude `k` with its sign as a `bits`-bit two's-complement integer (not yet
/// masked to `bits`), for the SSE and x87 conversions alike (Intel SDM vol. 1 §4.8.3.7 and
/// §8.2.2 "integer indefinite"): in range when |k| <= 2^(bits-1) - 1, or exactly 2^(bits-1)
/// when negative; else IE and `None` (the caller returns the indefinite). PE when inexact.
pub(crate) fn signed(k: u128, sign: bool, inexact: bool, bits: u32, env: &mut Env) -> Option<u64> {
    let limit = 1u128 << (bits - 1);
    if k > limit || (k == limit && !sign) {
        env.flags |= flag::IE;
        return None;
    }
    if inexact {
        env.flags |= flag::PE;
    }
    Some(if sign {
        (k as u64).wrapping_neg()
    } else {
        k as u64
    })
}

/// A signed integer to float, rounded by `env.rc` (PE when inexact).
pub fn from_int(f: Fmt, v: i64, env: &mut Env) -> u64 {
    if v == 0 {
        return 0;
    }
    let sign = v < 0;
    let m = v.unsigned_abs();
    let lz = m.leading_zeros();
    round_pack(f, sign, 63 - lz as i32, u128::from(m << lz) << 64, env)
}

/// Between formats: `from` to `to`. NaNs keep sign and the payload's top bits, quieted (IE for
/// a signalling one); denormal inputs raise DE (or read as zero under DAZ).
pub fn convert(from: Fmt, to: Fmt, a: u64, env: &mut Env) -> u64 {
    if from.is_nan(a) {
        if from.is_snan(a) {
            env.flags |= flag::IE;
        }
        let sign = a & from.sign() != 0;
        let payload = a & from.frac_mask();
        let p = if to.frac >= from.frac {
            payload << (to.frac - from.frac)
        } else {
            payload >> (from.frac - to.frac)
        };
        return to.zero(sign) | to.exp_mask() | to.quiet() | p;
    }
    let x = unpack(from, a, env);
    match x.kind {
        Kind::Zero => to.zero(x.sign),
        Kind::Inf | Kind::Nan => to.inf(x.sign),
        Kind::Finite => round_pack(to, x.sign, x.exp, u128::from(x.sig) << 64, env),
    }
}

/// CVTSD2SS on one lane.
pub fn f64_to_f32(a: u64, env: &mut Env) -> u32 {
    convert(F64, F32, a, env) as u32
}

/// CVTSS2SD on one lane.
pub fn f32_to_f64(a: u32, env: &mut Env) -> u64 {
    convert(F32, F64, u64::from(a), env)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(rc: Rc) -> Env {
        Env::plain(rc)
    }

    #[test]
    fn float_to_int_rounds_and_saturates_to_indefinite() {
        let mut e = env(Rc::Nearest);
        assert_eq!(to_int(F64, 2.5f64.to_bits(), 32, false, &mut e), 2);
        assert_eq!(
            to_int(F64, (-2.5f64).to_bits(), 32, true, &mut e),
            (-2i32) as u32 as u64
        );
        assert_eq!(
            to_int(F64, 2147483648.0f64.to_bits(), 32, true, &mut e),
            0x8000_0000
        );
        assert_eq!(e.flags & flag::IE, flag::IE);
        let mut e = env(Rc::Nearest);
        assert_eq!(
            to_int(F64, (-2147483648.0f64).to_bits(), 32, true, &mut e),
            0x8000_0000
        );
        assert_eq!(e.flags, 0);
        assert_eq!(to_int(F64, 9.3e18f64.to_bits(), 64, true, &mut e), 1 << 63);
    }

    #[test]
    fn int_to_float_and_between_formats() {
        let mut e = env(Rc::Nearest);
        assert_eq!(from_int(F64, -7, &mut e), (-7.0f64).to_bits());
        assert_eq!(
            from_int(F64, (1 << 53) + 1, &mut e),
            9007199254740992.0f64.to_bits()
        );
        assert_eq!(e.flags, flag::PE);
        let mut e = env(Rc::Up);
        assert_eq!(
            from_int(F64, (1 << 53) + 1, &mut e),
            9007199254740994.0f64.to_bits()
        );
        let mut e = env(Rc::Nearest);
        assert_eq!(f64_to_f32(0.1f64.to_bits(), &mut e), 0.1f32.to_bits());
        assert_eq!(
            f32_to_f64(0.1f32.to_bits(), &mut e),
            f64::from(0.1f32).to_bits()
        );
        assert_eq!(f32_to_f64(0x7f80_0001, &mut e), 0x7ff8_0000_2000_0000);
    }
}
