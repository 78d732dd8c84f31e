//! The page-walk picture's layout checked natively: every shape inside the view box, in both
//! layouts, for every preset; what is lit and said follows the walk.

use super::*;
use crate::widgets::page_walk::state::{Action, State, PRESETS};
use crate::ui::Apply;

fn pic(s: &State, narrow: bool) -> Picture {
    let inp = input(s);
    layout(&inp, narrow)
}

fn inside(p: &Picture, r: Rect) -> bool {
    r.x >= 0.0 && r.y >= 0.0 && r.right() <= p.width + 0.01 && r.bottom() <= p.height + 0.01
}

#[test]
fn every_shape_fits_the_view_box_in_both_layouts_for_every_preset() {
    for five in [false, true] {
        let mut s = State::default();
        s.apply(Action::FiveLevel(five));
        for (i, preset) in PRESETS.iter().enumerate() {
            s.apply(Action::Preset(i));
            for narrow in [false, true] {
                let p = pic(&s, narrow);
                for r in p
                    .fields
                    .iter()
                    .map(|f| f.r)
                    .chain(p.bits.iter().map(|b| b.r))
                    .chain(p.chain.iter().map(|n| n.r))
                    .chain(p.tlb.iter().map(|n| n.r))
                {
                    assert!(inside(&p, r), "{} five={five} narrow={narrow}: {r:?}", preset.name);
                }
                for (pts, _) in &p.links {
                    for &(x, y) in pts {
                        assert!((0.0..=p.width).contains(&x) && (0.0..=p.height).contains(&y));
                    }
                }
                // 48 or 57 address bits, each once.
                assert_eq!(p.bits.len(), if five { 57 } else { 48 });
                // Bits of one field do not overlap the next field.
                for w in p.fields.windows(2) {
                    if (w[0].r.y - w[1].r.y).abs() < 1.0 {
                        assert!(w[0].r.right() <= w[1].r.x, "{:?}", w);
                    }
                }
            }
        }
    }
}

#[test]
fn the_lit_entries_follow_the_walk_and_a_fault_is_marked() {
    let mut s = State::default();
    let p = pic(&s, false);
    // CR3, four tables, the frame: all lit on a successful walk.
    assert_eq!(p.chain.len(), 6);
    assert!(p.chain.iter().all(|n| n.look == Look::Lit));
    assert_eq!(p.chain[1].entry, "[255]");
    assert_eq!(p.chain[5].entry, "0x3b1b40");
    // Unmapped: the PML4 entry is not present, the rest never read.
    s.apply(Action::Preset(9));
    let p = pic(&s, false);
    assert_eq!(p.chain[1].look, Look::Err);
    assert!(p.chain[2..5].iter().all(|n| n.look == Look::Dim));
    assert_eq!(p.chain[5].title, "#PF");
    // Not canonical: the sign field is marked and the outcome is #GP.
    s.apply(Action::Preset(10));
    let p = pic(&s, true);
    assert_eq!(p.fields[0].look, Look::Err);
    assert_eq!(p.chain.last().map(|n| n.title.as_str()), Some("#GP"));
    // A 1 GiB page: the walk ends at the PDPT, the arrow skips to the frame.
    s.apply(Action::Preset(6));
    let p = pic(&s, false);
    assert_eq!(p.chain[3].look, Look::Dim);
    assert_eq!(p.chain[5].title, "1 GiB page");
    // The PDPT's arrow goes to the frame, lit; the arrows through PD and PT are dim.
    assert_eq!(p.links[2].1, Look::Lit);
    assert_eq!(p.links[2].0.last().map(|pt| pt.1), Some(p.chain[5].r.y + p.chain[5].r.h / 2.0));
    assert!(p.links[3..].iter().all(|(_, l)| *l == Look::Dim));
    // Not present at the PML4: its arrow goes to the #PF, marked as a failure.
    s.apply(Action::Preset(9));
    let p = pic(&s, true);
    assert_eq!(p.links[1].1, Look::Err);
    assert!(p.links[2..].iter().all(|(_, l)| *l == Look::Dim));
}

#[test]
fn the_tlb_is_beside_the_chain_when_wide_and_below_it_when_narrow() {
    let s = State::default();
    let w = pic(&s, false);
    let chain_right = w.chain.iter().map(|n| n.r.right()).fold(0.0, f64::max);
    let chain_bottom = w.chain.iter().map(|n| n.r.bottom()).fold(0.0, f64::max);
    assert!(w.tlb.iter().all(|t| t.r.x > chain_right + 8.0), "the TLB's column is right of the chain");
    assert!(w.tlb.iter().all(|t| t.r.y < chain_bottom), "and level with it");
    assert_eq!(w.tlb.len(), TLB_SIZE);
    let n = pic(&s, true);
    let chain_bottom = n.chain.iter().map(|n| n.r.bottom()).fold(0.0, f64::max);
    assert!(n.tlb.iter().all(|t| t.r.y > chain_bottom), "narrow: the TLB is below the chain");
    // A 2 MiB page's frame number is too long to sit beside its title in a narrow box.
    let mut s = State::default();
    s.apply(Action::Preset(5));
    let last = |p: &Picture| p.chain.last().map(|n| n.sub.clone()).unwrap_or_default();
    assert_eq!(pic(&s, true).chain.last().map(|n| n.title.as_str()), Some("2 MiB page"));
    assert!(!last(&pic(&s, true)).starts_with("frame"), "{}", last(&pic(&s, true)));
    assert!(last(&pic(&s, false)).starts_with("frame"), "{}", last(&pic(&s, false)));
}

#[test]
fn a_second_access_lights_the_tlb_and_dims_the_tables() {
    let mut s = State::default();
    let before = pic(&s, false);
    assert!(before.remark.is_none());
    s.apply(Action::Again);
    let p = pic(&s, false);
    assert!(p.remark.is_some());
    assert_eq!(p.tlb.iter().filter(|n| n.look == Look::Lit).count(), 1);
    assert!(p.chain[1..5].iter().all(|n| n.look == Look::Dim));
    assert!(p.desc.contains("no table was read"), "{}", p.desc);
    assert_ne!(before.desc, p.desc);
}

#[test]
fn flipping_a_bit_and_setting_a_field_change_the_address_and_the_words() {
    let mut s = State::default();
    let d0 = pic(&s, false).desc;
    s.apply(Action::FlipBit(12));
    assert_eq!(s.va, 0x7ffd_1c2a_2b40);
    let p = pic(&s, false);
    assert!(p.desc.contains("PT index 162"), "{}", p.desc);
    assert_ne!(d0, p.desc);
    assert!(p.bits.iter().any(|b| b.bit == 12 && !b.on));
    s.apply(Action::SetBits {
        lo: 39,
        width: 9,
        value: 0,
    });
    assert_eq!(s.va, 0x7d_1c2a_2b40);
    s.apply(Action::ToggleSign);
    assert!(pic(&s, false).fields[0].look == Look::Err);
    s.apply(Action::ToggleSign);
    assert!(pic(&s, false).fields[0].look == Look::Plain);
}
