//! ELF parsing (the inspector widget and `youcpu elf`): any bytes parse or are refused with a
//! one-line message; a parsed file serialises to JSON (as the CLI prints it), its memory map
//! builds for 4 KiB pages, and the kernel model's header check (`exec::elf`) agrees it runs.

use super::check_message;
use youcpu_core::elf::{memory_map, parse_with_limits, Limits};
use youcpu_core::exec::elf::{check_header, ElfClass};
use youcpu_core::exec::script::buffer_of;

/// Runs one input.
pub fn run(data: &[u8]) {
    let limits = Limits {
        max_file_size: 1 << 20,
        max_segments: 512,
        max_sections: 512,
    };
    match parse_with_limits(data, &limits) {
        Ok(f) => {
            assert_eq!(f.size, data.len() as u64);
            for w in &f.warnings {
                check_message("warning", w);
            }
            let _ = f.needed();
            let _ = (
                f.type_name(),
                f.machine_name(),
                f.osabi_name(),
                f.endian_name(),
            );
            let _ = f.heap_bytes();
            if let Some(regions) = memory_map(&f, 4096) {
                assert!(
                    regions.len() <= f.segments.len(),
                    "{} regions",
                    regions.len()
                );
            }
            let json = serde_json::to_string(&f);
            assert!(json.is_ok(), "{json:?}");
        }
        Err(e) => check_message("parse", &e.to_string()),
    }
    let buf = buffer_of(data);
    for class in [ElfClass::Elf64, ElfClass::Elf32] {
        if let Err(r) = check_header(class, &buf) {
            let _ = format!("{r:?}");
        }
    }
}
