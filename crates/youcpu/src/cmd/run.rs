//! `youcpu run`: loads a static x86-64 Linux ELF into the simulated machine and runs it in
//! ring 3 under the simulated kernel. The guest's stdout/stderr go to ours and its exit status
//! becomes ours (128 + signal when it was killed, as a shell reports it).

use crate::cli::{err, text_value, CliError, Output};
use serde_json::json;
use std::ffi::OsString;
use std::io::Write;
use youcpu_core::cpu::vendor::Vendor;
use youcpu_core::linux::{Config, Linux, ProcessState};
use youcpu_core::loader::stack::RANDOM_SEED;
use youcpu_core::loader::ExecArgs;

/// Default step budget (guest instructions).
pub const DEFAULT_MAX_STEPS: u64 = 1_000_000_000;
/// The largest budget accepted.
pub const MAX_MAX_STEPS: u64 = 1 << 40;
const SLICE: u64 = 5_000_000;

fn bytes_of(s: &OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    s.as_os_str().as_bytes().to_vec()
}

/// Our real uid and gid (from /proc/self/status), which the guest's auxiliary vector reports
/// like the kernel would; 0 when unavailable.
fn ids() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("Uid:"), field("Gid:"))
}

/// A dynamically linked program: does what execve does (fs/binfmt_elf.c load_elf_binary maps
/// the program, then the PT_INTERP interpreter read from this machine's file system, and
/// starts the process at the interpreter's entry), then stops there with why, as an error.
fn stop_at_interpreter(elf: &OsString, program: &[u8], exec: &ExecArgs, cfg: &Config) -> CliError {
    let name = elf.to_string_lossy();
    let interp = match youcpu_core::elf::parse(program) {
        Ok(f) => f.interp.map(|i| i.path),
        Err(e) => return err(format!("cannot load {name}: {e}")),
    };
    let Some(interp) = interp else {
        return err(format!("cannot load {name}: it names no interpreter"));
    };
    let bytes = match std::fs::File::open(&interp).and_then(|f| {
        use std::io::Read;
        let mut b = Vec::new();
        f.take(youcpu_core::loader::MAX_FILE as u64 + 1)
            .read_to_end(&mut b)
            .map(|_| b)
    }) {
        Ok(b) => b,
        Err(e) => {
            return err(format!(
                "{name} is dynamically linked and its interpreter {interp} cannot be read ({e}): the kernel would fail this execve with ENOENT"
            ))
        }
    };
    let mut linux = match Linux::new(cfg) {
        Ok(l) => l,
        Err(e) => return err(e),
    };
    match linux.exec(program, Some(&bytes), exec) {
        Ok(info) => err(format!(
            "{name} is dynamically linked: loaded it (entry {:#x}) and its interpreter {interp} (base {:#x}), and stopped at the interpreter's entry {:#x} before its first instruction; from here ld.so would open and mmap the shared libraries (libc.so.6) from files, which this simulator does not provide, so only static programs run (build with -static)",
            info.entry, info.interp_base, info.start
        )),
        Err(e) => err(format!(
            "{name} is dynamically linked, and loading its interpreter {interp} failed: {e}"
        )),
    }
}

/// Reads the program, at most the loader's limit (`loader::MAX_FILE`) plus one byte, so that
/// `/dev/zero` or a huge file is refused instead of read until memory runs out.
fn read_program(path: &OsString) -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    let shown = path.to_string_lossy();
    let limit = youcpu_core::loader::MAX_FILE as u64;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| err(format!("cannot read {shown}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(err(format!(
            "cannot read {shown}: it is larger than {limit} bytes, the most the loader takes"
        )));
    }
    Ok(bytes)
}

/// The processor this program runs on, from `/proc/cpuinfo`: the simulated core takes its
/// vendor's profile by default, so undefined flags come out as they would here. Intel when
/// the file is unreadable or names another vendor.
pub fn host_vendor() -> Vendor {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| Vendor::from_cpuinfo(&t))
        .unwrap_or_default()
}

