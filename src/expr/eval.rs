//! The node tree a bound expression runs as, and its evaluation on one row.

use super::arith::{arith, negate};
use super::builtins::call;
use super::functions::Func;
use super::program::{EvalCtx, RowValues};
use super::text::is_blank;
use super::value::{Value, compare, contains};
use regex::{Regex, RegexBuilder};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::{Mutex, PoisonError};

/// Ordering comparisons; `!=` is `not =`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

/// One node of a bound expression.
#[derive(Debug, Clone)]
pub(super) enum Node {
    Text(String),
    Number(f64),
    Bool(bool),
    Column(usize),
    Not(Box<Node>),
    Neg(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Compare(Cmp, Box<Node>, Box<Node>),
    Contains(Box<Node>, Box<Node>),
    Match(Box<Node>, Pattern),
    Arith(Arith, Box<Node>, Box<Node>),
    IsEmpty(Box<Node>),
    Call(Func, Vec<Node>),
    /// A regex argument of a function (`regex_extract`'s pattern).
    Pattern(Pattern),
}

/// A regex operand: compiled at bind time when written as a literal, else compiled when the
/// row's pattern differs from the previous row's.
#[derive(Debug)]
pub(super) enum Pattern {
    Fixed(Regex),
    Dynamic {
        source: Box<Node>,
        last: Mutex<Option<(String, Result<Regex, String>)>>,
    },
}

impl Clone for Pattern {
    fn clone(&self) -> Self {
        match self {
            Pattern::Fixed(re) => Pattern::Fixed(re.clone()),
            Pattern::Dynamic { source, .. } => Pattern::dynamic((**source).clone()),
        }
    }
}

/// Compiles a pattern the way the language matches: ignoring case.
fn build(source: &str) -> Result<Regex, String> {
    RegexBuilder::new(source)
        .case_insensitive(true)
        .build()
        .map_err(|e| {
            // The regex crate's message repeats the pattern with its own caret; keep the
            // line that says what is wrong.
            let text = e.to_string();
            text.lines()
                .rev()
                .find_map(|l| l.strip_prefix("error: "))
                .map_or(text.clone(), str::to_string)
        })
}

impl Pattern {
    pub(super) fn fixed(source: &str) -> Result<Pattern, String> {
        build(source).map(Pattern::Fixed)
    }

    pub(super) fn dynamic(source: Node) -> Pattern {
        Pattern::Dynamic {
            source: Box::new(source),
            last: Mutex::new(None),
        }
    }

