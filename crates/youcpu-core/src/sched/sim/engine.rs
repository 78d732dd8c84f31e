//! The event loop shared by every policy.
//!
//! Events, in the order they are handled at one instant: a context switch completing, the
//! running task's burst ending (it blocks for I/O or exits), arrivals and wake-ups (in task-id
//! order, each followed by the policy's wake-up preemption check), a timer tick, the quantum
//! running out, and finally, if the CPU is free or a reschedule was requested, the policy's pick.
//! So a task that arrives at the instant another's quantum expires is queued *before* the
//! preempted task goes back (the OSTEP convention).
//!
//! A context switch happens when the CPU starts running a task other than the one that ran
//! last; the very first dispatch is not a switch. Each switch costs `switch_cost` time during
//! which nothing runs. A preemption requested during a switch takes effect when the switch
//! ends: the task switched to goes back to the queue without running.
//!
//! With more than one CPU each CPU has its own run queue (its own instance of the policy, as
//! each `struct rq` has its own `cfs_rq`) and its own state; the steps above run for every CPU in
//! CPU order, arrivals and wake-ups are placed on a CPU first, load balancing runs after the
//! quantum check, and a CPU about to pick with nothing queued pulls a task first (see
//! [`super::smp`]). With one CPU none of that applies and the run is the one-CPU run.

use super::result::{FairPoint, Slice, SliceKind, Step, StepKind};
use super::workload::{Burst, TaskSpec};
use super::{SimConfig, SimError, MAX_FAIR_POINTS, MAX_STEPS};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// When a policy wants timer ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TickMode {
    /// Never (the textbook policies).
    Never,
    /// Only while other tasks wait (CFS: `entity_tick` checks preemption only when
    /// `nr_running > 1`, and its `update_curr` is linear, so skipping lone ticks changes nothing).
    WhenContended(u64),
    /// On every tick while a task runs (EEVDF: `update_deadline` renews the slice on ticks).
    Always(u64),
}

/// Per-task state the engine keeps and the policies may read.
#[derive(Clone, Debug)]
pub(crate) struct TaskRt {
    /// Load weight.
    pub weight: u64,
    /// Remaining time of the current CPU burst.
    pub remaining: u64,
    burst_idx: usize,
    ready_since: Option<u64>,
    pub(crate) first_run: Option<u64>,
    pub(crate) completion: Option<u64>,
    pub(crate) cpu_time: u64,
    pub(crate) wait: u64,
    pub(crate) switches: u64,
    pub(crate) switch_time: u64,
    /// The CPU the task is on, or last ran on.
    pub(crate) cpu: usize,
    /// Times it moved to another CPU.
    pub(crate) migrations: u64,
}

