//! The machinery shared by the widgets that drive the kernel-side memory model (`vm::System`)
//! with a list of operations: boot, apply an operation (keeping it only if the model accepted
//! it), undo by replaying all but the last, and a URL form of the list, so that a link
//! reproduces the exact state by replay.

use crate::ui::{Apply, Query, UrlState};
use std::fmt::Debug;
use std::rc::Rc;
use youcpu_core::vm::System;

/// Most operations kept (the replay is bounded).
pub const MAX_OPS: usize = 200;

/// What a widget's model provides.
pub trait OpModel: 'static {
    /// The prefix of the URL keys the widget owns.
    const PREFIX: &'static str;
    /// One operation.
    type Op: Copy + PartialEq + Debug;
    /// What applying an operation (or booting) reports.
    type Out: PartialEq + Debug;
    /// Boots the model.
    fn boot() -> Result<(System, Self::Out), String>;
    /// Applies operation number `n` of the list.
    fn apply(sys: &mut System, op: Self::Op, n: usize) -> Result<Self::Out, String>;
    /// The operation's short code for the URL.
    fn code(op: Self::Op) -> String;
    /// Reads a code back.
    fn parse(code: &str) -> Option<Self::Op>;
    /// The next operation of the model's script (none for a model without one).
    fn next(_sys: &System) -> Option<Self::Op> {
        None
    }
    /// The operations applied when the page opens (and on reset), so that the widget opens on
    /// the mechanism at work rather than on an empty machine. A link with no operations key
    /// gives this state; a link with an empty list gives the bare boot.
    fn initial() -> &'static [Self::Op] {
        &[]
    }
}

/// What the reader asks of an operation list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpAction<Op> {
    /// Apply an operation.
    Do(Op),
    /// Apply the next operation of the model's script ([`OpModel::next`]), if there is one.
    Next,
    /// Undo the last operation.
    Undo,
    /// Back to boot.
    Reset,
}

/// A booted model and the operations applied to it.
pub struct OpLog<M: OpModel> {
    /// The model after every operation (None only if it could not boot).
    pub sys: Option<Rc<System>>,
    /// The operations applied, in order.
    pub ops: Vec<M::Op>,
    /// What the last operation (or the boot) reported, or why it was refused.
    pub last: Rc<Result<M::Out, String>>,
}

impl<M: OpModel> Clone for OpLog<M> {
    fn clone(&self) -> Self {
        OpLog {
            sys: self.sys.clone(),
            ops: self.ops.clone(),
            last: self.last.clone(),
        }
    }
}

impl<M: OpModel> PartialEq for OpLog<M> {
    fn eq(&self, other: &Self) -> bool {
        self.ops == other.ops && self.last == other.last
    }
}

impl<M: OpModel> Default for OpLog<M> {
    /// The booted model with the model's [`OpModel::initial`] operations applied.
    fn default() -> Self {
        Self::replay(M::initial())
    }
}

impl<M: OpModel> OpLog<M> {
    /// The model just booted, no operation applied.
    pub fn booted() -> Self {
        match M::boot() {
            Ok((sys, out)) => OpLog {
                sys: Some(Rc::new(sys)),
                ops: Vec::new(),
                last: Rc::new(Ok(out)),
            },
            Err(e) => OpLog {
                sys: None,
                ops: Vec::new(),
                last: Rc::new(Err(format!("the model could not start: {e}"))),
            },
        }
    }

    /// Boots and applies `ops` in order (at most [`MAX_OPS`]).
    pub fn replay(ops: &[M::Op]) -> Self {
        let mut s = Self::booted();
        for &op in ops.iter().take(MAX_OPS) {
            s.push(op);
        }
        s
    }

    /// Applies one operation; it joins the list only if the model accepted it.
    pub fn push(&mut self, op: M::Op) {
        if self.ops.len() >= MAX_OPS {
            self.last = Rc::new(Err(format!(
                "at most {MAX_OPS} operations: reset to start again"
            )));
            return;
        }
        let n = self.ops.len();
        let Some(sys) = self.sys.as_mut() else { return };
        let r = M::apply(Rc::make_mut(sys), op, n);
        if r.is_ok() {
            self.ops.push(op);
        }
        self.last = Rc::new(r);
    }

    /// Undoes the last operation by replaying the others.
    pub fn undo(&mut self) {
        let mut ops = self.ops.clone();
        ops.pop();
        *self = Self::replay(&ops);
    }

    /// Back to the opening state.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The next operation of the model's script, if any.
    pub fn next(&self) -> Option<M::Op> {
        self.sys.as_deref().and_then(M::next)
    }
}

impl<M: OpModel> Apply for OpLog<M> {
    type Action = OpAction<M::Op>;

    fn apply(&mut self, a: OpAction<M::Op>) {
        match a {
            OpAction::Do(op) => self.push(op),
            OpAction::Next => {
                if let Some(op) = self.next() {
                    self.push(op);
                }
            }
            OpAction::Undo => self.undo(),
            OpAction::Reset => self.reset(),
        }
    }
}

impl<M: OpModel> UrlState for OpLog<M> {
    const PREFIX: &'static str = M::PREFIX;

    /// Builds the state a link describes (operations that do not parse or fail are skipped).
    fn from_query(q: &Query) -> Self {
        match q.get("ops") {
            Some(v) => {
                let ops: Vec<M::Op> = v.split('.').take(MAX_OPS).filter_map(M::parse).collect();
                Self::replay(&ops)
            }
            None => Self::default(),
        }
    }

    /// The URL keys that reproduce this state.
    fn to_query(&self) -> Vec<(String, String)> {
        if self.ops == M::initial() {
            Vec::new()
        } else {
            let codes: Vec<String> = self.ops.iter().map(|&o| M::code(o)).collect();
            // "-" (no operation) stands for the bare boot, which differs from the opening state.
            let v = if codes.is_empty() {
                "-".to_string()
            } else {
                codes.join(".")
            };
            vec![("ops".into(), v)]
        }
    }
}
