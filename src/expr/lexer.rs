//! Splits expression source into tokens, each with the byte range it came from.

use super::error::ParseError;

/// One token. Keywords (`and`, `is`, `true`…) stay words: the parser knows where they count.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Number(f64),
    Str(String),
    /// A bare word: a column name, a keyword or a function name.
    Word(String),
    /// A `backticked` column name.
    Quoted(String),
    LParen,
    RParen,
    Comma,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Tilde,
    NotTilde,
    Bang,
    AndAnd,
    OrOr,
    Plus,
    Minus,
    Star,
    Slash,
}

/// A token and where it is in the source.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

/// Letters, digits and `_` make up a bare word.
pub(super) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether a bare word may start with `c` (digits start numbers instead).
pub(super) fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// Tokenizes `src`, or says where the first character that fits no token is.
pub(super) fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let mut tokens = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let tok = if c.is_ascii_digit() {
            number(src, start, &mut chars)?
        } else if is_word_start(c) {
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                if !is_word_char(c) {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
            Tok::Word(src[start..end].to_string())
        } else if c == '\'' || c == '"' {
            string(start, c, &mut chars)?
        } else if c == '`' {
            quoted(start, &mut chars)?
        } else {
            chars.next();
            let next = chars.peek().map(|&(_, c)| c);
            let mut two = |tok: Tok| {
                chars.next();
                tok
            };
            match (c, next) {
                ('=', Some('=')) => two(Tok::Eq),
                ('!', Some('=')) | ('<', Some('>')) => two(Tok::Ne),
                ('<', Some('=')) => two(Tok::Le),
                ('>', Some('=')) => two(Tok::Ge),
                ('!', Some('~')) => two(Tok::NotTilde),
                ('&', Some('&')) => two(Tok::AndAnd),
                ('|', Some('|')) => two(Tok::OrOr),
                ('=', _) => Tok::Eq,
                ('<', _) => Tok::Lt,
                ('>', _) => Tok::Gt,
                ('~', _) => Tok::Tilde,
                ('!', _) => Tok::Bang,
                ('(', _) => Tok::LParen,
                (')', _) => Tok::RParen,
                (',', _) => Tok::Comma,
                ('+', _) => Tok::Plus,
                ('-', _) => Tok::Minus,
                ('*', _) => Tok::Star,
                ('/', _) => Tok::Slash,
                ('&', _) => return Err(ParseError::new(start, "expected '&&' or 'and'")),
                ('|', _) => return Err(ParseError::new(start, "expected '||' or 'or'")),
                _ => {
                    return Err(ParseError::new(
                        start,
                        format!("unexpected character '{c}'"),
                    ));
                }
            }
        };
        let end = chars.peek().map_or(src.len(), |&(i, _)| i);
        tokens.push(Token { tok, start, end });
    }
    Ok(tokens)
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// `12`, `2.5`, `1e3`, `1_000`: digits with `_` between them, an optional fraction and exponent.
fn number(src: &str, start: usize, chars: &mut Chars) -> Result<Tok, ParseError> {
    let mut text = String::new();
    let digits = |chars: &mut Chars, text: &mut String| {
        let mut any = false;
        while let Some(&(_, c)) = chars.peek() {
            if c.is_ascii_digit() {
                text.push(c);
                any = true;
            } else if c != '_' || !any {
                break;
            }
            chars.next();
        }
        any
    };
    digits(chars, &mut text);
    let mut ahead = chars.clone();
    if let (Some((_, '.')), Some((_, d))) = (ahead.next(), ahead.next())
        && d.is_ascii_digit()
    {
        chars.next();
        text.push('.');
        digits(chars, &mut text);
    }
    let mut ahead = chars.clone();
    if let Some((_, 'e' | 'E')) = ahead.next() {
        let sign = match ahead.peek() {
            Some(&(_, s @ ('+' | '-'))) => {
                ahead.next();
                Some(s)
            }
            _ => None,
        };
        if ahead.peek().is_some_and(|&(_, d)| d.is_ascii_digit()) {
            *chars = ahead;
            text.push('e');
            text.extend(sign);
            digits(chars, &mut text);
        }
    }
    if chars.peek().is_some_and(|&(_, c)| is_word_char(c)) {
        let end = chars.peek().map_or(src.len(), |&(i, _)| i);
        return Err(ParseError::new(
            end,
            "a number runs into a word here: put a space or an operator between them, or quote the text",
        ));
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Tok::Number(v)),
        _ => Err(ParseError::new(start, "number out of range")),
    }
}

