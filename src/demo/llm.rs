//! The demo LLM behind both the Anthropic and the OpenAI routes: it answers any JSON schema
//! deterministically from the prompt. Each property gets a value of its declared type, taken from
//! the company the prompt (or the research text in it) names when the property's name says what
//! it is (`ceo_name`, `industry`, `employee_range`, `recent_news`, `sources`…), else derived from
//! a hash of the prompt and the property's path. A nullable property is `null` when the company
//! has nothing for it (an unknown CEO).
//!
//! Prompt markers produce the failures integrations must survive:
//! - `[demo:invalid-once]`: the first answer for that conversation breaks the schema, later ones are valid;
//! - `[demo:overload-once]`: the first request gets the provider's overload error with `retry-after: 1`;
//! - `[demo:truncate]`: the answer is cut off as if it hit the token limit.
//!
//! "That conversation" is the system prompt plus the first user message, so a retry that resends
//! it, alone or followed by a correction turn, counts as the same one.

use super::companies::{Companies, Company, Mention, date_after_2025_06};
use super::hash::{SplitMix, fnv1a};
use serde_json::{Map, Value, json};
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

/// Makes the first answer of a conversation violate its schema.
pub const INVALID_ONCE: &str = "[demo:invalid-once]";
/// Makes the first request of a conversation fail with the provider's overload error.
pub const OVERLOAD_ONCE: &str = "[demo:overload-once]";
/// Cuts every answer off as if it hit the token limit.
pub const TRUNCATE: &str = "[demo:truncate]";

/// Conversations remembered for the `-once` markers; the oldest are forgotten first.
const MEMORY: usize = 4096;

/// Deepest schema nesting followed (recursive `$ref`s stop here).
const MAX_DEPTH: usize = 6;

/// The text of a request, as the demo LLM reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    /// System prompt.
    pub system: String,
    /// The first user message.
    pub first_user: String,
    /// Every message's text, in order, system first.
    pub all_text: String,
}

impl Conversation {
    /// A conversation from its system prompt and its turns as (role, text).
    pub fn new(system: String, turns: &[(String, String)]) -> Self {
        let first_user = turns
            .iter()
            .find(|(role, _)| role == "user")
            .map(|(_, text)| text.clone())
            .unwrap_or_default();
        let mut all_text = system.clone();
        for (_, text) in turns {
            all_text.push('\n');
            all_text.push_str(text);
        }
        Conversation {
            system,
            first_user,
            all_text,
        }
    }

    /// Whether any message carries `marker`.
    pub fn has(&self, marker: &str) -> bool {
        self.all_text.contains(marker)
    }

    /// Identifies the conversation for the `-once` markers.
    fn key(&self, provider: &str, marker: &str) -> u64 {
        fnv1a(&format!(
            "{provider}\u{1f}{marker}\u{1f}{}\u{1f}{}",
            self.system, self.first_user
        ))
    }
}

