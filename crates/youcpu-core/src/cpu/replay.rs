//! Replays a corpus of SSE/MMX/x87 cases recorded on the real CPU (`tests/corpus/`, written
//! by `tests/it/cpu_sse_native.rs` and `tests/it/cpu_x87_native/` with `YOUCPU_RECORD=1`), with
//! no assembler or native CPU at hand: natively in `cargo test` and in the browser under
//! wasm-bindgen-test, so the page is checked to compute exactly what the CLI computes. Each
//! corpus comes from one processor, named in its file name ([`corpus_vendor`]:
//! `sse-intel-06.bin.gz` from an Intel Xeon of family 6, `sse-amd-1a.bin.gz` from an AMD EPYC
//! of family 1Ah), and replays on the simulator with that vendor's profile, whatever the
//! host; the files are gzipped, the functions here take the uncompressed bytes.
//!
//! Format (little-endian): the magic `YCSSE1`; the form count (u16) and for each form its
//! machine code (length u8, bytes); the record count (u32) and for each record the form (u16),
//! the 48-byte input record (MXCSR, then XMM0 and XMM1 as the test's loop loads them) and the
//! 32 bytes the CPU produced (MXCSR, RFLAGS bits 31:0, XMM0, R8).
//!
//! The x87 corpora (`x87-*.bin.gz`, magic `YCX871`, from `tests/it/cpu_x87_native/`)
//! has the same layout with 48-byte inputs (ST(0), ST(1) as 80-bit values in 16-byte slots,
//! the control word, a memory operand) and 126-byte results (RFLAGS, control, status and tag
//! words, the eight registers in stack order, AX, the stored memory); registers whose tag is
//! empty are not compared (the CPU's hold stale values from earlier cases).

use super::state::{R8, R9, RAX, RDI, RSI, RSP};
use super::vendor::Vendor;
use crate::linux::bare::Bare;
use crate::linux::mm::Prot;
use crate::linux::{Config, Linux, ProcessState, USER_CS, USER_DS};

/// Why a corpus did not replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayError {
    /// The data ends at this byte, inside a record.
    Truncated {
        /// The byte offset.
        at: usize,
    },
    /// The data does not start with the corpus's magic (which is named).
    NotACorpus(&'static str),
    /// A record names a form the corpus does not have.
    NoForm {
        /// The record.
        record: usize,
        /// The form it names.
        form: usize,
    },
    /// The machine to run the records on could not be set up.
    Machine(crate::linux::Error),
    /// A form did not run to its end (a fault the CPU did not raise, say).
    Stopped {
        /// Its machine code.
        code: Vec<u8>,
        /// How the process ended.
        state: ProcessState,
    },
    /// Records whose results differ from the CPU's.
    Differ {
        /// How many.
        count: usize,
        /// Of how many.
        total: usize,
        /// The first few: record, form, code, wanted bytes, computed bytes.
        first: Vec<Mismatch>,
    },
}

