//! The one CSV front door for whole-file passes (`leadgrid run`, agents): the grid's own
//! base (same dialect detection, encoding, parser and ragged-row rules), read front to
//! back, and a writer that writes in the same dialect, atomically.

use super::atomic::AtomicFile;
use super::base::{Base, BlockReader};
use super::dialect::{Dialect, Encoding, OpenOptions};
use super::error::{LoadError, SaveError};
use super::record::{Fields, parse_record, write_values};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An opened CSV file: dialect, header, and its rows in order.
#[derive(Clone)]
pub struct CsvFile {
    base: Arc<Base>,
}

impl CsvFile {
    /// Opens and fully indexes `path` (errors such as an unterminated quote or invalid
    /// UTF-8 come out here, before anything is done with the rows).
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<CsvFile, LoadError> {
        let base = Base::open(path, opts)?;
        if let Some(err) = base.wait_indexed() {
            return Err(err);
        }
        Ok(CsvFile { base })
    }

    /// The file's dialect (delimiter, BOM, line ending, quoting).
    pub fn dialect(&self) -> Dialect {
        self.base.dialect
    }

    /// How its bytes are decoded.
    pub fn encoding(&self) -> Encoding {
        self.base.encoding
    }

    /// The header row.
    pub fn headers(&self) -> &[String] {
        &self.base.header
    }

    /// Data rows (blank lines are not rows).
    pub fn row_count(&self) -> usize {
        self.base.row_count()
    }

    /// Most fields in any record, the header included.
    pub fn width(&self) -> usize {
        self.base.widest()
    }

    /// Rows with another number of fields than the header.
    pub fn ragged_rows(&self) -> usize {
        self.base.ragged()
    }

    /// What the user should know about how the file was read (ragged rows, a quote that
    /// seems to swallow rows), one line each.
    pub fn notices(&self) -> Vec<String> {
        read_notices(&self.base)
    }

    /// The data rows from the first, decoded.
    pub fn rows(&self) -> Rows<'_> {
        Rows {
            base: &self.base,
            reader: self.base.reader(),
            fields: Fields::default(),
            next: 0,
        }
    }
}

/// Notices about how a base was read; shared with the grid's status bar.
pub(crate) fn read_notices(base: &Base) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(line) = base.suspect_quote_line() {
        out.push(format!(
            "line {line}: a quoted field holds what looks like whole rows; check for an unbalanced quote there"
        ));
    }
    let ragged = base.ragged();
    if ragged > 0 {
        out.push(format!(
            "{ragged} row(s) have another number of fields than the header"
        ));
    }
    out
}

/// The rows of a [`CsvFile`], in file order.
pub struct Rows<'a> {
    base: &'a Base,
    reader: BlockReader<'a>,
    fields: Fields,
    next: usize,
}

impl Iterator for Rows<'_> {
    type Item = Result<Vec<String>, LoadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (a, b) = self.base.record_range(self.next)?;
        self.next += 1;
        let raw = match self.reader.get(a, b) {
            Ok(raw) => raw,
            Err(e) => return Some(Err(LoadError::from_io(self.base.path(), &e))),
        };
        let term = self.base.dialect.line_ending.term();
        parse_record(raw, self.base.dialect.delimiter, term, &mut self.fields);
        Some(Ok(self.base.decode(&self.fields)))
    }
}

/// Writes records in a dialect to a temp file that replaces the target on commit.
pub struct CsvWriter {
    atomic: AtomicFile,
    out: BufWriter<std::fs::File>,
    dialect: Dialect,
    encoding: Encoding,
    buf: Vec<u8>,
    rows: usize,
}

