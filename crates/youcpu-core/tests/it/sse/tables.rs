//! Operand tables: special values of each format, in every MXCSR mode.

#![allow(dead_code)]

/// Bytes per input record.
pub const IN: usize = 48;
/// Bytes per output record: MXCSR, RFLAGS (low half), XMM0, R8.
pub const REC: usize = 32;

/// MXCSR values the binary float forms run under: every rounding mode, DAZ, FTZ, both.
pub const MODES: &[u32] = &[
    0x1f80, 0x3f80, 0x5f80, 0x7f80, // RC = nearest, down, up, zero
    0x1fc0, // DAZ
    0x9f80, // FTZ
    0xffc0, // toward zero, DAZ, FTZ
    0xbfc0, // up, DAZ, FTZ
];

pub fn f64_grid() -> Vec<u64> {
    let mut v: Vec<u64> = [
        0.0f64,
        1.0,
        -1.0,
        1.5,
        -2.5,
        3.0,
        0.1,
        1.0 / 3.0,
        2147483648.0,
        -2147483648.0,
        2147483647.5,
        -2147483648.5,
        -2147483649.0,
        9_223_372_036_854_775_808.0,
        -9_223_372_036_854_775_808.0,
        9007199254740992.0,
        4503599627370496.5,
        1e308,
        f64::MAX,
        -f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
        2f64.powi(-600),
        -2f64.powi(600),
        1.0000000000000002,
        0.5,
    ]
    .iter()
    .map(|x| x.to_bits())
    .collect();
    v.extend([
        0x8000_0000_0000_0000, // -0
        0x0000_0000_0000_0001, // smallest denormal
        0x8000_0000_0000_0001,
        0x000f_ffff_ffff_ffff, // largest denormal
        0x0010_0000_0000_0000, // smallest normal
        0x8018_0000_0000_0000,
        0x7ff8_0000_0000_0123, // qNaN with payload
        0xfff8_0000_0000_0456, // negative qNaN
        0x7ff0_0000_0000_0789, // sNaN
        0xfff4_0000_0000_0001, // negative sNaN
    ]);
    v
}

pub fn f32_grid() -> Vec<u64> {
    let mut v: Vec<u64> = [
        0.0f32,
        1.0,
        -1.0,
        1.5,
        -2.5,
        3.0,
        0.1,
        1.0 / 3.0,
        2147483648.0,
        -2147483648.0,
        2147483520.0,
        -2147483904.0,
        9.223372e18,
        -9.223372e18,
        16777218.0,
        8388608.5,
        1e30,
        f32::MAX,
        -f32::MAX,
        f32::INFINITY,
        f32::NEG_INFINITY,
        2f32.powi(-70),
        -2f32.powi(70),
        1.0000001,
        0.5,
    ]
    .iter()
    .map(|x| u64::from(x.to_bits()))
    .collect();
    v.extend([
        0x8000_0000,
        0x0000_0001,
        0x8000_0001,
        0x007f_ffff,
        0x0080_0000,
        0x80c0_0000,
        0x7fc0_0123,
        0xffc0_0456,
        0x7f80_0789,
        0xffa0_0001,
    ]);
    v
}

pub fn int_grid() -> Vec<u64> {
    [
        0i64,
        1,
        -1,
        3,
        -7,
        i64::from(i32::MAX),
        i64::from(i32::MIN),
        (1 << 24) + 1,
        (1 << 53) + 1,
        -((1 << 53) + 1),
        (1 << 62) + 1,
        i64::MAX,
        i64::MIN,
        0x0123_4567_89ab_cdef,
        0x7fff_ffff_ffff_fe00,
        -0x7fff_ffff_ffff_fe01,
    ]
    .iter()
    .map(|&x| x as u64)
    .collect()
}

/// One input record: MXCSR, then XMM0 (destination) and XMM1 (source; its low 8 bytes also
/// go to R9 for the integer-source forms).
pub struct Input {
    pub mxcsr: u32,
    pub a: u128,
    pub b: u128,
    pub what: String,
}

pub fn join(lanes: &[u64], bits: u32) -> u128 {
    lanes.iter().enumerate().fold(0u128, |acc, (i, &x)| {
        acc | (u128::from(x) << (i as u32 * bits))
    })
}