/// The interface between the event loop and a policy. The policy owns its run queue; the task
/// that is running is not in it.
pub(crate) trait Scheduler {
    /// A task becomes runnable: `new` for its arrival, otherwise a wake-up after I/O.
    fn enqueue(&mut self, tasks: &[TaskRt], task: usize, new: bool);
    /// Should the newly runnable `woken` preempt `curr`? (Default: never, as the textbook
    /// policies without preemption decide.)
    fn wakeup_preempt(&mut self, _tasks: &[TaskRt], _curr: usize, _woken: usize) -> bool {
        false
    }
    /// `curr` ran for `delta` more; true asks for a reschedule. (Default: no accounting.)
    fn account(&mut self, _curr: usize, _delta: u64) -> bool {
        false
    }
    /// A timer tick while `curr` runs; true asks for a reschedule. (Default: ticks change
    /// nothing.)
    fn tick(&mut self, _curr: usize) -> bool {
        false
    }
    /// `curr` stops running but stays runnable.
    fn put_prev(&mut self, tasks: &[TaskRt], curr: usize);
    /// `curr` leaves the run queue: it blocks (`sleep`) or exits. (Default: nothing to do, for
    /// a queue that does not hold its running task.)
    fn dequeue_curr(&mut self, _curr: usize, _sleep: bool) {}
    /// Chooses the next task and takes it off the queue; it becomes the running task.
    fn pick_next(&mut self, tasks: &[TaskRt]) -> Option<usize>;
    /// How long the task just picked may run before its quantum expires, if the policy has one.
    fn run_limit(&self) -> Option<u64>;
    /// Timer tick needs. (Default: none.)
    fn tick_mode(&self) -> TickMode {
        TickMode::Never
    }
    /// Runnable tasks waiting in the queue.
    fn nr_queued(&self) -> usize;
    /// Load balancing: takes the queued task this queue would run last off the queue and
    /// returns it with its virtual-time state relative to this queue (CFS: vruntime -
    /// `min_vruntime`; EEVDF: its lag; textbook policies: 0).
    fn steal(&mut self, tasks: &[TaskRt]) -> Option<(usize, i64)>;
    /// The relative virtual-time state of `task`, asleep after running here, that is about to
    /// wake on another CPU. (Default: 0, for policies without virtual time.)
    fn migrate_sleeper(&self, _task: usize) -> i64 {
        0
    }
    /// Puts a task from another CPU on this queue with the state `rel` from [`Self::steal`] or
    /// [`Self::migrate_sleeper`]; `wakeup` when it is waking up rather than being pulled.
    fn attach(&mut self, tasks: &[TaskRt], task: usize, rel: i64, wakeup: bool);
    /// Why `task` was just picked, in one line.
    fn explain_pick(&self, tasks: &[TaskRt], task: usize) -> String;
    /// The task's virtual-time state, for policies that have one. (Default: none.)
    fn sample(&self, _task: usize, _now: u64) -> Option<FairPoint> {
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cpu {
    Idle,
    Switching { to: usize, until: u64 },
    Running { task: usize },
}

/// One CPU's state: its run queue (the policy) and what it is doing.
pub(crate) struct Rq<S: Scheduler> {
    pub(crate) sched: S,
    pub(crate) cpu: Cpu,
    last_ran: Option<usize>,
    pub(crate) resched: bool,
    quantum_end: Option<u64>,
    pending_limit: Option<u64>,
    pub(crate) timeline: Vec<Slice>,
}

impl<S: Scheduler> Rq<S> {
    /// The task running on (or being switched to on) this CPU.
    pub(crate) fn current(&self) -> Option<usize> {
        match self.cpu {
            Cpu::Running { task } | Cpu::Switching { to: task, .. } => Some(task),
            Cpu::Idle => None,
        }
    }

    /// `rq->nr_running`: queued tasks plus the current one.
    pub(crate) fn nr_running(&self) -> usize {
        self.sched.nr_queued() + usize::from(self.current().is_some())
    }
}

/// The loop's state.
pub(crate) struct Engine<'a, S: Scheduler> {
    specs: &'a [TaskSpec],
    pub(crate) tasks: Vec<TaskRt>,
    pub(crate) rqs: Vec<Rq<S>>,
    cfg: &'a SimConfig,
    pub(crate) now: u64,
    /// Periodic load balancing interval (multi-CPU runs).
    pub(crate) balance_interval: u64,
    arrivals: Vec<usize>,
    next_arrival: usize,
    wakeups: BinaryHeap<Reverse<(u64, usize)>>,
    pub(crate) steps: Vec<Step>,
    pub(crate) steps_truncated: bool,
    pub(crate) fair: Vec<FairPoint>,
    pub(crate) fair_truncated: bool,
    pub(crate) events: u64,
    pub(crate) switches: u64,
    pub(crate) switch_time: u64,
}

impl<'a, S: Scheduler> Engine<'a, S> {
    /// Sets up a run on `scheds.len()` CPUs (one policy instance each, at least one);
    /// `weights` come from validation.
    pub(crate) fn new(
        specs: &'a [TaskSpec],
        weights: &[u64],
        scheds: Vec<S>,
        balance_interval: u64,
        cfg: &'a SimConfig,
    ) -> Self {
        let tasks = specs
            .iter()
            .zip(weights)
            .map(|(s, &weight)| TaskRt {
                weight,
                remaining: match s.bursts.first() {
                    Some(Burst::Cpu(n)) => *n,
                    _ => 0,
                },
                burst_idx: 0,
                ready_since: None,
                first_run: None,
                completion: None,
                cpu_time: 0,
                wait: 0,
                switches: 0,
                switch_time: 0,
                cpu: 0,
                migrations: 0,
            })
            .collect();
        let mut arrivals: Vec<usize> = (0..specs.len()).collect();
        arrivals.sort_by_key(|&i| (specs.get(i).map_or(0, |s| s.arrival), i));
        let rqs = scheds
            .into_iter()
            .map(|sched| Rq {
                sched,
                cpu: Cpu::Idle,
                last_ran: None,
                resched: false,
                quantum_end: None,
                pending_limit: None,
                timeline: Vec::new(),
            })
            .collect();
        Engine {
            specs,
            tasks,
            rqs,
            cfg,
            now: 0,
            balance_interval: balance_interval.max(1),
            arrivals,
            next_arrival: 0,
            wakeups: BinaryHeap::new(),
            steps: Vec::new(),
            steps_truncated: false,
            fair: Vec::new(),
            fair_truncated: false,
            events: 0,
            switches: 0,
            switch_time: 0,
        }
    }

