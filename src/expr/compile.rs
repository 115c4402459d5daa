//! Turns a resolved expression into the node tree that runs on rows, compiling literal regex
//! patterns once.

use super::ast::{BinOp, Expr, ExprKind};
use super::columns::Headers;
use super::error::BindError;
use super::eval::{Arith, Cmp, Node, Pattern};
use super::functions::Func;

/// The node tree for `expr`, whose columns `resolve` already named exactly; the indexes it
/// reads are added to `columns`.
pub(super) fn compile(
    expr: &Expr,
    headers: &Headers,
    columns: &mut Vec<usize>,
) -> Result<Node, BindError> {
    let mut go = |e: &Expr| compile(e, headers, columns).map(Box::new);
    Ok(match &expr.kind {
        ExprKind::Number(n) => Node::Number(*n),
        ExprKind::Text(t) => Node::Text(t.clone()),
        ExprKind::Bool(b) => Node::Bool(*b),
        ExprKind::Column { name, .. } => {
            let col = match headers.exact(name) {
                Some(col) => col,
                None => headers.loose(name, expr.span.start)?,
            };
            columns.push(col);
            Node::Column(col)
        }
        ExprKind::Not(x) => Node::Not(go(x)?),
        ExprKind::Neg(x) => Node::Neg(go(x)?),
        ExprKind::IsEmpty { operand, negated } => {
            let test = Node::IsEmpty(go(operand)?);
            if *negated {
                Node::Not(Box::new(test))
            } else {
                test
            }
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let a = go(lhs)?;
            match op {
                BinOp::Match => Node::Match(a, pattern(rhs, headers, columns)?),
                BinOp::NotMatch => {
                    Node::Not(Box::new(Node::Match(a, pattern(rhs, headers, columns)?)))
                }
                BinOp::Or => Node::Or(a, go(rhs)?),
                BinOp::And => Node::And(a, go(rhs)?),
                BinOp::Eq => Node::Compare(Cmp::Eq, a, go(rhs)?),
                // `a != b` is exactly `not (a = b)`, so it holds for empty cells.
                BinOp::Ne => Node::Not(Box::new(Node::Compare(Cmp::Eq, a, go(rhs)?))),
                BinOp::Lt => Node::Compare(Cmp::Lt, a, go(rhs)?),
                BinOp::Le => Node::Compare(Cmp::Le, a, go(rhs)?),
                BinOp::Gt => Node::Compare(Cmp::Gt, a, go(rhs)?),
                BinOp::Ge => Node::Compare(Cmp::Ge, a, go(rhs)?),
                BinOp::Contains => Node::Contains(a, go(rhs)?),
                BinOp::Add => Node::Arith(Arith::Add, a, go(rhs)?),
                BinOp::Sub => Node::Arith(Arith::Sub, a, go(rhs)?),
                BinOp::Mul => Node::Arith(Arith::Mul, a, go(rhs)?),
                BinOp::Div => Node::Arith(Arith::Div, a, go(rhs)?),
            }
        }
        ExprKind::Call { func, args } => {
            let mut nodes = Vec::with_capacity(args.len());
            for (i, a) in args.iter().enumerate() {
                nodes.push(if *func == Func::RegexExtract && i == 1 {
                    Node::Pattern(pattern(a, headers, columns)?)
                } else {
                    compile(a, headers, columns)?
                });
            }
            Node::Call(*func, nodes)
        }
    })
}

/// A regex operand: compiled now when it is a literal, else compiled per row.
fn pattern(expr: &Expr, headers: &Headers, columns: &mut Vec<usize>) -> Result<Pattern, BindError> {
    let literal = match &expr.kind {
        ExprKind::Text(t) => Some(t.clone()),
        ExprKind::Number(_) | ExprKind::Bool(_) => Some(expr.to_string()),
        _ => None,
    };
    match literal {
        Some(source) => Pattern::fixed(&source).map_err(|message| BindError::InvalidRegex {
            pos: expr.span.start,
            message,
        }),
        None => Ok(Pattern::dynamic(compile(expr, headers, columns)?)),
    }
}
