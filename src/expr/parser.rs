//! Recursive-descent parser, one function per precedence level, loosest first:
//! `or`, `and`, `not`, comparisons, postfix `is empty`, `+ -`, `* /`, unary `-`, atoms.

use super::ast::{BinOp, Expr, ExprKind, Span, is_keyword};
use super::error::ParseError;
use super::functions::Func;
use super::lexer::{Tok, Token, lex};

/// How deep parentheses, calls, `not` and `-` may nest while parsing.
const MAX_NESTING: usize = 200;

/// How deep the finished tree may be, so that binding, printing and evaluating (recursive, and
/// run on worker threads with small stacks) never run out of stack.
const MAX_TREE_DEPTH: usize = 1000;

/// Longest input in tokens; it bounds the depth of a tree that is built and then rejected.
const MAX_TOKENS: usize = 10_000;

/// Parses one expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let tokens = lex(src)?;
    if let Some(t) = tokens.get(MAX_TOKENS) {
        return Err(ParseError::new(t.start, "expression too long"));
    }
    let mut p = Parser {
        tokens,
        at: 0,
        end: src.len(),
        depth: 0,
    };
    if p.tokens.is_empty() {
        return Err(ParseError::new(0, "empty expression"));
    }
    let expr = p.or()?;
    if let Some(t) = p.peek_token() {
        return Err(p.unexpected(t));
    }
    if tree_depth(&expr) > MAX_TREE_DEPTH {
        return Err(ParseError::new(0, "expression nested too deeply"));
    }
    Ok(expr)
}

/// Depth of the tree, counted without recursion.
fn tree_depth(root: &Expr) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(root, 1)];
    while let Some((e, d)) = stack.pop() {
        deepest = deepest.max(d);
        match &e.kind {
            ExprKind::Not(x) | ExprKind::Neg(x) => stack.push((x, d + 1)),
            ExprKind::IsEmpty { operand, .. } => stack.push((operand, d + 1)),
            ExprKind::Binary { lhs, rhs, .. } => {
                stack.push((lhs, d + 1));
                stack.push((rhs, d + 1));
            }
            ExprKind::Call { args, .. } => stack.extend(args.iter().map(|a| (a, d + 1))),
            ExprKind::Number(_)
            | ExprKind::Text(_)
            | ExprKind::Bool(_)
            | ExprKind::Column { .. } => {}
        }
    }
    deepest
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    /// Source length: where "unexpected end" points.
    end: usize,
    depth: usize,
}

fn span(a: &Expr, b: &Expr) -> Span {
    Span {
        start: a.span.start,
        end: b.span.end,
    }
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = span(&lhs, &rhs);
    Expr::new(
        ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        span,
    )
}

