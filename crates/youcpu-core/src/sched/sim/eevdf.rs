//! Linux EEVDF (6.6 and later, `kernel/sched/fair.c`), one run queue (one per CPU on a
//! multi-CPU run), no groups.
//!
//! Modelled: `avg_vruntime` (V, the load-weighted mean vruntime of the queued tasks and the
//! running one, rounded down), `entity_eligible` (vruntime <= V, compared exactly as
//! `avg >= key * load`), `update_curr` with `update_deadline` (when a task's vruntime reaches its
//! deadline it gets a new slice, deadline = vruntime + base_slice * 1024 / weight, and a
//! reschedule if others are runnable), `pick_eevdf` (the eligible task with the earliest
//! deadline; `RUN_TO_PARITY` keeps the running task until its slice is used up), `place_entity`
//! (`PLACE_LAG`: a waking task keeps its lag, scaled by `(load + w) / load`;
//! `PLACE_DEADLINE_INITIAL`: a new task starts with half a slice), `update_entity_lag` on sleep
//! (lag clamped to the virtual time of `max(2 * slice, tick)`), and `update_min_vruntime`.
//! Slice expiry is noticed when `update_curr` runs: on ticks, wake-ups and dequeues.
//! Not modelled: `DELAY_DEQUEUE` (6.12) and custom slices (`sched_attr.sched_runtime`).
//! Sums are kept exactly in 128-bit integers, so V is the kernel's value without its
//! reference point (`min_vruntime`) arithmetic.
//!
//! Migration between CPUs: `dequeue_entity` calls `update_entity_lag` for every dequeue, so a
//! task moved by load balancing carries its lag to the new queue, where `place_entity` puts it
//! the same distance from that queue's V; a task waking on another CPU carries the lag it slept
//! with.

use super::cfs::{calc_delta_fair, signed_ms, to_i64};
use super::engine::{Scheduler, TaskRt, TickMode};
use super::policy::EevdfParams;
use super::result::FairPoint;
use super::treap::Treap;
use crate::sched::weights::NICE_0_WEIGHT;

#[derive(Clone, Debug)]
struct Ent {
    weight: u64,
    vruntime: i64,
    deadline: i64,
    vlag: i64,
    on_rq: bool,
    seq: u64,
    /// The deadline the task had when last picked (the kernel stashes it in `vlag`:
    /// the `RUN_TO_PARITY` "HACK" in `set_next_entity`).
    picked_deadline: Option<i64>,
}

pub(crate) struct Eevdf {
    p: EevdfParams,
    ents: Vec<Ent>,
    tree: Treap,
    /// Sum of vruntime * weight over the tree (not the running task).
    sum_vw: i128,
    /// Sum of weights over the tree.
    sum_w: i128,
    curr: Option<usize>,
    nr_running: u64,
    min_vruntime: i64,
    seq: u64,
}

impl Eevdf {
    pub(crate) fn new(p: EevdfParams, weights: &[u64]) -> Self {
        let ents = weights
            .iter()
            .map(|&weight| Ent {
                weight,
                vruntime: 0,
                deadline: 0,
                vlag: 0,
                on_rq: false,
                seq: 0,
                picked_deadline: None,
            })
            .collect();
        Eevdf {
            p,
            ents,
            tree: Treap::new(),
            sum_vw: 0,
            sum_w: 0,
            curr: None,
            nr_running: 0,
            min_vruntime: 0,
            seq: 0,
        }
    }

    fn ent(&self, t: usize) -> Option<&Ent> {
        self.ents.get(t)
    }

    fn w(&self, t: usize) -> u64 {
        self.ent(t).map_or(NICE_0_WEIGHT, |e| e.weight)
    }

    /// Sums over the queue plus the running task if it is on the queue.
    fn sums(&self) -> (i128, i128) {
        let mut s = self.sum_vw;
        let mut w = self.sum_w;
        if let Some(e) = self.curr.and_then(|c| self.ent(c)).filter(|e| e.on_rq) {
            s += i128::from(e.vruntime) * i128::from(e.weight);
            w += i128::from(e.weight);
        }
        (s, w)
    }

    /// `avg_vruntime()`: V, rounded down; `min_vruntime` when nothing is queued.
    fn avg_vruntime(&self) -> i64 {
        let (s, w) = self.sums();
        if w == 0 {
            self.min_vruntime
        } else {
            i64::try_from(s.div_euclid(w)).unwrap_or(self.min_vruntime)
        }
    }

