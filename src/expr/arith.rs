//! `+ - * /` and unary minus: numbers, dates plus or minus days, and `+` joining text.

use super::eval::Arith;
use super::value::Value;
use chrono::{Days, NaiveDate};
use std::borrow::Cow;

/// `a op b`. An error operand passes through; `+` joins text, an empty side joining as
/// nothing (`first_name + ' ' + last_name` keeps its space and a missing last name); otherwise
/// an empty operand makes the result empty, and types that do not fit give an error naming them.
pub(super) fn arith<'a>(op: Arith, a: Value<'a>, b: Value<'a>) -> Value<'a> {
    if let Value::Error(_) = a {
        return a;
    }
    if let Value::Error(_) = b {
        return b;
    }
    if let Some(joined) = join(op, &a, &b) {
        return joined;
    }
    if a.is_blank() || b.is_blank() {
        return Value::Empty;
    }
    if let (Some(x), Some(y)) = (a.as_number(), b.as_number()) {
        return number(op, x, y);
    }
    let sign = match op {
        Arith::Add => Some(1),
        Arith::Sub => Some(-1),
        Arith::Mul | Arith::Div => None,
    };
    if let Some(sign) = sign {
        if let (Some(d), Some(days)) = (a.as_date(), b.as_number()) {
            return shift(d, days, sign);
        }
        if let (Arith::Add, Some(days), Some(d)) = (op, a.as_number(), b.as_date()) {
            return shift(d, days, 1);
        }
        if let (Arith::Sub, Some(x), Some(y)) = (op, a.as_date(), b.as_date()) {
            return Value::Number((x - y).num_days() as f64);
        }
    }
    if let (Arith::Add, Value::Text(x), Value::Text(y)) = (op, &a, &b) {
        return Value::Text(Cow::Owned(format!("{x}{y}")));
    }
    let verb = match op {
        Arith::Add => "add",
        Arith::Sub => "subtract",
        Arith::Mul => "multiply",
        Arith::Div => "divide",
    };
    Value::Error(format!(
        "cannot {verb} {} and {}",
        describe(&a),
        describe(&b)
    ))
}

/// `+` of text and text (or nothing), unless both are numbers: the two joined.
fn join<'a>(op: Arith, a: &Value<'a>, b: &Value<'a>) -> Option<Value<'a>> {
    let text = |v: &'_ Value<'a>| match v {
        Value::Text(t) => Some(t.to_string()),
        Value::Empty => Some(String::new()),
        _ => None,
    };
    let has_text = matches!(a, Value::Text(_)) || matches!(b, Value::Text(_));
    let both_numbers = a.as_number().is_some() && b.as_number().is_some();
    if op != Arith::Add || !has_text || both_numbers {
        return None;
    }
    let (x, y) = (text(a)?, text(b)?);
    if x.trim().is_empty() && y.trim().is_empty() {
        return Some(Value::Empty);
    }
    Some(Value::Text(Cow::Owned(format!("{x}{y}"))))
}

fn number<'a>(op: Arith, x: f64, y: f64) -> Value<'a> {
    let result = match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
        Arith::Div if y == 0.0 => return Value::Error("division by zero".to_string()),
        Arith::Div => x / y,
    };
    finite(result)
}

/// A number result, or an error when it overflowed.
pub(super) fn finite<'a>(n: f64) -> Value<'a> {
    if n.is_finite() {
        Value::Number(n)
    } else {
        Value::Error("number out of range".to_string())
    }
}

/// `date ± days`; the days must be a whole number.
fn shift<'a>(date: NaiveDate, days: f64, sign: i8) -> Value<'a> {
    if days.fract() != 0.0 {
        let days = Value::Number(days).to_cell_text();
        return Value::Error(format!("a date moves by whole days, not {days}"));
    }
    let forward = (days >= 0.0) == (sign > 0);
    // Beyond chrono's range of years anyway; saturating keeps the cast exact below it.
    let step = Days::new(days.abs().min(1e9) as u64);
    let moved = if forward {
        date.checked_add_days(step)
    } else {
        date.checked_sub_days(step)
    };
    moved.map_or_else(
        || Value::Error("date out of range".to_string()),
        Value::Date,
    )
}

/// `-x`: numbers only; empty stays empty.
pub(super) fn negate(v: Value) -> Value {
    if v.is_blank() {
        return Value::Empty;
    }
    if let Value::Error(_) = v {
        return v;
    }
    match v.as_number() {
        Some(n) => Value::Number(-n),
        None => Value::Error(format!("cannot negate {}", describe(&v))),
    }
}

