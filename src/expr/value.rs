//! Values an expression produces, how cell text is typed when used, and how values compare.

use super::text::{cmp_ci, contains_ci, is_blank, parse_bool, parse_date, parse_number, trim};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::cmp::Ordering;

/// The result of evaluating an expression on one row. Text borrows from the row where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// No usable value: a blank cell, or an enrichment cell without data.
    Empty,
    /// Text, typed only when an operator or function needs a number, date or boolean.
    Text(Cow<'a, str>),
    /// A finite number.
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A calendar date.
    Date(NaiveDate),
    /// This row could not be computed (e.g. `'abc' * 2`); the message says why.
    Error(String),
}

impl Value<'_> {
    /// The text a formula cell shows: integers without `.0`, dates as `YYYY-MM-DD`, `Empty` and
    /// `Error` as "" (read the error from the value itself).
    pub fn to_cell_text(&self) -> String {
        match self {
            Value::Empty | Value::Error(_) => String::new(),
            Value::Text(t) => t.to_string(),
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => b.to_string(),
            Value::Date(d) => d.to_string(),
        }
    }

    /// Whether it has no usable value: `Empty`, or text that is blank.
    pub fn is_blank(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(t) => is_blank(t),
            _ => false,
        }
    }

    /// The number it reads as: a number, or text that parses as one.
    pub(super) fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Text(t) => parse_number(t),
            _ => None,
        }
    }

    /// The date it reads as: a date, or text that parses as one.
    pub(super) fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            Value::Text(t) => parse_date(t),
            _ => None,
        }
    }

    /// Text a function can read without consuming the value; `None` for `Empty` and `Error`.
    pub(super) fn as_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Value::Text(t) => Some(Cow::Borrowed(t)),
            Value::Empty | Value::Error(_) => None,
            other => Some(Cow::Owned(other.to_cell_text())),
        }
    }

    /// Whether a condition holds: `true`, or text reading `true`. Everything else, `Empty` and
    /// `Error` included, counts as false.
    pub(super) fn truthy(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Text(t) => parse_bool(t) == Some(true),
            _ => false,
        }
    }
}

impl<'a> Value<'a> {
    /// `to_cell_text`, moving text the expression built instead of copying it.
    pub fn into_cell_text(self) -> String {
        match self {
            Value::Text(t) => t.into_owned(),
            other => other.to_cell_text(),
        }
    }

    /// The same value, no longer borrowing from the row or the program.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Empty => Value::Empty,
            Value::Text(t) => Value::Text(Cow::Owned(t.into_owned())),
            Value::Number(n) => Value::Number(n),
            Value::Bool(b) => Value::Bool(b),
            Value::Date(d) => Value::Date(d),
            Value::Error(e) => Value::Error(e),
        }
    }

    /// Text a function can work on: text as it is, other values as a cell would show them.
    /// `None` for `Empty` and `Error`.
    pub(super) fn into_text(self) -> Option<Cow<'a, str>> {
        match self {
            Value::Text(t) => Some(t),
            Value::Empty | Value::Error(_) => None,
            other => Some(Cow::Owned(other.to_cell_text())),
        }
    }
}

/// Integers without a fraction; other numbers rounded to 15 significant digits, so that
/// `0.1 + 0.2` shows as `0.3`.
fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        // Exact: the value is a whole number well inside i64.
        return format!("{}", n as i64);
    }
    let shortest = format!("{n}");
    let significant = shortest
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|&b| b == b'0')
        .count();
    if significant <= 15 {
        return shortest;
    }
    let rounded: f64 = format!("{n:.14e}").parse().unwrap_or(n);
    format!("{rounded}")
}

/// How two values compare, if they can: `None` when either is blank or an error, or when they
/// cannot be read as the same type (then no comparison holds). Numbers compare as numbers,
/// dates as dates, booleans as booleans; text that reads as a number (or date) on both sides
/// compares as one; other text compares ignoring case and surrounding spaces.
pub(super) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    if a.is_blank() || b.is_blank() {
        return None;
    }
    match (a, b) {
        (Number(x), Number(y)) => x.partial_cmp(y),
        (Number(x), Text(t)) => x.partial_cmp(&parse_number(t)?),
        (Text(t), Number(y)) => parse_number(t)?.partial_cmp(y),
        (Date(x), Date(y)) => Some(x.cmp(y)),
        (Date(x), Text(t)) => Some(x.cmp(&parse_date(t)?)),
        (Text(t), Date(y)) => Some(parse_date(t)?.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Bool(x), Text(t)) => Some(x.cmp(&parse_bool(t)?)),
        (Text(t), Bool(y)) => Some(parse_bool(t)?.cmp(y)),
        (Text(x), Text(y)) => Some(compare_text(x, y)),
        _ => None,
    }
}

