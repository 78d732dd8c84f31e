//! Thousands of generated binfmt_misc registration strings, written to the kernel's
//! `register` file inside a private user namespace (Linux 6.7+ gives each user namespace its
//! own binfmt_misc, so a string that happens to match every file cannot disturb the rest of
//! the machine). The model must accept and refuse exactly the same strings, with the same
//! errno, and show the same status text. Needs `cc` and `unshare`; skipped otherwise.

#![allow(clippy::unwrap_used)]

use youcpu_testkit::execve as common;

use common::{tools, Scratch};
use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use youcpu_core::exec::misc::MiscRegistry;
use youcpu_core::exec::namei::Cred;
use youcpu_core::exec::register;
use youcpu_core::linux::fs::vfs::ExecView;
use youcpu_testkit::process::Run;
use youcpu_testkit::rng::{Rng, XorShift64Star};

const WRITER_C: &str = r#"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#define D "/proc/sys/fs/binfmt_misc"
int main(int argc, char **argv) {
    if (argc < 2) return 2;
    if (mount("none", D, "binfmt_misc", 0, NULL)) { printf("MOUNT %d\n", errno); return 1; }
    FILE *in = fopen(argv[1], "rb");
    if (!in) return 3;
    unsigned int len;
    static char buf[8192];
    while (fread(&len, 4, 1, in) == 1) {
        if (len > sizeof buf || fread(buf, 1, len, in) != len) return 4;
        int fd = open(D "/register", O_WRONLY);
        ssize_t r = write(fd, buf, len);
        int e = errno;
        close(fd);
        if (r < 0) { printf("ERR %d\n", e); continue; }
        DIR *d = opendir(D);
        struct dirent *de;
        char path[1024] = "";
        while ((de = readdir(d))) {
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "register") &&
                strcmp(de->d_name, "status"))
                snprintf(path, sizeof path, D "/%s", de->d_name);
        }
        closedir(d);
        char st[8192];
        fd = open(path, O_RDONLY);
        ssize_t n = read(fd, st, sizeof st);
        close(fd);
        printf("OK ");
        for (ssize_t i = 0; i < n; i++) printf("%02x", (unsigned char)st[i]);
        printf("\n");
        fd = open(path, O_WRONLY);
        if (write(fd, "-1", 2) != 2) return 5;
        close(fd);
    }
    return 0;
}
"#;

fn field(rng: &mut XorShift64Star, pieces: &[&str], max: usize) -> String {
    let n = rng.index(max + 1);
    (0..n).map(|_| rng.pick(pieces)).collect()
}

/// Registration strings built from the pieces the parser cares about.
fn corpus(n: usize, seed: u64, rec: &str) -> Vec<Vec<u8>> {
    let mut rng = XorShift64Star(seed);
    // Each list leans towards valid choices so that about half the strings are accepted.
    let dels = [
        ":", ":", ":", ":", ":", ":", "|", ",", "x", "\\", "M", "P", "#", "\n",
    ];
    let names = [
        "a", "b", "java", "n1", "a", "b", "java", "n1", ".", "..", "a/b", "", "status", "x y",
        "ab.c",
    ];
    let types = ["M", "E", "M", "E", "M", "E", "M", "E", "X", "", "MM", "m"];
    let offsets = [
        "", "", "", "0", "1", "7", "+3", "-1", "-0", "0x4", "255", "256", "250", "12a", "5\n", " 1",
    ];
    let magic_pieces = [
        "a", "b", "C", "a", "b", "\\x41", "\\xff", "\\x00", "\\x41", "\\x4", "\\xZ1", "\\", "\\\\",
        "x", "\\x", "7",
    ];
    let mask_pieces = [
        "\\xff", "\\x0f", "\\x00", "\\xff", "\\x0f", "F", "\\x", "\\xg0", "a",
    ];
    let interps = [
        rec,
        rec,
        rec,
        "/bin/true",
        "/nonexistent",
        "/",
        "relative",
        "",
        "/usr",
    ];
    let flag_pieces = ["P", "O", "C", "F", "P", "O", "C", "\n", "Q", " ", "p"];
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let d = rng.pick(&dels);
        let t = rng.pick(&types);
        let mut fields = vec![
            rng.pick(&names).to_string(),
            t.to_string(),
            rng.pick(&offsets).to_string(),
            field(&mut rng, &magic_pieces, 6),
            if rng.index(2) == 0 {
                String::new()
            } else {
                field(&mut rng, &mask_pieces, 6)
            },
            rng.pick(&interps).to_string(),
            field(&mut rng, &flag_pieces, 4),
        ];
        // Occasionally drop or add a field, or a raw NUL byte.
        match rng.index(12) {
            0 => {
                fields.remove(rng.index(7));
            }
            1 => fields.insert(rng.index(7), String::from("extra")),
            2 => {
                let i = rng.index(7);
                fields[i].push('\0');
            }
            _ => {}
        }
        let mut s = String::from(d);
        s.push_str(&fields.join(d));
        if rng.index(3) == 0 {
            // Long magic to reach the size limits.
            let rep = rng.index(300);
            s = s.replacen(
                &fields[3],
                &format!("{}{}", fields[3], "\\x41".repeat(rep)),
                1,
            );
        }
        out.push(s.into_bytes());
    }
    out
}