    pub(crate) fn step(
        &mut self,
        kind: StepKind,
        task: Option<usize>,
        cpu: usize,
        note: impl FnOnce(&Self) -> String,
    ) {
        if !self.cfg.trace {
            return;
        }
        if self.steps.len() >= MAX_STEPS {
            self.steps_truncated = true;
            return;
        }
        let note = note(self);
        self.steps.push(Step {
            time: self.now,
            kind,
            task,
            cpu,
            note,
        });
    }

    pub(crate) fn sample(&mut self, cpu: usize, task: usize) {
        if !self.cfg.fair_samples {
            return;
        }
        let Some(rq) = self.rqs.get(cpu) else { return };
        if let Some(p) = rq.sched.sample(task, self.now) {
            if self.fair.len() >= MAX_FAIR_POINTS {
                self.fair_truncated = true;
            } else {
                self.fair.push(p);
            }
        }
    }

    fn push_slice(&mut self, cpu: usize, start: u64, end: u64, kind: SliceKind) {
        let Some(rq) = self.rqs.get_mut(cpu) else {
            return;
        };
        if let Some(last) = rq.timeline.last_mut() {
            let mergeable = !matches!(kind, SliceKind::Switch { .. });
            if mergeable && last.kind == kind && last.end == start {
                last.end = end;
                return;
            }
        }
        rq.timeline.push(Slice {
            start,
            end,
            cpu,
            kind,
        });
    }

    fn next_external(&self) -> Option<u64> {
        let a = self
            .arrivals
            .get(self.next_arrival)
            .and_then(|&i| self.specs.get(i))
            .map(|s| s.arrival);
        let w = self.wakeups.peek().map(|Reverse((t, _))| *t);
        let b = self
            .balance_due()
            .then(|| (self.now / self.balance_interval + 1) * self.balance_interval);
        [a, w, b].into_iter().flatten().min()
    }

