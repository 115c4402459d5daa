//! `leadgrid integrations check FILE`: is an integration file valid, and what would it send for
//! a sample row? Nothing is sent; secrets are masked (an `{{env.NAME}}` value shows as `***`
//! with whether the variable is set, a literal key in the file as `***` with a warning).

use super::definition::{Definition, KindDef};
use super::project::{self, Project};
use super::{Catalog, Settings};
use crate::integrations::datagen_tool::DatagenTool;
use crate::integrations::http::HttpColumn;
use crate::integrations::http::def::{HttpDef, literal_secret};
use crate::integrations::{Fields, InputSpec, Integration, builtin, guess_column};
use crate::providers::{format_usd, generic};
use crate::table::{CsvFile, OpenOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Where the sample row's values come from.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// A CSV whose row gives the values, by each input's guessed column.
    pub csv: Option<PathBuf>,
    /// That CSV's data row, 1-based (default 1).
    pub row: Option<usize>,
    /// Values given by input name; they win over the CSV's.
    pub set: Vec<(String, String)>,
}

/// What `check` found: the text to print and whether every integration in the file is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The report, for people.
    pub text: String,
    /// Every integration in the file is valid.
    pub valid: bool,
}

/// Checks the integration file (or project file) at `path`, built against `catalog` (its
/// settings, and the integrations a waterfall's steps name). `env` reads the environment (to
/// say whether a secret is set, and where a base URL override sends the calls).
pub fn check(
    path: &Path,
    catalog: &Catalog,
    sample: &Sample,
    env: impl Fn(&str) -> Option<String>,
) -> Report {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return Report {
                text: format!("{}: cannot read it: {e}\n", path.display()),
                valid: false,
            };
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let is_project = path.file_name().is_some_and(|n| n == project::FILE)
        || text
            .parse::<toml::Table>()
            .is_ok_and(|t| t.contains_key("integrations"));
    let values = match values(sample) {
        Ok(values) => values,
        Err(e) => {
            return Report {
                text: format!("{e}\n"),
                valid: false,
            };
        }
    };
    let mut out = String::new();
    let mut valid = true;
    let results: Vec<Result<Definition, (Option<String>, String)>> = if is_project {
        let (defs, problems) = Project::from_bytes(path.to_path_buf(), &bytes).definitions();
        defs.into_iter()
            .map(Ok)
            .chain(problems.into_iter().map(|p| Err((p.name, p.error))))
            .collect()
    } else {
        vec![Definition::parse(&text).map_err(|e| (None, e.to_string()))]
    };
    if results.is_empty() {
        out.push_str(&format!(
            "{}: defines no integration ([[integrations]] tables)\n",
            path.display()
        ));
        valid = false;
    }
    for result in results {
        let checked = result.and_then(|def| {
            if builtin().iter().any(|i| i.spec().name == def.name) {
                return Err((
                    Some(def.name.clone()),
                    format!("the name {:?} is taken by a built-in integration", def.name),
                ));
            }
            let integration = catalog
                .build(&def)
                .map_err(|e| (Some(def.name.clone()), e))?;
            Ok((def, integration))
        });
        match checked {
            Ok((def, integration)) => describe(
                &mut out,
                path,
                &def,
                integration.as_ref(),
                catalog.settings(),
                &values,
                &env,
            ),
            Err((name, error)) => {
                valid = false;
                let name = name.map(|n| format!(" ({n})")).unwrap_or_default();
                out.push_str(&format!("{}{name}: not valid: {error}\n", path.display()));
            }
        }
        out.push('\n');
    }
    Report { text: out, valid }
}

/// The sample row's values: given with `--set`, else from a CSV row by each input's guessed
/// column, else a placeholder.
struct Values<'a> {
    /// The CSV's headers and the row's values.
    row: Option<(Vec<String>, Vec<String>)>,
    set: &'a [(String, String)],
}

impl Values<'_> {
    /// `input`'s sample value and where it came from.
    fn value(&self, input: &InputSpec) -> (String, String) {
        if let Some((_, v)) = self.set.iter().find(|(k, _)| k == input.name) {
            return (v.clone(), "--set".to_string());
        }
        let from_csv = self.row.as_ref().and_then(|(headers, values)| {
            let col = guess_column(input, headers)?;
            Some((
                values.get(col).cloned().unwrap_or_default(),
                format!("column {:?}", headers[col]),
            ))
        });
        from_csv.unwrap_or_else(|| {
            (
                format!("sample-{}", input.name),
                format!("guessed from {}", input.guesses.join(", ")),
            )
        })
    }
}

/// The sample values `sample` describes.
fn values(sample: &Sample) -> Result<Values<'_>, String> {
    let Some(csv) = &sample.csv else {
        return Ok(Values {
            row: None,
            set: &sample.set,
        });
    };
    let file = CsvFile::open(csv, &OpenOptions::default())
        .map_err(|e| format!("{}: {e}", csv.display()))?;
    let n = sample.row.unwrap_or(1).max(1);
    let row = file
        .rows()
        .nth(n - 1)
        .ok_or_else(|| format!("{}: has no data row {n}", csv.display()))?
        .map_err(|e| format!("{}: {e}", csv.display()))?;
    Ok(Values {
        row: Some((file.headers().to_vec(), row)),
        set: &sample.set,
    })
}