/// A quoted string; backslash escapes `\\ \' \" \n \t \r`, any other backslash is kept as
/// written so regex patterns such as `'\d+'` read naturally.
fn string(start: usize, quote: char, chars: &mut Chars) -> Result<Tok, ParseError> {
    chars.next();
    let mut text = String::new();
    while let Some((_, c)) = chars.next() {
        match c {
            c if c == quote => return Ok(Tok::Str(text)),
            '\\' => match chars.next() {
                Some((_, 'n')) => text.push('\n'),
                Some((_, 't')) => text.push('\t'),
                Some((_, 'r')) => text.push('\r'),
                Some((_, c @ ('\\' | '\'' | '"'))) => text.push(c),
                Some((_, c)) => {
                    text.push('\\');
                    text.push(c);
                }
                None => break,
            },
            c => text.push(c),
        }
    }
    Err(ParseError::new(
        start,
        format!("unterminated string: add the closing {quote}"),
    ))
}

/// A `backticked` column name; a doubled backtick stands for one.
fn quoted(start: usize, chars: &mut Chars) -> Result<Tok, ParseError> {
    chars.next();
    let mut name = String::new();
    while let Some((_, c)) = chars.next() {
        if c != '`' {
            name.push(c);
        } else if chars.peek().is_some_and(|&(_, c)| c == '`') {
            chars.next();
            name.push('`');
        } else if name.is_empty() {
            return Err(ParseError::new(start, "empty column name"));
        } else {
            return Ok(Tok::Quoted(name));
        }
    }
    Err(ParseError::new(
        start,
        "unterminated column name: add the closing `",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn symbols_take_the_longest_match() {
        use Tok::*;
        assert_eq!(
            toks("= == != <> < <= > >= ~ !~ ! && || + - * / ( ) ,"),
            vec![
                Eq, Eq, Ne, Ne, Lt, Le, Gt, Ge, Tilde, NotTilde, Bang, AndAnd, OrOr, Plus, Minus,
                Star, Slash, LParen, RParen, Comma
            ]
        );
        assert_eq!(
            toks("a!empty"),
            vec![Word("a".into()), Bang, Word("empty".into())]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(toks("1"), vec![Tok::Number(1.0)]);
        assert_eq!(toks("2.5"), vec![Tok::Number(2.5)]);
        assert_eq!(
            toks("1e3 1E-2 1_000"),
            vec![Tok::Number(1000.0), Tok::Number(0.01), Tok::Number(1000.0)]
        );
        assert_eq!(toks("-2"), vec![Tok::Minus, Tok::Number(2.0)]);
        assert_eq!(lex("1e999").unwrap_err().message, "number out of range");
        assert_eq!(lex("x = 12abc").unwrap_err().pos, 6);
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(
            toks(r#"'it\'s' "a\"b""#),
            vec![Tok::Str("it's".into()), Tok::Str("a\"b".into())]
        );
        assert_eq!(toks(r"'\d+\n\\'"), vec![Tok::Str("\\d+\n\\".into())]);
        assert_eq!(toks("'é ü'"), vec![Tok::Str("é ü".into())]);
        let e = lex("a = 'abc").unwrap_err();
        assert_eq!(
            (e.pos, e.message.as_str()),
            (4, "unterminated string: add the closing '")
        );
    }

    #[test]
    fn words_and_backticks() {
        assert_eq!(
            toks("first_name Prénom _x"),
            vec![
                Tok::Word("first_name".into()),
                Tok::Word("Prénom".into()),
                Tok::Word("_x".into())
            ]
        );
        assert_eq!(
            toks("`First Name` `a``b`"),
            vec![Tok::Quoted("First Name".into()), Tok::Quoted("a`b".into())]
        );
        assert_eq!(lex("``").unwrap_err().message, "empty column name");
        assert_eq!(lex("x = `a").unwrap_err().pos, 4);
    }

    #[test]
    fn spans_and_stray_characters() {
        let t = lex("ab <= 'ü'").unwrap();
        let spans: Vec<_> = t.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(spans, vec![(0, 2), (3, 5), (6, 10)]);
        let e = lex("a = $5").unwrap_err();
        assert_eq!((e.pos, e.message.as_str()), (4, "unexpected character '$'"));
        assert_eq!(lex("a & b").unwrap_err().pos, 2);
    }
}
