//! Reading cell text as numbers, dates and booleans, and comparing text without regard to case,
//! all without allocating: a filter runs these on every row.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use std::cmp::Ordering;

/// `s` without surrounding whitespace; a cell that starts and ends with a visible ASCII
/// character, the usual case, is returned without scanning.
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Whether `s` is empty or only whitespace.
pub fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => s.trim().is_empty(),
    }
}

/// A number as people write it in a sheet: surrounding spaces, a sign, thousands separated by
/// `,` in groups of three (`48,210`) or `_` between digits (`1_000`), a fraction, an exponent.
pub fn parse_number(s: &str) -> Option<f64> {
    let bytes = trim(s).as_bytes();
    let (sign, body) = match bytes.split_first()? {
        (b @ (b'+' | b'-'), rest) => (Some(*b), rest),
        _ => (None, bytes),
    };
    // Rejects words such as `inf` and `nan`, which `f64::from_str` would take.
    if !body
        .first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
    {
        return None;
    }
    let mut buf = [0u8; 64];
    let mut len = 0;
    let mut push = |b: u8| -> Option<()> {
        *buf.get_mut(len)? = b;
        len += 1;
        Some(())
    };
    if let Some(sign) = sign {
        push(sign)?;
    }
    let mut group: Option<usize> = None; // digits since the last `,`, once one was seen
    let mut leading = 0; // digits before the first `,`
    let mut in_integer = true;
    // Whole numbers, the common case, are summed as they are read, skipping the float parser.
    let mut whole: u64 = 0;
    let mut digits = 0;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b',' | b'_' => {
                let between_digits = i > 0
                    && body[i - 1].is_ascii_digit()
                    && body.get(i + 1).is_some_and(u8::is_ascii_digit);
                if !in_integer || !between_digits {
                    return None;
                }
                if b == b',' {
                    if group.is_some_and(|g| g != 3) || (group.is_none() && leading > 3) {
                        return None;
                    }
                    group = Some(0);
                }
                continue;
            }
            b'0'..=b'9' if in_integer => {
                whole = whole.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
                digits += 1;
                match group.as_mut() {
                    Some(g) => *g += 1,
                    None => leading += 1,
                }
            }
            b'0'..=b'9' => {}
            _ => {
                if in_integer && group.is_some_and(|g| g != 3) {
                    return None;
                }
                in_integer = false;
            }
        }
        push(b)?;
    }
    if in_integer && group.is_some_and(|g| g != 3) {
        return None;
    }
    // Up to 15 digits every integer is exact in an f64, and the sum above did not wrap.
    if in_integer && digits <= 15 {
        let n = whole as f64;
        return Some(if sign == Some(b'-') { -n } else { n });
    }
    let text = std::str::from_utf8(buf.get(..len)?).ok()?;
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A date: ISO `YYYY-MM-DD`, or a datetime (RFC 3339, or ISO without an offset) whose date part
/// is taken as written.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = trim(s);
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(digits(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)?;
    if b.len() == 10 {
        return Some(date);
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let timed = DateTime::parse_from_rfc3339(s).is_ok()
        || NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
        || NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").is_ok();
    timed.then_some(date)
}

/// `true` or `false`, any case, with surrounding spaces.
pub fn parse_bool(s: &str) -> Option<bool> {
    let s = trim(s);
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn lower(s: &str) -> impl DoubleEndedIterator<Item = char> + '_ {
    s.chars().flat_map(char::to_lowercase)
}

/// Orders text ignoring case (Unicode lower case; ASCII without decoding).
pub fn cmp_ci(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        return a
            .iter()
            .map(u8::to_ascii_lowercase)
            .cmp(b.iter().map(u8::to_ascii_lowercase));
    }
    lower(a).cmp(lower(b))
}

