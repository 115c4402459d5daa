//! Which column a name means, from the strictest match to the loosest: exact, ignoring case,
//! normalized (letters and digits only, lower case), a unique prefix of the normalized form,
//! then a fuzzy match that is clearly the best.

use super::error::BindError;
use super::text::cmp_ci;
use crate::integrations::header_key;
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::cmp::Ordering;

/// Shortest normalized name tried as a prefix, and as a fuzzy pattern: shorter ones match
/// too much to mean anything.
const MIN_PREFIX: usize = 2;
const MIN_FUZZY: usize = 3;

/// A fuzzy winner must score this many fifths of the runner-up or more to be "clearly best".
const CLEAR_MARGIN_FIFTHS: u32 = 6;

/// A fuzzy match must score at least this many quarters of the name matched against itself:
/// below that the letters are scattered over the header (`city` in `company_industry`), which
/// is a guess, not a match.
const MIN_QUALITY_QUARTERS: u32 = 3;

/// What a fuzzy score loses when the name only matches with one of its characters left out
/// (`followers` → `follower_count`): one matched character's worth.
const SKIP_PENALTY: u16 = 16;

/// Most headers listed when nothing resembles the name.
const MAX_LISTED: usize = 8;

/// The sheet's headers with their normalized forms, computed once per binding.
pub(super) struct Headers<'h> {
    names: &'h [String],
    keys: Vec<String>,
}

impl<'h> Headers<'h> {
    pub(super) fn new(names: &'h [String]) -> Self {
        Headers {
            names,
            keys: names.iter().map(|h| header_key(h)).collect(),
        }
    }

