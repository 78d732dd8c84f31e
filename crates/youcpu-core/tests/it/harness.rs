//! Shared by the `cpu_*` tests: builds the programs in this folder with the machine's
//! toolchain into a temporary directory, runs them natively under `stepcount` (ptrace
//! single-step: the kernel itself counts retired user instructions) and in the simulator.
//!
//! Needs gcc (binutils) and musl-tools (musl-gcc).

#![allow(dead_code, clippy::unwrap_used)] // shared helpers; tests may unwrap

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use youcpu_core::cpu::vendor::Vendor;
use youcpu_core::linux::{Config, Linux, ProcessState};
use youcpu_core::loader::stack::RANDOM_SEED;
use youcpu_core::loader::ExecArgs;
use youcpu_testkit::process::Run;

/// How to build a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// `gcc -nostdlib -static` of a .S file.
    Asm,
    /// `gcc -O2 -static -nostdlib` of a .c file using nolibc.h.
    NoLibc,
    /// `musl-gcc -O2 -static`.
    Musl,
    /// `musl-gcc -O2 -static` with `-Wl,-e,_start_rec` (auxv.c).
    MuslRecSp,
    /// `musl-gcc -O2 -static ... -lm`.
    MuslLm,
    /// `gcc -O2 -static ... -lm` (glibc).
    GlibcLm,
    /// `gcc -O2 -static` (glibc).
    Glibc,
    /// `musl-gcc -O3 -march=x86-64-v2 -static`: vectorized for SSE4.2, SSSE3, POPCNT.
    MuslV2,
    /// `gcc -O3 -march=x86-64-v2 -static` (glibc).
    GlibcV2,
}

pub fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs")
}

pub fn tmp() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // Each run builds about 100 MiB of programs here and a test binary has no exit hook to
        // remove them: the directories of earlier runs (processes that no longer exist) go now,
        // so at most one is left behind.
        if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(pid) = name.strip_prefix("youcpu-cpu-tests-") {
                    if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
                        let _ = std::fs::remove_dir_all(e.path());
                    }
                }
            }
        }
        let d = std::env::temp_dir().join(format!("youcpu-cpu-tests-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    })
}

fn run_tool(cmd: &mut Command) {
    let out = cmd
        .run_output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (install gcc and musl-tools)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds `file` (in tests/programs) and returns the executable's path. Every call gets its own
/// output file: tests run in parallel threads, and two of them building the same program into
/// one path could read it while the other's compiler is still writing it.
pub fn build(file: &str, how: Build) -> PathBuf {
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let src = src_dir().join(file);
    let exe = tmp().join(format!("{}-{n}", file.replace('.', "_")));
    let mut c = match how {
        Build::Asm => {
            let mut c = Command::new("gcc");
            c.args(["-nostdlib", "-static", "-no-pie"]);
            c
        }
        Build::NoLibc => {
            let mut c = Command::new("gcc");
            c.args([
                "-O2",
                "-static",
                "-nostdlib",
                "-no-pie",
                "-fno-stack-protector",
                "-fcf-protection=none",
                "-mgeneral-regs-only",
                "-ffreestanding",
                "-fno-builtin",
            ]);
            c
        }
        Build::Musl => {
            let mut c = Command::new("musl-gcc");
            c.args(["-O2", "-static"]);
            c
        }
        Build::MuslRecSp => {
            let mut c = Command::new("musl-gcc");
            c.args(["-O2", "-static", "-Wl,-e,_start_rec"]);
            c
        }
        Build::MuslLm => {
            let mut c = Command::new("musl-gcc");
            c.args(["-O2", "-static"]);
            c
        }
        Build::GlibcLm | Build::Glibc => {
            let mut c = Command::new("gcc");
            c.args(["-O2", "-static"]);
            c
        }
        Build::MuslV2 => {
            let mut c = Command::new("musl-gcc");
            c.args(["-O3", "-march=x86-64-v2", "-static"]);
            c
        }
        Build::GlibcV2 => {
            let mut c = Command::new("gcc");
            c.args(["-O3", "-march=x86-64-v2", "-static"]);
            c
        }
    };
    c.arg("-o").arg(&exe).arg(&src);
    if matches!(how, Build::MuslLm | Build::GlibcLm) {
        c.arg("-lm");
    }
    run_tool(&mut c);
    exe
}

/// Builds an assembly source given as text.
pub fn build_asm_text(name: &str, text: &str) -> PathBuf {
    let src = tmp().join(format!("{name}.S"));
    youcpu_testkit::process::write(&src, text).expect("write source");
    let exe = tmp().join(name);
    run_tool(
        Command::new("gcc")
            .args(["-nostdlib", "-static", "-no-pie", "-o"])
            .arg(&exe)
            .arg(&src),
    );
    exe
}

fn stepcount() -> &'static PathBuf {
    static SC: OnceLock<PathBuf> = OnceLock::new();
    SC.get_or_init(|| {
        let exe = tmp().join("stepcount");
        run_tool(
            Command::new("gcc")
                .args(["-O2", "-o"])
                .arg(&exe)
                .arg(src_dir().join("stepcount.c")),
        );
        exe
    })
}

/// A run's observable results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunResult {
    pub stdout: Vec<u8>,
    /// Exit code, or 128 + signal.
    pub status: u8,
    /// Retired user instructions.
    pub steps: u64,
}

