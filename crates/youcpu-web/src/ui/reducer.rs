//! One [`Reducible`] for every widget state that applies actions in place: most widgets' reducers
//! were the same "clone, apply, wrap in a new `Rc`", written out once per widget.

use std::ops::Deref;
use std::rc::Rc;
use yew::{Callback, Event, InputEvent, Reducible, UseReducerDispatcher, UseReducerHandle};

/// A widget state that applies one action at a time, in place. A pure function of the state
/// and the action: effects live in hooks, never here.
pub trait Apply: Clone {
    /// What the reader (or a background run) asks for.
    type Action;

    /// Applies one action.
    fn apply(&mut self, action: Self::Action);

    /// Whether `action` leaves the state as it is, known without applying it (a stale
    /// background result, a tick after a pause): the reducer then keeps the same state, and
    /// nothing renders again.
    fn ignores(&self, _action: &Self::Action) -> bool {
        false
    }

    /// What the reducer makes of `action`: a new state, or this one when it
    /// [`ignores`](Self::ignores) it (for tests that step a state as the page does).
    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self>
    where
        Self: Sized,
    {
        if self.ignores(&action) {
            return self;
        }
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

/// A state `S` as a Yew reducer: `use_reducer(|| Reduced(s))`. It dereferences to `S`, so
/// fields and methods read as on `S` itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reduced<S>(pub S);

impl<S> Deref for Reduced<S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.0
    }
}

impl<S: Apply> Reducible for Reduced<S> {
    type Action = S::Action;

    fn reduce(self: Rc<Self>, action: S::Action) -> Rc<Self> {
        if self.0.ignores(&action) {
            return self;
        }
        let mut next = (*self).clone();
        next.0.apply(action);
        Rc::new(next)
    }
}

/// Callbacks that dispatch a widget's actions: the view code every widget wrote out for each
/// button, text field and picker.
pub trait Dispatch<A: 'static>: Clone + 'static {
    /// Dispatches one action.
    fn send(&self, action: A);

    /// On any event (a click, a change, a reset), dispatches `action`.
    fn on<E: 'static>(&self, action: A) -> Callback<E>
    where
        A: Clone,
    {
        let d = self.clone();
        Callback::from(move |_: E| d.send(action.clone()))
    }

    /// On every edit of a text field, dispatches `f(the new text)`.
    fn on_text(&self, f: fn(String) -> A) -> Callback<InputEvent> {
        let d = self.clone();
        Callback::from(move |e: InputEvent| d.send(f(crate::dom::input_text(&e))))
    }

    /// When a `<select>` whose options are numbered changes, dispatches `f(the number)`.
    fn on_pick(&self, f: fn(usize) -> A) -> Callback<Event> {
        let d = self.clone();
        Callback::from(move |e: Event| {
            if let Ok(i) = crate::dom::event_value(&e).parse::<usize>() {
                d.send(f(i));
            }
        })
    }
}

impl<S: Apply + 'static> Dispatch<S::Action> for UseReducerHandle<Reduced<S>>
where
    S::Action: 'static,
{
    fn send(&self, action: S::Action) {
        self.dispatch(action);
    }
}

impl<S: Apply + 'static> Dispatch<S::Action> for UseReducerDispatcher<Reduced<S>>
where
    S::Action: 'static,
{
    fn send(&self, action: S::Action) {
        self.dispatch(action);
    }
}

/// The handle [`use_reducer`](yew::use_reducer) gives for a [`Reduced`] state.
pub type Handle<S> = UseReducerHandle<Reduced<S>>;
/// The dispatcher of a [`Handle`].
pub type Dispatcher<S> = UseReducerDispatcher<Reduced<S>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Counter(u32);

    impl Apply for Counter {
        type Action = u32;
        fn apply(&mut self, by: u32) {
            self.0 += by;
        }
        fn ignores(&self, by: &u32) -> bool {
            *by == 0
        }
    }

    #[test]
    fn applies_to_a_copy_and_keeps_the_state_when_ignored() {
        let s = Rc::new(Reduced(Counter(1)));
        let next = s.clone().reduce(2);
        assert_eq!(next.0, Counter(3));
        assert_eq!(s.0, Counter(1), "the old state is untouched");
        let same = next.clone().reduce(0);
        assert!(
            Rc::ptr_eq(&same, &next),
            "an ignored action keeps the same Rc"
        );
        assert_eq!(same.0 .0, 3);
    }
}
