//! The two vendors' answers where the architecture leaves a result undefined.
//!
//! The Intel SDM (vol. 2, each instruction's "Flags Affected") and the AMD APM (vol. 3,
//! appendix "Instruction Effects on RFLAGS") leave some flags *undefined*: software must not
//! rely on them, but a real core still writes a definite value, and Intel and AMD cores write
//! different ones. A [`Vendor`] profile, chosen when the machine is made, decides each of
//! them, so a program that looks (a test, a curious reader) sees what one real processor of
//! that vendor shows. The rules were read off recordings of the same case grid on both
//! vendors' cores (`tests/it/cpu_flags_native.rs`, `tests/data/flags/`):
//!
//! | instruction | Intel | AMD |
//! |---|---|---|
//! | SHL/SHR/SAR, SHLD/SHRD: AF | 0 | 1 |
//! | SHL/ROL/RCL, SHLD: OF for counts other than 1 | bit w-1 XOR bit w-2 of the operand | MSB(result) XOR CF |
//! | SHR/ROR/RCR, SHRD: OF for counts other than 1 | count-1 formula on the operands | bit w-1 XOR bit w-2 of the result |
//! | RCL/RCR by a multiple of w+1 | nothing changes | OF as above, CF kept |
//! | 16-bit SHLD/SHRD by 17..31 | shifts dest:src:dest | shifts dest:src:src (SHLD) / src:src:dest (SHRD); CF = OF = 0 |
//! | MUL/IMUL: SF, ZF, AF, PF | SF, PF from the low half; ZF = AF = 0 | unchanged |
//! | DIV/IDIV: all six | unchanged | SF = ZF = PF = 0, AF = 1, CF and OF unchanged |
//!
//! Both agree on everything else the grid covers: AF = 0 after AND/OR/XOR/TEST, and
//! BSF/BSR with a zero source leave the destination as it was, with ZF = 1, CF = OF = SF =
//! AF = 0 and PF from the destination.
//!
//! ## Floating point and SIMD: what each profile models
//!
//! The floating-point and SIMD oracle tests (`tests/it/cpu_sse_native.rs`,
//! `cpu_sse_unmasked.rs`, `cpu_x87_native/`) were first run on an Intel Xeon, then on an AMD
//! EPYC (family 1Ah, model 2: Zen 5); where its answers differed, the AMD profile computes what
//! was measured there:
//!
//! | instruction | what is the implementation's own | Intel profile | AMD profile |
//! |---|---|---|---|
//! | RCPSS/RCPPS, RSQRTSS/RSQRTPS | the 12-bit approximation (SDM and AMD APM vol. 4: relative error at most 1.5 * 2^-12) | the Xeon's tables, bit for bit (`fp::approx`) | the EPYC's tables (12 fraction bits in, 12 out), bit for bit: the model matched all 2^32 inputs of both instructions natively; other AMD families are not recorded, so on them the oracle tests hold these results to the manuals' bound (`tests/it/sse/mod.rs`, `approx_tables_verified`) |
//! | DPPS, DPPD | the order of the additions, which decides which NaN comes out | per destination lane (see `exec::sse::arith`) | (t0 + t1) + (t2 + t3), t0 + t1 in every lane: the lowest lane's NaN wins |
//! | MXCSR bit 17 (MM, AMD APM vol. 1 §4.5.2 misaligned SSE mode) | whether it exists | reserved: LDMXCSR/FXRSTOR #GP, MXCSR_MASK 0x0000ffff | writable, MXCSR_MASK 0x0002ffff, CPUID Fn8000_0001_ECX bit 7; when set, legacy SSE memory operands may be misaligned except for MOVAPS/MOVAPD/MOVDQA/MOVNT* (and FXSAVE/FXRSTOR) |
//! | FPREM/FPREM1 by infinity, FSCALE by zero, of a denormal with underflow unmasked | whether the unchanged tiny result underflows | no: returned as it is | yes: bias-adjusted (+24576) with UE, as any tiny result |
//! | FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1 | the last bit (Intel SDM vol. 1 §8.3.10: an error under one unit in the last place when rounding to nearest) | results of about 120 correct bits rounded once, with the x87's 66-bit pi in the reduction; most records bit-exact to the Xeon, the rest within one ulp (`tests/it/cpu_x87_native/`) | the same computation, except for tiny arguments (below 2^-32): sin, cos and atan round the value just below x (1 for cos), so RD and RZ give the next number towards zero, where the Xeon returns x; FPTAN of a denormal rounds the value just above x. The EPYC's FPTAN is not correctly rounded for tiny normal x (x even in RU, sometimes one ulp under x below 2^-60) and keeps the smallest denormal in RU: not modelled, within the one ulp the check allows |
//! | CPUID | the vendor string (leaf 0) and the family (leaf 1 EAX) | `GenuineIntel`, family 6 | `AuthenticAMD`, family 17h; the feature bits are what the simulator implements, the same for both but MisAlignSse |
//! | x87 last-instruction pointers (Intel SDM vol. 1 §8.1.8-8.1.10; AMD APM vol. 4 FXSAVE) | which instructions update FOP and FDP, and what FXSAVE stores | the Xeon's: FIP after every non-control instruction, FOP and FDP only after one that raised an unmasked exception (CPUID.(7,0):EBX bit 6, FDP_EXCPTN_ONLY), FCS and FDS stored as zero (bit 13); both bits reported | the EPYC's: FIP and FOP after every non-control instruction, FDP after every one with a memory operand; FCS (CS) and FDS (the operand's segment: SS through RSP or RBP, otherwise the null DS) kept and stored; FXSAVE stores FIP, FDP and FOP only while FSW.ES is set (zeros otherwise) and FXRSTOR loads them only from such an image. That is the APM's rule for parts *without* CPUID Fn8000_0008_EBX bit 2 (XSaveErPtr; vol. 3, appendix E: with it FXSAVE always saves them), yet this EPYC reports the bit; the profile does not (its CPUID reports what it implements, and it implements what the EPYC does); neither leaf 7 bit reported |
//!
//! Both rules are compared with the processor by `tests/it/cpu_x87_native/`, on Intel and on
//! AMD hosts with XSaveErPtr (on an AMD part without it the pointer differences are counted,
//! not failed: no such part was at hand).
//!
//! The corpora in `tests/corpus/` hold a sample of each oracle's cases with the answers of
//! the processor that recorded them, one file per kind and processor (`sse-intel-06.bin.gz`
//! from the Xeon, `sse-amd-1a.bin.gz` from the EPYC; `YOUCPU_RECORD=1` writes the host's).
//! Every one replays on its vendor's profile on any host, natively and in the browser
//! (`cpu::replay`), so an Intel host checks the AMD profile's floating point and the reverse.