/// Whether `hay` contains `needle`, ignoring case.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        let first = n[0].to_ascii_lowercase();
        return h
            .windows(n.len())
            .any(|w| w[0].to_ascii_lowercase() == first && w.eq_ignore_ascii_case(n));
    }
    hay.char_indices()
        .any(|(i, _)| starts_with_ci(&hay[i..], needle))
}

/// Whether `s` starts with `prefix`, ignoring case.
pub fn starts_with_ci(s: &str, prefix: &str) -> bool {
    if s.is_ascii() && prefix.is_ascii() {
        return s
            .as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()));
    }
    let mut hay = lower(s);
    lower(prefix).all(|c| hay.next() == Some(c))
}

/// Whether `s` ends with `suffix`, ignoring case.
pub fn ends_with_ci(s: &str, suffix: &str) -> bool {
    if s.is_ascii() && suffix.is_ascii() {
        return s
            .len()
            .checked_sub(suffix.len())
            .is_some_and(|at| s.as_bytes()[at..].eq_ignore_ascii_case(suffix.as_bytes()));
    }
    let mut hay = lower(s).rev();
    lower(suffix).rev().all(|c| hay.next() == Some(c))
}

/// How a cell sorts: numbers as numbers, dates as dates, other text ignoring case and
/// surrounding spaces (kept lower-cased). A column mixing kinds sorts numbers first, then dates, then text.
/// A cell with no usable value is `None`; it goes last whichever way the column is sorted
/// (see [`SortKey::order`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    Number(f64),
    Date(NaiveDate),
    Text(String),
}

impl SortKey {
    /// The key of a cell's text; `None` when it has no usable value (blank, or withheld).
    pub fn of(cell: Option<&str>) -> Option<SortKey> {
        let text = cell.filter(|s| !is_blank(s))?;
        Some(if let Some(n) = parse_number(text) {
            SortKey::Number(n)
        } else if let Some(d) = parse_date(text) {
            SortKey::Date(d)
        } else {
            // Lower-cased once here, so the sort's many comparisons are plain byte compares.
            let text = trim(text);
            SortKey::Text(if text.is_ascii() {
                text.to_ascii_lowercase()
            } else {
                text.to_lowercase()
            })
        })
    }

    fn rank(&self) -> u8 {
        match self {
            SortKey::Number(_) => 0,
            SortKey::Date(_) => 1,
            SortKey::Text(_) => 2,
        }
    }

