//! The model against a real process: a static C program built at test time (gcc -static, no
//! RELRO so the kernel's VMAs stay whole) runs with ASLR off (`setarch -R`) and prints the
//! addresses of a global, a BSS array, a heap block, a local and the break, then its own
//! /proc/self/maps. The VMAs `Image::from_elf` + exec give for the same file, and the heap after
//! `brk`, must line up with the kernel's, and reads through the model's demand paging must see
//! the file's bytes.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::process::Command;
use youcpu_core::paging::AccessKind;
use youcpu_core::vm::vma::STACK_TOP;
use youcpu_core::vm::{Image, Limits, System, VmaKind};
use youcpu_testkit::process::Run;

const PROGRAM: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int global = 0x1234567;
static char bss[BSS];
char data_pad[DATA] = {1};
int main(void) {
    int local = 1;
    char *heap = malloc(100);
    heap[0] = bss[0];
    printf("%lx %lx %lx %lx %lx\n", (unsigned long)&global, (unsigned long)bss,
           (unsigned long)heap, (unsigned long)&local, (unsigned long)sbrk(0));
    FILE *f = fopen("/proc/self/maps", "r");
    int c;
    while ((c = fgetc(f)) != EOF) putchar(c);
    return local - 1;
}
"#;

struct Line {
    start: u64,
    end: u64,
    perms: String,
    offset: u64,
    path: String,
}

fn build(dir: &std::path::Path, bss: u64, data: u64) -> std::path::PathBuf {
    let src = dir.join("prog.c");
    let exe = dir.join(format!("prog-{bss}-{data}"));
    youcpu_testkit::process::write(&src, PROGRAM).unwrap();
    let st = Command::new("gcc")
        .args(["-O0", "-static", "-no-pie", "-Wl,-z,norelro"])
        .arg(format!("-DBSS={bss}"))
        .arg(format!("-DDATA={data}"))
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .run_status()
        .expect("gcc (Debian packages gcc and libc6-dev) is needed for this test");
    assert!(st.success(), "gcc -static failed");
    exe
}

#[test]
fn model_vmas_line_up_with_proc_maps() {
    let dir = std::env::temp_dir().join(format!("youcpu-vm-maps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // BSS and data sizes: tiny, page-sized, large (the BSS then spans many anonymous pages).
    for (bss, data) in [
        (1, 1),
        (20000, 4096),
        (4096, 5000),
        (3 << 20, 100),
        (100, 70000),
    ] {
        check(&dir, bss, data);
    }
    std::fs::remove_dir_all(&dir).ok();
}

fn check(dir: &std::path::Path, bss_size: u64, data_size: u64) {
    let exe = build(dir, bss_size, data_size);
    let out = Command::new("setarch")
        .args(["-R"])
        .arg(&exe)
        .env_clear()
        .run_output()
        .expect("setarch (Debian package util-linux) is needed for this test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let addrs: Vec<u64> = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(|s| u64::from_str_radix(s, 16).unwrap())
        .collect();
    let (global, bss, heap, local, brk) = (addrs[0], addrs[1], addrs[2], addrs[3], addrs[4]);
    let maps: Vec<Line> = lines
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (a, b) = f[0].split_once('-').unwrap();
            let hex = |s: &str| u64::from_str_radix(s, 16).unwrap();
            Line {
                start: hex(a),
                end: hex(b),
                perms: f[1].into(),
                offset: hex(f[2]),
                path: f.get(5).unwrap_or(&"").to_string(),
            }
        })
        .collect();
    let shown = exe.to_str().unwrap();

    let bytes = std::fs::read(&exe).unwrap();
    let image = Image::from_elf(shown, bytes.clone(), 4096).unwrap();
    let (mut sys, _) = System::boot(Limits::default(), image).unwrap();
    assert_eq!(sys.brk(1, brk).unwrap(), brk);
    let vmas = sys.process(1).unwrap().vmas.clone();

    // Every file-backed VMA of the model is a line of the real maps, and vice versa.
    let mut files = 0;
    for v in &vmas {
        if let VmaKind::File { offset, .. } = v.kind {
            files += 1;
            assert!(
                maps.iter().any(
                    |l| (l.start, l.end, l.perms.as_str(), l.offset, l.path.as_str())
                        == (v.start, v.end, v.perms().as_str(), offset, shown)
                ),
                "model {v:x?} not in\n{text}"
            );
        }
    }
    assert_eq!(
        files,
        maps.iter().filter(|l| l.path == shown).count(),
        "{text}"
    );
    // The anonymous BSS pages and the heap, exactly.
    for v in vmas.iter().filter(|v| v.kind == VmaKind::Anon) {
        let name = if v.name == "[heap]" { "[heap]" } else { "" };
        assert!(
            maps.iter()
                .any(|l| (l.start, l.end, l.perms.as_str(), l.path.as_str())
                    == (v.start, v.end, v.perms().as_str(), name)),
            "model {v:x?} not in\n{text}"
        );
    }
    let heap_line = maps.iter().find(|l| l.path == "[heap]").unwrap();
    assert_eq!(heap_line.start, sys.process(1).unwrap().brk_start);
    assert!(heap_line.start <= heap && heap < heap_line.end);
    // The stack ends at the same place and holds the local.
    let stack = maps.iter().find(|l| l.path == "[stack]").unwrap();
    assert_eq!(stack.end, STACK_TOP);
    let model_stack = vmas.iter().find(|v| v.kind == VmaKind::Stack).unwrap();
    assert_eq!(model_stack.end, stack.end);
    // With the environment cleared the arguments fit in one page: 128 KiB + 4 KiB, as
    // fs/exec.c setup_arg_pages makes it.
    assert_eq!(model_stack.start, stack.start, "{text}");
    assert!(stack.start <= local && local < stack.end);

    // Each printed address lies in a model VMA of the same kind and permissions as the real
    // one, and the model's demand paging reads what the program had at start.
    for a in [global, bss, heap, local] {
        let real = maps.iter().find(|l| l.start <= a && a < l.end).unwrap();
        let t = sys.touch(1, a, AccessKind::Read).unwrap();
        assert!(t.result.is_ok(), "{a:#x}");
        let v = sys
            .process(1)
            .unwrap()
            .vmas
            .iter()
            .find(|v| v.contains(a))
            .cloned()
            .unwrap();
        assert_eq!(v.perms(), real.perms, "{a:#x}");
    }
    let (g, _) = sys.read_bytes(1, global, 4).unwrap();
    assert_eq!(u32::from_le_bytes(g.try_into().unwrap()), 0x1234567);
    assert_eq!(sys.read_bytes(1, bss, 64).unwrap().0, vec![0; 64]);
    sys.audit().unwrap();
}

#[test]
fn pie_and_dynamic_programs_are_refused() {
    let dir = std::env::temp_dir().join(format!("youcpu-vm-pie-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("p.c");
    youcpu_testkit::process::write(&src, "int main(void) { return 0; }\n").unwrap();
    for (name, flags) in [("pie", &["-static-pie"][..]), ("dyn", &["-no-pie"][..])] {
        let exe = dir.join(name);
        let st = Command::new("gcc")
            .args(flags)
            .arg("-o")
            .arg(&exe)
            .arg(&src)
            .run_status()
            .unwrap();
        assert!(st.success());
        let e = Image::from_elf(name, std::fs::read(&exe).unwrap(), 0).unwrap_err();
        assert!(e.to_string().contains("not modelled"), "{e}");
    }
    assert!(Image::from_elf("junk", b"not an elf".to_vec(), 0).is_err());
    std::fs::remove_dir_all(&dir).ok();
}
