//! Reading the input CSV as a stream and writing the result atomically.
//!
//! `leadgrid run` never holds the whole list: it scans the input once (width, row count,
//! encoding errors before anything is paid for), then streams rows through the engine and
//! out to a temp file that is renamed over the output at the end.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

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

/// Bytes looked at to guess the delimiter (the header line is in there).
const SNIFF_BYTES: usize = 64 * 1024;

/// An input CSV: its delimiter and header row; rows are read on demand.
#[derive(Debug, Clone)]
pub struct Input {
    path: PathBuf,
    /// Field delimiter, kept on write.
    pub delimiter: u8,
    /// The header row as in the file.
    pub headers: Vec<String>,
}

/// What a full pass over the rows found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// Data rows (the header not counted).
    pub rows: usize,
    /// The widest row or the header, whichever is wider.
    pub width: usize,
}

/// The data rows of an input, in order.
pub struct Rows {
    path: PathBuf,
    records: csv::StringRecordsIntoIter<BufReader<File>>,
}

impl Iterator for Rows {
    type Item = Result<Vec<String>, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.records.next()?;
        Some(
            record
                .map(|r| r.iter().map(str::to_owned).collect())
                .map_err(|e| parse_error(&self.path, e)),
        )
    }
}

impl Input {
    /// Opens `path` and reads its header. A UTF-8 BOM is dropped; rows of any width are accepted.
    pub fn open(path: &Path, delimiter: Option<u8>) -> Result<Input, CsvError> {
        let (delimiter, mut records) = open_records(path, delimiter)?;
        let headers = match records.next() {
            Some(r) => r
                .map_err(|e| parse_error(path, e))?
                .iter()
                .map(str::to_owned)
                .collect(),
            None => return Err(CsvError::Empty(path.to_owned())),
        };
        Ok(Input {
            path: path.to_owned(),
            delimiter,
            headers,
        })
    }

    /// Reads every row once: counts them, finds the widest, and stops at the first error
    /// (so a broken file is refused before anything is paid for).
    pub fn scan(&self) -> Result<Scan, CsvError> {
        let (_, mut reader) = self.reader()?;
        let mut record = csv::StringRecord::new();
        let mut scan = Scan {
            rows: 0,
            width: self.headers.len(),
        };
        while reader
            .read_record(&mut record)
            .map_err(|e| parse_error(&self.path, e))?
        {
            scan.rows += 1;
            scan.width = scan.width.max(record.len());
        }
        Ok(scan)
    }

    /// The data rows from the start.
    pub fn rows(&self) -> Result<Rows, CsvError> {
        let (_, reader) = self.reader()?;
        Ok(Rows {
            path: self.path.clone(),
            records: reader.into_records(),
        })
    }

    /// A reader positioned after the header row.
    fn reader(&self) -> Result<(u8, csv::Reader<BufReader<File>>), CsvError> {
        let (delimiter, reader) = open_reader(&self.path, Some(self.delimiter))?;
        let mut reader = reader;
        let mut header = csv::StringRecord::new();
        reader
            .read_record(&mut header)
            .map_err(|e| parse_error(&self.path, e))?;
        Ok((delimiter, reader))
    }
}

fn open_records(
    path: &Path,
    delimiter: Option<u8>,
) -> Result<(u8, csv::StringRecordsIntoIter<BufReader<File>>), CsvError> {
    let (delimiter, reader) = open_reader(path, delimiter)?;
    Ok((delimiter, reader.into_records()))
}

fn open_reader(
    path: &Path,
    delimiter: Option<u8>,
) -> Result<(u8, csv::Reader<BufReader<File>>), CsvError> {
    let open_error = |source| CsvError::Open {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(open_error)?;
    let mut buffered = BufReader::with_capacity(SNIFF_BYTES, file);
    let head = buffered.fill_buf().map_err(open_error)?;
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let body = if bom { &head[3..] } else { head };
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(body));
    if bom {
        buffered.consume(3);
    }
    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(buffered);
    Ok((delimiter, reader))
}

fn parse_error(path: &Path, e: csv::Error) -> CsvError {
    CsvError::Parse {
        path: path.to_owned(),
        message: match e.kind() {
            csv::ErrorKind::Utf8 { pos, .. } => format!(
                "line {} is not UTF-8; convert the file first (e.g. `iconv -f latin1 -t utf-8`)",
                pos.as_ref().map_or(0, |p| p.line())
            ),
            _ => e.to_string(),
        },
    }
}

/// Distinguishes temp files one process writes beside the same output.
static TEMP_SERIAL: AtomicU32 = AtomicU32::new(0);

/// A CSV written to a temp file beside its target and renamed over it only by
/// [`AtomicWriter::commit`]: until then (and on any failure) the target is untouched,
/// and the temp file is removed when the writer is dropped.
pub struct AtomicWriter {
    target: PathBuf,
    temp: PathBuf,
    delimiter: u8,
    writer: Option<csv::Writer<BufWriter<File>>>,
}

