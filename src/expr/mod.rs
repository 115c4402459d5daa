//! One small expression language for grid filters (`|`), "only run if" conditions and formula
//! columns: `parse` gives an `Expr`, `Expr::bind` resolves it against a sheet's headers into a
//! `Program`, and `Program::eval` runs it on a row. The user's reference is
//! `docs/EXPRESSIONS.md`.

mod arith;
mod ast;
mod builtins;
mod columns;
mod compile;
mod error;
mod eval;
mod filter;
mod functions;
mod leads;
mod lexer;
mod parser;
mod program;
#[cfg(test)]
mod proptests;
mod resolve;
mod text;
mod value;

pub use ast::{BinOp, Expr, ExprKind, Span};
pub use error::{BindError, FilterError, ParseError};
pub use filter::{Filter, parse_filter};
pub use functions::Func;
pub use parser::parse;
pub use program::{EvalCtx, Program, RowValues};
pub use text::{SortKey, contains_ci};
pub use value::Value;

#[cfg(test)]
mod doc_tests {
    use super::*;
    use chrono::NaiveDate;

    const DOC: &str = include_str!("../../docs/EXPRESSIONS.md");

    /// Every `expr` → `result` example in the reference's function table gives that result.
    #[test]
    fn reference_examples_hold() {
        let example = regex::Regex::new(r"`([^`]+)`(?: on [0-9-]+)? → `([^`]*)`").expect("pattern");
        let ctx = EvalCtx {
            today: NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
        };
        let mut checked = 0;
        let rows = DOC.lines().filter(|l| l.starts_with("| `"));
        for caps in rows.filter_map(|l| example.captures(l)) {
            let (src, want) = (&caps[1], &caps[2]);
            let expr = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
            let program = expr.bind(&[]).unwrap_or_else(|e| panic!("{src}: {e}"));
            let got = program.eval(&Vec::new(), &ctx).into_cell_text();
            assert_eq!(got, want, "{src}");
            checked += 1;
        }
        assert!(checked >= 23, "only {checked} examples found");
    }

    /// The reference's error picture is what the filter prompt renders.
    #[test]
    fn reference_error_picture_holds() {
        let block = DOC
            .split("the error shows where:\n\n```\n")
            .nth(1)
            .and_then(|rest| rest.split("\n```").next())
            .expect("error block");
        let src = block.lines().next().expect("first line");
        let headers = ["follower_count", "title"].map(String::from);
        let e = parse_filter(src, &headers).expect_err("an error");
        assert_eq!(e.render(src), block);
    }
}
