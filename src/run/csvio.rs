//! Reading the input CSV as a stream and writing the result atomically, through the same
//! front door as the grid (`table::CsvFile`, `table::CsvWriter`): the same dialect
//! detection, encodings, parser and ragged-row rules, and the output in the input's
//! dialect (delimiter, quoting, line ending, BOM).
//!
//! `leadgrid run` never holds the whole list: the input is indexed once (width, row count,
//! encoding and quoting errors before anything is paid for), then rows stream through the
//! engine and out to a temp file that is renamed over the output at the end.

use crate::table::{CsvFile, CsvWriter, Dialect, Encoding, LoadError, OpenOptions, SaveError};
use std::path::{Path, PathBuf};

/// Why the input could not be read or the output written.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The input could not be opened, read or parsed.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong, with the line when known.
        source: LoadError,
    },
    /// The input has no header row.
    #[error("{} is empty: a header row is needed", .0.display())]
    Empty(PathBuf),
    /// The output could not be written.
    #[error(transparent)]
    Write(#[from] SaveError),
}

/// An input CSV: its dialect and header row; rows are read on demand.
pub struct Input {
    path: PathBuf,
    file: CsvFile,
    /// The header row as in the file.
    pub headers: Vec<String>,
}

/// What the pass over the rows found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// Data rows (the header not counted).
    pub rows: usize,
    /// The widest row or the header, whichever is wider.
    pub width: usize,
}

/// The data rows of an input, in order.
pub struct Rows<'a> {
    path: &'a Path,
    rows: crate::table::Rows<'a>,
}

impl Iterator for Rows<'_> {
    type Item = Result<Vec<String>, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.rows.next()?.map_err(|source| CsvError::Read {
            path: self.path.to_owned(),
            source,
        }))
    }
}

impl Input {
    /// Opens and indexes `path` (a broken file is refused before anything is paid for).
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Input, CsvError> {
        let file = CsvFile::open(path, opts).map_err(|source| CsvError::Read {
            path: path.to_owned(),
            source,
        })?;
        if file.headers().is_empty() {
            return Err(CsvError::Empty(path.to_owned()));
        }
        Ok(Input {
            path: path.to_owned(),
            headers: file.headers().to_vec(),
            file,
        })
    }

    /// Row count and width (known from the index).
    pub fn scan(&self) -> Scan {
        Scan {
            rows: self.file.row_count(),
            width: self.file.width(),
        }
    }

    /// The file's dialect, which the output keeps.
    pub fn dialect(&self) -> Dialect {
        self.file.dialect()
    }

    /// How the file's bytes are decoded (the output is encoded the same way).
    pub fn encoding(&self) -> Encoding {
        self.file.encoding()
    }

    /// Things the user should know about how the file was read (ragged rows, a quote that
    /// seems to swallow rows).
    pub fn notices(&self) -> Vec<String> {
        self.file.notices()
    }

    /// The data rows from the start.
    pub fn rows(&self) -> Rows<'_> {
        Rows {
            path: &self.path,
            rows: self.file.rows(),
        }
    }
}

/// A CSV written to a temp file beside its target and renamed over it only by
/// [`AtomicWriter::commit`]: until then (and on any failure) the target is untouched,
/// and the temp file is removed when the writer is dropped.
pub struct AtomicWriter {
    writer: CsvWriter,
    dialect: Dialect,
    encoding: Encoding,
}

impl AtomicWriter {
    /// Starts writing what will become `target`, in `dialect` and `encoding`.
    pub fn create(
        target: &Path,
        dialect: Dialect,
        encoding: Encoding,
    ) -> Result<AtomicWriter, CsvError> {
        Ok(AtomicWriter {
            writer: CsvWriter::create(target, dialect, encoding)?,
            dialect,
            encoding,
        })
    }

    /// Appends one record.
    pub fn write(&mut self, record: &[String]) -> Result<(), CsvError> {
        Ok(self.writer.write(record)?)
    }

    /// Everything written so far, as rows, for a second pass (the temp file stays until drop).
    pub fn written(&mut self) -> Result<Input, CsvError> {
        let temp = self.writer.flush()?;
        let opts = OpenOptions {
            delimiter: Some(self.dialect.delimiter),
            encoding: self.encoding,
        };
        Input::open(&temp, &opts)
    }

    /// Makes the target the written file: fsync, rename, fsync of the directory.
    pub fn commit(self) -> Result<(), CsvError> {
        Ok(self.writer.commit()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn rows(input: &Input) -> Vec<Vec<String>> {
        input.rows().collect::<Result<_, _>>().expect("parse")
    }

    fn open(path: &Path) -> Result<Input, CsvError> {
        Input::open(path, &OpenOptions::default())
    }

    #[test]
    fn ragged_rows_are_counted_and_bom_kept_in_the_dialect() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in.csv");
        fs::write(&path, "\u{feff}a;b\n1\n1;2;3\n").expect("write");
        let input = open(&path).expect("open");
        assert_eq!(input.dialect().delimiter, b';');
        assert!(input.dialect().bom);
        assert_eq!(input.headers, ["a", "b"]);
        assert_eq!(input.scan(), Scan { rows: 2, width: 3 });
        assert_eq!(rows(&input), [vec!["1"], vec!["1", "2", "3"]]);
    }

    #[test]
    fn empty_and_non_utf8_inputs_get_clear_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in.csv");
        fs::write(&path, b"name\nS\xf8rby\n").expect("write");
        let err = open(&path).err().expect("latin1").to_string();
        assert!(err.contains("invalid UTF-8 at line 2"), "{err}");
        assert!(err.contains("--encoding latin1"), "{err}");
        let latin1 = OpenOptions {
            encoding: Encoding::Latin1,
            ..OpenOptions::default()
        };
        let input = Input::open(&path, &latin1).expect("latin1 opens");
        assert_eq!(rows(&input), [vec!["Sørby"]]);
        fs::write(&path, b"").expect("write");
        let err = open(&path).err().expect("empty").to_string();
        assert!(err.contains("is empty: a header row is needed"), "{err}");
        let err = open(&dir.path().join("missing.csv"))
            .err()
            .expect("missing")
            .to_string();
        assert!(err.starts_with("cannot read"), "{err}");
    }

    #[test]
    fn atomic_writer_replaces_the_target_only_on_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        fs::write(&path, "old\n").expect("write");
        let record = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let semi = Dialect {
            delimiter: b';',
            ..Dialect::default()
        };
        {
            let mut abandoned = AtomicWriter::create(&path, semi, Encoding::Utf8).expect("create");
            abandoned.write(&record(&["new"])).expect("write");
        }
        assert_eq!(fs::read_to_string(&path).expect("read"), "old\n");
        let mut out = AtomicWriter::create(&path, semi, Encoding::Utf8).expect("create");
        out.write(&record(&["a", "b c"])).expect("write");
        out.write(&record(&["x;y", "line\nbreak"])).expect("write");
        let written = out.written().expect("read back");
        assert_eq!(written.headers, ["a", "b c"]);
        assert_eq!(rows(&written), [vec!["x;y", "line\nbreak"]]);
        out.commit().expect("commit");
        assert_eq!(
            fs::read_to_string(&path).expect("read"),
            "a;b c\n\"x;y\";\"line\nbreak\"\n"
        );
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["out.csv"]);
    }
}
