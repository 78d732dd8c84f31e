//! The page-walk picture drawn: its boxes, the address's bits and fields, the chain and the TLB
//! as SVG shapes (to put inside the widget's [`crate::ui::group_svg`] or a figure's `<svg>`).

use super::{Look, Node, Picture};
use crate::ui::svg::{num, polyline, rect, text};
use yew::prelude::*;

/// Draws a chain box or TLB slot: a heading and a line beside it, and the entry's row.
fn node(n: &Node) -> Html {
    let r = n.r;
    let (hx, ha, sx, sy, sa) = (r.x + 6.0, "start", r.right() - 6.0, r.y + 15.0, "end");
    let row = n.row.map(|w| {
        // Mono text is about 7.2 units a character at 12 px, small text about 5.6 at 11 px:
        // an entry that would not fit beside its note is drawn small.
        let room = w.w - 14.0 - 5.6 * n.note.chars().count() as f64;
        let class = if 7.2 * n.entry.chars().count() as f64 > room {
            "d-small pw-entry-text"
        } else {
            "d-mono"
        };
        html! {
            <g class="pw-entry">
                { rect(w.x, w.y, w.w, w.h, "d-box-2") }
                { text(w.x + 4.0, w.y + 15.0, "start", class, n.entry.clone()) }
                { text(w.right() - 4.0, w.y + 14.5, "end", "d-small", n.note.clone()) }
            </g>
        }
    });
    // A TLB slot (no row, no sub line) has its text centred, in mono.
    let (hx, ha, hc) = if n.row.is_none() && n.sub.is_empty() {
        (r.x + r.w / 2.0, "middle", "d-mono")
    } else {
        (hx, ha, "d-title")
    };
    html! {
        <g class={format!("pw-node {}", n.look.class())}>
            { rect(r.x, r.y, r.w, r.h, "d-box") }
            { text(hx, r.y + 15.5, ha, hc, n.title.clone()) }
            { text(sx, sy, sa, "d-small", n.sub.clone()) }
            { row.unwrap_or_default() }
        </g>
    }
}

/// Draws the address's fields and bits (the top of the picture).
pub fn field_shapes(p: &Picture, interactive: bool) -> Html {
    p.fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let r = f.r;
            let sign = f.is_sign();
            let label = if sign {
                format!("{:x}", f.value)
            } else if f.name == "offset" {
                format!("offset {:#x}", f.value)
            } else {
                format!("{} {}", f.name, f.value)
            };
            // A cell per bit (the one a click or tap hits), and the field's digits as one
            // text, each glyph placed over its cell: a flip changes a class and a character
            // (issue #18: a text and a group per bit made the flip restyle and lay out three
            // elements per bit).
            let bits: Vec<_> = p.bits.iter().filter(|b| b.field == i).collect();
            let cells: Html = bits
                .iter()
                .map(|b| {
                    let c = b.r;
                    html! {
                        <rect x={num(c.x)} y={num(c.y)} width={num(c.w)} height={num(c.h)}
                            class={if b.on { "d-box-2 pw-bit on" } else { "d-box pw-bit" }}
                            data-bit={interactive.then(|| b.bit.to_string())} />
                    }
                })
                .collect();
            let digits = (!bits.is_empty()).then(|| {
                let xs: Vec<String> = bits.iter().map(|b| num(b.r.x + b.r.w / 2.0)).collect();
                let ys: Vec<String> = bits.iter().map(|b| num(b.r.y + 15.5)).collect();
                let s: String = bits.iter().map(|b| if b.on { '1' } else { '0' }).collect();
                html! {
                    <text x={xs.join(" ")} y={ys.join(" ")} text-anchor="middle" class="d-mono pw-digit">{ s }</text>
                }
            });
            // A field is a slider (its index) for the keyboard; the sign extension a button.
            let (aria, role, now, max) = if !interactive {
                (None, None, None, None)
            } else if sign {
                (
                    Some(format!("Sign extension, bits 63 to {}: {:#x}. Enter flips it.", f.lo, f.value)),
                    Some("button"),
                    None,
                    None,
                )
            } else {
                (
                    Some(format!("{}, bits {} to {}", f.name, f.lo + f.width - 1, f.lo)),
                    Some("slider"),
                    Some(f.value.to_string()),
                    Some(f.max().to_string()),
                )
            };
            html! {
                <g class={format!("pw-field {}", f.look.class())} data-field={f.name.clone()}
                    data-i={interactive.then(|| i.to_string())}>
                    if interactive {
                        // Behind the bits, the whole field (label to bit numbers) takes the pointer.
                        { rect(r.x, r.y - 17.0, r.w, r.h + 31.0, "pw-hitbox") }
                    }
                    <rect x={num(r.x)} y={num(r.y - 4.0)} width={num(r.w)} height="3" class={format!("{} pw-strip", f.colour)} />
                    { text(r.x + r.w / 2.0, r.y - 7.0, "middle", "d-small pw-flabel", label) }
                    if sign {
                        { rect(r.x, r.y, r.w, r.h, "d-box-2") }
                        { text(r.x + r.w / 2.0, r.y + 15.0, "middle", "d-small", if f.look == Look::Err { format!("≠ bit {}", f.lo.saturating_sub(1)) } else { "copies".to_string() }) }
                    } else {
                        { cells }
                        { digits.unwrap_or_default() }
                    }
                    { rect(r.x, r.y, r.w, r.h, "pw-field-outline") }
                    { text(r.x + 1.0, r.bottom() + 11.0, "start", "d-small", (f.lo + f.width - 1).to_string()) }
                    { text(r.right() - 1.0, r.bottom() + 11.0, "end", "d-small", f.lo.to_string()) }
                    if interactive {
                        // The control for the keyboard: a shape with no text of its own, so its
                        // name is its label alone.
                        <rect x={num(r.x - 2.0)} y={num(r.y - 17.0)} width={num(r.w + 4.0)} height={num(r.h + 31.0)}
                            rx="3" class="pw-focus" tabindex="0" {role} aria-label={aria}
                            aria-valuenow={now} aria-valuemin={max.as_ref().map(|_| "0")} aria-valuemax={max} />
                    }
                </g>
            }
        })
        .collect()
}

/// Draws the picture's shapes (to put inside an `<svg>`), with the widget's hooks if any.
pub fn shapes(p: &Picture, interactive: bool) -> Html {
    let fields = field_shapes(p, interactive);
    let links: Html = p
        .links
        .iter()
        .map(|(pts, look)| polyline(pts, look.class(), true))
        .collect();
    let chain: Html = p.chain.iter().map(node).collect();
    let tlb: Html = p.tlb.iter().map(node).collect();
    let (tx, ty, tt, counts) = &p.tlb_title;
    html! {
        <>
            <g class="pw-fields" data-testid="pw-fields">{ fields }</g>
            if let Some((x, y, t)) = &p.remark {
                { text(*x, *y, "start", "d-small pw-remark", t.clone()) }
            }
            <g class="pw-chain" data-testid="pw-chain">{ links }{ chain }</g>
            { text(*tx, *ty, "start", "d-title", tt.clone()) }
            { text(*tx, *ty + 15.0, "start", "d-small", counts.clone()) }
            <g class="pw-tlbg" data-testid="pw-tlb-diagram">{ tlb }</g>
        </>
    }
}

