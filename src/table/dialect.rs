//! The CSV dialect of a file (delimiter, BOM, line ending, quoting) and its detection.

use super::record::{Fields, Term, parse_record};

/// How records end; detected from the first record terminator in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
    /// `\r` (classic Mac)
    Cr,
}

impl LineEnding {
    /// The bytes written after a re-serialized record.
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Lf => b"\n",
            LineEnding::CrLf => b"\r\n",
            LineEnding::Cr => b"\r",
        }
    }

    /// Which byte ends a record for the parser and the indexer.
    pub(crate) fn term(self) -> Term {
        match self {
            LineEnding::Lf | LineEnding::CrLf => Term::Newline,
            LineEnding::Cr => Term::Cr,
        }
    }
}

/// The shape of a CSV file, kept so that a save writes the file the way it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// Field separator: `,`, `;`, `\t` or `|` (or any byte the user forces).
    pub delimiter: u8,
    /// The file starts with a UTF-8 byte order mark.
    pub bom: bool,
    /// Record terminator used for records the sheet writes itself.
    pub line_ending: LineEnding,
    /// Every field of the sampled records is quoted, so written fields are too.
    pub quote_all: bool,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            delimiter: b',',
            bom: false,
            line_ending: LineEnding::Lf,
            quote_all: false,
        }
    }
}

/// Character encoding of the file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8; invalid bytes are a load error.
    #[default]
    Utf8,
    /// ISO-8859-1: every byte is one character; re-encoded on save.
    Latin1,
}

/// How to open a file; `Default` detects the delimiter and reads UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpenOptions {
    /// Forces the delimiter instead of detecting it.
    pub delimiter: Option<u8>,
    /// How bytes become text.
    pub encoding: Encoding,
}

/// Delimiters tried by detection, in order of preference on a tie.
pub(crate) const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Records (after the header) looked at to choose a delimiter.
const SAMPLE_RECORDS: usize = 20;

/// Detects the line ending from the first unquoted terminator; `Lf` when there is none.
pub(crate) fn detect_line_ending(sample: &[u8]) -> LineEnding {
    let mut in_quote = false;
    for (i, &b) in sample.iter().enumerate() {
        match b {
            b'"' => in_quote = !in_quote,
            b'\n' if !in_quote => return LineEnding::Lf,
            b'\r' if !in_quote => {
                return match sample.get(i + 1) {
                    Some(b'\n') => LineEnding::CrLf,
                    // A lone `\r` at the very end of the sample may be half of a `\r\n`.
                    None => LineEnding::CrLf,
                    Some(_) => LineEnding::Cr,
                };
            }
            _ => {}
        }
    }
    LineEnding::Lf
}

/// Detects delimiter and quote-all from the sample (the file's start, after any BOM).
/// `complete` says whether the sample is the whole file, so its last record is whole too.
pub(crate) fn detect(sample: &[u8], complete: bool, forced: Option<u8>, bom: bool) -> Dialect {
    let line_ending = detect_line_ending(sample);
    let term = line_ending.term();
    let delimiter = forced.unwrap_or_else(|| {
        let mut best = (b',', (false, 0usize, 0usize));
        for &d in &CANDIDATES {
            let counts = sample_counts(sample, complete, d, term);
            let header = counts.first().map_or(0, |&(n, _)| n);
            let consistent = counts.iter().skip(1).filter(|&&(n, _)| n == header).count();
            let score = (header > 1, consistent, header);
            if score > best.1 {
                best = (d, score);
            }
        }
        best.0
    });
    let counts = sample_counts(sample, complete, delimiter, term);
    let quote_all = !counts.is_empty() && counts.iter().all(|&(_, quoted)| quoted);
    Dialect {
        delimiter,
        bom,
        line_ending,
        quote_all,
    }
}

/// Field count and all-quoted flag of the header and the next sampled non-blank records.
fn sample_counts(sample: &[u8], complete: bool, delim: u8, term: Term) -> Vec<(usize, bool)> {
    let mut out = Vec::new();
    let mut fields = Fields::default();
    let mut pos = 0;
    while pos < sample.len() && out.len() <= SAMPLE_RECORDS {
        let rest = &sample[pos..];
        let (content_end, next) = parse_record(rest, delim, term, &mut fields);
        let whole = next < rest.len() || (complete && !fields.unterminated);
        if !whole && !out.is_empty() {
            break;
        }
        if content_end > 0 {
            out.push((fields.len(), fields.all_quoted));
        }
        pos += next.max(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_semicolon_and_tab() {
        let d = detect(b"a;b;c\n1;2;3\n", true, None, false);
        assert_eq!(d.delimiter, b';');
        let d = detect(b"a\tb\n1\t2\n", true, None, false);
        assert_eq!(d.delimiter, b'\t');
        let d = detect(b"name,note\n\"x;y;z\",1\n", true, None, false);
        assert_eq!(d.delimiter, b',');
        let d = detect(b"a|b|c\n1|2|3\n", true, None, false);
        assert_eq!(d.delimiter, b'|');
    }

    #[test]
    fn detects_line_endings() {
        assert_eq!(detect_line_ending(b"a,b\r\n1,2\r\n"), LineEnding::CrLf);
        assert_eq!(detect_line_ending(b"a,b\r1,2\r"), LineEnding::Cr);
        assert_eq!(detect_line_ending(b"\"a\nb\",c\r\n"), LineEnding::CrLf);
        assert_eq!(detect_line_ending(b"a,b"), LineEnding::Lf);
    }

    #[test]
    fn detects_quote_all() {
        assert!(detect(b"\"a\",\"b\"\n\"1\",\"\"\n", true, None, false).quote_all);
        assert!(!detect(b"\"a\",\"b\"\n1,\"2\"\n", true, None, false).quote_all);
    }

    #[test]
    fn forced_delimiter_wins() {
        assert_eq!(detect(b"a,b;c\n", true, Some(b';'), false).delimiter, b';');
    }
}
