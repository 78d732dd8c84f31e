//! `youcpu run`: loads a static x86-64 Linux ELF into the simulated machine and runs it in
//! ring 3 under the simulated kernel. The guest's stdout/stderr go to ours and its exit status
//! becomes ours (128 + signal when it was killed, as a shell reports it).

use crate::cli::{err, text_value, CliError, Output};
use serde_json::json;
use std::ffi::OsString;
use std::io::Write;
use youcpu_core::cpu::vendor::Vendor;
use youcpu_core::linux::fs::host::HostFs;
use youcpu_core::linux::trace::Categories;
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

/// The processor this program runs on, from `/proc/cpuinfo`: the simulated core takes its
/// vendor's profile by default, so undefined flags come out as they would here. Intel when
/// the file is unreadable or names another vendor.
pub fn host_vendor() -> Vendor {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| Vendor::from_cpuinfo(&t))
        .unwrap_or_default()
}

/// The guest's environment: ours (as qemu-user passes it) or none with --clear-env, then
/// each --env K=V in order (replacing an earlier K).
fn environment(clear: bool, extra: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut env: Vec<Vec<u8>> = if clear {
        Vec::new()
    } else {
        std::env::vars_os()
            .map(|(k, v)| {
                let mut b = bytes_of(&k);
                b.push(b'=');
                b.extend(bytes_of(&v));
                b
            })
            .collect()
    };
    for kv in extra {
        let key = kv.split(|&c| c == b'=').next().unwrap_or_default();
        env.retain(|e| e.split(|&c| c == b'=').next() != Some(key));
        env.push(kv.clone());
    }
    env
}

/// Parses the arguments, runs the guest, and reports.
pub fn run(args: Vec<OsString>) -> Result<Output, CliError> {
    use lexopt::prelude::*;
    use std::io::IsTerminal;
    let mut parser = lexopt::Parser::from_args(args);
    let mut max_steps = DEFAULT_MAX_STEPS;
    let mut json_mode = false;
    let mut vendor = host_vendor();
    let mut elf: Option<OsString> = None;
    let mut guest_args: Vec<OsString> = Vec::new();
    let mut root: Option<OsString> = None;
    let mut cwd: Option<OsString> = None;
    let mut clear_env = false;
    let mut extra_env: Vec<Vec<u8>> = Vec::new();
    let mut trace: Option<Categories> = None;
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
            Long("root") => root = Some(parser.value()?),
            Long("cwd") => cwd = Some(parser.value()?),
            Long("clear-env") => clear_env = true,
            Long("trace") => {
                let v = match parser.optional_value() {
                    Some(v) => v
                        .into_string()
                        .map_err(|_| err("--trace: the value is not valid UTF-8"))?,
                    None => String::new(),
                };
                trace = Some(Categories::parse(&v).map_err(|e| err(format!("--trace: {e}")))?);
            }
            Long("env") => {
                let kv = bytes_of(&parser.value()?);
                if !kv.contains(&b'=') || kv.first() == Some(&b'=') {
                    return Err(err("--env: expected K=V"));
                }
                extra_env.push(kv);
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
            "usage: youcpu run [--max-steps N] [--cpu intel|amd] [--json] [--root DIR] [--cwd DIR] [--env K=V]... [--clear-env] [--trace[=syscalls,faults,signals,sched,exec,mmap]] PROGRAM [ARG...]",
        ));
    };
    let mut argv = vec![bytes_of(&elf)];
    argv.extend(guest_args.iter().map(bytes_of));
    let envp = environment(clear_env, &extra_env);
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
    let root_dir = root.clone().unwrap_or_else(|| OsString::from("/"));
    let host = HostFs::new(std::path::Path::new(&root_dir))
        .map_err(|e| err(format!("--root {}: {e}", root_dir.to_string_lossy())))?;
    linux.set_fs(Box::new(host));
    // The working directory: --cwd (a path inside the root); else ours without --root, the
    // root with it.
    let start_dir = match (&cwd, &root) {
        (Some(c), _) => Some(bytes_of(c)),
        (None, None) => std::env::current_dir()
            .ok()
            .map(|d| bytes_of(&d.into_os_string())),
        (None, Some(_)) => None,
    };
    if let Some(d) = start_dir {
        linux
            .set_cwd(&d)
            .map_err(|e| err(format!("--cwd {}: {e}", String::from_utf8_lossy(&d))))?;
    }
    // The wall clock starts at ours (the simulated clock then runs at one nanosecond per
    // instruction).
    linux.realtime_offset_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    linux.terminal.is_tty = [
        std::io::stdin().is_terminal(),
        std::io::stdout().is_terminal(),
        std::io::stderr().is_terminal(),
    ];
    let dim = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u16>().ok());
    linux.terminal.size = (dim("LINES").unwrap_or(24), dim("COLUMNS").unwrap_or(80));
    if let Some(c) = trace {
        linux.trace.start(c);
    }
    // execve as the kernel does it (binfmt_misc, `#!` scripts, ELF and its interpreter),
    // its verdicts traced as the page's timeline shows them; a file that model refuses is
    // still loaded directly when it is an ELF the loader takes (a program without its
    // execute bit, say), or refused with the loader's own reason.
    if linux.spawn(&bytes_of(&elf), &exec).is_err() {
        linux.trace.events.clear();
        if let Err(e) = linux.exec_file(&bytes_of(&elf), &exec) {
            return Err(err(format!("cannot load {}: {e}", elf.to_string_lossy())));
        }
    }
    let (mut out_done, mut err_done, mut trace_done) = (0usize, 0usize, 0usize);
    let mut finished = false;
    // Our standard input reaches the guest as it asks for it.
    linux.stdin_open = true;
    let mut input = std::io::stdin().lock();
    while !finished {
        let left = max_steps.saturating_sub(linux.instructions());
        if left == 0 {
            break;
        }
        finished = linux.run(left.min(SLICE));
        if linux.awaiting_input {
            let mut buf = vec![0u8; 1 << 16];
            let n = std::io::Read::read(&mut input, &mut buf).unwrap_or(0);
            linux.feed_stdin(buf.get(..n).unwrap_or_default());
        }
        if !json_mode {
            let mut e = std::io::stderr().lock();
            for ev in linux.trace.events.get(trace_done..).unwrap_or_default() {
                let _ = writeln!(e, "{}", ev.line());
            }
            trace_done = linux.trace.events.len();
            drop(e);
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
        .map(|s| json!({"nr": s.nr, "name": s.name, "ret": s.ret, "pid": s.pid}))
        .collect();
    let mut j = json!({
        "exit_code": code,
        "stdout": String::from_utf8_lossy(&linux.stdout),
        "stderr": String::from_utf8_lossy(&linux.stderr),
        "instructions": instructions,
        "cpu": vendor.id(),
        "syscalls": syscalls,
    });
    if linux.trace.on {
        j["trace"] = json!(linux.trace.events);
        j["trace_dropped"] = json!(linux.trace.dropped);
    }
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
