//! A data table with the article's markup: a scrolling wrapper, a caption, column headers.

use yew::prelude::*;

/// A column header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    /// Shown.
    Show(&'static str),
    /// For screen readers only (a column of buttons or notes).
    Hide(&'static str),
}

/// Properties of [`Table`].
#[derive(Properties, PartialEq)]
pub struct TableProps {
    /// The column headers (none: no `<thead>`).
    #[prop_or_default]
    pub cols: Vec<Col>,
    /// The rows (`<tr>` elements).
    pub children: Html,
    /// The table's class.
    #[prop_or_default]
    pub class: Option<AttrValue>,
    /// The table's `data-testid`.
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    /// The `<tbody>`'s `data-testid`.
    #[prop_or_default]
    pub body_testid: Option<AttrValue>,
    /// The caption.
    #[prop_or_default]
    pub caption: Option<AttrValue>,
    /// Whether the caption is for screen readers only.
    #[prop_or_default]
    pub caption_hidden: bool,
    /// Without the scrolling wrapper (`<div class="table-wrap">`): the caller wraps it.
    #[prop_or_default]
    pub bare: bool,
    /// A class for the wrapper besides `table-wrap`.
    #[prop_or_default]
    pub wrap_class: Option<AttrValue>,
    /// Makes the wrapper a focusable region with this label, so keyboard readers can scroll it.
    #[prop_or_default]
    pub region: Option<AttrValue>,
    /// On a narrow screen, each row becomes a small card of `label: value` lines instead of
    /// the table scrolling sideways. Give every `<td>` a `data-label` (its column's name).
    #[prop_or_default]
    pub stack: bool,
}

/// A table: `<div class="table-wrap"><table><caption/><thead/><tbody/></table></div>`.
#[component]
pub fn Table(p: &TableProps) -> Html {
    let head = (!p.cols.is_empty()).then(|| {
        html! {
            <thead><tr>{ for p.cols.iter().map(|c| match c {
                Col::Show(t) => html! { <th scope="col">{ *t }</th> },
                Col::Hide(t) => html! { <th scope="col"><span class="sr-only">{ *t }</span></th> },
            }) }</tr></thead>
        }
    });
    let table = html! {
        <table class={classes!(p.class.clone(), p.stack.then_some("stack"))} data-testid={p.testid.clone()}>
            if let Some(c) = &p.caption {
                <caption class={p.caption_hidden.then_some("sr-only")}>{ c.clone() }</caption>
            }
            { head }
            <tbody data-testid={p.body_testid.clone()}>{ p.children.clone() }</tbody>
        </table>
    };
    if p.bare {
        return table;
    }
    let (tabindex, role) = match p.region {
        Some(_) => (Some("0"), Some("region")),
        None => (None, None),
    };
    html! {
        <div class={classes!("table-wrap", p.wrap_class.clone())} {tabindex} {role} aria-label={p.region.clone()}>
            { table }
        </div>
    }
}