/// The fixed environment both runs get.
pub fn test_env() -> Vec<(String, String)> {
    vec![
        ("HOME".into(), "/nonexistent".into()),
        ("LANG".into(), "C".into()),
        ("YOUCPU".into(), "test value".into()),
    ]
}

/// Runs natively under ptrace single-stepping with ASLR off.
pub fn native(exe: &Path, args: &[&str]) -> RunResult {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let res = tmp().join(format!(
        "result-{}",
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    let out = Command::new(stepcount())
        .arg(&res)
        .arg(exe)
        .args(args)
        .env_clear()
        .envs(test_env())
        .run_output()
        .expect("run stepcount");
    assert!(
        out.status.success(),
        "stepcount failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&res).expect("stepcount result");
    let w: Vec<&str> = text.split_whitespace().collect();
    let steps: u64 = w[1].parse().expect("steps");
    let st: i32 = w[3].parse().expect("status");
    let status = if st & 0x7f == 0 {
        ((st >> 8) & 0xff) as u8
    } else {
        128 + (st & 0x7f) as u8
    };
    RunResult {
        stdout: out.stdout,
        status,
        steps,
    }
}

/// The execve arguments the simulator gets for the same run.
pub fn exec_args(exe: &Path, args: &[&str]) -> ExecArgs {
    let p = exe.to_string_lossy().as_bytes().to_vec();
    let mut argv = vec![p.clone()];
    argv.extend(args.iter().map(|a| a.as_bytes().to_vec()));
    let envp = test_env()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}").into_bytes())
        .collect();
    ExecArgs {
        argv,
        envp,
        execfn: p,
        uid: id("-u"),
        gid: id("-g"),
        random_seed: RANDOM_SEED,
    }
}

fn id(flag: &str) -> u64 {
    let out = Command::new("id").arg(flag).run_output().expect("id");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("numeric id")
}

/// The value of the first `/proc/cpuinfo` line starting with `name` (the first processor's).
fn cpuinfo_field(name: &str) -> Option<String> {
    let text = std::fs::read_to_string("/proc/cpuinfo").expect("read /proc/cpuinfo");
    let line = text.lines().find(|l| l.starts_with(name))?;
    Some(line.split(':').nth(1)?.trim().to_string())
}

/// The processor family of the host (CPUID leaf 1's family and extended family, as
/// `/proc/cpuinfo`'s `cpu family` line gives them); 0 if the line is missing.
pub fn host_family() -> u32 {
    static F: OnceLock<u32> = OnceLock::new();
    *F.get_or_init(|| {
        cpuinfo_field("cpu family")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    })
}

/// The vendor of the processor these tests run on, from `/proc/cpuinfo`: the simulator takes
/// its profile, so that flags the manuals leave undefined match the native run. A processor of
/// neither vendor fails the tests that compare with it (there is no profile to compare).
pub fn host_vendor() -> Vendor {
    static V: OnceLock<Vendor> = OnceLock::new();
    *V.get_or_init(|| {
        let text = std::fs::read_to_string("/proc/cpuinfo").expect("read /proc/cpuinfo");
        Vendor::from_cpuinfo(&text).unwrap_or_else(|| {
            panic!("this processor is neither Intel nor AMD: no vendor profile to compare with")
        })
    })
}

/// Whether the host processor reports AMD's XSaveErPtr (CPUID Fn8000_0008_EBX bit 2, the
/// `xsaveerptr` flag of `/proc/cpuinfo`), as every Zen core does: the parts the AMD profile's
/// x87 pointers were checked on (`cpu/exec/x87/image.rs`).
pub fn host_xsave_er_ptr() -> bool {
    static B: OnceLock<bool> = OnceLock::new();
    *B.get_or_init(|| {
        cpuinfo_field("flags").is_some_and(|f| f.split_whitespace().any(|x| x == "xsaveerptr"))
    })
}

/// Loads and runs in the simulator, with the host's vendor profile.
pub fn sim_linux(exe: &Path, args: &[&str], budget: u64) -> Linux {
    sim_linux_as(host_vendor(), exe, args, budget)
}

/// Loads and runs in the simulator with the given vendor profile.
pub fn sim_linux_as(vendor: Vendor, exe: &Path, args: &[&str], budget: u64) -> Linux {
    let bytes = std::fs::read(exe).expect("read exe");
    let mut l = Linux::new(&Config {
        vendor,
        ..Config::default()
    })
    .expect("boot");
    l.exec(&bytes, None, &exec_args(exe, args)).expect("load");
    l.run(budget);
    l
}

pub fn sim(exe: &Path, args: &[&str]) -> RunResult {
    sim_as(host_vendor(), exe, args)
}

/// [`sim`] with the given vendor profile.
pub fn sim_as(vendor: Vendor, exe: &Path, args: &[&str]) -> RunResult {
    let l = sim_linux_as(vendor, exe, args, 200_000_000);
    let status = match &l.state {
        ProcessState::Running => panic!("{}: still running after the budget", exe.display()),
        ProcessState::Crashed { reason } => panic!("{}: machine crashed: {reason}", exe.display()),
        s => s.shell_status().expect("status"),
    };
    RunResult {
        stdout: l.stdout.clone(),
        status,
        steps: l.instructions(),
    }
}

/// Builds, runs both ways and compares output, status and instruction count.
pub fn compare(file: &str, how: Build, args: &[&str]) -> RunResult {
    let exe = build(file, how);
    let n = native(&exe, args);
    let s = sim(&exe, args);
    assert_eq!(
        String::from_utf8_lossy(&s.stdout),
        String::from_utf8_lossy(&n.stdout),
        "{file}: stdout differs"
    );
    assert_eq!(s.status, n.status, "{file}: exit status differs");
    assert_eq!(
        s.steps, n.steps,
        "{file}: retired instruction count differs (simulator vs ptrace single-step)"
    );
    s
}

/// Output of a run with several processes: stdout, stderr, status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    /// Exit code, or 128 + signal.
    pub status: u8,
}

/// Builds `file` both ways (musl-gcc -static, gcc -static), runs each natively without
/// ptrace and in the simulator, and compares stdout, stderr and the status. Returns the
/// simulator's outcome of the musl build.
pub fn compare_outcome(file: &str, args: &[&str]) -> Outcome {
    compare_outcome_stdin(file, args, b"")
}

/// [`compare_outcome`] with `stdin` on the standard input of both runs.
pub fn compare_outcome_stdin(file: &str, args: &[&str], stdin: &[u8]) -> Outcome {
    let mut first = None;
    for how in [Build::Musl, Build::Glibc] {
        let exe = build(file, how);
        // A fresh directory to run in: the programs make files in their working directory.
        let dir = tmp().join(format!(
            "cwd-{}",
            exe.file_name().unwrap_or_default().to_string_lossy()
        ));
        std::fs::create_dir_all(&dir).expect("working directory");
        let (out, status) = native_output(&exe, args, Some(&dir), stdin);
        let native = Outcome {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            status,
        };
        let bytes = std::fs::read(&exe).expect("read exe");
        let mut l = Linux::new(&Config {
            vendor: host_vendor(),
            ..Config::default()
        })
        .expect("boot");
        l.exec(&bytes, None, &exec_args(&exe, args)).expect("load");
        l.stdin = stdin.to_vec();
        l.run(500_000_000);
        let status = match &l.state {
            ProcessState::Running => panic!("{file} ({how:?}): still running after the budget"),
            ProcessState::Crashed { reason } => panic!("{file} ({how:?}): crashed: {reason}"),
            s => s.shell_status().expect("status"),
        };
        let sim = Outcome {
            stdout: String::from_utf8_lossy(&l.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&l.stderr).into_owned(),
            status,
        };
        assert_eq!(sim, native, "{file} built {how:?}: simulator vs native");
        first.get_or_insert(sim);
    }
    first.expect("two builds")
}

/// Runs natively without ptrace (no step count; RFLAGS.TF stays clear), ASLR on.
pub fn native_plain(exe: &Path, args: &[&str]) -> RunResult {
    let (out, status) = native_output(exe, args, None, b"");
    RunResult {
        stdout: out.stdout,
        status,
        steps: 0,
    }
}

/// Runs natively (in `dir` if given) with the test environment: the output and the status
/// as a shell reports it.
fn native_output(
    exe: &Path,
    args: &[&str],
    dir: Option<&Path>,
    stdin: &[u8],
) -> (std::process::Output, u8) {
    use std::io::Write;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let mut c = Command::new(exe);
    c.args(args)
        .env_clear()
        .envs(test_env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(d) = dir {
        c.current_dir(d);
    }
    let mut child = c.run_spawn().expect("run natively");
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(stdin);
    }
    let out = child.wait_with_output().expect("run natively");
    let status = match (out.status.code(), out.status.signal()) {
        (Some(c), _) => c as u8,
        (None, Some(s)) => 128 + s as u8,
        _ => 255,
    };
    (out, status)
}

/// The machine code between the labels `{prefix}{k}_b` and `{prefix}{k}_e` of `exe`, for each
/// `k` in `forms` (the symbols from `nm`, the file offset of `.text` from `readelf -SW`).
pub fn labelled_code(
    exe: &std::path::Path,
    prefix: &str,
    forms: std::ops::Range<usize>,
) -> Vec<Vec<u8>> {
    let nm = std::process::Command::new("nm")
        .arg(exe)
        .output()
        .expect("nm (binutils)");
    let syms: std::collections::HashMap<String, u64> = String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let a = u64::from_str_radix(w.next()?, 16).ok()?;
            let _ = w.next()?;
            Some((w.next()?.to_string(), a))
        })
        .collect();
    let re = std::process::Command::new("readelf")
        .args(["-SW"])
        .arg(exe)
        .output()
        .expect("readelf");
    let text = String::from_utf8_lossy(&re.stdout);
    let line = text.lines().find(|l| l.contains(" .text ")).expect(".text");
    let f: Vec<&str> = line.split_whitespace().collect();
    let i = f.iter().position(|x| *x == ".text").unwrap();
    let addr = u64::from_str_radix(f[i + 2], 16).unwrap();
    let off = u64::from_str_radix(f[i + 3], 16).unwrap();
    let bytes = std::fs::read(exe).unwrap();
    forms
        .map(|k| {
            let b = syms[&format!("{prefix}{k}_b")];
            let e = syms[&format!("{prefix}{k}_e")];
            let s = (b - addr + off) as usize;
            bytes[s..s + (e - b) as usize].to_vec()
        })
        .collect()
}

