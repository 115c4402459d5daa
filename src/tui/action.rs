//! Every command the grid understands, with its keys and help text, in one table.
//!
//! The table drives key dispatch and the help overlay alike, so the key shown in help
//! is always the key bound. Popups have their own tables, beside their code.

use super::command::{self, Command, Group, cmd, code, ctrl, k};
use crossterm::event::{KeyCode, KeyEvent};
use serde::{Deserialize, Serialize};

/// Something the user asked for. `App::update` is the only place it takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    MoveUp,
    MoveDown,
    MoveLeft,
    MoveRight,
    PageUp,
    PageDown,
    FirstColumn,
    LastColumn,
    Top,
    Bottom,
    GoToRow,
    Search,
    SearchNext,
    SearchPrev,
    Filter,
    ClearView,
    SortAsc,
    SortDesc,
    HideColumn,
    ShowColumns,
    PinColumn,
    NarrowColumn,
    WidenColumn,
    FitColumn,
    Frequency,
    Duplicates,
    NextDuplicate,
    PrevDuplicate,
    ViewCell,
    CopyCell,
    EditCell,
    InsertRowBelow,
    InsertRowAbove,
    DeleteRow,
    InsertColumn,
    Formula,
    DeleteColumn,
    RenameColumn,
    Undo,
    Redo,
    Save,
    SaveAs,
    SelectRow,
    SelectView,
    AddEnrichment,
    Inspect,
    NextFailed,
    PrevFailed,
    FailedOnly,
    RerunCell,
    RefreshCell,
    RerunRow,
    RerunColumn,
    RerunUnfinished,
    CancelRun,
    Runs,
    Help,
    Quit,
}