    /// `entity_eligible()`.
    fn eligible(&self, v: i64) -> bool {
        let (s, w) = self.sums();
        i128::from(v) * w <= s
    }

    fn vslice(&self, t: usize) -> i64 {
        to_i64(calc_delta_fair(self.p.base_slice, self.w(t)))
    }

    /// `update_min_vruntime()`.
    fn update_min_vruntime(&mut self) {
        let curr = self
            .curr
            .and_then(|c| self.ent(c))
            .filter(|e| e.on_rq)
            .map(|e| e.vruntime);
        let v = match (curr, self.tree.min_v()) {
            (Some(c), Some(l)) => c.min(l),
            (Some(c), None) => c,
            (None, Some(l)) => l,
            (None, None) => self.min_vruntime,
        };
        self.min_vruntime = self.min_vruntime.max(v);
    }

    fn insert(&mut self, t: usize) {
        self.seq += 1;
        let seq = self.seq;
        let Some(e) = self.ents.get_mut(t) else {
            return;
        };
        e.seq = seq;
        let (v, d, w) = (e.vruntime, e.deadline, e.weight);
        self.tree.insert((d, seq), t, v);
        self.sum_vw += i128::from(v) * i128::from(w);
        self.sum_w += i128::from(w);
    }

    fn remove(&mut self, t: usize) {
        let Some(e) = self.ent(t) else { return };
        let (v, d, w, seq) = (e.vruntime, e.deadline, e.weight, e.seq);
        if self.tree.remove((d, seq)) {
            self.sum_vw -= i128::from(v) * i128::from(w);
            self.sum_w -= i128::from(w);
        }
    }

    /// `pick_eevdf()` with the running task as a candidate.
    fn pick_eevdf(&self) -> Option<usize> {
        let curr = self.curr.filter(|&c| {
            self.ent(c)
                .is_some_and(|e| e.on_rq && self.eligible(e.vruntime))
        });
        if let Some(c) = curr {
            let e = self.ent(c)?;
            if e.picked_deadline == Some(e.deadline) {
                return Some(c); // RUN_TO_PARITY
            }
        }
        let (s, w) = self.sums();
        let best = self.tree.first_eligible(|v| i128::from(v) * w <= s);
        match (best, curr) {
            (Some(((bd, _), _, _)), Some(c)) if self.ent(c).is_some_and(|e| bd > e.deadline) => {
                Some(c)
            }
            (Some((_, b, _)), _) => Some(b),
            (None, c) => c,
        }
    }
}

impl Scheduler for Eevdf {
    fn enqueue(&mut self, _: &[TaskRt], t: usize, new: bool) {
        // place_entity()
        let v_avg = self.avg_vruntime();
        let w = self.w(t);
        let mut vslice = self.vslice(t);
        let vlag = if new {
            0
        } else {
            self.ent(t).map_or(0, |e| e.vlag)
        };
        let mut lag = 0i64;
        if self.nr_running > 0 {
            // PLACE_LAG: joining raises V by lag * w / (load + w), so inflate the stored lag
            // to keep it (div_s64 truncates toward zero).
            let (_, load) = self.sums();
            let load = load.max(1);
            let scaled = i128::from(vlag) * (load + i128::from(w)) / load;
            lag = i64::try_from(scaled).unwrap_or(0);
        }
        let v = v_avg.saturating_sub(lag);
        if new {
            vslice /= 2; // PLACE_DEADLINE_INITIAL
        }
        if let Some(e) = self.ents.get_mut(t) {
            e.vruntime = v;
            e.deadline = v.saturating_add(vslice);
            e.on_rq = true;
            if new {
                e.vlag = 0;
            }
        }
        self.nr_running += 1;
        self.insert(t);
    }

    fn wakeup_preempt(&mut self, _: &[TaskRt], _: usize, woken: usize) -> bool {
        // check_preempt_wakeup(): preempt if the woken task is what pick_eevdf would choose.
        self.pick_eevdf() == Some(woken)
    }

