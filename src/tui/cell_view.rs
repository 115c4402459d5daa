//! One cell shown whole, wrapped and scrollable (for long values).

use super::command;
use super::component::{Component, Context, Draw, Outcome};
use super::intent::Intent;
use super::popup::centered;
use super::scroll::{SCROLL, Scroll};
use super::text::text_width;
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
    /// A box sized to the value: a short one gets a small box, a long one the screen, wrapped
    /// and scrollable.
    fn draw(&self, ctx: &Context, frame: &mut Frame, area: Rect) {
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
        let shown = sanitize::for_display_multiline(&text).into_owned();
        let max = (area.width.saturating_sub(8), area.height.saturating_sub(4));
        let inner_w = usize::from(max.0.saturating_sub(2)).max(1);
        let longest = shown.lines().map(text_width).max().unwrap_or(0);
        // Lines once wrapped at the widest box (a close upper bound).
        let lines: usize = shown
            .lines()
            .map(|l| text_width(l).div_ceil(inner_w).max(1))
            .sum::<usize>()
            .max(1);
        let fits = lines <= usize::from(max.1.saturating_sub(2));
        let bar = if fits {
            " any key closes ".to_string()
        } else {
            format!(" {} · any other key closes ", command::bar(SCROLL))
        };
        let width = longest.max(text_width(&title)).max(text_width(&bar)) + 2;
        let height = lines + 2;
        let rect = centered(
            area,
            u16::try_from(width).unwrap_or(u16::MAX).min(max.0),
            u16::try_from(height).unwrap_or(u16::MAX).min(max.1),
        );
        frame.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(title)
            .title_bottom(bar);
        frame.render_widget(
            Paragraph::new(shown)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll.offset, 0))
                .block(block),
            rect,
        );
    }
}
