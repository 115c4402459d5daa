//! HTTP integrations (`kind = "http"`): one request per row to an API the user chose, described
//! in a file. The row's values fill the URL, headers and body ([`template`]); secrets are named
//! (`{{env.NAME}}`) and only read when the request is sent; the JSON answer is read into typed
//! outputs by JSONPath ([`crate::integrations::json_outputs`]). The call goes through the
//! engine's caller like any other (cache, shared calls, retries, rate limit, breaker, price,
//! budget) to the router's generic route (`providers::generic`). Its tool is its own name, so
//! `[call_prices]` prices it as `provider.name` (the file's `cost` by default).

pub mod def;
pub mod template;

use super::json_outputs::JsonOutputs;
use super::user::definition::{Definition, InputDef};
use super::user::{intern_spec, intern_tools};
use super::{Ctx, EnrichError, Enriched, Fields, Integration, IntegrationSpec};
use crate::providers::ErrorKind;
use def::HttpDef;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use template::{Escape, Template};

/// An HTTP integration, ready to run.
pub struct HttpColumn {
    spec: &'static IntegrationSpec,
    post: bool,
    url: Template,
    headers: Vec<(String, Template)>,
    body: Option<Template>,
    no_data_status: Vec<u16>,
    env: Vec<String>,
    outputs: JsonOutputs,
    host: String,
    journal_name: String,
}

impl HttpColumn {
    /// An HTTP integration from its definition (already checked by [`HttpDef::check`]).
    pub fn new(def: &Definition, http: &HttpDef) -> Result<HttpColumn, String> {
        http.check(def)?;
        let inputs = inputs_of(def, &http.input_tokens());
        // Its tool is its name: what `[call_prices]` prices (`example.company_size`).
        let spec = intern_spec(
            def,
            &inputs,
            HttpDef::provider(def),
            intern_tools(std::slice::from_ref(&def.name)),
            def.cost.unwrap_or(0.0),
        );
        let text = def.to_toml().map_err(|e| e.to_string())?;
        Ok(HttpColumn {
            spec,
            post: http.is_post(),
            url: http.url_template(),
            headers: http.header_templates(),
            body: http.body_template(),
            no_data_status: http.no_data_status.clone(),
            env: http.env_vars(),
            outputs: JsonOutputs::compile(&def.outputs, http.no_data_path.as_deref())?,
            host: http.host().unwrap_or_default(),
            journal_name: format!("{}#{:08x}", def.name, crc32fast::hash(text.as_bytes())),
        })
    }

    /// The call's parameters for one row: the whole request, secrets still named.
    pub fn params(&self, inputs: &Fields) -> Result<Value, EnrichError> {
        let value = |name: &str| inputs.get(name).map(String::as_str);
        let headers: Map<String, Value> = self
            .headers
            .iter()
            .map(|(name, t)| (name.clone(), Value::String(t.render(value, Escape::Header))))
            .collect();
        let mut params = json!({
            "method": if self.post { "POST" } else { "GET" },
            "url": self.url.render(value, Escape::Url),
        });
        if !headers.is_empty() {
            params["headers"] = Value::Object(headers);
        }
        if let Some(body) = &self.body {
            let text = body.render(value, Escape::Json);
            params["body"] = serde_json::from_str(&text).map_err(|e| {
                EnrichError::new(
                    ErrorKind::Permanent,
                    format!("not sent: the body is not JSON once filled from this row ({e})"),
                )
            })?;
        }
        if !self.no_data_status.is_empty() {
            params["no_data_status"] = json!(self.no_data_status);
        }
        Ok(params)
    }

    /// The environment variables its requests read.
    pub fn env_vars(&self) -> &[String] {
        &self.env
    }

    /// The host its requests go to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Each output's JSONPath, in order, and the no-data path.
    pub fn outputs(&self) -> &JsonOutputs {
        &self.outputs
    }

    /// Enriches one row (see the module documentation).
    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        // Refused before anything is sent, so the column stops at its first row.
        if let Some(missing) = self
            .env
            .iter()
            .find(|v| std::env::var(v).map_or(true, |s| s.trim().is_empty()))
        {
            return Err(EnrichError::new(
                ErrorKind::Auth,
                format!(
                    "{missing} is not set: {} sends it to {}",
                    self.spec.name, self.host
                ),
            ));
        }
        let params = self.params(inputs)?;
        let answer = ctx.call(self.spec.provider, self.spec.name, params).await?;
        let fields = self.outputs.read(self.spec.outputs, &answer)?;
        ctx.note(format!(
            "parsed\n{}",
            self.outputs.describe(self.spec.outputs, &fields)
        ));
        Ok(Enriched {
            fields,
            notes: Vec::new(),
        })
    }
}

/// The inputs: as declared, or one required input per token, read from the column of its name.
pub(crate) fn inputs_of(def: &Definition, tokens: &[String]) -> Vec<InputDef> {
    if !def.inputs.is_empty() {
        return def.inputs.clone();
    }
    tokens
        .iter()
        .map(|t| InputDef {
            name: t.clone(),
            guess: vec![t.clone()],
            required: true,
            description: String::new(),
        })
        .collect()
}

impl Integration for HttpColumn {
    fn spec(&self) -> &'static IntegrationSpec {
        self.spec
    }

    fn enrich<'a>(
        &'a self,
        ctx: &'a Ctx,
        inputs: &'a Fields,
    ) -> BoxFuture<'a, Result<Enriched, EnrichError>> {
        Box::pin(self.run(ctx, inputs))
    }

    fn first_request(&self, inputs: &Fields) -> Option<Value> {
        self.params(inputs).ok()
    }

    fn journal_name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(&self.journal_name)
    }
}

#[cfg(test)]
mod tests;
