//! Which providers leadgrid can call: each paid provider needs its API key (in its
//! environment variable; DataGen's may also be in the config file), except against the
//! built-in demo server, which needs none. Providers without a key are known up front, so the
//! picker marks their integrations and their cells fail at once with what to set, instead of
//! each paying a round trip to learn it.

use super::{ProviderId, anthropic, apollo, hunter, openai};
use std::collections::BTreeMap;

impl ProviderId {
    /// The environment variable holding this provider's API key; `None` for providers that
    /// need none (local integrations, user-defined ones).
    pub fn key_env(self) -> Option<&'static str> {
        match self {
            ProviderId::DATAGEN | ProviderId::HEYREACH => Some(super::datagen::API_KEY_ENV),
            ProviderId::ANTHROPIC => Some(anthropic::WIRE.api_key_env),
            ProviderId::OPENAI => Some(openai::WIRE.api_key_env),
            ProviderId::APOLLO => Some(apollo::WIRE.api_key_env),
            ProviderId::HUNTER => Some(hunter::WIRE.api_key_env),
            _ => None,
        }
    }
}

/// The providers that have no key, each with the variable to set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MissingKeys {
    missing: BTreeMap<ProviderId, &'static str>,
}

impl MissingKeys {
    /// Every provider can be called (the demo server, or tests).
    pub fn none() -> MissingKeys {
        MissingKeys::default()
    }

    /// The providers without a key: DataGen's comes from the config (the environment
    /// already merged in), the others from `env`. An OpenAI-compatible endpoint pointed
    /// elsewhere (`OPENAI_BASE_URL`: llama.cpp, Ollama…) may need no key, so it counts as set.
    pub fn find(datagen_key: bool, env: impl Fn(&str) -> Option<String>) -> MissingKeys {
        let set = |name: &str| env(name).is_some_and(|v| !v.trim().is_empty());
        let missing = ProviderId::BUILTIN
            .into_iter()
            .filter_map(|provider| Some((provider, provider.key_env()?)))
            .filter(|&(provider, var)| match provider {
                ProviderId::DATAGEN | ProviderId::HEYREACH => !datagen_key,
                ProviderId::OPENAI => !set(var) && !set(openai::WIRE.base_url_env),
                _ => !set(var),
            })
            .collect();
        MissingKeys { missing }
    }

    /// The variable to set before `provider` can be called, if its key is missing.
    pub fn of(&self, provider: ProviderId) -> Option<&'static str> {
        self.missing.get(&provider).copied()
    }

    /// What a cell of `provider` says when its key is missing.
    pub fn explain(&self, provider: ProviderId) -> Option<String> {
        self.of(provider).map(|var| {
            format!("no API key for {provider}: set {var} and start leadgrid again, or try it with --demo")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_needs_its_own_variable() {
        let none = MissingKeys::find(false, |_| None);
        assert_eq!(none.of(ProviderId::DATAGEN), Some("DATAGEN_API_KEY"));
        assert_eq!(none.of(ProviderId::HEYREACH), Some("DATAGEN_API_KEY"));
        assert_eq!(none.of(ProviderId::HUNTER), Some("HUNTER_API_KEY"));
        assert_eq!(none.of(ProviderId::LOCAL), None);
        let message = none.explain(ProviderId::APOLLO).expect("missing");
        assert!(
            message.contains("APOLLO_API_KEY") && message.contains("--demo"),
            "{message}"
        );

        let env = |name: &str| match name {
            "HUNTER_API_KEY" => Some("k".to_string()),
            "APOLLO_API_KEY" => Some("  ".to_string()),
            "OPENAI_BASE_URL" => Some("http://127.0.0.1:8080/v1".to_string()),
            _ => None,
        };
        let some = MissingKeys::find(true, env);
        assert_eq!(some.of(ProviderId::DATAGEN), None);
        assert_eq!(some.of(ProviderId::HUNTER), None);
        assert_eq!(
            some.of(ProviderId::APOLLO),
            Some("APOLLO_API_KEY"),
            "blank is unset"
        );
        assert_eq!(
            some.of(ProviderId::OPENAI),
            None,
            "a local endpoint may need no key"
        );
        assert_eq!(some.of(ProviderId::ANTHROPIC), Some("ANTHROPIC_API_KEY"));
        assert_eq!(MissingKeys::none().of(ProviderId::DATAGEN), None);
    }
}
