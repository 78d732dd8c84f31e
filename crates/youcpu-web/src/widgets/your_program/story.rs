//! The story list of `your-program`: the moments a filter by stage and a search leave, and a
//! count per stage for the filter buttons.

use super::state::State;
use youcpu_core::linux::narrate::Stage;

impl State {
    /// The moments the list shows (filter and search), by index.
    pub fn shown(&self) -> Vec<usize> {
        let q = self.search.to_lowercase();
        self.story
            .iter()
            .enumerate()
            .filter(|(_, m)| self.filter.is_none_or(|f| m.stage == f))
            .filter(|(_, m)| q.is_empty() || m.sentence.to_lowercase().contains(&q))
            .map(|(i, _)| i)
            .collect()
    }

    /// How many moments of each stage.
    pub fn counts(&self) -> Vec<(Stage, usize)> {
        Stage::ALL
            .iter()
            .map(|&s| (s, self.story.iter().filter(|m| m.stage == s).count()))
            .collect()
    }
}
