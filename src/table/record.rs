//! Parsing one raw record into fields, and writing fields back in a dialect.

use super::dialect::{Dialect, Encoding};
use memchr::{memchr, memchr2};

/// Which byte ends a record: `\n` (with an optional `\r` before it) or a lone `\r`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Term {
    Newline,
    Cr,
}

impl Term {
    /// The byte the indexer and the parser search for.
    pub(crate) fn byte(self) -> u8 {
        match self {
            Term::Newline => b'\n',
            Term::Cr => b'\r',
        }
    }
}

/// The fields of one record, unescaped, in one reusable buffer.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    buf: Vec<u8>,
    ends: Vec<usize>,
    /// Every field started with a quote.
    pub(crate) all_quoted: bool,
    /// A quoted field ran to the end of the input.
    pub(crate) unterminated: bool,
}

impl Fields {
    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The whole record's fields as UTF-8, validated once for all of them.
    pub(crate) fn utf8(&self) -> Option<&str> {
        std::str::from_utf8(&self.buf).ok()
    }

    /// Decodes field `i` into `out`, slicing `whole` (from `utf8`) when there is one.
    pub(crate) fn decode_field(
        &self,
        i: usize,
        whole: Option<&str>,
        encoding: Encoding,
        out: &mut String,
    ) {
        match (encoding, whole, self.ends.get(i)) {
            (Encoding::Utf8, Some(text), Some(&end)) => {
                let start = if i == 0 { 0 } else { self.ends[i - 1] };
                out.clear();
                // Fields split at ASCII bytes, so their bounds are char boundaries.
                out.push_str(text.get(start..end).unwrap_or_default());
            }
            _ => decode_into(self.get(i), encoding, out),
        }
    }

    /// The raw (still encoded) bytes of field `i`, empty when out of range.
    pub(crate) fn get(&self, i: usize) -> &[u8] {
        match self.ends.get(i) {
            Some(&end) => {
                let start = if i == 0 { 0 } else { self.ends[i - 1] };
                &self.buf[start..end]
            }
            None => &[],
        }
    }
}

/// Parses the record at the start of `bytes` the way `csv` does (quotes only open a field,
/// `""` inside quotes is one quote, text after a closing quote is kept).
/// Returns where the record's content ends (its terminator starts) and where the next record starts.
pub(crate) fn parse_record(
    bytes: &[u8],
    delim: u8,
    term: Term,
    out: &mut Fields,
) -> (usize, usize) {
    out.buf.clear();
    out.ends.clear();
    out.all_quoted = true;
    out.unterminated = false;
    let n = bytes.len();
    let tb = term.byte();
    let mut i = 0;
    loop {
        if i < n && bytes[i] == b'"' {
            i += 1;
            loop {
                match memchr(b'"', &bytes[i..]) {
                    None => {
                        out.buf.extend_from_slice(&bytes[i..]);
                        out.unterminated = true;
                        i = n;
                        break;
                    }
                    Some(q) => {
                        out.buf.extend_from_slice(&bytes[i..i + q]);
                        let q = i + q;
                        if bytes.get(q + 1) == Some(&b'"') {
                            out.buf.push(b'"');
                            i = q + 2;
                        } else {
                            i = q + 1;
                            break;
                        }
                    }
                }
            }
        } else {
            out.all_quoted = false;
        }
        match memchr2(delim, tb, &bytes[i..]) {
            None => {
                out.buf.extend_from_slice(&bytes[i..]);
                out.ends.push(out.buf.len());
                return (n, n);
            }
            Some(p) => {
                let p = i + p;
                if bytes[p] == delim {
                    out.buf.extend_from_slice(&bytes[i..p]);
                    out.ends.push(out.buf.len());
                    i = p + 1;
                } else {
                    let cr = term == Term::Newline && p > i && bytes[p - 1] == b'\r';
                    let content_end = if cr { p - 1 } else { p };
                    out.buf.extend_from_slice(&bytes[i..content_end]);
                    out.ends.push(out.buf.len());
                    return (content_end, p + 1);
                }
            }
        }
    }
}

/// Turns a field's bytes into text.
pub(crate) fn decode_into(bytes: &[u8], encoding: Encoding, out: &mut String) {
    out.clear();
    match encoding {
        Encoding::Utf8 => out.push_str(&String::from_utf8_lossy(bytes)),
        Encoding::Latin1 => out.extend(bytes.iter().map(|&b| char::from(b))),
    }
}

