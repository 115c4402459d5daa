//! Rows that repeat a person (`U`): grouped by a key column (the LinkedIn profile URL,
//! else the email, by default; any column on request), keys compared normalised. The grid
//! marks the duplicates and `}`/`{` step through them; `D` deletes all but the first of each
//! group as one undo step.

use super::{Counted, share};
use crate::census::DuplicateGroup;
use crate::sanitize;
use crate::table::{ColumnId, RowId};
use crate::tui::command::{self, Command, Group, bar_cmd, code, k};
use crate::tui::component::{Component, Context, Draw, Outcome};
use crate::tui::intent::Intent;
use crate::tui::message::Message;
use crate::tui::popup::{DIM, PROBLEM, SELECTED, TITLE, centered};
use crate::tui::text::count;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Something the user asked of the duplicates panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatesAction {
    Up,
    Down,
    Show,
    ShowAll,
    KeyByCursor,
    DeleteExtra,
    Close,
}

/// The duplicates panel's keys.
pub static COMMANDS: &[Command<DuplicatesAction>] = &[
    bar_cmd(
        DuplicatesAction::Up,
        &[code(KeyCode::Up), k('k')],
        Group::Census,
        "previous group",
        "select",
    ),
    bar_cmd(
        DuplicatesAction::Down,
        &[code(KeyCode::Down), k('j')],
        Group::Census,
        "next group",
        "select",
    ),
    bar_cmd(
        DuplicatesAction::Show,
        &[code(KeyCode::Enter)],
        Group::Census,
        "show only this group's rows",
        "show group",
    ),
    bar_cmd(
        DuplicatesAction::ShowAll,
        &[k('a')],
        Group::Census,
        "show only the rows of every group",
        "show all",
    ),
    bar_cmd(
        DuplicatesAction::KeyByCursor,
        &[k('c')],
        Group::Census,
        "group by the column under the grid's cursor instead",
        "key: cursor column",
    ),
    bar_cmd(
        DuplicatesAction::DeleteExtra,
        &[k('D')],
        Group::Census,
        "delete all but the first row of each group (one undo step)",
        "delete extras",
    ),
    bar_cmd(
        DuplicatesAction::Close,
        &[code(KeyCode::Esc), k('q')],
        Group::Census,
        "close (the grid keeps the duplicates marked: } and { step through them)",
        "close",
    ),
];

/// The groups found, as positions (for showing) and ids (for marking and deleting).
struct Found {
    groups: Vec<DuplicateGroup>,
    ids: Vec<Vec<RowId>>,
}

/// The duplicates of one key column, while they are found and once they are.
pub struct DuplicatesPanel {
    /// The count it waits for.
    pub id: u64,
    pub column: ColumnId,
    name: String,
    found: Option<Found>,
    problem: Option<String>,
    selected: usize,
}

impl DuplicatesPanel {
    /// A panel waiting for count `id` of key column `column`.
    pub fn new(id: u64, column: ColumnId, name: String) -> DuplicatesPanel {
        DuplicatesPanel {
            id,
            column,
            name,
            found: None,
            problem: None,
            selected: 0,
        }
    }

    /// Takes the count it waits for; returns the rows the grid should mark.
    pub fn counted(&mut self, counted: Counted) -> Option<HashSet<RowId>> {
        match counted {
            Counted::Duplicates { id, groups, ids } if id == self.id => {
                let marked = ids.iter().flatten().copied().collect();
                self.found = Some(Found { groups, ids });
                Some(marked)
            }
            Counted::Failed { id, why } if id == self.id => {
                self.problem = Some(why);
                None
            }
            _ => None,
        }
    }

    /// Whether the groups have arrived (or the count failed).
    pub fn is_counted(&self) -> bool {
        self.found.is_some() || self.problem.is_some()
    }

    fn groups(&self) -> &[DuplicateGroup] {
        self.found.as_ref().map_or(&[], |f| &f.groups)
    }

