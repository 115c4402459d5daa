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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::EvalCtx;
    use chrono::NaiveDate;

    fn headers() -> Vec<String> {
        [
            "name",
            "follower_count",
            "email",
            "title",
            "First Name",
            "verified",
        ]
        .map(String::from)
        .into()
    }

    fn filter(src: &str) -> Result<Filter, FilterError> {
        parse_filter(src, &headers())
    }

    fn text(src: &str) -> Option<String> {
        match filter(src) {
            Ok(Filter::Text(t)) => Some(t),
            _ => None,
        }
    }

    fn program(src: &str) -> Program {
        match filter(src) {
            Ok(Filter::Expr(p)) => p,
            other => panic!("{src}: {other:?}"),
        }
    }

    #[test]
    fn plain_words_search_every_cell() {
        assert_eq!(text("Acme").as_deref(), Some("acme"));
        assert_eq!(text("  Head of Growth ").as_deref(), Some("head of growth"));
        assert_eq!(text("e-commerce").as_deref(), Some("e-commerce"));
        assert_eq!(text("c++ / b2b").as_deref(), Some("c++ / b2b"));
        assert_eq!(text("Sørby").as_deref(), Some("sørby"));
        assert_eq!(text("").as_deref(), Some(""));
        assert_eq!(
            text("'sales and marketing'").as_deref(),
            Some("sales and marketing")
        );
        assert_eq!(text("\"a = b\"").as_deref(), Some("a = b"));
    }

    #[test]
    fn a_column_name_alone_is_a_condition() {
        assert_eq!(program("verified").to_string(), "verified");
        assert_eq!(program("first name").to_string(), "`First Name`");
        let p = program("VERIFIED");
        let ctx = EvalCtx {
            today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        };
        let mut row = vec![String::new(); 6];
        row[5] = "true".into();
        assert!(p.matches(&row, &ctx));
    }

    #[test]
    fn todays_filters_keep_working() {
        assert_eq!(program("title = CEO").to_string(), "title = 'CEO'");
        assert_eq!(program("name != Ada").to_string(), "name != 'Ada'");
        assert_eq!(
            program("followers > 1000").to_string(),
            "follower_count > 1000"
        );
        assert_eq!(program("email empty").to_string(), "email is empty");
        assert_eq!(program("email !empty").to_string(), "email is not empty");
        assert_eq!(
            program("followers > 1000 and not (title ~ 'intern' or email is empty)").to_string(),
            "follower_count > 1000 and not (title ~ 'intern' or email is empty)"
        );
    }

    #[test]
    fn filters_keep_the_right_rows() {
        let ctx = EvalCtx {
            today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        };
        let row = |followers: &str, email: &str| {
            vec![
                "Ada".to_string(),
                followers.to_string(),
                email.to_string(),
                "CEO".to_string(),
                String::new(),
                String::new(),
            ]
        };
        let p = program("followers > 1000 and email is not empty");
        assert!(p.matches(&row("48,210", "a@x.io"), &ctx));
        assert!(!p.matches(&row("999", "a@x.io"), &ctx));
        assert!(!p.matches(&row("", "a@x.io"), &ctx));
        assert!(!p.matches(&row("48,210", ""), &ctx));
    }

    #[test]
    fn expressions_that_fail_say_where() {
        let e = filter("nope = 3").unwrap_err();
        assert!(matches!(e, FilterError::Bind(_)));
        assert_eq!(e.pos(), 0);
        let e = filter("followers >").unwrap_err();
        assert_eq!(
            (e.pos(), e.to_string().as_str()),
            (11, "unexpected end: expected a value")
        );
        let e = filter("title = `CEO`").unwrap_err();
        assert_eq!(e.pos(), 8);
        assert!(
            e.render("title = `CEO`")
                .starts_with("title = `CEO`\n        ^\nunknown column 'CEO'")
        );
    }

    #[test]
    fn words_that_look_like_operators_get_a_quoting_hint() {
        let e = filter("sales and marketing").unwrap_err();
        assert_eq!(e.pos(), 0);
        assert!(
            e.to_string()
                .ends_with("; to search for this text, put it in quotes"),
            "{e}"
        );
        assert!(filter("not interested").is_err());
    }
}
