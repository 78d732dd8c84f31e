//! Example ELF files the inspector offers: the static "hello, world" every widget shares
//! ([`crate::widgets::programs`]), and the execve model's tiny files.

use crate::widgets::programs::{hello_static, Example};
use youcpu_core::exec::examples::{tiny_elf, tiny_elf32, LOADER};

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
}