    fn next_event(&mut self) -> Option<u64> {
        let ext = self.next_external();
        let mut t = ext;
        for rq in &mut self.rqs {
            let mut consider = |x: u64| t = Some(t.map_or(x, |t: u64| t.min(x)));
            match rq.cpu {
                Cpu::Idle => {}
                Cpu::Switching { until, .. } => consider(until),
                Cpu::Running { task } => {
                    let rem = self.tasks.get(task).map_or(0, |t| t.remaining);
                    consider(self.now.saturating_add(rem));
                    if let Some(qe) = rq.quantum_end {
                        if rq.sched.nr_queued() == 0 {
                            // Alone, the task would just get quantum after quantum; jump to
                            // the first quantum boundary at or after the next arrival, wake-up
                            // or load balance.
                            if let (Some(e), Some(q)) = (ext, rq.sched.run_limit()) {
                                let qe2 = if qe < e {
                                    qe + (e - qe).div_ceil(q) * q
                                } else {
                                    qe
                                };
                                rq.quantum_end = Some(qe2);
                                consider(qe2);
                            }
                        } else {
                            consider(qe);
                        }
                    }
                    let tick = match rq.sched.tick_mode() {
                        TickMode::Never => None,
                        TickMode::WhenContended(p) if rq.sched.nr_queued() > 0 => Some(p),
                        TickMode::WhenContended(_) => None,
                        TickMode::Always(p) => Some(p),
                    };
                    if let Some(p) = tick {
                        consider((self.now / p + 1) * p);
                    }
                }
            }
        }
        t
    }

    fn advance(&mut self, t: u64) {
        let dt = t - self.now;
        let start = self.now;
        if dt > 0 {
            for c in 0..self.rqs.len() {
                let Some(state) = self.rqs.get(c).map(|rq| rq.cpu) else {
                    continue;
                };
                match state {
                    Cpu::Running { task } => {
                        if let Some(tr) = self.tasks.get_mut(task) {
                            tr.remaining = tr.remaining.saturating_sub(dt);
                            tr.cpu_time += dt;
                            // First run: the first instant it really executes (a task switched
                            // to and preempted at once has not run).
                            tr.first_run.get_or_insert(start);
                        }
                        self.push_slice(c, start, t, SliceKind::Run { task });
                        let Some(rq) = self.rqs.get_mut(c) else {
                            continue;
                        };
                        let was = rq.resched;
                        if rq.sched.account(task, dt) && !was {
                            rq.resched = true;
                            self.now = t;
                            self.step(StepKind::SliceExpired, Some(task), c, |_| {
                                "its slice is used up (vruntime reached its deadline): a new \
                                 deadline, and a reschedule"
                                    .into()
                            });
                        }
                    }
                    Cpu::Idle => self.push_slice(c, start, t, SliceKind::Idle),
                    Cpu::Switching { .. } => {}
                }
            }
        }
        self.now = t;
    }

    fn begin_run(&mut self, cpu: usize, task: usize) {
        let now = self.now;
        if let Some(tr) = self.tasks.get_mut(task) {
            if let Some(since) = tr.ready_since.take() {
                tr.wait += now - since;
            }
            tr.cpu = cpu;
        }
        if let Some(rq) = self.rqs.get_mut(cpu) {
            rq.quantum_end = rq.pending_limit.map(|q| now + q);
            rq.cpu = Cpu::Running { task };
        }
    }

    fn make_ready(&mut self, task: usize) {
        let now = self.now;
        if let Some(tr) = self.tasks.get_mut(task) {
            tr.ready_since = Some(now);
        }
    }

    fn burst_done(&mut self, cpu: usize, task: usize) {
        let spec = self.specs.get(task);
        let (Some(tr), Some(rq)) = (self.tasks.get_mut(task), self.rqs.get_mut(cpu)) else {
            return;
        };
        tr.burst_idx += 1;
        rq.cpu = Cpu::Idle;
        rq.quantum_end = None;
        match spec.and_then(|s| s.bursts.get(tr.burst_idx)) {
            Some(Burst::Io(d)) => {
                let wake = self.now + d;
                rq.sched.dequeue_curr(task, true);
                self.wakeups.push(Reverse((wake, task)));
                self.sample(cpu, task);
                self.step(StepKind::Block, Some(task), cpu, |_| {
                    "blocks, waiting for I/O".into()
                });
            }
            _ => {
                tr.completion = Some(self.now);
                rq.sched.dequeue_curr(task, false);
                self.sample(cpu, task);
                self.step(StepKind::Exit, Some(task), cpu, |_| "finished".into());
            }
        }
    }

