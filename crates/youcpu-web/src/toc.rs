//! The table of contents: every part and its subsections, the part being read highlighted
//! (`aria-current`), and a reading-progress bar.

use crate::article::PARTS;
use crate::dom;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Which part is being read: the last one whose heading is above `line` pixels from the top of
/// the viewport (given each part's heading top, in document order). Pure, so it is unit-tested.
pub fn current_part(tops: &[f64], line: f64) -> usize {
    tops.iter().rposition(|&t| t <= line).unwrap_or(0)
}

/// Scroll progress in 0..=1 from the scroll offset and the scrollable height.
pub fn progress(scroll_y: f64, scrollable: f64) -> f64 {
    if scrollable <= 0.0 {
        1.0
    } else {
        (scroll_y / scrollable).clamp(0.0, 1.0)
    }
}

fn measure() -> Option<(usize, f64)> {
    let w = dom::window()?;
    let doc = w.document()?;
    let vh = w.inner_height().ok()?.as_f64()?;
    let tops: Vec<f64> = PARTS
        .iter()
        .map(|p| {
            doc.get_element_by_id(p.id)
                .map_or(f64::INFINITY, |e| e.get_bounding_client_rect().top())
        })
        .collect();
    let root = doc.document_element()?;
    let scrollable = f64::from(root.scroll_height()) - vh;
    let y = w.scroll_y().ok()?;
    Some((current_part(&tops, vh * 0.3), progress(y, scrollable)))
}

/// Brings the prerendered table of contents in `slot` to life in place, without rendering it
/// again: its text stays the very nodes the browser first painted (a re-render would paint the
/// page's largest text block a second time, late). On every scroll and resize it marks the part
/// being read (`class="current"`, `aria-current="location"`, as [`Toc`] renders them) and sets the
/// progress bar. Returns false, leaving the page alone, if `slot` holds no table of contents.
pub fn enhance(slot: &web_sys::Element) -> bool {
    let Some(w) = dom::window() else {
        return false;
    };
    let items = slot.query_selector_all(".toc ol > li").ok();
    let bar = slot.query_selector(".progress-bar rect").ok().flatten();
    let (Some(items), Some(bar)) = (items, bar) else {
        return false;
    };
    if items.length() as usize != PARTS.len() {
        return false;
    }
    let shown = std::cell::Cell::new((usize::MAX, i32::MIN));
    let update = move || {
        let Some((c, p)) = measure() else { return };
        let p = (p * 1000.0).round() as i32;
        let (was_c, was_p) = shown.get();
        if c != was_c {
            for i in 0..items.length() {
                let Some(li) = items
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                else {
                    continue;
                };
                let here = i as usize == c;
                let a = li.first_element_child();
                let _ = if here {
                    li.set_attribute("class", "current")
                } else {
                    li.remove_attribute("class")
                };
                if let Some(a) = a {
                    let _ = if here {
                        a.set_attribute("aria-current", "location")
                    } else {
                        a.remove_attribute("aria-current")
                    };
                }
            }
        }
        if p != was_p {
            let _ = bar.set_attribute("width", &p.to_string());
        }
        shown.set((c, p));
    };
    update();
    let cb = Closure::<dyn Fn()>::new(update);
    let _ = w.add_event_listener_with_callback("scroll", cb.as_ref().unchecked_ref());
    let _ = w.add_event_listener_with_callback("resize", cb.as_ref().unchecked_ref());
    // Lives as long as the page.
    cb.forget();
    true
}

/// The table of contents with its progress bar.
#[component]
pub fn Toc() -> Html {
    let current = use_state_eq(|| 0usize);
    let prog = use_state_eq(|| 0i32);
    {
        let current = current.clone();
        let prog = prog.clone();
        use_effect_with((), move |_| {
            let update = move || {
                if let Some((c, p)) = measure() {
                    current.set(c);
                    // Whole per-mille steps, so the bar re-renders at most 1000 times per page.
                    prog.set((p * 1000.0).round() as i32);
                }
            };
            update();
            let cb = Closure::<dyn Fn()>::new(update);
            let w = dom::window();
            if let Some(w) = &w {
                let _ = w.add_event_listener_with_callback("scroll", cb.as_ref().unchecked_ref());
                let _ = w.add_event_listener_with_callback("resize", cb.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = &w {
                    let _ = w
                        .remove_event_listener_with_callback("scroll", cb.as_ref().unchecked_ref());
                    let _ = w
                        .remove_event_listener_with_callback("resize", cb.as_ref().unchecked_ref());
                }
                drop(cb);
            }
        });
    }
    let items: Html = PARTS
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let is_current = i == *current;
            html! {
                <li class={classes!(is_current.then_some("current"))}>
                    <a href={format!("#{}", p.id)} aria-current={is_current.then_some("location")}>
                        <span class="toc-num">{ p.number }</span>{ p.title }
                    </a>
                    if !p.subsections.is_empty() {
                        <ul>
                            { for p.subsections.iter().map(|(id, t)| html! { <li><a href={format!("#{id}")}>{ *t }</a></li> }) }
                        </ul>
                    }
                </li>
            }
        })
        .collect();
    html! {
        <>
            <div class="progress" aria-hidden="true">
                // An SVG bar whose width is an attribute, not an inline style: the page runs
                // under `default-src 'self'`, which blocks style attributes.
                <svg class="progress-bar" viewBox="0 0 1000 1" preserveAspectRatio="none" focusable="false">
                    <rect width={prog.to_string()} height="1" />
                </svg>
            </div>
            <nav class="toc" aria-label="Contents" data-testid="toc">
                <details open=true>
                    <summary>{ "Contents" }</summary>
                    <ol>{ items }</ol>
                </details>
            </nav>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_part_is_the_last_heading_above_the_line() {
        let tops = [-900.0, -10.0, 250.0, 2000.0];
        assert_eq!(current_part(&tops, 200.0), 1);
        assert_eq!(current_part(&tops, 260.0), 2);
        assert_eq!(current_part(&[500.0, 900.0], 200.0), 0);
        assert_eq!(current_part(&[], 200.0), 0);
    }

    #[test]
    fn progress_is_clamped() {
        assert_eq!(progress(50.0, 100.0), 0.5);
        assert_eq!(progress(-5.0, 100.0), 0.0);
        assert_eq!(progress(500.0, 100.0), 1.0);
        assert_eq!(progress(0.0, 0.0), 1.0);
    }
}