impl AtomicWriter {
    /// Starts writing what will become `target`.
    pub fn create(target: &Path, delimiter: u8) -> Result<AtomicWriter, CsvError> {
        let dir = parent_dir(target);
        let name = target
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        remove_abandoned_temps(&dir, &name);
        let temp = dir.join(format!(
            ".{name}.leadgrid-{}-{}.tmp",
            std::process::id(),
            TEMP_SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|source| CsvError::Write {
                path: target.to_owned(),
                source,
            })?;
        let writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_writer(BufWriter::new(file));
        Ok(AtomicWriter {
            target: target.to_owned(),
            temp,
            delimiter,
            writer: Some(writer),
        })
    }

    /// Appends one record.
    pub fn write(&mut self, record: &[String]) -> Result<(), CsvError> {
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        writer.write_record(record).map_err(|e| CsvError::Write {
            path: self.target.clone(),
            source: e.into(),
        })
    }

    /// Flushes and syncs the temp file; the writer stays the temp file's owner.
    fn finish(&mut self) -> io::Result<()> {
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        let file = writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()
    }

    /// Everything written so far, as rows, for a second pass (the temp file stays until drop).
    pub fn written(&mut self) -> Result<Input, CsvError> {
        let delimiter = self.delimiter;
        self.finish().map_err(|source| CsvError::Write {
            path: self.target.clone(),
            source,
        })?;
        Input::open(&self.temp, Some(delimiter))
    }

    /// Makes the target the written file: fsync, rename, fsync of the directory.
    pub fn commit(mut self) -> Result<(), CsvError> {
        let result = self
            .finish()
            .and_then(|()| fs::rename(&self.temp, &self.target));
        result.map_err(|source| CsvError::Write {
            path: self.target.clone(),
            source,
        })?;
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(d) = File::open(parent_dir(&self.target)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for AtomicWriter {
    fn drop(&mut self) {
        // After a commit the temp name no longer exists; otherwise it is an abandoned write.
        let _ = fs::remove_file(&self.temp);
    }
}

/// Removes temp files a killed run left beside `name` (their process is gone). Only where
/// `/proc` tells which processes are alive; elsewhere they are left alone.
fn remove_abandoned_temps(dir: &Path, name: &str) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let prefix = format!(".{name}.leadgrid-");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(rest) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|f| f.strip_suffix(".tmp"))
        else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(input: &Input) -> Vec<Vec<String>> {
        input
            .rows()
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("parse")
    }

    #[test]
    fn delimiter_is_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"\"x,y,z\";b;c"), b';');
        assert_eq!(sniff_delimiter(b"a\tb"), b'\t');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }

    #[test]
    fn ragged_rows_are_counted_and_bom_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in.csv");
        fs::write(&path, "\u{feff}a;b\n1\n1;2;3\n").expect("write");
        let input = Input::open(&path, None).expect("open");
        assert_eq!(input.delimiter, b';');
        assert_eq!(input.headers, ["a", "b"]);
        assert_eq!(input.scan().expect("scan"), Scan { rows: 2, width: 3 });
        assert_eq!(rows(&input), [vec!["1"], vec!["1", "2", "3"]]);
    }

    #[test]
    fn empty_and_non_utf8_inputs_get_clear_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in.csv");
        fs::write(&path, b"name\nS\xf8rby\n").expect("write");
        let input = Input::open(&path, None).expect("the header is fine");
        let err = input.scan().expect_err("latin1").to_string();
        assert!(err.contains("line 2 is not UTF-8"), "{err}");
        fs::write(&path, b"").expect("write");
        let err = Input::open(&path, None).expect_err("empty").to_string();
        assert!(err.contains("is empty: a header row is needed"), "{err}");
        let err = Input::open(&dir.path().join("missing.csv"), None)
            .expect_err("missing")
            .to_string();
        assert!(err.starts_with("cannot read"), "{err}");
    }

    #[test]
    fn temp_files_of_killed_runs_are_cleared() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        // No process has this id (it is above the kernel's pid limit).
        let dead = dir.path().join(".out.csv.leadgrid-4294967295-0.tmp");
        let other = dir.path().join(".other.csv.leadgrid-4294967295-0.tmp");
        fs::write(&dead, "half a run").expect("write");
        fs::write(&other, "another output's").expect("write");
        let out = AtomicWriter::create(&path, b',').expect("create");
        out.commit().expect("commit");
        assert_eq!(dead.exists(), !cfg!(target_os = "linux"));
        assert!(other.exists());
    }

    #[test]
    fn atomic_writer_replaces_the_target_only_on_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        fs::write(&path, "old\n").expect("write");
        let record = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        {
            let mut abandoned = AtomicWriter::create(&path, b',').expect("create");
            abandoned.write(&record(&["new"])).expect("write");
        }
        assert_eq!(fs::read_to_string(&path).expect("read"), "old\n");
        let mut out = AtomicWriter::create(&path, b';').expect("create");
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
