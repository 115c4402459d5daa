//! Evaluation of the built-in functions. Empty input gives empty output (except where a
//! function is about emptiness), an error argument passes through, and wrong types give an
//! error naming the function.

use super::arith::{describe, finite};
use super::eval::Node;
use super::functions::Func;
use super::leads::{domain_of, first_name_of, last_name_of};
use super::program::{EvalCtx, RowValues};
use super::text::{ends_with_ci, starts_with_ci};
use super::value::{Value, contains};
use std::borrow::Cow;
use std::cmp::Ordering;

/// What an argument gives when it cannot be used: the value to return instead.
type Stop<'a> = Value<'a>;

/// A text argument: `Err(Empty)` when blank, `Err(error)` when an error.
fn text<'a>(v: Value<'a>) -> Result<Cow<'a, str>, Stop<'a>> {
    if let Value::Error(_) = v {
        return Err(v);
    }
    if v.is_blank() {
        return Err(Value::Empty);
    }
    v.into_text().ok_or(Value::Empty)
}

/// A text argument where spaces count (a separator, a replacement): `None` only when empty.
fn raw_text<'a>(v: Value<'a>) -> Result<Option<Cow<'a, str>>, Stop<'a>> {
    match v {
        Value::Error(_) => Err(v),
        Value::Empty => Ok(None),
        v => Ok(v.into_text()),
    }
}

/// A number argument: `Err(Empty)` when blank, an error when it is not a number.
fn number<'a>(func: Func, v: Value<'a>) -> Result<f64, Stop<'a>> {
    if let Value::Error(_) = v {
        return Err(v);
    }
    if v.is_blank() {
        return Err(Value::Empty);
    }
    v.as_number().ok_or_else(|| {
        Value::Error(format!(
            "{} needs a number, not {}",
            func.name(),
            describe(&v)
        ))
    })
}

/// A whole-number argument such as a position or a count of digits.
fn whole<'a>(func: Func, v: Value<'a>) -> Result<i64, Stop<'a>> {
    let n = number(func, v)?;
    if n.fract() != 0.0 || n.abs() > 1e15 {
        let n = Value::Number(n).to_cell_text();
        return Err(Value::Error(format!(
            "{} needs a whole number, not {n}",
            func.name()
        )));
    }
    Ok(n as i64)
}

/// A part of `s` chosen by `pick`, borrowed from the row when `s` is.
fn part<'a>(s: Cow<'a, str>, pick: impl for<'s> Fn(&'s str) -> Option<&'s str>) -> Value<'a> {
    let found = match s {
        Cow::Borrowed(b) => pick(b).map(Cow::Borrowed),
        Cow::Owned(o) => pick(&o).map(|p| Cow::Owned(p.to_string())),
    };
    found.map_or(Value::Empty, Value::Text)
}

