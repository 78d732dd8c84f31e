//! A widget state that is one text, typed or picked from presets, and what follows from it: its
//! reducer, its URL form and its picker, written once for every such widget.

use crate::ui::{Apply, Query, UrlState};
use yew::prelude::*;

/// A state edited as one text. The first preset is the default; the URL keeps the text only
/// when it is not.
pub trait PresetText: Clone + Default {
    /// The prefix of the URL keys the widget owns.
    const PREFIX: &'static str;
    /// The URL key of the text (after the prefix).
    const KEY: &'static str;
    /// Ready-made texts, each with what it shows.
    const PRESETS: &'static [(&'static str, &'static str)];
    /// The longest text kept (longer input is cut).
    const MAX_TEXT: usize;

    /// The text.
    fn text(&self) -> &str;

    /// Takes a new text and works out what follows from it.
    fn set_text(&mut self, text: String);
}

/// An edit of a [`PresetText`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextAction {
    /// The text as typed.
    Text(String),
    /// Preset number i.
    Preset(usize),
}

impl<T: PresetText> Apply for T {
    type Action = TextAction;

    fn apply(&mut self, action: TextAction) {
        let text = match action {
            TextAction::Text(t) => t.chars().take(T::MAX_TEXT).collect(),
            TextAction::Preset(i) => match T::PRESETS.get(i) {
                Some((t, _)) => (*t).to_string(),
                None => self.text().to_string(),
            },
        };
        self.set_text(text);
    }
}

impl<T: PresetText> UrlState for T {
    const PREFIX: &'static str = <T as PresetText>::PREFIX;

    fn from_query(q: &Query) -> Self {
        let mut s = T::default();
        if let Some(v) = q.text(T::KEY) {
            s.apply(TextAction::Text(v));
        }
        s
    }

    fn to_query(&self) -> Vec<(String, String)> {
        match T::PRESETS.first() {
            Some((t, _)) if *t == self.text() => Vec::new(),
            _ => vec![(T::KEY.into(), self.text().to_string())],
        }
    }
}

/// The "Example" picker of a [`PresetText`] widget: one option per preset (its description
/// shown), with "(your own)" selected while the text is none of them. `current` is the preset
/// the text equals; `onchange` gets the picked index as the select's value.
pub fn preset_picker(
    testid: &'static str,
    presets: &'static [(&'static str, &'static str)],
    current: Option<usize>,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <label class="inline">{ "Example " }
            <select data-testid={testid} {onchange}>
                if current.is_none() { <option value="" selected=true disabled=true>{ "(your own)" }</option> }
                { for presets.iter().enumerate().map(|(i, (_, about))| html! { <option value={i.to_string()} selected={current == Some(i)}>{ *about }</option> }) }
            </select>
        </label>
    }
}
