//! The native tests of `your-program`'s reducer: every example run to its end and its story
//! told, preemption, the console, stepping to the next event, opening a moment, dropped
//! files, junk and runaway programs, links.

use super::state::*;
use crate::ui::{Apply, Query, UrlState};
use std::rc::Rc;
use youcpu_core::linux::narrate::Stage;
use youcpu_core::linux::ProcessState;
use std::path::Path;

/// The example's files from web/programs, as the page fetches them.
fn files(ex: &Example) -> Vec<File> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/programs");
    ex.files
        .iter()
        .map(|(f, to)| {
            (
                to.to_string(),
                Rc::new(std::fs::read(dir.join(f)).expect("an example file")),
            )
        })
        .collect()
}

fn run(mut s: State) -> State {
    let mut n = 0;
    while s.running() && n < 10_000 {
        s.apply(Action::Slice);
        n += 1;
    }
    s
}

fn picked(i: usize) -> State {
    let mut s = State::default();
    s.apply(Action::Pick(i));
    let g = s.generation;
    s.apply(Action::Fetched(g, Ok(files(&EXAMPLES[i]))));
    s
}

fn console(s: &State) -> String {
    s.console.iter().map(|c| c.text.as_str()).collect()
}

#[test]
fn every_example_runs_to_its_end_and_tells_its_story() {
    for (i, ex) in EXAMPLES.iter().enumerate() {
        let s = run(picked(i));
        assert!(
            matches!(s.status, Status::Ended(ProcessState::Exited { code: 0 })),
            "{}: {:?}",
            ex.id,
            s.status
        );
        assert!(s.story.len() > 10, "{}", ex.id);
        assert_eq!(s.story[0].stage, Stage::Exec);
        assert!(!console(&s).is_empty(), "{}", ex.id);
    }
}

#[test]
fn two_computing_processes_are_preempted_by_the_timer_in_turn() {
    // share: parent and child both compute for several timer periods, so the timer
    // interrupt ends each one's turn and the scheduler switches to the other (the fork
    // example's parent only waits: no tick ever finds two processes runnable there).
    let i = EXAMPLES.iter().position(|e| e.id == "share").expect("share");
    let s = run(picked(i));
    assert!(matches!(s.status, Status::Ended(ProcessState::Exited { code: 0 })), "{:?}", s.status);
    let switches: Vec<&str> = s
        .story
        .iter()
        .filter(|m| m.stage == Stage::Sched)
        .map(|m| m.sentence.as_str())
        .collect();
    assert!(switches.len() >= 4, "{switches:?}");
    assert!(switches.iter().any(|w| w.contains("interrupted pid 1,") && w.contains("to pid 2")), "{switches:?}");
    assert!(switches.iter().any(|w| w.contains("interrupted pid 2,") && w.contains("to pid 1")), "{switches:?}");
    // Each switch comes a timer period or more after the one before.
    let at: Vec<u64> = s.story.iter().filter(|m| m.stage == Stage::Sched).map(|m| m.instructions).collect();
    assert!(at.windows(2).all(|w| w[1] - w[0] >= TIMER_PERIOD), "{at:?}");
    let out = console(&s);
    assert!(out.starts_with("child:  sum 39999\n") && out.ends_with("child exited with 0\n"), "{out}");
}

#[test]
fn the_console_interleaves_stdout_and_stderr_as_written() {
    let s = run(picked(4));
    assert_eq!(console(&s), "SHOUT THIS, PLEASE.\n20 bytes\n");
    assert_eq!(s.console.len(), 2);
    assert!(!s.console[0].err && s.console[1].err);
}

#[test]
fn next_event_pauses_at_each_new_moment() {
    let mut s = picked(1);
    s.apply(Action::Pause);
    let before = s.story.len();
    s.apply(Action::NextEvent);
    let s = run(s);
    assert_eq!(s.status, Status::Paused);
    assert!(s.story.len() > before);
    assert_eq!(s.selected, Some(before));
}