/// Runs `func` on its argument nodes; `if` and `coalesce` evaluate only what they need.
pub(super) fn call<'a>(
    func: Func,
    args: &'a [Node],
    row: &'a dyn RowValues,
    ctx: &EvalCtx,
) -> Value<'a> {
    let arg = |i: usize| args.get(i).map_or(Value::Empty, |n| n.eval(row, ctx));
    let result = match func {
        Func::If => Ok(if arg(0).truthy() { arg(1) } else { arg(2) }),
        Func::Coalesce => Ok(args
            .iter()
            .map(|n| n.eval(row, ctx))
            .find(|v| !v.is_blank())
            .unwrap_or(Value::Empty)),
        Func::IsEmpty => Ok(Value::Bool(arg(0).is_blank())),
        Func::Contains => Ok(Value::Bool(contains(&arg(0), &arg(1)))),
        Func::StartsWith | Func::EndsWith => affix(func, arg(0), arg(1)),
        Func::Lower => text(arg(0)).map(|s| recase(s, char::is_uppercase, str::to_lowercase)),
        Func::Upper => text(arg(0)).map(|s| recase(s, char::is_lowercase, str::to_uppercase)),
        Func::Trim => text(arg(0)).map(|s| part(s, |s| Some(s.trim()))),
        Func::Len => len(arg(0)),
        Func::Replace => replace(arg(0), arg(1), arg(2)),
        Func::SplitPart => split_part(arg(0), arg(1), arg(2)),
        Func::RegexExtract => regex_extract(args, row, ctx),
        Func::Number => number(func, arg(0)).map(Value::Number),
        Func::Date => date(func, arg(0)).map(Value::Date),
        Func::DaysSince => {
            date(func, arg(0)).map(|d| Value::Number((ctx.today - d).num_days() as f64))
        }
        Func::DomainOf => domain(arg(0)),
        Func::FirstNameOf => text(arg(0)).map(|s| owned_or_empty(first_name_of(&s))),
        Func::LastNameOf => text(arg(0)).map(|s| owned_or_empty(last_name_of(&s))),
        Func::Concat => concat(args.iter().map(|n| n.eval(row, ctx))),
        Func::Round => round(arg(0), args.get(1).map(|n| n.eval(row, ctx))),
        Func::Abs => number(func, arg(0)).map(|n| Value::Number(n.abs())),
        Func::Min | Func::Max => extreme(func, args.iter().map(|n| n.eval(row, ctx))),
    };
    result.unwrap_or_else(|stop| stop)
}

fn owned_or_empty<'a>(s: Option<String>) -> Value<'a> {
    s.map_or(Value::Empty, |s| Value::Text(Cow::Owned(s)))
}

/// `lower`/`upper`, borrowing when nothing would change.
fn recase<'a>(s: Cow<'a, str>, changes: fn(char) -> bool, map: fn(&str) -> String) -> Value<'a> {
    if s.chars().any(changes) {
        Value::Text(Cow::Owned(map(&s)))
    } else {
        Value::Text(s)
    }
}

fn affix<'a>(func: Func, s: Value<'a>, fix: Value<'a>) -> Result<Value<'a>, Stop<'a>> {
    let (Some(s), Some(fix)) = (s.as_text(), raw_text(fix)?) else {
        return Ok(Value::Bool(false));
    };
    Ok(Value::Bool(if func == Func::StartsWith {
        starts_with_ci(s.trim_start(), &fix)
    } else {
        ends_with_ci(s.trim_end(), &fix)
    }))
}

fn len<'a>(v: Value<'a>) -> Result<Value<'a>, Stop<'a>> {
    match text(v) {
        Ok(s) => Ok(Value::Number(s.chars().count() as f64)),
        Err(Value::Empty) => Ok(Value::Number(0.0)),
        Err(stop) => Err(stop),
    }
}

fn replace<'a>(s: Value<'a>, from: Value<'a>, to: Value<'a>) -> Result<Value<'a>, Stop<'a>> {
    let s = text(s)?;
    let (from, to) = (raw_text(from)?, raw_text(to)?);
    match from.filter(|f| !f.is_empty()) {
        Some(from) if s.contains(&*from) => Ok(Value::Text(Cow::Owned(
            s.replace(&*from, to.as_deref().unwrap_or("")),
        ))),
        _ => Ok(Value::Text(s)),
    }
}

/// The `n`th part (1-based; negative counts from the end) of `s` split at `sep`, trimmed.
fn split_part<'a>(s: Value<'a>, sep: Value<'a>, n: Value<'a>) -> Result<Value<'a>, Stop<'a>> {
    let s = text(s)?;
    let Some(sep) = raw_text(sep)?.filter(|sep| !sep.is_empty()) else {
        return Err(Value::Error("split_part needs a separator".to_string()));
    };
    let n = whole(Func::SplitPart, n)?;
    if n == 0 {
        return Err(Value::Error(
            "split_part counts parts from 1 (or from -1 at the end)".to_string(),
        ));
    }
    let index = usize::try_from(n.unsigned_abs() - 1).unwrap_or(usize::MAX);
    let value = part(s, |s| {
        let found = if n > 0 {
            s.split(&*sep).nth(index)
        } else {
            s.rsplit(&*sep).nth(index)
        };
        found.map(str::trim).filter(|p| !p.is_empty())
    });
    Ok(value)
}

