//! "hello, world" as raw machine code, written with the ELF writer: write(1, msg, len); exit(0).

#![allow(dead_code, clippy::unwrap_used)]

use youcpu_core::elf::writer::{layout, write_executable, ExecutableSpec, Written, EM_386};
use youcpu_core::elf::{Class, Endian};

pub const MESSAGE: &[u8] = b"hello, world\n";

/// x86-64 code; `msg` must be below 4 GiB (it is moved as a 32-bit immediate).
pub fn x86_64_code(msg: u64, len: u32, status: u8) -> Vec<u8> {
    let msg = u32::try_from(msg).unwrap();
    let mut c = Vec::new();
    c.extend([0xb8, 1, 0, 0, 0]); // mov eax, 1 (SYS_write)
    c.extend([0xbf, 1, 0, 0, 0]); // mov edi, 1 (stdout)
    c.push(0xbe); // mov esi, msg
    c.extend(msg.to_le_bytes());
    c.push(0xba); // mov edx, len
    c.extend(len.to_le_bytes());
    c.extend([0x0f, 0x05]); // syscall
    c.extend([0xb8, 60, 0, 0, 0]); // mov eax, 60 (SYS_exit)
    c.extend([0xbf, status, 0, 0, 0]); // mov edi, status
    c.extend([0x0f, 0x05]); // syscall
    c
}

/// i386 code using `int 0x80` (SYS_write = 4, SYS_exit = 1).
pub fn i386_code(msg: u64, len: u32, status: u8) -> Vec<u8> {
    let msg = u32::try_from(msg).unwrap();
    let mut c = Vec::new();
    c.extend([0xb8, 4, 0, 0, 0]); // mov eax, 4
    c.extend([0xbb, 1, 0, 0, 0]); // mov ebx, 1
    c.push(0xb9); // mov ecx, msg
    c.extend(msg.to_le_bytes());
    c.push(0xba); // mov edx, len
    c.extend(len.to_le_bytes());
    c.extend([0xcd, 0x80]); // int 0x80
    c.extend([0xb8, 1, 0, 0, 0]); // mov eax, 1
    c.extend([0xbb, status, 0, 0, 0]); // mov ebx, status
    c.extend([0xcd, 0x80]); // int 0x80
    c
}

/// Builds a hello-world: lays the file out once with placeholder code of the right length to
/// learn the data address, then assembles the real code against it.
pub fn hello(mut spec: ExecutableSpec, message: &[u8], status: u8) -> Written {
    let code_of = |msg: u64| match spec.class {
        Class::Elf64 => x86_64_code(msg, message.len() as u32, status),
        Class::Elf32 => i386_code(msg, message.len() as u32, status),
    };
    spec.code = code_of(0);
    spec.data = message.to_vec();
    let l = layout(&spec).unwrap();
    spec.code = code_of(l.data_vaddr);
    let w = write_executable(&spec).unwrap();
    assert_eq!(w.layout.data_vaddr, l.data_vaddr);
    w
}

pub fn spec64() -> ExecutableSpec {
    ExecutableSpec::x86_64(Vec::new(), Vec::new())
}

pub fn spec32() -> ExecutableSpec {
    ExecutableSpec {
        class: Class::Elf32,
        endian: Endian::Little,
        machine: EM_386,
        base: 0x0804_8000,
        ..ExecutableSpec::x86_64(Vec::new(), Vec::new())
    }
}
