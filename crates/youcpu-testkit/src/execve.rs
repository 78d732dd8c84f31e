//! Shared helpers of the execve oracle tests: a recorder program (prints its argv and two
//! auxv entries) and a runner program (calls the real execve with exactly the argv asked for,
//! possibly empty, possibly as another user), both compiled with `cc` at test time; and the
//! comparison of the kernel's answer with the model's on the same files.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use crate::process::Run;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use youcpu_core::exec::namei::Cred;
use youcpu_core::exec::{execve, ExecRequest, Failure};
use youcpu_core::linux::fs::vfs::ExecView;

const RECORDER_C: &str = r#"
#include <stdio.h>
#include <sys/auxv.h>
static void hex(const char *s) { for (; *s; s++) printf("%02x", (unsigned char)*s); }
int main(int argc, char **argv) {
    printf("ARGC %d\n", argc);
    for (int i = 0; i < argc; i++) { printf("ARG "); hex(argv[i]); printf("\n"); }
    printf("EXECFD %lu\nFLAGS %lu\nEXECFN ", getauxval(AT_EXECFD), getauxval(AT_FLAGS));
    const char *fn = (const char *)getauxval(AT_EXECFN);
    if (fn) hex(fn);
    printf("\n");
    return 0;
}
"#;

const RUNNER_C: &str = r#"
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mount.h>
/* -R REGISTRATION mounts binfmt_misc at /proc/sys/fs/binfmt_misc and registers the string:
 * only for runs inside a private user and mount namespace (a chroot of example files). */
/* True in the host's user namespace (uid_map is the identity over every id): binfmt_misc
 * entries are registered only in a private namespace, never in the host's table. (A chroot
 * without /proc, where the examples run, is a private namespace: the host always has /proc.) */
static int in_host_namespace(void) {
    FILE *f = fopen("/proc/self/uid_map", "r");
    unsigned long a = 1, b = 1, c = 0;
    int n = f ? fscanf(f, "%lu %lu %lu", &a, &b, &c) : 0;
    if (f) fclose(f);
    return n == 3 && a == 0 && b == 0 && c == 4294967295UL;
}
static int registered(const char *reg) {
    static int mounted = 0;
    if (in_host_namespace()) { errno = EPERM; return -1; }
    if (!mounted) {
        if (mount("none", "/proc/sys/fs/binfmt_misc", "binfmt_misc", 0, NULL)) return -1;
        mounted = 1;
    }
    int fd = open("/proc/sys/fs/binfmt_misc/register", O_WRONLY);
    if (fd < 0) return -1;
    ssize_t r = write(fd, reg, strlen(reg));
    close(fd);
    return r < 0 ? -1 : 0;
}
/* runner [-e] [-0 ARGV0] [-u UID -g GID] [-E K=V]... [-B LEN]... [-V LEN]... [-N COUNT]
 *        PATH [ARG...]
 * -B adds an argument of LEN 'x' bytes, -V an environment string "V=" + 'x' bytes of LEN in
 * all, -N COUNT arguments "a": strings too big to pass through this program's own argv. */
static char *filled(long len, int env) {
    char *s = malloc(len + 1);
    memset(s, 'x', len);
    if (env && len >= 2) { s[0] = 'V'; s[1] = '='; }
    s[len] = 0;
    return s;
}
int main(int argc, char **argv) {
    int empty = 0, i = 1; char *argv0 = NULL; long uid = -1, gid = -1;
    char *envp[64]; int envc = 0;
    char *big[64]; int nbig = 0; long many = 0;
    while (i < argc) {
        if (!strcmp(argv[i], "-e")) { empty = 1; i++; }
        else if (!strcmp(argv[i], "-B")) { if (nbig < 64) big[nbig++] = filled(atol(argv[i + 1]), 0); i += 2; }
        else if (!strcmp(argv[i], "-V")) { if (envc < 63) envp[envc++] = filled(atol(argv[i + 1]), 1); i += 2; }
        else if (!strcmp(argv[i], "-N")) { many = atol(argv[i + 1]); i += 2; }
        else if (!strcmp(argv[i], "-R")) {
            if (registered(argv[i + 1])) { printf("REGERR %d\n", errno); return 114; }
            i += 2;
        }
        else if (!strcmp(argv[i], "-0")) { argv0 = argv[i + 1]; i += 2; }
        else if (!strcmp(argv[i], "-u")) { uid = atol(argv[i + 1]); i += 2; }
        else if (!strcmp(argv[i], "-g")) { gid = atol(argv[i + 1]); i += 2; }
        else if (!strcmp(argv[i], "-E")) { if (envc < 63) envp[envc++] = argv[i + 1]; i += 2; }
        else break;
    }
    envp[envc] = NULL;
    if (i >= argc) { fprintf(stderr, "runner: no path\n"); return 112; }
    char *path = argv[i];
    char **nargv = calloc(argc + 2 + nbig + many, sizeof(char *));
    long n = 0;
    if (!empty) {
        nargv[n++] = argv0 ? argv0 : path;
        for (int j = i + 1; j < argc; j++) nargv[n++] = argv[j];
        for (int j = 0; j < nbig; j++) nargv[n++] = big[j];
        for (long j = 0; j < many; j++) nargv[n++] = "a";
    }
    nargv[n] = NULL;
    if (gid >= 0) { if (setgroups(0, NULL) || setgid(gid)) { perror("setgid"); return 113; } }
    if (uid >= 0) { if (setuid(uid)) { perror("setuid"); return 113; } }
    execve(path, nargv, envp);
    printf("ERRNO %d\n", errno);
    return 111;
}
"#;

