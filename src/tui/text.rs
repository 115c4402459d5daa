//! Text as the terminal shows it: display widths, clipping, counted nouns.

use unicode_width::UnicodeWidthStr;

/// Display width of text in terminal cells.
pub fn text_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
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

/// `95 s` → `1m35s`.
pub fn format_eta(seconds: f64) -> String {
    let s = seconds.round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
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
    fn eta_is_readable() {
        assert_eq!(format_eta(5.4), "5s");
        assert_eq!(format_eta(95.0), "1m35s");
        assert_eq!(format_eta(7300.0), "2h01m");
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
