//! The state of one enrichment cell, shared by the engine, the grid, the store and `leadgrid run`.

use serde::{Deserialize, Serialize};

/// Why a cell was not attempted, and never will be unless its row changes: nothing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason", content = "detail")]
pub enum SkipReason {
    /// Required inputs were empty: `missing required columns: a, b`.
    MissingInput(String),
    /// `--skip-existing`: every output was already filled.
    AlreadyFilled,
    /// Its enrichment's run condition ("only run if", `--if`) does not hold for the row.
    Condition,
    /// It reads another enrichment's output, and that enrichment's cell in the row ended
    /// without an answer (no data, failed, skipped, cancelled, budget).
    Source(String),
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::MissingInput(msg) => f.write_str(msg),
            SkipReason::AlreadyFilled => f.write_str("outputs already filled"),
            SkipReason::Condition => f.write_str("the run condition does not hold"),
            SkipReason::Source(name) => write!(f, "{name} has no answer for this row"),
        }
    }
}

/// Life cycle of one (row, enrichment) job as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum CellState {
    /// Never requested.
    Empty,
    Queued,
    Running,
    /// Waiting to retry after a retryable failure.
    Retrying {
        attempt: u32,
        max: u32,
    },
    Done,
    /// The provider answered that it has nothing for this input: a final answer.
    NoData,
    Failed,
    /// Not attempted, by design (see [`SkipReason`]): a final answer.
    Skipped(SkipReason),
    /// Stopped before it finished: cancelled or paused by the user, interrupted, or its
    /// column stopped by an authentication failure. Unfinished: a re-run may still fill it.
    Cancelled,
    /// Not run: its next paid call would have passed the budget. Unfinished: a re-run with a
    /// bigger budget may still fill it.
    Budget,
}

impl CellState {
    /// One-character mark drawn in the grid; readable without colour.
    pub fn glyph(&self) -> &'static str {
        match self {
            CellState::Empty => " ",
            CellState::Queued => "·",
            CellState::Running => "◌",
            CellState::Retrying { .. } => "↻",
            CellState::Done => "✓",
            CellState::NoData => "∅",
            CellState::Failed => "✗",
            CellState::Skipped(_) => "–",
            CellState::Cancelled => "⊘",
            CellState::Budget => "$",
        }
    }

    /// Short lower-case label, used in the status bar, the inspector and JSON.
    pub fn label(&self) -> &'static str {
        match self {
            CellState::Empty => "empty",
            CellState::Queued => "queued",
            CellState::Running => "running",
            CellState::Retrying { .. } => "retrying",
            CellState::Done => "done",
            CellState::NoData => "no data",
            CellState::Failed => "failed",
            CellState::Skipped(_) => "skipped",
            CellState::Cancelled => "cancelled",
            CellState::Budget => "budget",
        }
    }

    /// True once the job will not change without a re-run.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            CellState::Done
                | CellState::NoData
                | CellState::Failed
                | CellState::Skipped(_)
                | CellState::Cancelled
                | CellState::Budget
        )
    }

    /// Ended without an answer, so a re-run may still fill it: failed, cancelled or stopped by
    /// the budget (what `F` re-runs).
    pub fn is_unfinished(&self) -> bool {
        matches!(
            self,
            CellState::Failed | CellState::Cancelled | CellState::Budget
        )
    }

    /// True while the engine still owns the job.
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            CellState::Queued | CellState::Running | CellState::Retrying { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_distinct_glyph() {
        let states = [
            CellState::Empty,
            CellState::Queued,
            CellState::Running,
            CellState::Retrying { attempt: 1, max: 3 },
            CellState::Done,
            CellState::NoData,
            CellState::Failed,
            CellState::Skipped(SkipReason::AlreadyFilled),
            CellState::Cancelled,
            CellState::Budget,
        ];
        let mut glyphs: Vec<_> = states.iter().map(CellState::glyph).collect();
        glyphs.sort_unstable();
        glyphs.dedup();
        assert_eq!(glyphs.len(), states.len());
    }

    #[test]
    fn final_and_pending_are_disjoint() {
        for s in [
            CellState::Queued,
            CellState::Done,
            CellState::Failed,
            CellState::Empty,
        ] {
            assert!(!(s.is_final() && s.is_pending()));
        }
    }
}
