//! The frequency table of one column (`#`): each value with its count, share and a bar,
//! most frequent first; `Enter` shows only the rows holding the value. For an enrichment's
//! column it also gives the fill rate (done / no data / failed / not run).

use super::{Counted, share};
use crate::census::Frequency;
use crate::sanitize;
use crate::table::ColumnId;
use crate::tui::command::{self, Command, Group, bar_cmd, code, k};
use crate::tui::component::{Component, Context, Draw, Outcome};
use crate::tui::intent::Intent;
use crate::tui::popup::{DIM, PROBLEM, SELECTED, TITLE, centered};
use crate::tui::text::clip;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table};
use serde::{Deserialize, Serialize};

/// Something the user asked of the frequency table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrequencyAction {
    Up,
    Down,
    PageUp,
    PageDown,
    Show,
    Close,
}

/// The frequency table's keys.
pub static COMMANDS: &[Command<FrequencyAction>] = &[
    bar_cmd(
        FrequencyAction::Up,
        &[code(KeyCode::Up), k('k')],
        Group::Census,
        "previous value",
        "select",
    ),
    bar_cmd(
        FrequencyAction::Down,
        &[code(KeyCode::Down), k('j')],
        Group::Census,
        "next value",
        "select",
    ),
    bar_cmd(
        FrequencyAction::PageUp,
        &[code(KeyCode::PageUp)],
        Group::Census,
        "a page of values up",
        "page",
    ),
    bar_cmd(
        FrequencyAction::PageDown,
        &[code(KeyCode::PageDown)],
        Group::Census,
        "a page of values down",
        "page",
    ),
    bar_cmd(
        FrequencyAction::Show,
        &[code(KeyCode::Enter)],
        Group::Census,
        "show only the rows with this value (Esc in the grid shows all again)",
        "filter to value",
    ),
    bar_cmd(
        FrequencyAction::Close,
        &[code(KeyCode::Esc), k('q')],
        Group::Census,
        "close",
        "close",
    ),
];

/// Lines the table shows at once (it pages beyond).
const PAGE: usize = 20;

/// The frequency table of one column, while it is counted and once it is.
pub struct FrequencyPanel {
    /// The count it waits for.
    pub id: u64,
    pub column: ColumnId,
    /// The column's name when it was opened.
    pub name: String,
    table: Option<Frequency>,
    problem: Option<String>,
    selected: usize,
}

impl FrequencyPanel {
    /// A panel waiting for count `id` of `column`.
    pub fn new(id: u64, column: ColumnId, name: String) -> FrequencyPanel {
        FrequencyPanel {
            id,
            column,
            name,
            table: None,
            problem: None,
            selected: 0,
        }
    }

    /// Takes the count it waits for.
    pub fn counted(&mut self, counted: Counted) {
        match counted {
            Counted::Frequency { id, table } if id == self.id => self.table = Some(table),
            Counted::Failed { id, why } if id == self.id => self.problem = Some(why),
            _ => {}
        }
    }

    /// Whether the count has arrived (or failed).
    pub fn is_counted(&self) -> bool {
        self.table.is_some() || self.problem.is_some()
    }

    /// Lines of the table: the values, then the empty cells when there are any.
    fn entries(&self) -> usize {
        self.table
            .as_ref()
            .map_or(0, |t| t.values.len() + usize::from(t.empty > 0))
    }

    /// The rows of entry `i` and what the status bar calls them.
    fn rows_of(&self, i: usize) -> Option<(Vec<u32>, String)> {
        let table = self.table.as_ref()?;
        let name = sanitize::for_display(&self.name).into_owned();
        let (mut rows, label) = match table.values.get(i) {
            Some(tally) => (
                tally.rows.clone(),
                format!(
                    "{name} = \"{}\"",
                    sanitize::for_display(&clip(&tally.value, 40))
                ),
            ),
            None if table.empty > 0 => (table.empty_rows.clone(), format!("{name} is empty")),
            None => return None,
        };
        rows.sort_unstable();
        Some((rows, label))
    }
}

