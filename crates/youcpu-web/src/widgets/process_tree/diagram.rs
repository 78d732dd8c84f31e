//! The process tree as a picture, a pure function of the model: each process a box under its
//! parent (the kernel's `real_parent`), leaves side by side and each parent centred over its
//! children. A zombie (`EXIT_ZOMBIE`: exited, its status kept until the parent's `wait`) is
//! drawn dashed; a child whose parent has just exited is drawn under pid 1 with a dashed line
//! back to the parent it lost, as kernel/exit.c `forget_original_parent` hands it to the
//! nearest subreaper or to init. The view only renders [`layout`]'s result with [`draw`]; the
//! boot-to-shell figure of Part 6 is drawn by the same functions.

use crate::ui::svg::{num, polyline, rect, text};
use crate::widgets::hit::button;
use yew::prelude::*;
use youcpu_core::vm::{ProcState, System};

/// Narrowest process box (wider when a name needs it).
pub const NODE_W: f64 = 92.0;
/// Height of a process box.
pub const NODE_H: f64 = 46.0;
/// Room between two boxes side by side.
const GAP: f64 = 8.0;
const LEVEL: f64 = 78.0;
const TOP: f64 = 8.0;

/// One process box.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The pid.
    pub pid: u32,
    /// The parent's pid (0 for pid 1).
    pub ppid: u32,
    /// The program.
    pub name: String,
    /// True for a zombie.
    pub zombie: bool,
    /// Its exit status, for a zombie.
    pub status: Option<i32>,
    /// Top-left corner.
    pub x: f64,
    /// Top-left corner.
    pub y: f64,
    /// True if the last operation was about this process.
    pub lit: bool,
    /// The parent it lost, if the last operation re-parented it.
    pub lost: Option<u32>,
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    /// viewBox width.
    pub width: f64,
    /// viewBox height.
    pub height: f64,
    /// Width of every process box: room for the longest program name.
    pub node_w: f64,
    /// The processes.
    pub nodes: Vec<Node>,
    /// The picture in words.
    pub desc: String,
}

/// A process as the picture needs it (so a figure can draw a tree the model does not hold).
#[derive(Clone, Debug, PartialEq)]
pub struct Proc {
    /// The pid.
    pub pid: u32,
    /// The parent's pid (0 for the root).
    pub ppid: u32,
    /// The program.
    pub name: String,
    /// Its exit status if it is a zombie.
    pub zombie: Option<i32>,
}

/// The processes of the model.
pub fn procs_of(sys: &System) -> Vec<Proc> {
    sys.processes()
        .map(|p| Proc {
            pid: p.pid,
            ppid: p.ppid,
            name: p.name.clone(),
            zombie: match p.state {
                ProcState::Zombie(c) => Some(c),
                ProcState::Running => None,
            },
        })
        .collect()
}

/// Lays the processes out as a tree. `lit` is the process the last operation was about;
/// `adopted` the (orphan, lost parent) pairs the last operation made.
pub fn layout(procs: &[Proc], lit: Option<u32>, adopted: &[(u32, u32)]) -> Tree {
    let is_root = |p: &Proc| p.ppid == 0 || !procs.iter().any(|q| q.pid == p.ppid && q.pid != p.pid);
    let kids = |pid: u32| -> Vec<&Proc> {
        procs
            .iter()
            .filter(|c| c.ppid == pid && c.pid != pid)
            .collect()
    };
    let mut nodes: Vec<Node> = Vec::new();
    let mut next_leaf = 0.0_f64;
    let mut max_depth = 0usize;
    // Post-order: a leaf takes the next slot; a parent sits over the middle of its children.
    fn place<'a>(
        p: &'a Proc,
        depth: usize,
        kids: &dyn Fn(u32) -> Vec<&'a Proc>,
        next_leaf: &mut f64,
        max_depth: &mut usize,
        out: &mut Vec<(&'a Proc, usize, f64)>,
    ) -> f64 {
        *max_depth = (*max_depth).max(depth);
        let children = if depth < 16 { kids(p.pid) } else { Vec::new() };
        let slot = if children.is_empty() {
            let s = *next_leaf;
            *next_leaf += 1.0;
            s
        } else {
            let slots: Vec<f64> = children
                .iter()
                .map(|c| place(c, depth + 1, kids, next_leaf, max_depth, out))
                .collect();
            (slots.first().copied().unwrap_or(0.0) + slots.last().copied().unwrap_or(0.0)) / 2.0
        };
        out.push((p, depth, slot));
        slot
    }
    let mut placed = Vec::new();
    for root in procs.iter().filter(|p| is_root(p)) {
        place(root, 0, &kids, &mut next_leaf, &mut max_depth, &mut placed);
    }
    // Names are drawn in the monospace face at 12 px: about 7.3 units a character.
    let longest = procs.iter().map(|p| p.name.chars().count()).max().unwrap_or(0);
    let node_w = NODE_W.max(7.3 * longest.min(40) as f64 + 12.0);
    let slot_w = node_w + GAP;
    let slots = next_leaf.max(3.0);
    let width = slot_w * slots + 8.0;
    // Centre the tree when it is narrower than three slots.
    let shift = (slots - next_leaf) * slot_w / 2.0;
    // In pid order (the model lists processes by pid).
    for p in procs {
        let Some(&(_, depth, slot)) = placed.iter().find(|q| q.0.pid == p.pid) else {
            continue;
        };
        nodes.push(Node {
            pid: p.pid,
            ppid: p.ppid,
            name: p.name.clone(),
            zombie: p.zombie.is_some(),
            status: p.zombie,
            x: 4.0 + shift + slot_w * slot + GAP / 2.0,
            y: TOP + LEVEL * depth as f64,
            lit: lit == Some(p.pid),
            lost: adopted.iter().find(|a| a.0 == p.pid).map(|a| a.1),
        });
    }
    // Room under the deepest row for the dashed line back to a lost parent.
    let lost_room = if adopted.is_empty() { 0.0 } else { 30.0 };
    let height = TOP + LEVEL * max_depth as f64 + NODE_H + 8.0 + lost_room;
    let desc = describe(&nodes);
    Tree {
        width,
        height,
        node_w,
        nodes,
        desc,
    }
}

