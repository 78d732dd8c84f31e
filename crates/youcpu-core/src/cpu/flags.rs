//! Arithmetic flag logic, generic over operand width (1, 2, 4 or 8 bytes).
//!
//! Each helper returns the result (masked to the width) and the six status flags as RFLAGS
//! bits; the caller merges them with [`merge`]. Flags the Intel SDM leaves undefined are set
//! the way the Intel cores we record from do (see `tests/cpu_flags_native.rs`): AF = 0 after
//! logic ops, shifts and rotates compute OF for every count as for count 1, and so on; each
//! helper says what it does.

use super::state::rflags::{AF, CF, OF, PF, SF, STATUS, ZF};

/// All-ones mask of `size` bytes.
#[inline(always)]
pub fn mask(size: u32) -> u64 {
    if size >= 8 {
        u64::MAX
    } else {
        (1u64 << (size * 8)) - 1
    }
}

/// The sign bit of `size` bytes.
#[inline(always)]
pub fn sign_bit(size: u32) -> u64 {
    1u64 << (size * 8 - 1)
}

/// Sign-extends the low `size` bytes of `v` to 64 bits.
#[inline]
pub fn sext(v: u64, size: u32) -> i64 {
    let sh = 64 - size * 8;
    ((v << sh) as i64) >> sh
}

/// PF: set when the low byte of the result has an even number of ones (Intel SDM vol. 1 §3.4.3.1).
/// Folds the byte to a nibble and looks its parity up in the 16-bit constant 0x6996 (bit n
/// set when n has an odd number of ones): a few ALU operations, also in wasm.
#[inline(always)]
pub fn parity(r: u64) -> u64 {
    let b = r as u8;
    let n = (b ^ (b >> 4)) & 0xf;
    if (0x6996u16 >> n) & 1 == 0 {
        PF
    } else {
        0
    }
}

/// SF, ZF and PF of a result.
#[inline(always)]
pub fn szp(r: u64, size: u32) -> u64 {
    let mut f = parity(r);
    if r & mask(size) == 0 {
        f |= ZF;
    }
    if r & sign_bit(size) != 0 {
        f |= SF;
    }
    f
}

/// Replaces the bits in `which` of `rflags` with those of `new`.
#[inline(always)]
pub fn merge(rflags: u64, new: u64, which: u64) -> u64 {
    (rflags & !which) | (new & which)
}

/// ADD / ADC (Intel SDM vol. 2, ADD, ADC): all six flags. CF is the carry out of the top
/// bit: for 64-bit operands the overflow of the two additions, for narrower ones a sum above
/// the mask (it cannot overflow 64 bits).
#[inline(always)]
pub fn add(a: u64, b: u64, carry: bool, size: u32) -> (u64, u64) {
    let m = mask(size);
    let (a, b) = (a & m, b & m);
    let (s1, c1) = a.overflowing_add(b);
    let (s2, c2) = s1.overflowing_add(u64::from(carry));
    let r = s2 & m;
    let mut f = szp(r, size);
    if c1 || c2 || s2 > m {
        f |= CF;
    }
    if (a ^ r) & (b ^ r) & sign_bit(size) != 0 {
        f |= OF;
    }
    if (a ^ b ^ r) & 0x10 != 0 {
        f |= AF;
    }
    (r, f)
}

/// SUB / SBB / CMP / NEG (Intel SDM vol. 2, SUB, SBB, CMP, NEG as 0 - x): all six flags. CF is
/// the borrow: a < b + borrow, i.e. a < b, or a == b with a borrow in.
#[inline(always)]
pub fn sub(a: u64, b: u64, borrow: bool, size: u32) -> (u64, u64) {
    let m = mask(size);
    let (a, b) = (a & m, b & m);
    let r = a.wrapping_sub(b).wrapping_sub(u64::from(borrow)) & m;
    let mut f = szp(r, size);
    if a < b || (borrow && a == b) {
        f |= CF;
    }
    if (a ^ b) & (a ^ r) & sign_bit(size) != 0 {
        f |= OF;
    }
    if (a ^ b ^ r) & 0x10 != 0 {
        f |= AF;
    }
    (r, f)
}

/// AND / OR / XOR / TEST: OF = CF = 0; SF, ZF, PF from the result; AF (undefined) = 0.
#[inline(always)]
pub fn logic(r: u64, size: u32) -> u64 {
    szp(r & mask(size), size)
}

/// The flags a shift or rotate changes, or `None` when the masked count is 0 (flags kept).
pub type ShiftOut = (u64, Option<u64>);

