//! The cell inspector: one enrichment cell's state, error, inputs and every call made for
//! it (attempts, request, raw response). It owns which cell it shows; its keys re-run that
//! cell through the grid's commands.

use super::action::{Action, key_label};
use super::command::{self, Command, Group, bar_cmd, code, ctrl, k};
use super::component::{Component, Context, Draw, Outcome};
use super::enrich::{CellInfo, EnrichColumn, STALE};
use super::intent::Intent;
use super::popup::popup;
use super::scroll::{SCROLL, Scroll};
use crate::cell::CellState;
use crate::providers::ErrorKind;
use crate::sanitize;
use crate::table::RowId;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use serde::{Deserialize, Serialize};

/// Something the user asked of the inspector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectorAction {
    RerunCell,
    RerunRow,
    Refresh,
    Close,
}

impl InspectorAction {
    /// The grid command it runs on the inspected cell (`None`: close).
    pub fn grid_action(self) -> Option<Action> {
        match self {
            InspectorAction::RerunCell => Some(Action::RerunCell),
            InspectorAction::RerunRow => Some(Action::RerunRow),
            InspectorAction::Refresh => Some(Action::RefreshCell),
            InspectorAction::Close => None,
        }
    }
}

/// The inspector's keys (besides scrolling); any other key closes it too.
pub static COMMANDS: &[Command<InspectorAction>] = &[
    bar_cmd(
        InspectorAction::RerunCell,
        &[k('r')],
        Group::Inspector,
        "re-run the cell",
        "re-run cell",
    ),
    // The grid's key for the same command: one key for one action everywhere.
    bar_cmd(
        InspectorAction::RerunRow,
        &[ctrl('e')],
        Group::Inspector,
        "re-run the row (all its enrichments)",
        "re-run row",
    ),
    bar_cmd(
        InspectorAction::Refresh,
        &[k('f')],
        Group::Inspector,
        "refresh: ask the provider again, not the cache (paid)",
        "refresh (paid)",
    ),
    bar_cmd(
        InspectorAction::Close,
        &[code(KeyCode::Esc)],
        Group::Inspector,
        "close (so does any other key)",
        "close",
    ),
];

/// The inspector's state: which cell, and how far its text is scrolled.
pub struct Inspector {
    /// The enrichment's id.
    pub column: u32,
    pub row: RowId,
    pub scroll: Scroll,
}

impl Inspector {
    /// An inspector on the cell of enrichment `column` in row `row`.
    pub fn new(column: u32, row: RowId) -> Inspector {
        Inspector {
            column,
            row,
            scroll: Scroll::default(),
        }
    }

    /// The cell's calls are still being read from the journal.
    pub fn is_loading(&self, ctx: &Context) -> bool {
        ctx.enrich
            .column(self.column)
            .and_then(|c| c.cells.get(&self.row))
            .is_some_and(|cell| cell.calls_in_journal)
    }
}

impl Component for Inspector {
    fn handle_key(&mut self, key: KeyEvent, _ctx: &Context) -> Outcome {
        if self.scroll.handle_key(&key) {
            return Outcome::Consumed;
        }
        match command::find(COMMANDS, &key).and_then(InspectorAction::grid_action) {
            Some(action) => Intent::Grid(action).into(),
            None => Intent::Close.into(),
        }
    }
}

impl Draw for Inspector {
    fn draw(&self, ctx: &Context, frame: &mut Frame, area: Rect) {
        let Some(column) = ctx.enrich.column(self.column) else {
            return;
        };
        let cell = column.cells.get(&self.row);
        let row = ctx.sheet.row_of(self.row);
        let rect = popup(
            area,
            area.width.saturating_sub(6),
            area.height.saturating_sub(2),
        );
        frame.render_widget(Clear, rect);
        let title = format!(
            " Inspect · {} · row {} ",
            column.integration.spec().name,
            row.map_or(0, |r| r + 1)
        );
        let row_cells = row.map(|r| ctx.sheet.row_cells(r)).unwrap_or_default();
        let changes: Vec<_> = cell
            .map(|info| column.input_changes(ctx.sheet, info, &row_cells).collect())
            .unwrap_or_default();
        let text: Vec<Line> = inspector_lines(column, cell, &changes)
            .into_iter()
            .map(|l| Line::raw(sanitize::for_display(&l).into_owned()))
            .collect();
        let bar = format!(" {} · {} ", command::bar(SCROLL), command::bar(COMMANDS));
        let block = Block::default()
            .borders(Borders::ALL)
            .title(title)
            .title_bottom(bar);
        frame.render_widget(
            Paragraph::new(text)
                .wrap(ratatui::widgets::Wrap { trim: false })
                .scroll((self.scroll.offset, 0))
                .block(block),
            rect,
        );
    }
}

