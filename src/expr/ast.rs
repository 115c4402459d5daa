//! The syntax tree, and its canonical text form (`Display`), which parses back to the same tree.

use super::functions::Func;
use super::lexer::{is_word_char, is_word_start};
use std::fmt;

/// Words that are operators or literals, so a column with such a name needs backticks.
pub(super) const KEYWORDS: [&str; 8] = [
    "and", "or", "not", "contains", "is", "empty", "true", "false",
];

/// Whether `word` is a keyword (any case).
pub(super) fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Byte range of a node in the source it was parsed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// A parsed expression: what it says, and where in the source it was written.
///
/// Equality compares what it says and ignores `span`, so an expression equals the parse of its
/// canonical form.
#[derive(Debug, Clone)]
pub struct Expr {
    /// The node.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

/// The kinds of node.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number literal (finite).
    Number(f64),
    /// A quoted text literal.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// A column by name. `quoted` when written in backticks: then it is always a column, while
    /// a bare word beside a comparison that names no column is read as text (`title = CEO`).
    Column {
        /// The name as written.
        name: String,
        /// Written in backticks.
        quoted: bool,
    },
    /// `not x` (also written `!x`).
    Not(Box<Expr>),
    /// `-x`.
    Neg(Box<Expr>),
    /// `a op b`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `x is empty`, or `x is not empty` when `negated`.
    IsEmpty {
        /// The value tested.
        operand: Box<Expr>,
        /// `is not empty`.
        negated: bool,
    },
    /// `f(a, b)`; the parser checked the number of arguments.
    Call {
        /// The function.
        func: Func,
        /// Its arguments.
        args: Vec<Expr>,
    },
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `or`, `||`
    Or,
    /// `and`, `&&`
    And,
    /// `=`, `==`
    Eq,
    /// `!=`, `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `~`: regex match, case-insensitive.
    Match,
    /// `!~`
    NotMatch,
    /// `contains`: substring, case-insensitive.
    Contains,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// Binding strength, loosest first. Comparisons do not chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Prec {
    Or,
    And,
    Not,
    Compare,
    Postfix,
    Sum,
    Product,
    Neg,
    Atom,
}

impl BinOp {
    /// The canonical spelling.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Match => "~",
            BinOp::NotMatch => "!~",
            BinOp::Contains => "contains",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    pub(super) fn prec(self) -> Prec {
        match self {
            BinOp::Or => Prec::Or,
            BinOp::And => Prec::And,
            BinOp::Add | BinOp::Sub => Prec::Sum,
            BinOp::Mul | BinOp::Div => Prec::Product,
            _ => Prec::Compare,
        }
    }

    /// Whether it is a comparison (`= != < <= > >= ~ !~ contains`).
    pub fn is_comparison(self) -> bool {
        self.prec() == Prec::Compare
    }
}

impl Expr {
    /// A node at `span`.
    pub(super) fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    fn prec(&self) -> Prec {
        match &self.kind {
            ExprKind::Binary { op, .. } => op.prec(),
            ExprKind::Not(_) => Prec::Not,
            ExprKind::IsEmpty { .. } => Prec::Postfix,
            ExprKind::Neg(_) => Prec::Neg,
            _ => Prec::Atom,
        }
    }

    /// The column names it mentions, as written, each once, in order of appearance. A bare
    /// word beside a comparison may still turn out to be text when bound (`title = CEO`).
    pub fn column_names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.visit(&mut |e| {
            if let ExprKind::Column { name, .. } = &e.kind
                && !names.contains(&name.as_str())
            {
                names.push(name.as_str());
            }
        });
        names
    }

    /// Calls `f` on this node and every node below it, parents first.
    pub(super) fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Not(x) | ExprKind::Neg(x) => x.visit(f),
            ExprKind::IsEmpty { operand, .. } => operand.visit(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.visit(f);
                rhs.visit(f);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|a| a.visit(f)),
            ExprKind::Number(_)
            | ExprKind::Text(_)
            | ExprKind::Bool(_)
            | ExprKind::Column { .. } => {}
        }
    }

    /// Writes `self` as an operand of an operator binding at `parent`, in parentheses when it
    /// binds more loosely, or equally on the side where the parser would not put it.
    fn write_operand(
        &self,
        f: &mut fmt::Formatter<'_>,
        parent: Prec,
        equal_ok: bool,
    ) -> fmt::Result {
        let own = self.prec();
        if own < parent || (own == parent && !equal_ok) {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

/// Whether `name` can be written without backticks.
pub(super) fn is_bare_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_word_start) && chars.all(is_word_char) && !is_keyword(name)
}

fn write_text(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("'")?;
    for c in text.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\'' => f.write_str("\\'")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("'")
}

/// The canonical form: lower-case keywords, `=` and `!=`, single-quoted text, backticks only
/// where needed (or where written), and only the parentheses the tree needs.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Number(n) => write!(f, "{n}"),
            ExprKind::Text(t) => write_text(f, t),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Column { name, quoted } => {
                if !quoted && is_bare_name(name) {
                    f.write_str(name)
                } else {
                    write!(f, "`{}`", name.replace('`', "``"))
                }
            }
            ExprKind::Not(x) => {
                f.write_str("not ")?;
                x.write_operand(f, Prec::Not, true)
            }
            ExprKind::Neg(x) => {
                f.write_str("-")?;
                // A number right after `-` would read back as a negative literal.
                if matches!(x.kind, ExprKind::Number(_)) {
                    write!(f, "({x})")
                } else {
                    x.write_operand(f, Prec::Neg, true)
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let prec = op.prec();
                lhs.write_operand(f, prec, !op.is_comparison())?;
                write!(f, " {} ", op.symbol())?;
                rhs.write_operand(f, prec, false)
            }
            ExprKind::IsEmpty { operand, negated } => {
                operand.write_operand(f, Prec::Postfix, true)?;
                f.write_str(if *negated {
                    " is not empty"
                } else {
                    " is empty"
                })
            }
            ExprKind::Call { func, args } => {
                write!(f, "{}(", func.name())?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
        }
    }
}
