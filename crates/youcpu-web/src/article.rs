//! The article, compiled from `web/article/*.md` by `build.rs`.

/// One piece of a part's body.
#[derive(Debug)]
pub enum Block {
    /// Prose, already rendered to HTML at build time from our own Markdown.
    Html(&'static str),
    /// A live widget.
    Widget(crate::widgets::WidgetKind),
    /// A figure, drawn at build time (see [`crate::figures`]).
    Figure {
        /// Which.
        kind: crate::figures::FigureKind,
        /// Its number in the whole article, from 1.
        number: usize,
        /// Its caption (inline HTML from our Markdown).
        caption: &'static str,
    },
}

/// One part of the article: what the table of contents needs. The text itself is in
/// [`BODIES`], a separate table, so that the browser's wasm (which never renders the prose:
/// the page arrives with it prerendered) leaves it out.
#[derive(Debug)]
pub struct Part {
    /// 1-based position.
    pub number: usize,
    /// Stable anchor (`#basics`, `#timeslicing`, ...).
    pub id: &'static str,
    /// Heading text.
    pub title: &'static str,
    /// Words in the body (0 for a part not yet written beyond its summary).
    pub words: usize,
    /// (anchor, title) of each subsection.
    pub subsections: &'static [(&'static str, &'static str)],
}

/// The text of one part.
#[derive(Debug)]
pub struct PartBody {
    /// A one-paragraph summary (HTML), shown as the part's lead.
    pub summary: &'static str,
    /// Body, in order.
    pub blocks: &'static [Block],
}

impl Part {
    /// This part's text (from [`BODIES`]).
    pub fn body(&self) -> &'static PartBody {
        &BODIES[self.number - 1]
    }
}

include!(concat!(env!("OUT_DIR"), "/article.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_have_the_stable_anchors_in_order() {
        let ids: Vec<&str> = PARTS.iter().map(|p| p.id).collect();
        assert_eq!(
            ids,
            [
                "basics",
                "timeslicing",
                "exec",
                "elf",
                "paging",
                "fork",
                "epilogue"
            ]
        );
    }

    #[test]
    fn every_part_has_its_body() {
        assert_eq!(BODIES.len(), PARTS.len());
        for p in PARTS {
            assert!(!p.body().summary.is_empty(), "{}", p.id);
            assert!(!p.body().blocks.is_empty(), "{}", p.id);
        }
    }

    #[test]
    fn the_timeslice_widget_is_placed_in_part_two() {
        let part = &PARTS[1];
        assert!(part
            .body()
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Widget(crate::widgets::WidgetKind::Timeslice))));
        assert!(part
            .subsections
            .iter()
            .any(|(id, _)| id.starts_with("timeslicing-")));
    }
}
