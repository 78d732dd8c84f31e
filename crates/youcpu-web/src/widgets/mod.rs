//! The registry of the article's live widgets: one entry per widget, each in its own folder
//! (`asm/`, `timeslice/`, ...) holding `state.rs` (a pure reducer, tested natively) and its view.
//! A widget folder's `mod.rs` exports its `ID` (the `::: widget ID` directive's name, its
//! `data-widget` attribute and anchor `#widget-ID`), its component and its URL `PREFIX`.
//!
//! Adding a widget is one entry below plus its folder: `build.rs` turns a directive
//! `::: widget some-name` into the variant `SomeName`, so the entry's variant is the id in
//! CamelCase (an unknown directive does not compile); the tests below check that the article's
//! directives, the registry and the URL prefixes agree.

pub mod cpu_pic;
pub mod exec_draw;
pub mod hit;
pub mod oplog;
pub mod programs;
pub mod ring3;

use yew::prelude::*;

/// Declares the widget modules, [`WidgetKind`] and its tables from one list.
macro_rules! registry {
    ($( $(#[$doc:meta])* $variant:ident => $module:ident :: $component:ident in $family:ident, )*) => {
        $( pub mod $module; )*

        /// Every widget a `::: widget NAME` directive can place.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum WidgetKind {
            $( $(#[$doc])* $variant, )*
        }

        impl WidgetKind {
            /// Every widget, in registry order.
            pub const ALL: &'static [WidgetKind] = &[$( WidgetKind::$variant, )*];

            /// The widget's stable id (its `data-widget` attribute and its anchor `#widget-ID`).
            pub fn id(self) -> &'static str {
                match self {
                    $( WidgetKind::$variant => $module::ID, )*
                }
            }

            /// The prefix of the URL query keys the widget owns (none for a widget that keeps
            /// no state in the URL).
            pub fn url_prefix(self) -> Option<&'static str> {
                match self {
                    $( WidgetKind::$variant => $module::PREFIX, )*
                }
            }

            /// Renders the widget.
            pub fn view(self) -> Html {
                match self {
                    $( WidgetKind::$variant => html! { <$module::$component /> }, )*
                }
            }

            /// The family whose code part carries the widget (see [`Family`]).
            pub fn family(self) -> Family {
                match self {
                    $( WidgetKind::$variant => Family::$family, )*
                }
            }

            /// The widget's view function if the widget is in the family numbered `F` (or `F`
            /// is [`Family::ANY`]). Each instance names only its family's widgets, so the code
            /// of a family's entry point reaches no other family's views (`crate::split`).
            pub fn view_in<const F: u8>(self) -> Option<fn() -> Html> {
                match self {
                    $( WidgetKind::$variant if F == Family::ANY || Family::$family as u8 == F => {
                        Some(|| html! { <$module::$component /> })
                    } )*
                    _ => None,
                }
            }
        }
    };
}

registry! {
    /// `asm`: assembly to machine code and back, every byte explained.
    Asm => asm::AsmWidget in Cpu,
    /// `binfmt-misc`: a registration string checked as the kernel checks it.
    BinfmtMisc => binfmt_misc::BinfmtMiscWidget in Exec,
    /// `demand-paging`: first touches fault in zero, file and stack pages; the rest SIGSEGV.
    DemandPaging => demand_paging::DemandPagingWidget in Paging,
    /// `elf-inspector`: headers, segments, sections, memory map and hex view of an ELF file.
    ElfInspector => elf_inspector::ElfInspectorWidget in Exec,
    /// `elf-loader`: load_elf_binary step by step, down to the initial stack.
    ElfLoader => elf_loader::ElfLoaderWidget in Exec,
    /// `execve`: Linux's execve and its binary formats, step by step.
    Execve => execve::ExecveWidget in Exec,
    /// `fetch-execute`: a tiny program run one instruction at a time.
    FetchExecute => fetch_execute::FetchExecuteWidget in Cpu,
    /// `fork-cow`: fork shares pages; a write faults and copies.
    ForkCow => fork_cow::ForkCowWidget in Paging,
    /// `ld-so`: what the real dynamic loader did before main: bases, relocations, a PLT call.
    LdSo => ld_so::LdSoWidget in Exec,
    /// `linking`: a static and a dynamic program side by side, and what processes share.
    Linking => linking::LinkingWidget in Exec,
    /// `page-walk`: an x86-64 page-table walk, table by table, with a TLB.
    PageWalk => page_walk::PageWalkWidget in Paging,
    /// `preemption`: timer interrupts and context switches between processes on the CPU.
    Preemption => preemption::PreemptionWidget in Sched,
    /// `rings`: the CPL in CS; a privileged instruction in ring 0 and in ring 3.
    Rings => rings::RingsWidget in Cpu,
    /// `process-tree`: pid 1, a shell, a command forked, exec'd, exited and reaped.
    ProcessTree => process_tree::ProcessTreeWidget in Paging,
    /// `scheduler`: one workload under several policies, side by side.
    Scheduler => scheduler::SchedulerWidget in Sched,
    /// `signals`: a fault becomes a signal; the frame the kernel builds on the user stack.
    Signals => signals::SignalsWidget in Programs,
    /// `shell-fallback`: a file through a bare execve and from two shells.
    ShellFallback => shell_fallback::ShellFallbackWidget in Exec,
    /// `syscall`: exit(1) through syscall and through int 0x80.
    Syscall => syscall::SyscallWidget in Cpu,
    /// `timeslice`: the CFS period and slice calculator.
    Timeslice => timeslice::TimesliceWidget in Sched,
    /// `your-program`: any x86-64 Linux program run, and its story told event by event.
    YourProgram => your_program::YourProgramWidget in Programs,
}

/// The families the widgets' code is split into: one wasm part each, fetched when the first
/// of its widgets is mounted (`crate::split`; docs/performance.md, "Session 9").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Family {
    /// The processor and the assembler: asm, fetch-execute, rings, syscall.
    Cpu,
    /// Timer interrupts and schedulers: preemption, scheduler, timeslice.
    Sched,
    /// execve and ELF: execve, binfmt-misc, shell-fallback, elf-inspector, elf-loader, linking, ld-so.
    Exec,
    /// Paging and processes: page-walk, demand-paging, fork-cow, process-tree.
    Paging,
    /// Whole programs run: your-program, signals.
    Programs,
}