/// A value as an error message names it: its type and, for text, the text.
pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Empty => "empty".to_string(),
        Value::Text(t) => {
            let t: String = t.chars().take(40).collect();
            format!("text '{t}'")
        }
        Value::Number(_) => format!("number {}", v.to_cell_text()),
        Value::Bool(b) => format!("{b}"),
        Value::Date(d) => format!("date {d}"),
        Value::Error(e) => format!("error ({e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Value<'_> {
        Value::Text(Cow::Borrowed(s))
    }

    fn date(y: i32, m: u32, d: u32) -> Value<'static> {
        Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn numbers_and_numeric_text() {
        let n = Value::Number;
        assert_eq!(arith(Arith::Add, n(1.0), n(2.0)), n(3.0));
        assert_eq!(arith(Arith::Add, t("1,000"), n(1.0)), n(1001.0));
        assert_eq!(arith(Arith::Sub, t("10"), t("4")), n(6.0));
        assert_eq!(arith(Arith::Mul, n(2.5), n(4.0)), n(10.0));
        assert_eq!(arith(Arith::Div, n(1.0), n(4.0)), n(0.25));
        assert_eq!(
            arith(Arith::Div, n(1.0), n(0.0)),
            Value::Error("division by zero".into())
        );
        assert_eq!(
            arith(Arith::Mul, n(1e308), n(10.0)),
            Value::Error("number out of range".into())
        );
    }

    #[test]
    fn text_joins_and_mismatches_are_errors() {
        assert_eq!(arith(Arith::Add, t("Ada"), t(" Quill")), t("Ada Quill"));
        assert_eq!(
            arith(Arith::Mul, t("abc"), Value::Number(2.0)),
            Value::Error("cannot multiply text 'abc' and number 2".into())
        );
        assert_eq!(
            arith(Arith::Add, t("abc"), Value::Number(2.0)),
            Value::Error("cannot add text 'abc' and number 2".into())
        );
        assert_eq!(
            arith(Arith::Sub, Value::Bool(true), t("x")),
            Value::Error("cannot subtract true and text 'x'".into())
        );
    }

    #[test]
    fn empty_and_errors_pass_through() {
        let n = Value::Number;
        assert_eq!(arith(Arith::Add, Value::Empty, n(1.0)), Value::Empty);
        assert_eq!(arith(Arith::Sub, Value::Empty, n(1.0)), Value::Empty);
        // `+` of texts joins, a space or an empty side included.
        assert_eq!(arith(Arith::Add, t("Ada"), t(" ")), t("Ada "));
        assert_eq!(arith(Arith::Add, t(" "), t("x")), t(" x"));
        assert_eq!(arith(Arith::Add, t("Ada"), Value::Empty), t("Ada"));
        assert_eq!(arith(Arith::Add, Value::Empty, t(" ")), Value::Empty);
        let e = Value::Error("first".into());
        assert_eq!(arith(Arith::Add, e.clone(), Value::Empty), e);
        assert_eq!(arith(Arith::Add, n(1.0), e.clone()), e);
    }

    #[test]
    fn dates_move_by_days() {
        let n = Value::Number;
        assert_eq!(
            arith(Arith::Add, date(2026, 11, 28), n(3.0)),
            date(2026, 12, 1)
        );
        assert_eq!(
            arith(Arith::Add, n(-28.0), t("2026-11-28")),
            date(2026, 10, 31)
        );
        assert_eq!(
            arith(Arith::Sub, t("2026-03-01"), n(1.0)),
            date(2026, 2, 28)
        );
        assert_eq!(arith(Arith::Sub, t("2026-11-28"), t("2026-11-01")), n(27.0));
        assert!(matches!(
            arith(Arith::Add, date(2026, 1, 1), n(0.5)),
            Value::Error(_)
        ));
        assert!(matches!(
            arith(Arith::Add, date(2026, 1, 1), n(1e9)),
            Value::Error(_)
        ));
        assert!(matches!(
            arith(Arith::Mul, date(2026, 1, 1), n(2.0)),
            Value::Error(_)
        ));
    }

    #[test]
    fn negation() {
        assert_eq!(negate(t("5")), Value::Number(-5.0));
        assert_eq!(negate(Value::Empty), Value::Empty);
        assert!(matches!(negate(t("x")), Value::Error(_)));
    }
}
