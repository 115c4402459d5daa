//! Cell text is untrusted: nothing in it may reach the terminal as a control sequence.

use std::borrow::Cow;

/// Replaces control characters (C0, DEL, C1) with visible stand-ins so that a
/// cell can never move the cursor, change colours or ring the bell.
/// Newlines and tabs become `⏎` and a space so a multi-line cell stays on one grid line.
pub fn for_display(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' => '⏎',
                '\r' => '␍',
                '\t' => ' ',
                c if is_control(c) => '�',
                c => c,
            })
            .collect(),
    )
}

/// Like [`for_display`] but keeps newlines, for popups that show a cell whole.
pub fn for_display_multiline(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_control(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|&c| c != '\r')
            .map(|c| match c {
                '\n' => '\n',
                '\t' => ' ',
                c if is_control(c) => '�',
                c => c,
            })
            .collect(),
    )
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
    fn bidi_overrides_are_removed() {
        assert_eq!(for_display("a\u{202e}b"), "a�b");
    }
}
