//! What calls cost: LLM answers by their token usage and the model's price per million tokens
//! (`[llm.prices]` in the config), other providers by a price per call.

use super::{ProviderId, Usage};
use serde_json::Value;
use std::collections::BTreeMap;

/// Estimated price of one DataGen tool call (HeyReach's through DataGen too), in US dollars.
pub const DATAGEN_COST_PER_CALL: f64 = 0.01;

/// Characters per token assumed when a call's tokens are estimated before it is made.
const CHARS_PER_TOKEN: usize = 4;

/// Per-call prices keyed as in `[call_prices]`: a provider's name (`apollo`), or a provider
/// and one of its tools (`hunter.email_verifier`), which wins over the provider's.
pub fn per_call_from_names(names: &BTreeMap<String, f64>) -> BTreeMap<CallPriceKey, f64> {
    names
        .iter()
        .map(|(name, usd)| {
            let key = match name.split_once('.') {
                Some((provider, tool)) => {
                    CallPriceKey(ProviderId::named(provider), Some(tool.trim().to_string()))
                }
                None => CallPriceKey(ProviderId::named(name), None),
            };
            (key, *usd)
        })
        .collect()
}

/// What a per-call price applies to: every call of a provider, or one of its tools.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CallPriceKey(pub ProviderId, pub Option<String>);

/// US dollars per million tokens: input (prompt) and output (answer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenPrice {
    /// Per million prompt tokens.
    pub input: f64,
    /// Per million answer tokens.
    pub output: f64,
}

impl TokenPrice {
    /// The price of `input` and `output` tokens.
    pub fn usd(&self, input: u64, output: u64) -> f64 {
        (input as f64 * self.input + output as f64 * self.output) / 1_000_000.0
    }
}

/// Prices of models and of per-call providers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriceList {
    models: BTreeMap<String, TokenPrice>,
    per_call: BTreeMap<CallPriceKey, f64>,
}

