//! Which columns feed each integration's inputs, and where its outputs go.

use crate::integrations::{Integration, guess_column, header_key};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Where an input's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A column of the input file, by index.
    Column(usize),
    /// One value for every row (`--set`).
    Constant(String),
}

/// One integration of the run, wired to the sheet.
pub struct Planned {
    /// The integration.
    pub integration: Arc<dyn Integration>,
    /// Each input by name, with its source when one was found (optional inputs may have none).
    pub inputs: Vec<(&'static str, Option<Source>)>,
    /// Column index of each output, in spec order.
    pub outputs: Vec<usize>,
}

impl std::fmt::Debug for Planned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Planned")
            .field("integration", &self.integration.spec().name)
            .field("inputs", &self.inputs)
            .field("outputs", &self.outputs)
            .finish()
    }
}

/// A mapping that cannot work, explained with the valid choices.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(pub String);

/// Wires `integrations` to `headers`, appending output columns that do not exist yet
/// (an output whose column exists is filled in place). Returns the plans; `headers` grows.
pub fn plan(
    headers: &mut Vec<String>,
    integrations: &[Arc<dyn Integration>],
    map: &[(String, String)],
    set: &[(String, String)],
) -> Result<Vec<Planned>, PlanError> {
    let known: BTreeSet<&str> = integrations
        .iter()
        .flat_map(|i| i.spec().inputs.iter().map(|input| input.name))
        .collect();
    let known_list = known.iter().copied().collect::<Vec<_>>().join(", ");
    for (name, _) in map.iter().chain(set) {
        if !known.contains(name.as_str()) {
            return Err(PlanError(format!(
                "unknown input `{name}`; inputs of the chosen integrations: {known_list}"
            )));
        }
    }
    for (name, _) in set {
        let takes_constant = integrations
            .iter()
            .flat_map(|i| i.spec().inputs)
            .any(|input| input.name == name && input.allows_constant);
        if !takes_constant {
            return Err(PlanError(format!(
                "input `{name}` must come from a column: use --map {name}=COLUMN"
            )));
        }
    }
    let original = headers.clone();
    let columns_list = original.join(", ");
    let mut planned = Vec::new();
    for integration in integrations {
        let spec = integration.spec();
        let mut inputs = Vec::new();
        for input in spec.inputs {
            let mapped = map.iter().rev().find(|(n, _)| n == input.name);
            let constant = set.iter().rev().find(|(n, _)| n == input.name);
            let source = if let Some((_, value)) = constant {
                Some(Source::Constant(value.clone()))
            } else if let Some((_, column)) = mapped {
                let index = find_header(&original, column).ok_or_else(|| {
                    PlanError(format!(
                        "no column `{column}` in the input; columns: {columns_list}"
                    ))
                })?;
                Some(Source::Column(index))
            } else {
                guess_column(input, &original).map(Source::Column)
            };
            if source.is_none() && input.required {
                let tried = input.guesses.join(", ");
                return Err(PlanError(format!(
                    "{} needs input `{}` but no column matches (tried: {tried}); use --map {}=COLUMN. Columns: {columns_list}",
                    spec.name, input.name, input.name
                )));
            }
            inputs.push((input.name, source));
        }
        let outputs = spec
            .outputs
            .iter()
            .map(|o| column_for(headers, o.name))
            .collect();
        planned.push(Planned {
            integration: integration.clone(),
            inputs,
            outputs,
        });
    }
    Ok(planned)
}

/// The index of the column named `name`, appended when missing.
pub fn column_for(headers: &mut Vec<String>, name: &str) -> usize {
    match headers.iter().position(|h| h == name) {
        Some(i) => i,
        None => {
            headers.push(name.to_owned());
            headers.len() - 1
        }
    }
}

/// Finds a header: exact name first, then ignoring case and punctuation.
fn find_header(headers: &[String], name: &str) -> Option<usize> {
    headers.iter().position(|h| h == name).or_else(|| {
        let key = header_key(name);
        headers.iter().position(|h| header_key(h) == key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fake::{FAKE_NETWORK, FAKE_PROFILE, FakeIntegration};

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn both() -> Vec<Arc<dyn Integration>> {
        vec![
            Arc::new(FakeIntegration(&FAKE_PROFILE)),
            Arc::new(FakeIntegration(&FAKE_NETWORK)),
        ]
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn inputs_are_guessed_and_outputs_appended_or_reused() {
        let mut h = headers(&["Name", "LinkedIn Profile", "tool"]);
        let plans = plan(&mut h, &both(), &[], &[pair("sender_id", "42")]).expect("plan");
        assert_eq!(plans[0].inputs, [("linkedin_url", Some(Source::Column(1)))]);
        assert_eq!(
            plans[1].inputs[1],
            ("sender_id", Some(Source::Constant("42".into())))
        );
        // `linkedin_url` is appended once; the existing `tool` column is filled in place.
        assert_eq!(
            h,
            headers(&["Name", "LinkedIn Profile", "tool", "linkedin_url"])
        );
        assert_eq!(plans[0].outputs, [3, 2]);
        assert_eq!(plans[1].outputs, [2]);
    }

    #[test]
    fn map_overrides_the_guess_and_matches_loosely() {
        let mut h = headers(&["linkedin", "Other URL"]);
        let map = [pair("linkedin_url", "other_url")];
        let plans = plan(&mut h, &both()[..1], &map, &[]).expect("plan");
        assert_eq!(plans[0].inputs, [("linkedin_url", Some(Source::Column(1)))]);
    }

    #[test]
    fn mistakes_are_explained_with_the_valid_choices() {
        let mut h = headers(&["name", "linkedin"]);
        let err =
            plan(&mut h.clone(), &both(), &[pair("linkdin_url", "x")], &[]).expect_err("typo");
        assert!(
            err.0
                .contains("inputs of the chosen integrations: linkedin_url, sender_id"),
            "{err}"
        );
        let err = plan(
            &mut h.clone(),
            &both(),
            &[pair("linkedin_url", "nope")],
            &[],
        )
        .expect_err("column");
        assert!(err.0.contains("columns: name, linkedin"), "{err}");
        let err =
            plan(&mut h.clone(), &both(), &[], &[pair("linkedin_url", "x")]).expect_err("const");
        assert!(err.0.contains("must come from a column"), "{err}");
        let err = plan(&mut h, &both(), &[], &[]).expect_err("unmapped");
        assert!(
            err.0.contains("fake_network needs input `sender_id`"),
            "{err}"
        );
        assert!(err.0.contains("--map sender_id=COLUMN"), "{err}");
    }
}
