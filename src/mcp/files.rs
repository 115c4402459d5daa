//! What an agent learns about a CSV file without a CSV parser: its shape, which
//! integrations its columns can feed, and rows (filtered with the expression language).

use crate::expr::{self, EvalCtx, Filter};
use crate::integrations::{Integration, guess_column};
use crate::table::{CsvFile, LineEnding, OpenOptions};
use schemars::JsonSchema;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// How the file is written.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DialectInfo {
    /// Field delimiter.
    pub delimiter: String,
    /// Starts with a UTF-8 byte order mark.
    pub bom: bool,
    /// `lf`, `crlf` or `cr`.
    pub line_ending: String,
    /// Every field quoted.
    pub quote_all: bool,
    /// `utf8` or `latin1`.
    pub encoding: String,
}

/// One input of an integration and the column guessed for it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct GuessedInput {
    /// The input.
    pub input: String,
    /// Whether the integration needs it.
    pub required: bool,
    /// The column guessed to feed it (null: none; give one with `mapping`).
    pub column: Option<String>,
}

/// Whether an integration can run on the file as it is.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Mappable {
    /// The integration.
    pub integration: String,
    /// Every required input has a guessed column.
    pub ready: bool,
    /// The guessed mapping.
    pub inputs: Vec<GuessedInput>,
}

/// The shape of a CSV file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileInfo {
    /// The file, resolved.
    pub path: String,
    /// Header names.
    pub columns: Vec<String>,
    /// Data rows.
    pub rows: usize,
    /// How it is written.
    pub dialect: DialectInfo,
    /// The first rows.
    pub sample: Vec<Vec<String>>,
    /// Anything odd about how it reads (ragged rows, a suspicious quote).
    pub notices: Vec<String>,
    /// Which integrations its columns can feed, with the guessed mapping.
    pub integrations: Vec<Mappable>,
}

/// Why a file could not be inspected or read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Unreadable or not CSV.
    #[error(transparent)]
    Load(#[from] crate::table::LoadError),
    /// A filter that does not parse or names no column.
    #[error("bad filter:\n{0}")]
    Filter(String),
    /// A column asked for does not exist.
    #[error("no column `{name}`; columns: {columns}")]
    Column {
        /// The name asked for.
        name: String,
        /// The file's columns.
        columns: String,
    },
}

/// Describes `path` and how `integrations` map onto it.
pub fn inspect(
    path: &Path,
    sample_rows: usize,
    integrations: &[Arc<dyn Integration>],
) -> Result<FileInfo, FileError> {
    let file = CsvFile::open(path, &OpenOptions::default())?;
    let headers = file.headers().to_vec();
    let sample = file
        .rows()
        .take(sample_rows)
        .collect::<Result<Vec<_>, _>>()?;
    let d = file.dialect();
    let mappable = integrations
        .iter()
        .map(|i| {
            let spec = i.spec();
            let inputs: Vec<GuessedInput> = spec
                .inputs
                .iter()
                .map(|input| GuessedInput {
                    input: input.name.to_owned(),
                    required: input.required,
                    column: guess_column(input, &headers).map(|c| headers[c].clone()),
                })
                .collect();
            Mappable {
                integration: spec.name.to_owned(),
                ready: inputs.iter().all(|g| !g.required || g.column.is_some()),
                inputs,
            }
        })
        .collect();
    Ok(FileInfo {
        path: path.display().to_string(),
        rows: file.row_count(),
        dialect: DialectInfo {
            delimiter: char::from(d.delimiter).to_string(),
            bom: d.bom,
            line_ending: match d.line_ending {
                LineEnding::Lf => "lf",
                LineEnding::CrLf => "crlf",
                LineEnding::Cr => "cr",
            }
            .to_owned(),
            quote_all: d.quote_all,
            encoding: format!("{:?}", file.encoding()).to_lowercase(),
        },
        notices: file.notices(),
        columns: headers,
        sample,
        integrations: mappable,
    })
}

/// Rows of a file, as asked for.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RowsPage {
    /// The columns returned, in order.
    pub columns: Vec<String>,
    /// Each row: its 1-based number in the file, and its values.
    pub rows: Vec<NumberedRow>,
    /// Rows matching the filter (all of them, not only this page).
    pub matched: usize,
    /// Rows in the file.
    pub total: usize,
}

/// One row and its number.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NumberedRow {
    /// 1-based data row number (the header not counted).
    pub row: usize,
    /// Values of the columns returned.
    pub values: Vec<String>,
}

/// Rows of `path` matching `filter` (an expression, or plain text searched in every cell),
/// with only `columns` (all when empty), skipping `offset` matches, at most `limit`.
pub fn read_rows(
    path: &Path,
    filter: Option<&str>,
    columns: &[String],
    offset: usize,
    limit: usize,
) -> Result<RowsPage, FileError> {
    let file = CsvFile::open(path, &OpenOptions::default())?;
    let headers = file.headers().to_vec();
    let filter = match filter.map(str::trim).filter(|f| !f.is_empty()) {
        None => None,
        Some(src) => {
            Some(expr::parse_filter(src, &headers).map_err(|e| FileError::Filter(e.render(src)))?)
        }
    };
    let picked: Vec<usize> = if columns.is_empty() {
        (0..headers.len()).collect()
    } else {
        columns
            .iter()
            .map(|name| {
                headers
                    .iter()
                    .position(|h| h == name)
                    .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(name)))
                    .ok_or_else(|| FileError::Column {
                        name: name.clone(),
                        columns: headers.join(", "),
                    })
            })
            .collect::<Result<_, _>>()?
    };
    let ctx = EvalCtx::now();
    let mut page = RowsPage {
        columns: picked.iter().map(|&c| headers[c].clone()).collect(),
        rows: Vec::new(),
        matched: 0,
        total: file.row_count(),
    };
    for (i, row) in file.rows().enumerate() {
        let row = row?;
        let keep = match &filter {
            None => true,
            Some(Filter::Text(needle)) => row
                .iter()
                .any(|cell| cell.to_lowercase().contains(needle.as_str())),
            Some(Filter::Expr(program)) => program.matches(&row, &ctx),
        };
        if !keep {
            continue;
        }
        page.matched += 1;
        if page.matched > offset && page.rows.len() < limit {
            page.rows.push(NumberedRow {
                row: i + 1,
                values: picked
                    .iter()
                    .map(|&c| row.get(c).cloned().unwrap_or_default())
                    .collect(),
            });
        }
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_filtered_paged_and_projected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in.csv");
        std::fs::write(
            &path,
            "name,follower_count,title\nAda,48210,CEO\nBram,,Growth\nCai,900,CTO\nDee,5000,CEO\n",
        )
        .expect("write");
        let page = read_rows(&path, Some("followers > 1000"), &[], 0, 10).expect("rows");
        assert_eq!(page.matched, 2);
        assert_eq!(page.rows[0].row, 1);
        assert_eq!(page.rows[1].values[0], "Dee");
        let page = read_rows(&path, Some("ceo"), &["name".into()], 1, 10).expect("text");
        assert_eq!((page.matched, page.rows.len()), (2, 1));
        assert_eq!(page.rows[0].values, ["Dee"]);
        let err = read_rows(&path, Some("nope > 3"), &[], 0, 10).expect_err("bad column");
        assert!(err.to_string().contains('^'), "{err}");
        let err = read_rows(&path, None, &["email".into()], 0, 10).expect_err("no column");
        assert!(err.to_string().contains("no column `email`"), "{err}");
    }
}
