//! Drawing the grid: header, row numbers and cells, enrichment cells with their state.

use super::Grid;
use crate::cell::CellState;
use crate::sanitize;
use crate::tui::component::{Context, Draw};
use crate::tui::text::clip;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

const HEADER: Style = Style::new().add_modifier(Modifier::BOLD);
const GUTTER: Style = Style::new().fg(Color::DarkGray);
/// A row that repeats another's key (after `U`).
const DUPLICATE: Style = Style::new().fg(Color::Yellow);
const SELECTED: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::Cyan)
    .add_modifier(Modifier::BOLD);

/// Colour of a cell in a state; the glyph carries the meaning without colour.
pub fn state_style(state: &CellState) -> Style {
    match state {
        CellState::Empty | CellState::Done => Style::new(),
        CellState::Queued => Style::new().fg(Color::DarkGray),
        CellState::Running => Style::new().fg(Color::Cyan),
        CellState::Retrying { .. } => Style::new().fg(Color::Yellow),
        CellState::NoData => Style::new().fg(Color::Magenta),
        CellState::Failed => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        CellState::Skipped(_) => Style::new()
            .fg(Color::DarkGray)
            .add_modifier(Modifier::ITALIC),
        CellState::Cancelled => Style::new().fg(Color::Yellow),
        CellState::Budget => Style::new().fg(Color::LightYellow),
    }
}

impl Draw for Grid {
    fn draw(&self, ctx: &Context, frame: &mut Frame, area: Rect) {
        let (sheet, enrich) = (ctx.sheet, ctx.enrich);
        let buf = frame.buffer_mut();
        let placed = self.placed_columns(sheet);
        let gutter = self.gutter_width(sheet);
        let current_col = self.cursor_col;
        let enrich_cols: Vec<Option<(usize, usize)>> = (0..sheet.columns().len())
            .map(|c| enrich.at_column(sheet, c))
            .collect();
        // Header line.
        buf.set_stringn(
            0,
            0,
            format!("{:>w$}", "#", w = usize::from(gutter - 1)),
            usize::from(gutter),
            GUTTER,
        );
        for p in &placed {
            let column = &sheet.columns()[p.col];
            let mut title = sanitize::for_display(&column.display).into_owned();
            if enrich_cols[p.col].is_some() {
                title.insert(0, '✦');
            } else if ctx.formulas.at_column(sheet, p.col).is_some() {
                title.insert(0, 'ƒ');
            }
            if let Some(sort) = self
                .view
                .sort
                .filter(|s| Some(p.col) == sheet.column_index(s.col))
            {
                title.push(if sort.descending { '▼' } else { '▲' });
            }
            let style = if p.visible_index == current_col {
                HEADER.add_modifier(Modifier::UNDERLINED)
            } else {
                HEADER
            };
            buf.set_stringn(
                p.x,
                0,
                clip(&title, usize::from(p.width)),
                usize::from(p.width),
                style,
            );
        }
        // Data rows.
        let height = self
            .body_height()
            .min(usize::from(area.height.saturating_sub(1)));
        for line in 0..height {
            let view_row = self.top + line;
            let Some(row) = self.row_at(sheet, view_row) else {
                break;
            };
            let y = (line + 1) as u16;
            let number = format!("{:>w$}", row + 1, w = usize::from(gutter - 1));
            if self.selection.has_row(sheet, row) {
                // The mark sits in the separator column, so selection reads without colour too.
                buf.set_stringn(0, y, number, usize::from(gutter - 1), SELECTED);
                buf.set_stringn(gutter - 1, y, "•", 1, SELECTED);
            } else if self.is_duplicate(sheet, row) {
                buf.set_stringn(0, y, number, usize::from(gutter - 1), DUPLICATE);
                buf.set_stringn(gutter - 1, y, "≡", 1, DUPLICATE);
            } else {
                buf.set_stringn(0, y, number, usize::from(gutter - 1), GUTTER);
            }
            let cells = sheet.row_cells(row);
            for p in &placed {
                let text = cells.get(p.col).map(String::as_str).unwrap_or("");
                let (shown, base_style) = match enrich_cols[p.col] {
                    Some((ci, _)) => {
                        let (text, state) = enrich.cell_text(sheet, ci, row, &cells, text);
                        (
                            sanitize::for_display(&text).into_owned(),
                            state_style(&state),
                        )
                    }
                    None => (sanitize::for_display(text).into_owned(), Style::new()),
                };
                let style = if view_row == self.cursor_row && p.visible_index == current_col {
                    base_style.add_modifier(Modifier::REVERSED)
                } else if self.search.is_hit(row, p.col) {
                    Style::new().fg(Color::Black).bg(Color::Yellow)
                } else {
                    base_style
                };
                buf.set_style(Rect::new(p.x, y, p.width, 1), style);
                buf.set_stringn(
                    p.x,
                    y,
                    clip(&shown, usize::from(p.width)),
                    usize::from(p.width),
                    style,
                );
            }
        }
    }
}