    fn take_ready_now(&mut self) -> Vec<(usize, bool)> {
        let mut ready = Vec::new();
        while let Some(&i) = self.arrivals.get(self.next_arrival) {
            if self.specs.get(i).map(|s| s.arrival) != Some(self.now) {
                break;
            }
            ready.push((i, true));
            self.next_arrival += 1;
        }
        while let Some(Reverse((t, i))) = self.wakeups.peek().copied() {
            if t != self.now {
                break;
            }
            self.wakeups.pop();
            if let (Some(tr), Some(s)) = (self.tasks.get_mut(i), self.specs.get(i)) {
                tr.burst_idx += 1;
                tr.remaining = match s.bursts.get(tr.burst_idx) {
                    Some(Burst::Cpu(n)) => *n,
                    _ => 0,
                };
            }
            ready.push((i, false));
        }
        ready.sort_unstable();
        ready
    }

    /// Runs to the end (or the horizon).
    pub(crate) fn run(&mut self) -> Result<(), SimError> {
        while let Some(t) = self.next_event() {
            if let Some(h) = self.cfg.horizon {
                if t > h {
                    self.advance(h.max(self.now));
                    break;
                }
            }
            self.events += 1;
            if self.events > self.cfg.max_events {
                return Err(SimError::TooManyEvents(self.cfg.max_events));
            }
            self.advance(t);
            self.handle_instant();
        }
        let end = self.now;
        for tr in &mut self.tasks {
            if let Some(since) = tr.ready_since.take() {
                tr.wait += end - since;
            }
        }
        Ok(())
    }

    /// After `task` became runnable on `cpu`: should it preempt what runs there?
    pub(crate) fn check_preempt(&mut self, cpu: usize, task: usize) {
        let Some(rq) = self.rqs.get_mut(cpu) else {
            return;
        };
        if let Some(curr) = rq.current() {
            if !rq.resched && rq.sched.wakeup_preempt(&self.tasks, curr, task) {
                rq.resched = true;
                self.step(StepKind::WakeupPreempt, Some(task), cpu, |_| {
                    format!("preempts task {curr}")
                });
            }
        }
    }

