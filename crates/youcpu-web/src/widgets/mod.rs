//! The article's live widgets. Each has a stable root `data-widget="<id>"`, a pure reducer in
//! `state.rs` (tested natively) and a Yew view.

pub mod asm;
pub mod binfmt_misc;
pub mod demand_paging;
pub mod elf_inspector;
pub mod elf_loader;
pub mod execve;
pub mod fetch_execute;
pub mod fork_cow;
pub mod linking;
pub mod oplog;
pub mod page_walk;
pub mod preemption;
pub mod process_tree;
pub mod rings;
pub mod scheduler;
pub mod shell_fallback;
pub mod syscall;
pub mod timeslice;

use yew::prelude::*;

/// Every widget a `::: widget NAME` directive can place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WidgetKind {
    /// `asm`: assembly to machine code and back, every byte explained.
    Asm,
    /// `binfmt-misc`: a registration string checked as the kernel checks it.
    BinfmtMisc,
    /// `demand-paging`: first touches fault in zero, file and stack pages; the rest SIGSEGV.
    DemandPaging,
    /// `elf-inspector`: headers, segments, sections, memory map and hex view of an ELF file.
    ElfInspector,
    /// `elf-loader`: load_elf_binary step by step, down to the initial stack.
    ElfLoader,
    /// `execve`: Linux's execve and its binary formats, step by step.
    Execve,
    /// `fetch-execute`: a tiny program run one instruction at a time.
    FetchExecute,
    /// `fork-cow`: fork shares pages; a write faults and copies.
    ForkCow,
    /// `linking`: a static and a dynamic program side by side, and what processes share.
    Linking,
    /// `page-walk`: an x86-64 page-table walk, table by table, with a TLB.
    PageWalk,
    /// `preemption`: timer interrupts and context switches between processes on the CPU.
    Preemption,
    /// `rings`: the CPL in CS; a privileged instruction in ring 0 and in ring 3.
    Rings,
    /// `process-tree`: pid 1, a shell, a command forked, exec'd, exited and reaped.
    ProcessTree,
    /// `scheduler`: one workload under several policies, side by side.
    Scheduler,
    /// `shell-fallback`: a file through a bare execve and from two shells.
    ShellFallback,
    /// `syscall`: exit(1) through syscall and through int 0x80.
    Syscall,
    /// `timeslice`: the CFS period and slice calculator.
    Timeslice,
}

impl WidgetKind {
    /// Every widget, in no particular order.
    pub const ALL: [WidgetKind; 17] = [
        WidgetKind::Asm,
        WidgetKind::BinfmtMisc,
        WidgetKind::DemandPaging,
        WidgetKind::ElfInspector,
        WidgetKind::ElfLoader,
        WidgetKind::Execve,
        WidgetKind::FetchExecute,
        WidgetKind::ForkCow,
        WidgetKind::Linking,
        WidgetKind::PageWalk,
        WidgetKind::Preemption,
        WidgetKind::Rings,
        WidgetKind::ProcessTree,
        WidgetKind::Scheduler,
        WidgetKind::ShellFallback,
        WidgetKind::Syscall,
        WidgetKind::Timeslice,
    ];