    /// Runs `f` with this row's regex: `Ok(None)` when the pattern is blank, `Err` when it
    /// does not compile.
    pub(super) fn with<R>(
        &self,
        row: &dyn RowValues,
        ctx: &EvalCtx,
        f: impl FnOnce(&Regex) -> R,
    ) -> Result<Option<R>, String> {
        let (source, last) = match self {
            Pattern::Fixed(re) => return Ok(Some(f(re))),
            Pattern::Dynamic { source, last } => (source, last),
        };
        let value = source.eval(row, ctx);
        if let Value::Error(e) = value {
            return Err(e);
        }
        let Some(text) = value.as_text().filter(|t| !is_blank(t)) else {
            return Ok(None);
        };
        // A panic elsewhere cannot leave the cache half-written, so a poisoned lock is safe
        // to keep using.
        let mut last = last.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = match last.take() {
            Some(entry) if entry.0 == *text => entry,
            _ => (text.to_string(), build(&text)),
        };
        let result = match &entry.1 {
            Ok(re) => Ok(Some(f(re))),
            Err(message) => Err(format!("invalid regex: {message}")),
        };
        *last = Some(entry);
        result
    }
}

impl Node {
    /// The node's value on `row`.
    pub(super) fn eval<'a>(&'a self, row: &'a dyn RowValues, ctx: &EvalCtx) -> Value<'a> {
        match self {
            Node::Text(t) => Value::Text(Cow::Borrowed(t)),
            Node::Number(n) => Value::Number(*n),
            Node::Bool(b) => Value::Bool(*b),
            Node::Column(col) => match row.cell(*col) {
                Some(s) if !is_blank(s) => Value::Text(Cow::Borrowed(s)),
                _ => Value::Empty,
            },
            Node::Not(x) => Value::Bool(!x.eval(row, ctx).truthy()),
            Node::And(a, b) => Value::Bool(a.eval(row, ctx).truthy() && b.eval(row, ctx).truthy()),
            Node::Or(a, b) => Value::Bool(a.eval(row, ctx).truthy() || b.eval(row, ctx).truthy()),
            Node::Neg(x) => negate(x.eval(row, ctx)),
            Node::Compare(op, a, b) => {
                let order = compare(&a.eval(row, ctx), &b.eval(row, ctx));
                Value::Bool(match op {
                    Cmp::Eq => order == Some(Ordering::Equal),
                    Cmp::Lt => order == Some(Ordering::Less),
                    Cmp::Gt => order == Some(Ordering::Greater),
                    Cmp::Le => matches!(order, Some(Ordering::Less | Ordering::Equal)),
                    Cmp::Ge => matches!(order, Some(Ordering::Greater | Ordering::Equal)),
                })
            }
            Node::Contains(a, b) => Value::Bool(contains(&a.eval(row, ctx), &b.eval(row, ctx))),
            Node::Match(subject, pattern) => {
                let subject = subject.eval(row, ctx);
                let Some(text) = subject.as_text().filter(|t| !is_blank(t)) else {
                    return Value::Bool(false);
                };
                match pattern.with(row, ctx, |re| re.is_match(&text)) {
                    Ok(found) => Value::Bool(found == Some(true)),
                    Err(e) => Value::Error(e),
                }
            }
            Node::Arith(op, a, b) => arith(*op, a.eval(row, ctx), b.eval(row, ctx)),
            Node::IsEmpty(x) => Value::Bool(x.eval(row, ctx).is_blank()),
            Node::Call(func, args) => call(*func, args, row, ctx),
            Node::Pattern(Pattern::Fixed(re)) => Value::Text(Cow::Borrowed(re.as_str())),
            Node::Pattern(Pattern::Dynamic { source, .. }) => source.eval(row, ctx),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::expr::{BindError, EvalCtx, RowValues, Value, parse};
    use chrono::NaiveDate;
    use std::borrow::Cow;

    const HEADERS: [&str; 8] = [
        "name",
        "title",
        "follower_count",
        "email",
        "signup",
        "verified",
        "note",
        "score",
    ];

    fn headers() -> Vec<String> {
        HEADERS.map(String::from).into()
    }

    fn ctx() -> EvalCtx {
        EvalCtx {
            today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        }
    }

    fn row(cells: &[(&str, &str)]) -> Vec<String> {
        let mut row = vec![String::new(); HEADERS.len()];
        for (col, cell) in cells {
            row[HEADERS.iter().position(|h| h == col).unwrap()] = cell.to_string();
        }
        row
    }

    fn eval(src: &str, cells: &[(&str, &str)]) -> Value<'static> {
        let program = parse(src).unwrap().bind(&headers()).unwrap();
        program.eval(&row(cells), &ctx()).into_owned()
    }

    fn holds(src: &str, cells: &[(&str, &str)]) -> bool {
        let program = parse(src).unwrap().bind(&headers()).unwrap();
        program.matches(&row(cells), &ctx())
    }

    fn text(s: &str) -> Value<'static> {
        Value::Text(Cow::Owned(s.to_string()))
    }

    #[test]
    fn empty_never_satisfies_a_comparison() {
        for cell in ["", "   "] {
            for op in ["=", "==", "<", "<=", ">", ">=", "~", "contains"] {
                for src in [format!("note {op} 'x'"), format!("'x' {op} note")] {
                    assert!(!holds(&src, &[("note", cell)]), "{src} on {cell:?}");
                }
                let both = format!("note {op} email");
                assert!(!holds(&both, &[("note", cell), ("email", cell)]), "{both}");
            }
            assert!(holds("note != 'x'", &[("note", cell)]));
            assert!(holds("note <> 'x'", &[("note", cell)]));
            assert!(holds("note !~ 'x'", &[("note", cell)]));
            assert!(holds("not (note = 'x')", &[("note", cell)]));
            assert!(holds("note is empty", &[("note", cell)]));
            assert!(!holds("note is not empty", &[("note", cell)]));
            assert!(holds("note empty", &[("note", cell)]));
            assert!(!holds("note !empty", &[("note", cell)]));
        }
    }

    #[test]
    fn cells_the_grid_withholds_are_empty() {
        /// A row whose enrichment cell (column 2) is still running: it has text but no value.
        struct Running(Vec<String>);
        impl RowValues for Running {
            fn cell(&self, col: usize) -> Option<&str> {
                (col != 2).then(|| self.0.cell(col)).flatten()
            }
        }
        let program = parse("followers > 1000").unwrap().bind(&headers()).unwrap();
        let cells = Running(row(&[("follower_count", "48,210")]));
        assert!(!program.matches(&cells, &ctx()));
        assert!(program.matches(&row(&[("follower_count", "48,210")]), &ctx()));
        let empty = parse("followers is empty")
            .unwrap()
            .bind(&headers())
            .unwrap();
        assert!(empty.matches(&cells, &ctx()));
    }

