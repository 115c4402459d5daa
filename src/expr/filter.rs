//! The grid's `|` prompt: plain words search every cell; anything with an operator is an
//! expression.

use super::ast::{Expr, ExprKind, Span, is_bare_name};
use super::columns::Headers;
use super::error::{FilterError, ParseError};
use super::parser::parse;
use super::program::Program;

/// What the `|` prompt asked for.
#[derive(Debug, Clone)]
pub enum Filter {
    /// Rows where any cell contains this text (lower case), ignoring case.
    Text(String),
    /// Rows where the expression is true.
    Expr(Program),
}

/// Characters that only an expression uses.
const OPERATOR_CHARS: [char; 12] = ['=', '<', '>', '~', '!', '&', '|', '(', ')', '\'', '"', '`'];

/// Words that only an expression uses.
const OPERATOR_WORDS: [&str; 6] = ["and", "or", "not", "contains", "is", "empty"];

/// Reads the `|` prompt. Text with no operator, parenthesis or quote that is not a column name
/// is a plain search (`Acme`, `head of growth`); a lone quoted string searches for that text;
/// anything else must parse and bind, or the error says where it fails.
pub fn parse_filter(src: &str, headers: &[String]) -> Result<Filter, FilterError> {
    let text = src.trim();
    let has_chars = text.contains(OPERATOR_CHARS);
    let has_words = text
        .split_whitespace()
        .any(|w| OPERATOR_WORDS.iter().any(|k| k.eq_ignore_ascii_case(w)));
    if !has_chars && !has_words {
        return Ok(match Headers::new(headers).strong(text, 0) {
            Ok(Some(col)) => Filter::Expr(lone_column(headers, col, src)?),
            _ => Filter::Text(text.to_lowercase()),
        });
    }
    let bound = parse(src).map_err(FilterError::from).and_then(|expr| {
        if let ExprKind::Text(t) = &expr.kind {
            return Ok(Filter::Text(t.to_lowercase()));
        }
        Ok(Filter::Expr(expr.bind(headers)?))
    });
    match bound {
        // Only words made it an expression: the user may have meant to search for them.
        Err(e) if !has_chars => Err(FilterError::Parse(ParseError::new(
            e.pos(),
            format!("{e}; to search for this text, put it in quotes"),
        ))),
        other => other,
    }
}

/// A filter that is just a column name: rows where that column reads `true`.
fn lone_column(headers: &[String], col: usize, src: &str) -> Result<Program, FilterError> {
    let name = headers.get(col).cloned().unwrap_or_default();
    let quoted = !is_bare_name(&name);
    let span = Span {
        start: 0,
        end: src.len(),
    };
    Ok(Expr::new(ExprKind::Column { name, quoted }, span).bind(headers)?)
}