/// Masks a shift count: 6 bits for 64-bit operands, 5 otherwise (Intel SDM vol. 2, SAL/SAR/SHL/SHR).
#[inline]
pub fn mask_count(count: u64, size: u32) -> u32 {
    (count & if size == 8 { 0x3f } else { 0x1f }) as u32
}

/// SHL/SAL. CF = last bit shifted out (0 once the count exceeds the width); OF (defined for
/// count 1 as MSB(result) XOR CF, i.e. bit w-1 XOR bit w-2 of the operand) is that same
/// operand formula for every count on the recorded Intel cores; AF (undefined) = 0.
#[inline]
pub fn shl(a: u64, count: u64, size: u32) -> ShiftOut {
    let c = mask_count(count, size);
    let m = mask(size);
    if c == 0 {
        return (a & m, None);
    }
    let a = a & m;
    let bits = size * 8;
    // c is 1..=63 here: the last bit out is bit (width - c) of the operand, none once the
    // count exceeds the width.
    let r = (a << c) & m;
    let cf = c <= bits && (a >> (bits - c)) & 1 != 0;
    let mut f = szp(r, size);
    if cf {
        f |= CF;
    }
    if top2_differ(a, size) {
        f |= OF;
    }
    (r, Some(f))
}

/// SHR. CF = last bit shifted out; OF = MSB of the original operand (count 1; same otherwise).
#[inline]
pub fn shr(a: u64, count: u64, size: u32) -> ShiftOut {
    let c = mask_count(count, size);
    let m = mask(size);
    let a = a & m;
    if c == 0 {
        return (a, None);
    }
    let r = if c >= 64 { 0 } else { a >> c };
    let cf = c <= size * 8 && (a >> (c - 1)) & 1 != 0;
    let mut f = szp(r, size);
    if cf {
        f |= CF;
    }
    if a & sign_bit(size) != 0 {
        f |= OF;
    }
    (r, Some(f))
}

/// SAR. CF = last bit shifted out (the sign once the count reaches the width); OF = 0.
#[inline]
pub fn sar(a: u64, count: u64, size: u32) -> ShiftOut {
    let c = mask_count(count, size);
    let m = mask(size);
    if c == 0 {
        return (a & m, None);
    }
    let s = sext(a, size);
    let r = (s >> c.min(63)) as u64 & m;
    let cf = (s >> (c - 1).min(63)) & 1 != 0;
    let mut f = szp(r, size);
    if cf {
        f |= CF;
    }
    (r, Some(f))
}

/// ROL: only CF and OF change. CF = LSB(result); OF = MSB(result) XOR CF for count 1, which is
/// bit w-1 XOR bit w-2 of the operand; the recorded Intel cores use that for every count.
pub fn rol(a: u64, count: u64, size: u32) -> ShiftOut {
    let c = mask_count(count, size);
    let m = mask(size);
    let a = a & m;
    if c == 0 {
        return (a, None);
    }
    let bits = size * 8;
    let n = c % bits;
    let r = if n == 0 {
        a
    } else {
        ((a << n) | (a >> (bits - n))) & m
    };
    let cf = r & 1 != 0;
    let mut f = if cf { CF } else { 0 };
    if top2_differ(a, size) {
        f |= OF;
    }
    (r, Some(f))
}

/// ROR: only CF and OF change. CF = MSB(result); OF (count 1: MSB(result) XOR the bit below
/// it, i.e. bit 0 XOR bit w-1 of the operand) uses that operand formula for every count.
pub fn ror(a: u64, count: u64, size: u32) -> ShiftOut {
    let c = mask_count(count, size);
    let m = mask(size);
    let a = a & m;
    if c == 0 {
        return (a, None);
    }
    let bits = size * 8;
    let n = c % bits;
    let r = if n == 0 {
        a
    } else {
        ((a >> n) | (a << (bits - n))) & m
    };
    let msb = r & sign_bit(size) != 0;
    let mut f = if msb { CF } else { 0 };
    if (a & 1 != 0) != (a & sign_bit(size) != 0) {
        f |= OF;
    }
    (r, Some(f))
}