/// Writes what `def` is and what it would send for the sample row.
fn describe(
    out: &mut String,
    path: &Path,
    def: &Definition,
    integration: &dyn Integration,
    settings: Option<&Settings>,
    values: &Values<'_>,
    env: &impl Fn(&str) -> Option<String>,
) {
    let spec = integration.spec();
    out.push_str(&format!(
        "{}: valid {} integration {:?}\n",
        path.display(),
        def.kind_name(),
        def.name
    ));
    out.push_str(&format!("  provider  {}\n", spec.provider.name()));
    if let KindDef::Http(http) = &def.kind {
        let name = spec.provider.name();
        let limit = http.rate_limit.map_or_else(
            || format!("no rate limit (set rate_limit, or [rate_limits] {name} in the config)"),
            |n| format!("{n} requests/min ([rate_limits] {name} in the config overrides it)"),
        );
        let timeout = http
            .timeout
            .map_or("[engine] timeout_secs".to_string(), |t| format!("{t} s"));
        out.push_str(&format!("  limits    {limit}; timeout {timeout}\n"));
    }
    out.push_str(&format!(
        "  cost      {} per row\n",
        format_usd(spec.cost_per_row_usd)
    ));
    let mut inputs = Fields::new();
    for input in spec.inputs {
        let (value, from) = values.value(input);
        out.push_str(&format!(
            "  input     {} ({}; {from}) = {value:?}\n",
            input.name,
            if input.required {
                "required"
            } else {
                "optional"
            },
        ));
        inputs.insert(input.name.to_string(), value);
    }
    for output in spec.outputs {
        let path = def
            .outputs
            .iter()
            .find(|o| o.name == output.name)
            .and_then(|o| o.path.as_deref())
            .map(|p| format!(" ← {p}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  output    {} ({}){path}\n",
            output.name,
            output.kind.label()
        ));
    }
    match &def.kind {
        KindDef::Http(http) => describe_http(out, def, http, &inputs, env),
        KindDef::Datagen(d) => {
            if let Some(settings) = settings
                && let Ok(tool) = DatagenTool::new(def, d, settings)
            {
                let params = tool.params(&inputs);
                out.push_str(&format!(
                    "  would send (to DataGen)\n    POST …/api/tools/execute {}\n",
                    serde_json::json!({"tool_alias_name": d.tool.trim(), "parameters": params})
                ));
                if let Some(p) = tool.outputs().no_data_path() {
                    out.push_str(&format!("  no data   nothing at {p}\n"));
                }
            }
        }
        KindDef::Waterfall(wf) => {
            let steps: Vec<&str> = wf.steps.iter().map(|s| s.integration.trim()).collect();
            out.push_str(&format!(
                "  would try {} (each step's own request, until one gives a valid value)\n",
                steps.join(" → ")
            ));
        }
        KindDef::Ai(ai) => {
            if let Some(settings) = settings
                && let Ok(column) = crate::integrations::ai::AiColumn::new(def, ai, settings)
                && let Ok(prompt) = column.render(&inputs)
            {
                out.push_str(&format!(
                    "  would ask {} ({})\n    {}\n",
                    column.llm().name(),
                    column.model(),
                    prompt.replace('\n', "\n    ")
                ));
            }
        }
    }
    for warning in def.warnings() {
        out.push_str(&format!("  warning   {warning}\n"));
    }
}

/// The request an HTTP integration would send, secrets masked.
fn describe_http(
    out: &mut String,
    def: &Definition,
    http: &HttpDef,
    inputs: &Fields,
    env: &impl Fn(&str) -> Option<String>,
) {
    let Ok(column) = HttpColumn::new(def, http) else {
        return;
    };
    let params = match column.params(inputs) {
        Ok(p) => p,
        Err(e) => {
            out.push_str(&format!("  would not send: {e}\n"));
            return;
        }
    };
    let text = |k: &str| params.get(k).and_then(Value::as_str).unwrap_or_default();
    out.push_str(&format!(
        "  would send\n    {} {}\n",
        text("method"),
        mask(text("url"))
    ));
    if let Some(headers) = params.get("headers").and_then(Value::as_object) {
        for (name, value) in headers {
            let shown = match value.as_str() {
                Some(v) if literal_secret(name, v) => mask_literal(v),
                Some(v) => mask(v),
                None => String::new(),
            };
            out.push_str(&format!("    {name}: {shown}\n"));
        }
    }
    if let Some(body) = params.get("body") {
        out.push_str(&format!("    {}\n", mask(&body.to_string())));
    }
    let provider = HttpDef::provider(def);
    let override_var = generic::base_url_env(provider.name());
    if let Some(base) = env(&override_var).filter(|v| !v.trim().is_empty()) {
        out.push_str(&format!(
            "    (sent to {} instead: {override_var} is set)\n",
            base.trim()
        ));
    }
    for var in column.env_vars() {
        let set = env(var).is_some_and(|v| !v.trim().is_empty());
        out.push_str(&format!(
            "  secret    {var} is {}\n",
            if set {
                "set (shown as ***)"
            } else {
                "NOT set: every row fails until it is"
            }
        ));
    }
    let mut no_data: Vec<String> = http
        .no_data_status
        .iter()
        .map(|s| format!("HTTP {s}"))
        .collect();
    no_data.extend(
        column
            .outputs()
            .no_data_path()
            .map(|p| format!("nothing at {p}")),
    );
    no_data.push("no output found".into());
    out.push_str(&format!("  no data   {}\n", no_data.join("; ")));
}

/// `text` with each `{{env.NAME}}` shown as `***`.
fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{env.") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str("***");
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// A literal secret shown as `***` (after its scheme, such as `Bearer `).
fn mask_literal(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _)) if scheme.len() <= 8 => format!("{scheme} ***"),
        _ => "***".to_string(),
    }
}

#[cfg(test)]
mod tests;
