//! The core's step traces on a fixed set of inputs, as text lines: the simulated execve on every
//! file of the example filesystem, the ELF loader's steps, whole programs run by the simulated
//! kernel with every trace event (the core's own hello and the page's musl examples), and the
//! scheduler's decisions under every policy. The native test (`tests/it/wasm_parity.rs` in the
//! core) checks them against `youcpu-core/tests/data/traces.txt`, and the browser test
//! (`youcpu-web/tests/browser/`) computes them in wasm32 and checks the same file: so the page
//! computes what the CLI computes (issue #20). Portable: nothing here needs a host tool.

use youcpu_core::exec::examples::{example_fs, hello_dynamic, hello_static, tiny_elf, LOADER};
use youcpu_core::exec::{execve, ExecRequest};
use youcpu_core::linux::trace::Categories;
use youcpu_core::linux::{Config, Linux};
use youcpu_core::loader::stack::RANDOM_SEED;
use youcpu_core::loader::steps;
use youcpu_core::loader::ExecArgs;
use youcpu_core::sched::sim::{
    simulate, Burst, CfsParams, EevdfParams, Policy, SimConfig, TaskSpec,
};

/// The page's example programs (web/programs/bin), built with musl.
const PROGRAMS: [(&str, &[u8]); 4] = [
    ("hello", include_bytes!("../../../web/programs/bin/hello")),
    ("fork", include_bytes!("../../../web/programs/bin/fork")),
    ("segv", include_bytes!("../../../web/programs/bin/segv")),
    ("args", include_bytes!("../../../web/programs/bin/args")),
];

/// Most instructions one program may run here.
const MAX_STEPS: u64 = 20_000_000;

/// Every line, in order.
pub fn lines() -> Vec<String> {
    let mut out = Vec::new();
    execve_lines(&mut out);
    loader_lines(&mut out);
    run_lines(&mut out);
    sched_lines(&mut out);
    out
}

fn execve_lines(out: &mut Vec<String>) {
    let fs = match example_fs() {
        Ok(fs) => fs,
        Err(e) => {
            out.push(format!("example_fs: {e:?}"));
            return;
        }
    };
    let mut paths: Vec<Vec<u8>> = fs.entries().map(|(p, _)| p.to_vec()).collect();
    paths.sort();
    for p in paths {
        let mut req = ExecRequest::new(&p, vec![p.clone(), b"arg".to_vec()], vec![b"A=1".to_vec()]);
        req.cwd = b"/home/user".to_vec();
        let o = execve(&fs, &req);
        out.push(format!("execve {}: {:?}", String::from_utf8_lossy(&p), o));
    }
}

fn loader_lines(out: &mut Vec<String>) {
    let files: Vec<(&str, Result<Vec<u8>, String>)> = vec![
        ("hello_static", hello_static().map_err(|e| e.to_string())),
        ("hello_dynamic", Ok(hello_dynamic())),
        ("pie_with_interp", Ok(tiny_elf(3, Some(LOADER)))),
        ("musl_hello", Ok(PROGRAMS[0].1.to_vec())),
    ];
    for (name, bytes) in files {
        match bytes {
            Ok(b) => {
                let (st, info) = steps::trace(
                    &b,
                    &[b"./prog".to_vec(), b"x".to_vec()],
                    &[b"HOME=/home/user".to_vec()],
                    "./prog",
                );
                for s in st {
                    out.push(format!("load {name}: {s:?}"));
                }
                out.push(format!("load {name}: entry {:?}", info.map(|i| i.start)));
            }
            Err(e) => out.push(format!("load {name}: build error {e}")),
        }
    }
}

fn run_lines(out: &mut Vec<String>) {
    let mut programs: Vec<(&str, Vec<u8>)> =
        vec![("core_hello", hello_static().unwrap_or_default())];
    programs.extend(PROGRAMS.iter().map(|(n, b)| (*n, b.to_vec())));
    for (name, bytes) in programs {
        let mut linux = match Linux::new(&Config::default()) {
            Ok(l) => l,
            Err(e) => {
                out.push(format!("run {name}: {e}"));
                continue;
            }
        };
        linux.trace.start(Categories::ALL);
        let args = ExecArgs {
            argv: vec![format!("/bin/{name}").into_bytes(), b"one".to_vec()],
            envp: vec![b"HOME=/home/user".to_vec()],
            execfn: format!("/bin/{name}").into_bytes(),
            uid: 1000,
            gid: 1000,
            random_seed: RANDOM_SEED,
        };
        if let Err(e) = linux.exec(&bytes, None, &args) {
            out.push(format!("run {name}: exec failed: {e}"));
            continue;
        }
        let mut finished = false;
        while !finished && linux.instructions() < MAX_STEPS {
            finished = linux.run(1_000_000);
        }
        for ev in &linux.trace.events {
            out.push(format!("run {name}: {}", ev.line()));
        }
        out.push(format!(
            "run {name}: {:?} after {} instructions; stdout {:?}; stderr {:?}",
            linux.state,
            linux.instructions(),
            String::from_utf8_lossy(&linux.stdout),
            String::from_utf8_lossy(&linux.stderr)
        ));
    }
}

fn sched_lines(out: &mut Vec<String>) {
    let ms = 1_000_000;
    let tasks = |unit: u64| {
        vec![
            TaskSpec {
                arrival: 0,
                bursts: vec![Burst::Cpu(8 * unit)],
                nice: 0,
            },
            TaskSpec {
                arrival: unit,
                bursts: vec![
                    Burst::Cpu(2 * unit),
                    Burst::Io(3 * unit),
                    Burst::Cpu(2 * unit),
                ],
                nice: 5,
            },
            TaskSpec {
                arrival: 2 * unit,
                bursts: vec![Burst::Cpu(unit)],
                nice: -5,
            },
        ]
    };
    let policies = [
        Policy::Fifo,
        Policy::Sjf,
        Policy::Stcf,
        Policy::RoundRobin { quantum: 2 },
        Policy::RoundRobinLatency {
            target_latency: 6,
            min_granularity: 1,
        },
        Policy::Cfs(CfsParams::default()),
        Policy::Eevdf(EevdfParams::default()),
    ];
    for p in policies {
        let unit = if p.is_fair() { ms } else { 1 };
        let r = simulate(&tasks(unit), &p, &SimConfig::default());
        out.push(format!(
            "sched {}: {:?}",
            p.name(),
            r.map(|r| (r.timeline, r.tasks, r.overall))
        ));
    }
}