/// The text of a message's content: a string, or the text of its blocks (Anthropic's `text`
/// and `tool_result` blocks, OpenAI's `text` parts).
pub fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .map(|b| match b.get("type").and_then(Value::as_str) {
                Some("tool_result") => content_text(b.get("content").unwrap_or(&Value::Null)),
                Some("tool_use") => b.get("input").map(Value::to_string).unwrap_or_default(),
                _ => b
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// Tokens billed for a text: about one per four characters, as providers roughly count.
pub fn tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

/// The answer text cut to fit `max_tokens`, when it does not fit or `[demo:truncate]` asks for it.
pub fn truncated(text: &str, max_tokens: u64, forced: bool) -> Option<String> {
    let limit = usize::try_from(max_tokens.saturating_mul(4)).unwrap_or(usize::MAX);
    let keep = if forced {
        (text.chars().count() / 2).min(limit)
    } else if text.chars().count() > limit {
        limit
    } else {
        return None;
    };
    Some(text.chars().take(keep).collect())
}

/// The `-once` markers' memory, bounded.
#[derive(Default)]
struct Seen {
    keys: HashSet<u64>,
    order: VecDeque<u64>,
}

/// The demo LLM.
pub struct DemoLlm {
    companies: Arc<Companies>,
    seen: Mutex<Seen>,
}

impl DemoLlm {
    /// A demo LLM answering from `companies`.
    pub fn new(companies: Arc<Companies>) -> Self {
        DemoLlm {
            companies,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// True the first time `marker` is seen in this conversation (and `provider`); remembers it.
    pub fn first_time(&self, provider: &str, conversation: &Conversation, marker: &str) -> bool {
        if !conversation.has(marker) {
            return false;
        }
        let key = conversation.key(provider, marker);
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if !seen.keys.insert(key) {
            return false;
        }
        seen.order.push_back(key);
        while seen.order.len() > MEMORY {
            if let Some(old) = seen.order.pop_front() {
                seen.keys.remove(&old);
            }
        }
        true
    }

    /// An object following `schema`, for this conversation.
    pub fn structured(&self, conversation: &Conversation, schema: &Value) -> Value {
        let ctx = Ctx {
            mention: self.mention(conversation),
            seed: fnv1a(&format!(
                "{}\u{1f}{}",
                conversation.system, conversation.first_user
            )),
            root: schema,
        };
        let value = ctx.fill(schema, "", 0);
        if value.is_object() {
            value
        } else {
            json!({ "answer": value })
        }
    }

    /// A free-text answer, for requests without a schema.
    pub fn prose(&self, conversation: &Conversation) -> String {
        match self.mention(conversation) {
            Some(Mention {
                company: Some(c), ..
            }) => {
                let ceo = match &c.ceo {
                    Some(ceo) => format!("Its chief executive is {} ({}).", ceo.name, ceo.title),
                    None => "Public sources do not name its chief executive.".to_string(),
                };
                format!(
                    "{} It has about {} employees and is based in {}, {}. {ceo}",
                    c.description, c.employee_count, c.city, c.country
                )
            }
            Some(Mention { domain, .. }) => {
                format!("I could not find reliable information about {domain}.")
            }
            None => {
                let mut rng = SplitMix::new(fnv1a(&conversation.all_text));
                format!(
                    "Here is a short demo answer: {} {}.",
                    rng.pick(ADJECTIVES),
                    rng.pick(NOUNS)
                )
            }
        }
    }

    /// `object` made to break `schema`: the first required property dropped and another given
    /// the wrong type, as a careless model might answer.
    pub fn broken(object: &Value, schema: &Value) -> Value {
        let mut map = object.as_object().cloned().unwrap_or_default();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let dropped = required
            .first()
            .map(|s| s.to_string())
            .or_else(|| map.keys().next().cloned());
        if let Some(name) = &dropped {
            map.remove(name);
        }
        if let Some((_, v)) = map.iter_mut().next() {
            *v = if v.is_string() {
                json!(12345)
            } else {
                json!("not what the schema asked for")
            };
        } else {
            map.insert("unexpected".into(), json!(true));
        }
        Value::Object(map)
    }

    /// The company the conversation is about: named in the first user message first, then in
    /// the system prompt, then anywhere.
    fn mention(&self, c: &Conversation) -> Option<Mention> {
        [&c.first_user, &c.system, &c.all_text]
            .into_iter()
            .find_map(|text| self.companies.mentioned_in(text))
    }
}

const ADJECTIVES: &[&str] = &[
    "amber", "brisk", "calm", "steady", "bright", "quiet", "bold", "crisp", "gentle", "rapid",
];
const NOUNS: &[&str] = &[
    "harbor", "summit", "meadow", "lantern", "orchard", "beacon", "compass", "ridge", "delta",
    "canyon",
];

/// What a company record says for a property, before it is shaped to the declared type.
#[derive(Debug, Clone, PartialEq)]
enum Fact {
    Text(String),
    Int(u64),
    Number(f64),
    List(Vec<String>),
    /// The record covers this (a CEO field) but has nothing: `null` where allowed.
    Missing,
}

/// One answer being built.
struct Ctx<'a> {
    mention: Option<Mention>,
    seed: u64,
    root: &'a Value,
}

/// A property's schema, read once: its type, nullability, format, choices.
struct Shape<'a> {
    schema: &'a Value,
    kind: &'a str,
    nullable: bool,
}

impl<'a> Ctx<'a> {
    /// A value for `schema` at `path` (`ceo.name`, `news[0]`).
    fn fill(&self, schema: &'a Value, path: &str, depth: usize) -> Value {
        let shape = self.shape(schema, depth);
        let name = path.rsplit(['.', '[']).next().unwrap_or(path);
        if let Some(c) = shape.schema.get("const") {
            return c.clone();
        }
        // Only the answer's own properties are about the company; nested ones are details.
        let fact = if depth == 1 && shape.kind != "object" {
            self.fact(name, shape.kind)
        } else {
            None
        };
        if let Some(choices) = shape.schema.get("enum").and_then(Value::as_array) {
            return self.choose(choices, fact.as_ref(), path);
        }
        match fact {
            Some(Fact::Missing) if shape.nullable => Value::Null,
            // A date or URL cannot be "unknown": a made-up one keeps the answer valid.
            Some(Fact::Missing) if shape.schema.get("format").is_some() => {
                self.invent(&shape, name, path, depth)
            }
            Some(Fact::Missing) => empty(shape.kind),
            Some(fact) => shaped(fact, &shape, self.seed, path)
                .unwrap_or_else(|| self.invent(&shape, name, path, depth)),
            None => self.invent(&shape, name, path, depth),
        }
    }

    /// Resolves `$ref`, `anyOf`/`oneOf` and type lists into one concrete shape.
    fn shape(&self, schema: &'a Value, depth: usize) -> Shape<'a> {
        let mut schema = schema;
        let mut nullable = false;
        for _ in 0..MAX_DEPTH.saturating_sub(depth).max(1) {
            if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
                match self.resolve(target) {
                    Some(s) => {
                        schema = s;
                        continue;
                    }
                    None => break,
                }
            }
            let options = schema
                .get("anyOf")
                .or_else(|| schema.get("oneOf"))
                .and_then(Value::as_array);
            if let Some(options) = options {
                nullable |= options
                    .iter()
                    .any(|o| o.get("type") == Some(&json!("null")));
                match options
                    .iter()
                    .find(|o| o.get("type") != Some(&json!("null")))
                {
                    Some(o) => {
                        schema = o;
                        continue;
                    }
                    None => break,
                }
            }
            break;
        }
        let kind = match schema.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(types)) => {
                nullable |= types.iter().any(|t| t == "null");
                types
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|t| *t != "null")
                    .unwrap_or("null")
            }
            _ if schema.get("properties").is_some() => "object",
            _ if schema.get("items").is_some() => "array",
            _ if schema.get("enum").is_some() => "enum",
            _ => "string",
        };
        nullable |= schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.contains(&Value::Null));
        Shape {
            schema,
            kind,
            nullable,
        }
    }

    /// A local `$ref` (`#/$defs/x`, `#/definitions/x`).
    fn resolve(&self, target: &str) -> Option<&'a Value> {
        let pointer = target.strip_prefix('#')?;
        self.root.pointer(pointer)
    }

    /// An enum choice: the company's value when it is one of the choices, else by hash.
    fn choose(&self, choices: &[Value], fact: Option<&Fact>, path: &str) -> Value {
        let wanted = match fact {
            Some(Fact::Text(t)) => Some(t.to_lowercase()),
            Some(Fact::Int(n)) => Some(n.to_string()),
            _ => None,
        };
        if let Some(w) = wanted {
            let hit = choices.iter().find(|c| match c {
                Value::String(s) => s.to_lowercase() == w,
                other => other.to_string() == w,
            });
            if let Some(hit) = hit {
                return hit.clone();
            }
        }
        if matches!(fact, Some(Fact::Missing)) && choices.contains(&Value::Null) {
            return Value::Null;
        }
        let real: Vec<&Value> = choices.iter().filter(|c| !c.is_null()).collect();
        let mut rng = self.rng(path);
        real.get(rng.below(real.len() as u64) as usize)
            .map(|v| (*v).clone())
            .unwrap_or(Value::Null)
    }

    fn rng(&self, path: &str) -> SplitMix {
        SplitMix::new(self.seed ^ fnv1a(path).rotate_left(7))
    }

    /// A value derived from the prompt and the path alone.
    fn invent(&self, shape: &Shape<'a>, name: &str, path: &str, depth: usize) -> Value {
        let mut rng = self.rng(path);
        let format = shape.schema.get("format").and_then(Value::as_str);
        let lname = name.to_lowercase();
        match shape.kind {
            "object" => {
                let mut map = Map::new();
                if depth < MAX_DEPTH
                    && let Some(props) = shape.schema.get("properties").and_then(Value::as_object)
                {
                    for (key, sub) in props {
                        let sub_path = if path.is_empty() {
                            key.clone()
                        } else {
                            format!("{path}.{key}")
                        };
                        map.insert(key.clone(), self.fill(sub, &sub_path, depth + 1));
                    }
                }
                Value::Object(map)
            }
            "array" => {
                let min = shape
                    .schema
                    .get("minItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(1);
                let max = shape
                    .schema
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(3);
                let count = (min.max(1) + rng.below(3)).min(max.max(min)).min(5);
                let items = shape.schema.get("items").unwrap_or(&Value::Null);
                Value::Array(
                    (0..count)
                        .map(|i| {
                            if depth < MAX_DEPTH {
                                self.fill(items, &format!("{path}[{i}]"), depth + 1)
                            } else {
                                Value::Null
                            }
                        })
                        .collect(),
                )
            }
            "integer" => {
                if lname.contains("year") {
                    json!(1990 + rng.below(36))
                } else {
                    json!(rng.below(1000))
                }
            }
            "number" => {
                let fraction = (5 + rng.below(91)) as f64 / 100.0;
                if ["confidence", "score", "probability", "ratio", "rate"]
                    .iter()
                    .any(|w| lname.contains(w))
                {
                    json!(fraction)
                } else {
                    json!(rng.below(1000) as f64 + fraction)
                }
            }
            "boolean" => json!(rng.below(2) == 1),
            "null" => Value::Null,
            _ => match format {
                Some("date") => json!(date_after_2025_06(rng.below(365))),
                Some("date-time") => {
                    json!(format!("{}T12:00:00Z", date_after_2025_06(rng.below(365))))
                }
                Some("uri" | "url") => json!(format!(
                    "https://{}-{}.example/{}",
                    rng.pick(ADJECTIVES),
                    rng.pick(NOUNS),
                    slug(name)
                )),
                Some("email") => json!(format!(
                    "{}@{}.example",
                    rng.pick(NOUNS),
                    rng.pick(ADJECTIVES)
                )),
                _ => json!(format!("{} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS))),
            },
        }
    }

    /// What the company says for a top-level property, judged from its name.
    fn fact(&self, name: &str, kind: &str) -> Option<Fact> {
        let mention = self.mention.as_ref()?;
        let n = name.to_lowercase().replace(['-', ' '], "_");
        let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
        let Some(c) = &mention.company else {
            // The company does not exist: nothing is known about anything it would say.
            return Some(Fact::Missing);
        };
        if has(&["ceo", "chief_exec"]) {
            return Some(ceo_fact(c, has));
        }
        let numeric = matches!(kind, "integer" | "number");
        let fact = if has(&["industry", "sector", "vertical"]) {
            Fact::Text(c.industry.clone())
        } else if has(&["employee", "headcount", "staff", "company_size"]) || n == "size" {
            if numeric && !has(&["range", "band", "bucket"]) {
                Fact::Int(c.employee_count)
            } else {
                Fact::Text(c.employee_range.clone())
            }
        } else if has(&["founded", "founding", "year"]) {
            Fact::Int(c.founded_year)
        } else if has(&["country"]) {
            Fact::Text(c.country.clone())
        } else if has(&["city", "headquarter", "hq", "location"]) {
            Fact::Text(format!("{}, {}", c.city, c.country))
        } else if has(&["customer", "client"]) {
            Fact::List(c.customers.clone())
        } else if has(&["news", "announce", "recent", "update"]) {
            news_fact(c, kind)
        } else if has(&["source", "citation", "reference", "evidence"]) {
            Fact::List(c.sources())
        } else if has(&["linkedin"]) {
            Fact::Text(c.linkedin_url.clone())
        } else if has(&["domain"]) {
            Fact::Text(c.domain.clone())
        } else if has(&["website", "homepage", "url"]) {
            Fact::Text(format!("https://{}", c.domain))
        } else if has(&["pattern"]) {
            Fact::Text(c.email_pattern.clone())
        } else if has(&[
            "summary",
            "description",
            "about",
            "overview",
            "what_",
            "product",
            "business",
        ]) {
            Fact::Text(c.description.clone())
        } else if has(&["company", "organization", "organisation"]) || n == "name" {
            Fact::Text(c.name.clone())
        } else if has(&["confidence"]) {
            Fact::Number(0.9)
        } else {
            return None;
        };
        Some(fact)
    }
}

fn ceo_fact(c: &Company, has: impl Fn(&[&str]) -> bool) -> Fact {
    let Some(ceo) = &c.ceo else {
        return Fact::Missing;
    };
    let mut names = ceo.name.split_whitespace();
    let first = names.next().unwrap_or_default().to_string();
    let last = names.last().unwrap_or_default().to_string();
    if has(&["linkedin"]) {
        Fact::Text(ceo.linkedin_url.clone())
    } else if has(&["source", "url", "evidence", "citation"]) {
        Fact::Text(ceo.source_url.clone())
    } else if has(&["title", "role", "position"]) {
        Fact::Text(ceo.title.clone())
    } else if has(&["confidence", "score", "probability"]) {
        Fact::Number(0.92)
    } else if has(&["email"]) {
        Fact::Text(c.email_for(&first, &last))
    } else if has(&["first"]) {
        Fact::Text(first)
    } else if has(&["last"]) {
        Fact::Text(last)
    } else {
        Fact::Text(ceo.name.clone())
    }
}

fn news_fact(c: &Company, kind: &str) -> Fact {
    if c.news.is_empty() {
        return Fact::Missing;
    }
    match kind {
        "array" => Fact::List(
            c.news
                .iter()
                .map(|n| format!("{}: {}", n.date, n.headline))
                .collect(),
        ),
        _ => Fact::Text(
            c.news
                .iter()
                .map(|n| format!("{}: {} ({})", n.date, n.headline, n.url))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

/// The neutral value of a type, for a non-nullable property the company has nothing for.
fn empty(kind: &str) -> Value {
    match kind {
        "integer" | "number" => json!(0),
        "boolean" => json!(false),
        "array" => json!([]),
        "object" => json!({}),
        "null" => Value::Null,
        _ => json!("unknown"),
    }
}

/// A fact in the declared type (and format) of its property; `None` when it cannot take that
/// shape (a list of objects), so the value is invented instead.
fn shaped(fact: Fact, shape: &Shape<'_>, seed: u64, path: &str) -> Option<Value> {
    let format = shape.schema.get("format").and_then(Value::as_str);
    let value = match shape.kind {
        "array" => {
            let items = shape.schema.get("items").unwrap_or(&Value::Null);
            let item_kind = items
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("string");
            if matches!(item_kind, "object" | "array") {
                return None;
            }
            let item_format = items.get("format").and_then(Value::as_str);
            let list = match fact {
                Fact::List(v) => v,
                Fact::Text(t) => vec![t],
                Fact::Int(n) => vec![n.to_string()],
                Fact::Number(x) => vec![x.to_string()],
                Fact::Missing => Vec::new(),
            };
            let list: Vec<String> = match item_format {
                Some("uri" | "url") => list.into_iter().filter_map(|s| url_in(&s)).collect(),
                _ => list,
            };
            Value::Array(
                list.into_iter()
                    .map(|s| match item_kind {
                        "integer" | "number" => json!(leading_number(&s).unwrap_or(0)),
                        _ => json!(s),
                    })
                    .collect(),
            )
        }
        "integer" => match fact {
            Fact::Int(n) => json!(n),
            Fact::Number(x) => json!(x.round() as i64),
            Fact::Text(t) => json!(leading_number(&t).unwrap_or(0)),
            Fact::List(v) => json!(v.len()),
            Fact::Missing => json!(0),
        },
        "number" => match fact {
            Fact::Int(n) => json!(n as f64),
            Fact::Number(x) => json!(x),
            Fact::Text(t) => json!(leading_number(&t).unwrap_or(0) as f64),
            Fact::List(v) => json!(v.len() as f64),
            Fact::Missing => json!(0.0),
        },
        "boolean" => json!(!matches!(fact, Fact::Missing)),
        _ => {
            let text = match fact {
                Fact::Text(t) => t,
                Fact::Int(n) => n.to_string(),
                Fact::Number(x) => format!("{x:.2}"),
                Fact::List(v) => v.join("; "),
                Fact::Missing => String::new(),
            };
            match format {
                Some("date") => json!(date_in(&text).unwrap_or_else(|| {
                    date_after_2025_06(SplitMix::new(seed ^ fnv1a(path)).below(365))
                })),
                Some("date-time") => json!(format!(
                    "{}T00:00:00Z",
                    date_in(&text).unwrap_or_else(|| date_after_2025_06(0))
                )),
                Some("uri" | "url") => json!(url_in(&text).unwrap_or(text)),
                _ => json!(text),
            }
        }
    };
    Some(value)
}

/// The first URL in a text.
fn url_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || "()<>,;\"".contains(c))
        .find(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(str::to_string)
}

/// The first `YYYY-MM-DD` in a text, or `YYYY-01-01` for a bare year.
fn date_in(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for start in 0..chars.len() {
        let window: String = chars.iter().skip(start).take(10).collect();
        if chrono::NaiveDate::parse_from_str(&window, "%Y-%m-%d").is_ok() {
            return Some(window);
        }
    }
    let year = text.trim();
    (year.len() == 4 && year.chars().all(|c| c.is_ascii_digit())).then(|| format!("{year}-01-01"))
}

/// The first run of digits in a text (`51-200` → 51).
fn leading_number(text: &str) -> Option<u64> {
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn llm() -> DemoLlm {
        DemoLlm::new(Arc::new(Companies::load().unwrap()))
    }

    fn ask(prompt: &str) -> Conversation {
        Conversation {
            system: "Extract the fields.".into(),
            first_user: prompt.into(),
            all_text: format!("Extract the fields.\n{prompt}"),
        }
    }

    fn find_ceo() -> Value {
        json!({"type": "object", "additionalProperties": false,
          "required": ["ceo_name", "ceo_title", "ceo_linkedin_url", "ceo_source_url", "ceo_confidence"],
          "properties": {
            "ceo_name": {"type": ["string", "null"]},
            "ceo_title": {"type": ["string", "null"]},
            "ceo_linkedin_url": {"type": ["string", "null"], "format": "uri"},
            "ceo_source_url": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]},
            "ceo_confidence": {"type": ["number", "null"]}}})
    }

    #[test]
    fn ceo_fields_come_from_the_company() {
        let a = llm().structured(
            &ask("Find the CEO of Brightforge Labs (brightforge.example)."),
            &find_ceo(),
        );
        assert_eq!(
            a,
            json!({"ceo_name": "Ada Quill", "ceo_title": "Founder & CEO",
                   "ceo_linkedin_url": "https://www.linkedin.com/in/ada-quill-demo/",
                   "ceo_source_url": "https://brightforge.example/about", "ceo_confidence": 0.92})
        );
        let none = llm().structured(&ask("Find the CEO of Sakura Stack."), &find_ceo());
        assert!(
            none.as_object().unwrap().values().all(Value::is_null),
            "{none}"
        );
    }

    #[test]
    fn research_fields_follow_declared_types() {
        let schema = json!({"type": "object", "properties": {
            "summary": {"type": "string"}, "industry": {"type": "string"},
            "employee_range": {"type": "string"}, "employees": {"type": "integer"},
            "founded_year": {"type": "integer"}, "recent_news": {"type": "string"},
            "sources": {"type": "array", "items": {"type": "string", "format": "uri"}},
            "customers": {"type": "array", "items": {"type": "string"}},
            "last_announcement": {"type": "string", "format": "date"}}});
        let a = llm().structured(
            &ask("Research: Tidewater Analytics (tidewater.example) …"),
            &schema,
        );
        assert_eq!(a["industry"], "Logistics analytics");
        assert_eq!(
            (a["employee_range"].as_str(), a["employees"].as_u64()),
            (Some("201-500"), Some(260))
        );
        assert_eq!(a["founded_year"], 2016);
        assert!(
            a["summary"]
                .as_str()
                .unwrap()
                .starts_with("Tidewater Analytics forecasts")
        );
        assert!(a["recent_news"].as_str().unwrap().contains("Singapore"));
        assert!(
            a["sources"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s.as_str().unwrap().starts_with("https://"))
        );
        assert_eq!(a["customers"][0], "Bluefin Freight");
        assert_eq!(a["last_announcement"], "2026-02-18");
    }

    #[test]
    fn every_type_is_honoured_without_a_company() {
        let schema = json!({"type": "object", "$defs": {"tag": {"type": "string", "enum": ["a", "b"]}},
          "properties": {
            "s": {"type": "string"}, "n": {"type": "number"}, "i": {"type": "integer"},
            "b": {"type": "boolean"}, "e": {"enum": ["red", "green", "blue"]},
            "d": {"type": "string", "format": "date"}, "u": {"type": "string", "format": "uri"},
            "l": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "o": {"type": "object", "properties": {"x": {"type": "integer"}}},
            "r": {"$ref": "#/$defs/tag"}, "c": {"const": "fixed"}}});
        let a = llm().structured(&ask("What is a good name for a cat?"), &schema);
        assert!(a["s"].is_string() && a["n"].is_number() && a["i"].is_u64() && a["b"].is_boolean());
        assert!(["red", "green", "blue"].contains(&a["e"].as_str().unwrap()));
        assert!(chrono::NaiveDate::parse_from_str(a["d"].as_str().unwrap(), "%Y-%m-%d").is_ok());
        assert!(a["u"].as_str().unwrap().starts_with("https://"));
        assert!(a["l"].as_array().unwrap().len() >= 2);
        assert!(a["o"]["x"].is_u64());
        assert!(["a", "b"].contains(&a["r"].as_str().unwrap()));
        assert_eq!(a["c"], "fixed");
        assert_eq!(
            a,
            llm().structured(&ask("What is a good name for a cat?"), &schema)
        );
        assert_ne!(
            a,
            llm().structured(&ask("What is a good name for a dog?"), &schema)
        );
    }

    #[test]
    fn once_markers_fire_once_per_conversation() {
        let llm = llm();
        let c = ask("[demo:invalid-once] Kitecraft");
        assert!(llm.first_time("anthropic", &c, INVALID_ONCE));
        assert!(!llm.first_time("anthropic", &c, INVALID_ONCE));
        assert!(llm.first_time("openai", &c, INVALID_ONCE));
        assert!(!llm.first_time("anthropic", &ask("Kitecraft"), INVALID_ONCE));
        let schema = find_ceo();
        let good = llm.structured(&c, &schema);
        let bad = DemoLlm::broken(&good, &schema);
        assert!(bad.get("ceo_name").is_none());
        assert_ne!(bad, good);
    }

    #[test]
    fn truncation_and_tokens() {
        assert_eq!(tokens("abcde"), 2);
        assert_eq!(truncated("0123456789", 100, false), None);
        assert_eq!(
            truncated("0123456789", 2, false).as_deref(),
            Some("01234567")
        );
        assert_eq!(truncated("0123456789", 100, true).as_deref(), Some("01234"));
    }
}