#[test]
fn a_moment_opens_at_its_instruction_and_steps_on_in_fetch_execute() {
    use crate::widgets::fetch_execute::embed::Handed;
    use crate::widgets::fetch_execute::state::Action as Fe;
    for (ex, what) in [(1, "writev"), (0, "mmap")] {
        let mut s = run(picked(ex));
        let w = s.story.iter().position(|m| m.what == what).expect("the event");
        s.apply(Action::Select(w));
        s.apply(Action::Open);
        let o = s.opened.clone().expect("opened");
        assert_eq!(o.linux.instructions(), s.story[w].instructions);
        // Its /proc/PID/maps is the kernel's: the program's file by name, the stack, and for the
        // dynamic example the loader musl's libc is.
        let program = crate::widgets::your_program::examples::EXAMPLES[ex].path;
        assert!(o.maps.lines().any(|l| l.ends_with(program) && l.contains(" r-xp ")), "{}", o.maps);
        assert!(o.maps.lines().any(|l| l.ends_with(" [stack]")), "{}", o.maps);
        assert_eq!(ex == 0, o.maps.contains("/lib/ld-musl-x86_64.so.1"), "{}", o.maps);
        // fetch-execute's view steps on from there: the instruction it shows at RIP is the one
        // it then fetches and decodes, and RIP moves on.
        let mut h = Handed::new((*o.linux).clone());
        let (mut n, mut before_last) = (0, 0);
        while h.fe.last.as_ref().is_none_or(|l| l.fetched.is_empty()) && n < 50 {
            let next = h.fe.lines.first().map(|l| (l.addr, l.source.clone()));
            before_last = h.fe.retired();
            h.apply(Fe::Step);
            let l = h.fe.last.clone().expect("a step");
            if let Some((addr, text)) = next {
                assert_eq!((l.rip, &l.text), (addr, &text));
            }
            n += 1;
        }
        assert!(h.fe.retired() > h.at);
        // Step back gives the machine back; Run goes on to the program's end, and the console
        // is the run's.
        h.apply(Fe::Back);
        assert_eq!(h.fe.retired(), before_last);
        for _ in 0..200 {
            if !h.fe.running() {
                break;
            }
            h.apply(Fe::Run);
            while h.fe.pending > 0 {
                h.apply(Fe::Continue);
            }
        }
        assert!(!h.fe.running(), "{:?}", h.fe.notice);
        let m = h.fe.os.as_ref().expect("a machine");
        let out: String = s.console.iter().filter(|c| !c.err).map(|c| c.text.as_str()).collect();
        assert_eq!(String::from_utf8_lossy(&m.stdout), out);
    }
}

#[test]
fn a_dropped_dynamic_program_names_what_it_lacks_then_runs() {
    let ex = &EXAMPLES[0];
    let all = files(ex);
    let mut s = State::default();
    s.apply(Action::Dropped(Ok(vec![(
        "hello-dyn".into(),
        all[0].1.clone(),
    )])));
    let n = s.needs.clone().expect("needs");
    assert_eq!(n.interp.as_deref(), Some("/lib/ld-musl-x86_64.so.1"));
    // musl's libc.so is its loader: musl never opens a file for it, so only the loader is
    // to be dropped.
    assert_eq!(n.needed, ["libc.so"]);
    assert_eq!(n.missing_files(), ["/lib/ld-musl-x86_64.so.1"]);
    assert_eq!(n.search()[0], "LD_LIBRARY_PATH");
    assert_eq!(s.status, Status::Idle);
    s.apply(Action::Dropped(Ok(vec![(
        "ld-musl-x86_64.so.1".into(),
        all[1].1.clone(),
    )])));
    assert!(s.needs.as_ref().is_some_and(|n| n.missing_files().is_empty()));
    let s = run(s);
    assert_eq!(console(&s), "hello, world\n");
}

#[test]
fn junk_and_runaway_programs_end_with_a_message() {
    let mut s = State::default();
    s.apply(Action::Dropped(Ok(vec![(
        "junk".into(),
        Rc::new(b"\x7fELF but not really".to_vec()),
    )])));
    assert!(
        matches!(&s.status, Status::Failed(m) if m.contains("refused")),
        "{:?}",
        s.status
    );
    // A fork bomb under a small budget stops at the budget.
    let bomb = youcpu_core::asm::build_program(
        "_start:\n  mov eax, 57\n  syscall\n  jmp _start\n",
    )
    .expect("the fork bomb assembles");
    let mut s = State {
        budget: "300000".into(),
        ..State::default()
    };
    s.apply(Action::Dropped(Ok(vec![("bomb".into(), Rc::new(bomb.elf))])));
    assert_eq!(s.status, Status::Running);
    let s = run(s);
    assert_eq!(s.status, Status::Budget, "{:?}", s.status);
    assert!(s.story.iter().any(|m| m.what == "fork"));
}

#[test]
fn links_keep_the_example_arguments_and_event() {
    let mut s = State::with(5);
    s.args = "a b".into();
    s.selected = Some(3);
    let q = Query::from(s.to_query());
    let back = State::from_query(&q);
    assert_eq!(back.example().map(|e| e.id), Some("args"));
    assert_eq!(back.args, "a b");
    assert_eq!(back.want, Some(3));
    let d = State {
        source: Source::Dropped,
        ..State::default()
    };
    let back = State::from_query(&Query::from(d.to_query()));
    assert!(back.note.is_some());
}
