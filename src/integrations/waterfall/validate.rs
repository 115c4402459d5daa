//! The waterfall's validators that cost nothing: email syntax, URL host, number range, not
//! empty. (`verify`, Hunter's verifier, is a paid call and lives with the waterfall.)

use super::definition::Validate;

/// Whether `value` is an email address: one `@`, a local part, and a dotted domain, no spaces.
pub fn is_email(value: &str) -> bool {
    let value = value.trim();
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !value.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// Whether `value` is a URL whose host (without `www.`) and path start with `prefix`
/// (`linkedin.com/company/`), compared ignoring case.
pub fn has_host(value: &str, prefix: &str) -> bool {
    let lower = value.trim().to_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let prefix = prefix.trim().to_lowercase();
    let prefix = prefix.strip_prefix("www.").unwrap_or(&prefix);
    !rest.contains(char::is_whitespace) && rest.starts_with(prefix)
}

/// Why `value` fails the free validators of `v`, if it does.
pub fn reject(value: &str, v: &Validate) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return Some("empty".into());
    }
    if v.email && !is_email(value) {
        return Some(format!("{value:?} is not an email address"));
    }
    if let Some(prefix) = &v.url_host
        && !has_host(value, prefix)
    {
        return Some(format!("{value:?} is not a {prefix} URL"));
    }
    if v.min.is_some() || v.max.is_some() {
        let Ok(n) = value.replace(',', "").parse::<f64>() else {
            return Some(format!("{value:?} is not a number"));
        };
        if let Some(lo) = v.min.filter(|lo| n < *lo) {
            return Some(format!("{n} is below {lo}"));
        }
        if let Some(hi) = v.max.filter(|hi| n > *hi) {
            return Some(format!("{n} is above {hi}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["ada@brightforge.example", "a.b+c@x-y.co.uk"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "ada",
            "ada@",
            "@x.example",
            "a@b",
            "a b@x.example",
            "a@x..example",
            "a@@x.example",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn hosts_ranges_and_emptiness() {
        let linkedin = Validate {
            url_host: Some("linkedin.com/company/".into()),
            ..Validate::default()
        };
        assert_eq!(
            reject("https://www.linkedin.com/company/kitecraft/", &linkedin),
            None
        );
        assert_eq!(reject("linkedin.com/company/kitecraft", &linkedin), None);
        assert!(reject("https://www.linkedin.com/in/ada/", &linkedin).is_some());
        assert!(reject("https://evil.example/linkedin.com/company/x", &linkedin).is_some());
        let range = Validate {
            min: Some(0.0),
            max: Some(100.0),
            ..Validate::default()
        };
        assert_eq!(reject("1,5", &range), None);
        assert!(reject("101", &range).unwrap().contains("above"));
        assert!(reject("n/a", &range).unwrap().contains("not a number"));
        assert_eq!(reject("  ", &Validate::default()).as_deref(), Some("empty"));
    }
}