/// The compiled helper programs.
pub struct Tools {
    /// Prints its argv.
    pub recorder: PathBuf,
    /// Calls execve.
    pub runner: PathBuf,
    /// Their directory.
    pub dir: PathBuf,
}

static TOOLS: OnceLock<Tools> = OnceLock::new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn compile(dir: &Path, name: &str, src: &str) -> PathBuf {
    let c = dir.join(format!("{name}.c"));
    crate::process::write(&c, src).unwrap();
    let out = dir.join(name);
    let st = Command::new("cc")
        .arg("-O1")
        .arg("-o")
        .arg(&out)
        .arg(&c)
        .run_status()
        .expect("cc is installed");
    assert!(st.success(), "cc failed for {name}");
    out
}

/// The recorder and runner sources, for tests that build their own (static) copies.
pub fn sources() -> (&'static str, &'static str) {
    (RECORDER_C, RUNNER_C)
}

/// Builds (once per test binary) the recorder and the runner.
pub fn tools() -> &'static Tools {
    TOOLS.get_or_init(|| {
        // Tools of earlier test runs (processes that no longer exist) are removed.
        if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(pid) = name.strip_prefix("youcpu-exec-tools-") {
                    if !Path::new("/proc").join(pid).exists() {
                        let _ = std::fs::remove_dir_all(e.path());
                    }
                }
            }
        }
        let dir = std::env::temp_dir().join(format!("youcpu-exec-tools-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let recorder = compile(&dir, "rec", RECORDER_C);
        let runner = compile(&dir, "run", RUNNER_C);
        Tools {
            recorder,
            runner,
            dir,
        }
    })
}