/// One record whose result differs ([`ReplayError::Differ`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The record.
    pub record: usize,
    /// Its form.
    pub form: usize,
    /// The form's machine code.
    pub code: Vec<u8>,
    /// What the CPU produced.
    pub want: Vec<u8>,
    /// What the simulator produced.
    pub got: Vec<u8>,
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplayError::Truncated { at } => write!(f, "corpus truncated at byte {at}"),
            ReplayError::NotACorpus(what) => write!(f, "not an {what} corpus (magic)"),
            ReplayError::NoForm { record, form } => write!(f, "record {record}: no form {form}"),
            ReplayError::Machine(e) => e.fmt(f),
            ReplayError::Stopped { code, state } => {
                write!(f, "form {code:02x?} stopped: {state:?}")
            }
            ReplayError::Differ {
                count,
                total,
                first,
            } => {
                write!(f, "{count} of {total} records differ:")?;
                for m in first {
                    write!(
                        f,
                        "\nrecord {} (form {}, code {:02x?}): want {:02x?}, got {:02x?}",
                        m.record, m.form, m.code, m.want, m.got
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ReplayError {}

impl From<crate::linux::Error> for ReplayError {
    fn from(e: crate::linux::Error) -> Self {
        ReplayError::Machine(e)
    }
}

impl From<crate::mmu::phys::OutOfMemory> for ReplayError {
    fn from(e: crate::mmu::phys::OutOfMemory) -> Self {
        ReplayError::Machine(e.into())
    }
}

impl From<crate::linux::mm::Unmapped> for ReplayError {
    fn from(e: crate::linux::mm::Unmapped) -> Self {
        ReplayError::Machine(e.into())
    }
}

const CODE: u64 = 0x40_0000;
const DATA: u64 = 0x40_1000;
const INPUT: u64 = DATA;
const OUTPUT: u64 = DATA + 0x100;

struct Reader<'a> {
    d: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ReplayError> {
        let s = self
            .d
            .get(self.at..self.at + n)
            .ok_or(ReplayError::Truncated { at: self.at })?;
        self.at += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, ReplayError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, ReplayError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, ReplayError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn u128_at(b: &[u8], i: usize) -> u128 {
    let mut a = [0u8; 16];
    a.copy_from_slice(&b[i..i + 16]);
    u128::from_le_bytes(a)
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

/// The vendor whose processor recorded the corpus in the file `name` (a path or a file name):
/// its name is the corpus's kind, the vendor's id and the CPUID family in hex, separated by
/// dashes (`x87_transc-amd-1a.bin.gz`). `None` for a name of another shape.
pub fn corpus_vendor(name: &str) -> Option<Vendor> {
    let file = name.rsplit('/').next()?;
    let stem = file.split('.').next()?;
    let mut parts = stem.rsplitn(3, '-');
    let family = parts.next()?;
    let vendor = parts.next()?;
    let kind = parts.next()?;
    let hex = !family.is_empty() && family.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && !kind.is_empty())
        .then(|| Vendor::ALL.into_iter().find(|v| v.id() == vendor))
        .flatten()
}

/// The process every record starts from, on `vendor`'s profile: the code page (read and
/// execute) and two data pages (the input and output records, then the stack), as
/// [`Linux::bare`] sets them up.
fn base(vendor: Vendor) -> Result<Linux, ReplayError> {
    let cfg = Config {
        memory_limit: 8 << 20,
        vendor,
        ..Config::default()
    };
    let mut l = Linux::bare(
        &cfg,
        Bare {
            code_at: CODE,
            code: &[],
            stack_top: DATA + 0x2000,
        },
    )?;
    let rw = Prot::RW;
    l.mm.map_now(&mut l.m.mmu, DATA, rw)?;
    Ok(l)
}

/// A corpus's header: the magic, then the forms' machine code; the reader is left at the
/// record count.
fn open<'a>(
    data: &'a [u8],
    magic: &[u8],
    what: &'static str,
) -> Result<(Reader<'a>, Vec<&'a [u8]>), ReplayError> {
    let mut r = Reader { d: data, at: 0 };
    if r.take(magic.len())? != magic {
        return Err(ReplayError::NotACorpus(what));
    }
    let nforms = r.u16()?;
    let mut forms = Vec::with_capacity(usize::from(nforms));
    for _ in 0..nforms {
        let n = r.u8()?;
        forms.push(r.take(usize::from(n))?);
    }
    Ok((r, forms))
}

/// The records that differ: how many, and the first five.
#[derive(Default)]
struct Differences {
    count: usize,
    first: Vec<Mismatch>,
}

impl Differences {
    fn note(&mut self, k: usize, form: usize, code: &[u8], want: &[u8], got: &[u8]) {
        self.count += 1;
        if self.first.len() < 5 {
            self.first.push(Mismatch {
                record: k,
                form,
                code: code.to_vec(),
                want: want.to_vec(),
                got: got.to_vec(),
            });
        }
    }

    /// `Ok(n)` when no record of `n` differed.
    fn verdict(self, n: usize) -> Result<usize, ReplayError> {
        if self.count > 0 {
            return Err(ReplayError::Differ {
                count: self.count,
                total: n,
                first: self.first,
            });
        }
        Ok(n)
    }
}

/// Runs a form as the recording test's loop does: RSI at the input record, RDI at the
/// output, the stack in the data pages, RFLAGS 0xad7, in ring 3, one instruction at a time
/// until RIP passes the form's code (at most 32 instructions).
fn run_form(l: &mut Linux, code: &[u8]) -> Result<(), ReplayError> {
    let s = &mut l.m.cpu.s;
    s.gpr[RSI] = INPUT;
    s.gpr[RDI] = OUTPUT;
    s.gpr[RSP] = DATA + 0x1f00;
    s.gpr[RAX] = 0;
    s.rflags = 0xad7;
    s.rip = CODE;
    s.cs = USER_CS;
    s.ss = USER_DS;
    let end = CODE + code.len() as u64;
    for _ in 0..32 {
        if l.m.cpu.s.rip == end {
            break;
        }
        l.run(1);
        if l.state != ProcessState::Running {
            return Err(ReplayError::Stopped {
                code: code.to_vec(),
                state: l.state.clone(),
            });
        }
    }
    Ok(())
}

/// Replays every record of a corpus (`magic`, records of `input_len` and `want_len` bytes):
/// `check` runs the form on a clone of the base process and says whether it agrees with
/// the record, and what it produced. The number of records, or the first differences.
fn replay(
    data: &[u8],
    vendor: Vendor,
    magic: &[u8],
    what: &'static str,
    want_len: usize,
    mut check: impl FnMut(&Linux, &[u8], &[u8], &[u8]) -> Result<(bool, Vec<u8>), ReplayError>,
) -> Result<usize, ReplayError> {
    let (mut r, forms) = open(data, magic, what)?;
    let n = r.u32()? as usize;
    let base = base(vendor)?;
    let mut bad = Differences::default();
    for k in 0..n {
        let form = usize::from(r.u16()?);
        let input = r.take(48)?;
        let want = r.take(want_len)?;
        let code = forms
            .get(form)
            .ok_or(ReplayError::NoForm { record: k, form })?;
        let (same, got) = check(&base, code, input, want)?;
        if !same {
            bad.note(k, form, code, want, &got);
        }
    }
    bad.verdict(n)
}

/// Replays every record on `vendor`'s profile (the recording processor's); the number of
/// records, or the first differences.
pub fn replay_sse_corpus(data: &[u8], vendor: Vendor) -> Result<usize, ReplayError> {
    replay(
        data,
        vendor,
        b"YCSSE1",
        "SSE",
        32,
        |base, code, input, want| {
            let got = run_one(base, code, input)?;
            Ok((got[..] == want[..], got.to_vec()))
        },
    )
}

/// Replays an x87 corpus on `vendor`'s profile; the number of records, or the first
/// differences.
pub fn replay_x87_corpus(data: &[u8], vendor: Vendor) -> Result<usize, ReplayError> {
    replay_x87(data, vendor, 0)
}

/// Replays a corpus of x87 transcendentals (`x87_transc-*.bin.gz`, the same layout) on
/// `vendor`'s profile: RFLAGS, the control and tag words, the status word but C1 and AX
/// exactly; each register within `ulps` units in the last place of the recorded value (Intel documents FSIN, FCOS,
/// FPTAN, FPATAN, F2XM1, FYL2X and FYL2XP1 to within one ulp, not to the bit, and the model's
/// results are its own: SDM vol. 1 §8.3.10).
pub fn replay_x87_transcendentals(
    data: &[u8],
    vendor: Vendor,
    ulps: u64,
) -> Result<usize, ReplayError> {
    replay_x87(data, vendor, ulps)
}

/// Two 80-bit values (little-endian, 10 bytes) at most `ulps` apart with one sign, neither a
/// NaN nor an infinity; or identical.
fn within_ulps(a: &[u8], b: &[u8], ulps: u64) -> bool {
    if a == b {
        return true;
    }
    let v = |x: &[u8]| {
        let sig = u64_at(x, 0);
        let se = u16::from_le_bytes([x[8], x[9]]);
        (
            se >> 15,
            se & 0x7fff,
            (u128::from(se & 0x7fff) << 63) | u128::from(sig & (u64::MAX >> 1)),
        )
    };
    let ((sa, ea, ma), (sb, eb, mb)) = (v(a), v(b));
    sa == sb && ea != 0x7fff && eb != 0x7fff && ma.abs_diff(mb) <= u128::from(ulps)
}

fn replay_x87(data: &[u8], vendor: Vendor, ulps: u64) -> Result<usize, ReplayError> {
    use super::fp::ext::Ext;
    replay(
        data,
        vendor,
        b"YCX871",
        "x87",
        126,
        |base, code, input, want| {
            let mut l = base.clone();
            l.mm.poke(&mut l.m.mmu, CODE, code)?;
            l.mm.poke(&mut l.m.mmu, INPUT, input)?;
            let marker = 0x5a5a_5a5a_5a5a_5a5au64.to_le_bytes();
            l.mm.poke(&mut l.m.mmu, OUTPUT + 128, &marker)?;
            l.mm.poke(&mut l.m.mmu, OUTPUT + 136, &marker)?;
            let ext_at = |i: usize| Ext {
                sig: u64_at(input, i),
                se: u16::from_le_bytes([input[i + 8], input[i + 9]]),
            };
            let cpu = &mut l.m.cpu;
            cpu.s.x87 = super::x87::X87 {
                fcw: u16::from_le_bytes([input[32], input[33]]),
                ..Default::default()
            };
            cpu.s.x87.push(ext_at(16));
            cpu.s.x87.push(ext_at(0));
            cpu.s.gpr[R8] = u64::from_le_bytes(marker);
            run_form(&mut l, code)?;
            let x = &l.m.cpu.s.x87;
            let mut got = vec![0u8; 126];
            got[0..8].copy_from_slice(&l.m.cpu.s.rflags.to_le_bytes());
            got[8..10].copy_from_slice(&x.fcw.to_le_bytes());
            got[10..12].copy_from_slice(&x.status().to_le_bytes());
            got[12..14].copy_from_slice(&x.tag_word().to_le_bytes());
            for i in 0..8 {
                let v = x.st(i);
                got[14 + 10 * i..22 + 10 * i].copy_from_slice(&v.sig.to_le_bytes());
                got[22 + 10 * i..24 + 10 * i].copy_from_slice(&v.se.to_le_bytes());
            }
            got[94..96].copy_from_slice(&(l.m.cpu.s.gpr[RAX] as u16).to_le_bytes());
            let mut mem = [0u8; 16];
            l.m.mmu
                .read_bytes(OUTPUT + 128, &mut mem, false)
                .map_err(|_| crate::linux::mm::Unmapped { addr: OUTPUT + 128 })?;
            got[110..126].copy_from_slice(&mem);
            // Registers tagged empty hold stale values on the CPU: not compared.
            let tags = u16::from_le_bytes([want[12], want[13]]);
            let top = (u16::from_le_bytes([want[10], want[11]]) >> 11) & 7;
            let mut same = got[0..14] == want[0..14] && got[94..] == want[94..];
            if ulps > 0 {
                // C1 tells whether the result was rounded up: not compared when the result may
                // differ in its last place.
                let sw = |b: &[u8]| u16::from_le_bytes([b[10], b[11]]) & !0x0200;
                same = got[0..10] == want[0..10]
                    && sw(&got) == sw(want)
                    && got[12..14] == want[12..14]
                    && got[94..] == want[94..];
            }
            for i in 0..8 {
                let p = (usize::from(top) + i) & 7;
                if (tags >> (2 * p)) & 3 != 3 {
                    let (g, w) = (
                        &got[14 + 10 * i..24 + 10 * i],
                        &want[14 + 10 * i..24 + 10 * i],
                    );
                    same &= if ulps > 0 {
                        within_ulps(g, w, ulps)
                    } else {
                        g == w
                    };
                }
            }
            Ok((same, got))
        },
    )
}

/// Runs one form from the test loop's state; the 32 bytes the loop would store.
fn run_one(base: &Linux, code: &[u8], input: &[u8]) -> Result<[u8; 32], ReplayError> {
    let mut l = base.clone();
    l.mm.poke(&mut l.m.mmu, CODE, code)?;
    l.mm.poke(&mut l.m.mmu, INPUT, input)?;
    // The next record's MXCSR follows in the test's table (0x1f80 where unaligned forms read
    // past the record).
    l.mm.poke(&mut l.m.mmu, INPUT + 48, &0x1f80u32.to_le_bytes())?;
    let s = &mut l.m.cpu.s;
    s.mxcsr = u32::from_le_bytes([input[0], input[1], input[2], input[3]]);
    s.xmm[0] = u128_at(input, 16);
    s.xmm[1] = u128_at(input, 32);
    s.gpr[R9] = u64_at(input, 32);
    s.gpr[R8] = 0x5a5a_5a5a_dead_beef;
    run_form(&mut l, code)?;
    let s = &l.m.cpu.s;
    let mut out = [0u8; 32];
    out[0..4].copy_from_slice(&s.mxcsr.to_le_bytes());
    out[4..8].copy_from_slice(&(s.rflags as u32).to_le_bytes());
    out[8..24].copy_from_slice(&s.xmm[0].to_le_bytes());
    out[24..32].copy_from_slice(&s.gpr[R8].to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_names_give_the_recording_vendor() {
        assert_eq!(corpus_vendor("sse-intel-06.bin.gz"), Some(Vendor::Intel));
        assert_eq!(corpus_vendor("x87-amd-1a.bin"), Some(Vendor::Amd));
        assert_eq!(
            corpus_vendor("tests/corpus/x87_transc-amd-1a.bin.gz"),
            Some(Vendor::Amd)
        );
        assert_eq!(corpus_vendor("sse.bin"), None);
        assert_eq!(corpus_vendor("sse-via-06.bin"), None);
        assert_eq!(corpus_vendor("sse-amd-zen.bin"), None);
        assert_eq!(corpus_vendor("-amd-1a.bin"), None);
        assert_eq!(corpus_vendor(""), None);
    }

    #[test]
    fn bad_data_is_an_error_not_a_panic() {
        for v in Vendor::ALL {
            assert!(matches!(
                replay_sse_corpus(b"YCSSE", v),
                Err(ReplayError::Truncated { .. })
            ));
            assert!(matches!(
                replay_x87_corpus(b"YCSSE1\0\0", v),
                Err(ReplayError::NotACorpus(_))
            ));
            // One form, one record naming form 7.
            let mut d = b"YCSSE1".to_vec();
            d.extend_from_slice(&[1, 0, 1, 0x90, 1, 0, 0, 0, 7, 0]);
            d.extend_from_slice(&[0; 80]);
            assert!(matches!(
                replay_sse_corpus(&d, v),
                Err(ReplayError::NoForm { record: 0, form: 7 })
            ));
        }
    }
}