/// Two texts: as numbers if both read as numbers, as dates if both read as dates, else as text.
fn compare_text(x: &str, y: &str) -> Ordering {
    if let (Some(a), Some(b)) = (parse_number(x), parse_number(y)) {
        return a.total_cmp(&b);
    }
    if let (Some(a), Some(b)) = (parse_date(x), parse_date(y)) {
        return a.cmp(&b);
    }
    cmp_ci(trim(x), trim(y))
}

/// `a contains b`: substring, ignoring case; false when either is blank or an error.
pub(super) fn contains(a: &Value, b: &Value) -> bool {
    if a.is_blank() || b.is_blank() {
        return false;
    }
    match (a.as_text(), b.as_text()) {
        (Some(hay), Some(needle)) => contains_ci(&hay, &needle),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value<'_> {
        Value::Text(Cow::Borrowed(s))
    }

    #[test]
    fn cell_text() {
        assert_eq!(Value::Number(3.0).to_cell_text(), "3");
        assert_eq!(Value::Number(-0.0).to_cell_text(), "0");
        assert_eq!(Value::Number(2.5).to_cell_text(), "2.5");
        assert_eq!(Value::Number(0.1 + 0.2).to_cell_text(), "0.3");
        assert_eq!(Value::Number(1e20).to_cell_text(), "100000000000000000000");
        assert_eq!(Value::Number(1.0 / 3.0).to_cell_text(), "0.333333333333333");
        assert_eq!(Value::Number(48.2).to_cell_text(), "48.2");
        assert_eq!(Value::Number(-0.001).to_cell_text(), "-0.001");
        assert_eq!(
            Value::Number(1e-20).to_cell_text(),
            "0.00000000000000000001"
        );
        assert_eq!(
            Value::Number(123456.7890123456).to_cell_text(),
            "123456.789012346"
        );
        assert_eq!(
            Value::Date(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()).to_cell_text(),
            "2026-01-05"
        );
        assert_eq!(Value::Bool(true).to_cell_text(), "true");
        assert_eq!(Value::Empty.to_cell_text(), "");
        assert_eq!(Value::Error("x".into()).to_cell_text(), "");
        assert_eq!(text("Ada").to_cell_text(), "Ada");
    }

    #[test]
    fn comparisons_type_each_side() {
        let n = Value::Number;
        assert_eq!(
            compare(&text("48,210"), &n(1000.0)),
            Some(Ordering::Greater)
        );
        assert_eq!(compare(&text("n/a"), &n(1000.0)), None);
        assert_eq!(compare(&text("10"), &text("9")), Some(Ordering::Greater));
        assert_eq!(compare(&text("b"), &text("A")), Some(Ordering::Greater));
        assert_eq!(compare(&text(" CEO "), &text("ceo")), Some(Ordering::Equal));
        assert_eq!(
            compare(&text("2026-01-05"), &text("2025-12-31T10:00:00Z")),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare(&text("TRUE"), &Value::Bool(true)),
            Some(Ordering::Equal)
        );
        assert_eq!(compare(&n(1.0), &Value::Bool(true)), None);
        assert_eq!(compare(&Value::Empty, &Value::Empty), None);
        assert_eq!(compare(&text("  "), &text("  ")), None);
        assert_eq!(compare(&Value::Error("e".into()), &n(1.0)), None);
    }

    #[test]
    fn contains_reads_numbers_as_text() {
        assert!(contains(&text("+1 555 0100"), &Value::Number(555.0)));
        assert!(contains(&text("Head of Growth"), &text("GROWTH")));
        assert!(!contains(&text("x"), &text(" ")));
        assert!(!contains(&Value::Empty, &text("a")));
    }
}
