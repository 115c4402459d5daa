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
pub use value::Value;
