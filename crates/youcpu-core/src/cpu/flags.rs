//! Arithmetic flag logic, generic over operand width (1, 2, 4 or 8 bytes).
//!
//! Each helper returns the result (masked to the width) and the six status flags as RFLAGS
//! bits; the caller merges them with [`merge`]. Flags the Intel SDM leaves undefined are set
//! as one real core of the chosen [`Vendor`] sets them (the table in [`super::vendor`]); each
//! helper says what it does.

use super::state::rflags::{AF, CF, OF, PF, SF, STATUS, ZF};
use super::vendor::Vendor;

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
/// A table of the 256 bytes, each entry made by folding the byte to a nibble and looking its
/// parity up in the 16-bit constant 0x6996 (bit n set when n has an odd number of ones).
#[inline(always)]
pub fn parity(r: u64) -> u64 {
    u64::from(PF_OF_BYTE[(r & 0xff) as usize])
}

/// [`PF`] (or 0) for each value of the low byte, built at compile time by the nibble fold
/// described at [`parity`]: one load per result instead of the fold.
static PF_OF_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let n = (i ^ (i >> 4)) & 0xf;
        if (0x6996u16 >> n) & 1 == 0 {
            t[i] = PF as u8;
        }
        i += 1;
    }
    t
};

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
    (
        r,
        add_sub(a, b, r, size, c1 || c2 || s2 > m, (a ^ r) & (b ^ r)),
    )
}

/// SUB / SBB / CMP / NEG (Intel SDM vol. 2, SUB, SBB, CMP, NEG as 0 - x): all six flags. CF is
/// the borrow: a < b + borrow, i.e. a < b, or a == b with a borrow in.
#[inline(always)]
pub fn sub(a: u64, b: u64, borrow: bool, size: u32) -> (u64, u64) {
    let m = mask(size);
    let (a, b) = (a & m, b & m);
    let r = a.wrapping_sub(b).wrapping_sub(u64::from(borrow)) & m;
    let cf = a < b || (borrow && a == b);
    (r, add_sub(a, b, r, size, cf, (a ^ b) & (a ^ r)))
}

