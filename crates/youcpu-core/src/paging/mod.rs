//! A generic, parameterised multi-level page table: the [`Format`] (levels, index bits, entry
//! size and bit positions; x86-64 4-level by default, 5-level LA57 and teaching formats too), the
//! [`walk()`] that records every entry it reads, a [`Tlb`] that CR3 writes flush, and helpers that
//! build tables. Faults carry CR2 and the x86 #PF error code (SDM vol. 3 §4.7).

pub mod build;
pub mod format;
pub mod memory;
pub mod tlb;
pub mod walk;

pub use build::{map, map_huge, BuildError, HugePage, Perms};
pub use format::{EntryBits, Format, FormatError, HighBits};
pub use memory::PhysMemory;
pub use tlb::{Lookup, Tlb};
pub use walk::{walk, Access, AccessKind, FaultKind, PageFault, Step, Translation, Walk};
