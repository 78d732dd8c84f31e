//! The figures of Part 2 (scheduling) and Part 6 (processes), drawn by the widgets' own
//! drawing code from the widgets' own models: the scheduler simulator, the CFS timeslice
//! calculation, and the kernel-side memory model that forks and execs.

use crate::ui::svg::text;
use crate::ui::Apply;
use crate::ui::Diagram;
use crate::widgets::fork_cow::diagram as fc;
use crate::widgets::fork_cow::state::{Action as FcAction, Op as FcOp, Region, State as FcState};
use crate::widgets::process_tree::diagram as pt;
use crate::widgets::process_tree::state::image;
use crate::widgets::scheduler::gantt_body;
use crate::widgets::scheduler::state::{compute, Job, PolicyId};
use crate::widgets::timeslice::diagram as ts;
use yew::prelude::*;
use youcpu_core::sched::sim::{Burst, TaskSpec};
use youcpu_core::sched::timeslice::{compute_timeslices, TimesliceParams};
use youcpu_core::units::ms_string;
use youcpu_core::vm::{Limits, System};

/// The convoy: a 12 ms job at 0, then two 2 ms jobs at 1 and 2 ms (the scheduler widget's
/// first preset).
fn convoy() -> Job {
    let t = |arrival, ms| TaskSpec {
        arrival,
        bursts: vec![Burst::Cpu(ms)],
        nice: 0,
    };
    Job {
        tasks: vec![t(0, 12), t(1, 2), t(2, 2)],
        quantum: 2,
        switch_cost: 0,
        cpus: 1,
    }
}

/// The width of the policies figure: drawn 1:1 on a 360 px phone.
const FIG_W: f64 = 360.0;

/// Part 2: one workload, two policies: FIFO makes the short jobs wait behind the long one;
/// STCF preempts it for them.
pub fn sched_policies() -> Html {
    let job = convoy();
    let n = job.tasks.len();
    let runs: Vec<(PolicyId, Option<youcpu_core::sched::sim::SimResult>)> =
        [PolicyId::Fifo, PolicyId::Stcf]
            .into_iter()
            .map(|p| (p, compute(&job, p).ok()))
            .collect();
    let end = runs
        .iter()
        .filter_map(|(_, r)| r.as_ref().map(|r| r.overall.end))
        .max()
        .unwrap_or(1);
    let panel_h = 16.0 * n as f64 + 22.0 + 24.0;
    let mut desc = String::from(
        "Three tasks: task 1 needs 12 ms and arrives at 0; tasks 2 and 3 need 2 ms each and arrive at 1 and 2 ms. ",
    );
    let panels: Html = runs
        .iter()
        .enumerate()
        .map(|(k, (p, r))| {
            let y = panel_h * k as f64;
            let Some(r) = r else {
                return html! {};
            };
            let order: Vec<String> = r
                .timeline
                .iter()
                .filter_map(|s| match s.kind {
                    youcpu_core::sched::sim::SliceKind::Run { task } => {
                        Some(format!("task {} {}–{}", task + 1, s.start, s.end))
                    }
                    _ => None,
                })
                .collect();
            let avg = r.overall.avg_turnaround.unwrap_or(0.0);
            desc.push_str(&format!(
                "{}: {}; average turnaround {avg:.1} ms. ",
                p.label(),
                order.join(", ")
            ));
            html! {
                <g key={p.key()}>
                    { text(0.0, y + 14.0, "start", "d-title", p.label()) }
                    { text(FIG_W, y + 14.0, "end", "d-small", format!("average turnaround {avg:.1} ms")) }
                    <g transform={format!("translate(0 {})", y + 22.0)}>
                        { gantt_body(r, n, end, FIG_W, 16.0) }
                    </g>
                </g>
            }
        })
        .collect();
    html! {
        <Diagram id={super::diagram_id("sched-policies")} class="gantt" title="One workload under FIFO and under STCF"
            desc={desc.trim_end().to_string()} width={FIG_W as u32} height={(panel_h * 2.0) as u32} max_width={Some(560)}>
            { panels }
        </Diagram>
    }
}

/// Part 2: the CFS scheduling period cut by weight: three tasks, nice 0, 0 and 5.
pub fn cfs_period() -> Html {
    let mut p = TimesliceParams::defaults(3, 1);
    p.nice = vec![0, 0, 5];
    let Ok(t) = compute_timeslices(&p) else {
        return html! {};
    };
    let c = ts::layout(&t);
    html! {
        <Diagram id={super::diagram_id("cfs-period")} class="ts-diagram" title={format!("A {} ms CFS period split by weight", ms_string(t.period_ns))}
            desc={c.desc.clone()} width={ts::WIDTH as u32} height={c.height as u32} max_width={Some(600)}>
            { ts::draw(&c, None) }
        </Diagram>
    }
}

