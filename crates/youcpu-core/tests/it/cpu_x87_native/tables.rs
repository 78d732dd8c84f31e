//! The operand grids and input tables of the x87 oracle: control words (masked and unmasked),
//! 80-bit, 64-bit, 32-bit and integer operands, and the tables of inputs built from them.

/// Control words with exceptions masked: every precision and rounding control.
pub(super) fn cws() -> Vec<u16> {
    let mut v = Vec::new();
    for pc in [0u16, 2, 3] {
        for rc in 0..4u16 {
            v.push(0x7f | (pc << 8) | (rc << 10));
        }
    }
    v
}

/// Control words with exceptions unmasked: all of them in every precision and rounding
/// control, and each alone. The forms run over these are single instructions: the exception
/// stays pending (ES set) because nothing after them waits (FNSAVE, then FNINIT).
pub(super) fn unmasked_cws() -> Vec<u16> {
    let mut v = Vec::new();
    for pc in [0u16, 2, 3] {
        for rc in 0..4u16 {
            v.push(0x40 | (pc << 8) | (rc << 10));
        }
    }
    for m in [0x7eu16, 0x7d, 0x7b, 0x77, 0x6f, 0x5f] {
        v.push(0x300 | m);
    }
    v
}

pub(super) fn ext_grid() -> Vec<(u16, u64)> {
    vec![
        (0, 0),
        (0x8000, 0),
        (0x3fff, 1 << 63),
        (0xbfff, 1 << 63),
        (0x3fff, 0xc000_0000_0000_0000),
        (0x4000, 0xc000_0000_0000_0000),
        (0x3ffb, 0xcccc_cccc_cccc_cccd),
        (0xbffd, 0xaaaa_aaaa_aaaa_aaab),
        (0x4000, 0xc90f_daa2_2168_c235),
        (0x403e, 1 << 63),
        (0xc03e, 1 << 63),
        (0x403f, 1 << 63),
        (0x401e, 1 << 63),
        (0xc00e, 0x8001_0000_0000_0000),
        (0x3fff, 0x8000_0000_0000_0001),
        (0x3fff, 0x8000_0000_0000_0400),
        (0xbfff, 0x8000_0080_0000_0000),
        (0x3fff, 0xffff_ffff_ffff_ffff),
        (0x7ffe, 0xffff_ffff_ffff_ffff),
        (0xfffe, 0xffff_ffff_ffff_ffff),
        (0x0001, 1 << 63),
        (0x0000, 1),
        (0x8000, 0x7fff_ffff_ffff_ffff),
        (0x0000, 1 << 63),
        (0x0001, 0x4000_0000_0000_0000),
        (0x7fff, 1 << 63),
        (0xffff, 1 << 63),
        (0x7fff, 0xc000_0000_0000_0123),
        (0xffff, 0xc000_0000_0000_0456),
        (0x7fff, 0x8000_0000_0000_0789),
        (0x7fff, 0),
        (0x0010, 0x8000_0000_0000_0001),
        (0x5f3f, 0x8000_0000_0000_0000),
        (0x20bf, 0xa000_0000_0000_0003),
        (0x4005, 0xa3d7_0a3d_70a3_d70a),
    ]
}

pub(super) fn f64_grid() -> Vec<u64> {
    let mut v: Vec<u64> = [0.0f64, -1.5, 0.1, 1e300, 3.0, -2147483648.0, 1e-310]
        .iter()
        .map(|x| x.to_bits())
        .collect();
    v.extend([
        0x7ff8_0000_0000_0123,
        0x7ff0_0000_0000_0001,
        0xfff0_0000_0000_0000,
        1,
    ]);
    v
}

pub(super) fn f32_grid() -> Vec<u64> {
    let mut v: Vec<u64> = [0.0f32, -1.5, 0.1, 3e38, 3.0]
        .iter()
        .map(|x| u64::from(x.to_bits()))
        .collect();
    v.extend([0x7fc0_0123, 0x7f80_0001, 0x0000_0001]);
    v
}

pub(super) fn int_grid() -> Vec<u64> {
    [
        0i64,
        1,
        -7,
        32767,
        -32768,
        i64::from(i32::MAX),
        i64::from(i32::MIN),
        i64::MAX,
        i64::MIN,
        (1 << 53) + 1,
    ]
    .iter()
    .map(|&x| x as u64)
    .collect()
}

pub(super) struct Input {
    pub a: (u16, u64),
    pub b: (u16, u64),
    pub cw: u16,
    pub mem: u64,
    pub what: String,
}

pub(super) fn binary_table(cws: &[u16]) -> Vec<Input> {
    let g = ext_grid();
    let mut t = Vec::new();
    for &cw in cws {
        for &a in &g {
            for &b in &g {
                t.push(Input {
                    a,
                    b,
                    cw,
                    mem: 0,
                    what: format!(
                        "cw={cw:#x} a={:04x}:{:016x} b={:04x}:{:016x}",
                        a.0, a.1, b.0, b.1
                    ),
                });
            }
        }
    }
    t
}

pub(super) fn unary_table(cws: &[u16]) -> Vec<Input> {
    let g = ext_grid();
    let mut t = Vec::new();
    for &cw in cws {
        for (i, &a) in g.iter().enumerate() {
            let b = g[(i * 7 + 3) % g.len()];
            t.push(Input {
                a,
                b,
                cw,
                mem: 0,
                what: format!("cw={cw:#x} a={:04x}:{:016x}", a.0, a.1),
            });
        }
    }
    t
}

pub(super) fn mem_table(mems: &[u64], kind: &str, cws: &[u16]) -> Vec<Input> {
    let g = ext_grid();
    let mut t = Vec::new();
    for &cw in cws {
        for &a in &g {
            for &m in mems {
                t.push(Input {
                    a,
                    b: (0x3fff, 1 << 63),
                    cw,
                    mem: m,
                    what: format!("cw={cw:#x} a={:04x}:{:016x} {kind}={m:#x}", a.0, a.1),
                });
            }
        }
    }
    t
}
