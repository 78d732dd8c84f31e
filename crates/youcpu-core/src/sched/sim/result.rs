//! What a simulation produces: the timeline for a Gantt chart, per-task and overall metrics, an
//! optional step-by-step trace, and (CFS, EEVDF) samples of each task's virtual time.

use serde::Serialize;

/// What the CPU did during one interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SliceKind {
    /// A task ran (contiguous runs of the same task are merged into one slice).
    Run {
        /// The task (index into the workload).
        task: usize,
    },
    /// The CPU was switching from one task to another: time lost to both.
    Switch {
        /// The task that ran last.
        from: usize,
        /// The task being switched to.
        to: usize,
    },
    /// Nothing was runnable.
    Idle,
}

/// One interval of the timeline, `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Slice {
    /// Start time.
    pub start: u64,
    /// End time (exclusive).
    pub end: u64,
    /// The CPU (0 on a one-CPU run).
    pub cpu: usize,
    /// What happened.
    #[serde(flatten)]
    pub kind: SliceKind,
}

/// Per-task results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskMetrics {
    /// Index into the workload.
    pub id: usize,
    /// Arrival time.
    pub arrival: u64,
    /// Total CPU time asked for.
    pub cpu_demand: u64,
    /// Total I/O wait time asked for.
    pub io_demand: u64,
    /// Nice value.
    pub nice: i32,
    /// Load weight of that nice value.
    pub weight: u64,
    /// When the task first ran (after any switch into it), if it did.
    pub first_run: Option<u64>,
    /// When its last burst finished, if it did.
    pub completion: Option<u64>,
    /// `first_run - arrival`.
    pub response: Option<u64>,
    /// `completion - arrival`.
    pub turnaround: Option<u64>,
    /// Time spent runnable but not running (including switches into it); for a finished task
    /// this is `turnaround - cpu_demand - io_demand`.
    pub wait: u64,
    /// CPU time received.
    pub cpu_time: u64,
    /// `cpu_time` as a fraction of the simulated time from 0 to the end.
    pub cpu_share: f64,
    /// Times the CPU switched to this task from a different one.
    pub context_switches: u64,
    /// Time spent switching to this task.
    pub switch_time: u64,
    /// Times it moved to another CPU (always 0 on one CPU).
    pub migrations: u64,
}

/// Results over all tasks.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Overall {
    /// Tasks that finished.
    pub finished: usize,
    /// Mean response time over tasks that ran.
    pub avg_response: Option<f64>,
    /// Mean turnaround over finished tasks.
    pub avg_turnaround: Option<f64>,
    /// Mean wait over all tasks.
    pub avg_wait: f64,
    /// Switches between different tasks (the first dispatch is not one).
    pub context_switches: u64,
    /// Time lost to switching.
    pub switch_time: u64,
    /// Time the CPUs ran tasks (summed over CPUs).
    pub busy_time: u64,
    /// Time the CPUs had nothing to run (summed over CPUs).
    pub idle_time: u64,
    /// When the simulation ended (everything finished, or the horizon).
    pub end: u64,
    /// Scheduling events processed (the loop's iterations).
    pub events: u64,
}

/// What a step of the trace records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A task arrived.
    Arrive,
    /// A task woke up from I/O.
    Wake,
    /// A newly runnable task preempts the running one.
    WakeupPreempt,
    /// The running task's quantum ran out.
    QuantumExpired,
    /// A timer tick decided to preempt the running task.
    TickPreempt,
    /// The running task's slice ran out (EEVDF `update_deadline`).
    SliceExpired,
    /// The running task started an I/O wait.
    Block,
    /// The running task finished.
    Exit,
    /// The scheduler chose a task.
    Pick,
    /// The CPU started switching to another task.
    Switch,
    /// The CPU went idle.
    Idle,
    /// A task moved to another CPU (a wake-up placed elsewhere, or load balancing).
    Migrate,
}

/// One step of the trace, for a widget that walks through the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// When it happened.
    pub time: u64,
    /// What happened.
    pub kind: StepKind,
    /// The task concerned.
    pub task: Option<usize>,
    /// The CPU it happened on (for a migration, the CPU the task moves to).
    pub cpu: usize,
    /// A one-line explanation (for picks: why this task).
    pub note: String,
}

/// A sample of one task's virtual-time state (CFS and EEVDF), taken whenever the task is
/// placed, picked, put back, or leaves the run queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FairPoint {
    /// When.
    pub time: u64,
    /// Which task.
    pub task: usize,
    /// Its vruntime.
    pub vruntime: i64,
    /// EEVDF: its virtual deadline.
    pub deadline: Option<i64>,
    /// EEVDF: `V - vruntime` (positive: owed CPU time); CFS: `min_vruntime - vruntime`.
    pub lag: i64,
    /// The queue's reference: EEVDF's weighted average vruntime V, or CFS's `min_vruntime`.
    pub reference: i64,
    /// True when the task is eligible (EEVDF: `vruntime <= V`); for CFS, true when queued.
    pub eligible: bool,
    /// False when the task is asleep or finished: EEVDF's `lag` is then the lag it keeps for
    /// its wake-up (`se->vlag`).
    pub on_rq: bool,
}

/// Everything a simulation produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimResult {
    /// The policy's short name.
    pub policy: &'static str,
    /// Each CPU's timeline: runs, switches and idle gaps covering 0..end, CPU 0's first, each
    /// CPU's in time order.
    pub timeline: Vec<Slice>,
    /// One entry per task, in workload order.
    pub tasks: Vec<TaskMetrics>,
    /// Totals and means.
    pub overall: Overall,
    /// The step-by-step trace (empty unless asked for).
    pub steps: Vec<Step>,
    /// True when the trace hit its limit and later steps were dropped.
    pub steps_truncated: bool,
    /// Virtual-time samples (CFS and EEVDF, when asked for).
    pub fair: Vec<FairPoint>,
    /// True when the samples hit their limit.
    pub fair_truncated: bool,
    /// CPUs simulated (a `u32` beside the flags, so the result is no larger than a one-CPU
    /// result was).
    pub cpus: u32,
}

impl SimResult {
    /// The runs of one task, in order (one Gantt-chart row).
    pub fn runs_of(&self, task: usize) -> impl Iterator<Item = &Slice> + '_ {
        self.timeline
            .iter()
            .filter(move |s| s.kind == SliceKind::Run { task })
    }

    /// The virtual-time samples of one task, in order (its vruntime, deadline and lag curves).
    pub fn samples_of(&self, task: usize) -> impl Iterator<Item = &FairPoint> + '_ {
        self.fair.iter().filter(move |p| p.task == task)
    }

    /// Task migrations between CPUs, over all tasks.
    pub fn migrations(&self) -> u64 {
        self.tasks.iter().map(|t| t.migrations).sum()
    }

    /// The task running on CPU 0 at `time`, if any (`None` while idle or switching, or past
    /// the end).
    pub fn running_at(&self, time: u64) -> Option<usize> {
        self.running_on(0, time)
    }

    /// The task running on `cpu` at `time`, if any.
    pub fn running_on(&self, cpu: usize, time: u64) -> Option<usize> {
        let i = self
            .timeline
            .partition_point(|s| s.cpu < cpu || (s.cpu == cpu && s.end <= time));
        match self.timeline.get(i) {
            Some(Slice {
                start,
                cpu: c,
                kind: SliceKind::Run { task },
                ..
            }) if *start <= time && *c == cpu => Some(*task),
            _ => None,
        }
    }
}
