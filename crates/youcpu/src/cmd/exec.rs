//! `youcpu exec`: simulates execve(2) on real files, without running anything.

use crate::cli::{err, text_value, CliError, Output};
use serde_json::{json, Value};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use youcpu_core::exec::binprm::DEFAULT_STACK_RLIMIT;
use youcpu_core::exec::misc::MiscRegistry;
use youcpu_core::exec::namei::{resolve_dir, Cred, OpenError};
use youcpu_core::exec::shell::{enoexec_fallback, error_status, Fallback, Shell};
use youcpu_core::exec::{execve, register, ExecOutcome, ExecRequest, Failure};
use youcpu_core::linux::fs::vfs::ExecView;

/// Usage text.
pub const USAGE: &str =
    "youcpu exec [--root DIR] [--cwd DIR] [--argv0 S | --no-argv] [--env K=V]... \
[--misc 'REGISTRATION']... [--user UID:GID[,GID...]] [--shell dash|bash] [--json] PATH [ARG...]";

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn list(v: &[Vec<u8>]) -> Vec<String> {
    v.iter().map(|x| s(x)).collect()
}

/// The soft RLIMIT_STACK from /proc/self/limits (the limit execve uses for argv+envp).
fn stack_rlimit() -> u64 {
    let Ok(text) = std::fs::read_to_string("/proc/self/limits") else {
        return DEFAULT_STACK_RLIMIT;
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Max stack size") {
            let soft = rest.split_whitespace().next().unwrap_or("");
            return if soft == "unlimited" {
                u64::MAX
            } else {
                soft.parse().unwrap_or(DEFAULT_STACK_RLIMIT)
            };
        }
    }
    DEFAULT_STACK_RLIMIT
}

/// This process's effective uid and groups, from /proc/self/status.
fn own_cred() -> Cred {
    let Ok(text) = std::fs::read_to_string("/proc/self/status") else {
        return Cred::root();
    };
    let field = |name: &str, idx: usize| -> Option<u32> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(idx)?.parse().ok()
    };
    let uid = field("Uid:", 2).unwrap_or(0);
    let mut gids = vec![field("Gid:", 2).unwrap_or(0)];
    if let Some(line) = text.lines().find(|l| l.starts_with("Groups:")) {
        gids.extend(
            line.split_whitespace()
                .skip(1)
                .filter_map(|g| g.parse::<u32>().ok()),
        );
    }
    Cred { uid, gids }
}

fn parse_user(v: &str) -> Result<Cred, CliError> {
    let bad = || err(format!("--user: \"{v}\" is not UID:GID[,GID...] (numbers)"));
    let (u, g) = v.split_once(':').ok_or_else(bad)?;
    let uid = u.parse::<u32>().map_err(|_| bad())?;
    let gids = g
        .split(',')
        .map(|x| x.parse::<u32>().map_err(|_| bad()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Cred { uid, gids })
}

/// Parses the arguments and runs the model.
pub fn run(args: Vec<OsString>) -> Result<Output, CliError> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut root = String::from("/");
    let mut cwd: Option<String> = None;
    let mut argv0: Option<Vec<u8>> = None;
    let mut no_argv = false;
    let mut envp: Vec<Vec<u8>> = Vec::new();
    let mut misc_regs: Vec<String> = Vec::new();
    let mut cred: Option<Cred> = None;
    let mut shell: Option<Shell> = None;
    let mut path: Option<Vec<u8>> = None;
    let mut rest: Vec<Vec<u8>> = Vec::new();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("root") => root = text_value(&mut parser, "root")?,
            Long("cwd") => cwd = Some(text_value(&mut parser, "cwd")?),
            Long("argv0") => argv0 = Some(parser.value()?.into_vec()),
            Long("no-argv") => no_argv = true,
            Long("env") => {
                let v = parser.value()?.into_vec();
                if !v.contains(&b'=') {
                    return Err(err(format!("--env: \"{}\" has no '=': give K=V", s(&v))));
                }
                envp.push(v);
            }
            Long("misc") => misc_regs.push(text_value(&mut parser, "misc")?),
            Long("user") => cred = Some(parse_user(&text_value(&mut parser, "user")?)?),
            Long("shell") => {
                shell = Some(match text_value(&mut parser, "shell")?.as_str() {
                    "dash" | "sh" => Shell::Dash,
                    "bash" => Shell::Bash,
                    other => return Err(err(format!("--shell: \"{other}\" is not dash or bash"))),
                })
            }
            Long("json") => {}
            Long("help") | Short('h') => {
                return Ok(Output::ok(
                    format!("usage: {USAGE}"),
                    json!({ "usage": USAGE }),
                ))
            }
            Value(v) => {
                path = Some(v.into_vec());
                rest.extend(parser.raw_args()?.map(OsString::into_vec));
            }
            _ => return Err(err(arg.unexpected())),
        }
    }
    let Some(path) = path else {
        return Err(err(format!("PATH is required; usage: {USAGE}")));
    };
    if no_argv && (argv0.is_some() || !rest.is_empty()) {
        return Err(err(
            "--no-argv passes an empty argv: it cannot be combined with --argv0 or ARGs",
        ));
    }
    let root_meta = std::fs::metadata(&root).map_err(|e| err(format!("--root \"{root}\": {e}")))?;
    if !root_meta.is_dir() {
        return Err(err(format!("--root \"{root}\" is not a directory")));
    }
    // The cwd: given, or (with the whole machine as root) this process's own, else "/".
    let cwd = match cwd {
        Some(c) if c.starts_with('/') => c,
        Some(c) => {
            return Err(err(format!(
                "--cwd \"{c}\" must be an absolute path inside the root"
            )))
        }
        None if root == "/" => std::env::current_dir()
            .ok()
            .and_then(|p| p.to_str().map(str::to_string))
            .unwrap_or_else(|| "/".into()),
        None => "/".into(),
    };
    let fs = ExecView::host(std::path::Path::new(&root))
        .map_err(|e| err(format!("--root \"{root}\": {e}")))?;
    let cred = cred.unwrap_or_else(own_cred);
    // The model walks relative paths from the cwd's own components: resolve its symbolic
    // links (inside the root) first, as getcwd would show it.
    let cwd = String::from_utf8_lossy(
        &resolve_dir(&fs, b"/", cwd.as_bytes(), &Cred::root()).map_err(|e| match e {
            OpenError::Errno(n, why) => err(format!("--cwd \"{cwd}\": {why} ({})", n.name())),
            OpenError::Unavailable(m) => err(format!("--cwd \"{cwd}\": {m}")),
        })?,
    )
    .into_owned();
    let mut misc = MiscRegistry::default();
    for r in &misc_regs {
        register(&mut misc, &fs, cwd.as_bytes(), &cred, r.as_bytes()).map_err(|e| {
            err(format!(
                "--misc \"{r}\": the kernel refuses it with {}: {}",
                e.errno.name(),
                e.reason
            ))
        })?;
    }
    let argv = if no_argv {
        Vec::new()
    } else {
        let mut a = vec![argv0.unwrap_or_else(|| path.clone())];
        a.extend(rest.iter().cloned());
        a
    };
    let mut req = ExecRequest::new(&path, argv, envp);
    req.cwd = cwd.into_bytes();
    req.cred = cred;
    req.stack_rlimit = stack_rlimit();
    req.misc = misc;
    let out = execve(&fs, &req);
    if let Err(Failure::Unavailable(m)) = &out.result {
        return Err(err(format!("cannot simulate: {m}")));
    }
    let shell_json = shell.map(|sh| shell_part(sh, &fs, &req, &out, &rest));
    Ok(render(&out, shell_json))
}