    /// Rows to show: one group's, or every group's.
    fn show(&self, group: Option<usize>) -> Outcome {
        let groups = self.groups();
        let (mut rows, label): (Vec<u32>, String) = match group {
            Some(g) => match groups.get(g) {
                Some(group) => (
                    group.rows.iter().map(|&r| r as u32).collect(),
                    format!("duplicates of \"{}\"", sanitize::for_display(&group.key)),
                ),
                None => return Outcome::Consumed,
            },
            None if groups.is_empty() => return Outcome::Consumed,
            None => (
                groups
                    .iter()
                    .flat_map(|g| g.rows.iter().map(|&r| r as u32))
                    .collect(),
                format!("duplicate {}", sanitize::for_display(&self.name)),
            ),
        };
        rows.sort_unstable();
        Intent::ShowRows { rows, label }.into()
    }

    /// Every row of every group but the first.
    fn extras(&self) -> Vec<RowId> {
        self.found.as_ref().map_or_else(Vec::new, |f| {
            f.ids
                .iter()
                .flat_map(|ids| ids.iter().skip(1).copied())
                .collect()
        })
    }
}

impl Component for DuplicatesPanel {
    fn handle_key(&mut self, key: KeyEvent, _ctx: &Context) -> Outcome {
        let last = self.groups().len().saturating_sub(1);
        match command::find(COMMANDS, &key) {
            Some(DuplicatesAction::Up) => self.selected = self.selected.saturating_sub(1),
            Some(DuplicatesAction::Down) => self.selected = (self.selected + 1).min(last),
            Some(DuplicatesAction::Show) => return self.show(Some(self.selected)),
            Some(DuplicatesAction::ShowAll) => return self.show(None),
            Some(DuplicatesAction::KeyByCursor) => {
                return Intent::FindDuplicates { by_cursor: true }.into();
            }
            Some(DuplicatesAction::DeleteExtra) => {
                let extras = self.extras();
                if extras.is_empty() {
                    return Intent::Notify(Message::info("no duplicates to delete")).into();
                }
                return Intent::DeleteRowIds(extras).into();
            }
            Some(DuplicatesAction::Close) => return Intent::Close.into(),
            None => {}
        }
        Outcome::Consumed
    }
}

impl Draw for DuplicatesPanel {
    fn draw(&self, ctx: &Context, frame: &mut Frame, area: Rect) {
        let groups = self.groups().len().clamp(1, 20) as u16;
        let rect = centered(area, 100, groups + 6);
        frame.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(
                " Duplicates by {} ",
                sanitize::for_display(&self.name)
            ))
            .title_bottom(format!(" {} ", command::bar(COMMANDS)));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let Some(found) = &self.found else {
            let line = match &self.problem {
                Some(why) => Line::styled(sanitize::for_display(why).into_owned(), PROBLEM),
                None => Line::styled("looking for rows that repeat a key…", DIM),
            };
            frame.render_widget(Paragraph::new(line), inner);
            return;
        };
        let extra: usize = found.groups.iter().map(|g| g.rows.len() - 1).sum();
        let summary = if found.groups.is_empty() {
            format!(
                "no duplicates: every non-empty {} is unique",
                sanitize::for_display(&self.name)
            )
        } else {
            format!(
                "{} in {}: {} would go (keeping the first of each)",
                count(extra + found.groups.len(), "row"),
                count(found.groups.len(), "group"),
                share(extra, ctx.sheet.row_count())
            )
        };
        frame.render_widget(Paragraph::new(Line::raw(summary)), inner);
        let body = Rect {
            y: inner.y + 2,
            height: inner.height.saturating_sub(2),
            ..inner
        };
        let room = usize::from(body.height.saturating_sub(1)).max(1);
        let first = self.selected.saturating_sub(room - 1);
        let rows: Vec<Row> = found
            .groups
            .iter()
            .enumerate()
            .skip(first)
            .take(room)
            .map(|(i, g)| {
                let at: Vec<String> = g.rows.iter().take(8).map(|r| (r + 1).to_string()).collect();
                let more = if g.rows.len() > 8 { ", …" } else { "" };
                let row = Row::new(vec![
                    sanitize::for_display(&g.key).into_owned(),
                    g.rows.len().to_string(),
                    format!("{}{more}", at.join(", ")),
                ]);
                if i == self.selected {
                    row.style(SELECTED)
                } else {
                    row
                }
            })
            .collect();
        let widths = [
            Constraint::Min(30),
            Constraint::Length(6),
            Constraint::Length(40),
        ];
        let header = Row::new(["key", "rows", "at rows"]).style(TITLE);
        frame.render_widget(Table::new(rows, widths).header(header), body);
    }
}