#[test]
fn generated_registrations_in_a_private_namespace() {
    if !youcpu_testkit::oracle::namespace_available() {
        return;
    }
    let t = tools();
    let dir = Scratch::new("mfuzz");
    let c = dir.path("writer.c");
    youcpu_testkit::process::write(&c, WRITER_C).unwrap();
    let writer = dir.path("writer");
    assert!(Command::new("cc")
        .arg("-O1")
        .arg("-o")
        .arg(&writer)
        .arg(&c)
        .run_status()
        .unwrap()
        .success());
    let rec = t.recorder.to_str().unwrap();
    let strings: Vec<Vec<u8>> = [
        0x9e37_79b9_7f4a_7c15u64,
        0x1234_5678_9abc_def1,
        0x0bad_c0de_dead_beef,
    ]
    .iter()
    .flat_map(|&seed| corpus(6000, seed, rec))
    .collect();
    let mut input = Vec::new();
    for s in &strings {
        input.extend_from_slice(&(s.len() as u32).to_le_bytes());
        input.extend_from_slice(s);
    }
    let infile = dir.path("in.bin");
    youcpu_testkit::process::write(&infile, &input).unwrap();
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount"])
        .arg(&writer)
        .arg(&infile)
        .current_dir(&t.dir)
        .run_output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if text.starts_with("MOUNT") || !out.status.success() && text.is_empty() {
        youcpu_testkit::oracle::missing(&format!(
            "no private binfmt_misc here ({} {})",
            text.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
        return;
    }
    assert!(
        out.status.success(),
        "writer failed: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), strings.len());
    let fs = ExecView::host(std::path::Path::new("/")).expect("the host's files");
    let cwd = t.dir.as_os_str().as_bytes().to_vec();
    let mut failures = Vec::new();
    let (mut ok, mut refused) = (0, 0);
    for (s, line) in strings.iter().zip(lines) {
        let mut reg = MiscRegistry::default();
        let model = register(&mut reg, &fs, &cwd, &Cred::root(), s);
        let agree = if let Some(hex) = line.strip_prefix("OK ") {
            ok += 1;
            let status: Vec<u8> = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            model.is_ok() && reg.entries[0].status_text().as_bytes() == status.as_slice()
        } else {
            refused += 1;
            let errno: i32 = line.strip_prefix("ERR ").unwrap().parse().unwrap();
            matches!(&model, Err(e) if e.errno.number() == errno)
        };
        if !agree {
            failures.push(format!(
                "{:?}: kernel {line:?}, model {:?}",
                String::from_utf8_lossy(s),
                model
                    .map(|()| reg.entries[0].status_text())
                    .map_err(|e| (e.errno.name(), e.reason))
            ));
        }
    }
    eprintln!("{ok} accepted, {refused} refused");
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        strings.len(),
        failures.join("\n")
    );
    assert!(
        ok > 100 && refused > 100,
        "both outcomes covered: {ok} accepted, {refused} refused"
    );
}
