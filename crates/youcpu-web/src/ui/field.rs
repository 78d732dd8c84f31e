//! Text inputs: what the reader typed, why it is refused, and the labelled input that shows both.

use yew::prelude::*;

/// One input: its text exactly as typed, and why it is refused (if it is).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Field {
    /// The text in the input box.
    pub text: String,
    /// The inline message when the text is not a valid value.
    pub error: Option<String>,
}

impl Field {
    /// A field holding valid `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Field {
            text: text.into(),
            error: None,
        }
    }

    /// Takes the text as typed, and the message of `check` if it refused it.
    pub fn set<T>(&mut self, text: String, check: Result<T, String>) {
        self.text = text;
        self.error = check.err();
    }
}

/// Properties of [`LabelledInput`].
#[derive(Properties, PartialEq)]
pub struct LabelledInputProps {
    /// The input's id and test id; its message is `ID-error`.
    pub id: AttrValue,
    /// The label's text.
    pub label: AttrValue,
    /// The unit shown after the box ("ms"), or "".
    #[prop_or_default]
    pub unit: AttrValue,
    /// What it holds.
    pub field: Field,
    /// The keyboard a phone should offer (`numeric`, `decimal`).
    pub inputmode: AttrValue,
    /// Called with the new text on every edit.
    pub oninput: Callback<String>,
}

/// A text input with its label, unit and inline message (announced politely).
#[component]
pub fn LabelledInput(p: &LabelledInputProps) -> Html {
    let oninput = {
        let cb = p.oninput.clone();
        Callback::from(move |e: InputEvent| cb.emit(crate::dom::input_text(&e)))
    };
    let err_id = format!("{}-error", p.id);
    html! {
        <div class={classes!("field", p.field.error.is_some().then_some("invalid"))}>
            <label for={p.id.clone()}>{ p.label.clone() }</label>
            <div class="field-row">
                <input id={p.id.clone()} data-testid={p.id.clone()} type="text"
                    inputmode={p.inputmode.clone()} autocomplete="off" spellcheck="false"
                    value={p.field.text.clone()} {oninput}
                    aria-invalid={p.field.error.is_some().to_string()}
                    aria-describedby={err_id.clone()} />
                <span class="unit">{ p.unit.clone() }</span>
            </div>
            <p class="field-error" id={err_id.clone()} data-testid={err_id} role="status" aria-live="polite">
                { p.field.error.clone().unwrap_or_default() }
            </p>
        </div>
    }
}
