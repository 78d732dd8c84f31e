//! Example ELF files the inspector offers, built by our own code: the core's assembler and ELF
//! writer for a static "hello, world", and the execve model's tiny files for the rest.

use youcpu_core::asm::{build_program_with, BuildOptions};
use youcpu_core::exec::examples::{tiny_elf, tiny_elf32, LOADER};

/// Where the hello-world's data is placed (the page `ld` would give it).
pub const DATA_VADDR: u64 = 0x40_2000;
/// The greeting.
pub const GREETING: &[u8] = b"Hello, world!\n";

/// The hello-world example's source, for the core's program builder.
pub const HELLO_SOURCE: &str = ".data
msg: .ascii \"Hello, world!\\n\"
len = . - msg
.text
_start:
    mov eax, 1
    mov edi, 1
    mov esi, offset msg
    mov edx, len
    syscall
    mov eax, 60
    xor edi, edi
    syscall
";

/// Builds `source` as the examples are built: data at [`DATA_VADDR`].
pub fn build_example(source: &str) -> Result<Vec<u8>, String> {
    let opts = BuildOptions {
        data_vaddr: Some(DATA_VADDR),
    };
    build_program_with(source, &opts)
        .map(|p| p.elf)
        .map_err(|e| e.to_string())
}

/// A static x86-64 "hello, world" assembled and linked by the core.
pub fn hello_static() -> Result<Vec<u8>, String> {
    build_example(HELLO_SOURCE)
}

/// One example: a name, a sentence, and how to make its bytes.
pub struct Example {
    /// Shown in the picker.
    pub name: &'static str,
    /// What it shows.
    pub about: &'static str,
    /// Builds the file.
    pub build: fn() -> Result<Vec<u8>, String>,
}

/// The examples, in picker order.
pub const EXAMPLES: &[Example] = &[
    Example {
        name: "hello (static executable)",
        about: "A complete static program written by the article's own assembler and ELF writer: a code segment (r-x) and a data segment (rw-), with section headers.",
        build: hello_static,
    },
    Example {
        name: "tiny PIE with an interpreter",
        about: "A position-independent executable (type DYN) that names the dynamic loader in PT_INTERP, as most programs on a Linux system do. It has no section headers.",
        build: || Ok(tiny_elf(3, Some(LOADER))),
    },
    Example {
        name: "tiny 32-bit program",
        about: "A 32-bit i386 executable: the same structure with 4-byte addresses and smaller headers.",
        build: || Ok(tiny_elf32()),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_parses() {
        for e in EXAMPLES {
            let bytes = (e.build)().expect(e.name);
            let elf = youcpu_core::elf::parse(&bytes).expect(e.name);
            assert!(!elf.segments.is_empty(), "{}", e.name);
        }
    }

    /// The builder gives the very bytes the hand-assembled version (code lines + ELF writer)
    /// gave, with and without a BSS, so the widgets showing these files did not move.
    #[test]
    fn hello_is_the_hand_assembled_file() {
        use youcpu_core::asm::{assemble, Bitness};
        use youcpu_core::elf::writer::{write_executable, ExecutableSpec};
        let lines = [
            "mov eax, 1",
            "mov edi, 1",
            "mov esi, 0x402000",
            "mov edx, 14",
            "syscall",
            "mov eax, 60",
            "xor edi, edi",
            "syscall",
        ];
        let code: Vec<u8> = lines
            .iter()
            .flat_map(|l| assemble(l, Bitness::B64, 0).expect(l).bytes)
            .collect();
        for bss in [0, 10_000] {
            let spec = ExecutableSpec {
                data_vaddr: Some(DATA_VADDR),
                bss_size: bss,
                ..ExecutableSpec::x86_64(code.clone(), GREETING.to_vec())
            };
            let want = write_executable(&spec).expect("writes").bytes;
            let got = if bss == 0 {
                hello_static()
            } else {
                build_example(&format!("{HELLO_SOURCE}.bss\n    .zero {bss}\n"))
            };
            assert_eq!(got.expect("builds"), want, "bss {bss}");
        }
    }

    /// The hello example is a real program: it runs on this machine and prints the greeting.
    #[cfg(all(unix, target_arch = "x86_64"))]
    #[test]
    fn hello_runs_natively() {
        use std::os::unix::fs::PermissionsExt;
        let bytes = hello_static().expect("builds");
        let dir = std::env::temp_dir().join(format!("youcpu-hello-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("hello");
        std::fs::write(&path, &bytes).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let out = std::process::Command::new(&path).output().expect("runs");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(out.stdout, GREETING);
    }
}
