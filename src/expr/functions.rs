//! The built-in functions: names, how many arguments each takes, and the signature shown in
//! errors. Their evaluation lives in `builtins`.

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    /// `lower(text)`
    Lower,
    /// `upper(text)`
    Upper,
    /// `trim(text)`
    Trim,
    /// `len(text)`
    Len,
    /// `contains(text, sub)`
    Contains,
    /// `starts_with(text, prefix)`
    StartsWith,
    /// `ends_with(text, suffix)`
    EndsWith,
    /// `replace(text, from, to)`
    Replace,
    /// `split_part(text, separator, n)`
    SplitPart,
    /// `regex_extract(text, pattern[, group])`
    RegexExtract,
    /// `if(condition, then, else)`
    If,
    /// `coalesce(a, b, …)`
    Coalesce,
    /// `is_empty(x)`
    IsEmpty,
    /// `number(x)`
    Number,
    /// `date(x)`
    Date,
    /// `days_since(date)`
    DaysSince,
    /// `domain_of(email_or_url)`
    DomainOf,
    /// `first_name_of(full_name)`
    FirstNameOf,
    /// `last_name_of(full_name)`
    LastNameOf,
    /// `concat(a, b, …)`
    Concat,
    /// `round(x[, digits])`
    Round,
    /// `abs(x)`
    Abs,
    /// `min(a, b, …)`
    Min,
    /// `max(a, b, …)`
    Max,
}

/// Every function, in the order the docs and error messages list them.
const ALL: [Func; 24] = [
    Func::Lower,
    Func::Upper,
    Func::Trim,
    Func::Len,
    Func::Contains,
    Func::StartsWith,
    Func::EndsWith,
    Func::Replace,
    Func::SplitPart,
    Func::RegexExtract,
    Func::If,
    Func::Coalesce,
    Func::IsEmpty,
    Func::Number,
    Func::Date,
    Func::DaysSince,
    Func::DomainOf,
    Func::FirstNameOf,
    Func::LastNameOf,
    Func::Concat,
    Func::Round,
    Func::Abs,
    Func::Min,
    Func::Max,
];

/// Name, fewest and most arguments (`None`: no limit) and signature of one function.
type Sig = (&'static str, usize, Option<usize>, &'static str);

impl Func {
    fn sig(self) -> Sig {
        match self {
            Func::Lower => ("lower", 1, Some(1), "lower(text)"),
            Func::Upper => ("upper", 1, Some(1), "upper(text)"),
            Func::Trim => ("trim", 1, Some(1), "trim(text)"),
            Func::Len => ("len", 1, Some(1), "len(text)"),
            Func::Contains => ("contains", 2, Some(2), "contains(text, sub)"),
            Func::StartsWith => ("starts_with", 2, Some(2), "starts_with(text, prefix)"),
            Func::EndsWith => ("ends_with", 2, Some(2), "ends_with(text, suffix)"),
            Func::Replace => ("replace", 3, Some(3), "replace(text, from, to)"),
            Func::SplitPart => ("split_part", 3, Some(3), "split_part(text, separator, n)"),
            Func::RegexExtract => (
                "regex_extract",
                2,
                Some(3),
                "regex_extract(text, pattern[, group])",
            ),
            Func::If => ("if", 3, Some(3), "if(condition, then, else)"),
            Func::Coalesce => ("coalesce", 1, None, "coalesce(a, b, …)"),
            Func::IsEmpty => ("is_empty", 1, Some(1), "is_empty(x)"),
            Func::Number => ("number", 1, Some(1), "number(x)"),
            Func::Date => ("date", 1, Some(1), "date(x)"),
            Func::DaysSince => ("days_since", 1, Some(1), "days_since(date)"),
            Func::DomainOf => ("domain_of", 1, Some(1), "domain_of(email_or_url)"),
            Func::FirstNameOf => ("first_name_of", 1, Some(1), "first_name_of(full_name)"),
            Func::LastNameOf => ("last_name_of", 1, Some(1), "last_name_of(full_name)"),
            Func::Concat => ("concat", 1, None, "concat(a, b, …)"),
            Func::Round => ("round", 1, Some(2), "round(x[, digits])"),
            Func::Abs => ("abs", 1, Some(1), "abs(x)"),
            Func::Min => ("min", 1, None, "min(a, b, …)"),
            Func::Max => ("max", 1, None, "max(a, b, …)"),
        }
    }

    /// The function's name, lower case, as written in expressions.
    pub fn name(self) -> &'static str {
        self.sig().0
    }

    /// How it is called, e.g. `round(x[, digits])`.
    pub fn signature(self) -> &'static str {
        self.sig().3
    }

    /// The function called `name` (any case).
    pub fn lookup(name: &str) -> Option<Func> {
        ALL.into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Every function, in documentation order.
    pub fn all() -> impl Iterator<Item = Func> {
        ALL.into_iter()
    }

    /// The fewest and most arguments it takes (`None`: no limit).
    pub fn arity(self) -> (usize, Option<usize>) {
        let (_, min, max, _) = self.sig();
        (min, max)
    }

    /// Why `n` arguments do not fit, if they do not.
    pub(super) fn check_arity(self, n: usize) -> Result<(), String> {
        let (min, max) = self.arity();
        if n >= min && max.is_none_or(|max| n <= max) {
            return Ok(());
        }
        let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
        let takes = match max {
            Some(max) if max == min => format!("{min} {}", plural(min)),
            Some(max) => format!("{min} to {max} arguments"),
            None => format!("at least {min} {}", plural(min)),
        };
        Err(format!(
            "{} takes {takes}, not {n}: {}",
            self.name(),
            self.signature()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_has_one_row() {
        let mut names: Vec<_> = Func::all().map(Func::name).collect();
        assert_eq!(names.len(), 24);
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 24);
        for f in Func::all() {
            assert_eq!(Func::lookup(f.name()), Some(f));
            assert_eq!(Func::lookup(&f.name().to_uppercase()), Some(f));
            assert!(f.signature().starts_with(f.name()));
        }
    }

    #[test]
    fn arity_messages() {
        assert_eq!(
            Func::Lower.check_arity(2).unwrap_err(),
            "lower takes 1 argument, not 2: lower(text)"
        );
        assert_eq!(
            Func::Round.check_arity(3).unwrap_err(),
            "round takes 1 to 2 arguments, not 3: round(x[, digits])"
        );
        assert_eq!(
            Func::Coalesce.check_arity(0).unwrap_err(),
            "coalesce takes at least 1 argument, not 0: coalesce(a, b, …)"
        );
        assert!(Func::Max.check_arity(5).is_ok());
    }
}
