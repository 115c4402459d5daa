//! A seeded, deterministic generator of fictional lead lists for demos, tests and benchmarks.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

const FIRST: &[&str] = &[
    "Ada", "Bram", "Chiara", "Dev", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kaia",
    "Luca", "Mei", "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Sami", "Tomas", "Uma", "Viktor",
    "Wren", "Xavi", "Yara", "Zane",
];
const LAST: &[&str] = &[
    "Quill",
    "Okonkwo-Lind",
    "Vellacott",
    "Anand",
    "Brightwater",
    "Castellano",
    "Delacroix",
    "Eriksen",
    "Fairbanks",
    "Gallagher",
    "Hollis",
    "Ishikawa",
    "Jovanovic",
    "Kowalczyk",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "O'Hara",
    "Petrakis",
    "Rasmussen",
    "Silvestri",
    "Thornbury",
    "Valdivia",
    "Whitcombe",
];
const COMPANY_A: &[&str] = &[
    "Bright", "Null", "Tide", "Kite", "Copper", "Lumen", "North", "Quartz", "Ember", "Signal",
    "Harbor", "Granite", "Velvet", "Orbit", "Maple", "Cinder",
];
const COMPANY_B: &[&str] = &[
    "forge", "point", "water", "craft", "field", "works", "stack", "line", "leaf", "grid", "path",
    "loop",
];
const COMPANY_C: &[&str] = &[
    "Labs",
    "Systems",
    "Analytics",
    "",
    "Inc.",
    "Group",
    "Partners",
    "Studio",
    "Cloud",
];
const TITLE: &[&str] = &[
    "CEO",
    "CTO",
    "Founder",
    "Head of Growth",
    "VP Engineering",
    "VP Sales, EMEA",
    "Director of Marketing",
    "Head of Revenue Operations",
    "Chief Product Officer",
    "Senior Account Executive",
    "Engineering Manager",
    "Head of People",
];
const CITY: &[&str] = &[
    "Lisbon",
    "Berlin",
    "Austin",
    "Toronto",
    "Nairobi",
    "Osaka",
    "Melbourne",
    "Utrecht",
    "Valparaíso",
    "Kraków",
];
const INDUSTRY: &[&str] = &[
    "Software",
    "Fintech",
    "Logistics",
    "Healthcare",
    "Climate",
    "E-commerce",
    "Security",
    "Developer Tools",
];
const SIZE: &[&str] = &[
    "1-10",
    "11-50",
    "51-200",
    "201-500",
    "501-1000",
    "1001-5000",
];
const CAMPAIGN: &[&str] = &[
    "Q1 founders",
    "Platform leads",
    "EMEA expansion",
    "Webinar follow-up",
];
const NOTE: &[&str] = &[
    "",
    "",
    "",
    "met at the \"Scale\" meetup",
    "prefers email, not calls",
    "intro via Ada; follow up next week",
    "asked for pricing\nsent deck",
];

/// Header of generated files.
const HEADER: &str = "first_name,last_name,company,domain,title,email,linkedin_url,phone,city,industry,company_size,campaign_name,notes\n";

/// SplitMix64: tiny, fast and identical on every platform and crate version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// Writes `rows` fictional leads (plus a header) to `out`; the same seed gives the same bytes.
pub fn generate(out: &Path, rows: usize, seed: u64) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(out)?);
    w.write_all(HEADER.as_bytes())?;
    let mut rng = Rng(seed);
    let dialect = super::Dialect::default();
    let mut line = Vec::new();
    for i in 0..rows {
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        let (a, b, c) = (
            *rng.pick(COMPANY_A),
            *rng.pick(COMPANY_B),
            *rng.pick(COMPANY_C),
        );
        let company = if c.is_empty() {
            format!("{a}{b}")
        } else {
            format!("{a}{b} {c}")
        };
        let domain = format!("{}{}.example", a.to_lowercase(), b);
        let slug = format!("{}-{}", first, last)
            .to_lowercase()
            .replace('\'', "");
        let email = format!("{}.{}@{domain}", first.to_lowercase(), slug_last(&slug));
        let linkedin = format!("https://linkedin.com/in/{slug}-{i:x}/");
        let phone = format!("+1-555-{:04}", rng.next() % 10_000);
        let city = *rng.pick(CITY);
        let (title, industry, size, campaign, note) = (
            *rng.pick(TITLE),
            *rng.pick(INDUSTRY),
            *rng.pick(SIZE),
            *rng.pick(CAMPAIGN),
            *rng.pick(NOTE),
        );
        let values: [&str; 13] = [
            first, last, &company, &domain, title, &email, &linkedin, &phone, city, industry, size,
            campaign, note,
        ];
        line.clear();
        for (k, v) in values.iter().enumerate() {
            if k > 0 {
                line.push(b',');
            }
            super::record::write_field(v.as_bytes(), &dialect, false, &mut line);
        }
        line.push(b'\n');
        w.write_all(&line)?;
    }
    w.flush()
}

fn slug_last(slug: &str) -> &str {
    slug.split_once('-').map_or(slug, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        generate(&a, 500, 7).unwrap();
        generate(&b, 500, 7).unwrap();
        generate(&c, 500, 8).unwrap();
        let (a, b, c) = (fs(&a), fs(&b), fs(&c));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let avg = (a.len() - HEADER.len()) / 500;
        assert!((180..=250).contains(&avg), "average row size {avg}");
    }

    fn fs(p: &Path) -> Vec<u8> {
        std::fs::read(p).unwrap()
    }
}
