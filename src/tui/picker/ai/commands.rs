//! The keys of the "AI column…" form. Keys no command takes are typed into the field under
//! the cursor, so every command is a key that does not type: arrows, Tab, Enter, Esc, Ctrl.

use crate::tui::command::{Command, Group, bar_cmd, code, ctrl, k};
use crossterm::event::KeyCode;
use serde::{Deserialize, Serialize};

/// Something the user asked of the AI column form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AiAction {
    Up,
    Down,
    /// Completes the column name being typed in the prompt, else moves down.
    Complete,
    /// Changes a choice (type, research, protocol); typing on a text field.
    Change,
    AddOutput,
    RemoveOutput,
    DryRun,
    Save,
    Back,
}

/// The form's commands.
pub static FORM: &[Command<AiAction>] = &[
    bar_cmd(
        AiAction::Up,
        &[code(KeyCode::Up), code(KeyCode::BackTab)],
        Group::PickerAi,
        "previous field",
        "field",
    ),
    bar_cmd(
        AiAction::Down,
        &[code(KeyCode::Down)],
        Group::PickerAi,
        "next field",
        "field",
    ),
    bar_cmd(
        AiAction::Complete,
        &[code(KeyCode::Tab)],
        Group::PickerAi,
        "in the prompt: complete the {{column}} being typed; elsewhere: next field",
        "complete",
    ),
    bar_cmd(
        AiAction::Change,
        &[code(KeyCode::Left), code(KeyCode::Right), k(' ')],
        Group::PickerAi,
        "on a choice (type, research, protocol): change it",
        "change",
    ),
    bar_cmd(
        AiAction::AddOutput,
        &[ctrl('n')],
        Group::PickerAi,
        "add an output column",
        "add",
    ),
    bar_cmd(
        AiAction::RemoveOutput,
        &[ctrl('x')],
        Group::PickerAi,
        "remove the output under the cursor",
        "remove",
    ),
    bar_cmd(
        AiAction::DryRun,
        &[ctrl('r')],
        Group::PickerAi,
        "dry run on the row under the grid's cursor: prompt, answer, parsed fields",
        "dry run",
    ),
    bar_cmd(
        AiAction::Save,
        &[code(KeyCode::Enter)],
        Group::PickerAi,
        "save it to integrations.d/ and choose its rows",
        "save",
    ),
    bar_cmd(
        AiAction::Back,
        &[code(KeyCode::Esc)],
        Group::PickerAi,
        "back to the integrations (the form is kept)",
        "back",
    ),
];
