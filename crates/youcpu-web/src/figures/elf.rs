//! Part 4's figures: a real small ELF file (the article's static hello-world with a BSS, written
//! by the project's own assembler and ELF writer) laid out by the core's loader, drawn with the
//! ELF loader widget's drawing code (fs/binfmt_elf.c `load_elf_binary`, `create_elf_tables`).

use crate::ui::{Apply, Diagram};
use crate::widgets::elf_loader::diagram::{file_map, stack, MapView, W};
use crate::widgets::elf_loader::state::{Action, State};
use crate::widgets::exec_draw::Canvas;
use yew::prelude::*;

/// The loader widget on example `i`, every step shown.
fn loaded(i: usize, argv: Option<&str>) -> State {
    let mut s = State::default();
    s.apply(Action::Example(i));
    if let Some(a) = argv {
        s.apply(Action::Argv(a.into()));
    }
    s.apply(Action::End);
    s
}

/// The hello-world with a BSS: its bytes, and where its two PT_LOADs and the stack land.
pub fn elf_mapping() -> Html {
    let s = loaded(1, None);
    let mut c = Canvas::new();
    let (y, desc) = match &s.map {
        Some(m) => file_map(
            &mut c,
            4.0,
            m,
            &MapView {
                lit: None,
                mapped: m.loads.len(),
            },
        ),
        None => (4.0, "The example did not load.".to_string()),
    };
    html! {
        <Diagram id={super::diagram_id("elf-mapping")} title="A small static program: its file, and where the kernel maps it"
            desc={desc} width={W as u32} height={(y + 4.0).ceil() as u32} max_width={Some(560)}>
            { c.html() }
        </Diagram>
    }
}

/// The initial stack of `./hello world`, from the top down, with its pointers.
pub fn initial_stack() -> Html {
    let s = loaded(0, Some("./hello\nworld"));
    let entries: Vec<_> = s.steps.iter().filter_map(|st| st.entry.clone()).collect();
    let mut c = Canvas::new();
    let sp = s.info.as_ref().map_or(0, |i| i.stack.sp);
    let (y, desc) = stack(&mut c, 4.0, &entries, entries.len(), sp);
    html! {
        <Diagram id={super::diagram_id("initial-stack")} title="The stack a new program starts with: ./hello world"
            desc={desc} width={W as u32} height={(y + 4.0).ceil() as u32} max_width={Some(520)}>
            { c.html() }
        </Diagram>
    }
}
