//! One canonical form for LinkedIn profile URLs, shared by integrations, request keys (so
//! one profile is one cached answer) and HeyReach matching.

/// `https://www.linkedin.com/in/<slug>/`, lower-cased, without query or fragment; `None` if `s`
/// is not a LinkedIn profile URL. Accepts missing scheme, `http`, `www.`/country/mobile hosts,
/// trailing slashes and extra path segments.
pub fn normalize_linkedin_url(s: &str) -> Option<String> {
    profile_slug(s).map(|slug| format!("https://www.linkedin.com/in/{slug}/"))
}

/// The lower-cased `<slug>` of a LinkedIn profile URL (a vanity name or an opaque id).
pub fn profile_slug(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().any(char::is_whitespace) {
        return None;
    }
    let with_scheme = if s.contains("://") {
        s.to_string()
    } else {
        format!("https://{s}")
    };
    let url = url::Url::parse(&with_scheme).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    if host != "linkedin.com" && !host.ends_with(".linkedin.com") {
        return None;
    }
    let mut segments = url.path_segments()?.filter(|p| !p.is_empty());
    if !segments.next()?.eq_ignore_ascii_case("in") {
        return None;
    }
    let slug = segments.next()?.to_lowercase();
    Some(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_normalize_to_one_form() {
        let want = Some("https://www.linkedin.com/in/ada-quill-demo/".to_string());
        for s in [
            "https://www.linkedin.com/in/ada-quill-demo/",
            "https://www.linkedin.com/in/ada-quill-demo",
            "http://linkedin.com/in/Ada-Quill-Demo",
            "www.linkedin.com/in/ada-quill-demo/?utm_source=x#top",
            "linkedin.com/in/ada-quill-demo//",
            "  https://uk.linkedin.com/in/ada-quill-demo/details/experience/ ",
            "https://m.linkedin.com/IN/ada-quill-demo",
        ] {
            assert_eq!(normalize_linkedin_url(s), want, "{s}");
        }
    }

    #[test]
    fn opaque_ids_are_kept_as_slugs() {
        assert_eq!(
            profile_slug("https://www.linkedin.com/in/ACoAAB12xyz"),
            Some("acoaab12xyz".to_string())
        );
    }

    #[test]
    fn non_profile_urls_are_rejected() {
        for s in [
            "",
            "ada-quill-demo",
            "https://www.linkedin.com/company/brightforge/",
            "https://www.linkedin.com/in/",
            "https://evil-linkedin.com/in/ada",
            "https://example.com/in/ada",
            "mailto:ada@linkedin.com",
            "https://www.linkedin.com/in/ada quill",
        ] {
            assert_eq!(normalize_linkedin_url(s), None, "{s}");
        }
    }
}
