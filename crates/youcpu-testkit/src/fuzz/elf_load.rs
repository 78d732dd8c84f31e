//! ELF loading (`load_elf_binary` in the model, fs/binfmt_elf.c): the program (and an optional
//! interpreter image, both from the input) loaded into a fresh machine with a 4 MiB memory
//! limit, then run for a bounded number of instructions. Invariants: a refusal is a one-line
//! message; no load or run allocates more frames than the limit holds; the run ends or stops
//! at the budget.

use super::check_message;
use super::input::Input;
use youcpu_core::linux::{Config, Linux};
use youcpu_core::loader::ExecArgs;

/// Physical memory of the machine each input is loaded into.
pub const MEMORY_LIMIT: u64 = 4 << 20;
/// User instructions run after a successful load.
pub const RUN_BUDGET: u64 = 500;

thread_local! {
    static BASE: Option<Linux> = Linux::new(&Config {
        memory_limit: MEMORY_LIMIT,
        ..Config::default()
    })
    .ok();
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut inp = Input::new(data);
    let mode = inp.u8();
    let split = usize::from(inp.u16());
    let rest = inp.rest();
    let (program, interp) = if mode & 1 == 1 {
        let (a, b) = rest.split_at(split.min(rest.len()));
        (a, Some(b))
    } else {
        (rest, None)
    };
    let args = ExecArgs {
        argv: vec![b"prog".to_vec(), b"arg".to_vec()],
        envp: vec![b"HOME=/".to_vec()],
        execfn: b"/prog".to_vec(),
        uid: 1000,
        gid: 1000,
        random_seed: u64::from(mode),
    };
    let Some(mut l) = BASE.with(|b| b.clone()) else {
        panic!("the kernel does not boot in {MEMORY_LIMIT} bytes");
    };
    let frames_limit = l.m.mmu.phys.limit() / 4096;
    match l.exec(program, interp, &args) {
        Ok(_) => {
            assert!(l.m.mmu.phys.allocated_frames() <= frames_limit);
            let before = l.instructions();
            l.run(RUN_BUDGET);
            assert!(l.instructions() - before <= RUN_BUDGET);
            assert!(l.m.mmu.phys.allocated_frames() <= frames_limit);
        }
        Err(e) => check_message("exec", &e.to_string()),
    }
}
