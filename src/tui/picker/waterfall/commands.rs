//! The keys of the "Waterfall…" form. Keys no command takes are typed into the field under
//! the cursor (or the step search), so every command is a key that does not type.

use crate::tui::command::{Command, Group, bar_cmd, code, ctrl, k};
use crossterm::event::KeyCode;
use serde::{Deserialize, Serialize};

/// Something the user asked of the waterfall form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaterfallAction {
    Up,
    Down,
    /// Changes a choice (the output's type, a step's validator).
    Change,
    /// Opens the search for a step to add (after the one under the cursor).
    AddStep,
    RemoveStep,
    /// Moves the step under the cursor one place earlier.
    StepEarlier,
    /// Moves the step under the cursor one place later.
    StepLater,
    Save,
    Back,
}

/// The form's commands.
pub static FORM: &[Command<WaterfallAction>] = &[
    bar_cmd(
        WaterfallAction::Up,
        &[code(KeyCode::Up), code(KeyCode::BackTab)],
        Group::PickerWaterfall,
        "previous field (in the step search: previous output)",
        "field",
    ),
    bar_cmd(
        WaterfallAction::Down,
        &[code(KeyCode::Down), code(KeyCode::Tab)],
        Group::PickerWaterfall,
        "next field (in the step search: next output)",
        "field",
    ),
    bar_cmd(
        WaterfallAction::Change,
        &[code(KeyCode::Left), code(KeyCode::Right), k(' ')],
        Group::PickerWaterfall,
        "on a choice (the output's type, a step's validator): change it",
        "change",
    ),
    bar_cmd(
        WaterfallAction::AddStep,
        &[ctrl('n')],
        Group::PickerWaterfall,
        "add a step: search the integrations' outputs (Enter adds it, Esc cancels)",
        "add step",
    ),
    bar_cmd(
        WaterfallAction::RemoveStep,
        &[ctrl('x')],
        Group::PickerWaterfall,
        "remove the step under the cursor",
        "remove",
    ),
    bar_cmd(
        WaterfallAction::StepEarlier,
        &[ctrl('k')],
        Group::PickerWaterfall,
        "move the step under the cursor earlier (tried sooner)",
        "earlier",
    ),
    bar_cmd(
        WaterfallAction::StepLater,
        &[ctrl('j')],
        Group::PickerWaterfall,
        "move the step under the cursor later",
        "later",
    ),
    bar_cmd(
        WaterfallAction::Save,
        &[code(KeyCode::Enter)],
        Group::PickerWaterfall,
        "save it to integrations.d/ and map its inputs (in the step search: add the step)",
        "save",
    ),
    bar_cmd(
        WaterfallAction::Back,
        &[code(KeyCode::Esc)],
        Group::PickerWaterfall,
        "back to the integrations (the form is kept; in the step search: cancel it)",
        "back",
    ),
];
