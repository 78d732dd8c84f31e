//! Linux CFS as of 6.5 (`kernel/sched/fair.c`), one run queue (one per CPU on a multi-CPU
//! run), no groups.
//!
//! Modelled: `update_curr` (vruntime += delta * 1024 / weight via `calc_delta_fair`),
//! `update_min_vruntime`, `sched_slice` (period split by weight with the `BASE_SLICE` floor),
//! `place_entity` (a new task starts at `min_vruntime + sched_vslice` (`START_DEBIT`); a waking
//! task at no less than `min_vruntime - latency / 2` (`GENTLE_FAIR_SLEEPERS`)),
//! `check_preempt_tick` (on ticks, only with more than one task runnable), `check_preempt_wakeup`
//! with `wakeup_preempt_entity` (for wake-ups and new tasks), and `pick_next_entity` with the
//! next and last buddies. The run queue is a `BTreeSet` ordered by (vruntime, enqueue order),
//! the kernel's rb-tree with equal keys going right.
//!
//! Migration between CPUs (`migrate_task_rq_fair`, `detach_task`/`attach_task`): a task leaving
//! a queue keeps its vruntime relative to that queue's `min_vruntime` (`dequeue_entity` without
//! `DEQUEUE_SLEEP` subtracts it) and the new queue adds its own back (`enqueue_entity`'s
//! renormalisation); a migrated wake-up then gets the usual `place_entity` floor.

use super::engine::{Scheduler, TaskRt, TickMode};
use super::policy::CfsParams;
use super::result::FairPoint;
use crate::sched::timeslice::calc_delta;
use crate::sched::weights::NICE_0_WEIGHT;
use crate::units::ms_string;
use std::collections::BTreeSet;

/// `SCHED_FIXEDPOINT_SHIFT`: the kernel keeps weights scaled up by 2^10.
const SHIFT: u32 = 10;

#[derive(Clone, Debug)]
struct Ent {
    weight: u64,
    vruntime: i64,
    sum_exec: u64,
    prev_sum_exec: u64,
    on_rq: bool,
    seq: u64,
}

pub(crate) struct Cfs {
    p: CfsParams,
    nr_latency: u64,
    ents: Vec<Ent>,
    tree: BTreeSet<(i64, u64, usize)>,
    curr: Option<usize>,
    load: u64,
    nr_running: u64,
    min_vruntime: i64,
    seq: u64,
    next: Option<usize>,
    last: Option<usize>,
}

/// `calc_delta_fair()`: real time to virtual time for a task of weight `w`.
pub(crate) fn calc_delta_fair(delta: u64, w: u64) -> u64 {
    if w == NICE_0_WEIGHT {
        delta
    } else {
        calc_delta(delta, NICE_0_WEIGHT << SHIFT, w << SHIFT)
    }
}

pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Cfs {
    pub(crate) fn new(p: CfsParams, weights: &[u64]) -> Self {
        let ents = weights
            .iter()
            .map(|&weight| Ent {
                weight,
                vruntime: 0,
                sum_exec: 0,
                prev_sum_exec: 0,
                on_rq: false,
                seq: 0,
            })
            .collect();
        Cfs {
            p,
            nr_latency: p.latency.div_ceil(p.min_granularity),
            ents,
            tree: BTreeSet::new(),
            curr: None,
            load: 0,
            nr_running: 0,
            min_vruntime: 0,
            seq: 0,
            next: None,
            last: None,
        }
    }

    fn ent(&self, t: usize) -> Option<&Ent> {
        self.ents.get(t)
    }

    fn v(&self, t: usize) -> i64 {
        self.ent(t).map_or(0, |e| e.vruntime)
    }

    fn w(&self, t: usize) -> u64 {
        self.ent(t).map_or(NICE_0_WEIGHT, |e| e.weight)
    }

    /// `update_min_vruntime()`: the smaller of curr's and the leftmost vruntime, never moving
    /// backwards.
    fn update_min_vruntime(&mut self) {
        let curr = self.curr.filter(|&c| self.ent(c).is_some_and(|e| e.on_rq));
        let left = self.tree.first().map(|&(v, _, _)| v);
        let v = match (curr.map(|c| self.v(c)), left) {
            (Some(c), Some(l)) => c.min(l),
            (Some(c), None) => c,
            (None, Some(l)) => l,
            (None, None) => self.min_vruntime,
        };
        self.min_vruntime = self.min_vruntime.max(v);
    }

    /// `__sched_period()`.
    fn period(&self, nr: u64) -> u64 {
        if nr > self.nr_latency {
            nr.saturating_mul(self.p.min_granularity)
        } else {
            self.p.latency
        }
    }

    /// `sched_slice()`: the task's share of the period, floored at the minimum granularity.
    fn sched_slice(&self, t: usize) -> u64 {
        let (on_rq, w) = self
            .ent(t)
            .map_or((false, NICE_0_WEIGHT), |e| (e.on_rq, e.weight));
        let nr = self.nr_running + u64::from(!on_rq);
        let load = self.load + if on_rq { 0 } else { w };
        let slice = calc_delta(self.period(nr), w << SHIFT, load << SHIFT);
        slice.max(self.p.min_granularity)
    }

    /// `wakeup_preempt_entity(curr, se)`: 1 when `se` is ahead of `curr` by more than the
    /// wake-up granularity (in `se`'s virtual time), -1 when it is not ahead at all.
    fn wakeup_preempt_entity(&self, curr: usize, se: usize) -> i32 {
        let vdiff = self.v(curr).saturating_sub(self.v(se));
        if vdiff <= 0 {
            return -1;
        }
        let gran = to_i64(calc_delta_fair(self.p.wakeup_granularity, self.w(se)));
        if vdiff > gran {
            1
        } else {
            0
        }
    }

    /// Takes task `t` off the run queue's accounting (its entity is already out of the tree):
    /// `account_entity_dequeue` and the buddies it may have been.
    fn leave_rq(&mut self, t: usize) {
        self.clear_buddies(t);
        let w = self.w(t);
        if let Some(e) = self.ents.get_mut(t) {
            e.on_rq = false;
        }
        self.load -= w;
        self.nr_running -= 1;
    }

    fn clear_buddies(&mut self, t: usize) {
        if self.next == Some(t) {
            self.next = None;
        }
        if self.last == Some(t) {
            self.last = None;
        }
    }

    fn insert(&mut self, t: usize) {
        self.seq += 1;
        let seq = self.seq;
        let v = self.v(t);
        if let Some(e) = self.ents.get_mut(t) {
            e.seq = seq;
        }
        self.tree.insert((v, seq, t));
    }

    /// enqueue_entity() after place_entity(): task `t` joins the run queue at virtual time
    /// `v`, adding its weight to the queue's load (kernel/sched/fair.c).
    fn place(&mut self, t: usize, v: i64) {
        let w = self.w(t);
        if let Some(e) = self.ents.get_mut(t) {
            e.vruntime = v;
            e.on_rq = true;
        }
        self.load += w;
        self.nr_running += 1;
        self.insert(t);
    }
}

impl Scheduler for Cfs {
    fn enqueue(&mut self, _: &[TaskRt], t: usize, new: bool) {
        let v = if new {
            // task_fork_fair + place_entity(initial): START_DEBIT puts the newcomer one
            // virtual slice after min_vruntime, so it does not jump the queue.
            self.min_vruntime
                .saturating_add(to_i64(calc_delta_fair(self.sched_slice(t), self.w(t))))
        } else {
            // place_entity(!initial): sleeps up to half a latency (GENTLE_FAIR_SLEEPERS) are
            // forgiven; a task never gains by being placed backwards.
            let floor = self.min_vruntime.saturating_sub(to_i64(self.p.latency / 2));
            self.v(t).max(floor)
        };
        self.place(t, v);
    }

    fn wakeup_preempt(&mut self, _: &[TaskRt], curr: usize, woken: usize) -> bool {
        // check_preempt_wakeup(): preempt, and make the woken task the next buddy; with many
        // tasks (nr_running >= sched_nr_latency) the preempted one becomes the last buddy.
        if self.wakeup_preempt_entity(curr, woken) == 1 {
            self.next = Some(woken);
            if self.nr_running >= self.nr_latency {
                self.last = Some(curr);
            }
            true
        } else {
            false
        }
    }

    fn account(&mut self, curr: usize, delta: u64) -> bool {
        // update_curr()
        if let Some(e) = self.ents.get_mut(curr) {
            e.sum_exec += delta;
            e.vruntime = e
                .vruntime
                .saturating_add(to_i64(calc_delta_fair(delta, e.weight)));
        }
        self.update_min_vruntime();
        false
    }