impl Component for FrequencyPanel {
    fn handle_key(&mut self, key: KeyEvent, _ctx: &Context) -> Outcome {
        let last = self.entries().saturating_sub(1);
        match command::find(COMMANDS, &key) {
            Some(FrequencyAction::Up) => self.selected = self.selected.saturating_sub(1),
            Some(FrequencyAction::Down) => self.selected = (self.selected + 1).min(last),
            Some(FrequencyAction::PageUp) => self.selected = self.selected.saturating_sub(PAGE),
            Some(FrequencyAction::PageDown) => self.selected = (self.selected + PAGE).min(last),
            Some(FrequencyAction::Show) => {
                if let Some((rows, label)) = self.rows_of(self.selected) {
                    return Intent::ShowRows { rows, label }.into();
                }
            }
            Some(FrequencyAction::Close) => return Intent::Close.into(),
            None => {}
        }
        Outcome::Consumed
    }
}

impl Draw for FrequencyPanel {
    fn draw(&self, ctx: &Context, frame: &mut Frame, area: Rect) {
        // Sized to the table: a short one does not cover the grid for nothing.
        let lines = self.entries().clamp(1, PAGE) as u16;
        let rect = centered(area, 90, lines + 7);
        frame.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" Values of {} ", sanitize::for_display(&self.name)))
            .title_bottom(format!(" {} ", command::bar(COMMANDS)));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let mut head = Vec::new();
        if let Some(fill) = fill_line(ctx, self.column) {
            head.push(fill);
        }
        let Some(table) = &self.table else {
            head.push(match &self.problem {
                Some(why) => Line::styled(sanitize::for_display(why).into_owned(), PROBLEM),
                None => Line::styled("counting…", DIM),
            });
            frame.render_widget(Paragraph::new(head), inner);
            return;
        };
        head.push(Line::raw(format!(
            "{} rows · {} distinct values · {} empty",
            table.total,
            table.values.len(),
            share(table.empty, table.total)
        )));
        let head_height = head.len() as u16 + 1;
        frame.render_widget(Paragraph::new(head), inner);
        let body = Rect {
            y: inner.y + head_height,
            height: inner.height.saturating_sub(head_height),
            ..inner
        };
        let room = usize::from(body.height.saturating_sub(1)).max(1);
        let first = self.selected.saturating_sub(room - 1);
        let most = table.values.first().map_or(1, |t| t.count).max(1);
        let bar_width = 20usize;
        let line = |value: String, count: usize| {
            let filled = (count * bar_width).div_ceil(most).min(bar_width);
            vec![
                value,
                count.to_string(),
                format!("{:.1}%", table.percent(count)),
                "█".repeat(filled),
            ]
        };
        let rows: Vec<Row> = table
            .values
            .iter()
            .map(|t| line(sanitize::for_display(&t.value).into_owned(), t.count))
            .chain((table.empty > 0).then(|| line("(empty)".to_string(), table.empty)))
            .enumerate()
            .skip(first)
            .take(room)
            .map(|(i, cells)| {
                let row = Row::new(cells);
                if i == self.selected {
                    row.style(SELECTED)
                } else {
                    row
                }
            })
            .collect();
        let widths = [
            Constraint::Min(20),
            Constraint::Length(9),
            Constraint::Length(7),
            Constraint::Length(bar_width as u16),
        ];
        let header = Row::new(["value", "count", "%", ""]).style(TITLE);
        frame.render_widget(Table::new(rows, widths).header(header), body);
    }
}

/// For a column an enrichment fills: how many of its cells are done, have no data, failed,
/// and have not run (skipped, cancelled, still to run or never planned).
fn fill_line(ctx: &Context, column: ColumnId) -> Option<Line<'static>> {
    let col = ctx.sheet.column_index(column)?;
    let (ci, _) = ctx.enrich.at_column(ctx.sheet, col)?;
    let c = ctx.enrich.columns.get(ci)?;
    let n = c.counts;
    let rows = ctx.sheet.row_count();
    let settled = n.done + n.no_data + n.failed;
    Some(Line::raw(format!(
        "fill: done {} · no data {} · failed {} · not run {}",
        share(n.done, rows),
        share(n.no_data, rows),
        share(n.failed, rows),
        share(rows.saturating_sub(settled), rows)
    )))
}