/// Turns text into the file's bytes; `Err` carries the first character latin1 cannot hold.
pub(crate) fn encode_into(text: &str, encoding: Encoding, out: &mut Vec<u8>) -> Result<(), char> {
    match encoding {
        Encoding::Utf8 => out.extend_from_slice(text.as_bytes()),
        Encoding::Latin1 => {
            for ch in text.chars() {
                let b = u8::try_from(u32::from(ch)).map_err(|_| ch)?;
                out.push(b);
            }
        }
    }
    Ok(())
}

/// Appends one encoded field, quoted when the dialect or its content requires it.
pub(crate) fn write_field(field: &[u8], dialect: &Dialect, alone: bool, out: &mut Vec<u8>) {
    let needs = dialect.quote_all
        // A record of one empty field would otherwise read back as a blank line.
        || (alone && field.is_empty())
        || field
            .iter()
            .any(|&b| b == dialect.delimiter || b == b'"' || b == b'\n' || b == b'\r');
    if !needs {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Appends `values` as one record's content (no terminator) in the dialect's encoding.
/// `Err` names the index of the value that cannot be encoded and the character.
pub(crate) fn write_values<S: AsRef<str>>(
    values: &[S],
    dialect: &Dialect,
    encoding: Encoding,
    out: &mut Vec<u8>,
) -> Result<(), (usize, char)> {
    let mut scratch = Vec::new();
    let alone = values.len() == 1;
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(dialect.delimiter);
        }
        scratch.clear();
        encode_into(v.as_ref(), encoding, &mut scratch).map_err(|ch| (i, ch))?;
        write_field(&scratch, dialect, alone, out);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(bytes: &[u8], term: Term) -> (Vec<String>, usize, usize) {
        let mut f = Fields::default();
        let (end, next) = parse_record(bytes, b',', term, &mut f);
        let v = (0..f.len())
            .map(|i| String::from_utf8_lossy(f.get(i)).into_owned())
            .collect();
        (v, end, next)
    }

    #[test]
    fn parses_plain_and_quoted_fields() {
        let (v, end, next) = fields(b"a,\"b,c\",\"d\"\"e\",\"x\ny\"\r\nrest", Term::Newline);
        assert_eq!(v, ["a", "b,c", "d\"e", "x\ny"]);
        assert_eq!((end, next), (20, 22));
    }

    #[test]
    fn quotes_inside_unquoted_fields_are_literal() {
        let (v, _, _) = fields(b"ab\"c,\"q\"tail,\n", Term::Newline);
        assert_eq!(v, ["ab\"c", "qtail", ""]);
    }

    #[test]
    fn cr_terminates_only_in_cr_mode() {
        let (v, end, next) = fields(b"a,b\rc", Term::Cr);
        assert_eq!(
            (v, end, next),
            (vec!["a".to_string(), "b".to_string()], 3, 4)
        );
        let (v, _, _) = fields(b"a,b\rc", Term::Newline);
        assert_eq!(v, ["a", "b\rc"]);
    }

    #[test]
    fn unterminated_quote_is_flagged() {
        let mut f = Fields::default();
        parse_record(b"\"abc\ndef", b',', Term::Newline, &mut f);
        assert!(f.unterminated);
        assert_eq!(f.get(0), b"abc\ndef");
    }

    #[test]
    fn writes_with_minimal_quoting() {
        let mut out = Vec::new();
        write_values(
            &["a", "b,c", "q\"", ""],
            &Dialect::default(),
            Encoding::Utf8,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, b"a,\"b,c\",\"q\"\"\",");
        out.clear();
        write_values(&[""], &Dialect::default(), Encoding::Utf8, &mut out).unwrap();
        assert_eq!(out, b"\"\"");
    }

    #[test]
    fn latin1_round_trip_and_unencodable() {
        let mut s = String::new();
        decode_into(&[0x63, 0x61, 0x66, 0xe9], Encoding::Latin1, &mut s);
        assert_eq!(s, "café");
        let mut out = Vec::new();
        encode_into(&s, Encoding::Latin1, &mut out).unwrap();
        assert_eq!(out, [0x63, 0x61, 0x66, 0xe9]);
        assert_eq!(encode_into("€", Encoding::Latin1, &mut out), Err('€'));
    }
}