/// The folder of the recorded FP corpora.
fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The kind of a corpus file (`x87_transc` of `x87_transc-amd-1a.bin.gz`) and the vendor that
/// recorded it, or `None` for a file of another name.
fn corpus_kind(file: &str) -> Option<(&str, Vendor)> {
    let vendor = youcpu_core::cpu::replay::corpus_vendor(file)?;
    let kind = file.split_once(&format!("-{}-", vendor.id()))?.0;
    Some((kind, vendor))
}

/// Every corpus in `tests/corpus/`: its file name and recording vendor. Any other file there
/// but the README fails the test (a corpus no replay reads).
pub fn corpus_files() -> Vec<(String, Vendor)> {
    let mut v: Vec<(String, Vendor)> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus")
        .map(|e| e.expect("tests/corpus entry").file_name())
        .filter(|name| name != "README.md")
        .map(|name| {
            let name = name.to_string_lossy().into_owned();
            let Some((_, vendor)) = corpus_kind(&name).filter(|_| name.ends_with(".bin.gz")) else {
                panic!("tests/corpus/{name}: not KIND-VENDOR-FAMILY.bin.gz");
            };
            (name, vendor)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The corpora of `kind` (`sse`, `x87`, `x87_transc`), uncompressed, with the file name and
/// the vendor that recorded each; at least one per vendor, so that every profile is checked
/// against its own processor on any host.
pub fn corpora(kind: &str) -> Vec<(String, Vendor, Vec<u8>)> {
    use std::io::Read;
    let found: Vec<(String, Vendor, Vec<u8>)> = corpus_files()
        .into_iter()
        .filter(|(name, _)| corpus_kind(name).is_some_and(|(k, _)| k == kind))
        .map(|(name, vendor)| {
            let f = std::fs::File::open(corpus_dir().join(&name)).expect("open corpus");
            let mut data = Vec::new();
            flate2::read::GzDecoder::new(f)
                .read_to_end(&mut data)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, vendor, data)
        })
        .collect();
    for v in Vendor::ALL {
        assert!(
            found.iter().any(|c| c.1 == v),
            "no {kind} corpus recorded on {v} (record one there with YOUCPU_RECORD=1)"
        );
    }
    found
}

/// Replays every corpus of `kind` on its recording vendor's profile with `replay` (one of
/// `cpu::replay`'s functions): each must replay, with more than `min` records. The corpora.
pub fn replay_corpora(
    kind: &str,
    min: usize,
    replay: impl Fn(&[u8], Vendor) -> Result<usize, youcpu_core::cpu::replay::ReplayError>,
) -> Vec<(String, Vendor, Vec<u8>)> {
    let all = corpora(kind);
    for (name, vendor, data) in &all {
        match replay(data, *vendor) {
            Ok(n) => {
                assert!(n > min, "{name}: too few recorded cases: {n}");
                eprintln!("{name}: {n} records replay ({vendor} profile)");
            }
            Err(e) => panic!("{name}: {e}"),
        }
    }
    all
}

/// Writes a recorded corpus of `kind`, gzipped, to `tests/corpus/KIND-VENDOR-FAMILY.bin.gz`
/// (the host's vendor and CPUID family in hex: `sse-amd-1a.bin.gz`): the 6-byte `magic`, the
/// form count (u16) and each form's machine code (a length byte, the bytes), the record count
/// (u32) and each record (the form's index as u16, the input bytes, the wanted bytes), all
/// little-endian; the replay tests read it back (`cpu::replay`) on the vendor's profile.
pub fn write_corpus(
    magic: &[u8; 6],
    kind: &str,
    forms: &[Vec<u8>],
    records: &[(usize, Vec<u8>, Vec<u8>)],
) {
    use std::io::Write;
    let mut out = magic.to_vec();
    out.extend_from_slice(&(forms.len() as u16).to_le_bytes());
    for f in forms {
        out.push(f.len() as u8);
        out.extend_from_slice(f);
    }
    out.extend_from_slice(&(records.len() as u32).to_le_bytes());
    for (form, input, want) in records {
        out.extend_from_slice(&(*form as u16).to_le_bytes());
        out.extend_from_slice(input);
        out.extend_from_slice(want);
    }
    let file = format!("{kind}-{}-{:02x}.bin.gz", host_vendor().id(), host_family());
    let path = corpus_dir().join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // No name or time in the gzip header: the same records give the same file.
    let mut gz = flate2::GzBuilder::new().write(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::best(),
    );
    gz.write_all(&out).unwrap();
    gz.finish().unwrap();
    eprintln!(
        "recorded {} records of {} forms into {}",
        records.len(),
        forms.len(),
        path.display()
    );
}
