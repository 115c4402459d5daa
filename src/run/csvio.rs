//! Reading the input CSV and writing the result atomically.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

/// A CSV held in memory: headers and rows, every row as wide as the headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Field delimiter, kept on write.
    pub delimiter: u8,
    /// Column names (blank names added for rows wider than the header).
    pub headers: Vec<String>,
    /// Rows, padded to `headers.len()`.
    pub rows: Vec<Vec<String>>,
}

/// Why the input could not be read or the output written.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The input could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The input is not parseable CSV (or not UTF-8).
    #[error("cannot parse {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What went wrong, with the line when known.
        message: String,
    },
    /// The input has no header row.
    #[error("{0} is empty: a header row is needed")]
    Empty(PathBuf),
    /// The output could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// Guesses the delimiter from the header line: the most frequent of `, ; \t |` outside quotes.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = candidates.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    let best = (0..4)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// Reads `path` whole. A UTF-8 BOM is dropped; rows of any width are accepted.
pub fn read(path: &Path, delimiter: Option<u8>) -> Result<Sheet, CsvError> {
    let bytes = fs::read(path).map_err(|source| CsvError::Open {
        path: path.to_owned(),
        source,
    })?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(body));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(body);
    let parse_error = |e: csv::Error| CsvError::Parse {
        path: path.to_owned(),
        message: match e.kind() {
            csv::ErrorKind::Utf8 { pos, .. } => format!(
                "line {} is not UTF-8; convert the file first (e.g. `iconv -f latin1 -t utf-8`)",
                pos.as_ref().map_or(0, |p| p.line())
            ),
            _ => e.to_string(),
        },
    };
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(r) => r.map_err(parse_error)?.iter().map(str::to_owned).collect(),
        None => return Err(CsvError::Empty(path.to_owned())),
    };
    let mut rows = Vec::new();
    let mut width = headers.len();
    for record in records {
        let row: Vec<String> = record
            .map_err(parse_error)?
            .iter()
            .map(str::to_owned)
            .collect();
        width = width.max(row.len());
        rows.push(row);
    }
    let mut headers = headers;
    headers.resize(width, String::new());
    for row in &mut rows {
        row.resize(width, String::new());
    }
    Ok(Sheet {
        delimiter,
        headers,
        rows,
    })
}

/// Writes `sheet` to `path` atomically: a temp file in the same directory, fsync, rename.
pub fn write_atomic(path: &Path, sheet: &Sheet) -> Result<(), CsvError> {
    let fail = |source| CsvError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.leadgrid-{}.tmp", std::process::id()));
    let result = (|| -> io::Result<()> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        let mut out = BufWriter::new(file);
        {
            let mut writer = csv::WriterBuilder::new()
                .delimiter(sheet.delimiter)
                .flexible(true)
                .from_writer(&mut out);
            writer.write_record(&sheet.headers)?;
            for row in &sheet.rows {
                writer.write_record(row)?;
            }
            writer.flush()?;
        }
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"\"x,y,z\";b;c"), b';');
        assert_eq!(sniff_delimiter(b"a\tb"), b'\t');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }

    #[test]
    fn ragged_rows_are_padded_and_bom_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in.csv");
        fs::write(&path, "\u{feff}a,b\n1\n1,2,3\n").expect("write");
        let sheet = read(&path, None).expect("read");
        assert_eq!(sheet.headers, ["a", "b", ""]);
        assert_eq!(sheet.rows, [vec!["1", "", ""], vec!["1", "2", "3"]]);
    }

    #[test]
    fn non_utf8_input_gets_a_helpful_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in.csv");
        fs::write(&path, b"name\nS\xf8rby\n").expect("write");
        let err = read(&path, None).expect_err("latin1").to_string();
        assert!(err.contains("line 2 is not UTF-8"), "{err}");
    }

    #[test]
    fn atomic_write_round_trips_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        let sheet = Sheet {
            delimiter: b';',
            headers: vec!["a".into(), "b c".into()],
            rows: vec![vec!["x;y".into(), "line\nbreak".into()]],
        };
        write_atomic(&path, &sheet).expect("write");
        assert_eq!(read(&path, None).expect("read back"), sheet);
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["out.csv"]);
    }
}
