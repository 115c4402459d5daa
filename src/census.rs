//! The list as data: how often each value occurs in a column (the frequency table) and
//! which rows repeat a person (duplicate keys). Pure functions over row values, so the
//! grid (on a worker, over a snapshot), `leadgrid run` and agents share them.

use crate::expr::contains_ci;
use crate::integrations::linkedin_url::normalize_linkedin_url;
use crate::integrations::{guess_column, header_key};
use std::collections::HashMap;

/// One distinct value and the rows that hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// The value as first seen (trimmed).
    pub value: String,
    /// Rows holding it.
    pub count: usize,
    /// Their positions, in the order counted (so a view can show exactly them).
    pub rows: Vec<u32>,
}

/// How the values of one column are spread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frequency {
    /// Distinct non-empty values, most frequent first (ties: first seen first).
    pub values: Vec<Tally>,
    /// Rows with an empty value.
    pub empty: usize,
    /// Their positions.
    pub empty_rows: Vec<u32>,
    /// Rows counted.
    pub total: usize,
}

impl Frequency {
    /// Share of `count` in all rows, 0..=100.
    pub fn percent(&self, count: usize) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            count as f64 * 100.0 / self.total as f64
        }
    }
}

/// Counts values as they come. Values compare after trimming; case is kept (a CRM's
/// "CEO" and "ceo" are different spellings worth seeing).
#[derive(Default)]
pub struct FrequencyCounter {
    index: HashMap<String, usize>,
    values: Vec<Tally>,
    empty_rows: Vec<u32>,
    total: usize,
}

impl FrequencyCounter {
    /// Counts the value of the row at position `row`.
    pub fn add(&mut self, row: u32, value: &str) {
        self.total += 1;
        let value = value.trim();
        if value.is_empty() {
            self.empty_rows.push(row);
            return;
        }
        match self.index.get(value) {
            Some(&i) => {
                self.values[i].count += 1;
                self.values[i].rows.push(row);
            }
            None => {
                self.index.insert(value.to_owned(), self.values.len());
                self.values.push(Tally {
                    value: value.to_owned(),
                    count: 1,
                    rows: vec![row],
                });
            }
        }
    }

    /// The table, most frequent first.
    pub fn finish(self) -> Frequency {
        let mut values = self.values;
        // Stable: equal counts keep the order they were first seen in.
        values.sort_by_key(|t| std::cmp::Reverse(t.count));
        Frequency {
            values,
            empty: self.empty_rows.len(),
            empty_rows: self.empty_rows,
            total: self.total,
        }
    }
}

/// The column that identifies a person best: a LinkedIn profile URL, else an email.
pub fn default_key_column(headers: &[String]) -> Option<usize> {
    let linkedin = crate::integrations::linkedin_url::LINKEDIN_URL_INPUT;
    guess_column(&linkedin, headers).or_else(|| {
        headers.iter().position(|h| {
            matches!(
                header_key(h).as_str(),
                "email" | "emailaddress" | "workemail"
            )
        })
    })
}

/// The normalised key of a value: a LinkedIn profile URL by its profile, an email or any
/// other text lower-cased with spaces collapsed. Empty values have no key (never duplicates).
pub fn dedupe_key(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    // Parsing a URL is most of the cost: only values that can be a LinkedIn URL try it.
    if contains_ci(value, "linkedin")
        && let Some(url) = normalize_linkedin_url(value)
    {
        return Some(url);
    }
    if !value.contains(char::is_whitespace) {
        return Some(value.to_lowercase());
    }
    Some(
        value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    )
}

/// Rows sharing one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateGroup {
    /// The normalised key.
    pub key: String,
    /// Row positions, in order; the first is the one kept.
    pub rows: Vec<usize>,
}

/// Finds keys that repeat. Feed rows in order with [`Duplicates::add`].
#[derive(Default)]
pub struct Duplicates {
    /// Each key's first row, and its group once the key repeats (most keys never do, so
    /// most rows cost one map entry and no group).
    index: HashMap<String, (usize, Option<usize>)>,
    groups: Vec<DuplicateGroup>,
}

impl Duplicates {
    /// Records that row `row` has `value` in the key column.
    pub fn add(&mut self, row: usize, value: &str) {
        let Some(key) = dedupe_key(value) else {
            return;
        };
        match self.index.get_mut(&key) {
            Some((_, Some(g))) => self.groups[*g].rows.push(row),
            Some((first, group @ None)) => {
                *group = Some(self.groups.len());
                self.groups.push(DuplicateGroup {
                    key,
                    rows: vec![*first, row],
                });
            }
            None => {
                self.index.insert(key, (row, None));
            }
        }
    }

    /// The groups (keys with more than one row), in order of their first row.
    pub fn finish(self) -> Vec<DuplicateGroup> {
        let mut groups = self.groups;
        groups.sort_by_key(|g| g.rows.first().copied());
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequency_sorts_by_count_and_counts_empty() {
        let mut c = FrequencyCounter::default();
        for (row, v) in ["CEO", "CTO", " CEO", "", "VP", "CTO", "CEO", "  "]
            .into_iter()
            .enumerate()
        {
            c.add(row as u32, v);
        }
        let f = c.finish();
        let seen: Vec<(&str, usize)> = f
            .values
            .iter()
            .map(|t| (t.value.as_str(), t.count))
            .collect();
        assert_eq!(seen, [("CEO", 3), ("CTO", 2), ("VP", 1)]);
        assert_eq!((f.empty, f.total), (2, 8));
        assert_eq!(f.values[0].rows, [0, 2, 6]);
        assert_eq!(f.empty_rows, [3, 7]);
        assert_eq!(f.percent(2), 25.0);
    }

    #[test]
    fn duplicates_match_normalised_profiles_and_emails() {
        let mut d = Duplicates::default();
        d.add(0, "https://www.linkedin.com/in/ada-quill-demo/");
        d.add(1, "linkedin.com/in/Ada-Quill-Demo");
        d.add(2, "bram@nullpoint.example");
        d.add(3, "");
        d.add(4, " BRAM@nullpoint.example ");
        d.add(5, "cai@x.example");
        let groups = d.finish();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].rows, [0, 1]);
        assert_eq!(groups[1].rows, [2, 4]);
    }

    #[test]
    fn the_key_column_prefers_linkedin_then_email() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            default_key_column(&h(&["name", "Email", "LinkedIn URL"])),
            Some(2)
        );
        assert_eq!(default_key_column(&h(&["name", "E-mail"])), Some(1));
        assert_eq!(default_key_column(&h(&["name"])), None);
    }
}