use super::state::rflags::{AF, CF, OF, PF, SF, STATUS, ZF};
use super::state::{State, RCX};
use iced_x86::{Instruction, Mnemonic as M, OpKind};
use serde::Serialize;

/// Whose processor the simulated core behaves like where the manuals leave a result undefined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// An Intel core (the one the project's first recordings came from).
    #[default]
    Intel,
    /// An AMD core (its flags recorded on an EPYC of CPUID family 25, its floating point and
    /// x87 pointers on one of family 26).
    Amd,
}

/// An unknown vendor name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownVendor(pub String);

impl std::fmt::Display for UnknownVendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown CPU vendor {:?} (expected intel or amd)", self.0)
    }
}

impl std::error::Error for UnknownVendor {}

impl Vendor {
    /// Both profiles, Intel first.
    pub const ALL: [Vendor; 2] = [Vendor::Intel, Vendor::Amd];

    /// The short name used on command lines and in URLs: `intel` or `amd`.
    pub fn id(self) -> &'static str {
        match self {
            Vendor::Intel => "intel",
            Vendor::Amd => "amd",
        }
    }

    /// The name for prose: `Intel` or `AMD`.
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Intel => "Intel",
            Vendor::Amd => "AMD",
        }
    }

    /// The 12-byte vendor string CPUID leaf 0 returns in EBX, EDX, ECX.
    pub fn cpuid_string(self) -> &'static [u8; 12] {
        match self {
            Vendor::Intel => b"GenuineIntel",
            Vendor::Amd => b"AuthenticAMD",
        }
    }

    /// The vendor named by a `vendor_id` line of `/proc/cpuinfo` (the CPUID string), if it is
    /// one of the two; the caller reads the file (the core does no I/O).
    pub fn from_cpuinfo(text: &str) -> Option<Vendor> {
        let line = text.lines().find(|l| l.starts_with("vendor_id"))?;
        let v = line.split(':').nth(1)?.trim();
        Vendor::ALL
            .into_iter()
            .find(|x| x.cpuid_string().as_slice() == v.as_bytes())
    }
}

impl std::str::FromStr for Vendor {
    type Err = UnknownVendor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "intel" | "genuineintel" => Ok(Vendor::Intel),
            "amd" | "authenticamd" => Ok(Vendor::Amd),
            _ => Err(UnknownVendor(s.to_string())),
        }
    }
}

impl std::fmt::Display for Vendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// [`undefined_flags`] of the instruction encoded at the start of `bytes` (64-bit mode); 0
/// when the bytes do not decode.
pub fn undefined_flags_in(bytes: &[u8], before: &State) -> u64 {
    let mut d = iced_x86::Decoder::new(64, bytes, iced_x86::DecoderOptions::NONE);
    let ins = d.decode();
    if ins.is_invalid() {
        return 0;
    }
    undefined_flags(&ins, before)
}

