//! Processes on the simulated Linux: C programs that fork, wait and exit, built with
//! musl-gcc -static and gcc -static, run natively and in the simulator; stdout, stderr and
//! the exit status must match (the programs wait for their children before printing, so the
//! order is the same on both).

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

use harness::compare_outcome;

#[test]
fn fork_and_waitpid_with_exit_statuses() {
    let o = compare_outcome("fork_wait.c", &[]);
    assert_eq!(o.status, 9);
    assert!(o.stdout.contains("exited 1, status 7,"), "{}", o.stdout);
    assert!(o.stdout.contains("reaped 3, sum 60"));
    assert!(o.stdout.contains("three generations: 3"));
}

#[test]
fn copy_on_write_and_shared_mappings() {
    let o = compare_outcome("fork_cow.c", &[]);
    assert!(o
        .stdout
        .contains("parent: 1 2 parent heap parent bss shared 11 12 private 20"));
}

#[test]
fn wait_edge_cases_and_signal_statuses() {
    let o = compare_outcome("wait_edge.c", &[]);
    assert!(o
        .stdout
        .contains("wait with no children: -1 No child process"));
    assert!(o.stdout.contains("signal 9"));
}

#[test]
fn vfork_parent_waits_for_the_child() {
    let o = compare_outcome("vfork.c", &[]);
    assert!(o.stdout.starts_with("child runs first\n"));
}

#[test]
fn stdio_buffer_duplicated_by_fork() {
    let o = compare_outcome("fork_stdio.c", &[]);
    assert_eq!(o.status, 13);
    // musl's stdout is line buffered until its first write finds a pipe: one copy; glibc's
    // buffer holds the line at fork and both processes write it (compared in
    // compare_outcome).
    assert_eq!(o.stdout.matches("before fork").count(), 1);
}

#[test]
fn files_through_stdio_and_system_calls() {
    let o = compare_outcome("files.c", &[]);
    assert!(o.stdout.contains("fread 20000 same 1"), "{}", o.stdout);
    assert!(o.stdout.contains("captured: this goes to the file"));
}

