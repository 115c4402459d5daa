//! Which component has the keyboard: the grid, or one popup over it.

use super::cell_view::CellView;
use super::census::{DuplicatesPanel, FrequencyPanel};
use super::component::{Component, Draw};
use super::dialog::{Confirm, Fatal};
use super::help::Help;
use super::inspector::Inspector;
use super::picker::Picker;
use super::prompt::Prompt;
use super::runs::RunsPanel;

/// Which popup has the keyboard (`Normal`: the grid).
pub enum Mode {
    Normal,
    Prompt(Prompt),
    Help(Help),
    CellView(CellView),
    Confirm(Confirm),
    /// Adding an enrichment column.
    Picker(Box<Picker>),
    /// Looking at one enrichment cell's history.
    Inspector(Inspector),
    /// The runs panel: one line per enrichment column.
    Runs(RunsPanel),
    /// A column's frequency table.
    Frequency(FrequencyPanel),
    /// Rows that repeat a key.
    Duplicates(DuplicatesPanel),
    /// A problem that stops normal work until dismissed (e.g. the file turned out not to be UTF-8).
    Fatal(Fatal),
}

impl Mode {
    /// The popup that has the keyboard; `None` when the grid has it.
    pub fn component(&mut self) -> Option<&mut dyn Component> {
        Some(match self {
            Mode::Normal => return None,
            Mode::Prompt(c) => c,
            Mode::Help(c) => c,
            Mode::CellView(c) => c,
            Mode::Confirm(c) => c,
            Mode::Picker(c) => c.as_mut(),
            Mode::Inspector(c) => c,
            Mode::Runs(c) => c,
            Mode::Frequency(c) => c,
            Mode::Duplicates(c) => c,
            Mode::Fatal(c) => c,
        })
    }

    /// The popup drawn over the grid, if any (the prompt draws on the status line).
    pub fn popup(&self) -> Option<&dyn Draw> {
        Some(match self {
            Mode::Normal | Mode::Prompt(_) => return None,
            Mode::Help(c) => c,
            Mode::CellView(c) => c,
            Mode::Confirm(c) => c,
            Mode::Picker(c) => c.as_ref(),
            Mode::Inspector(c) => c,
            Mode::Runs(c) => c,
            Mode::Frequency(c) => c,
            Mode::Duplicates(c) => c,
            Mode::Fatal(c) => c,
        })
    }
}