impl CsvWriter {
    /// Starts writing what will become `target`, in `dialect` and `encoding` (the BOM,
    /// when the dialect has one, is written first).
    pub fn create(
        target: &Path,
        dialect: Dialect,
        encoding: Encoding,
    ) -> Result<CsvWriter, SaveError> {
        let io_err = |source| SaveError::Io {
            path: target.to_path_buf(),
            source,
        };
        let mut atomic = AtomicFile::create(target).map_err(io_err)?;
        let file = atomic.take_file().map_err(io_err)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        if dialect.bom && encoding == Encoding::Utf8 {
            out.write_all(b"\xEF\xBB\xBF").map_err(io_err)?;
        }
        Ok(CsvWriter {
            atomic,
            out,
            dialect,
            encoding,
            buf: Vec::new(),
            rows: 0,
        })
    }

    /// Appends one record (header or data), terminated in the dialect's line ending.
    pub fn write(&mut self, values: &[String]) -> Result<(), SaveError> {
        self.buf.clear();
        write_values(values, &self.dialect, self.encoding, &mut self.buf).map_err(
            |(col, ch)| SaveError::Unencodable {
                row: self.rows,
                col: col + 1,
                ch,
            },
        )?;
        self.buf
            .extend_from_slice(self.dialect.line_ending.as_bytes());
        self.rows += 1;
        self.out
            .write_all(&self.buf)
            .map_err(|source| SaveError::Io {
                path: self.atomic.target().to_path_buf(),
                source,
            })
    }

    /// Flushes and syncs what was written, leaving the target untouched; returns the temp
    /// file's path (for a second pass over it before committing).
    pub fn flush(&mut self) -> Result<PathBuf, SaveError> {
        let path = self.atomic.target().to_path_buf();
        self.out
            .flush()
            .and_then(|()| self.out.get_ref().sync_all())
            .map_err(|source| SaveError::Io { path, source })?;
        Ok(self.atomic.temp_path().to_path_buf())
    }

    /// Makes the target the written file.
    pub fn commit(mut self) -> Result<(), SaveError> {
        self.flush()?;
        let path = self.atomic.target().to_path_buf();
        self.atomic
            .commit()
            .map_err(|source| SaveError::Io { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reads_like_the_grid_and_writes_back_in_the_same_dialect() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("in.csv");
        fs::write(&input, "\u{feff}a|b\r\n1|\"x|y\"\r\n\r\n2|3|4\r\n").expect("write");
        let file = CsvFile::open(&input, &OpenOptions::default()).expect("open");
        assert_eq!(file.headers(), ["a", "b"]);
        assert_eq!(file.dialect().delimiter, b'|');
        assert_eq!(
            (file.row_count(), file.width(), file.ragged_rows()),
            (2, 3, 1)
        );
        let rows: Vec<Vec<String>> = file.rows().collect::<Result<_, _>>().expect("rows");
        assert_eq!(rows, [strings(&["1", "x|y"]), strings(&["2", "3", "4"])]);
        let out = dir.path().join("out.csv");
        let mut w = CsvWriter::create(&out, file.dialect(), file.encoding()).expect("create");
        w.write(&strings(&["a", "b"])).expect("header");
        for row in &rows {
            w.write(row).expect("row");
        }
        w.commit().expect("commit");
        assert_eq!(
            fs::read(&out).expect("read"),
            "\u{feff}a|b\r\n1|\"x|y\"\r\n2|3|4\r\n".as_bytes()
        );
    }

    #[test]
    fn a_quote_that_swallows_rows_is_reported_with_its_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("in.csv");
        fs::write(
            &input,
            "a,b,c\n1,2,3\n4,5,\"oops\n7,8,9\n10,11,12\"x\n13,14,15\n",
        )
        .expect("write");
        let file = CsvFile::open(&input, &OpenOptions::default()).expect("open");
        let notices = file.notices();
        assert!(
            notices
                .iter()
                .any(|n| n.starts_with("line 3: a quoted field")),
            "{notices:?}"
        );
        let clean = dir.path().join("clean.csv");
        fs::write(&clean, "a,b,c\n1,2,\"two\nlines, one comma\"\n").expect("write");
        let file = CsvFile::open(&clean, &OpenOptions::default()).expect("open");
        assert!(file.notices().is_empty(), "a legitimate multi-line field");
    }
}
