//! Threads on the simulated Linux: a pthreads program built with musl-gcc -static and
//! gcc -static (glibc creates threads with clone3, musl with clone), run natively and in the
//! simulator; stdout, stderr and the exit status must match.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

use harness::compare_outcome;

#[test]
fn pthreads_mutex_condvar_join_and_exit_from_a_thread() {
    let o = compare_outcome("threads.c", &[]);
    assert_eq!(o.status, 5);
    assert!(
        o.stdout
            .contains("counter 80000 (expected 80000), main's thread-local 0\n"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("thread 4 returned 800001\n"));
    assert!(o
        .stdout
        .contains("consumed sum 125250 (expected 125250)\ntimed wait: ETIMEDOUT\n"));
    assert!(o.stdout.ends_with("exit from a thread\n"));
}

#[test]
fn a_process_signal_goes_to_a_thread_that_does_not_block_it() {
    let o = compare_outcome("sig_threads.c", &[]);
    assert!(
        o.stdout
            .contains("kill SIGUSR1 (main blocks it): taken by the worker\n"),
        "{}",
        o.stdout
    );
    assert!(o
        .stdout
        .contains("pthread_kill SIGUSR2 to the worker: taken by the worker\n"));
    assert!(o
        .stdout
        .contains("tgkill with the wrong group: No such process\n"));
}

#[test]
fn sigstop_and_sigcont_stop_and_continue_every_thread() {
    let o = compare_outcome("group_stop.c", &[]);
    assert_eq!(
        o.stdout
            .matches("while stopped: main frozen 1, worker frozen 1\n")
            .count(),
        2,
        "{}",
        o.stdout
    );
    assert!(o
        .stdout
        .contains("worker stops itself: same 1 stopped 1 sig 19, flag 2\n"));
    assert_eq!(o.stdout.matches("after SIGCONT both count: 1\n").count(), 2);
}
