//! Lead-list helpers behind `domain_of`, `first_name_of` and `last_name_of`, sharing their logic
//! with the `email_domain` and `split_full_name` integrations.

use crate::integrations::email_domain::email_domain;
use crate::integrations::split_full_name::split_full_name;

/// The domain of an email (the part after `@`), or the host of a URL or bare host name, lower
/// case and without `www.`; `None` when the text is neither.
pub(super) fn domain_of(text: &str) -> Option<String> {
    let text = text.trim();
    let scheme_end = text.find("://");
    if scheme_end.is_none() && text.contains('@') {
        return email_domain(text);
    }
    let rest = scheme_end.map_or(text, |i| &text[i + 3..]);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => host_port,
    };
    let host = host.trim_end_matches('.').to_lowercase();
    let host = host
        .strip_prefix("www.")
        .map(str::to_string)
        .unwrap_or(host);
    let valid = host.contains('.')
        && !host.starts_with('.')
        && !host.contains("..")
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    valid.then_some(host)
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
