//! The picker's keys: one table per step. Keys no table binds are typed (the search query,
//! a value for all rows).

use crate::tui::command::{Command, Group, bar_cmd, code, ctrl, k};
use crossterm::event::KeyCode;
use serde::{Deserialize, Serialize};

/// Something the user asked of the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickerAction {
    Up,
    Down,
    PreviousColumn,
    NextColumn,
    Constant,
    Toggle,
    More,
    Fewer,
    Next,
    Back,
    Close,
    Edit,
    Condition,
    Budget,
}

/// Step 1: choosing an integration.
pub static SEARCH: &[Command<PickerAction>] = &[
    bar_cmd(
        PickerAction::Up,
        &[code(KeyCode::Up), ctrl('p')],
        Group::PickerSearch,
        "previous integration",
        "select",
    ),
    bar_cmd(
        PickerAction::Down,
        &[code(KeyCode::Down), ctrl('n')],
        Group::PickerSearch,
        "next integration",
        "select",
    ),
    bar_cmd(
        PickerAction::Next,
        &[code(KeyCode::Enter)],
        Group::PickerSearch,
        "choose it: map its inputs (on \"AI column…\" or \"Waterfall…\": build your own)",
        "next",
    ),
    bar_cmd(
        PickerAction::Edit,
        &[ctrl('e')],
        Group::PickerSearch,
        "edit an AI column or a waterfall (saved as your version in integrations.d/)",
        "edit",
    ),
    bar_cmd(
        PickerAction::Close,
        &[code(KeyCode::Esc)],
        Group::PickerSearch,
        "close the picker",
        "close",
    ),
];

/// Step 2: mapping each input to a column or a value.
pub static MAP: &[Command<PickerAction>] = &[
    bar_cmd(
        PickerAction::Up,
        &[code(KeyCode::Up), k('k'), code(KeyCode::BackTab)],
        Group::PickerMap,
        "previous input",
        "input",
    ),
    bar_cmd(
        PickerAction::Down,
        &[code(KeyCode::Down), k('j'), code(KeyCode::Tab)],
        Group::PickerMap,
        "next input",
        "input",
    ),
    bar_cmd(
        PickerAction::PreviousColumn,
        &[code(KeyCode::Left), k('h')],
        Group::PickerMap,
        "read the input from the previous column (or none)",
        "column",
    ),
    bar_cmd(
        PickerAction::NextColumn,
        &[code(KeyCode::Right), k('l')],
        Group::PickerMap,
        "read the input from the next column (or none)",
        "column",
    ),
    bar_cmd(
        PickerAction::Constant,
        &[k('c')],
        Group::PickerMap,
        "type one value for all rows (Enter sets it, Esc cancels)",
        "one value for all rows",
    ),
    bar_cmd(
        PickerAction::Next,
        &[code(KeyCode::Enter)],
        Group::PickerMap,
        "choose outputs and rows",
        "next",
    ),
    bar_cmd(
        PickerAction::Back,
        &[code(KeyCode::Esc), code(KeyCode::Backspace)],
        Group::PickerMap,
        "back to the integrations",
        "back",
    ),
];

/// Step 3: choosing outputs and rows, then running.
pub static OUTPUTS: &[Command<PickerAction>] = &[
    bar_cmd(
        PickerAction::Up,
        &[code(KeyCode::Up), k('k'), code(KeyCode::BackTab)],
        Group::PickerOutputs,
        "up",
        "move",
    ),
    bar_cmd(
        PickerAction::Down,
        &[code(KeyCode::Down), k('j'), code(KeyCode::Tab)],
        Group::PickerOutputs,
        "down",
        "move",
    ),
    bar_cmd(
        PickerAction::Toggle,
        &[k(' ')],
        Group::PickerOutputs,
        "toggle an output; on the rows line, cycle which rows run",
        "toggle/cycle",
    ),
    bar_cmd(
        PickerAction::More,
        &[k('+'), code(KeyCode::Right)],
        Group::PickerOutputs,
        "first N rows: ten times more",
        "N",
    ),
    bar_cmd(
        PickerAction::Fewer,
        &[k('-'), code(KeyCode::Left)],
        Group::PickerOutputs,
        "first N rows: ten times fewer",
        "N",
    ),
    bar_cmd(
        PickerAction::Condition,
        &[k('i')],
        Group::PickerOutputs,
        "only run if: an expression rows must meet (the others are skipped, unpaid)",
        "only if",
    ),
    bar_cmd(
        PickerAction::Budget,
        &[k('b'), k('$')],
        Group::PickerOutputs,
        "set a budget in dollars: no call starts that would pass it (Enter sets, empty for none)",
        "budget",
    ),
    bar_cmd(
        PickerAction::Next,
        &[code(KeyCode::Enter)],
        Group::PickerOutputs,
        "add the columns and run",
        "run",
    ),
    bar_cmd(
        PickerAction::Back,
        &[code(KeyCode::Esc), code(KeyCode::Backspace)],
        Group::PickerOutputs,
        "back to the input mapping",
        "back",
    ),
];
