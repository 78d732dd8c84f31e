//! Small deterministic pseudo-random generators, so that a randomised test draws the same
//! cases on every run and machine without a random-number crate. Each generator is the
//! published algorithm, so a seed written in a test names one fixed sequence.

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014; the constants of Vigna's reference `splitmix64.c`).
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

/// xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift generators,
/// scrambled", 2016: shifts 12, 25, 27 and the multiplier 0x2545F4914F6CDD1D). The seed must
/// not be zero.
#[derive(Clone, Debug)]
pub struct XorShift64Star(pub u64);

/// Marsaglia's xorshift64 (shifts 13, 7, 17; "Xorshift RNGs", J. Stat. Softw. 8(14), 2003).
/// The seed must not be zero.
#[derive(Clone, Debug)]
pub struct XorShift64(pub u64);

/// The 64-bit linear congruential generator with Knuth's MMIX constants (TAOCP vol. 2
/// §3.3.4: multiplier 6364136223846793005, increment 1442695040888963407); each draw is the
/// state's top 31 bits (`state >> 33`), its low bits being weak.
#[derive(Clone, Debug)]
pub struct Mmix(pub u64);

/// What a test draws from any of the generators.
pub trait Rng {
    /// The next 64 bits.
    fn next(&mut self) -> u64;

    /// A value in `0..n` (by remainder: the small bias does not matter to a test); `n` must
    /// not be zero.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// An index into a slice of `n` items; `n` must not be zero.
    fn index(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One of `items` (which must not be empty).
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }

    /// `n` bytes, the low byte of each draw.
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

impl Rng for SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl Rng for XorShift64Star {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

impl Rng for XorShift64 {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

impl Rng for Mmix {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generators_give_their_published_sequences() {
        // splitmix64.c seeded with 1234567: its first outputs as the reference prints them.
        let mut s = SplitMix64(1_234_567);
        assert_eq!(s.next(), 6_457_827_717_110_365_317);
        assert_eq!(s.next(), 3_203_168_211_198_807_973);
        // xorshift64 from 1: 1 ^ 1<<13 = 0x2001; then ^ >>7 (0x40); then ^ <<17.
        let mut x = XorShift64(1);
        assert_eq!(x.next(), 0x4082_2041);
        // xorshift64* from 1: 1 ^ 1<<25 = 0x200_0001, then times the multiplier.
        let mut y = XorShift64Star(1);
        assert_eq!(y.next(), 0x200_0001u64.wrapping_mul(0x2545_f491_4f6c_dd1d));
        // MMIX from 1: 1 * a + c = 7806831264735756412, whose top 31 bits are 908834774.
        let mut m = Mmix(1);
        assert_eq!(
            [m.next(), m.next(), m.next()],
            [908_834_774, 1_093_944_153, 1_392_341_196]
        );
    }
}