/// The first match of the pattern in the text: the given group, or else the first group when
/// the pattern has one, or else the whole match.
fn regex_extract<'a>(
    args: &'a [Node],
    row: &'a dyn RowValues,
    ctx: &EvalCtx,
) -> Result<Value<'a>, Stop<'a>> {
    let arg = |i: usize| args.get(i).map(|n| n.eval(row, ctx));
    let s = text(arg(0).unwrap_or(Value::Empty))?;
    let group = match arg(2) {
        Some(g) => Some(whole(Func::RegexExtract, g)?),
        None => None,
    };
    let Some(Node::Pattern(pattern)) = args.get(1) else {
        return Err(Value::Error("regex_extract needs a pattern".to_string()));
    };
    let found = pattern.with(row, ctx, |re| {
        let group = group.unwrap_or(if re.captures_len() > 1 { 1 } else { 0 });
        match usize::try_from(group) {
            Ok(g) if g < re.captures_len() => {
                Ok(re.captures(&s).and_then(|c| c.get(g)).map(|m| m.range()))
            }
            _ => Err(format!(
                "the pattern has no group {group} (it has {})",
                re.captures_len() - 1
            )),
        }
    });
    match found {
        Ok(Some(Ok(Some(range)))) => Ok(part(s, |s| s.get(range.clone()))),
        Ok(Some(Ok(None)) | None) => Ok(Value::Empty),
        Ok(Some(Err(e))) | Err(e) => Err(Value::Error(e)),
    }
}

fn date<'a>(func: Func, v: Value<'a>) -> Result<chrono::NaiveDate, Stop<'a>> {
    if let Value::Error(_) = v {
        return Err(v);
    }
    if v.is_blank() {
        return Err(Value::Empty);
    }
    v.as_date().ok_or_else(|| {
        Value::Error(format!(
            "{} needs a date, not {}",
            func.name(),
            describe(&v)
        ))
    })
}

fn domain<'a>(v: Value<'a>) -> Result<Value<'a>, Stop<'a>> {
    let s = text(v)?;
    let found = match &s {
        Cow::Borrowed(b) => domain_of(b),
        Cow::Owned(o) => domain_of(o).map(|d| Cow::Owned(d.into_owned())),
    };
    found.map(Value::Text).ok_or_else(|| {
        Value::Error(format!(
            "no domain in {}",
            describe(&Value::Text(s.clone()))
        ))
    })
}

fn concat<'a>(values: impl Iterator<Item = Value<'a>>) -> Result<Value<'a>, Stop<'a>> {
    let mut out = String::with_capacity(64);
    for v in values {
        if let Value::Error(_) = v {
            return Err(v);
        }
        if let Some(s) = v.as_text() {
            out.push_str(&s);
        }
    }
    Ok(if out.is_empty() {
        Value::Empty
    } else {
        Value::Text(Cow::Owned(out))
    })
}

/// Rounds half away from zero to `digits` decimals (negative: tens, hundreds…).
fn round<'a>(x: Value<'a>, digits: Option<Value<'a>>) -> Result<Value<'a>, Stop<'a>> {
    let x = number(Func::Round, x)?;
    let digits = match digits {
        Some(d) => whole(Func::Round, d)?,
        None => 0,
    };
    // Past 15 decimals an f64 has nothing left to round.
    let Ok(digits) = i32::try_from(digits.clamp(-308, 15)) else {
        return Ok(Value::Number(x));
    };
    let factor = 10f64.powi(digits);
    let rounded = (x * factor).round() / factor;
    Ok(if rounded.is_finite() {
        finite(rounded)
    } else {
        Value::Number(x)
    })
}