/// Binary records: every pair of the grid in every mode; the other lanes get other pairs.
pub fn binary_table(grid: &[u64], bits: u32) -> Vec<Input> {
    let n = grid.len();
    let mut t = Vec::new();
    for &mx in MODES {
        for i in 0..n {
            for j in 0..n {
                let (x, y) = (grid[i], grid[j]);
                let lanes = 128 / bits as usize;
                let mut a = vec![x];
                let mut b = vec![y];
                for k in 1..lanes {
                    a.push(grid[(i + 3 * k) % n]);
                    b.push(grid[(j + 5 * k + i) % n]);
                }
                t.push(Input {
                    mxcsr: mx,
                    a: join(&a, bits),
                    b: join(&b, bits),
                    what: format!("mxcsr={mx:#x} a={x:#x} b={y:#x}"),
                });
            }
        }
    }
    t
}

/// Unary records: every value in every mode, in each lane of the source; the destination
/// holds a marker (its kept lanes must survive).
pub fn unary_table(grid: &[u64], bits: u32) -> Vec<Input> {
    let n = grid.len();
    let mut t = Vec::new();
    for &mx in MODES {
        for i in 0..n {
            let lanes = 128 / bits as usize;
            let b: Vec<u64> = (0..lanes).map(|k| grid[(i + 7 * k) % n]).collect();
            t.push(Input {
                mxcsr: mx,
                a: 0x1111_2222_3333_4444_5555_6666_7777_8888,
                b: join(&b, bits),
                what: format!("mxcsr={mx:#x} src={:#x}", grid[i]),
            });
        }
    }
    t
}

/// Integer-source records (CVTSI2SD...): the integer in the low lane of the source.
pub fn int_table() -> Vec<Input> {
    let g = int_grid();
    let mut t = Vec::new();
    for &mx in MODES {
        for (i, &x) in g.iter().enumerate() {
            t.push(Input {
                mxcsr: mx,
                a: 0x1111_2222_3333_4444_5555_6666_7777_8888,
                b: u128::from(x) | (u128::from(g[(i + 5) % g.len()]) << 64),
                what: format!("mxcsr={mx:#x} int={x:#x}"),
            });
        }
    }
    t
}

/// Integer SIMD records: pairs of byte patterns around the lane boundaries.
pub fn simd_table() -> Vec<Input> {
    let pats: Vec<u128> = vec![
        0,
        u128::MAX,
        0x8000_7fff_0001_ffff_8000_0000_7fff_ffff_u128,
        0x807f_01ff_0080_7f81_fe02_ff00_8001_7ffe_u128,
        0x0123_4567_89ab_cdef_fedc_ba98_7654_3210_u128,
        0x7fff_ffff_ffff_ffff_8000_0000_0000_0000_u128,
        0x0000_0040_0000_0020_0000_0010_0000_0003_u128,
        0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100_u128,
        0x8182_8384_8586_8788_898a_8b8c_8d8e_8f90_u128,
        0x0000_0000_0000_0005_0000_0000_0000_0021_u128,
    ];
    // And pseudo-random ones (a fixed sequence).
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut pats = pats;
    for _ in 0..10 {
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        pats.push(u128::from(next()) << 64 | u128::from(next()));
    }
    let mut t = Vec::new();
    for &a in &pats {
        for &b in &pats {
            t.push(Input {
                mxcsr: 0x1f80,
                a,
                b,
                what: format!("a={a:#034x} b={b:#034x}"),
            });
        }
    }
    t
}

/// RCPPS/RSQRTPS sweep: every table index in lane 0 (exponent 0 and 1), other exponents,
/// low fraction bits, denormals and tiny/huge values in the other lanes.
pub fn approx_table() -> Vec<Input> {
    let mut t = Vec::new();
    for i in 0..4096u64 {
        let m = (i % 2048) << 12 | (i * 2654435761 % 4096);
        let e = 127 + (i / 2048);
        let lanes = [
            (e << 23) | m,
            ((i * 7 % 254 + 1) << 23) | (m ^ 0x5555),
            ((i % 3 + 252) << 23) | m,
            if i % 2 == 0 { m >> 3 } else { (1 << 23) | m },
        ];
        t.push(Input {
            mxcsr: 0x1f80,
            a: 0,
            b: join(&lanes, 32),
            what: format!("src lanes={lanes:x?}"),
        });
    }
    t
}