/// The inspector's text for a cell, as lines.
fn inspector_lines(
    column: &EnrichColumn,
    cell: Option<&CellInfo>,
    changes: &[(&str, &str, &str)],
) -> Vec<String> {
    let spec = column.integration.spec();
    let mut lines = vec![format!(
        "integration  {} ({})",
        spec.name,
        spec.provider.name()
    )];
    let Some(cell) = cell else {
        lines.push("state        not requested".into());
        return lines;
    };
    lines.push(format!(
        "state        {} {}",
        cell.state.glyph(),
        cell.state.label()
    ));
    if let CellState::Skipped(reason) = &cell.state {
        lines.push(format!("reason       {reason}"));
    }
    if let Some(e) = &cell.error {
        lines.push(format!(
            "error        [{}] {}",
            error_kind_label(e.kind),
            e.message
        ));
    }
    if let Some(at) = cell.finished_at {
        lines.push(format!(
            "finished     {}",
            at.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    let mut spent = crate::providers::Usage::default();
    let mut paid = false;
    for usage in cell.calls.iter().filter_map(|c| c.paid()) {
        spent.add(&usage);
        paid = true;
    }
    if paid {
        lines.push(format!("spent        {}", spent.describe()));
    }
    lines.push(String::new());
    lines.push("inputs".into());
    for (k, v) in &cell.inputs {
        lines.push(format!("  {k} = {v}"));
    }
    if !changes.is_empty() {
        lines.push(format!(
            "{STALE} edited since this ran ({} re-runs the row):",
            key_label(Action::RerunRow)
        ));
        for (name, _, now) in changes {
            lines.push(format!("  {name} is now {now}"));
        }
    }
    for note in &cell.notes {
        // A note with details (a prompt, an answer) is a heading and its lines, indented.
        let mut note_lines = note.lines();
        match (note_lines.next(), note.contains('\n')) {
            (Some(title), true) => {
                lines.push(String::new());
                lines.push(title.to_string());
                lines.extend(note_lines.map(|l| format!("  {l}")));
            }
            _ => lines.push(format!("note         {note}")),
        }
    }
    if cell.calls_in_journal {
        lines.push(String::new());
        lines.push("calls        reading them from the journal…".into());
    }
    for (i, call) in cell.calls.iter().enumerate() {
        lines.push(String::new());
        let how = if call.cached {
            " (from cache: not paid)"
        } else if call.shared {
            " (shared with another column's call: not paid)"
        } else {
            ""
        };
        lines.push(format!("call {}: {}{how}", i + 1, call.tool));
        if let Some(usage) = call.usage {
            lines.push(format!("  usage      {}", usage.describe()));
        }
        for (n, a) in call.attempts.iter().enumerate() {
            lines.push(format!(
                "  attempt {}  {}  {:>5} ms  {}  {}",
                n + 1,
                a.started_at.format("%H:%M:%S%.3f"),
                a.duration_ms,
                a.status.map_or("---".to_string(), |s| s.to_string()),
                a.outcome
            ));
        }
        lines.push("  request".into());
        let request = serde_json::to_string_pretty(&call.request).unwrap_or_default();
        lines.extend(request.lines().map(|l| format!("    {l}")));
        lines.push("  response".into());
        match &call.raw_response {
            Some(raw) => {
                let pretty = serde_json::from_str::<serde_json::Value>(raw)
                    .ok()
                    .and_then(|v| serde_json::to_string_pretty(&v).ok())
                    .unwrap_or_else(|| raw.clone());
                lines.extend(pretty.lines().map(|l| format!("    {l}")));
            }
            None => lines.push("    (no response body)".into()),
        }
    }
    lines
}

fn error_kind_label(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Auth => "auth",
        ErrorKind::RateLimited => "rate limited",
        ErrorKind::Transient => "transient",
        ErrorKind::NoData => "no data",
        ErrorKind::Permanent => "permanent",
        ErrorKind::Cancelled => "cancelled",
        ErrorKind::Budget => "over budget",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::action_for;
    use crossterm::event::KeyEvent;

    #[test]
    fn its_keys_do_what_the_same_keys_do_in_the_grid() {
        for c in COMMANDS {
            let Some(action) = c.action.grid_action() else {
                continue;
            };
            for key in c.keys {
                let event = KeyEvent::new(key.code, key.mods);
                assert_eq!(action_for(&event), Some(action), "{}", key.label());
            }
        }
    }
}