/// `min`/`max` over numbers, or over dates; empty arguments are skipped.
fn extreme<'a>(func: Func, values: impl Iterator<Item = Value<'a>>) -> Result<Value<'a>, Stop<'a>> {
    let want = if func == Func::Min {
        Ordering::Less
    } else {
        Ordering::Greater
    };
    let mut kept: Vec<Value<'a>> = Vec::new();
    for v in values {
        match v {
            Value::Error(_) => return Err(v),
            v if v.is_blank() => {}
            v => kept.push(v),
        }
    }
    if kept.is_empty() {
        return Ok(Value::Empty);
    }
    if let Some(numbers) = kept
        .iter()
        .map(Value::as_number)
        .collect::<Option<Vec<_>>>()
    {
        let best = numbers
            .into_iter()
            .reduce(|a, b| if b.total_cmp(&a) == want { b } else { a });
        return Ok(best.map_or(Value::Empty, Value::Number));
    }
    if let Some(dates) = kept.iter().map(Value::as_date).collect::<Option<Vec<_>>>() {
        let best = dates
            .into_iter()
            .reduce(|a, b| if b.cmp(&a) == want { b } else { a });
        return Ok(best.map_or(Value::Empty, Value::Date));
    }
    let odd = kept
        .iter()
        .find(|v| v.as_number().is_none())
        .map_or_else(String::new, describe);
    Err(Value::Error(format!(
        "{} needs numbers or dates, not {odd}",
        func.name()
    )))
}

#[cfg(test)]
mod tests {
    use crate::expr::{EvalCtx, Value, parse};
    use chrono::NaiveDate;
    use std::borrow::Cow;

    const HEADERS: [&str; 4] = ["a", "b", "c", "d"];

