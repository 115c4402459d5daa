//! Where things are on screen: shared by drawing and mouse hit-testing so they agree.

use super::app::App;
use unicode_width::UnicodeWidthStr;

/// Display width of text in terminal cells.
pub fn text_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Width of the row-number gutter, including its separator.
pub fn gutter_width(app: &App) -> u16 {
    let digits = app.sheet.row_count().max(1).to_string().len() as u16;
    digits.max(3) + 1
}

/// A column on screen: its visible index, sheet index, x position and width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub visible_index: usize,
    pub col: usize,
    pub x: u16,
    pub width: u16,
}

/// The columns that fit on screen from `app.left`, the last one possibly clipped.
pub fn placed_columns(app: &App) -> Vec<Placed> {
    let mut x = gutter_width(app);
    let mut out = Vec::new();
    for (visible_index, col) in app.visible_columns().into_iter().enumerate().skip(app.left) {
        if x >= app.size.0 {
            break;
        }
        let width = app.width_of(col).min(app.size.0 - x);
        out.push(Placed {
            visible_index,
            col,
            x,
            width,
        });
        x = x.saturating_add(app.width_of(col)).saturating_add(1);
    }
    out
}

/// The (view row, visible column) under a screen position, if it is a data cell.
pub fn hit(app: &App, x: u16, y: u16) -> Option<(usize, usize)> {
    if y == 0 || usize::from(y) > app.body_height() {
        return None;
    }
    let row = app.top + usize::from(y) - 1;
    if row >= app.view_rows() {
        return None;
    }
    placed_columns(app)
        .into_iter()
        .find(|p| x >= p.x && x < p.x + p.width + 1)
        .map(|p| (row, p.visible_index))
}

/// `1 call`, `2 calls`: a count with its noun (plural by `s`).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Cuts text to at most `width` cells, marking the cut with `…`.
pub fn clip(text: &str, width: usize) -> String {
    if text_width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(count(1, "call"), "1 call");
        assert_eq!(count(0, "call"), "0 calls");
        assert_eq!(count(8, "row"), "8 rows");
    }

    #[test]
    fn clip_respects_wide_characters() {
        assert_eq!(clip("東京都港区", 5), "東京…");
        assert_eq!(text_width(&clip("東京都港区", 5)), 5);
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab…");
        assert_eq!(clip("é👍x", 4), "é👍x");
    }
}