fn shell_part(
    sh: Shell,
    fs: &ExecView,
    req: &ExecRequest,
    out: &ExecOutcome,
    rest: &[Vec<u8>],
) -> Value {
    use youcpu_core::exec::fs::FileSystem;
    match out.errno() {
        None => json!({"shell": sh.name(), "runs": "the program itself (execve succeeded)"}),
        Some(youcpu_core::exec::Errno::Enoexec) => {
            let head =
                youcpu_core::exec::namei::open_exec(fs, &req.cwd, &req.path, &req.cred, true)
                    .ok()
                    .and_then(|f| fs.read_at(&f.path, 0, sh.sample_len()).ok())
                    .unwrap_or_default();
            match enoexec_fallback(sh, &req.path, rest, &head) {
                Fallback::Script { argv, how } => {
                    json!({"shell": sh.name(), "runs": "script", "argv": list(&argv), "how": how})
                }
                Fallback::Status { status, why } => {
                    json!({"shell": sh.name(), "status": status, "why": why})
                }
            }
        }
        Some(e) => json!({"shell": sh.name(), "status": error_status(sh, e), "why": e.message()}),
    }
}

fn render(out: &ExecOutcome, shell: Option<Value>) -> Output {
    let chain: Vec<Value> = out
        .chain
        .iter()
        .map(|l| {
            let mut v = json!({
                "binfmt": l.binfmt.name(),
                "file": s(&l.file),
                "interp": l.interp.as_deref().map(s),
            });
            if l.binfmt == youcpu_core::exec::Binfmt::Script {
                v["arg"] = json!(l.arg.as_deref().map(s));
            }
            if let Some(n) = &l.misc_entry {
                v["entry"] = json!(s(n));
            }
            v
        })
        .collect();
    let steps: Vec<Value> = out
        .steps
        .iter()
        .map(|st| json!({"depth": st.depth, "binfmt": st.binfmt.map(|b| b.name()), "kind": format!("{:?}", st.kind).to_lowercase(), "text": st.text}))
        .collect();
    let mut text = String::new();
    for l in &out.chain {
        text.push_str(&format!("{:<10} {}", l.binfmt.name(), s(&l.file)));
        if let Some(i) = &l.interp {
            text.push_str(&format!(" -> {}", s(i)));
        }
        if let Some(a) = &l.arg {
            text.push_str(&format!(" (argument {:?})", s(a)));
        }
        text.push('\n');
    }
    let mut json = match &out.result {
        Ok(p) => {
            text.push_str(&format!("argv: {:?}\n", list(&p.argv)));
            json!({
                "ok": true,
                "chain": chain,
                "filename": s(&p.filename),
                "executable": s(&p.executable),
                "argv": list(&p.argv),
                "envp": list(&p.envp),
                "preserve_argv0": p.preserve_argv0,
                "execfd": p.execfd.as_deref().map(s),
                "steps": steps,
            })
        }
        Err(f) => {
            let (name, num, msg) = match f {
                Failure::Errno(e) => (e.name(), e.number(), e.message().to_string()),
                Failure::Unavailable(m) => ("", 0, m.clone()),
            };
            let why = out
                .steps
                .last()
                .map(|st| st.text.clone())
                .unwrap_or_default();
            text.push_str(&format!("execve fails with {name} ({msg}): {why}\n"));
            json!({"ok": false, "errno": name, "errno_number": num, "message": why, "chain": chain, "steps": steps})
        }
    };
    if let Some(sh) = shell {
        text.push_str(&format!("shell: {sh}\n"));
        json["shell"] = sh;
    }
    Output::ok(text, json)
}