    fn tick(&mut self, curr: usize) -> bool {
        // entity_tick() -> check_preempt_tick(), only when another task is runnable.
        if self.nr_running <= 1 {
            return false;
        }
        let ideal = self.sched_slice(curr).min(self.p.latency);
        let delta_exec = self.ent(curr).map_or(0, |e| e.sum_exec - e.prev_sum_exec);
        if delta_exec > ideal {
            self.clear_buddies(curr);
            return true;
        }
        if delta_exec < self.p.min_granularity {
            return false;
        }
        let Some(&(left_v, _, _)) = self.tree.first() else {
            return false;
        };
        let delta = self.v(curr).saturating_sub(left_v);
        delta >= 0 && delta > to_i64(ideal)
    }

    fn put_prev(&mut self, _: &[TaskRt], curr: usize) {
        self.curr = None;
        self.insert(curr);
    }

    fn dequeue_curr(&mut self, curr: usize, _: bool) {
        self.leave_rq(curr);
        self.update_min_vruntime();
        self.curr = None;
    }

    fn pick_next(&mut self, _: &[TaskRt]) -> Option<usize> {
        // pick_next_entity(): the leftmost, unless a buddy is not too far to its right.
        let &(_, _, left) = self.tree.first()?;
        let mut se = left;
        if let Some(n) = self
            .next
            .filter(|&n| self.wakeup_preempt_entity(n, left) < 1)
        {
            se = n;
        } else if let Some(l) = self
            .last
            .filter(|&l| self.wakeup_preempt_entity(l, left) < 1)
        {
            se = l;
        }
        self.clear_buddies(se);
        let key = self.ent(se).map(|e| (e.vruntime, e.seq, se))?;
        self.tree.remove(&key);
        // set_next_entity(): the slice is measured from here.
        if let Some(e) = self.ents.get_mut(se) {
            e.prev_sum_exec = e.sum_exec;
        }
        self.curr = Some(se);
        Some(se)
    }

    fn run_limit(&self) -> Option<u64> {
        None
    }

    fn tick_mode(&self) -> TickMode {
        TickMode::WhenContended(self.p.tick)
    }

    fn nr_queued(&self) -> usize {
        self.tree.len()
    }

    fn explain_pick(&self, _: &[TaskRt], t: usize) -> String {
        format!(
            "smallest vruntime ({} ms; min_vruntime {} ms); its slice is {} ms",
            signed_ms(self.v(t)),
            signed_ms(self.min_vruntime),
            ms_string(self.sched_slice(t))
        )
    }

    fn steal(&mut self, _: &[TaskRt]) -> Option<(usize, i64)> {
        // detach_tasks() takes tasks from the cold end; here the rightmost (largest vruntime).
        let (v, _, t) = self.tree.pop_last()?;
        self.leave_rq(t);
        let rel = v.saturating_sub(self.min_vruntime);
        self.update_min_vruntime();
        Some((t, rel))
    }

    fn migrate_sleeper(&self, t: usize) -> i64 {
        // migrate_task_rq_fair() for a TASK_WAKING task: vruntime -= min_vruntime.
        self.v(t).saturating_sub(self.min_vruntime)
    }

    fn attach(&mut self, _: &[TaskRt], t: usize, rel: i64, wakeup: bool) {
        let mut v = self.min_vruntime.saturating_add(rel);
        if wakeup {
            v = v.max(self.min_vruntime.saturating_sub(to_i64(self.p.latency / 2)));
        }
        self.place(t, v);
    }

    fn sample(&self, t: usize, now: u64) -> Option<FairPoint> {
        let v = self.v(t);
        let on_rq = self.ent(t).is_some_and(|e| e.on_rq);
        Some(FairPoint {
            time: now,
            task: t,
            vruntime: v,
            deadline: None,
            lag: self.min_vruntime.saturating_sub(v),
            reference: self.min_vruntime,
            eligible: on_rq,
            on_rq,
        })
    }
}

/// Nanoseconds (possibly negative) as milliseconds.
pub(crate) fn signed_ms(v: i64) -> String {
    if v < 0 {
        format!("-{}", ms_string(v.unsigned_abs()))
    } else {
        ms_string(v.unsigned_abs())
    }
}
