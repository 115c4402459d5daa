//! `split_full_name`: first and last name from a full name, computed locally.

use crate::integrations::{
    Ctx, EnrichError, Enriched, Fields, InputSpec, IntegrationSpec, OutputKind, OutputSpec,
    RowEnrich,
};
use crate::providers::{ErrorKind, ProviderId};

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "split_full_name",
    description: "First and last name from a full name (local, free)",
    provider: ProviderId::LOCAL,
    tools: &[],
    inputs: &[InputSpec {
        name: "full_name",
        description: "The person's full name",
        guesses: &[
            "full_name",
            "full name",
            "name",
            "contact name",
            "person name",
            "lead name",
        ],
        required: true,
        allows_constant: false,
    }],
    outputs: &[
        OutputSpec {
            name: "first_name",
            kind: OutputKind::Text,
            description: "First word of the name",
        },
        OutputSpec {
            name: "last_name",
            kind: OutputKind::Text,
            description: "Everything after the first word",
        },
    ],
    cost_per_row_usd: 0.0,
};

/// Titles dropped from the front of a name.
const TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "dr", "prof", "sir"];

/// Suffixes dropped from the end of a name (generational and degrees).
const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "esq", "cpa",
];

/// The `split_full_name` integration.
pub struct SplitFullName;

impl RowEnrich for SplitFullName {
    const SPEC: &'static IntegrationSpec = &SPEC;

    async fn run(&self, _ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let name = inputs.get("full_name").map(String::as_str).unwrap_or("");
        split_full_name(name)
            .map(|(first, last)| {
                let mut fields = Fields::from([("first_name".to_string(), first)]);
                if !last.is_empty() {
                    fields.insert("last_name".to_string(), last);
                }
                Enriched {
                    fields,
                    notes: Vec::new(),
                }
            })
            .ok_or_else(|| EnrichError::new(ErrorKind::Permanent, "the name is blank"))
    }
}

/// Splits a full name into (first, last). "Last, First" is understood; a leading title and
/// trailing suffixes ("Jr.", ", PhD") are dropped; a single word is a first name with an empty
/// last name.
pub fn split_full_name(name: &str) -> Option<(String, String)> {
    let mut words: Vec<&str> = name.split_whitespace().collect();
    while words.len() > 1 {
        let last = words[words.len() - 1];
        let bare = last.trim_matches(|c| c == '.' || c == ',').to_lowercase();
        if !SUFFIXES.contains(&bare.as_str()) {
            break;
        }
        words.pop();
        if let Some(prev) = words.last_mut() {
            *prev = prev.trim_end_matches(',');
        }
    }
    let name = words.join(" ");
    if let Some((last, first)) = name.split_once(',') {
        let (first, last) = (first.trim(), last.trim());
        if !first.is_empty() && !last.is_empty() {
            return Some((first.to_string(), last.to_string()));
        }
    }
    let mut words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() > 1 {
        let bare = words[0].trim_end_matches('.').to_lowercase();
        if TITLES.contains(&bare.as_str()) {
            words.remove(0);
        }
    }
    let (first, rest) = words.split_first()?;
    Some((first.to_string(), rest.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<(String, String)> {
        split_full_name(s)
    }

    #[test]
    fn names() {
        let pair = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        assert_eq!(split("Ada Quill"), pair("Ada", "Quill"));
        assert_eq!(
            split("  Bram   Okonkwo-Lind "),
            pair("Bram", "Okonkwo-Lind")
        );
        assert_eq!(split("Maria de la Cruz"), pair("Maria", "de la Cruz"));
        assert_eq!(split("Quill, Ada"), pair("Ada", "Quill"));
        assert_eq!(split("Dr. Elin Sørby"), pair("Elin", "Sørby"));
        assert_eq!(split("Cher"), pair("Cher", ""));
        assert_eq!(split("Dr"), pair("Dr", ""));
        assert_eq!(split("   "), None);
        assert_eq!(split("Ada Quill Jr."), pair("Ada", "Quill"));
        assert_eq!(split("Ada Quill, PhD"), pair("Ada", "Quill"));
        assert_eq!(split("Dr. Ada Quill III, MBA"), pair("Ada", "Quill"));
        assert_eq!(split("Quill, Ada, Jr."), pair("Ada", "Quill"));
        assert_eq!(split("Jr"), pair("Jr", ""));
    }
}
