//! Binding names to the sheet: every column reference becomes the exact header it means, or,
//! for a bare word beside a comparison that names no column, a text literal (`title = CEO`).

use super::ast::{Expr, ExprKind, is_bare_name};
use super::columns::Headers;
use super::error::BindError;

/// `expr` with every column written as its exact header, and compatibility words as text.
pub(super) fn resolve(expr: &Expr, headers: &Headers) -> Result<Expr, BindError> {
    let kind = match &expr.kind {
        ExprKind::Column { name, .. } => {
            return Ok(column(headers.loose(name, expr.span.start)?, expr, headers));
        }
        ExprKind::Binary { op, lhs, rhs } if op.is_comparison() => {
            let (lhs, rhs) = comparison(lhs, rhs, headers)?;
            ExprKind::Binary {
                op: *op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            }
        }
        ExprKind::Binary { op, lhs, rhs } => ExprKind::Binary {
            op: *op,
            lhs: Box::new(resolve(lhs, headers)?),
            rhs: Box::new(resolve(rhs, headers)?),
        },
        ExprKind::Not(x) => ExprKind::Not(Box::new(resolve(x, headers)?)),
        ExprKind::Neg(x) => ExprKind::Neg(Box::new(resolve(x, headers)?)),
        ExprKind::IsEmpty { operand, negated } => ExprKind::IsEmpty {
            operand: Box::new(resolve(operand, headers)?),
            negated: *negated,
        },
        ExprKind::Call { func, args } => ExprKind::Call {
            func: *func,
            args: args
                .iter()
                .map(|a| resolve(a, headers))
                .collect::<Result<_, _>>()?,
        },
        ExprKind::Number(_) | ExprKind::Text(_) | ExprKind::Bool(_) => expr.kind.clone(),
    };
    Ok(Expr::new(kind, expr.span))
}

/// A column node naming header `col` exactly, backticked only when it has to be.
fn column(col: usize, at: &Expr, headers: &Headers) -> Expr {
    let name = headers.name(col);
    Expr::new(
        ExprKind::Column {
            name: name.to_string(),
            quoted: !is_bare_name(name),
        },
        at.span,
    )
}

/// The bare word of an unquoted column reference.
fn bare_word(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Column {
            name,
            quoted: false,
        } => Some(name),
        _ => None,
    }
}

/// Both sides of a comparison. A bare word that names a column (exactly, ignoring case, or
/// normalized) is that column. One that names none is text when the other side reads a
/// column (`title = CEO`, `CEO = title`, `lower(title) = ceo`); otherwise it is the column
/// side, matched loosely (`followers > 1000`), and when both sides are such words the left
/// one is the column.
fn comparison(lhs: &Expr, rhs: &Expr, headers: &Headers) -> Result<(Expr, Expr), BindError> {
    let strong = |e: &Expr| {
        bare_word(e)
            .map(|w| headers.strong(w, e.span.start))
            .transpose()
    };
    let (left_word, right_word) = (strong(lhs)?, strong(rhs)?);
    let reads_column = |e: &Expr, word: Option<Option<usize>>| match word {
        Some(col) => col.is_some(),
        None => !e.column_names().is_empty(),
    };
    let text = |e: &Expr, word: &str| Expr::new(ExprKind::Text(word.to_string()), e.span);
    let lhs_out = match (left_word, bare_word(lhs)) {
        (Some(Some(col)), _) => column(col, lhs, headers),
        (Some(None), Some(word)) if reads_column(rhs, right_word) => text(lhs, word),
        _ => resolve(lhs, headers)?,
    };
    let rhs_out = match (right_word, bare_word(rhs)) {
        (Some(Some(col)), _) => column(col, rhs, headers),
        (Some(None), Some(word)) if left_word.is_some() || reads_column(lhs, left_word) => {
            text(rhs, word)
        }
        _ => resolve(rhs, headers)?,
    };
    Ok((lhs_out, rhs_out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse;

    fn bound(src: &str, names: &[&str]) -> Result<String, BindError> {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        resolve(&parse(src).unwrap(), &Headers::new(&names)).map(|e| e.to_string())
    }

    const SHEET: &[&str] = &["name", "title", "follower_count", "email", "First Name"];

    #[test]
    fn compatibility_words_become_text() {
        assert_eq!(bound("title = CEO", SHEET).unwrap(), "title = 'CEO'");
        assert_eq!(bound("CEO = title", SHEET).unwrap(), "'CEO' = title");
        assert_eq!(bound("Name != Ada", SHEET).unwrap(), "name != 'Ada'");
        assert_eq!(
            bound("lower(title) = ceo", SHEET).unwrap(),
            "lower(title) = 'ceo'"
        );
        assert_eq!(
            bound("titl contains vp", SHEET).unwrap(),
            "title contains 'vp'"
        );
        assert_eq!(
            bound("title ~ founder", SHEET).unwrap(),
            "title ~ 'founder'"
        );
    }

    #[test]
    fn the_column_side_matches_loosely() {
        assert_eq!(
            bound("followers > 1000", SHEET).unwrap(),
            "follower_count > 1000"
        );
        assert_eq!(
            bound("1000 < followers", SHEET).unwrap(),
            "1000 < follower_count"
        );
        assert_eq!(bound("email empty", SHEET).unwrap(), "email is empty");
        assert_eq!(
            bound("firstname = ada", SHEET).unwrap(),
            "`First Name` = 'ada'"
        );
    }

    #[test]
    fn words_naming_columns_stay_columns() {
        assert_eq!(bound("name = title", SHEET).unwrap(), "name = title");
        assert_eq!(bound("`title` = `name`", SHEET).unwrap(), "title = name");
    }

    #[test]
    fn backticks_and_other_positions_never_become_text() {
        let e = bound("title = `CEO`", SHEET).unwrap_err();
        assert!(
            matches!(e, BindError::UnknownColumn { pos: 8, .. }),
            "{e:?}"
        );
        let e = bound("lower(CEOx)", SHEET).unwrap_err();
        assert!(
            matches!(e, BindError::UnknownColumn { pos: 6, .. }),
            "{e:?}"
        );
        let e = bound("zzz = 3", SHEET).unwrap_err();
        assert!(
            matches!(e, BindError::UnknownColumn { pos: 0, .. }),
            "{e:?}"
        );
    }
}