impl Parser {
    fn peek_token(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn peek(&self) -> Option<&Tok> {
        self.peek_token().map(|t| &t.tok)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Tok> {
        self.tokens.get(self.at + ahead).map(|t| &t.tok)
    }

    /// Where the next token starts (the end of the source after the last one).
    fn pos(&self) -> usize {
        self.peek_token().map_or(self.end, |t| t.start)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn is_keyword_at(&self, ahead: usize, keyword: &str) -> bool {
        matches!(self.peek_at(ahead), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(keyword))
    }

    /// Consumes the next token if `accept` maps it to something.
    fn take<T>(&mut self, accept: impl Fn(&Tok) -> Option<T>) -> Option<T> {
        let found = self.peek().and_then(accept)?;
        self.at += 1;
        Some(found)
    }

    fn unexpected(&self, t: &Token) -> ParseError {
        let message = match &t.tok {
            Tok::RParen => "unmatched ')'".to_string(),
            Tok::Word(w) if !is_keyword(w) => format!(
                "unexpected word '{w}': put text with spaces in quotes, e.g. 'head of growth'"
            ),
            _ => format!("unexpected {}", describe(&t.tok)),
        };
        ParseError::new(t.start, message)
    }

    fn nest(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ParseError::new(self.pos(), "expression nested too deeply"));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.and()?;
        while self
            .take(|t| match t {
                Tok::OrOr => Some(()),
                Tok::Word(w) if w.eq_ignore_ascii_case("or") => Some(()),
                _ => None,
            })
            .is_some()
        {
            let rhs = self.and()?;
            lhs = binary(BinOp::Or, lhs, rhs);
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.not()?;
        while self
            .take(|t| match t {
                Tok::AndAnd => Some(()),
                Tok::Word(w) if w.eq_ignore_ascii_case("and") => Some(()),
                _ => None,
            })
            .is_some()
        {
            let rhs = self.not()?;
            lhs = binary(BinOp::And, lhs, rhs);
        }
        Ok(lhs)
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        let start = self.pos();
        let is_not = matches!(self.peek(), Some(Tok::Bang)) || self.is_keyword_at(0, "not");
        if !is_not {
            return self.comparison();
        }
        self.bump();
        self.nest()?;
        let operand = self.not()?;
        self.depth -= 1;
        let span = Span {
            start,
            end: operand.span.end,
        };
        Ok(Expr::new(ExprKind::Not(Box::new(operand)), span))
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let lhs = self.postfix()?;
        let Some(op) = self.take(comparison_op) else {
            return Ok(lhs);
        };
        let rhs = self.postfix()?;
        if let Some(t) = self.peek_token()
            && comparison_op(&t.tok).is_some()
        {
            return Err(ParseError::new(
                t.start,
                "comparisons don't chain: join them with 'and'",
            ));
        }
        Ok(binary(op, lhs, rhs))
    }

    /// `x is empty`, `x is not empty`, and the older `x empty`, `x not empty`, `x !empty`.
    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let mut operand = self.sum()?;
        loop {
            let negated = if self.is_keyword_at(0, "is") {
                let not = self.is_keyword_at(1, "not");
                let at = 1 + usize::from(not);
                if !self.is_keyword_at(at, "empty") {
                    let pos = self.tokens.get(self.at + at).map_or(self.end, |t| t.start);
                    return Err(ParseError::new(
                        pos,
                        "expected 'empty' after 'is' (or 'is not')",
                    ));
                }
                self.at += at;
                not
            } else if self.is_keyword_at(0, "empty") {
                false
            } else if (self.is_keyword_at(0, "not") || matches!(self.peek(), Some(Tok::Bang)))
                && self.is_keyword_at(1, "empty")
            {
                self.at += 1;
                true
            } else {
                return Ok(operand);
            };
            let end = self.bump().map_or(self.end, |t| t.end);
            let span = Span {
                start: operand.span.start,
                end,
            };
            operand = Expr::new(
                ExprKind::IsEmpty {
                    operand: Box::new(operand),
                    negated,
                },
                span,
            );
        }
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.product()?;
        while let Some(op) = self.take(|t| match t {
            Tok::Plus => Some(BinOp::Add),
            Tok::Minus => Some(BinOp::Sub),
            _ => None,
        }) {
            let rhs = self.product()?;
            lhs = binary(op, lhs, rhs);
        }
        Ok(lhs)
    }

    fn product(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.negation()?;
        while let Some(op) = self.take(|t| match t {
            Tok::Star => Some(BinOp::Mul),
            Tok::Slash => Some(BinOp::Div),
            _ => None,
        }) {
            let rhs = self.negation()?;
            lhs = binary(op, lhs, rhs);
        }
        Ok(lhs)
    }

    /// Unary minus; `-` right before a number is a negative literal.
    fn negation(&mut self) -> Result<Expr, ParseError> {
        if !matches!(self.peek(), Some(Tok::Minus)) {
            return self.atom();
        }
        let start = self.pos();
        self.bump();
        if let Some(Tok::Number(n)) = self.peek() {
            let n = -*n;
            let end = self.bump().map_or(self.end, |t| t.end);
            return Ok(Expr::new(ExprKind::Number(n), Span { start, end }));
        }
        self.nest()?;
        let operand = self.negation()?;
        self.depth -= 1;
        let span = Span {
            start,
            end: operand.span.end,
        };
        Ok(Expr::new(ExprKind::Neg(Box::new(operand)), span))
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let Some(t) = self.bump() else {
            return Err(ParseError::new(
                self.end,
                "unexpected end: expected a value",
            ));
        };
        let span = Span {
            start: t.start,
            end: t.end,
        };
        let kind = match t.tok {
            Tok::Number(n) => ExprKind::Number(n),
            Tok::Str(s) => ExprKind::Text(s),
            Tok::Quoted(name) => ExprKind::Column { name, quoted: true },
            Tok::LParen => {
                self.nest()?;
                let inner = self.or()?;
                self.depth -= 1;
                let end = self.expect_close(t.start)?;
                // The node keeps its own kind; the span grows to cover the parentheses.
                return Ok(Expr::new(
                    inner.kind,
                    Span {
                        start: t.start,
                        end,
                    },
                ));
            }
            Tok::Word(w) if matches!(self.peek(), Some(Tok::LParen)) => {
                return self.call(&w, span);
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => ExprKind::Bool(true),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => ExprKind::Bool(false),
            Tok::Word(w) if is_keyword(&w) => {
                return Err(ParseError::new(
                    t.start,
                    format!(
                        "expected a value, found '{w}' (write `{w}` in backticks for a column of that name)"
                    ),
                ));
            }
            Tok::Word(name) => ExprKind::Column {
                name,
                quoted: false,
            },
            other => {
                return Err(ParseError::new(
                    t.start,
                    format!("expected a value, found {}", describe(&other)),
                ));
            }
        };
        Ok(Expr::new(kind, span))
    }

    /// `name(args…)`; the name's token is already taken, `(` is next.
    fn call(&mut self, name: &str, name_span: Span) -> Result<Expr, ParseError> {
        let Some(func) = Func::lookup(name) else {
            let known: Vec<_> = Func::all().map(Func::name).collect();
            return Err(ParseError::new(
                name_span.start,
                format!("unknown function '{name}'; functions: {}", known.join(", ")),
            ));
        };
        let open = self.pos();
        self.bump();
        self.nest()?;
        let mut args = Vec::new();
        if !matches!(self.peek(), Some(Tok::RParen)) {
            loop {
                args.push(self.or()?);
                if self
                    .take(|t| matches!(t, Tok::Comma).then_some(()))
                    .is_none()
                {
                    break;
                }
            }
        }
        self.depth -= 1;
        let end = self.expect_close(open)?;
        func.check_arity(args.len())
            .map_err(|message| ParseError::new(name_span.start, message))?;
        Ok(Expr::new(
            ExprKind::Call { func, args },
            Span {
                start: name_span.start,
                end,
            },
        ))
    }

    /// Takes the `)` matching the `(` at `open`, returning where it ends.
    fn expect_close(&mut self, open: usize) -> Result<usize, ParseError> {
        match self.peek_token() {
            Some(Token {
                tok: Tok::RParen,
                end,
                ..
            }) => {
                let end = *end;
                self.at += 1;
                Ok(end)
            }
            Some(t) if !matches!(t.tok, Tok::Comma) => Err(ParseError::new(
                t.start,
                format!("expected ')' or an operator, found {}", describe(&t.tok)),
            )),
            Some(t) => Err(ParseError::new(t.start, "unexpected ','")),
            None => Err(ParseError::new(open, "unclosed '(': add the matching ')'")),
        }
    }
}

fn comparison_op(t: &Tok) -> Option<BinOp> {
    Some(match t {
        Tok::Eq => BinOp::Eq,
        Tok::Ne => BinOp::Ne,
        Tok::Lt => BinOp::Lt,
        Tok::Le => BinOp::Le,
        Tok::Gt => BinOp::Gt,
        Tok::Ge => BinOp::Ge,
        Tok::Tilde => BinOp::Match,
        Tok::NotTilde => BinOp::NotMatch,
        Tok::Word(w) if w.eq_ignore_ascii_case("contains") => BinOp::Contains,
        _ => return None,
    })
}

/// A token as an error message names it.
fn describe(t: &Tok) -> String {
    let symbol = match t {
        Tok::Number(n) => return format!("number {n}"),
        Tok::Str(_) => return "text".to_string(),
        Tok::Word(w) => return format!("'{w}'"),
        Tok::Quoted(q) => return format!("column `{q}`"),
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::Comma => ",",
        Tok::Eq => "=",
        Tok::Ne => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        Tok::Tilde => "~",
        Tok::NotTilde => "!~",
        Tok::Bang => "!",
        Tok::AndAnd => "&&",
        Tok::OrOr => "||",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
    };
    format!("'{symbol}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree, fully parenthesized, so tests see exactly how the parser grouped things.
    fn tree(src: &str) -> String {
        fn go(e: &Expr) -> String {
            match &e.kind {
                ExprKind::Number(n) => n.to_string(),
                ExprKind::Text(t) => format!("'{t}'"),
                ExprKind::Bool(b) => b.to_string(),
                ExprKind::Column {
                    name,
                    quoted: false,
                } => name.clone(),
                ExprKind::Column { name, quoted: true } => format!("`{name}`"),
                ExprKind::Not(x) => format!("(not {})", go(x)),
                ExprKind::Neg(x) => format!("(neg {})", go(x)),
                ExprKind::Binary { op, lhs, rhs } => {
                    format!("({} {} {})", op.symbol(), go(lhs), go(rhs))
                }
                ExprKind::IsEmpty { operand, negated } => {
                    let name = if *negated { "filled" } else { "empty" };
                    format!("({name} {})", go(operand))
                }
                ExprKind::Call { func, args } => {
                    let args: Vec<_> = args.iter().map(go).collect();
                    format!("{}[{}]", func.name(), args.join(" "))
                }
            }
        }
        go(&parse(src).unwrap())
    }

    fn error(src: &str) -> (usize, String) {
        let e = parse(src).unwrap_err();
        (e.pos, e.message)
    }

    #[test]
    fn precedence_loosest_first() {
        assert_eq!(tree("a or b and c"), "(or a (and b c))");
        assert_eq!(tree("a and b or c"), "(or (and a b) c)");
        assert_eq!(tree("not a and b"), "(and (not a) b)");
        assert_eq!(tree("not a = b"), "(not (= a b))");
        assert_eq!(tree("a = b + c * d"), "(= a (+ b (* c d)))");
        assert_eq!(tree("a + b is empty"), "(empty (+ a b))");
        assert_eq!(tree("a = b is empty"), "(= a (empty b))");
        assert_eq!(tree("not a is empty"), "(not (empty a))");
        assert_eq!(tree("-a * b"), "(* (neg a) b)");
        assert_eq!(tree("a * -b"), "(* a (neg b))");
        assert_eq!(tree("-lower(a)"), "(neg lower[a])");
        assert_eq!(tree("(a or b) and c"), "(and (or a b) c)");
        assert_eq!(tree("not not a"), "(not (not a))");
        assert_eq!(tree("--a"), "(neg (neg a))");
    }

    #[test]
    fn left_associative_chains() {
        assert_eq!(tree("a - b - c"), "(- (- a b) c)");
        assert_eq!(tree("a / b * c"), "(* (/ a b) c)");
        assert_eq!(tree("a or b or c"), "(or (or a b) c)");
        assert_eq!(tree("a and b and c"), "(and (and a b) c)");
        assert_eq!(tree("a is empty is not empty"), "(filled (empty a))");
    }

    #[test]
    fn every_comparison() {
        for (src, op) in [
            ("a = b", "="),
            ("a == b", "="),
            ("a != b", "!="),
            ("a <> b", "!="),
            ("a < b", "<"),
            ("a <= b", "<="),
            ("a > b", ">"),
            ("a >= b", ">="),
            ("a ~ b", "~"),
            ("a !~ b", "!~"),
            ("a contains b", "contains"),
            ("a CONTAINS b", "contains"),
        ] {
            assert_eq!(tree(src), format!("({op} a b)"), "{src}");
        }
    }

    #[test]
    fn logic_spellings_and_keyword_case() {
        assert_eq!(tree("a && b || !c"), "(or (and a b) (not c))");
        assert_eq!(tree("a AND b Or NOT c"), "(or (and a b) (not c))");
        assert_eq!(tree("x IS NOT EMPTY"), "(filled x)");
        assert_eq!(tree("TRUE or False"), "(or true false)");
        assert_eq!(tree("LOWER(x)"), "lower[x]");
    }

    #[test]
    fn older_filter_spellings() {
        assert_eq!(tree("email empty"), "(empty email)");
        assert_eq!(tree("email !empty"), "(filled email)");
        assert_eq!(tree("email not empty"), "(filled email)");
        assert_eq!(tree("title = CEO"), "(= title CEO)");
        assert_eq!(tree("followers > 1000"), "(> followers 1000)");
    }

    #[test]
    fn literals() {
        assert_eq!(tree("-2.5"), "-2.5");
        assert_eq!(tree("- 2"), "-2");
        assert_eq!(tree("-(2)"), "(neg 2)");
        assert_eq!(tree("1e3"), "1000");
        assert_eq!(tree("a - 2"), "(- a 2)");
        assert_eq!(tree("a - -2"), "(- a -2)");
        assert_eq!(tree(r#""it's" = 'say "hi"'"#), r#"(= 'it's' 'say "hi"')"#);
        assert_eq!(tree("`First Name` = x"), "(= `First Name` x)");
        assert_eq!(tree("`and` = x"), "(= `and` x)");
    }

    #[test]
    fn calls() {
        assert_eq!(tree("coalesce(a, b, 'c')"), "coalesce[a b 'c']");
        assert_eq!(
            tree("if(a > 1, 'big', 'small')"),
            "if[(> a 1) 'big' 'small']"
        );
        assert_eq!(tree("round(x)"), "round[x]");
        assert_eq!(tree("contains(title, 'vp')"), "contains[title 'vp']");
    }

    #[test]
    fn canonical_form() {
        let canon = |s: &str| parse(s).unwrap().to_string();
        assert_eq!(canon("A == 'x' && !b"), "A = 'x' and not b");
        assert_eq!(canon("(a)"), "a");
        assert_eq!(canon("a - (b - c)"), "a - (b - c)");
        assert_eq!(canon("(a - b) - c"), "a - b - c");
        assert_eq!(canon("(a = b) = c"), "(a = b) = c");
        assert_eq!(canon("not (a and b)"), "not (a and b)");
        assert_eq!(canon("(not a) = b"), "(not a) = b");
        assert_eq!(canon("x !empty"), "x is not empty");
        assert_eq!(canon("`a``b` = 'it\\'s'"), "`a``b` = 'it\\'s'");
        assert_eq!(canon("LOWER( x )"), "lower(x)");
    }

    #[test]
    fn spans_cover_what_was_written() {
        let e = parse("lower(x) = 'a'").unwrap();
        assert_eq!(e.span, Span { start: 0, end: 14 });
        let ExprKind::Binary { lhs, rhs, .. } = &e.kind else {
            panic!("not binary")
        };
        assert_eq!((lhs.span.start, lhs.span.end), (0, 8));
        assert_eq!((rhs.span.start, rhs.span.end), (11, 14));
        assert_eq!(parse(" ( a ) ").unwrap().span, Span { start: 1, end: 6 });
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(error(""), (0, "empty expression".into()));
        assert_eq!(
            error("a = "),
            (4, "unexpected end: expected a value".into())
        );
        assert_eq!(
            error("(a = b"),
            (0, "unclosed '(': add the matching ')'".into())
        );
        assert_eq!(error("a = b)"), (5, "unmatched ')'".into()));
        assert_eq!(
            error("a < b < c"),
            (6, "comparisons don't chain: join them with 'and'".into())
        );
        assert_eq!(
            error("title = head of growth"),
            (
                13,
                "unexpected word 'of': put text with spaces in quotes, e.g. 'head of growth'"
                    .into()
            )
        );
        assert_eq!(
            error("x is"),
            (4, "expected 'empty' after 'is' (or 'is not')".into())
        );
        assert_eq!(
            error("x is not 3"),
            (9, "expected 'empty' after 'is' (or 'is not')".into())
        );
        assert_eq!(
            error("a = and"),
            (
                4,
                "expected a value, found 'and' (write `and` in backticks for a column of that name)"
                    .into()
            )
        );
        assert_eq!(error("a = ,"), (4, "expected a value, found ','".into()));
        assert_eq!(error("f(a b)").0, 0);
        assert_eq!(
            error("lower(a b)"),
            (8, "expected ')' or an operator, found 'b'".into())
        );
        assert_eq!(
            error("a and"),
            (5, "unexpected end: expected a value".into())
        );
    }

    #[test]
    fn function_errors_name_the_signature() {
        assert_eq!(
            error("x = lower(a, b)"),
            (4, "lower takes 1 argument, not 2: lower(text)".into())
        );
        let (pos, message) = error("  foo(x)");
        assert_eq!(pos, 2);
        assert!(message.starts_with("unknown function 'foo'; functions: lower, upper, trim"));
        assert!(message.ends_with("min, max"), "{message}");
    }

    #[test]
    fn renders_a_caret() {
        let e = parse("a < b < c").unwrap_err();
        assert_eq!(
            e.render("a < b < c"),
            "a < b < c\n      ^\ncomparisons don't chain: join them with 'and'"
        );
    }

    #[test]
    fn depth_and_length_are_bounded() {
        let deep = format!("{}a{}", "(".repeat(300), ")".repeat(300));
        assert_eq!(error(&deep).1, "expression nested too deeply");
        let nots = format!("{}a", "not ".repeat(300));
        assert_eq!(error(&nots).1, "expression nested too deeply");
        let chain = vec!["a"; 2000].join(" + ");
        assert_eq!(error(&chain).1, "expression nested too deeply");
        let fine = vec!["a"; 500].join(" or ");
        assert!(parse(&fine).is_ok());
        let long = format!("coalesce({})", vec!["a"; 6000].join(", "));
        assert_eq!(error(&long).1, "expression too long");
    }
}