    fn handle_instant(&mut self) {
        let n = self.rqs.len();
        // 1. A switch completes.
        for c in 0..n {
            let Some(rq) = self.rqs.get_mut(c) else {
                continue;
            };
            if let Cpu::Switching { to, until } = rq.cpu {
                if until == self.now {
                    if rq.resched {
                        rq.sched.put_prev(&self.tasks, to);
                        rq.cpu = Cpu::Idle;
                        self.sample(c, to);
                    } else {
                        self.begin_run(c, to);
                    }
                }
            }
        }
        // 2. The running task's burst ends.
        for c in 0..n {
            if let Some(Cpu::Running { task }) = self.rqs.get(c).map(|rq| rq.cpu) {
                if self.tasks.get(task).is_some_and(|t| t.remaining == 0) {
                    self.burst_done(c, task);
                }
            }
        }
        // 3. Arrivals and wake-ups, in task-id order, each placed on a CPU.
        for (task, new) in self.take_ready_now() {
            self.make_ready(task);
            let c = self.enqueue_placed(task, new);
            self.sample(c, task);
            let kind = if new {
                StepKind::Arrive
            } else {
                StepKind::Wake
            };
            self.step(kind, Some(task), c, |_| {
                if new {
                    "arrives".into()
                } else {
                    "I/O done, runnable again".into()
                }
            });
            self.check_preempt(c, task);
        }
        // 4. A timer tick.
        for c in 0..n {
            let Some(rq) = self.rqs.get_mut(c) else {
                continue;
            };
            if let Cpu::Running { task } = rq.cpu {
                let period = match rq.sched.tick_mode() {
                    TickMode::Never => None,
                    TickMode::WhenContended(p) | TickMode::Always(p) => Some(p),
                };
                if period.is_some_and(|p| self.now.is_multiple_of(p))
                    && rq.sched.tick(task)
                    && !rq.resched
                {
                    rq.resched = true;
                    self.step(StepKind::TickPreempt, Some(task), c, |_| {
                        "the tick finds it has run long enough".into()
                    });
                }
            }
        }
        // 5. The quantum runs out.
        for c in 0..n {
            let Some(rq) = self.rqs.get_mut(c) else {
                continue;
            };
            if let (Cpu::Running { task }, Some(qe)) = (rq.cpu, rq.quantum_end) {
                if qe == self.now {
                    if rq.sched.nr_queued() == 0 {
                        rq.quantum_end = rq.sched.run_limit().map(|q| self.now + q);
                    } else if !rq.resched {
                        rq.resched = true;
                        self.step(StepKind::QuantumExpired, Some(task), c, |_| {
                            "quantum used up: back of the queue".into()
                        });
                    }
                }
            }
        }
        // 5b. Periodic load balancing.
        if n > 1 && self.now.is_multiple_of(self.balance_interval) {
            self.periodic_balance();
        }
        // 6. Preempt.
        for c in 0..n {
            let Some(rq) = self.rqs.get_mut(c) else {
                continue;
            };
            if rq.resched {
                if let Cpu::Running { task } = rq.cpu {
                    rq.sched.put_prev(&self.tasks, task);
                    rq.cpu = Cpu::Idle;
                    rq.quantum_end = None;
                    self.make_ready(task);
                    self.sample(c, task);
                }
            }
        }
        // 7. Pick, pulling a task first when this CPU has nothing queued.
        for c in 0..n {
            let Some(rq) = self.rqs.get_mut(c) else {
                continue;
            };
            if rq.cpu == Cpu::Idle {
                rq.resched = false;
                if n > 1 && rq.sched.nr_queued() == 0 {
                    self.newidle_balance(c);
                }
                self.pick(c);
            }
        }
    }

    fn pick(&mut self, cpu: usize) {
        let Some(rq) = self.rqs.get_mut(cpu) else {
            return;
        };
        let Some(next) = rq.sched.pick_next(&self.tasks) else {
            if rq
                .timeline
                .last()
                .is_some_and(|s| s.kind != SliceKind::Idle)
            {
                self.step(StepKind::Idle, None, cpu, |_| "nothing is runnable".into());
            }
            return;
        };
        rq.pending_limit = rq.sched.run_limit();
        let from = rq.last_ran.replace(next);
        self.sample(cpu, next);
        self.step(StepKind::Pick, Some(next), cpu, |e| {
            e.rqs
                .get(cpu)
                .map(|rq| rq.sched.explain_pick(&e.tasks, next))
                .unwrap_or_default()
        });
        match from {
            Some(prev) if prev != next => {
                self.switches += 1;
                let cost = self.cfg.switch_cost;
                if let Some(tr) = self.tasks.get_mut(next) {
                    tr.switches += 1;
                    tr.switch_time += cost;
                }
                if cost > 0 {
                    let until = self.now + cost;
                    self.switch_time += cost;
                    self.push_slice(
                        cpu,
                        self.now,
                        until,
                        SliceKind::Switch {
                            from: prev,
                            to: next,
                        },
                    );
                    if let Some(rq) = self.rqs.get_mut(cpu) {
                        rq.cpu = Cpu::Switching { to: next, until };
                    }
                    if let Some(tr) = self.tasks.get_mut(next) {
                        tr.cpu = cpu;
                    }
                    self.step(StepKind::Switch, Some(next), cpu, |_| {
                        format!("the CPU switches from task {prev}; the time is lost")
                    });
                } else {
                    self.begin_run(cpu, next);
                }
            }
            _ => self.begin_run(cpu, next),
        }
    }
}
