//! What popups share: where they sit on screen, their styles, and a plain message box.

use crate::sanitize;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub const TITLE: Style = Style::new().add_modifier(Modifier::BOLD);
pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
pub const DIM: Style = Style::new().fg(Color::DarkGray);
pub const PROBLEM: Style = Style::new().fg(Color::Red);

/// A `width`×`height` rectangle centred in `area`, at least one cell each way.
pub fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(1);
    let h = height.min(area.height.saturating_sub(2)).max(1);
    Rect::new(
        (area.width.saturating_sub(w)) / 2,
        (area.height.saturating_sub(h)) / 2,
        w,
        h,
    )
}

/// A `width`×`height` rectangle centred in `area`, at least 10×3 when the screen allows.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width
        .min(area.width.saturating_sub(2))
        .max(10.min(area.width));
    let h = height
        .min(area.height.saturating_sub(2))
        .max(3.min(area.height));
    Rect::new(
        (area.width.saturating_sub(w)) / 2,
        (area.height.saturating_sub(h)) / 2,
        w,
        h,
    )
}

/// A box with a title, wrapped text and the keys it takes at the bottom.
pub fn message_box(frame: &mut Frame, area: Rect, title: &str, body: &str, hint: &str) {
    // Tall enough for the body as it wraps inside the borders (at least the usual 9 rows).
    let inner = usize::from(centered(area, 70, 9).width.saturating_sub(2)).max(1);
    let rows: usize = body
        .lines()
        .map(|l| {
            unicode_width::UnicodeWidthStr::width(l)
                .div_ceil(inner)
                .max(1)
        })
        .sum();
    let height = u16::try_from(rows + 2).unwrap_or(u16::MAX).max(9);
    let rect = centered(area, 70, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title.to_string())
        .title_bottom(format!(" {hint} "));
    frame.render_widget(
        Paragraph::new(sanitize::for_display_multiline(body).into_owned())
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}