/// The status flags the Intel SDM (vol. 2, each instruction's "Flags Affected") leaves
/// undefined after `ins`, executed from the register state `before` (which gives a shift's
/// count in CL). 0 for an instruction that defines every flag it touches.
pub fn undefined_flags(ins: &Instruction, before: &State) -> u64 {
    let size = match ins.op0_kind() {
        OpKind::Register => ins.op0_register().size() as u32,
        OpKind::Memory => ins.memory_size().size() as u32,
        _ => 8,
    };
    // A shift's count as the CPU masks it (5 bits, 6 for 64-bit operands).
    let count = || {
        let raw = match ins.mnemonic() {
            M::Shld | M::Shrd => match ins.op2_kind() {
                OpKind::Register => before.gpr[RCX] & 0xff,
                _ => ins.immediate8().into(),
            },
            _ if ins.op_count() < 2 => 1,
            _ => match ins.op1_kind() {
                OpKind::Register => before.gpr[RCX] & 0xff,
                _ => ins.immediate8().into(),
            },
        };
        raw & if size == 8 { 0x3f } else { 0x1f }
    };
    match ins.mnemonic() {
        M::And | M::Or | M::Xor | M::Test => AF,
        M::Shl | M::Sal | M::Shr | M::Sar => match count() {
            0 => 0,
            1 => AF,
            _ => AF | OF,
        },
        M::Rol | M::Ror | M::Rcl | M::Rcr => match count() {
            0 | 1 => 0,
            _ => OF,
        },
        M::Shld | M::Shrd => match count() {
            0 => 0,
            1 => AF,
            c if c > u64::from(size) * 8 => STATUS,
            _ => AF | OF,
        },
        M::Mul | M::Imul => SF | ZF | AF | PF,
        M::Div | M::Idiv => STATUS,
        // F3 0F BC (TZCNT) runs as BSF: BMI1 is not reported.
        M::Bsf | M::Bsr | M::Tzcnt => CF | OF | SF | AF | PF,
        M::Bt | M::Bts | M::Btr | M::Btc => OF | SF | AF | PF,
        M::Lzcnt => OF | SF | AF | PF,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for v in Vendor::ALL {
            assert_eq!(v.id().parse::<Vendor>(), Ok(v));
            assert_eq!(v.name().parse::<Vendor>(), Ok(v));
            let s = std::str::from_utf8(v.cpuid_string()).unwrap_or_default();
            assert_eq!(s.parse::<Vendor>(), Ok(v));
        }
        assert!("via".parse::<Vendor>().is_err());
        assert!("".parse::<Vendor>().is_err());
    }

    fn undefined(bytes: &[u8], cl: u64) -> u64 {
        let mut s = State::default();
        s.gpr[RCX] = cl;
        undefined_flags_in(bytes, &s)
    }

    #[test]
    fn undefined_flags_follow_the_sdm() {
        assert_eq!(undefined(&[0xf7, 0xf1], 0), STATUS); // div ecx
        assert_eq!(undefined(&[0xf7, 0xe3], 0), SF | ZF | AF | PF); // mul ebx
        assert_eq!(undefined(&[0x21, 0xd8], 0), AF); // and eax, ebx
        assert_eq!(undefined(&[0x01, 0xd8], 0), 0); // add eax, ebx
        assert_eq!(undefined(&[0xd1, 0xe0], 0), AF); // shl eax, 1
        assert_eq!(undefined(&[0xc1, 0xe0, 0x03], 0), AF | OF); // shl eax, 3
        assert_eq!(undefined(&[0xc1, 0xe0, 0x20], 0), 0); // shl eax, 32: masked to 0
        assert_eq!(undefined(&[0xd3, 0xe0], 1), AF); // shl eax, cl (cl = 1)
        assert_eq!(undefined(&[0xd3, 0xe0], 33), AF); // cl = 33 masks to 1
        assert_eq!(undefined(&[0x48, 0xd3, 0xe0], 33), AF | OF); // 64-bit: 33 stays
        assert_eq!(undefined(&[0xd1, 0xc0], 0), 0); // rol eax, 1
        assert_eq!(undefined(&[0xc1, 0xc0, 0x05], 0), OF); // rol eax, 5
        assert_eq!(undefined(&[0x66, 0x0f, 0xa5, 0xd8], 20), STATUS); // shld ax, bx, cl=20
        assert_eq!(undefined(&[0x0f, 0xa4, 0xd8, 0x04], 0), AF | OF); // shld eax, ebx, 4
        assert_eq!(undefined(&[0x0f, 0xbc, 0xc3], 0), CF | OF | SF | AF | PF); // bsf eax, ebx
                                                                               // F3 0F BC (tzcnt eax, ebx) is BSF without BMI1.
        assert_eq!(
            undefined(&[0xf3, 0x0f, 0xbc, 0xc3], 0),
            CF | OF | SF | AF | PF
        );
        assert_eq!(undefined(&[0x0f, 0xff], 0), 0); // does not decode
        assert_eq!(undefined(&[], 0), 0);
    }

    #[test]
    fn cpuinfo_vendor_line() {
        let amd = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n";
        assert_eq!(Vendor::from_cpuinfo(amd), Some(Vendor::Amd));
        let intel = "processor : 0\nvendor_id : GenuineIntel\n";
        assert_eq!(Vendor::from_cpuinfo(intel), Some(Vendor::Intel));
        assert_eq!(Vendor::from_cpuinfo("vendor_id : CentaurHauls\n"), None);
        assert_eq!(Vendor::from_cpuinfo("no such line"), None);
    }
}
