//! EEVDF's run queue: a balanced search tree ordered by virtual deadline, each node also
//! remembering the smallest vruntime in its subtree, so that "the eligible task with the
//! earliest deadline" is found in O(log n). This is the shape Linux uses since 6.9
//! (`__pick_eevdf` over a deadline-ordered rb-tree augmented with `min_vruntime`); here the tree
//! is a treap with deterministic priorities.

const NIL: u32 = u32::MAX;

/// (virtual deadline, enqueue sequence number): unique, and equal deadlines keep FIFO order.
pub(crate) type Key = (i64, u64);

#[derive(Clone, Debug)]
struct Node {
    key: Key,
    task: usize,
    v: i64,
    min_v: i64,
    prio: u64,
    l: u32,
    r: u32,
}

/// The tree. Node indices are internal; every index stored in a node is valid.
#[derive(Clone, Debug, Default)]
pub(crate) struct Treap {
    nodes: Vec<Node>,
    free: Vec<u32>,
    root: Option<u32>,
    rng: u64,
    len: usize,
}

impl Treap {
    pub(crate) fn new() -> Self {
        Treap {
            rng: 0x9e37_79b9_7f4a_7c15,
            ..Treap::default()
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn node(&self, i: u32) -> Option<&Node> {
        self.nodes.get(i as usize)
    }

    fn min_v_of(&self, i: u32) -> Option<i64> {
        self.node(i).map(|n| n.min_v)
    }

    fn pull(&mut self, i: u32) {
        let Some(n) = self.node(i) else { return };
        let mut m = n.v;
        for c in [n.l, n.r] {
            if let Some(cm) = self.min_v_of(c) {
                m = m.min(cm);
            }
        }
        if let Some(n) = self.nodes.get_mut(i as usize) {
            n.min_v = m;
        }
    }

    fn next_prio(&mut self) -> u64 {
        // xorshift64
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }

    /// Splits `t` into keys `< key` and keys `>= key`.
    fn split(&mut self, t: u32, key: Key) -> (u32, u32) {
        let Some(n) = self.node(t) else {
            return (NIL, NIL);
        };
        let (nk, l, r) = (n.key, n.l, n.r);
        if nk < key {
            let (a, b) = self.split(r, key);
            if let Some(n) = self.nodes.get_mut(t as usize) {
                n.r = a;
            }
            self.pull(t);
            (t, b)
        } else {
            let (a, b) = self.split(l, key);
            if let Some(n) = self.nodes.get_mut(t as usize) {
                n.l = b;
            }
            self.pull(t);
            (a, t)
        }
    }

    /// Joins two trees where every key of `a` is below every key of `b`.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        let (Some(na), Some(nb)) = (self.node(a), self.node(b)) else {
            return if a == NIL { b } else { a };
        };
        if na.prio > nb.prio {
            let ar = na.r;
            let m = self.merge(ar, b);
            if let Some(n) = self.nodes.get_mut(a as usize) {
                n.r = m;
            }
            self.pull(a);
            a
        } else {
            let bl = nb.l;
            let m = self.merge(a, bl);
            if let Some(n) = self.nodes.get_mut(b as usize) {
                n.l = m;
            }
            self.pull(b);
            b
        }
    }

    /// Adds a task with deadline key `key` and vruntime `v`.
    pub(crate) fn insert(&mut self, key: Key, task: usize, v: i64) {
        let prio = self.next_prio();
        let node = Node {
            key,
            task,
            v,
            min_v: v,
            prio,
            l: NIL,
            r: NIL,
        };
        let i = match self.free.pop() {
            Some(i) => {
                if let Some(slot) = self.nodes.get_mut(i as usize) {
                    *slot = node;
                }
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        let (l, r) = self.split(self.root.unwrap_or(NIL), key);
        let left = self.merge(l, i);
        let root = self.merge(left, r);
        self.root = (root != NIL).then_some(root);
        self.len += 1;
    }

    /// Removes the node with exactly this key; false if there is none.
    pub(crate) fn remove(&mut self, key: Key) -> bool {
        let (l, r) = self.split(self.root.unwrap_or(NIL), key);
        let (m, r2) = self.split(r, (key.0, key.1.saturating_add(1)));
        let found = m != NIL;
        if found {
            self.free.push(m);
            self.len -= 1;
        }
        let root = self.merge(l, r2);
        self.root = (root != NIL).then_some(root);
        found
    }

    /// The smallest vruntime in the tree.
    pub(crate) fn min_v(&self) -> Option<i64> {
        self.root.and_then(|r| self.min_v_of(r))
    }

    /// The earliest-deadline node whose vruntime satisfies `eligible`, which must be monotone
    /// (if `v` is eligible, so is every smaller vruntime): returns (key, task, vruntime).
    pub(crate) fn first_eligible(
        &self,
        eligible: impl Fn(i64) -> bool,
    ) -> Option<(Key, usize, i64)> {
        let mut cur = self.root?;
        loop {
            let n = self.node(cur)?;
            if self.min_v_of(n.l).is_some_and(&eligible) {
                cur = n.l;
            } else if eligible(n.v) {
                return Some((n.key, n.task, n.v));
            } else if self.min_v_of(n.r).is_some_and(&eligible) {
                cur = n.r;
            } else {
                return None;
            }
        }
    }

    /// The latest-deadline node: (key, task, vruntime).
    pub(crate) fn last(&self) -> Option<(Key, usize, i64)> {
        self.end(true)
    }

    /// The earliest-deadline node: (key, task, vruntime).
    pub(crate) fn first(&self) -> Option<(Key, usize, i64)> {
        self.end(false)
    }

    /// The right-most node (`right`) or the left-most: (key, task, vruntime).
    fn end(&self, right: bool) -> Option<(Key, usize, i64)> {
        let mut cur = self.root?;
        loop {
            let n = self.node(cur)?;
            let next = if right { n.r } else { n.l };
            if next == NIL {
                return Some((n.key, n.task, n.v));
            }
            cur = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_linear_scan() {
        let mut t = Treap::new();
        let mut shadow: Vec<(Key, usize, i64)> = Vec::new();
        let mut x: u64 = 12345;
        let mut rnd = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        for step in 0..4000u64 {
            if shadow.is_empty() || rnd(3) > 0 {
                let key = (rnd(50) as i64, step);
                let v = rnd(100) as i64 - 50;
                t.insert(key, step as usize, v);
                shadow.push((key, step as usize, v));
            } else {
                let i = rnd(shadow.len() as u64) as usize;
                let (k, _, _) = shadow.swap_remove(i);
                assert!(t.remove(k));
            }
            shadow.sort();
            assert_eq!(t.len(), shadow.len());
            assert_eq!(t.min_v(), shadow.iter().map(|s| s.2).min());
            assert_eq!(t.first(), shadow.first().copied());
            let bound = rnd(100) as i64 - 50;
            let want = shadow.iter().find(|s| s.2 <= bound).copied();
            assert_eq!(t.first_eligible(|v| v <= bound), want);
        }
        assert!(!t.remove((1000, 0)));
    }
}