    /// The header at `col`.
    pub(super) fn name(&self, col: usize) -> &'h str {
        self.names.get(col).map_or("", String::as_str)
    }

    /// The column exactly named `name`.
    pub(super) fn exact(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|h| h == name)
    }

    /// The column `name` means by an exact, case-insensitive or normalized match; `None` if it
    /// names none that way. Used where a bare word may also be text (`title = CEO`).
    pub(super) fn strong(&self, name: &str, pos: usize) -> Result<Option<usize>, BindError> {
        if let Some(col) = self.exact(name) {
            return Ok(Some(col));
        }
        let same_case = self.matching(|i| cmp_ci(&self.names[i], name) == Ordering::Equal);
        if let Some(col) = self.pick(name, pos, same_case)? {
            return Ok(Some(col));
        }
        let key = header_key(name);
        if key.is_empty() {
            return Ok(None);
        }
        let same_key = self.matching(|i| self.keys[i] == key);
        self.pick(name, pos, same_key)
    }

    /// The column `name` means by any match, down to a fuzzy one; an error says why none.
    pub(super) fn loose(&self, name: &str, pos: usize) -> Result<usize, BindError> {
        if let Some(col) = self.strong(name, pos)? {
            return Ok(col);
        }
        let key = header_key(name);
        if key.chars().count() >= MIN_PREFIX {
            let prefixed = self.matching(|i| self.keys[i].starts_with(&key));
            if let Some(col) = self.pick(name, pos, prefixed)? {
                return Ok(col);
            }
        }
        if key.chars().count() >= MIN_FUZZY
            && let Some(col) = self.fuzzy(name, pos, &key)?
        {
            return Ok(col);
        }
        Err(self.unknown(name, pos, &key))
    }

    fn matching(&self, test: impl Fn(usize) -> bool) -> Vec<usize> {
        (0..self.names.len()).filter(|&i| test(i)).collect()
    }

    /// One column from candidates: the first when they all carry the same header text,
    /// an ambiguity error when they differ, `None` when there are none.
    fn pick(&self, name: &str, pos: usize, cols: Vec<usize>) -> Result<Option<usize>, BindError> {
        let Some(&first) = cols.first() else {
            return Ok(None);
        };
        let mut distinct: Vec<&str> = Vec::new();
        for &c in &cols {
            if !distinct.contains(&self.name(c)) {
                distinct.push(self.name(c));
            }
        }
        if distinct.len() == 1 {
            return Ok(Some(first));
        }
        Err(BindError::AmbiguousColumn {
            pos,
            name: name.to_string(),
            candidates: distinct.into_iter().map(str::to_string).collect(),
        })
    }

    /// A subsequence match scored by nucleo, allowing one character of the name to be left
    /// out at a cost; it must be compact enough, and the best wins only when clearly ahead of
    /// the next.
    fn fuzzy(&self, name: &str, pos: usize, key: &str) -> Result<Option<usize>, BindError> {
        let mut config = Config::DEFAULT;
        config.normalize = false;
        let mut matcher = Matcher::new(config);
        let chars: Vec<char> = key.chars().collect();
        let mut needles: Vec<(String, u16)> = vec![(key.to_string(), 0)];
        // Leaving a character out of a name already at the shortest fuzzy length would match
        // too much.
        let skips = if chars.len() > MIN_FUZZY {
            chars.len()
        } else {
            0
        };
        needles.extend((0..skips).map(|skip| {
            let shorter = chars
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != skip)
                .map(|(_, c)| c)
                .collect();
            (shorter, SKIP_PENALTY)
        }));
        let (mut hay_buf, mut needle_buf) = (Vec::new(), Vec::new());
        let perfect = matcher
            .fuzzy_match(
                Utf32Str::new(key, &mut hay_buf),
                Utf32Str::new(key, &mut needle_buf),
            )
            .unwrap_or(u16::MAX);
        let good_enough =
            |score: u16| u32::from(score) * 4 >= u32::from(perfect) * MIN_QUALITY_QUARTERS;
        let mut scored: Vec<(u16, usize)> = Vec::new();
        for (col, header) in self.names.iter().enumerate() {
            let best = needles
                .iter()
                .filter_map(|(needle, penalty)| {
                    let hay = Utf32Str::new(header, &mut hay_buf);
                    let needle = Utf32Str::new(needle, &mut needle_buf);
                    matcher
                        .fuzzy_match(hay, needle)
                        .map(|s| s.saturating_sub(*penalty))
                })
                .max();
            if let Some(score) = best.filter(|&s| s > 0 && good_enough(s)) {
                scored.push((score, col));
            }
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let Some(&(top, _)) = scored.first() else {
            return Ok(None);
        };
        let close: Vec<usize> = scored
            .iter()
            .take_while(|(s, _)| u32::from(*s) * 5 > u32::from(top) * (10 - CLEAR_MARGIN_FIFTHS))
            .map(|&(_, c)| c)
            .collect();
        self.pick(name, pos, close)
    }

    /// The error for a name that matches nothing: headers that look like it, else a few
    /// headers to choose from.
    fn unknown(&self, name: &str, pos: usize, key: &str) -> BindError {
        // About one edit in three characters, rounded up.
        let limit = key.chars().count().div_ceil(3);
        let mut near: Vec<(usize, &str)> = Vec::new();
        for (i, k) in self.keys.iter().enumerate() {
            let d = edit_distance(key, k);
            if d <= limit && !near.iter().any(|&(_, n)| n == self.name(i)) {
                near.push((d, self.name(i)));
            }
        }
        near.sort_by_key(|&(d, _)| d);
        let close = !near.is_empty();
        let mut suggestions: Vec<String> = if close {
            near.iter().take(3).map(|&(_, n)| n.to_string()).collect()
        } else {
            self.names.iter().take(MAX_LISTED).cloned().collect()
        };
        if !close && self.names.len() > MAX_LISTED {
            suggestions.push("…".to_string());
        }
        BindError::UnknownColumn {
            pos,
            name: name.to_string(),
            suggestions,
            close,
        }
    }
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn strict_matches_come_first() {
        let names = headers(&["Email", "email", "First Name", "first_name", "title"]);
        let h = Headers::new(&names);
        assert_eq!(h.strong("email", 0), Ok(Some(1)));
        assert_eq!(h.strong("TITLE", 0), Ok(Some(4)));
        assert_eq!(h.strong("first_name", 0), Ok(Some(3)));
        assert!(matches!(
            h.strong("EMAIL", 0),
            Err(BindError::AmbiguousColumn { .. })
        ));
        assert!(matches!(
            h.strong("firstname", 0),
            Err(BindError::AmbiguousColumn { .. })
        ));
        assert_eq!(h.strong("CEO", 0), Ok(None));
        assert_eq!(h.strong("ti", 0), Ok(None));
    }

    #[test]
    fn identical_headers_resolve_to_the_first() {
        let names = headers(&["email", "email"]);
        let h = Headers::new(&names);
        assert_eq!(h.strong("EMAIL", 0), Ok(Some(0)));
        assert_eq!(h.loose("em", 0), Ok(0));
    }

    #[test]
    fn prefixes_and_fuzzy() {
        let names = headers(&[
            "name",
            "follower_count",
            "email",
            "title",
            "Company Domain",
            "first_name",
            "last_name",
        ]);
        let h = Headers::new(&names);
        assert_eq!(h.loose("followers", 0), Ok(1));
        assert_eq!(h.loose("follow", 0), Ok(1));
        assert_eq!(h.loose("company", 0), Ok(4));
        assert_eq!(h.loose("cmpdomain", 0), Ok(4));
        assert_eq!(h.loose("fname", 0), Ok(5));
        assert_eq!(h.loose("eml", 0), Ok(2));
        // Letters scattered over a header are not a match, however unique.
        let e = h.loose("city", 0).unwrap_err();
        assert!(matches!(e, BindError::UnknownColumn { .. }), "{e:?}");
        assert_eq!(h.loose("nam", 0), Ok(0));
        let names = headers(&["company_name", "company_name_legal", "email"]);
        let e = Headers::new(&names).loose("cmpname", 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "ambiguous column 'cmpname': company_name, company_name_legal"
        );
        let names = headers(&["employee_count", "mail_status"]);
        assert_eq!(Headers::new(&names).loose("employes", 0), Ok(0));
    }

    #[test]
    fn ambiguous_prefix_lists_the_candidates() {
        let names = headers(&["followers", "follow_up", "email"]);
        let e = Headers::new(&names).loose("fo", 7).unwrap_err();
        assert_eq!(e.to_string(), "ambiguous column 'fo': followers, follow_up");
        assert_eq!(e.pos(), 7);
    }

    #[test]
    fn unknown_names_get_suggestions() {
        let names = headers(&["title", "email", "name"]);
        let h = Headers::new(&names);
        let e = h.loose("titel", 3).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown column 'titel' (did you mean title?)"
        );
        assert_eq!(e.pos(), 3);
        let e = h.loose("zz", 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown column 'zz' (columns: title, email, name)"
        );
        let many: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
        let e = Headers::new(&many).loose("zzzzz", 0).unwrap_err();
        assert!(e.to_string().ends_with("c7, …)"), "{e}");
        let e = Headers::new(&[]).loose("x", 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown column 'x' (the sheet has no columns)"
        );
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("titel", "title"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("sørby", "sorby"), 1);
    }
}