#[test]
fn shared_file_mappings_share_the_page_cache_and_sigbus_past_the_end() {
    // On the in-memory file system (the browser's); tests/host_fs_cli.rs of the CLI runs the
    // same program on the host's, three builds, and compares the file left behind too.
    let o = compare_outcome("mmapshared.c", &[]);
    assert!(
        o.stdout.contains("pread after a store: HELLO"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("after the child: mapping #$, file #$"));
    assert!(o
        .stdout
        .contains("page wholly past the end, read: signal 7 code 2 at offset 8197"));
    assert!(o
        .stdout
        .contains("private, wholly past the end: signal 7 code 2 at offset 8193"));
}

#[test]
fn pipes_between_processes() {
    let o = compare_outcome("pipes.c", &[]);
    assert!(
        o.stdout
            .starts_with("received 300004 bytes, 0 wrong, tail END\n"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("child says sum=5050"));
}

#[test]
fn sleepers_wake_in_deadline_order() {
    let o = compare_outcome("sleep.c", &[]);
    assert!(o
        .stdout
        .starts_with("parent waits\nfast child awake\nslow child awake\nsum 3"));
}

#[test]
fn directories_readdir_and_rename() {
    let o = compare_outcome("dirs.c", &[]);
    assert!(
        o.stdout.starts_with("top: ../ ./ a/ b/ one two\n"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.ends_with("rmdir top: 0\n"));
}

#[test]
fn signals_between_processes() {
    let o = compare_outcome("signals.c", &[]);
    assert_eq!(o.status, 128 + 15);
    assert!(o
        .stdout
        .starts_with("wait with SIGCHLD ignored: -1 No child process"));
}

#[test]
fn a_pipeline_with_redirections_and_umask() {
    let o = compare_outcome("pipeline.c", &[]);
    assert!(
        o.stdout
            .contains("file says: 200 lines, sum of squares 2686700\n"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.ends_with("dir mode with umask 077: 700\n"));
}

#[test]
fn standard_input_to_end_of_file() {
    let text: String = (0..500)
        .map(|i| format!("line {i} has some words\n"))
        .collect();
    let o = harness::compare_outcome_stdin("stdin.c", &[], text.as_bytes());
    assert!(
        o.stdout.ends_with("500 lines, 2500 words\nchild read 0\n"),
        "{}",
        o.stdout
    );
}

#[test]
fn stop_and_continue() {
    let o = compare_outcome("stop.c", &[]);
    assert!(
        o.stdout.contains("waitid stopped: code 5 status 20"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("continued: same 1 continued 1\nchild continued\nthen exited 4\n"),
        "{}",
        o.stdout
    );
}

#[test]
fn alarms() {
    let o = compare_outcome("alarm.c", &[]);
    assert_eq!(o.status, 128 + 14);
    assert!(
        o.stdout.contains("pausing child: signal 14\n"),
        "{}",
        o.stdout
    );
}

#[test]
fn poll_on_pipes() {
    let o = compare_outcome("poll.c", &[]);
    assert!(o.stdout.contains("empty, 50 ms: 0\n"), "{}", o.stdout);
    assert!(o.stdout.contains("writer closed: 1 revents 0x10\n"));
}

#[test]
fn select_on_pipes() {
    let o = compare_outcome("select.c", &[]);
    // The time left is the C library's business: glibc's select copies pselect6's back into
    // the timeval, musl's does not (each compared with its native run above).
    assert!(
        o.stdout.starts_with("empty, 50 ms: 0 set 0 left "),
        "{}",
        o.stdout
    );
    assert!(o.stdout.ends_with("not open: -1 Bad file descriptor\n"));
}

#[test]
fn mprotect_refuses_to_make_a_read_only_shared_file_mapping_writable() {
    let o = compare_outcome("mmapprot.c", &[]);
    assert!(
        o.stdout
            .contains("mprotect shared RW: Permission denied\nstore after the refusal: SIGSEGV\n"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains(
        "mprotect over the three RW: Permission denied\nfirst page: stored\nthird page: SIGSEGV\n"
    ));
    assert!(o
        .stdout
        .contains("before the hole: stored\nafter it: SIGSEGV\n"));
    assert!(o
        .stdout
        .contains("mremap: moved\nmprotect moved shared RW: Permission denied\n"));
}

#[test]
fn private_file_mappings_share_the_page_cache_until_written() {
    let o = compare_outcome("mmapcow.c", &[]);
    assert!(
        o.stdout.contains(
            "untouched page after pwrite: P\nread page after pwrite: Q\nwritten page after pwrite: X\n"
        ),
        "{}",
        o.stdout
    );
    assert!(o
        .stdout
        .contains("written page past the new end: signal 7\n"));
    assert!(o
        .stdout
        .contains("parent page 1 after the child's store: Q\n"));
}

#[test]
fn file_mappings_are_filled_on_first_touch_and_madvise_drops_private_copies() {
    let o = compare_outcome("mmaplazy.c", &[]);
    assert!(
        o.stdout.contains(
            "write from untouched pages: 4\nwritten: aabb\nread into an untouched page: 3\n"
        ),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains(
        "read into a page past the end: -1 Bad address\nwrite from a page past the end: -1 Bad address\nwrite from it once the file grew: 5\n"
    ));
    assert!(o
        .stdout
        .contains("open through an untouched page: opened\n"));
    assert!(o
        .stdout
        .contains("private page after: F\nprivate page 1 after: b\n"));
    assert!(o.stdout.contains("dropped again: G\n"));
    assert!(o.stdout.contains("anonymous page 0 after: byte 0\n"));
    assert!(o.stdout.contains("shared page after: S\n"));
    assert!(o
        .stdout
        .contains("madvise FREE private file: -1 Invalid argument\n"));
}

/// links.c on the in-memory file system (the browser's; the CLI's host_fs_cli runs it on
/// the host's): symbolic links followed in the middle and at the end of paths, lstat and
/// readlink of the link itself, link/linkat with and without AT_SYMLINK_FOLLOW, ELOOP.
#[test]
fn symbolic_links_on_the_in_memory_file_system() {
    let o = compare_outcome("links.c", &[]);
    assert!(
        o.stdout
            .contains("readlink dir/up: ../file\nreadlink dangling: nowhere/at/all\n"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("read through dir/up: 0123456789\n"));
    assert!(o
        .stdout
        .contains("linkat copy is a link: type 12 mode 777 nlink 2 size 4\n"));
    assert!(o.stdout.contains("open a loop: Symbolic link loop\n"));
}
