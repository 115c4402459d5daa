//! Errors of the expression language. Each knows the byte position its caret points at, so the
//! grid's prompt and `leadgrid run --if` show the same picture.

use unicode_width::UnicodeWidthChar;

/// A syntax error: the byte offset it was found at and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// Byte offset in the source where the caret goes.
    pub pos: usize,
    /// What is wrong, in one line.
    pub message: String,
}

impl ParseError {
    pub(super) fn new(pos: usize, message: impl Into<String>) -> Self {
        ParseError {
            pos,
            message: message.into(),
        }
    }

    /// The source line, a caret under the error, then the message.
    pub fn render(&self, src: &str) -> String {
        render(src, self.pos, &self.message)
    }
}

/// A parsed expression that does not fit the sheet: a column it cannot find, or a bad pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindError {
    /// No header matches the name, even loosely.
    #[error("unknown column '{name}' ({})", unknown_hint(.suggestions, *.close))]
    UnknownColumn {
        /// Where the name starts.
        pos: usize,
        /// The name as written.
        name: String,
        /// Headers that look like the name (`close`), or else the first few headers.
        suggestions: Vec<String>,
        /// Whether `suggestions` resemble the name.
        close: bool,
    },
    /// Several headers match the name equally well.
    #[error("ambiguous column '{name}': {}", .candidates.join(", "))]
    AmbiguousColumn {
        /// Where the name starts.
        pos: usize,
        /// The name as written.
        name: String,
        /// The headers it could mean.
        candidates: Vec<String>,
    },
    /// A regular expression literal that does not compile.
    #[error("invalid regex: {message}")]
    InvalidRegex {
        /// Where the pattern literal starts.
        pos: usize,
        /// The regex crate's explanation.
        message: String,
    },
}

fn unknown_hint(suggestions: &[String], close: bool) -> String {
    match (close, suggestions.is_empty()) {
        (true, _) => format!("did you mean {}?", suggestions.join(", ")),
        (false, true) => "the sheet has no columns".to_string(),
        (false, false) => format!("columns: {}", suggestions.join(", ")),
    }
}

impl BindError {
    /// Byte offset in the source where the caret goes.
    pub fn pos(&self) -> usize {
        match self {
            BindError::UnknownColumn { pos, .. }
            | BindError::AmbiguousColumn { pos, .. }
            | BindError::InvalidRegex { pos, .. } => *pos,
        }
    }

    /// The source line, a caret under the error, then the message.
    pub fn render(&self, src: &str) -> String {
        render(src, self.pos(), &self.to_string())
    }
}

/// Why the grid's `|` prompt cannot use what was typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// The text looks like an expression but does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The expression parses but does not fit the sheet.
    #[error(transparent)]
    Bind(#[from] BindError),
}

impl FilterError {
    /// Byte offset in the source where the caret goes.
    pub fn pos(&self) -> usize {
        match self {
            FilterError::Parse(e) => e.pos,
            FilterError::Bind(e) => e.pos(),
        }
    }

    /// The source line, a caret under the error, then the message.
    pub fn render(&self, src: &str) -> String {
        render(src, self.pos(), &self.to_string())
    }
}

/// Three lines: the line of `src` holding `pos`, a caret under it, and the message. The caret
/// column counts display width, so it stays under the right character after wide or
/// accented ones; tabs are shown as one space so the two lines agree.
fn render(src: &str, pos: usize, message: &str) -> String {
    let mut pos = pos.min(src.len());
    while !src.is_char_boundary(pos) {
        pos -= 1;
    }
    let start = src[..pos].rfind('\n').map_or(0, |i| i + 1);
    let end = src[pos..].find('\n').map_or(src.len(), |i| pos + i);
    let shown = |c: char| if c == '\t' { ' ' } else { c };
    let line: String = src[start..end].chars().map(shown).collect();
    let column: usize = src[start..pos]
        .chars()
        .map(|c| shown(c).width().unwrap_or(0))
        .sum();
    format!("{line}\n{}^\n{message}", " ".repeat(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_sits_under_the_position() {
        let e = ParseError::new(4, "boom");
        assert_eq!(e.render("a = = b"), "a = = b\n    ^\nboom");
        assert_eq!(e.render("ab"), "ab\n  ^\nboom");
    }

    #[test]
    fn caret_counts_display_width_and_picks_the_line() {
        let e = ParseError::new("名前 = ".len(), "x");
        assert_eq!(e.render("名前 = "), "名前 = \n       ^\nx");
        let e = ParseError::new(6, "x");
        assert_eq!(e.render("a\n\tb = c\nd"), " b = c\n    ^\nx");
    }

    #[test]
    fn bind_messages() {
        let unknown = BindError::UnknownColumn {
            pos: 0,
            name: "titel".into(),
            suggestions: vec!["title".into()],
            close: true,
        };
        assert_eq!(
            unknown.to_string(),
            "unknown column 'titel' (did you mean title?)"
        );
        let ambiguous = BindError::AmbiguousColumn {
            pos: 0,
            name: "fo".into(),
            candidates: vec!["followers".into(), "follow_up".into()],
        };
        assert_eq!(
            ambiguous.to_string(),
            "ambiguous column 'fo': followers, follow_up"
        );
    }
}