    #[test]
    fn numbers_compare_as_numbers() {
        let f = |cell| holds("followers > 1000", &[("follower_count", cell)]);
        assert!(f("48,210"));
        assert!(f(" 1_001 "));
        assert!(!f("999"));
        assert!(!f("1000"));
        assert!(!f("n/a"));
        assert!(!f(""));
        assert!(holds("followers >= 1000", &[("follower_count", "1000")]));
        assert!(holds("followers <= 1e3", &[("follower_count", "1,000")]));
        assert!(holds("followers = 1000", &[("follower_count", "1,000")]));
        assert!(holds("followers < -1", &[("follower_count", "-2.5")]));
        // Two cells that both read as numbers compare as numbers, not as text.
        let cells = [("score", "10"), ("follower_count", "9")];
        assert!(holds("score > follower_count", &cells));
        // A bare word that names no column exactly is text on the right of a comparison.
        assert!(!holds("score > followers", &cells));
        assert!(holds("score = '10.0'", &[("score", "10")]));
    }

    #[test]
    fn text_compares_ignoring_case_and_spaces() {
        assert!(holds("title = CEO", &[("title", " ceo ")]));
        assert!(holds(
            "title = 'Head of Growth'",
            &[("title", "head of growth")]
        ));
        assert!(!holds("title = CEO", &[("title", "CEO & Founder")]));
        assert!(holds("title < 'b'", &[("title", "Apple")]));
        assert!(holds("name = 'ÉLODIE'", &[("name", "élodie")]));
        assert!(holds("name contains 'sørby'", &[("name", "Elin SØRBY")]));
        assert!(holds("name != Ada", &[("name", "Bram")]));
        assert!(!holds("name != Ada", &[("name", "ada")]));
    }

    #[test]
    fn dates_compare_as_dates() {
        let s = |cell| [("signup", cell)];
        assert!(holds("signup > '2026-01-01'", &s("2026-03-05T10:00:00Z")));
        assert!(holds("signup < date('2026-01-01')", &s("2025-12-31")));
        assert!(holds(
            "signup = '2026-03-05'",
            &s("2026-03-05T23:59:59-08:00")
        ));
        assert!(!holds("signup > 3", &s("2026-03-05")));
        assert!(!holds("signup > date('2026-01-01')", &s("soon")));
    }

    #[test]
    fn booleans() {
        assert!(holds("verified = true", &[("verified", "TRUE")]));
        assert!(!holds("verified = true", &[("verified", "yes")]));
        assert!(holds("verified", &[("verified", " true ")]));
        assert!(!holds("verified", &[("verified", "false")]));
        assert!(holds(
            "verified and title = CEO",
            &[("verified", "true"), ("title", "ceo")]
        ));
        assert!(holds("true", &[]));
        assert!(!holds("false", &[]));
    }

    #[test]
    fn logic_treats_empty_and_errors_as_false() {
        assert!(!holds("note and true", &[]));
        assert!(holds("note or true", &[]));
        assert!(holds("not note", &[]));
        assert!(!holds("1 / 0 and true", &[]));
        assert!(holds("1 / 0 or true", &[]));
        assert!(holds("not (1 / 0)", &[]));
        assert!(!holds("(1 / 0) = 1", &[]));
        assert!(holds("(1 / 0) != 1", &[]));
        // Only a true result passes: text and numbers do not.
        assert!(!holds("title", &[("title", "CEO")]));
        assert!(!holds("1", &[]));
        assert_eq!(eval("note", &[]), Value::Empty);
    }

    #[test]
    fn arithmetic() {
        assert_eq!(eval("score * 2", &[("score", "2.5")]), Value::Number(5.0));
        assert_eq!(eval("-score", &[("score", "2")]), Value::Number(-2.0));
        assert_eq!(eval("1 + 2 * 3", &[]), Value::Number(7.0));
        assert_eq!(eval("(1 + 2) * 3", &[]), Value::Number(9.0));
        assert_eq!(eval("7 - 2 - 1", &[]), Value::Number(4.0));
        assert_eq!(
            eval(
                "name + ' <' + email + '>'",
                &[("name", "Ada"), ("email", "a@x.io")]
            ),
            text("Ada <a@x.io>")
        );
        assert_eq!(eval("score + 1", &[]), Value::Empty);
        assert_eq!(
            eval("title * 2", &[("title", "CEO")]),
            Value::Error("cannot multiply text 'CEO' and number 2".into())
        );
        assert_eq!(
            eval("score / 0", &[("score", "3")]),
            Value::Error("division by zero".into())
        );
        assert_eq!(
            eval("signup + 30", &[("signup", "2026-11-28")]),
            Value::Date(NaiveDate::from_ymd_opt(2026, 12, 28).unwrap())
        );
    }

