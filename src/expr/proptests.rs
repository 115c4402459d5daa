//! Property tests: printing and re-parsing is stable, and nothing panics on any input.

use super::ast::{BinOp, Expr, ExprKind, Span, is_keyword};
use super::functions::Func;
use super::{EvalCtx, parse, parse_filter};
use chrono::NaiveDate;
use proptest::prelude::*;

const OPS: [BinOp; 15] = [
    BinOp::Or,
    BinOp::And,
    BinOp::Eq,
    BinOp::Ne,
    BinOp::Lt,
    BinOp::Le,
    BinOp::Gt,
    BinOp::Ge,
    BinOp::Match,
    BinOp::NotMatch,
    BinOp::Contains,
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::Div,
];

/// Headers the evaluation properties bind against.
const HEADERS: [&str; 5] = ["name", "follower_count", "First Name", "signup", "and"];

fn node(kind: ExprKind) -> Expr {
    Expr::new(kind, Span::default())
}

/// Leaves: any finite number, any text, booleans, bare and backticked column names.
fn leaf(columns: BoxedStrategy<(String, bool)>) -> BoxedStrategy<Expr> {
    prop_oneof![
        any::<f64>()
            .prop_filter("finite", |n| n.is_finite())
            .prop_map(ExprKind::Number),
        prop_oneof![Just(0.0), Just(-1.5), Just(1000.0), Just(1e-7)].prop_map(ExprKind::Number),
        any::<String>().prop_map(ExprKind::Text),
        "[a-z0-9 ,.@()|^$\\\\'\"]{0,12}".prop_map(ExprKind::Text),
        any::<bool>().prop_map(ExprKind::Bool),
        columns.prop_map(|(name, quoted)| ExprKind::Column { name, quoted }),
    ]
    .prop_map(node)
    .boxed()
}

/// Trees of every node kind, calls with an argument count each function accepts.
fn tree(columns: BoxedStrategy<(String, bool)>) -> impl Strategy<Value = Expr> {
    leaf(columns).prop_recursive(6, 48, 4, |inner| {
        let func = proptest::sample::select(Func::all().collect::<Vec<_>>());
        prop_oneof![
            inner.clone().prop_map(|x| node(ExprKind::Not(Box::new(x)))),
            inner.clone().prop_map(|x| node(ExprKind::Neg(Box::new(x)))),
            (inner.clone(), any::<bool>()).prop_map(|(x, negated)| node(ExprKind::IsEmpty {
                operand: Box::new(x),
                negated
            })),
            (
                proptest::sample::select(OPS.to_vec()),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(op, lhs, rhs)| node(ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs)
                })),
            (func, proptest::collection::vec(inner, 0..5)).prop_map(|(func, mut args)| {
                let (min, max) = func.arity();
                let max = max.unwrap_or(min + 3);
                while args.len() < min {
                    args.push(node(ExprKind::Bool(true)));
                }
                args.truncate(max);
                node(ExprKind::Call { func, args })
            }),
        ]
    })
}

/// Any column name: bare ones are valid non-keyword words, others are backticked.
fn any_column() -> BoxedStrategy<(String, bool)> {
    prop_oneof![
        "[a-zA-Z_][a-zA-Z0-9_]{0,8}"
            .prop_filter("not a keyword", |w| !is_keyword(w))
            .prop_map(|w| (w, false)),
        "[^`]{1,10}".prop_map(|w| (w, true)),
        ".{1,10}".prop_map(|w| (w, true)),
    ]
    .boxed()
}

/// Names of `HEADERS`, so binding finds them.
fn sheet_column() -> BoxedStrategy<(String, bool)> {
    proptest::sample::select(HEADERS.to_vec())
        .prop_map(|h| (h.to_string(), true))
        .boxed()
}

/// Token soup: pieces of the language in any order, to reach deep into the parser.
fn soup() -> impl Strategy<Value = String> {
    let pieces = proptest::sample::select(vec![
        "(",
        ")",
        ",",
        "and",
        "or",
        "not",
        "!",
        "is",
        "empty",
        "contains",
        "=",
        "!=",
        "<>",
        "<=",
        "~",
        "!~",
        "+",
        "-",
        "*",
        "/",
        "'x'",
        "\"",
        "'",
        "`a b`",
        "`",
        "1",
        "1e3",
        "-2.5",
        "x",
        "lower",
        "if",
        "round",
        "regex_extract",
        "true",
        "&&",
        "||",
        " ",
        "\\",
        "é",
        "名",
    ]);
    proptest::collection::vec(pieces, 0..24).prop_map(|p| p.join(" "))
}

fn ctx() -> EvalCtx {
    EvalCtx {
        today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
    }
}

/// Cell text that exercises typing: numbers, dates, booleans, blanks and anything.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ 0-9,._eE+-]{0,10}",
        "(19|20|99)[0-9]{2}-[01][0-9]-[0-3][0-9](T[0-2][0-9]:00:00Z)?",
        Just(String::new()),
        Just("true".to_string()),
        Just("(".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn printing_then_parsing_gives_the_same_tree(e in tree(any_column())) {
        let printed = e.to_string();
        prop_assert_eq!(parse(&printed), Ok(e), "printed as {}", printed);
    }

    #[test]
    fn parse_never_panics(src in any::<String>()) {
        let _ = parse(&src);
        let _ = parse_filter(&src, &HEADERS.map(String::from));
    }

    #[test]
    fn parse_never_panics_on_token_soup(src in soup()) {
        if let Ok(e) = parse(&src) {
            prop_assert_eq!(parse(&e.to_string()), Ok(e));
        }
        if let Err(e) = parse_filter(&src, &HEADERS.map(String::from)) {
            let _ = e.render(&src);
        }
    }

    #[test]
    fn eval_never_panics(
        e in tree(sheet_column()),
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..7), 1..4),
    ) {
        let headers = HEADERS.map(String::from);
        if let Ok(program) = e.bind(&headers) {
            for row in &rows {
                let value = program.eval(row, &ctx());
                let _ = value.to_cell_text();
                let _ = program.matches(row, &ctx());
            }
        }
    }
}
