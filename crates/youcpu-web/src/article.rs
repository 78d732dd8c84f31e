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
                "your-program",
                "epilogue"
            ]
        );
    }

    /// Every section the "your program" story links an event to is a heading of the article.
    #[test]
    fn the_story_links_only_to_sections_the_article_has() {
        let ids: Vec<&str> = PARTS
            .iter()
            .flat_map(|p| p.subsections.iter().map(|(id, _)| *id))
            .collect();
        for a in youcpu_core::linux::narrate::ANCHORS {
            assert!(
                ids.contains(&a),
                "#{a} is no section of the article: {ids:?}"
            );
        }
    }

    #[test]
    fn every_part_has_its_body() {
        assert_eq!(BODIES.len(), PARTS.len());
        for p in PARTS {
            assert!(!p.body().summary.is_empty(), "{}", p.id);
            assert!(!p.body().blocks.is_empty(), "{}", p.id);
        }
    }

    /// Every glossary term is defined once (`<dfn id="term-…">`) and linked from its first use
    /// in the prose, before the glossary; no term link points anywhere else.
    #[test]
    fn every_glossary_term_is_linked_from_its_first_use() {
        let html: String = BODIES
            .iter()
            .flat_map(|b| b.blocks.iter())
            .filter_map(|b| match b {
                Block::Html(h) => Some(*h),
                _ => None,
            })
            .collect();
        let ids: Vec<&str> = html
            .split("<dfn id=\"")
            .skip(1)
            .filter_map(|r| r.split('"').next())
            .collect();
        assert!(ids.len() >= 30, "{} glossary terms", ids.len());
        let glossary_at = html.find("<dfn id=").expect("a glossary");
        let links: Vec<(usize, &str)> = html
            .match_indices("class=\"term\" href=\"#")
            .filter_map(|(at, m)| html[at + m.len()..].split('"').next().map(|id| (at, id)))
            .collect();
        for id in &ids {
            assert!(id.starts_with("term-"), "{id}");
            let uses: Vec<usize> = links
                .iter()
                .filter(|(_, l)| l == id)
                .map(|(a, _)| *a)
                .collect();
            assert_eq!(uses.len(), 1, "{id}: linked {} times", uses.len());
            assert!(uses[0] < glossary_at, "{id}: first used after the glossary");
        }
        for (_, l) in &links {
            assert!(
                ids.contains(l),
                "a term link to #{l}, which the glossary lacks"
            );
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
