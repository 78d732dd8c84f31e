//! The article's figures: static pictures placed in the prose by a line
//! `::: figure NAME Caption, in Markdown.` and drawn at build time by the prerenderer from the
//! same drawing code and the same simulator as the widgets, so they are true, and readable
//! without JavaScript (and in print). The browser's wasm never renders them: the page arrives
//! with them, like the prose.
//!
//! Each figure is a function returning a [`crate::ui::Diagram`] (whose `<title>` and `<desc>`
//! are its text alternative); the caption comes from the Markdown. Adding a figure is one entry
//! below plus its function in the family's module; `build.rs` turns `::: figure some-name` into
//! the variant `SomeName`, so an unknown figure does not compile.

use yew::prelude::*;

mod cpu;
mod elf;
mod exec;
mod paging;
mod processes;
mod signals;

/// Declares [`FigureKind`] and its tables from one list.
macro_rules! figures {
    ($( $(#[$doc:meta])* $variant:ident => $id:literal, $view:path, )*) => {
        /// Every figure a `::: figure NAME` directive can place.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum FigureKind {
            $( $(#[$doc])* $variant, )*
        }

        impl FigureKind {
            /// Every figure, in registry order.
            pub const ALL: &'static [FigureKind] = &[$( FigureKind::$variant, )*];

            /// The figure's id (its anchor is `#figure-ID`).
            pub fn id(self) -> &'static str {
                match self {
                    $( FigureKind::$variant => $id, )*
                }
            }

            /// Draws the figure (a [`crate::ui::Diagram`]).
            pub fn view(self) -> Html {
                match self {
                    $( FigureKind::$variant => $view(), )*
                }
            }
        }
    };
}

figures! {
    /// Part 5: a virtual address cut into its four table indices and the page offset.
    VirtualAddress => "virtual-address", paging::virtual_address,
    /// Part 2: one workload under FIFO and STCF, from the scheduler simulator.
    SchedPolicies => "sched-policies", processes::sched_policies,
    /// Part 2: the CFS period split by weight, from the timeslice calculation.
    CfsPeriod => "cfs-period", processes::cfs_period,
    /// Part 6: fork, before and after a write, from the memory model.
    ForkWrite => "fork-write", processes::fork_write,
    /// Part 6: the frame Linux builds on the user stack for a SIGSEGV handler.
    SignalFrame => "signal-frame", signals::signal_frame,
    /// Part 6: from process 1 to a command at a text-console login, grown by the model.
    BootTree => "boot-tree", processes::boot_tree,
    /// Part 5: one address walked from CR3 through the four tables to its frame, with the TLB.
    PageWalk => "page-walk", paging::page_walk,
    /// Part 5: an address space before and after its first touches: pages and their frames.
    DemandPaging => "demand-paging", paging::demand_paging,
    /// Epilogue: the memory hierarchy under a running process, and its pages on frames.
    ProcessMemory => "process-memory", paging::process_memory,
    /// Part 3: execve of a script, handler by handler, argv rewritten.
    ExecveChain => "execve-chain", exec::execve_chain,
    /// Part 3: the 256-byte buffer with the `#!` line's fields marked.
    ShebangBuffer => "shebang-buffer", exec::shebang_buffer,
    /// Part 4: a small ELF file's bytes and where its segments land in memory.
    ElfMapping => "elf-mapping", elf::elf_mapping,
    /// Part 4: the initial stack, argc to the strings, with its pointers.
    InitialStack => "initial-stack", elf::initial_stack,
    /// Part 1: an instruction cut into its fields (`add ebx, 512`).
    InstructionFields => "instruction-fields", cpu::instruction_fields,
    /// Part 1: one instruction fetched, decoded and executed.
    InstructionJourney => "instruction-journey", cpu::instruction_journey,
    /// Part 1: getpid and exit through `syscall`, as a sequence diagram.
    SyscallPath => "syscall-path", cpu::syscall_path,
    /// Part 2: a timer tick's frame on the kernel stack.
    TimerTick => "timer-tick", cpu::timer_tick,
    /// Part 2: a context switch popping the next task's frame.
    ContextSwitch => "context-switch", cpu::context_switch,
    /// Epilogue: the whole journey of a program, ring by ring.
    WholeJourney => "whole-journey", cpu::whole_journey,
}

/// The id every figure's diagram carries (`figure-NAME-svg`).
pub fn diagram_id(name: &str) -> String {
    format!("figure-{name}-svg")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every `::: figure NAME` directive in `web/article/*.md`, with its part's file name.
    fn directives() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/article");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("web/article") {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_some_and(|x| x == "md") {
                let text = std::fs::read_to_string(&path).expect("readable Markdown");
                let file = path.file_name().map(|f| f.to_string_lossy().into_owned());
                for line in text.lines() {
                    if let Some(rest) = line.strip_prefix("::: figure ") {
                        let name = rest.split_whitespace().next().unwrap_or_default();
                        out.push((file.clone().unwrap_or_default(), name.to_string()));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn the_article_places_every_registered_figure_once_and_no_other() {
        let placed: Vec<String> = directives().into_iter().map(|(_, n)| n).collect();
        let set: BTreeSet<String> = placed.iter().cloned().collect();
        assert_eq!(
            set.len(),
            placed.len(),
            "a figure is placed once: {placed:?}"
        );
        let registered: BTreeSet<String> =
            FigureKind::ALL.iter().map(|k| k.id().to_string()).collect();
        assert_eq!(set, registered);
    }

    #[test]
    fn every_part_has_at_least_two_figures() {
        let mut per_part: std::collections::BTreeMap<String, usize> = Default::default();
        for (file, _) in directives() {
            *per_part.entry(file).or_default() += 1;
        }
        assert_eq!(per_part.len(), 7, "figures in every part: {per_part:?}");
        for (file, n) in per_part {
            assert!(n >= 2, "{file} has {n} figure(s)");
        }
    }

    /// Renders a figure to HTML the way the prerenderer does.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn render(kind: FigureKind) -> String {
        #[component]
        fn One(props: &OneProps) -> Html {
            props.kind.view()
        }
        #[derive(Properties, PartialEq)]
        struct OneProps {
            kind: FigureKind,
        }
        futures::executor::block_on(
            yew::ServerRenderer::<One>::with_props(move || OneProps { kind }).render(),
        )
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn every_figure_is_a_titled_described_svg_with_its_id() {
        for &k in FigureKind::ALL {
            let html = render(k);
            assert!(html.contains("role=\"img\""), "{}: {html}", k.id());
            assert!(
                html.contains(&format!("data-testid=\"{}\"", diagram_id(k.id()))),
                "{}",
                k.id()
            );
            let title = html
                .split("<title")
                .nth(1)
                .and_then(|t| t.split_once('>'))
                .map(|(_, r)| r);
            assert!(
                title.is_some_and(|t| !t.starts_with("</title>")),
                "{}: no title",
                k.id()
            );
            let desc = html
                .split("<desc")
                .nth(1)
                .and_then(|t| t.split_once('>'))
                .map(|(_, r)| r);
            assert!(
                desc.is_some_and(|d| d.find("</desc>").is_some_and(|end| end > 40)),
                "{}: the description should say the picture in words",
                k.id()
            );
        }
    }
}
