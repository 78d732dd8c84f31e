//! The article, compiled from `web/article/*.md` by `build.rs`.

/// One piece of a part's body.
#[derive(Debug)]
pub enum Block {
    /// Prose, already rendered to HTML at build time from our own Markdown.
    Html(&'static str),
    /// A live widget.
    Widget(crate::widgets::WidgetKind),
}

/// One part of the article.
#[derive(Debug)]
pub struct Part {
    /// 1-based position.
    pub number: usize,
    /// Stable anchor (`#basics`, `#timeslicing`, ...).
    pub id: &'static str,
    /// Heading text.
    pub title: &'static str,
    /// A one-paragraph summary (HTML), shown as the part's lead.
    pub summary: &'static str,
    /// Words in the body (0 for a part not yet written beyond its summary).
    pub words: usize,
    /// Body, in order.
    pub blocks: &'static [Block],
    /// (anchor, title) of each subsection.
    pub subsections: &'static [(&'static str, &'static str)],
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
    fn the_timeslice_widget_is_placed_in_part_two() {
        let part = &PARTS[1];
        assert!(part
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Widget(crate::widgets::WidgetKind::Timeslice))));
        assert!(part
            .subsections
            .iter()
            .any(|(id, _)| id.starts_with("timeslicing-")));
    }
}
