//! What components ask of the app. A component changes only its own state; anything
//! beyond it (an edit of the sheet, jobs for the engine, a save, another popup) it returns
//! as an [`Intent`], which `App` carries out.

use super::action::Action;
use super::enrich::NewEnrichment;
use super::message::Message;
use super::scope::{RowScopes, Scope};
use crate::integrations::user::definition::Definition;
use crate::integrations::user::project::ProjectState;
use crate::integrations::{Fields, Integration};
use crate::table::RowId;
use std::sync::Arc;

/// What the bottom-line prompt is asking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    GoToRow,
    Search,
    Filter,
    Edit {
        row: usize,
        col: usize,
    },
    InsertColumn {
        at: usize,
    },
    RenameColumn {
        col: usize,
    },
    /// A formula column: `name = expression`, for the formula at `col` (edited) or a new one
    /// right of it.
    Formula {
        col: Option<usize>,
    },
    SaveAs,
    /// The budget of enrichment `ci`, in dollars.
    Budget {
        ci: usize,
    },
    /// The run condition ("only run if") of enrichment `ci`; empty for every row.
    Condition {
        ci: usize,
    },
}

impl PromptKind {
    /// The label before the input.
    pub fn label(&self) -> &'static str {
        match self {
            PromptKind::GoToRow => "go to row: ",
            PromptKind::Search => "/",
            PromptKind::Filter => "filter (text, or e.g. followers > 1000 and title ~ 'ceo'): ",
            PromptKind::Edit { .. } => "edit: ",
            PromptKind::InsertColumn { .. } => "new column name: ",
            PromptKind::RenameColumn { .. } => "rename column to: ",
            PromptKind::Formula { .. } => "formula (name = expression): ",
            PromptKind::SaveAs => "save as: ",
            PromptKind::Budget { .. } => "budget for the column's calls, in $: ",
            PromptKind::Condition { .. } => "only run if (empty: every row): ",
        }
    }

    /// Whether its answer changes the sheet or the file (so it waits for a running save).
    pub fn edits(&self) -> bool {
        matches!(
            self,
            PromptKind::Edit { .. }
                | PromptKind::InsertColumn { .. }
                | PromptKind::RenameColumn { .. }
                | PromptKind::Formula { .. }
                | PromptKind::SaveAs
        )
    }
}

/// A yes/no question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmKind {
    /// Quit with unsaved changes: save first, discard, or stay.
    QuitUnsaved,
    /// Quit while enrichment jobs are still queued or running.
    QuitRunning,
    /// Cancel every queued and running enrichment job.
    CancelRun,
    /// Cancel the queued and running jobs of enrichment column `ci`.
    CancelColumn { ci: usize },
    /// Pay again for `rows` of enrichment column `ci` (bypassing the cache).
    Refresh { ci: usize, rows: Vec<usize> },
    /// Undo (or redo, `undo` false) would take out enrichment `ci` while it runs.
    UndoRunning { ci: usize, undo: bool },
    /// Undo or redo brought enrichment `ci` back with unfinished cells: continue them?
    ContinueUnfinished { ci: usize },
    /// The file changed on disk since it was read or saved: overwrite it, save as, or cancel.
    ChangedOnDisk { path: std::path::PathBuf },
    /// Use the integrations of the project file beside the sheet (`leadgrid.toml`).
    TrustProject(Box<ProjectState>),
}

/// A popup to open over the grid.
#[derive(Debug, Clone)]
pub enum Popup {
    /// The bottom-line prompt, with its initial text.
    Prompt(PromptKind, String),
    Help,
    /// The cell under the cursor, whole.
    CellView,
    /// The integration picker, over the grid's row sets.
    Picker(RowScopes),
    /// The runs panel, with enrichment `selected` highlighted.
    Runs {
        selected: usize,
    },
    Confirm(ConfirmKind),
}

/// A request from a component to the app.
pub enum Intent {
    /// Show a message in the status bar.
    Notify(Message),
    Open(Popup),
    /// Close the popup that has the keyboard.
    Close,
    /// Open the inspector on one enrichment cell.
    Inspect {
        column: u32,
        row: RowId,
    },
    /// Put text on the terminal's clipboard.
    Copy(String),
    /// The prompt's answer.
    Submit(PromptKind, String),
    InsertRow(usize),
    DeleteRows(Vec<usize>),
    /// Delete these rows, wherever they are now, as one undo step.
    DeleteRowIds(Vec<RowId>),
    /// Count the values of sheet column `col` (the frequency table).
    CountValues(usize),
    /// Find rows that repeat a key: in the default key column, or the cursor's.
    FindDuplicates {
        by_cursor: bool,
    },
    /// Show only these rows (sorted positions); `label` says which in the status bar.
    ShowRows {
        rows: Vec<u32>,
        label: String,
    },
    DeleteColumn(usize),
    Undo,
    Redo,
    Save,
    /// Quit, asking first when jobs run or changes are unsaved.
    Quit,
    /// Close the popup and run a grid command (e.g. re-run from the inspector).
    Grid(Action),
    AddEnrichment {
        enrichment: Box<NewEnrichment>,
        scope: Scope,
    },
    /// Run a not yet saved integration on one row (sheet position `row`), for the picker.
    DryRun {
        integration: Arc<dyn Integration>,
        row: usize,
        inputs: Fields,
    },
    /// Save an integration file into `integrations.d/` (in the background) and reload them.
    SaveIntegration(Box<Definition>),
    /// Queue `rows` again for each enrichment in `columns`.
    Rerun {
        columns: Vec<usize>,
        rows: Vec<usize>,
    },
    /// Ask the provider again, not the cache, for `rows` of enrichment `ci`.
    Refresh {
        ci: usize,
        rows: Vec<usize>,
    },
    RerunColumn {
        ci: usize,
        unfinished_only: bool,
    },
    RerunUnfinished,
    TogglePause(usize),
    RemoveEnrichment(usize),
    /// The user said yes to a question.
    Confirmed(ConfirmKind),
    /// The user said no (or Esc) to a question.
    Declined(ConfirmKind),
    /// Quit now, without saving.
    QuitNow,
}