impl Family {
    /// Every family.
    pub const ALL: &'static [Family] = &[
        Family::Cpu,
        Family::Sched,
        Family::Exec,
        Family::Paging,
        Family::Programs,
    ];
    /// For [`WidgetKind::view_in`]: any family.
    pub const ANY: u8 = u8::MAX;
}

impl WidgetKind {
    /// The widget whose [`id`](Self::id) this is.
    pub fn from_id(id: &str) -> Option<WidgetKind> {
        Self::ALL.iter().copied().find(|k| k.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every `::: widget NAME` directive in `web/article/*.md`.
    fn directives() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/article");
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("web/article") {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_some_and(|x| x == "md") {
                let text = std::fs::read_to_string(&path).expect("readable Markdown");
                for line in text.lines() {
                    if let Some(rest) = line.strip_prefix("::: widget ") {
                        names.push(rest.trim().to_string());
                    }
                }
            }
        }
        names
    }

    /// `some-name` as build.rs spells its variant: `SomeName`.
    fn camel(id: &str) -> String {
        id.split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn the_article_places_every_registered_widget_and_no_other() {
        let placed: BTreeSet<String> = directives().into_iter().collect();
        let registered: BTreeSet<String> =
            WidgetKind::ALL.iter().map(|k| k.id().to_string()).collect();
        assert_eq!(placed, registered);
        assert_eq!(registered.len(), WidgetKind::ALL.len(), "ids are unique");
        for k in WidgetKind::ALL {
            assert_eq!(WidgetKind::from_id(k.id()), Some(*k));
            assert_eq!(
                camel(k.id()),
                format!("{k:?}"),
                "build.rs names the variant from the id"
            );
        }
    }

    #[test]
    fn each_family_part_views_its_own_widgets_and_no_other() {
        for &k in WidgetKind::ALL {
            assert!(k.view_in::<{ Family::ANY }>().is_some(), "{k:?}");
            let views = [
                k.view_in::<{ Family::Cpu as u8 }>().is_some(),
                k.view_in::<{ Family::Sched as u8 }>().is_some(),
                k.view_in::<{ Family::Exec as u8 }>().is_some(),
                k.view_in::<{ Family::Paging as u8 }>().is_some(),
                k.view_in::<{ Family::Programs as u8 }>().is_some(),
            ];
            let expected: Vec<bool> = Family::ALL.iter().map(|&f| f == k.family()).collect();
            assert_eq!(views.to_vec(), expected, "{k:?}");
        }
        // Every family has a widget (an empty part would be fetched for nothing).
        for f in Family::ALL {
            assert!(WidgetKind::ALL.iter().any(|k| k.family() == *f), "{f:?}");
        }
    }

    #[test]
    fn url_prefixes_are_unique_and_none_starts_another() {
        let prefixes: Vec<&str> = WidgetKind::ALL
            .iter()
            .filter_map(|k| k.url_prefix())
            .collect();
        for (i, a) in prefixes.iter().enumerate() {
            assert!(a.ends_with('-') && a.len() > 1, "{a}");
            for (j, b) in prefixes.iter().enumerate() {
                assert!(
                    i == j || !b.starts_with(a),
                    "{b} starts with {a}: both widgets would own its keys"
                );
            }
        }
    }
}