    /// Evaluates `src` with cells `a`, `b`, `c`, `d` taken from `cells` in order.
    fn eval(src: &str, cells: &[&str]) -> Value<'static> {
        let headers: Vec<String> = HEADERS.map(String::from).into();
        let program = parse(src).unwrap().bind(&headers).unwrap();
        let mut row: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
        row.resize(HEADERS.len(), String::new());
        let ctx = EvalCtx {
            today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        };
        program.eval(&row, &ctx).into_owned()
    }

    fn text(s: &str) -> Value<'static> {
        Value::Text(Cow::Owned(s.to_string()))
    }

    fn n(x: f64) -> Value<'static> {
        Value::Number(x)
    }

    fn is_error(v: &Value) -> bool {
        matches!(v, Value::Error(_))
    }

    #[test]
    fn case_and_trim() {
        assert_eq!(eval("lower(a)", &["ÉLODIE Ünal"]), text("élodie ünal"));
        assert_eq!(eval("upper(a)", &["straße"]), text("STRASSE"));
        assert_eq!(eval("trim(a)", &["  Ada  "]), text("Ada"));
        assert_eq!(eval("lower(a)", &[""]), Value::Empty);
        assert_eq!(eval("upper(3)", &[]), text("3"));
        assert_eq!(eval("trim(' ')", &[]), Value::Empty);
    }

    #[test]
    fn len_counts_characters() {
        assert_eq!(eval("len(a)", &["Sørby"]), n(5.0));
        assert_eq!(eval("len(a)", &["名前"]), n(2.0));
        assert_eq!(eval("len(a)", &[""]), n(0.0));
        assert_eq!(eval("len(1000)", &[]), n(4.0));
    }

    #[test]
    fn contains_and_affixes_ignore_case() {
        assert_eq!(
            eval("contains(a, 'GROWTH')", &["Head of Growth"]),
            Value::Bool(true)
        );
        assert_eq!(eval("contains(a, 'x')", &[""]), Value::Bool(false));
        assert_eq!(
            eval("starts_with(a, 'vp')", &[" VP Sales"]),
            Value::Bool(true)
        );
        assert_eq!(eval("starts_with(a, 'Ärz')", &["ärzte"]), Value::Bool(true));
        assert_eq!(
            eval("ends_with(a, '.IO')", &["ada@x.io "]),
            Value::Bool(true)
        );
        assert_eq!(eval("ends_with(a, 'x')", &[""]), Value::Bool(false));
        assert_eq!(eval("starts_with(a, b)", &["abc", ""]), Value::Bool(false));
    }

    #[test]
    fn replace_is_literal_and_exact() {
        assert_eq!(
            eval("replace(a, ' Inc.', '')", &["Acme Inc."]),
            text("Acme")
        );
        assert_eq!(eval("replace(a, '.', '-')", &["a.b.c"]), text("a-b-c"));
        assert_eq!(eval("replace(a, 'x', 'y')", &["Xx"]), text("Xy"));
        assert_eq!(eval("replace(a, '', 'y')", &["abc"]), text("abc"));
        assert_eq!(eval("replace(a, 'b', c)", &["abc"]), text("ac"));
        assert_eq!(eval("replace(a, 'b', 'c')", &[""]), Value::Empty);
    }

    #[test]
    fn split_part_counts_from_one_or_from_the_end() {
        let loc = ["London, England, United Kingdom"];
        assert_eq!(eval("split_part(a, ',', 1)", &loc), text("London"));
        assert_eq!(eval("split_part(a, ',', 3)", &loc), text("United Kingdom"));
        assert_eq!(eval("split_part(a, ',', -1)", &loc), text("United Kingdom"));
        assert_eq!(eval("split_part(a, ',', 4)", &loc), Value::Empty);
        assert_eq!(eval("split_part(a, ' ', 2)", &["Ada Quill"]), text("Quill"));
        assert_eq!(eval("split_part(a, '→', 2)", &["a→b"]), text("b"));
        assert!(is_error(&eval("split_part(a, ',', 0)", &loc)));
        assert!(is_error(&eval("split_part(a, ',', 1.5)", &loc)));
        assert!(is_error(&eval("split_part(a, '', 1)", &loc)));
        assert_eq!(eval("split_part(a, ',', 1)", &[""]), Value::Empty);
    }

    #[test]
    fn regex_extract_groups() {
        assert_eq!(
            eval(r"regex_extract(a, '\d+')", &["Top 10 of 20"]),
            text("10")
        );
        assert_eq!(
            eval("regex_extract(a, '@(.+)$')", &["ada@x.io"]),
            text("x.io")
        );
        assert_eq!(
            eval("regex_extract(a, '(\\w+)@(.+)', 2)", &["ada@x.io"]),
            text("x.io")
        );
        assert_eq!(
            eval("regex_extract(a, '(\\w+)@', 0)", &["ada@x.io"]),
            text("ada@")
        );
        assert_eq!(eval("regex_extract(a, 'ceo')", &["The CEO"]), text("CEO"));
        assert_eq!(eval("regex_extract(a, 'x')", &["abc"]), Value::Empty);
        assert_eq!(eval("regex_extract(a, '(x)?b')", &["abc"]), Value::Empty);
        assert_eq!(eval("regex_extract(a, 'b')", &[""]), Value::Empty);
        assert_eq!(
            eval("regex_extract(a, 'b', 2)", &["abc"]),
            Value::Error("the pattern has no group 2 (it has 0)".into())
        );
        assert_eq!(eval("regex_extract(a, b)", &["abc", "b."]), text("bc"));
        assert!(is_error(&eval("regex_extract(a, b)", &["abc", "["])));
    }

    #[test]
    fn if_coalesce_is_empty() {
        assert_eq!(eval("if(a > 10, 'big', 'small')", &["48"]), text("big"));
        assert_eq!(eval("if(a > 10, 'big', 'small')", &[""]), text("small"));
        assert_eq!(eval("if(a, 1, 2)", &["TRUE"]), n(1.0));
        // The branch not taken is not evaluated: its error does not matter.
        assert_eq!(eval("if(true, 1, 1 / 0)", &[]), n(1.0));
        assert_eq!(eval("coalesce(a, b, 'none')", &["", " ", ""]), text("none"));
        assert_eq!(eval("coalesce(a, b)", &["", "x"]), text("x"));
        assert_eq!(eval("coalesce(a, b)", &[]), Value::Empty);
        assert_eq!(eval("is_empty(a)", &["  "]), Value::Bool(true));
        assert_eq!(eval("is_empty(a)", &["0"]), Value::Bool(false));
    }

    #[test]
    fn number_and_date_conversions() {
        assert_eq!(eval("number(a)", &["48,210"]), n(48210.0));
        assert_eq!(eval("number(a)", &[""]), Value::Empty);
        assert_eq!(
            eval("number(a)", &["n/a"]),
            Value::Error("number needs a number, not text 'n/a'".into())
        );
        let day = |y, m, d| Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(eval("date(a)", &["2026-02-03T04:05:06Z"]), day(2026, 2, 3));
        assert!(is_error(&eval("date(a)", &["03/02/2026"])));
        assert!(is_error(&eval("date(5)", &[])));
        assert_eq!(eval("days_since(a)", &["2026-11-01"]), n(27.0));
        assert_eq!(eval("days_since(a)", &["2026-12-01"]), n(-3.0));
        assert_eq!(eval("days_since(a)", &[""]), Value::Empty);
        assert!(is_error(&eval("days_since(a)", &["yesterday"])));
    }

    #[test]
    fn lead_helpers() {
        assert_eq!(
            eval("domain_of(a)", &["Ada@Brightforge.Example"]),
            text("brightforge.example")
        );
        assert_eq!(
            eval("domain_of(a)", &["https://www.acme.com/x"]),
            text("acme.com")
        );
        assert_eq!(eval("domain_of(a)", &[""]), Value::Empty);
        assert_eq!(
            eval("domain_of(a)", &["n/a"]),
            Value::Error("no domain in text 'n/a'".into())
        );
        assert_eq!(eval("first_name_of(a)", &["Dr. Elin Sørby"]), text("Elin"));
        assert_eq!(eval("last_name_of(a)", &["Ada Quill Jr."]), text("Quill"));
        assert_eq!(eval("last_name_of(a)", &["Cher"]), Value::Empty);
        assert_eq!(eval("first_name_of(a)", &[""]), Value::Empty);
    }

    #[test]
    fn concat_skips_empty() {
        assert_eq!(
            eval("concat(a, ' ', b)", &["Ada", "Quill"]),
            text("Ada Quill")
        );
        assert_eq!(eval("concat(a, '-', 2, true)", &["x"]), text("x-2true"));
        assert_eq!(eval("concat(a, b)", &[]), Value::Empty);
        assert!(is_error(&eval("concat(a, 1 / 0)", &["x"])));
    }

    #[test]
    fn rounding_and_absolutes() {
        assert_eq!(eval("round(a)", &["2.5"]), n(3.0));
        assert_eq!(eval("round(a)", &["-2.5"]), n(-3.0));
        assert_eq!(eval("round(a, 2)", &["2.71828"]), n(2.72));
        assert_eq!(eval("round(a, -3)", &["48,210"]), n(48000.0));
        assert_eq!(eval("round(a, 400)", &["1.5"]), n(1.5));
        assert_eq!(eval("round(a, -400)", &["1.5"]), n(0.0));
        assert!(is_error(&eval("round(a, 0.5)", &["1"])));
        assert_eq!(eval("round(a)", &[""]), Value::Empty);
        assert_eq!(eval("abs(a)", &["-4"]), n(4.0));
        assert!(is_error(&eval("abs(a)", &["x"])));
    }

    #[test]
    fn min_and_max() {
        assert_eq!(eval("min(a, b, c)", &["3", "", "1,000"]), n(3.0));
        assert_eq!(eval("max(a, b, c)", &["3", "", "1,000"]), n(1000.0));
        assert_eq!(eval("max(a, b)", &[]), Value::Empty);
        assert_eq!(
            eval("min(a, b)", &["2026-01-02", "2025-12-31"]),
            Value::Date(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap())
        );
        assert_eq!(
            eval("max(a, b)", &["3", "x"]),
            Value::Error("max needs numbers or dates, not text 'x'".into())
        );
    }
}
