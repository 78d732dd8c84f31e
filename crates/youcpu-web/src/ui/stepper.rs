//! The row of step controls under a simulation (step, run, pause, back, undo...) and its
//! counter. What the last step did is announced by the [`Frame`](super::Frame)'s live region.

use yew::prelude::*;

/// One item of a [`Stepper`]: a button, or a short text (a counter, what the next step does).
#[derive(Clone, Debug, PartialEq)]
pub struct Control {
    label: AttrValue,
    onclick: Option<Callback<MouseEvent>>,
    testid: Option<AttrValue>,
    disabled: bool,
    primary: bool,
}

impl Control {
    /// A button.
    pub fn button(label: impl Into<AttrValue>, onclick: Callback<MouseEvent>) -> Self {
        Control {
            label: label.into(),
            onclick: Some(onclick),
            testid: None,
            disabled: false,
            primary: false,
        }
    }

    /// A text beside the buttons (`<span class="hint">`).
    pub fn hint(text: impl Into<AttrValue>) -> Self {
        Control {
            label: text.into(),
            onclick: None,
            testid: None,
            disabled: false,
            primary: false,
        }
    }

    /// With this `data-testid`.
    pub fn testid(mut self, id: impl Into<AttrValue>) -> Self {
        self.testid = Some(id.into());
        self
    }

    /// Greyed out when `yes`.
    pub fn disabled(mut self, yes: bool) -> Self {
        self.disabled = yes;
        self
    }

    /// The step the reader most likely wants next.
    pub fn primary(mut self) -> Self {
        self.primary = true;
        self
    }

    fn view(&self) -> Html {
        match &self.onclick {
            Some(onclick) => html! {
                <button type="button" class={classes!("btn", self.primary.then_some("primary"))}
                    data-testid={self.testid.clone()} onclick={onclick.clone()} disabled={self.disabled}>
                    { self.label.clone() }
                </button>
            },
            None => {
                html! { <span class="hint" data-testid={self.testid.clone()}>{ self.label.clone() }</span> }
            }
        }
    }
}

/// Properties of [`Stepper`].
#[derive(Properties, PartialEq)]
pub struct StepperProps {
    /// The controls, in order.
    pub steps: Vec<Control>,
    /// What the group does ("Run the program"): makes it a labelled `role="group"`.
    #[prop_or_default]
    pub label: Option<AttrValue>,
    /// A class besides `stepper`.
    #[prop_or_default]
    pub class: Option<AttrValue>,
    /// More controls after the steps (a picker, its explanation).
    #[prop_or_default]
    pub children: Html,
}

/// A row of step controls.
#[component]
pub fn Stepper(p: &StepperProps) -> Html {
    let role = p.label.as_ref().map(|_| AttrValue::Static("group"));
    html! {
        <div class={classes!("stepper", p.class.clone())} role={role} aria-label={p.label.clone()}>
            { for p.steps.iter().map(Control::view) }
            { p.children.clone() }
        </div>
    }
}