/// The command table: dispatch and help both read it.
pub static COMMANDS: &[Command<Action>] = &[
    cmd(
        Action::MoveUp,
        &[code(KeyCode::Up), k('k')],
        Group::Move,
        "up one row",
    ),
    cmd(
        Action::MoveDown,
        &[code(KeyCode::Down), k('j')],
        Group::Move,
        "down one row",
    ),
    cmd(
        Action::MoveLeft,
        &[code(KeyCode::Left), k('h')],
        Group::Move,
        "left one column",
    ),
    cmd(
        Action::MoveRight,
        &[code(KeyCode::Right), k('l')],
        Group::Move,
        "right one column",
    ),
    cmd(
        Action::PageUp,
        &[code(KeyCode::PageUp), ctrl('b')],
        Group::Move,
        "up one page",
    ),
    cmd(
        Action::PageDown,
        &[code(KeyCode::PageDown), ctrl('f')],
        Group::Move,
        "down one page",
    ),
    cmd(
        Action::FirstColumn,
        &[code(KeyCode::Home), k('0')],
        Group::Move,
        "first column",
    ),
    cmd(
        Action::LastColumn,
        &[code(KeyCode::End), k('$')],
        Group::Move,
        "last column",
    ),
    cmd(Action::Top, &[k('g')], Group::Move, "first row"),
    cmd(Action::Bottom, &[k('G')], Group::Move, "last row"),
    cmd(Action::GoToRow, &[k(':')], Group::Move, "go to row number"),
    cmd(Action::Search, &[k('/')], Group::View, "search all cells"),
    cmd(Action::SearchNext, &[k('n')], Group::View, "next match"),
    cmd(Action::SearchPrev, &[k('N')], Group::View, "previous match"),
    cmd(
        Action::Filter,
        &[k('|')],
        Group::View,
        "filter rows by text or `column op value`",
    ),
    cmd(
        Action::ClearView,
        &[code(KeyCode::Esc)],
        Group::View,
        "clear selection, then filter, sort and search",
    ),
    cmd(
        Action::SortAsc,
        &[k('s')],
        Group::View,
        "sort by column, ascending",
    ),
    cmd(
        Action::SortDesc,
        &[k('S')],
        Group::View,
        "sort by column, descending",
    ),
    cmd(Action::HideColumn, &[k('-')], Group::View, "hide column"),
    cmd(
        Action::ShowColumns,
        &[k('_')],
        Group::View,
        "show hidden columns",
    ),
    cmd(
        Action::Frequency,
        &[k('#')],
        Group::View,
        "frequency table of the column: each value's count and share; Enter filters to it",
    ),
    cmd(
        Action::Duplicates,
        &[k('U')],
        Group::View,
        "find rows that repeat a person (by LinkedIn URL, else email; or any column)",
    ),
    cmd(
        Action::NextDuplicate,
        &[k('}')],
        Group::View,
        "next duplicate row (after U)",
    ),
    cmd(
        Action::PrevDuplicate,
        &[k('{')],
        Group::View,
        "previous duplicate row",
    ),
    cmd(
        Action::PinColumn,
        &[k('P')],
        Group::View,
        "pin / unpin the column at the left (the first starts pinned)",
    ),
    cmd(
        Action::NarrowColumn,
        &[k('<')],
        Group::View,
        "narrow column",
    ),
    cmd(Action::WidenColumn, &[k('>')], Group::View, "widen column"),
    cmd(
        Action::FitColumn,
        &[k('w')],
        Group::View,
        "fit column width to content",
    ),
    cmd(
        Action::ViewCell,
        &[code(KeyCode::Enter), k('v')],
        Group::View,
        "show the whole cell",
    ),
    cmd(
        Action::CopyCell,
        &[k('y')],
        Group::View,
        "copy cell to the clipboard",
    ),
    cmd(
        Action::EditCell,
        &[k('e'), code(KeyCode::F(2))],
        Group::Edit,
        "edit cell",
    ),
    cmd(
        Action::InsertRowBelow,
        &[k('o')],
        Group::Edit,
        "insert row below",
    ),
    cmd(
        Action::InsertRowAbove,
        &[k('O')],
        Group::Edit,
        "insert row above",
    ),
    cmd(
        Action::DeleteRow,
        &[k('D')],
        Group::Edit,
        "delete row (or the selected rows)",
    ),
    cmd(
        Action::InsertColumn,
        &[k('c')],
        Group::Edit,
        "insert column right",
    ),
    cmd(
        Action::Formula,
        &[k('=')],
        Group::Edit,
        "formula column: add one (name = expression), or edit the one under the cursor",
    ),
    cmd(
        Action::DeleteColumn,
        &[k('X')],
        Group::Edit,
        "delete column",
    ),
    cmd(
        Action::RenameColumn,
        &[k('R')],
        Group::Edit,
        "rename column",
    ),
    cmd(Action::Undo, &[k('u'), ctrl('z')], Group::Edit, "undo"),
    cmd(Action::Redo, &[ctrl('r'), ctrl('y')], Group::Edit, "redo"),
    cmd(
        Action::SelectRow,
        &[k(' ')],
        Group::Enrich,
        "select / unselect row (and move down)",
    ),
    cmd(
        Action::SelectView,
        &[k('V'), ctrl('a')],
        Group::Enrich,
        "select every row in the view (again: none)",
    ),
    cmd(
        Action::AddEnrichment,
        &[k('a'), k('+')],
        Group::Enrich,
        "add enrichment column",
    ),
    cmd(
        Action::Inspect,
        &[k('i')],
        Group::Enrich,
        "inspect enrichment cell",
    ),
    cmd(
        Action::NextFailed,
        &[k(']')],
        Group::Enrich,
        "next failed cell",
    ),
    cmd(
        Action::PrevFailed,
        &[k('[')],
        Group::Enrich,
        "previous failed cell",
    ),
    cmd(
        Action::FailedOnly,
        &[k('!')],
        Group::Enrich,
        "show only rows with failures",
    ),
    cmd(Action::RerunCell, &[k('r')], Group::Enrich, "re-run cell"),
    cmd(
        Action::RefreshCell,
        &[k('f')],
        Group::Enrich,
        "refresh cell: ask the provider again, not the cache (paid)",
    ),
    cmd(
        Action::RerunRow,
        &[ctrl('e')],
        Group::Enrich,
        "re-run row (all its enrichments)",
    ),
    cmd(
        Action::RerunColumn,
        &[k('x')],
        Group::Enrich,
        "re-run column",
    ),
    cmd(
        Action::RerunUnfinished,
        &[k('F')],
        Group::Enrich,
        "re-run every unfinished cell (failed or cancelled)",
    ),
    cmd(
        Action::CancelRun,
        &[ctrl('x')],
        Group::Enrich,
        "cancel run (asks)",
    ),
    cmd(
        Action::Runs,
        &[k('t')],
        Group::Enrich,
        "runs panel: columns, counts, pause/cancel",
    ),
    cmd(Action::Save, &[ctrl('s')], Group::App, "save"),
    cmd(Action::SaveAs, &[k('W')], Group::App, "save as…"),
    cmd(
        Action::Help,
        &[k('?'), code(KeyCode::F(1))],
        Group::App,
        "this help",
    ),
    cmd(
        Action::Quit,
        &[k('q'), ctrl('c')],
        Group::App,
        "quit (asks when unsaved)",
    ),
];

/// The action bound to a key in the grid, if any.
pub fn action_for(ev: &KeyEvent) -> Option<Action> {
    command::find(COMMANDS, ev)
}

/// The first key bound to an action, as shown to the user (e.g. in hints).
pub fn key_label(action: Action) -> String {
    command::first_key(COMMANDS, action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    #[test]
    fn no_key_is_bound_twice() {
        let mut seen: Vec<(KeyCode, KeyModifiers)> = Vec::new();
        for c in COMMANDS {
            for key in c.keys {
                let id = (key.code, key.mods);
                assert!(!seen.contains(&id), "{} bound twice", key.label());
                seen.push(id);
            }
        }
    }

    #[test]
    fn every_action_has_a_key() {
        for c in COMMANDS {
            assert!(!c.keys.is_empty(), "{:?} has no key", c.action);
        }
    }

    #[test]
    fn uppercase_and_ctrl_match() {
        let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(action_for(&shift_g), Some(Action::Bottom));
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&ctrl_s), Some(Action::Save));
        let plain_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE);
        assert_eq!(action_for(&plain_s), Some(Action::SortAsc));
    }

    #[test]
    fn labels_read_naturally() {
        assert_eq!(key_label(Action::Save), "Ctrl-s");
        assert_eq!(key_label(Action::PageDown), "PgDn");
    }
}
