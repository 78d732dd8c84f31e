//! A widget state that is one text, typed or picked from presets, and what follows from it: its
//! reducer and its URL form, written once for every such widget.

use crate::ui::{Apply, Query, UrlState};

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