    /// The widget whose [`id`](Self::id) this is.
    pub fn from_id(id: &str) -> Option<WidgetKind> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The widget's stable id (its `data-widget` attribute and its anchor `#widget-ID`).
    pub fn id(self) -> &'static str {
        match self {
            WidgetKind::Asm => "asm",
            WidgetKind::BinfmtMisc => "binfmt-misc",
            WidgetKind::DemandPaging => "demand-paging",
            WidgetKind::ElfInspector => "elf-inspector",
            WidgetKind::ElfLoader => "elf-loader",
            WidgetKind::Execve => "execve",
            WidgetKind::FetchExecute => "fetch-execute",
            WidgetKind::ForkCow => "fork-cow",
            WidgetKind::Linking => "linking",
            WidgetKind::PageWalk => "page-walk",
            WidgetKind::Preemption => "preemption",
            WidgetKind::Rings => "rings",
            WidgetKind::ProcessTree => "process-tree",
            WidgetKind::Scheduler => "scheduler",
            WidgetKind::ShellFallback => "shell-fallback",
            WidgetKind::Syscall => "syscall",
            WidgetKind::Timeslice => "timeslice",
        }
    }

    /// Renders the widget.
    pub fn view(self) -> Html {
        match self {
            WidgetKind::Asm => html! { <asm::AsmWidget /> },
            WidgetKind::BinfmtMisc => html! { <binfmt_misc::BinfmtMiscWidget /> },
            WidgetKind::DemandPaging => html! { <demand_paging::DemandPagingWidget /> },
            WidgetKind::ElfInspector => html! { <elf_inspector::ElfInspectorWidget /> },
            WidgetKind::ElfLoader => html! { <elf_loader::ElfLoaderWidget /> },
            WidgetKind::Execve => html! { <execve::ExecveWidget /> },
            WidgetKind::FetchExecute => html! { <fetch_execute::FetchExecuteWidget /> },
            WidgetKind::ForkCow => html! { <fork_cow::ForkCowWidget /> },
            WidgetKind::Linking => html! { <linking::LinkingWidget /> },
            WidgetKind::PageWalk => html! { <page_walk::PageWalkWidget /> },
            WidgetKind::Preemption => html! { <preemption::PreemptionWidget /> },
            WidgetKind::Rings => html! { <rings::RingsWidget /> },
            WidgetKind::ProcessTree => html! { <process_tree::ProcessTreeWidget /> },
            WidgetKind::Scheduler => html! { <scheduler::SchedulerWidget /> },
            WidgetKind::ShellFallback => html! { <shell_fallback::ShellFallbackWidget /> },
            WidgetKind::Syscall => html! { <syscall::SyscallWidget /> },
            WidgetKind::Timeslice => html! { <timeslice::TimesliceWidget /> },
        }
    }
}

/// Properties of the frame around every widget.
#[derive(Properties, PartialEq)]
pub struct FrameProps {
    /// Which widget.
    pub kind: WidgetKind,
    /// Its title, shown in the frame's header.
    pub title: AttrValue,
    /// A short line under the title.
    #[prop_or_default]
    pub subtitle: AttrValue,
    /// Called when the reader asks for the widget's defaults back.
    pub on_reset: Callback<()>,
    /// What a screen reader should announce about the widget's last step (a short sentence, or a
    /// summary while a simulation runs). `Some` gives the widget a polite live region.
    #[prop_or_default]
    pub live: Option<AttrValue>,
    /// The widget's body.
    pub children: Html,
}

/// The common frame: title, "copy link" (the current URL, with this widget's state, pointing at
/// this widget) and "reset".
#[component]
pub fn Frame(props: &FrameProps) -> Html {
    let id = props.kind.id();
    let copied = use_state(|| false);
    let on_copy = {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            crate::dom::copy_to_clipboard(&crate::dom::url_with_hash(&format!("widget-{id}")));
            copied.set(true);
        })
    };
    let on_reset = {
        let cb = props.on_reset.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            copied.set(false);
            cb.emit(());
        })
    };
    let heading_id = format!("widget-{id}-title");
    html! {
        <section class="widget" id={format!("widget-{id}")} data-widget={id} aria-labelledby={heading_id.clone()}>
            <header class="widget-head">
                <div>
                    <h4 id={heading_id}>{ props.title.clone() }</h4>
                    if !props.subtitle.is_empty() {
                        <p class="widget-sub">{ props.subtitle.clone() }</p>
                    }
                </div>
                <div class="widget-actions">
                    <button type="button" class="btn" data-testid={format!("{id}-copy-link")} onclick={on_copy}>
                        { if *copied { "Link copied" } else { "Copy link" } }
                    </button>
                    <button type="button" class="btn" data-testid={format!("{id}-reset")} onclick={on_reset}>{ "Reset" }</button>
                </div>
            </header>
            { props.children.clone() }
            if let Some(live) = &props.live {
                <p class="sr-only" role="status" aria-live="polite" data-testid={format!("{id}-live")}>{ live.clone() }</p>
            }
        </section>
    }
}
