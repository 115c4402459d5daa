//! One cell shown whole, wrapped and scrollable (for long values).

use super::command;
use super::component::{Component, Context, Draw, Outcome};
use super::intent::Intent;
use super::popup::centered;
use super::scroll::{SCROLL, Scroll};
use crate::sanitize;
use crate::table::{ColumnId, RowId};
use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Which cell is shown, and how far it is scrolled.
pub struct CellView {
    pub row: RowId,
    pub col: ColumnId,
    pub scroll: Scroll,
}

impl CellView {
    /// Shows the cell of row `row` in column `col`.
    pub fn new(row: RowId, col: ColumnId) -> CellView {
        CellView {
            row,
            col,
            scroll: Scroll::default(),
        }
    }
}

impl Component for CellView {
    fn handle_key(&mut self, key: KeyEvent, _ctx: &Context) -> Outcome {
        if self.scroll.handle_key(&key) {
            Outcome::Consumed
        } else {
            Intent::Close.into()
        }
    }

    fn handle_mouse(&mut self, event: MouseEvent, _ctx: &Context) -> Outcome {
        if self.scroll.handle_mouse(&event) {
            Outcome::Consumed
        } else {
            Outcome::Ignored
        }
    }
}

impl Draw for CellView {
    fn draw(&self, ctx: &Context, frame: &mut Frame, area: Rect) {
        let rect = centered(
            area,
            area.width.saturating_sub(8),
            area.height.saturating_sub(4),
        );
        frame.render_widget(Clear, rect);
        let row = ctx.sheet.row_of(self.row);
        let col = ctx.sheet.column_index(self.col);
        let title = col
            .and_then(|c| ctx.sheet.columns().get(c))
            .map(|c| {
                format!(
                    " {} · row {} ",
                    sanitize::for_display(&c.display),
                    row.map_or(0, |r| r + 1)
                )
            })
            .unwrap_or_default();
        let text = row
            .zip(col)
            .map(|(r, c)| ctx.sheet.cell(r, c))
            .unwrap_or_default();
        let block = Block::default()
            .borders(Borders::ALL)
            .title(title)
            .title_bottom(format!(" {} · any other key closes ", command::bar(SCROLL)));
        frame.render_widget(
            Paragraph::new(sanitize::for_display_multiline(&text).into_owned())
                .wrap(Wrap { trim: false })
                .scroll((self.scroll.offset, 0))
                .block(block),
            rect,
        );
    }
}