fn describe(nodes: &[Node]) -> String {
    let mut out = Vec::new();
    for n in nodes {
        let kids: Vec<String> = nodes
            .iter()
            .filter(|c| c.ppid == n.pid && c.pid != n.pid)
            .map(|c| format!("{} (pid {}{})", c.name, c.pid, if c.zombie { ", a zombie" } else { "" }))
            .collect();
        let mut s = format!("pid {} runs {}", n.pid, n.name);
        if n.zombie {
            s = format!(
                "pid {} ({}) is a zombie: it exited with status {} and waits for pid {} to call wait()",
                n.pid,
                n.name,
                n.status.unwrap_or(0),
                n.ppid
            );
        }
        if !kids.is_empty() {
            s.push_str(&format!("; its children: {}", kids.join(", ")));
        }
        if let Some(old) = n.lost {
            s.push_str(&format!(
                "; it lost its parent, pid {old}, and was adopted by pid {}",
                n.ppid
            ));
        }
        out.push(s);
    }
    let mut d = out.join(". ");
    d.push('.');
    d
}

/// What a process box says under its name.
fn node_state(n: &Node) -> &'static str {
    if n.zombie {
        "zombie"
    } else if n.lost.is_some() {
        "adopted"
    } else {
        "running"
    }
}

/// The label a process box is read out by: its visible text first (axe:
/// label-content-name-mismatch), then its parent.
pub fn node_label(n: &Node) -> String {
    format!(
        "pid {} {} {}{}",
        n.pid,
        n.name,
        node_state(n),
        if n.ppid != 0 {
            format!(", child of pid {}", n.ppid)
        } else {
            String::new()
        }
    )
}

/// Draws the tree; with `select`, each box is a button that selects its process, and
/// `selected` is outlined as chosen.
pub fn draw(t: &Tree, select: Option<&Callback<u32>>, selected: Option<u32>) -> Html {
    let w = t.node_w;
    let find = |pid: u32| t.nodes.iter().find(|n| n.pid == pid);
    let edges: Html = t
        .nodes
        .iter()
        .filter_map(|n| {
            let p = find(n.ppid).filter(|p| p.pid != n.pid)?;
            let (x1, y1) = (p.x + w / 2.0, p.y + NODE_H);
            let (x2, y2) = (n.x + w / 2.0, n.y);
            let mid = (y1 + y2) / 2.0;
            let class = classes!((n.lit || n.lost.is_some()).then_some("d-hl"));
            Some(html! {
                <g key={format!("e{}", n.pid)} class={class}>
                    { polyline(&[(x1, y1), (x1, mid), (x2, mid), (x2, y2)], "", true) }
                </g>
            })
        })
        .collect();
    // The parent an orphan lost, while it is still on screen (a zombie): a dashed curve from
    // the bottom of one to the bottom of the other, under the boxes, labelled once per parent.
    let mut labelled: Vec<u32> = Vec::new();
    let lost: Html = t
        .nodes
        .iter()
        .filter_map(|n| {
            let old = find(n.lost?)?;
            let (x1, y1) = (old.x + w / 2.0, old.y + NODE_H);
            let (x2, y2) = (n.x + w / 2.0, n.y + NODE_H);
            let dip = y1.max(y2) + 24.0;
            let label = !labelled.contains(&old.pid);
            labelled.push(old.pid);
            Some(html! {
                <g key={format!("lost{}", n.pid)} class="d-err" data-testid={select.is_some().then(|| format!("pt-lost-{}", n.pid))}>
                    <path class="d-line" fill="none" d={format!("M{} {} Q{} {} {} {}", num(x1), num(y1), num((x1 + x2) / 2.0), num(dip), num(x2), num(y2))} />
                    if label {
                        { text(x1, dip - 2.0, "middle", "d-small", format!("lost pid {}", old.pid)) }
                    }
                </g>
            })
        })
        .collect();
    let nodes: Html = t
        .nodes
        .iter()
        .map(|n| {
            let class = classes!(
                "pt-box",
                n.lit.then_some("d-hl"),
                n.zombie.then_some("d-err"),
                (selected == Some(n.pid)).then_some("pt-selected"),
            );
            // Leading spaces: SVG drops them when drawing, but the box's text then reads
            // "pid 1 init running", as its label begins.
            let state = format!(" {}", node_state(n));
            let body = html! {
                <>
                    { rect(0.0, 0.0, w, NODE_H, "d-box") }
                    { text(w / 2.0, 15.0, "middle", "d-title", format!("pid {}", n.pid)) }
                    { text(w / 2.0, 29.0, "middle", "d-mono", format!(" {}", n.name)) }
                    { text(w / 2.0, 41.0, "middle", "d-small", state) }
                </>
            };
            let pid = n.pid;
            let on = select.map(|cb| {
                let cb = cb.clone();
                Callback::from(move |()| cb.emit(pid))
            });
            let testid = on.is_some().then(|| format!("pt-node-{pid}"));
            button((n.x, n.y), class, testid, node_label(n), Some(selected == Some(pid)), on, body)
        })
        .collect();
    html! { <>{ edges }{ lost }{ nodes }</> }
}

