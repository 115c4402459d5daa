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
    /// Each provider's variable and what its cells say.
    missing: BTreeMap<ProviderId, (&'static str, String)>,
}

impl MissingKeys {
    /// Every provider can be called (the demo server, or tests).
    pub fn none() -> MissingKeys {
        MissingKeys::default()
    }

    /// The providers with a key variable that `unavailable` says cannot be called, with why
    /// (the session asks its endpoints: a provider pointed at a local server needs no key).
    pub fn find(unavailable: impl Fn(ProviderId) -> Option<String>) -> MissingKeys {
        let missing = ProviderId::BUILTIN
            .into_iter()
            .filter_map(|provider| {
                let var = provider.key_env()?;
                Some((provider, (var, unavailable(provider)?)))
            })
            .collect();
        MissingKeys { missing }
    }

    /// The variable to set before `provider` can be called, if its key is missing.
    pub fn of(&self, provider: ProviderId) -> Option<&'static str> {
        self.missing.get(&provider).map(|(var, _)| *var)
    }

    /// What a cell of `provider` says when its key is missing.
    pub fn explain(&self, provider: ProviderId) -> Option<String> {
        self.missing.get(&provider).map(|(_, why)| why.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_needs_its_own_variable() {
        let none = MissingKeys::find(|p| Some(format!("no {p} key (or use --demo)")));
        assert_eq!(none.of(ProviderId::DATAGEN), Some("DATAGEN_API_KEY"));
        assert_eq!(none.of(ProviderId::HEYREACH), Some("DATAGEN_API_KEY"));
        assert_eq!(none.of(ProviderId::HUNTER), Some("HUNTER_API_KEY"));
        assert_eq!(none.of(ProviderId::LOCAL), None);
        let message = none.explain(ProviderId::APOLLO).expect("missing");
        assert_eq!(message, "no apollo key (or use --demo)");

        let some = MissingKeys::find(|p| (p == ProviderId::APOLLO).then(String::new));
        assert_eq!(some.of(ProviderId::DATAGEN), None);
        assert_eq!(some.of(ProviderId::APOLLO), Some("APOLLO_API_KEY"));
        assert_eq!(MissingKeys::none().of(ProviderId::DATAGEN), None);
    }
}