    #[test]
    fn regex_matches_ignore_case() {
        let t = |cell| [("title", cell)];
        assert!(holds("title ~ '^(ceo|founder)$'", &t("Founder")));
        assert!(!holds("title ~ '^(ceo|founder)$'", &t("Co-founder")));
        assert!(holds("title ~ founder", &t("Co-Founder")));
        assert!(holds(r"title ~ '\d+'", &t("Top 10")));
        assert!(holds("title !~ 'ceo'", &t("CTO")));
        assert!(!holds("title !~ 'ceo'", &t("ceo")));
        assert!(holds("score ~ '^4'", &[("score", "48,210")]));
    }

    #[test]
    fn patterns_from_cells_compile_per_row() {
        let program = parse("title ~ note").unwrap().bind(&headers()).unwrap();
        let check = |title, note| {
            program
                .eval(&row(&[("title", title), ("note", note)]), &ctx())
                .into_owned()
        };
        assert_eq!(check("CEO", "^c"), Value::Bool(true));
        assert_eq!(check("CEO", "^c"), Value::Bool(true));
        assert_eq!(check("CEO", "o$"), Value::Bool(true));
        assert_eq!(check("CEO", "^x"), Value::Bool(false));
        assert_eq!(check("CEO", ""), Value::Bool(false));
        assert_eq!(
            check("CEO", "("),
            Value::Error("invalid regex: unclosed group".into())
        );
        assert_eq!(check("CEO", "e"), Value::Bool(true));
        let copy = program.clone();
        assert!(copy.matches(&row(&[("title", "CEO"), ("note", "c")]), &ctx()));
    }

    #[test]
    fn invalid_literal_patterns_fail_to_bind() {
        let e = parse("title ~ '('").unwrap().bind(&headers()).unwrap_err();
        assert_eq!(
            e,
            BindError::InvalidRegex {
                pos: 8,
                message: "unclosed group".into()
            }
        );
        assert_eq!(
            e.render("title ~ '('"),
            "title ~ '('\n        ^\ninvalid regex: unclosed group"
        );
        let e = parse("regex_extract(note, '[')").unwrap().bind(&headers());
        assert!(matches!(e, Err(BindError::InvalidRegex { pos: 20, .. })));
    }

    #[test]
    fn programs_know_their_columns_and_show_their_binding() {
        let p = parse("followers > 1000 and title = CEO or EMAIL is empty")
            .unwrap()
            .bind(&headers())
            .unwrap();
        assert_eq!(p.columns(), &[1, 2, 3]);
        assert_eq!(
            p.to_string(),
            "follower_count > 1000 and title = 'CEO' or email is empty"
        );
        let p = parse("lower(note) ~ title")
            .unwrap()
            .bind(&headers())
            .unwrap();
        assert_eq!(p.columns(), &[1, 6]);
        assert_eq!(
            parse("1 + 1").unwrap().bind(&headers()).unwrap().columns(),
            &[] as &[usize]
        );
    }

    #[test]
    fn programs_can_be_shared_with_scan_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<crate::expr::Program>();
    }

    #[test]
    fn text_borrows_from_the_row() {
        let program = parse("trim(name)").unwrap().bind(&headers()).unwrap();
        let cells = row(&[("name", " Ada ")]);
        let value = program.eval(&cells, &ctx());
        assert!(matches!(value, Value::Text(Cow::Borrowed("Ada"))));
    }

    #[test]
    fn the_documented_join_keeps_its_space() {
        let program = parse("name + ' ' + upper(title)")
            .unwrap()
            .bind(&headers())
            .unwrap();
        let cells = row(&[("name", "Ada"), ("title", "ceo")]);
        assert_eq!(program.eval(&cells, &ctx()).into_cell_text(), "Ada CEO");
        let cells = row(&[("name", "Ada")]);
        assert_eq!(program.eval(&cells, &ctx()).into_cell_text(), "Ada ");
    }
}
