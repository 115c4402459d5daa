//! The node tree a bound expression runs as, and its evaluation on one row.

use super::arith::{arith, negate};
use super::builtins::call;
use super::functions::Func;
use super::program::{EvalCtx, RowValues};
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
        let Some(text) = value.as_text().filter(|t| !t.trim().is_empty()) else {
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
            Node::Column(col) => match row.get(*col) {
                Some(s) if !s.trim().is_empty() => Value::Text(Cow::Borrowed(s)),
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
                let Some(text) = subject.as_text().filter(|t| !t.trim().is_empty()) else {
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
