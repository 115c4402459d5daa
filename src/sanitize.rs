//! Text from servers and files is untrusted: nothing in it may reach the terminal as a
//! control sequence.
//!
//! Two layers: [`server_message`] and [`server_value`] clean what providers send *on the
//! way in* (the engine applies them to every result, so the grid, `leadgrid run`'s stderr,
//! the CSV's error columns and the journal all get the same clean text); [`for_display`]
//! defuses whatever else reaches the screen (cells of the user's own file).

use std::borrow::Cow;

/// Replaces control characters (C0, DEL, C1) with visible stand-ins so that a
/// cell can never move the cursor, change colours or ring the bell.
/// Newlines and tabs become `⏎` and a space so a multi-line cell stays on one grid line.
/// Combining marks are capped per character ([`MAX_COMBINING`]).
pub fn for_display(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return cap_combining(text);
    }
    let shown: String = text
        .chars()
        .map(|c| match c {
            '\n' => '⏎',
            '\r' => '␍',
            '\t' => ' ',
            c if is_control(c) => '�',
            c => c,
        })
        .collect();
    Cow::Owned(cap_combining(&shown).into_owned())
}

/// Most zero-width marks (accents, vowel signs…) drawn on one character. Real scripts stack
/// three or four at most; "zalgo" text stacks hundreds, which terminals draw over their
/// neighbours and leave behind as stale glyphs.
pub const MAX_COMBINING: usize = 4;

/// Keeps at most [`MAX_COMBINING`] zero-width marks in a row, so every character is drawn in
/// its own cell.
pub fn cap_combining(text: &str) -> Cow<'_, str> {
    let mut run = 0;
    let mut excess = false;
    for c in text.chars() {
        if is_mark(c) {
            run += 1;
            excess |= run > MAX_COMBINING;
        } else {
            run = 0;
        }
    }
    if !excess {
        return Cow::Borrowed(text);
    }
    let mut run = 0;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_mark(c) {
            run += 1;
            if run > MAX_COMBINING {
                continue;
            }
        } else {
            run = 0;
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// A character drawn on the one before it (width 0).
fn is_mark(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c) == Some(0)
}

/// Like [`for_display`] but keeps newlines, for popups that show a cell whole.
pub fn for_display_multiline(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_control(c)) {
        return cap_combining(text);
    }
    let shown: String = text
        .chars()
        .filter(|&c| c != '\r')
        .map(|c| match c {
            '\n' => '\n',
            '\t' => ' ',
            c if is_control(c) => '�',
            c => c,
        })
        .collect();
    Cow::Owned(cap_combining(&shown).into_owned())
}

/// A server's message made safe to print on one line: escape sequences (CSI, OSC, DCS …)
/// removed whole, other control characters removed, line breaks and tabs made spaces.
pub fn server_message(text: &str) -> Cow<'_, str> {
    clean(text, false)
}

/// A value from a server made safe to store and print: like [`server_message`], but line
/// breaks and tabs are kept (a multi-line summary is legitimate data).
pub fn server_value(text: &str) -> Cow<'_, str> {
    clean(text, true)
}

fn clean(text: &str, keep_breaks: bool) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' | '\r' if keep_breaks => out.push(c),
            '\n' | '\t' | '\r' => out.push(' '),
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_control(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Skips a CSI sequence's parameters and its final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// Skips an OSC/DCS/SOS/PM/APC payload up to its terminator (BEL, ST, or ESC \\).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(for_display("Ada Lovelace"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_are_defused() {
        let shown = for_display("evil\x1b[2Jtext\x07\u{9b}31m");
        assert!(!shown.chars().any(|c| c.is_control()));
        assert_eq!(shown, "evil�[2Jtext��31m");
    }

    #[test]
    fn newlines_become_visible_marks() {
        assert_eq!(for_display("a\r\nb"), "a␍⏎b");
        assert_eq!(for_display_multiline("a\r\nb\x1b"), "a\nb�");
    }

    #[test]
    fn server_text_loses_whole_escape_sequences() {
        let hostile = "bad key\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x1b\\!\u{9b}31mred\u{202e}";
        assert_eq!(server_message(hostile), "bad key!red");
        assert_eq!(server_message("two\nlines\tx"), "two lines x");
        assert_eq!(server_value("two\nlines\x1b[1m"), "two\nlines");
        assert!(matches!(server_message("plain"), Cow::Borrowed(_)));
        // Unterminated sequences swallow the rest rather than leak a partial sequence.
        assert_eq!(server_message("a\x1b]0;title"), "a");
        assert_eq!(server_message("a\x1b"), "a");
    }

    #[test]
    fn combining_marks_are_capped_per_character() {
        let zalgo = format!("a{}b", "\u{301}".repeat(300));
        let shown = for_display(&zalgo);
        assert_eq!(shown.chars().count(), 2 + MAX_COMBINING);
        assert!(shown.starts_with('a') && shown.ends_with('b'));
        // Real text keeps every mark, and is not copied.
        for text in ["Sørby", "Nguyễn", "क्षि", "👍🏽", "e\u{301}\u{302}"] {
            assert!(matches!(for_display(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn bidi_overrides_are_removed() {
        assert_eq!(for_display("a\u{202e}b"), "a�b");
    }
}