/// The six flags of an addition or subtraction of `a` and `b` with result `r`: SF, ZF, PF from
/// `r`; CF as given; OF when the sign bit of `overflow` is set (the operation's own formula);
/// AF, the carry or borrow out of bit 3, from bit 4 of `a ^ b ^ r` (the same for both).
#[inline(always)]
fn add_sub(a: u64, b: u64, r: u64, size: u32, cf: bool, overflow: u64) -> u64 {
    let mut f = szp(r, size);
    if cf {
        f |= CF;
    }
    if overflow & sign_bit(size) != 0 {
        f |= OF;
    }
    if (a ^ b ^ r) & 0x10 != 0 {
        f |= AF;
    }
    f
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

/// True when the two top bits of `v` differ: the count-1 OF of SHL, ROL and RCL taken from
/// the operand (Intel), and of every right shift or rotate taken from the result (AMD).
#[inline(always)]
pub fn top2_differ(v: u64, size: u32) -> bool {
    (v & sign_bit(size) != 0) != (v & (sign_bit(size) >> 1) != 0)
}

/// OF of a left shift or rotate (SHL, ROL, RCL, SHLD) whose count-1 definition is
/// MSB(result) XOR CF. For other counts the SDM leaves it undefined: AMD cores apply the same
/// formula to the result; Intel cores give bit w-1 XOR bit w-2 of the operand (`intel_of`).
#[inline(always)]
pub fn left_of(v: Vendor, intel_of: bool, r: u64, cf: bool, size: u32) -> u64 {
    let of = match v {
        Vendor::Intel => intel_of,
        Vendor::Amd => (r & sign_bit(size) != 0) != cf,
    };
    if of {
        OF
    } else {
        0
    }
}

/// OF of a right shift or rotate (SHR, SAR, ROR, RCR, SHRD), whose count-1 definition equals
/// bit w-1 XOR bit w-2 of the result. AMD cores use that for every count; Intel cores apply
/// the count-1 formula to the operands (`intel_of`).
#[inline(always)]
pub fn right_of(v: Vendor, intel_of: bool, r: u64, size: u32) -> u64 {
    let of = match v {
        Vendor::Intel => intel_of,
        Vendor::Amd => top2_differ(r, size),
    };
    if of {
        OF
    } else {
        0
    }
}

/// AF after a shift (undefined by the SDM): Intel cores clear it, AMD cores set it.
#[inline(always)]
pub fn shift_af(v: Vendor) -> u64 {
    match v {
        Vendor::Intel => 0,
        Vendor::Amd => AF,
    }
}

/// SHL/SAL. CF = last bit shifted out (0 once the count exceeds the width); OF see
/// [`left_of`]; AF see [`shift_af`].
#[inline]
pub fn shl(v: Vendor, a: u64, count: u64, size: u32) -> ShiftOut {
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
    let mut f = szp(r, size) | shift_af(v) | left_of(v, top2_differ(a, size), r, cf, size);
    if cf {
        f |= CF;
    }
    (r, Some(f))
}

/// SHR. CF = last bit shifted out; OF = MSB of the operand for count 1 (see [`right_of`]).
#[inline]
pub fn shr(v: Vendor, a: u64, count: u64, size: u32) -> ShiftOut {
    let c = mask_count(count, size);
    let m = mask(size);
    let a = a & m;
    if c == 0 {
        return (a, None);
    }
    let r = if c >= 64 { 0 } else { a >> c };
    let cf = c <= size * 8 && (a >> (c - 1)) & 1 != 0;
    let mut f = szp(r, size) | shift_af(v) | right_of(v, a & sign_bit(size) != 0, r, size);
    if cf {
        f |= CF;
    }
    (r, Some(f))
}

/// SAR. CF = last bit shifted out (the sign once the count reaches the width); OF = 0 (the
/// result's two top bits are both the sign, so AMD's rule gives 0 too).
#[inline]
pub fn sar(v: Vendor, a: u64, count: u64, size: u32) -> ShiftOut {
    let c = mask_count(count, size);
    let m = mask(size);
    if c == 0 {
        return (a & m, None);
    }
    let s = sext(a, size);
    let r = (s >> c.min(63)) as u64 & m;
    let cf = (s >> (c - 1).min(63)) & 1 != 0;
    let mut f = szp(r, size) | shift_af(v);
    if cf {
        f |= CF;
    }
    (r, Some(f))
}

/// ROL and ROR's shared step (Intel SDM vol. 2, ROL/ROR "Operation"): the operand masked to
/// its width and rotated left or right by the count modulo the width, or `None` for a masked
/// count of 0 (no flag changes).
#[inline]
fn rotate(a: u64, count: u64, size: u32, left: bool) -> Option<(u64, u64)> {
    let c = mask_count(count, size);
    let m = mask(size);
    let a = a & m;
    if c == 0 {
        return None;
    }
    let bits = size * 8;
    let n = c % bits;
    let r = if n == 0 {
        a
    } else if left {
        ((a << n) | (a >> (bits - n))) & m
    } else {
        ((a >> n) | (a << (bits - n))) & m
    };
    Some((a, r))
}

/// ROL: only CF and OF change. CF = LSB(result); OF = MSB(result) XOR CF for count 1 (see
/// [`left_of`] for other counts).
pub fn rol(v: Vendor, a: u64, count: u64, size: u32) -> ShiftOut {
    let Some((a, r)) = rotate(a, count, size, true) else {
        return (a & mask(size), None);
    };
    let cf = r & 1 != 0;
    let f = if cf { CF } else { 0 } | left_of(v, top2_differ(a, size), r, cf, size);
    (r, Some(f))
}

/// ROR: only CF and OF change. CF = MSB(result); OF = bit w-1 XOR bit w-2 of the result for
/// count 1, i.e. bit 0 XOR bit w-1 of the operand (see [`right_of`] for other counts).
pub fn ror(v: Vendor, a: u64, count: u64, size: u32) -> ShiftOut {
    let Some((a, r)) = rotate(a, count, size, false) else {
        return (a & mask(size), None);
    };
    let msb = r & sign_bit(size) != 0;
    let intel_of = (a & 1 != 0) != (a & sign_bit(size) != 0);
    let f = if msb { CF } else { 0 } | right_of(v, intel_of, r, size);
    (r, Some(f))
}

/// RCL and RCR's shared step (Intel SDM vol. 2, RCL/RCR "Operation"): the (width+1)-bit value
/// CF:a rotated left or right by the count modulo width+1 (9 and 17 for 8 and 16 bits). The
/// masked operand, the result and the new CF; `None` where nothing changes: a masked count
/// of 0, or a multiple of width+1 on Intel cores (AMD cores still write OF then, CF coming
/// back as it was).
#[inline]
fn rotate_through_carry(
    v: Vendor,
    a: u64,
    count: u64,
    size: u32,
    cf_in: bool,
    left: bool,
) -> Option<(u64, u64, bool)> {
    let c = mask_count(count, size);
    let m = mask(size);
    let a = a & m;
    if c == 0 {
        return None;
    }
    let bits = size * 8;
    let n = c % (bits + 1);
    if n == 0 && v == Vendor::Intel {
        return None;
    }
    let w = (u128::from(cf_in) << bits) | u128::from(a);
    let total = bits + 1;
    let full = (1u128 << total) - 1;
    let rot = if n == 0 {
        w
    } else if left {
        ((w << n) | (w >> (total - n))) & full
    } else {
        ((w >> n) | (w << (total - n))) & full
    };
    Some((a, (rot as u64) & m, (rot >> bits) & 1 != 0))
}

/// RCL: rotate left through CF. OF = MSB(result) XOR new CF for count 1 (see [`left_of`]).
/// A count that is a multiple of width+1 turns the value once round: Intel cores then change
/// nothing, AMD cores still write OF (CF comes back as it was).
pub fn rcl(v: Vendor, a: u64, count: u64, size: u32, cf_in: bool) -> ShiftOut {
    let Some((a, r, cf)) = rotate_through_carry(v, a, count, size, cf_in, true) else {
        return (a & mask(size), None);
    };
    let f = if cf { CF } else { 0 } | left_of(v, top2_differ(a, size), r, cf, size);
    (r, Some(f))
}

/// RCR: rotate right through CF. OF = MSB(operand) XOR CF-in for count 1 (Intel SDM vol. 2,
/// RCR), which equals bit w-1 XOR bit w-2 of the result (see [`right_of`] for other counts;
/// full turns as for [`rcl`]).
pub fn rcr(v: Vendor, a: u64, count: u64, size: u32, cf_in: bool) -> ShiftOut {
    let Some((a, r, cf)) = rotate_through_carry(v, a, count, size, cf_in, false) else {
        return (a & mask(size), None);
    };
    let intel_of = (a & sign_bit(size) != 0) != cf_in;
    let f = if cf { CF } else { 0 } | right_of(v, intel_of, r, size);
    (r, Some(f))
}

/// SHLD / SHRD (Intel SDM vol. 2): dest shifted by the masked count, filled from src. CF =
/// last bit out; OF = sign change for count 1 ([`left_of`] / [`right_of`] otherwise); SF, ZF,
/// PF from the result; AF see [`shift_af`]. A 16-bit form with a count of 17..31 has an
/// undefined result: Intel cores shift the 48-bit dest:src:dest, AMD cores shift src:src
/// after dest (SHLD) or before it (SHRD) and clear CF and OF. `None`: count 0, nothing changes.
pub fn shift_double(v: Vendor, left: bool, a: u64, s: u64, count: u64, size: u32) -> ShiftOut {
    let c = mask_count(count, size);
    let m = mask(size);
    let (a, s) = (a & m, s & m);
    if c == 0 {
        return (a, None);
    }
    let bits = size * 8;
    let (x, xbits) = if size == 2 {
        let fill = match v {
            Vendor::Intel => a,
            Vendor::Amd => s,
        };
        let x = if left {
            (u128::from(a) << 32) | (u128::from(s) << 16) | u128::from(fill)
        } else {
            (u128::from(fill) << 32) | (u128::from(s) << 16) | u128::from(a)
        };
        (x, 48)
    } else if left {
        ((u128::from(a) << bits) | u128::from(s), 2 * bits)
    } else {
        ((u128::from(s) << bits) | u128::from(a), 2 * bits)
    };
    let (r, mut cf) = if left {
        (
            (((x << c) >> (xbits - bits)) as u64) & m,
            (x >> (xbits - c)) & 1 != 0,
        )
    } else {
        (((x >> c) as u64) & m, (x >> (c - 1)) & 1 != 0)
    };
    let past_width = c > bits;
    if past_width && v == Vendor::Amd {
        cf = false;
    }
    let mut f = szp(r, size) | shift_af(v);
    if cf {
        f |= CF;
    }
    f |= if past_width && v == Vendor::Amd {
        0
    } else if left {
        left_of(v, top2_differ(a, size), r, cf, size)
    } else {
        right_of(v, (a & sign_bit(size) != 0) != (s & 1 != 0), r, size)
    };
    (r, Some(f))
}

/// The flags after MUL/IMUL (Intel SDM vol. 2, MUL, IMUL): CF = OF = "the high half is
/// significant" (`overflow`). SF, ZF, AF and PF are undefined: Intel cores set SF and PF from
/// the low half and clear ZF and AF; AMD cores leave all four as they were (`before`).
pub fn mul(v: Vendor, before: u64, lo: u64, size: u32, overflow: bool) -> u64 {
    let undefined = match v {
        Vendor::Intel => szp(lo, size) & !ZF,
        Vendor::Amd => before & (SF | ZF | AF | PF),
    };
    let f = undefined | if overflow { CF | OF } else { 0 };
    merge(before, f, STATUS)
}

/// The flags after a DIV/IDIV that did not fault: all six are undefined. Intel cores leave
/// them as they were; AMD cores clear SF, ZF and PF, set AF and keep CF and OF.
pub fn div(v: Vendor, before: u64) -> u64 {
    match v {
        Vendor::Intel => before,
        Vendor::Amd => merge(before, AF, SF | ZF | AF | PF),
    }
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
                    let (r, f) = shl(Vendor::Intel, a, count, size);
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

    /// Where the manuals leave flags undefined, each profile gives what its recorded core
    /// gave (values from `tests/data/cpu/flags_grid.*`).
    #[test]
    fn vendors_fill_undefined_flags_their_own_way() {
        use Vendor::{Amd, Intel};
        // DIV: Intel keeps the flags, AMD clears SF ZF PF and sets AF.
        assert_eq!(div(Intel, 0x202), 0x202);
        assert_eq!(div(Amd, 0x202), 0x212);
        assert_eq!(div(Amd, 0xad7), 0xa13);
        // MUL 0 * 0 from all status flags set: Intel computes SF/PF, clears ZF/AF.
        assert_eq!(mul(Intel, 0xad7, 0, 1, false), 0x206);
        assert_eq!(mul(Amd, 0xad7, 0, 1, false), 0x2d6);
        assert_eq!(mul(Amd, 0x202, 0, 8, true), 0xa03);
        // SHL 1 by 7 = 0x80, CF 0: OF from the operand (Intel) or the result (AMD).
        assert_eq!(shl(Intel, 1, 7, 1), (0x80, Some(SF)));
        assert_eq!(shl(Amd, 1, 7, 1), (0x80, Some(SF | AF | OF)));
        // Count 1: both vendors agree on OF (defined), differ only in AF.
        assert_eq!(shr(Intel, 0x80, 1, 1), (0x40, Some(OF)));
        assert_eq!(shr(Amd, 0x80, 1, 1), (0x40, Some(OF | AF)));
        // RCL by 9 turns a byte once round: Intel changes nothing, AMD writes OF.
        assert_eq!(rcl(Intel, 0x81, 9, 1, true), (0x81, None));
        assert_eq!(rcl(Amd, 0x81, 9, 1, true), (0x81, Some(CF)));
        assert_eq!(rcl(Amd, 0x41, 9, 1, false), (0x41, Some(0)));
        assert_eq!(rcr(Amd, 0x41, 18, 1, false), (0x41, Some(OF)));
        // 16-bit SHLD/SHRD past 16: different results, AMD clears CF and OF.
        assert_eq!(shift_double(Intel, true, 0x7f, 0x7788, 31, 2).0, 0x3f);
        assert_eq!(
            shift_double(Amd, true, 0x7f, 0x7788, 31, 2),
            (0x3bc4, Some(AF))
        );
        assert_eq!(
            shift_double(Amd, false, 0, 0x7788, 31, 2),
            (0xef10, Some(SF | AF))
        );
        // Masked count 0 changes nothing on either.
        for v in Vendor::ALL {
            assert_eq!(shl(v, 5, 32, 4), (5, None));
            assert_eq!(shift_double(v, true, 5, 6, 64, 8), (5, None));
        }
    }
}
