//! Which column (or constant) feeds each input of an integration, and which columns its
//! outputs fill: guessed from the headers, or given (`--map`, `--set`, the picker).

use super::Plan;
use crate::integrations::{Fields, Integration, IntegrationSpec, guess_column, header_key};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Where an input's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A column of the table, by index.
    Column(usize),
    /// One value for every row (`--set`, or typed in the picker).
    Constant(String),
}

/// Each input of an integration by name, in spec order, with its source when it has one
/// (optional inputs may have none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    /// The inputs and their sources.
    pub inputs: Vec<(&'static str, Option<Source>)>,
}

impl Mapping {
    /// Each input of `spec` fed by the column its guesses match, if any.
    pub fn guess(spec: &IntegrationSpec, headers: &[String]) -> Mapping {
        Mapping {
            inputs: spec
                .inputs
                .iter()
                .map(|input| (input.name, guess_column(input, headers).map(Source::Column)))
                .collect(),
        }
    }

    /// A row's values for the inputs; inputs without a source are left out.
    pub fn inputs(&self, row: &[String]) -> Fields {
        self.inputs
            .iter()
            .filter_map(|(name, source)| {
                let value = match source.as_ref()? {
                    Source::Column(i) => row.get(*i).cloned().unwrap_or_default(),
                    Source::Constant(v) => v.clone(),
                };
                Some(((*name).to_owned(), value))
            })
            .collect()
    }
}

/// A mapping that cannot work, explained with the valid choices.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(pub String);

/// Wires `integrations` to `headers` as `leadgrid run` does: inputs guessed, overridden by
/// `map` (input → column) and `set` (input → constant); output columns that do not exist
/// yet are appended (an output whose column exists is filled in place), so `headers` grows.
pub fn wire(
    headers: &mut Vec<String>,
    integrations: &[Arc<dyn Integration>],
    map: &[(String, String)],
    set: &[(String, String)],
) -> Result<Vec<Plan>, PlanError> {
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
    // Outputs first: an input may be mapped to (or guessed from) another integration's output
    // column, and that integration's cells then run first (see `chain`).
    let outputs: Vec<Vec<(&'static str, usize)>> = integrations
        .iter()
        .map(|i| {
            i.spec()
                .outputs
                .iter()
                .map(|o| (o.name, column_for(headers, o.name)))
                .collect()
        })
        .collect();
    let columns_list = headers.join(", ");
    let mut plans = Vec::new();
    for (integration, outputs) in integrations.iter().zip(outputs) {
        let spec = integration.spec();
        let mut mapping = Mapping::guess(spec, &original);
        // Columns other integrations add, for inputs the file has no column for.
        let added: Vec<String> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let fed = i >= original.len() && !outputs.iter().any(|&(_, c)| c == i);
                if fed { h.clone() } else { String::new() }
            })
            .collect();
        for (input, (name, source)) in spec.inputs.iter().zip(&mut mapping.inputs) {
            if let Some((_, value)) = set.iter().rev().find(|(n, _)| n == name) {
                *source = Some(Source::Constant(value.clone()));
            } else if let Some((_, column)) = map.iter().rev().find(|(n, _)| n == name) {
                let index = find_header(headers, column).ok_or_else(|| {
                    PlanError(format!(
                        "no column `{column}` in the input or the outputs; columns: {columns_list}"
                    ))
                })?;
                *source = Some(Source::Column(index));
            }
            if source.is_none() {
                *source = guess_column(input, &added).map(Source::Column);
            }
            if source.is_none() && input.required {
                let tried = input.guesses.join(", ");
                return Err(PlanError(format!(
                    "{} needs input `{}` but no column matches (tried: {tried}); use --map {}=COLUMN. Columns: {columns_list}",
                    spec.name, input.name, input.name
                )));
            }
        }
        plans.push(Plan {
            condition: None,
            integration: integration.clone(),
            mapping,
            outputs,
        });
    }
    Ok(plans)
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
        let plans = wire(&mut h, &both(), &[], &[pair("sender_id", "42")]).expect("plan");
        assert_eq!(
            plans[0].mapping.inputs,
            [("linkedin_url", Some(Source::Column(1)))]
        );
        assert_eq!(
            plans[1].mapping.inputs[1],
            ("sender_id", Some(Source::Constant("42".into())))
        );
        // `linkedin_url` is appended once; the existing `tool` column is filled in place.
        assert_eq!(
            h,
            headers(&["Name", "LinkedIn Profile", "tool", "linkedin_url"])
        );
        assert_eq!(plans[0].outputs, [("linkedin_url", 3), ("tool", 2)]);
        assert_eq!(plans[1].outputs, [("tool", 2)]);
        let row = headers(&["Ada", "linkedin.com/in/ada", "", ""]);
        assert_eq!(
            plans[1].inputs(&row),
            Fields::from([
                ("linkedin_url".into(), "linkedin.com/in/ada".into()),
                ("sender_id".into(), "42".into()),
            ])
        );
    }

    #[test]
    fn map_overrides_the_guess_and_matches_loosely() {
        let mut h = headers(&["linkedin", "Other URL"]);
        let map = [pair("linkedin_url", "other_url")];
        let plans = wire(&mut h, &both()[..1], &map, &[]).expect("plan");
        assert_eq!(
            plans[0].mapping.inputs,
            [("linkedin_url", Some(Source::Column(1)))]
        );
    }

    #[test]
    fn mistakes_are_explained_with_the_valid_choices() {
        let mut h = headers(&["name", "linkedin"]);
        let err =
            wire(&mut h.clone(), &both(), &[pair("linkdin_url", "x")], &[]).expect_err("typo");
        assert!(
            err.0
                .contains("inputs of the chosen integrations: linkedin_url, sender_id"),
            "{err}"
        );
        let err = wire(
            &mut h.clone(),
            &both(),
            &[pair("linkedin_url", "nope")],
            &[],
        )
        .expect_err("column");
        assert!(err.0.contains("columns: name, linkedin"), "{err}");
        let err =
            wire(&mut h.clone(), &both(), &[], &[pair("linkedin_url", "x")]).expect_err("const");
        assert!(err.0.contains("must come from a column"), "{err}");
        let err = wire(&mut h, &both(), &[], &[]).expect_err("unmapped");
        assert!(
            err.0.contains("fake_network needs input `sender_id`"),
            "{err}"
        );
        assert!(err.0.contains("--map sender_id=COLUMN"), "{err}");
    }
}