/// A fresh scratch directory, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new empty directory under the temp dir.
    pub fn new(tag: &str) -> Self {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("youcpu-exec-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// A path inside.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes a file with a mode.
    pub fn file(&self, name: &str, bytes: &[u8], mode: u32) -> PathBuf {
        let p = self.path(name);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        crate::process::write(&p, bytes).unwrap();
        crate::process::chmod(&p, mode).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What an exec produced, as seen from outside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The recorder ran with this argv; whether AT_EXECFD was given; AT_FLAGS; AT_EXECFN.
    Ran {
        /// The argv the recorder was started with.
        argv: Vec<Vec<u8>>,
        /// Whether the auxv had AT_EXECFD (binfmt_misc's `O` flag).
        execfd: bool,
        /// AT_FLAGS.
        flags: u64,
        /// AT_EXECFN, the name the kernel was asked to run.
        execfn: Vec<u8>,
    },
    /// execve failed with this errno number.
    Errno(i32),
    /// The exec passed the point of no return and the process was then killed by this
    /// signal (a failure while mapping the ELF file: Part 4, outside this model, which stops
    /// at the checks made before the point of no return and reports those as accepted).
    Killed(i32),
    /// A program other than the recorder ran and exited with this status.
    Exited(i32),
}

/// One execve to try both ways.
#[derive(Clone, Debug)]
pub struct Case {
    /// The path given to execve.
    pub path: Vec<u8>,
    /// argv (None = the path as `argv[0]`, plus `args`).
    pub argv0: Option<Vec<u8>>,
    /// Arguments after `argv[0]`.
    pub args: Vec<Vec<u8>>,
    /// Pass an empty argv.
    pub empty_argv: bool,
    /// Environment strings.
    pub envp: Vec<Vec<u8>>,
    /// Working directory (absolute).
    pub cwd: PathBuf,
    /// Run as this uid/gid instead of root.
    pub user: Option<(u32, u32)>,
    /// Extra arguments of this many `x` bytes (made by the runner itself).
    pub big_args: Vec<usize>,
    /// Extra environment strings `V=xxx…` of this many bytes in all.
    pub big_env: Vec<usize>,
    /// This many extra arguments `a`.
    pub many_args: usize,
}

impl Case {
    /// A case for `path` with arguments, cwd = the tools directory.
    pub fn new(path: impl AsRef<[u8]>, args: &[&[u8]]) -> Self {
        Case {
            path: path.as_ref().to_vec(),
            argv0: None,
            args: args.iter().map(|a| a.to_vec()).collect(),
            empty_argv: false,
            envp: Vec::new(),
            cwd: tools().dir.clone(),
            user: None,
            big_args: Vec::new(),
            big_env: Vec::new(),
            many_args: 0,
        }
    }

    fn argv(&self) -> Vec<Vec<u8>> {
        if self.empty_argv {
            return Vec::new();
        }
        let mut a = vec![self.argv0.clone().unwrap_or_else(|| self.path.clone())];
        a.extend(self.args.iter().cloned());
        a.extend(self.big_args.iter().map(|&n| vec![b'x'; n]));
        a.extend(std::iter::repeat_n(b"a".to_vec(), self.many_args));
        a
    }

    fn envp(&self) -> Vec<Vec<u8>> {
        let mut e = self.envp.clone();
        for &n in &self.big_env {
            let mut s = vec![b'x'; n];
            if n >= 2 {
                s[0] = b'V';
                s[1] = b'=';
            }
            e.push(s);
        }
        e
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Runs the case with the machine's execve.
pub fn kernel(case: &Case) -> Seen {
    let mut cmd = Command::new(&tools().runner);
    cmd.current_dir(&case.cwd);
    kernel_with(cmd, case)
}

/// Runs the case through `cmd`, a command that ends by executing the runner (for example
/// `unshare --root=DIR /run`): the runner's options and the case's path and arguments are
/// appended.
pub fn kernel_with(mut cmd: Command, case: &Case) -> Seen {
    cmd.env_clear();
    if case.empty_argv {
        cmd.arg("-e");
    }
    if let Some(a0) = &case.argv0 {
        cmd.arg("-0").arg(std::ffi::OsStr::from_bytes(a0));
    }
    if let Some((u, g)) = case.user {
        cmd.arg("-u")
            .arg(u.to_string())
            .arg("-g")
            .arg(g.to_string());
    }
    for e in &case.envp {
        cmd.arg("-E").arg(std::ffi::OsStr::from_bytes(e));
    }
    for n in &case.big_args {
        cmd.arg("-B").arg(n.to_string());
    }
    for n in &case.big_env {
        cmd.arg("-V").arg(n.to_string());
    }
    if case.many_args > 0 {
        cmd.arg("-N").arg(case.many_args.to_string());
    }
    cmd.arg(std::ffi::OsStr::from_bytes(&case.path));
    for a in &case.args {
        cmd.arg(std::ffi::OsStr::from_bytes(a));
    }
    // A file written a moment ago can still be open for writing in a child another test
    // thread just forked (until that child's exec closes it): execve then says ETXTBSY (26),
    // which is about this test process, not the file. Wait and try again.
    let mut out = cmd.run_output().expect("runner starts");
    for _ in 0..100 {
        if !String::from_utf8_lossy(&out.stdout).starts_with("ERRNO 26") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        out = cmd.run_output().expect("runner starts");
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if let Some(rest) = text.strip_prefix("ERRNO ") {
        return Seen::Errno(rest.trim().parse().unwrap());
    }
    if let Some(sig) = std::os::unix::process::ExitStatusExt::signal(&out.status) {
        return Seen::Killed(sig);
    }
    let mut argv = Vec::new();
    let (mut execfd, mut flags, mut execfn) = (false, 0, Vec::new());
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("ARG ") {
            argv.push(unhex(h));
        } else if let Some(v) = line.strip_prefix("EXECFD ") {
            execfd = v.trim() != "0";
        } else if let Some(v) = line.strip_prefix("FLAGS ") {
            flags = v.trim().parse().unwrap();
        } else if let Some(v) = line.strip_prefix("EXECFN ") {
            execfn = unhex(v.trim());
        }
    }
    if !text.starts_with("ARGC ") && !text.starts_with("REGERR") && out.status.code() != Some(112) {
        return Seen::Exited(out.status.code().unwrap_or(-1));
    }
    assert!(
        text.starts_with("ARGC "),
        "the exec neither failed nor reached the recorder: status {:?}, stdout {text:?}, stderr {:?}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Seen::Ran {
        argv,
        execfd,
        flags,
        execfn,
    }
}

/// The soft stack rlimit of this process (the runner inherits it).
pub fn stack_rlimit() -> u64 {
    let text = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("Max stack size"))
        .unwrap();
    let soft = line["Max stack size".len()..]
        .split_whitespace()
        .next()
        .unwrap();
    if soft == "unlimited" {
        u64::MAX
    } else {
        soft.parse().unwrap()
    }
}

/// The request the model gets for a case (registry empty).
pub fn request(case: &Case) -> ExecRequest {
    let mut req = ExecRequest::new(&case.path, case.argv(), case.envp());
    req.cwd = case.cwd.as_os_str().as_bytes().to_vec();
    req.cred = match case.user {
        Some((u, g)) => Cred {
            uid: u,
            gids: vec![g],
        },
        None => Cred::root(),
    };
    req.stack_rlimit = stack_rlimit();
    req
}

/// The model's answer for a request on the real filesystem.
pub fn model_req(req: &ExecRequest) -> Seen {
    let fs = ExecView::host(std::path::Path::new("/")).expect("the host's files");
    model_on(&fs, req)
}

/// The model's answer for a request on any filesystem.
pub fn model_on(fs: &dyn youcpu_core::exec::fs::FileSystem, req: &ExecRequest) -> Seen {
    let out = execve(fs, req);
    match out.result {
        Ok(l) => Seen::Ran {
            argv: l.argv,
            execfd: l.execfd.is_some(),
            flags: u64::from(l.preserve_argv0),
            execfn: l.filename,
        },
        Err(Failure::Errno(e)) => Seen::Errno(e.number()),
        Err(Failure::Unavailable(m)) => panic!("model could not read the filesystem: {m}"),
    }
}

/// The model's answer for a case.
pub fn model(case: &Case) -> Seen {
    model_req(&request(case))
}

/// Shows bytes readably in failure messages.
pub fn show(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

/// Runs both and asserts they agree; returns the kernel's answer.
pub fn agree(what: &str, case: &Case) -> Seen {
    let k = kernel(case);
    let m = model(case);
    assert_eq!(
        m, k,
        "{what}: model (left) and kernel (right) differ for {case:?}"
    );
    k
}

/// Runs many cases on a few threads; panics listing every disagreement.
pub fn agree_all(cases: Vec<(String, Case)>) -> Vec<Seen> {
    let n = cases.len();
    let threads = 8.min(n.max(1));
    let chunks: Vec<Vec<(usize, String, Case)>> = (0..threads)
        .map(|t| {
            cases
                .iter()
                .enumerate()
                .filter(|(i, _)| i % threads == t)
                .map(|(i, (w, c))| (i, w.clone(), c.clone()))
                .collect()
        })
        .collect();
    let mut results: Vec<Option<Seen>> = vec![None; n];
    let mut failures = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|(i, what, case)| {
                            let k = kernel(&case);
                            let m = model(&case);
                            (i, what, case, k, m)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, what, case, k, m) in h.join().unwrap() {
                let late_kill = matches!(
                    (&k, &m),
                    (Seen::Killed(_) | Seen::Exited(_), Seen::Ran { .. })
                );
                if late_kill {
                    eprintln!("{what}: accepted by the model's checks; the kernel ran something else or killed it later ({k:?})");
                }
                if k != m && !late_kill {
                    failures.push(format!(
                        "{what}: kernel {k:?} model {m:?} path {}",
                        show(&case.path)
                    ));
                }
                results[i] = Some(k);
            }
        }
    });
    assert!(
        failures.is_empty(),
        "{} of {n} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{n} cases: model and kernel agree");
    results.into_iter().map(|r| r.unwrap()).collect()
}

/// Writes a MemFs to a real directory `root`: its directories, files and symbolic links, with
/// their modes (devices are left out).
pub fn materialise(fs: &youcpu_core::exec::fs::MemFs, root: &Path) {
    for (path, e) in fs.entries() {
        let rel = std::ffi::OsStr::from_bytes(path.strip_prefix(b"/").unwrap_or(&path));
        let real = root.join(rel);
        match &e.node {
            youcpu_core::exec::fs::MemNode::Dir => {
                std::fs::create_dir_all(&real).unwrap();
                crate::process::chmod(&real, e.mode).unwrap();
            }
            youcpu_core::exec::fs::MemNode::File(b) => {
                crate::process::write(&real, b).unwrap();
                crate::process::chmod(&real, e.mode).unwrap();
            }
            youcpu_core::exec::fs::MemNode::Symlink(t) => {
                std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(t), &real).unwrap()
            }
            youcpu_core::exec::fs::MemNode::Device => {}
        }
    }
}