impl PriceList {
    /// A price list from model prices and per-call prices.
    pub fn new(
        models: BTreeMap<String, TokenPrice>,
        per_call: BTreeMap<CallPriceKey, f64>,
    ) -> PriceList {
        let models = models
            .into_iter()
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v))
            .collect();
        PriceList { models, per_call }
    }

    /// The price of `model`: its own entry, else the longest entry it extends with a dated or
    /// versioned suffix (`claude-haiku-4-5-20251001` is priced as `claude-haiku-4-5`).
    pub fn model(&self, model: &str) -> Option<TokenPrice> {
        let model = model.trim().to_ascii_lowercase();
        if let Some(p) = self.models.get(&model) {
            return Some(*p);
        }
        self.models
            .iter()
            .filter(|(name, _)| {
                model
                    .strip_prefix(name.as_str())
                    .is_some_and(|rest| rest.starts_with(['-', '@', ':']))
            })
            .max_by_key(|(name, _)| name.len())
            .map(|(_, p)| *p)
    }

    /// What one answer of `provider`'s `tool` cost. An LLM answer (the shape of
    /// [`super::llm`], with `usage`) is priced by its tokens and the model asked for; any other
    /// answer by the tool's or the provider's price per call, when it has one.
    pub fn usage(
        &self,
        provider: ProviderId,
        tool: &str,
        params: &Value,
        result: &Value,
    ) -> Option<Usage> {
        let tokens = |k: &str| {
            result
                .pointer(&format!("/usage/{k}"))
                .and_then(Value::as_u64)
        };
        if let (Some(input), Some(output)) = (tokens("input_tokens"), tokens("output_tokens")) {
            let model = params
                .get("model")
                .and_then(Value::as_str)
                .or_else(|| result.get("model").and_then(Value::as_str))
                .unwrap_or_default();
            return Some(Usage {
                input_tokens: input,
                output_tokens: output,
                usd: self.model(model).map(|p| p.usd(input, output)),
            });
        }
        self.call(provider, tool).map(|usd| Usage {
            usd: Some(usd),
            ..Usage::default()
        })
    }

    /// The price of one call to `provider`, when it bills per call.
    pub fn per_call(&self, provider: ProviderId) -> Option<f64> {
        self.per_call.get(&CallPriceKey(provider, None)).copied()
    }

    /// The price of one call of `provider`'s `tool`: the tool's own, else the provider's.
    pub fn call(&self, provider: ProviderId, tool: &str) -> Option<f64> {
        self.per_call
            .get(&CallPriceKey(provider, Some(tool.to_string())))
            .or_else(|| self.per_call.get(&CallPriceKey(provider, None)))
            .copied()
    }

    /// What a call is expected to cost before it is made, for budgets: its price per call,
    /// or for a model call the prompt's tokens (about 4 characters each) and the most tokens
    /// the answer may use. `None`: no price is known (the call is not counted).
    pub fn expected(&self, provider: ProviderId, tool: &str, params: &Value) -> Option<f64> {
        if let Some(model) = params.get("model").and_then(Value::as_str)
            && let Some(price) = self.model(model)
        {
            let chars: usize = ["system", "prompt"]
                .iter()
                .filter_map(|k| params.get(*k).and_then(Value::as_str))
                .map(str::len)
                .sum::<usize>()
                + params.get("schema").map_or(0, |s| s.to_string().len())
                + params.get("history").map_or(0, |h| h.to_string().len());
            let input = chars.div_ceil(CHARS_PER_TOKEN) as u64;
            let output = params
                .get("max_tokens")
                .and_then(Value::as_u64)
                .unwrap_or(1024);
            return Some(price.usd(input, output));
        }
        self.call(provider, tool)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn prices() -> PriceList {
        PriceList::new(
            BTreeMap::from([
                (
                    "claude-haiku-4-5".to_string(),
                    TokenPrice {
                        input: 1.0,
                        output: 5.0,
                    },
                ),
                (
                    "gpt-4.1".to_string(),
                    TokenPrice {
                        input: 2.0,
                        output: 8.0,
                    },
                ),
                (
                    "gpt-4.1-mini".to_string(),
                    TokenPrice {
                        input: 0.4,
                        output: 1.6,
                    },
                ),
            ]),
            BTreeMap::from([
                (CallPriceKey(ProviderId::DATAGEN, None), 0.01),
                (CallPriceKey(ProviderId::HUNTER, None), 0.02),
                (
                    CallPriceKey(ProviderId::HUNTER, Some("email_verifier".into())),
                    0.005,
                ),
            ]),
        )
    }

    #[test]
    fn models_match_exactly_or_by_a_dated_suffix() {
        let p = prices();
        assert_eq!(p.model("claude-haiku-4-5").map(|p| p.input), Some(1.0));
        assert_eq!(
            p.model("claude-haiku-4-5-20251001").map(|p| p.output),
            Some(5.0)
        );
        // The longest prefix wins: gpt-4.1-mini is not priced as gpt-4.1.
        assert_eq!(
            p.model("gpt-4.1-mini-2025-04-14").map(|p| p.input),
            Some(0.4)
        );
        assert_eq!(p.model("GPT-4.1").map(|p| p.input), Some(2.0));
        assert_eq!(p.model("gpt-4.10"), None);
        assert_eq!(p.model("llama3.1"), None);
    }

    #[test]
    fn llm_answers_are_priced_by_tokens_others_per_call() {
        let p = prices();
        let answer =
            json!({"output": {}, "usage": {"input_tokens": 1_000_000, "output_tokens": 200_000}});
        let u = p
            .usage(
                ProviderId::ANTHROPIC,
                "messages",
                &json!({"model": "claude-haiku-4-5"}),
                &answer,
            )
            .unwrap();
        assert_eq!((u.input_tokens, u.output_tokens), (1_000_000, 200_000));
        assert!((u.usd.unwrap() - 2.0).abs() < 1e-9);
        let local = p
            .usage(
                ProviderId::OPENAI,
                "chat_completions",
                &json!({"model": "llama3.1"}),
                &answer,
            )
            .unwrap();
        assert_eq!(local.usd, None);
        assert_eq!(local.input_tokens, 1_000_000);
        let research = p
            .usage(
                ProviderId::DATAGEN,
                "chatgpt_webresearch",
                &json!({}),
                &json!({"answer": "x"}),
            )
            .unwrap();
        assert_eq!(research.usd, Some(0.01));
        assert_eq!(
            p.usage(ProviderId::APOLLO, "people_match", &json!({}), &json!({})),
            None
        );
        // A tool's own price wins over its provider's.
        assert_eq!(p.call(ProviderId::HUNTER, "email_verifier"), Some(0.005));
        assert_eq!(p.call(ProviderId::HUNTER, "email_finder"), Some(0.02));
    }

    #[test]
    fn calls_are_expected_to_cost_their_price_or_their_tokens() {
        let p = prices();
        assert_eq!(
            p.expected(
                ProviderId::HUNTER,
                "email_finder",
                &json!({"domain": "a.example"})
            ),
            Some(0.02)
        );
        // 400 characters of prompt: 100 tokens in; 1,000 tokens out at most.
        let ask =
            json!({"model": "claude-haiku-4-5", "prompt": "x".repeat(400), "max_tokens": 1000});
        let usd = p.expected(ProviderId::ANTHROPIC, "messages", &ask).unwrap();
        assert!(
            (usd - (100.0 * 1.0 + 1000.0 * 5.0) / 1e6).abs() < 1e-12,
            "{usd}"
        );
        assert_eq!(
            p.expected(ProviderId::APOLLO, "people_match", &json!({})),
            None
        );
    }

    #[test]
    fn usage_adds_and_describes_itself() {
        let mut a = Usage {
            input_tokens: 10,
            output_tokens: 2,
            usd: None,
        };
        a.add(&Usage {
            input_tokens: 5,
            output_tokens: 1,
            usd: Some(0.002),
        });
        assert_eq!(a.input_tokens, 15);
        assert_eq!(a.usd, Some(0.002));
        assert_eq!(a.describe(), "15 in / 3 out tokens · $0.0020");
        assert_eq!(
            Usage {
                input_tokens: 1,
                output_tokens: 1,
                usd: None
            }
            .describe(),
            "1 in / 1 out tokens (no price known for the model)"
        );
        assert_eq!(crate::providers::format_usd(1.2), "$1.20");
        assert_eq!(crate::providers::format_usd(0.042), "$0.042");
    }
}