/// Parses the arguments, runs the guest, and reports.
pub fn run(args: Vec<OsString>) -> Result<Output, CliError> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut max_steps = DEFAULT_MAX_STEPS;
    let mut json_mode = false;
    let mut vendor = host_vendor();
    let mut elf: Option<OsString> = None;
    let mut guest_args: Vec<OsString> = Vec::new();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("max-steps") => {
                let v = text_value(&mut parser, "max-steps")?;
                let n = youcpu_core::units::parse_int(&v, 1, MAX_MAX_STEPS as i64)
                    .map_err(|e| err(format!("--max-steps: {e}")))?;
                max_steps = n as u64;
            }
            Long("json") => json_mode = true,
            Long("cpu") => {
                let v = text_value(&mut parser, "cpu")?;
                vendor = v.parse().map_err(|e| err(format!("--cpu: {e}")))?;
            }
            Value(v) => {
                elf = Some(v);
                // Everything after the program belongs to the guest.
                guest_args.extend(parser.raw_args()?);
                break;
            }
            _ => return Err(err(arg.unexpected())),
        }
    }
    let Some(elf) = elf else {
        return Err(err(
            "usage: youcpu run [--max-steps N] [--cpu intel|amd] [--json] ELF [ARG...]",
        ));
    };
    let program = read_program(&elf)?;
    let mut argv = vec![bytes_of(&elf)];
    argv.extend(guest_args.iter().map(bytes_of));
    let envp: Vec<Vec<u8>> = std::env::vars_os()
        .map(|(k, v)| {
            let mut b = bytes_of(&k);
            b.push(b'=');
            b.extend(bytes_of(&v));
            b
        })
        .collect();
    let (uid, gid) = ids();
    let exec = ExecArgs {
        argv,
        envp,
        execfn: bytes_of(&elf),
        uid,
        gid,
        random_seed: RANDOM_SEED,
    };
    let cfg = Config {
        vendor,
        ..Config::default()
    };
    let mut linux = Linux::new(&cfg).map_err(err)?;
    let info = linux.exec(&program, None, &exec);
    match info {
        Ok(_) => {}
        Err(e) if e.contains("dynamically linked") => {
            return Err(stop_at_interpreter(&elf, &program, &exec, &cfg))
        }
        Err(e) => return Err(err(format!("cannot load {}: {e}", elf.to_string_lossy()))),
    }
    let (mut out_done, mut err_done) = (0usize, 0usize);
    let mut finished = false;
    while !finished {
        let left = max_steps.saturating_sub(linux.instructions());
        if left == 0 {
            break;
        }
        finished = linux.run(left.min(SLICE));
        if !json_mode {
            let mut o = std::io::stdout().lock();
            let _ = o.write_all(linux.stdout.get(out_done..).unwrap_or_default());
            let _ = o.flush();
            out_done = linux.stdout.len();
            let mut e = std::io::stderr().lock();
            let _ = e.write_all(linux.stderr.get(err_done..).unwrap_or_default());
            err_done = linux.stderr.len();
        }
    }
    let instructions = linux.instructions();
    let status = match &linux.state {
        ProcessState::Running => {
            return Err(err(format!(
                "step budget exhausted: the program ran {instructions} instructions without exiting (rip {:#x}); raise --max-steps",
                linux.m.cpu.s.rip
            )))
        }
        ProcessState::Crashed { reason } => return Err(err(format!("the simulated machine stopped: {reason}"))),
        s => s.clone(),
    };
    let code = status.shell_status().unwrap_or(1);
    let syscalls: Vec<serde_json::Value> = linux
        .syscalls
        .iter()
        .map(|s| json!({"nr": s.nr, "name": s.name, "ret": s.ret}))
        .collect();
    let mut j = json!({
        "exit_code": code,
        "stdout": String::from_utf8_lossy(&linux.stdout),
        "stderr": String::from_utf8_lossy(&linux.stderr),
        "instructions": instructions,
        "cpu": vendor.id(),
        "syscalls": syscalls,
    });
    if let ProcessState::Killed { signal, reason } = &status {
        j["signal"] = json!(signal);
        j["fault"] = json!(reason);
    }
    if json_mode {
        return Ok(Output {
            text: String::new(),
            json: j,
            exit_code: code,
        });
    }
    if let ProcessState::Killed { signal, reason } = &status {
        let _ = writeln!(
            std::io::stderr(),
            "youcpu: the program was killed by {} ({signal}): {reason}",
            youcpu_core::linux::signal::name(*signal)
        );
    }
    let _ = std::io::stdout().flush();
    // The guest's bytes are already on our stdout; leave without the caller's trailing newline.
    std::process::exit(i32::from(code));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_refused_at_the_loader_limit() {
        // Found by tests/malformed_sweep.rs: `youcpu run /dev/zero` read until memory ran out.
        let e = read_program(&OsString::from("/dev/zero"))
            .err()
            .map(|e| e.0);
        assert!(
            e.as_deref().is_some_and(|m| m.contains("larger than")),
            "{e:?}"
        );
        let e = read_program(&OsString::from("/nonexistent/x"))
            .err()
            .map(|e| e.0);
        assert!(
            e.as_deref().is_some_and(|m| m.starts_with("cannot read")),
            "{e:?}"
        );
    }
}