    /// Orders two cells' keys for a sort, ascending or not; cells without a value come
    /// last both ways, as in spreadsheets.
    pub fn order(a: Option<&SortKey>, b: Option<&SortKey>, descending: bool) -> Ordering {
        let (a, b) = match (a, b) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Greater,
            (Some(_), None) => return Ordering::Less,
            (Some(a), Some(b)) => (a, b),
        };
        let ord = match (a, b) {
            (SortKey::Number(x), SortKey::Number(y)) => x.total_cmp(y),
            (SortKey::Date(x), SortKey::Date(y)) => x.cmp(y),
            (SortKey::Text(x), SortKey::Text(y)) => x.cmp(y),
            _ => a.rank().cmp(&b.rank()),
        };
        if descending { ord.reverse() } else { ord }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_written_in_sheets() {
        for (text, n) in [
            ("1000", 1000.0),
            (" 48,210 ", 48210.0),
            ("1,234,567.5", 1234567.5),
            ("1_000", 1000.0),
            ("-2.5", -2.5),
            ("+3", 3.0),
            (".5", 0.5),
            ("1e3", 1000.0),
            ("007", 7.0),
            ("-48,210", -48210.0),
            ("123,456,789,012,345", 123456789012345.0),
            ("1234567890123456789", 1234567890123456789.0),
            ("99999999999999999999", 1e20),
        ] {
            assert_eq!(parse_number(text), Some(n), "{text}");
        }
        for text in [
            "",
            " ",
            "n/a",
            "inf",
            "NaN",
            "-inf",
            "1,2",
            "12,34",
            "1234,567",
            ",100",
            "100,",
            "1,000.5,5",
            "1e999",
            "1 000",
            "12abc",
            "--1",
            "1__0_",
            "_1",
            "-",
            "١٢",
        ] {
            assert_eq!(parse_number(text), None, "{text}");
        }
        let long = "1".repeat(80);
        assert_eq!(parse_number(&long), None);
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 28);
        assert_eq!(parse_date("2026-11-28"), d);
        assert_eq!(parse_date(" 2026-11-28 "), d);
        assert_eq!(parse_date("2026-11-28T23:30:00-05:00"), d);
        assert_eq!(parse_date("2026-11-28T10:00:00Z"), d);
        assert_eq!(parse_date("2026-11-28 10:00:00"), d);
        assert_eq!(parse_date("2026-11-28T10:00:00.250"), d);
        for text in [
            "2026-13-01",
            "2026-02-30",
            "26-11-28",
            "2026/11/28",
            "2026-11-28x",
            "2026-11-28T",
            "2026-11-28T25:00:00Z",
            "+002-11-28",
            "20261128",
            "",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn blanks_and_trimming() {
        for blank in ["", " ", "\t\n", "\u{a0}", " \u{3000} "] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for text in ["a", " a", "\u{a0}a", "é"] {
            assert!(!is_blank(text), "{text:?}");
        }
        assert_eq!(trim("abc"), "abc");
        assert_eq!(trim(" abc\t"), "abc");
        assert_eq!(trim("\u{a0}abc"), "abc");
        assert_eq!(trim("a b"), "a b");
    }

    #[test]
    fn sorting_types_cells_and_puts_the_valueless_last_both_ways() {
        let cells = [
            Some("10"),
            None,
            Some("9"),
            Some(""),
            Some("48,210"),
            Some("abc"),
            Some("2026-01-02"),
            Some(" Abd "),
            Some("2025-12-31"),
        ];
        let sorted = |descending: bool| {
            let mut keyed: Vec<_> = cells.iter().map(|c| (*c, SortKey::of(*c))).collect();
            keyed.sort_by(|a, b| SortKey::order(a.1.as_ref(), b.1.as_ref(), descending));
            keyed.into_iter().map(|(c, _)| c).collect::<Vec<_>>()
        };
        assert_eq!(
            sorted(false),
            [
                Some("9"),
                Some("10"),
                Some("48,210"),
                Some("2025-12-31"),
                Some("2026-01-02"),
                Some("abc"),
                Some(" Abd "),
                None,
                Some("")
            ]
        );
        assert_eq!(
            sorted(true),
            [
                Some(" Abd "),
                Some("abc"),
                Some("2026-01-02"),
                Some("2025-12-31"),
                Some("48,210"),
                Some("10"),
                Some("9"),
                None,
                Some("")
            ]
        );
    }

    #[test]
    fn bools() {
        assert_eq!(parse_bool(" TRUE "), Some(true));
        assert_eq!(parse_bool("False"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }

    #[test]
    fn case_insensitive_text() {
        assert_eq!(cmp_ci("abc", "ABD"), Ordering::Less);
        assert_eq!(cmp_ci("Sørby", "SØRBY"), Ordering::Equal);
        assert!(contains_ci("Elin SØRBY", "sørby"));
        assert!(contains_ci("Head of Growth", "OF g"));
        assert!(contains_ci("abc", ""));
        assert!(!contains_ci("ab", "abc"));
        assert!(!contains_ci("", "a"));
        assert!(starts_with_ci("Ärzte GmbH", "ärz"));
        assert!(starts_with_ci("VP Sales", "vp"));
        assert!(!starts_with_ci("V", "vp"));
        assert!(ends_with_ci("Acme GmbH", "GMBH"));
        assert!(ends_with_ci("Straße", "SSE") || ends_with_ci("Straße", "ße"));
        assert!(!ends_with_ci("é", "eé"));
    }
}