#[cfg(test)]
mod tests {
    use super::super::state::{Action, Op, State};
    use super::*;
    use crate::ui::Apply;

    fn tree(s: &State, lit: Option<u32>) -> Tree {
        let adopted = s
            .last
            .as_ref()
            .as_ref()
            .map(|o| o.adopted.clone())
            .unwrap_or_default();
        layout(&procs_of(s.sys.as_deref().expect("booted")), lit, &adopted)
    }

    fn fits(t: &Tree) {
        for n in &t.nodes {
            assert!(n.x >= 0.0 && n.x + t.node_w <= t.width, "{n:?} in {}", t.width);
            assert!(n.y >= 0.0 && n.y + NODE_H <= t.height, "{n:?} in {}", t.height);
            for m in &t.nodes {
                if m.pid != n.pid && (m.y - n.y).abs() < NODE_H {
                    assert!((m.x - n.x).abs() >= t.node_w, "{n:?} overlaps {m:?}");
                }
            }
        }
    }

    #[test]
    fn the_opening_tree_is_init_sh_hello_one_under_the_other() {
        let t = tree(&State::default(), None);
        fits(&t);
        let names: Vec<(u32, &str, f64)> =
            t.nodes.iter().map(|n| (n.pid, n.name.as_str(), n.y)).collect();
        assert_eq!(names.len(), 3);
        assert_eq!((names[0].0, names[0].1), (1, "init"));
        assert_eq!((names[1].0, names[1].1), (2, "sh"));
        assert_eq!((names[2].0, names[2].1), (3, "hello"));
        assert!(names[0].2 < names[1].2 && names[1].2 < names[2].2, "each under its parent");
        assert!(t.desc.contains("pid 2 runs sh; its children: hello (pid 3)"), "{}", t.desc);
    }

    #[test]
    fn a_zombie_and_an_orphan_are_drawn_as_such() {
        let mut s = State::default();
        // sh forks a second child, then sh exits: both children go to pid 1.
        for op in [Op::Fork(2), Op::Exit(2)] {
            s.apply(Action::Do(op));
            assert!(s.last.is_ok(), "{op:?}");
        }
        let t = tree(&s, Some(2));
        fits(&t);
        let sh = t.nodes.iter().find(|n| n.pid == 2).expect("sh");
        assert!(sh.zombie && sh.lit);
        for pid in [3, 4] {
            let n = t.nodes.iter().find(|n| n.pid == pid).expect("orphan");
            assert_eq!((n.ppid, n.lost), (1, Some(2)));
            assert!(n.y == sh.y, "now a child of pid 1, beside sh");
        }
        assert!(t.desc.contains("lost its parent, pid 2, and was adopted by pid 1"), "{}", t.desc);
        assert!(t.desc.contains("is a zombie"));
        // pid 1 sits over the middle of its three children.
        let init = &t.nodes[0];
        let xs: Vec<f64> = t.nodes.iter().filter(|n| n.ppid == 1).map(|n| n.x).collect();
        let mid = (xs.iter().cloned().fold(f64::MAX, f64::min) + xs.iter().cloned().fold(f64::MIN, f64::max)) / 2.0;
        assert!((init.x - mid).abs() < 0.01);
    }

    #[test]
    fn the_widest_tree_fits_its_viewbox() {
        let mut s = State::booted();
        for _ in 0..10 {
            s.apply(Action::Do(Op::Fork(1)));
        }
        let t = tree(&s, None);
        fits(&t);
        assert_eq!(t.nodes.len(), super::super::state::MAX_PROCS);
    }
}