/// Part 6: fork, then a write: the widget's opening state (pid 1 has written its data and
/// stack, then forked) beside the same after the child writes its data page.
pub fn fork_write() -> Html {
    let before = FcState::default();
    let mut after = before.clone();
    after.apply(FcAction::Do(FcOp::Write(2, Region::Data)));
    let (Some(b), Some(a)) = (before.sys.as_deref(), after.sys.as_deref()) else {
        return html! {};
    };
    let pb = fc::layout(b, None);
    let pa = fc::layout(a, after.ops.last().copied());
    let gap = 16.0;
    let width = pb.width + gap + pa.width;
    let height = pb.height.max(pa.height) + 24.0;
    let desc = format!(
        "Before: {} After the write: {}",
        pb.desc.trim_start_matches("Just booted. "),
        pa.desc
    );
    // Side by side on a desktop; one above the other on a phone, where side by side would be
    // drawn at three quarters of its size.
    let wide = html! {
        <>
            { text(pb.width / 2.0, 16.0, "middle", "d-title", "just after fork") }
            { text(pb.width + gap + pa.width / 2.0, 16.0, "middle", "d-title", "after pid 2 writes its data") }
            <g transform="translate(0 24)">{ fc::draw(&pb, None) }</g>
            <g transform={format!("translate({} 24)", pb.width + gap)}>{ fc::draw(&pa, None) }</g>
        </>
    };
    let nw = pb.width.max(pa.width);
    let below = 24.0 + pb.height + 12.0;
    let narrow = html! {
        <>
            { text(nw / 2.0, 16.0, "middle", "d-title", "just after fork") }
            <g transform="translate(0 24)">{ fc::draw(&pb, None) }</g>
            { text(nw / 2.0, below + 16.0, "middle", "d-title", "after pid 2 writes its data") }
            <g transform={format!("translate(0 {})", below + 24.0)}>{ fc::draw(&pa, None) }</g>
        </>
    };
    super::paging::dual(
        "fork-write",
        "fork, before and after the child writes",
        desc,
        (width, height, wide),
        (nw, below + 24.0 + pa.height, narrow),
        Some(720),
    )
}

/// The operations that grow the boot-to-shell tree in the model: process 1 (systemd) starts
/// the journal and logind and a getty; the getty execs login (same pid), login forks the
/// user's shell, and the shell forks and execs the command.
fn boot_tree_model() -> Result<System, String> {
    let (mut sys, _) = System::boot(
        Limits {
            frames: 256,
            processes: 16,
            tlb_entries: 16,
        },
        image("systemd")?,
    )
    .map_err(|e| e.to_string())?;
    let spawn = |sys: &mut System, parent: u32, names: &[&str]| -> Result<u32, String> {
        let (pid, _) = sys.fork(parent).map_err(|e| e.to_string())?;
        for n in names {
            sys.exec(pid, image(n)?).map_err(|e| e.to_string())?;
        }
        Ok(pid)
    };
    spawn(&mut sys, 1, &["systemd-journal"])?;
    spawn(&mut sys, 1, &["systemd-logind"])?;
    let login = spawn(&mut sys, 1, &["agetty", "login"])?;
    let shell = spawn(&mut sys, login, &["bash"])?;
    spawn(&mut sys, shell, &["ls"])?;
    Ok(sys)
}

/// Part 6: from process 1 to a command typed at a text-console login.
pub fn boot_tree() -> Html {
    let Ok(sys) = boot_tree_model() else {
        return html! {};
    };
    let t = pt::layout(&pt::procs_of(&sys), None, &[]);
    html! {
        <Diagram id={super::diagram_id("boot-tree")} title="From process 1 to a command at a text-console login"
            desc={t.desc.clone()} width={t.width as u32} height={t.height as u32} max_width={Some(620)} class="pt-fig">
            { pt::draw(&t, None, None) }
        </Diagram>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boot_tree_is_systemd_login_bash_ls() {
        let sys = boot_tree_model().expect("model");
        let chain: Vec<(u32, String)> = {
            let mut out = Vec::new();
            let mut pid = sys.processes().find(|p| p.name == "ls").map(|p| p.pid);
            while let Some(p) = pid.and_then(|p| sys.process(p)) {
                out.push((p.pid, p.name.clone()));
                pid = (p.ppid != 0).then_some(p.ppid);
            }
            out
        };
        let names: Vec<&str> = chain.iter().map(|c| c.1.as_str()).collect();
        assert_eq!(names, ["ls", "bash", "login", "systemd"]);
        assert_eq!(chain.last().map(|c| c.0), Some(1));
    }

    #[test]
    fn fifo_convoys_and_stcf_does_not() {
        let job = convoy();
        let f = compute(&job, PolicyId::Fifo).expect("fifo");
        let s = compute(&job, PolicyId::Stcf).expect("stcf");
        assert_eq!(f.overall.avg_turnaround, Some(13.0));
        assert_eq!(s.overall.avg_turnaround, Some(7.0));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod rendered {
    use super::super::tests::render;
    use super::super::FigureKind;

    #[test]
    fn the_figures_say_what_they_draw() {
        let fw = render(FigureKind::ForkWrite);
        assert!(fw.contains("shared by 2 processes"), "{fw}");
        assert!(fw.contains("Lit: frame"), "{fw}");
        let bt = render(FigureKind::BootTree);
        assert!(bt.contains("pid 1 runs systemd"), "{bt}");
        assert!(bt.contains("login"), "{bt}");
        let cp = render(FigureKind::CfsPeriod);
        assert!(cp.contains("nice 5, weight 335"), "{cp}");
        let sp = render(FigureKind::SchedPolicies);
        assert!(
            sp.contains("FIFO: task 1 0–12, task 2 12–14, task 3 14–16"),
            "{sp}"
        );
    }
}
