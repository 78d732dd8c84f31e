//! The page walk as a picture: the virtual address as a row of bits cut into its fields (the
//! reader clicks a bit to flip it, drags across a field to change its index), the chain
//! CR3 → PML4 → PDPT → PD → PT → frame with the entry each table gives lit, and the TLB.
//!
//! [`layout`] is a pure function of what the simulator reports (the walk of the address, the
//! TLB's entries, the outcome), so it is tested natively and drawn the same way by the widget
//! and by the Part 5 figure. Both draw the chain as a staircase of tables; `wide` (one row
//! of bits, the TLB in a column beside the chain) for a desktop column, and narrow (the bits
//! wrapped, the TLB below) for a phone; the style sheet shows the one that fits.
//!
//! This module holds what the picture is drawn from ([`Input`]) and its parts; `layout` places
//! them, `draw` turns them into SVG (the interactive `<svg>` itself and its listeners are the
//! shared [`crate::ui::group_svg`]).

mod draw;
mod layout;
#[cfg(test)]
mod tests;

pub use draw::{field_shapes, shapes};
pub use layout::layout;

use super::state::{State, TLB_SIZE};
use youcpu_core::paging::{AccessKind, Format, PageFault, Walk};

/// What the picture is drawn from.
pub struct Input<'a> {
    /// The paging format (4 or 5 levels).
    pub fmt: &'a Format,
    /// The virtual address.
    pub va: u64,
    /// The walk of the address (read without side effects when the TLB answered).
    pub walk: Option<Walk>,
    /// CR3's frame.
    pub root: u64,
    /// The TLB answered: no table was read.
    pub tlb_hit: bool,
    /// The outcome: the physical address or the fault.
    pub result: Option<Result<u64, PageFault>>,
    /// The TLB's entries: (virtual page, physical address of its first byte).
    pub tlb: Vec<(u64, u64)>,
    /// TLB capacity (slots drawn).
    pub tlb_size: usize,
    /// Hits and misses so far.
    pub counts: (u64, u64),
    /// The access in words ("read from user mode").
    pub access: String,
}

/// What the picture is drawn from, taken from the widget's state.
pub fn input(state: &State) -> Input<'_> {
    let walk = state.last.as_ref().and_then(|l| l.walk.clone()).or_else(|| state.inspect());
    input_with(state, walk)
}

/// The same, with the walk to show already computed.
pub fn input_with(state: &State, walk: Option<Walk>) -> Input<'_> {
    let fmt = &state.space.format;
    let access = format!(
        "{} from {} mode",
        match state.kind {
            AccessKind::Read => "read",
            AccessKind::Write => "write",
            AccessKind::Fetch => "instruction fetch",
        },
        if state.user { "user" } else { "kernel" }
    );
    Input {
        fmt,
        va: walk.as_ref().map_or(state.va, |w| w.va),
        walk,
        root: state.space.root,
        tlb_hit: state.last.as_ref().is_some_and(|l| l.tlb_hit),
        result: state.last.as_ref().map(|l| l.result),
        tlb: state.tlb.entries().map(|e| (e.page, e.translation.pa)).collect(),
        tlb_size: TLB_SIZE,
        counts: (state.tlb.hits, state.tlb.misses),
        access,
    }
}

/// How a shape is drawn: its class says it in the style sheet, and a lit or failed part is
/// also heavier or dashed (meaning is not colour alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// An ordinary part.
    Plain,
    /// The part in use (the entry read, the slot hit).
    Lit,
    /// Not used by this access (a table the walk never reached).
    Dim,
    /// Where the access failed.
    Err,
}

impl Look {
    fn class(self) -> &'static str {
        match self {
            Look::Plain => "",
            Look::Lit => "d-hl",
            Look::Dim => "d-dim",
            Look::Err => "d-err",
        }
    }
}

pub use crate::ui::svg::Rect;

/// One field of the address: the sign extension, a table index, or the page offset.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Its name ("sign", "PML4", ..., "offset").
    pub name: String,
    /// Its lowest bit.
    pub lo: u32,
    /// Its width in bits.
    pub width: u32,
    /// Its value.
    pub value: u64,
    /// The box around its bits.
    pub r: Rect,
    /// Lit when the walk used it; Err for a non-canonical sign.
    pub look: Look,
    /// The colour class of its label strip.
    pub colour: &'static str,
}

impl Field {
    /// The largest value the field holds.
    pub fn max(&self) -> u64 {
        if self.width >= 64 {
            u64::MAX
        } else {
            (1u64 << self.width) - 1
        }
    }

    /// The sign extension (one box, not one cell per bit).
    pub fn is_sign(&self) -> bool {
        self.name == "sign"
    }
}

/// One bit of the address (the sign extension has no cells).
#[derive(Clone, Debug, PartialEq)]
pub struct Bit {
    /// Its number (0 = lowest).
    pub bit: u32,
    /// Set.
    pub on: bool,
    /// Its cell.
    pub r: Rect,
    /// The field it belongs to (index into [`Picture::fields`]).
    pub field: usize,
}

/// A box of the chain (CR3, a table, the frame or the fault) or a TLB slot.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Its heading.
    pub title: String,
    /// A line under the heading.
    pub sub: String,
    /// The entry it gives (a table's used entry; the frame's physical address).
    pub entry: String,
    /// The entry's flags or a short reason.
    pub note: String,
    /// The box.
    pub r: Rect,
    /// The entry's row inside the box (none for CR3 and the TLB slots).
    pub row: Option<Rect>,
    /// How it is drawn.
    pub look: Look,
}

/// Everything the picture draws, with its geometry.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    /// viewBox width.
    pub width: f64,
    /// viewBox height.
    pub height: f64,
    /// Narrow (phone) layout.
    pub narrow: bool,
    /// The address's fields.
    pub fields: Vec<Field>,
    /// Its bits.
    pub bits: Vec<Bit>,
    /// CR3, the tables, the frame or fault.
    pub chain: Vec<Node>,
    /// Arrows between the chain's boxes.
    pub links: Vec<(Vec<(f64, f64)>, Look)>,
    /// The TLB's slots.
    pub tlb: Vec<Node>,
    /// The TLB's heading, where it is drawn, and its hit and miss counts (the line under it).
    pub tlb_title: (f64, f64, String, String),
    /// A remark over the chain (a TLB hit), if any.
    pub remark: Option<(f64, f64, String)>,
    /// The picture in words.
    pub desc: String,
}
