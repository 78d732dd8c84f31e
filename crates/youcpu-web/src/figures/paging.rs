//! Part 5's figures: how the MMU reads a virtual address.

use crate::ui::svg::{line, rect, text};
use crate::ui::Diagram;
use yew::prelude::*;
use youcpu_core::paging::Format;

/// The address the figure cuts up: a plausible stack address of a process (the top of the
/// user half, where Linux puts the stack).
const EXAMPLE: u64 = 0x0000_7ffd_e3a5_4c18;

/// A virtual address cut into the sign extension, the four 9-bit table indices and the 12-bit
/// page offset, as `Format::x86_64().split` cuts it (SDM Vol. 3A §4.5, Figure 4-8).
pub fn virtual_address() -> Html {
    let format = Format::x86_64();
    let (indices, offset) = format.split(EXAMPLE);
    let names = ["PML4", "PDPT", "PD", "PT"];
    // (label, first bit, last bit, value shown)
    let mut fields: Vec<(String, u32, u32, String)> =
        vec![("sign".into(), 63, 48, format!("{:x}", EXAMPLE >> 48))];
    for (l, idx) in indices.iter().enumerate() {
        let hi = 47 - 9 * l as u32;
        fields.push((
            names.get(l).copied().unwrap_or("?").to_string(),
            hi,
            hi - 8,
            idx.to_string(),
        ));
    }
    fields.push(("offset".into(), 11, 0, format!("0x{offset:03x}")));
    let (x0, w_total, y) = (8.0, 504.0, 44.0);
    let px = w_total / 64.0;
    let mut shapes = Vec::new();
    let mut x = x0;
    for (i, (name, hi, lo, value)) in fields.iter().enumerate() {
        let bits = f64::from(hi - lo + 1);
        let w = bits * px;
        let class = if i == 0 { "d-box-2" } else { "d-box" };
        shapes.push(rect(x, y, w, 40.0, class));
        shapes.push(text(
            x + w / 2.0,
            y + 17.0,
            "middle",
            "d-title",
            name.clone(),
        ));
        shapes.push(text(
            x + w / 2.0,
            y + 33.0,
            "middle",
            "d-mono",
            value.clone(),
        ));
        shapes.push(text(x + 2.0, y + 56.0, "start", "d-small", hi.to_string()));
        shapes.push(text(
            x + w - 2.0,
            y + 56.0,
            "end",
            "d-small",
            lo.to_string(),
        ));
        x += w;
    }
    // Under the four indices, one bracket; under the offset, what it is.
    let idx_left = x0 + 16.0 * px;
    let idx_right = x0 + 52.0 * px;
    shapes.push(line(
        idx_left + 2.0,
        y + 64.0,
        idx_right - 2.0,
        y + 64.0,
        "d-line",
    ));
    shapes.push(text(
        (idx_left + idx_right) / 2.0,
        y + 80.0,
        "middle",
        "d-small",
        "four 9-bit indices, each 0 to 511",
    ));
    shapes.push(text(
        x0 + w_total,
        y + 80.0,
        "end",
        "d-small",
        "byte in the page",
    ));
    shapes.push(text(x0, y + 80.0, "start", "d-small", "= bit 47"));
    shapes.push(text(
        x0 + w_total / 2.0,
        22.0,
        "middle",
        "d-mono",
        format!(
            "virtual address 0x{:04x}_{:04x}_{:04x}_{:04x}",
            EXAMPLE >> 48,
            (EXAMPLE >> 32) & 0xffff,
            (EXAMPLE >> 16) & 0xffff,
            EXAMPLE & 0xffff
        ),
    ));
    shapes.push(line(x0, 30.0, x0 + w_total, 30.0, "d-line"));
    let desc = format!(
        "The 64-bit address 0x{EXAMPLE:x} read as the MMU reads it: bits 63 to 48 must repeat bit \
         47 (here 0x{:x}); bits 47 to 39 pick entry {} of the PML4 table, bits 38 to 30 entry {} \
         of the PDPT, bits 29 to 21 entry {} of the page directory, bits 20 to 12 entry {} of the \
         page table, and the last 12 bits, 0x{offset:03x}, are the byte within the 4 KiB page, \
         which the walk never translates.",
        EXAMPLE >> 48,
        indices.first().copied().unwrap_or(0),
        indices.get(1).copied().unwrap_or(0),
        indices.get(2).copied().unwrap_or(0),
        indices.get(3).copied().unwrap_or(0),
    );
    html! {
        <Diagram id={super::diagram_id("virtual-address")} title="A virtual address, as the MMU reads it"
            desc={desc} width={520} height={130}>
            { for shapes }
        </Diagram>
    }
}