    fn account(&mut self, curr: usize, delta: u64) -> bool {
        // update_curr() and update_deadline()
        let base = self.p.base_slice;
        let nr = self.nr_running;
        let mut resched = false;
        if let Some(e) = self.ents.get_mut(curr) {
            e.vruntime = e
                .vruntime
                .saturating_add(to_i64(calc_delta_fair(delta, e.weight)));
            if e.vruntime >= e.deadline {
                e.deadline = e
                    .vruntime
                    .saturating_add(to_i64(calc_delta_fair(base, e.weight)));
                resched = nr > 1;
            }
        }
        self.update_min_vruntime();
        resched
    }

    fn tick(&mut self, _: usize) -> bool {
        // entity_tick() only calls update_curr(), which the engine has already done.
        false
    }

    fn put_prev(&mut self, _: &[TaskRt], curr: usize) {
        self.curr = None;
        self.insert(curr);
    }

    fn dequeue_curr(&mut self, curr: usize, sleep: bool) {
        if sleep {
            // update_entity_lag(): remember how far behind (or ahead of) V the task was,
            // clamped to the virtual time of max(2 * slice, tick).
            let v_avg = self.avg_vruntime();
            let limit = to_i64(calc_delta_fair(
                (2 * self.p.base_slice).max(self.p.tick),
                self.w(curr),
            ));
            if let Some(e) = self.ents.get_mut(curr) {
                e.vlag = v_avg.saturating_sub(e.vruntime).clamp(-limit, limit);
            }
        }
        if let Some(e) = self.ents.get_mut(curr) {
            e.on_rq = false;
        }
        self.nr_running -= 1;
        self.curr = None;
        self.update_min_vruntime();
    }

    fn pick_next(&mut self, _: &[TaskRt]) -> Option<usize> {
        let (s, w) = self.sums();
        let pick = self
            .tree
            .first_eligible(|v| i128::from(v) * w <= s)
            .or_else(|| self.tree.first())
            .map(|(_, t, _)| t)?;
        self.remove(pick);
        // set_next_entity(): RUN_TO_PARITY remembers the deadline it was picked with.
        if let Some(e) = self.ents.get_mut(pick) {
            e.picked_deadline = Some(e.deadline);
        }
        self.curr = Some(pick);
        Some(pick)
    }

    fn run_limit(&self) -> Option<u64> {
        None
    }

    fn tick_mode(&self) -> TickMode {
        TickMode::Always(self.p.tick)
    }

    fn nr_queued(&self) -> usize {
        self.tree.len()
    }

    fn explain_pick(&self, _: &[TaskRt], t: usize) -> String {
        let Some(e) = self.ent(t) else {
            return String::new();
        };
        format!(
            "eligible (vruntime {} ms <= V {} ms) with the earliest deadline ({} ms)",
            signed_ms(e.vruntime),
            signed_ms(self.avg_vruntime()),
            signed_ms(e.deadline)
        )
    }

    fn steal(&mut self, _: &[TaskRt]) -> Option<(usize, i64)> {
        // detach_task(): the latest deadline goes; update_entity_lag() before it leaves.
        let (_, t, v) = self.tree.last()?;
        let v_avg = self.avg_vruntime();
        let limit = to_i64(calc_delta_fair(
            (2 * self.p.base_slice).max(self.p.tick),
            self.w(t),
        ));
        let vlag = v_avg.saturating_sub(v).clamp(-limit, limit);
        self.remove(t);
        if let Some(e) = self.ents.get_mut(t) {
            e.on_rq = false;
            e.vlag = vlag;
        }
        self.nr_running -= 1;
        self.update_min_vruntime();
        Some((t, vlag))
    }

    fn migrate_sleeper(&self, t: usize) -> i64 {
        self.ent(t).map_or(0, |e| e.vlag)
    }

    fn attach(&mut self, tasks: &[TaskRt], t: usize, rel: i64, _: bool) {
        if let Some(e) = self.ents.get_mut(t) {
            e.vlag = rel;
        }
        self.enqueue(tasks, t, false);
    }

    fn sample(&self, t: usize, now: u64) -> Option<FairPoint> {
        let e = self.ent(t)?;
        let v_avg = self.avg_vruntime();
        Some(FairPoint {
            time: now,
            task: t,
            vruntime: e.vruntime,
            deadline: Some(e.deadline),
            lag: if e.on_rq {
                v_avg.saturating_sub(e.vruntime)
            } else {
                e.vlag
            },
            reference: v_avg,
            eligible: e.on_rq && self.eligible(e.vruntime),
            on_rq: e.on_rq,
        })
    }
}