/// RCL: rotate left through CF over width+1 bits; count taken modulo 9/17 for 8/16 bits.
/// OF (count 1: MSB(result) XOR new CF = bit w-1 XOR bit w-2 of the operand) uses that operand
/// formula for every count, as the recorded Intel cores do.
pub fn rcl(a: u64, count: u64, size: u32, cf_in: bool) -> ShiftOut {
    let c = mask_count(count, size);
    let m = mask(size);
    let a = a & m;
    if c == 0 {
        return (a, None);
    }
    let bits = size * 8;
    let n = c % (bits + 1);
    if n == 0 {
        // A full turn through CF: value and flags stay as they were (recorded Intel cores).
        return (a, None);
    }
    // The (width+1)-bit value CF:a, rotated left n times.
    let w = (u128::from(cf_in) << bits) | u128::from(a);
    let total = bits + 1;
    let full = (1u128 << total) - 1;
    let rot = if n == 0 {
        w
    } else {
        ((w << n) | (w >> (total - n))) & full
    };
    let r = (rot as u64) & m;
    let cf = (rot >> bits) & 1 != 0;
    let mut f = if cf { CF } else { 0 };
    if top2_differ(a, size) {
        f |= OF;
    }
    (r, Some(f))
}

/// True when the two top bits of the operand differ (the count-1 OF of SHL, ROL, RCL).
#[inline]
fn top2_differ(a: u64, size: u32) -> bool {
    (a & sign_bit(size) != 0) != (a & (sign_bit(size) >> 1) != 0)
}

/// RCR: rotate right through CF. OF = MSB(original) XOR CF-in (Intel SDM vol. 2, RCR, count 1;
/// the recorded Intel cores use it for every count).
pub fn rcr(a: u64, count: u64, size: u32, cf_in: bool) -> ShiftOut {
    let c = mask_count(count, size);
    let m = mask(size);
    let a = a & m;
    if c == 0 {
        return (a, None);
    }
    let bits = size * 8;
    let n = c % (bits + 1);
    if n == 0 {
        return (a, None);
    }
    let w = (u128::from(cf_in) << bits) | u128::from(a);
    let total = bits + 1;
    let full = (1u128 << total) - 1;
    let rot = if n == 0 {
        w
    } else {
        ((w >> n) | (w << (total - n))) & full
    };
    let r = (rot as u64) & m;
    let cf = (rot >> bits) & 1 != 0;
    let mut f = if cf { CF } else { 0 };
    if (a & sign_bit(size) != 0) != cf_in {
        f |= OF;
    }
    (r, Some(f))
}

/// The status flags mask, re-exported for callers that merge all six.
pub const ALL: u64 = STATUS;

#[cfg(test)]
mod tests {
    use super::*;

    /// Operands around every width's edges.
    fn values() -> Vec<u64> {
        let mut v = vec![
            0, 1, 2, 0xf, 0x10, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
        ];
        v.extend([
            0x1_0000,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            0x1_0000_0000,
        ]);
        v.extend([
            0x7fff_ffff_ffff_ffff,
            0x8000_0000_0000_0000,
            u64::MAX,
            0x1234_5678_9abc_def0,
        ]);
        v
    }

    /// The carry/borrow and parity as the SDM defines them, computed in 128 bits and by
    /// counting bits: the shortcut forms above must agree on every width and carry-in.
    #[test]
    fn add_sub_shl_parity_match_wide_definitions() {
        for size in [1u32, 2, 4, 8] {
            let m = mask(size);
            for &a in &values() {
                for &b in &values() {
                    for c in [false, true] {
                        let (a, b) = (a & m, b & m);
                        let wide = u128::from(a) + u128::from(b) + u128::from(c);
                        let (r, f) = add(a, b, c, size);
                        assert_eq!(r, wide as u64 & m, "add {a:#x} {b:#x} {c} {size}");
                        assert_eq!(f & CF != 0, wide > u128::from(m), "add CF {a:#x} {b:#x}");
                        let (r, f) = sub(a, b, c, size);
                        let borrow = u128::from(a) < u128::from(b) + u128::from(c);
                        assert_eq!(r, a.wrapping_sub(b).wrapping_sub(u64::from(c)) & m);
                        assert_eq!(f & CF != 0, borrow, "sub CF {a:#x} {b:#x} {c} {size}");
                    }
                }
            }
        }
        for size in [1u32, 2, 4, 8] {
            let m = mask(size);
            for &a in &values() {
                for count in 0..70u64 {
                    let c = mask_count(count, size);
                    let wide = u128::from(a & m) << c;
                    let (r, f) = shl(a, count, size);
                    assert_eq!(r, wide as u64 & m, "shl {a:#x} {count} {size}");
                    if let Some(f) = f {
                        let cf = (wide >> (size * 8)) & 1 != 0;
                        assert_eq!(f & CF != 0, cf, "shl CF {a:#x} {count} {size}");
                    } else {
                        assert_eq!(c, 0);
                    }
                }
            }
        }
        for x in 0..=0x1ffu64 {
            let even = (x as u8).count_ones().is_multiple_of(2);
            assert_eq!(parity(x) == PF, even, "parity of {x:#x}");
        }
    }
}
