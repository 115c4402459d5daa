//! Lead-list helpers behind `domain_of`, `first_name_of` and `last_name_of`, sharing their logic
//! with the `email_domain` and `split_full_name` integrations.

use crate::integrations::email_domain::email_domain_as_written;
use crate::integrations::split_full_name::split_full_name;
use std::borrow::Cow;

/// The domain of an email (the part after `@`), or the host of a URL or bare host name, lower
/// case and without `www.`; `None` when the text is neither. Borrows from `text` when it is
/// already lower case.
pub(super) fn domain_of(text: &str) -> Option<Cow<'_, str>> {
    let text = text.trim();
    let scheme_end = text.find("://");
    if scheme_end.is_none() && text.contains('@') {
        return email_domain_as_written(text).map(lower);
    }
    let rest = scheme_end.map_or(text, |i| &text[i + 3..]);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => host_port,
    };
    let host = lower(host.trim_end_matches('.'));
    let host = match host {
        Cow::Borrowed(h) => Cow::Borrowed(h.strip_prefix("www.").unwrap_or(h)),
        Cow::Owned(h) => match h.strip_prefix("www.") {
            Some(bare) => Cow::Owned(bare.to_string()),
            None => Cow::Owned(h),
        },
    };
    let valid = host.contains('.')
        && !host.starts_with('.')
        && !host.contains("..")
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    valid.then_some(host)
}

/// `s` in lower case, borrowed when it already is.
fn lower(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_uppercase) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// The first name in a full name (titles, suffixes and "Last, First" understood).
pub(super) fn first_name_of(full: &str) -> Option<String> {
    split_full_name(full).map(|(first, _)| first)
}

/// The last name in a full name; `None` for a single word.
pub(super) fn last_name_of(full: &str) -> Option<String> {
    split_full_name(full)
        .map(|(_, last)| last)
        .filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_from_emails_urls_and_hosts() {
        for (text, domain) in [
            ("ada@Brightforge.Example", "brightforge.example"),
            ("https://www.Acme.com/about?x=1", "acme.com"),
            ("http://user:pw@acme.io:8080/path", "acme.io"),
            ("acme.co.uk", "acme.co.uk"),
            ("www.acme.com/", "acme.com"),
            ("  ACME.com.  ", "acme.com"),
            ("https://blog.acme.com#top", "blog.acme.com"),
            ("https://münchen.de", "münchen.de"),
        ] {
            assert_eq!(domain_of(text).as_deref(), Some(domain), "{text}");
        }
        for text in [
            "",
            "n/a",
            "ada@",
            "localhost",
            "https://",
            "a b.com",
            "http://[::1]/",
        ] {
            assert_eq!(domain_of(text), None, "{text}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(first_name_of("Dr. Elin Sørby").as_deref(), Some("Elin"));
        assert_eq!(last_name_of("Dr. Elin Sørby").as_deref(), Some("Sørby"));
        assert_eq!(last_name_of("Ada Quill Jr.").as_deref(), Some("Quill"));
        assert_eq!(first_name_of("Quill, Ada").as_deref(), Some("Ada"));
        assert_eq!(last_name_of("Cher"), None);
        assert_eq!(first_name_of("  "), None);
    }
}
