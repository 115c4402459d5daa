//! The immutable base: the file on disk, its header and a record-offset index built in the background.

use super::dialect::{self, Dialect, Encoding, OpenOptions};
use super::error::LoadError;
use super::record::{Fields, Term, decode_into, parse_record};
use super::stamp::DiskStamp;
use memchr::{memchr, memchr2};
use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};

/// Files with less data than this are indexed before `open` returns, so their errors surface there.
const SYNC_INDEX_LIMIT: u64 = 8 << 20;
/// How long opening a large file waits for its first indexed rows.
const FIRST_ROWS_WAIT: std::time::Duration = std::time::Duration::from_millis(100);
/// Bytes read per step by the indexer.
const INDEX_CHUNK: usize = 2 << 20;
/// First read when looking for the header; doubled until the header fits.
const HEADER_CHUNK: usize = 64 << 10;
/// Parsed rows kept per cache generation.
const CACHE_ROWS: usize = 4096;
/// A sequential cache miss reads up to this many following records in the same read.
const PREFETCH_ROWS: usize = 64;
/// ... and up to this many bytes.
const PREFETCH_BYTES: u64 = 64 << 10;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How far the background indexer has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexProgress {
    /// The whole file has been indexed (or indexing stopped at an error).
    pub done: bool,
    /// Bytes of the file scanned so far.
    pub bytes_read: u64,
    /// Size of the file.
    pub total_bytes: u64,
    /// Rows usable so far.
    pub rows: usize,
}

#[derive(Debug, Default)]
struct IndexState {
    /// Start offset of every non-blank record; blank lines belong to the record before them.
    starts: Vec<u64>,
    done: bool,
    bytes_read: u64,
    ragged: usize,
    /// Most fields in one record (the header included).
    widest: usize,
    /// Start of the first record with a quoted field holding a line that looks like a
    /// whole row (as many delimiters as the header): most likely an unbalanced quote
    /// that swallowed the rows after it.
    suspect_quote: Option<u64>,
    /// CRC-32 of the whole file, once indexing read all of it.
    crc: Option<u32>,
    error: Option<LoadError>,
}

/// Parsed rows, in two generations so that eviction costs nothing per access.
#[derive(Default)]
struct RowCache {
    current: HashMap<usize, Arc<Vec<String>>>,
    previous: HashMap<usize, Arc<Vec<String>>>,
    /// The last row that missed: a miss shortly after it means the reader goes forward.
    last_miss: Option<usize>,
}

impl RowCache {
    fn get(&mut self, row: usize) -> Option<Arc<Vec<String>>> {
        if let Some(r) = self.current.get(&row) {
            return Some(r.clone());
        }
        let r = self.previous.remove(&row)?;
        self.insert(row, r.clone());
        Some(r)
    }

    fn insert(&mut self, row: usize, fields: Arc<Vec<String>>) {
        if self.current.len() >= CACHE_ROWS {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(row, fields);
    }
}

/// One opened CSV file: header, dialect and the offsets of its records.
pub(crate) struct Base {
    path: PathBuf,
    file: File,
    pub(crate) dialect: Dialect,
    pub(crate) encoding: Encoding,
    pub(crate) len: u64,
    /// Modification time when opened.
    modified: Option<std::time::SystemTime>,
    /// Where the header's content ends (its terminator starts).
    pub(crate) header_content_end: u64,
    /// Where the data after the header starts.
    header_end: u64,
    /// Header names as read (empty when the file has no header).
    pub(crate) header: Vec<String>,
    state: Mutex<IndexState>,
    /// The finished index, moved out of `state` so that reads need no lock.
    frozen: OnceLock<Vec<u64>>,
    indexed: Condvar,
    cache: Mutex<RowCache>,
}

impl Base {
    /// Opens `path`, reads the header and dialect, and indexes (synchronously when small).
    pub(crate) fn open(path: &Path, opts: &OpenOptions) -> Result<Arc<Base>, LoadError> {
        let file = File::open(path).map_err(|e| LoadError::from_io(path, &e))?;
        let meta = file.metadata().map_err(|e| LoadError::from_io(path, &e))?;
        if meta.is_dir() {
            return Err(LoadError::Io {
                path: path.to_path_buf(),
                message: "is a directory".into(),
            });
        }
        let len = meta.len();
        let (sample, complete) = read_header_sample(&file, len, opts.delimiter)
            .map_err(|e| LoadError::from_io(path, &e))?;
        let bom = opts.encoding == Encoding::Utf8 && sample.starts_with(UTF8_BOM);
        let bom_len = if bom { UTF8_BOM.len() } else { 0 };
        let body = &sample[bom_len..];
        let dialect = dialect::detect(body, complete, opts.delimiter, bom);
        let term = dialect.line_ending.term();
        let mut fields = Fields::default();
        let (content_end, next) = if body.is_empty() {
            (0, 0)
        } else {
            parse_record(body, dialect.delimiter, term, &mut fields)
        };
        if fields.unterminated {
            return Err(LoadError::UnterminatedQuote {
                path: path.to_path_buf(),
                line: 1,
            });
        }
        if opts.encoding == Encoding::Utf8
            && let Err(e) = std::str::from_utf8(&body[..next])
        {
            let offset = (bom_len + e.valid_up_to()) as u64;
            let line = line_of(&file, offset, term).map_err(|e| LoadError::from_io(path, &e))?;
            return Err(LoadError::InvalidUtf8 {
                path: path.to_path_buf(),
                line,
                offset,
            });
        }
        let header = if content_end == 0 {
            Vec::new()
        } else {
            let mut s = String::new();
            (0..fields.len())
                .map(|i| {
                    decode_into(fields.get(i), opts.encoding, &mut s);
                    s.clone()
                })
                .collect()
        };
        let base = Arc::new(Base {
            path: path.to_path_buf(),
            file,
            dialect,
            encoding: opts.encoding,
            len,
            modified: meta.modified().ok(),
            header_content_end: (bom_len + content_end) as u64,
            header_end: (bom_len + next) as u64,
            header,
            state: Mutex::new(IndexState::default()),
            frozen: OnceLock::new(),
            indexed: Condvar::new(),
            cache: Mutex::new(RowCache::default()),
        });
        if len - base.header_end <= SYNC_INDEX_LIMIT {
            base.build_index();
            if let Some(err) = base.lock().error.clone() {
                return Err(err);
            }
        } else {
            let worker = base.clone();
            let spawned = std::thread::Builder::new()
                .name("leadgrid-index".into())
                .spawn(move || worker.build_index());
            if spawned.is_err() {
                base.build_index();
            }
            // The first chunk takes milliseconds: with it the first screen has rows to show
            // (and columns to fit), instead of an empty grid until the next refresh.
            base.wait_for_first_rows(FIRST_ROWS_WAIT);
        }
        Ok(base)
    }

    /// The same index over a byte-identical copy of this (fully indexed) file at `path`.
    pub(crate) fn reopened(&self, path: &Path) -> Result<Arc<Base>, LoadError> {
        let file = File::open(path).map_err(|e| LoadError::from_io(path, &e))?;
        let meta = file.metadata().map_err(|e| LoadError::from_io(path, &e))?;
        let len = meta.len();
        let starts = self.with_starts(|starts, _| starts.to_vec());
        let widest = self.widest();
        let (ragged, suspect_quote, crc) = {
            let s = self.lock();
            (s.ragged, s.suspect_quote, s.crc)
        };
        let state = IndexState {
            starts: Vec::new(),
            done: true,
            bytes_read: len,
            ragged,
            widest,
            suspect_quote,
            crc,
            error: None,
        };
        Ok(Arc::new(Base {
            path: path.to_path_buf(),
            file,
            dialect: self.dialect,
            encoding: self.encoding,
            len,
            modified: meta.modified().ok(),
            header_content_end: self.header_content_end,
            header_end: self.header_end,
            header: self.header.clone(),
            state: Mutex::new(state),
            frozen: OnceLock::from(starts),
            indexed: Condvar::new(),
            cache: Mutex::new(RowCache::default()),
        }))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, IndexState> {
        // A panicking indexer leaves plain data behind; keep using it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the record starts known so far and whether they are final.
    fn with_starts<R>(&self, f: impl FnOnce(&[u64], bool) -> R) -> R {
        if let Some(starts) = self.frozen.get() {
            return f(starts, true);
        }
        let s = self.lock();
        if s.done {
            f(self.frozen.get().map_or(&[][..], Vec::as_slice), true)
        } else {
            f(&s.starts, false)
        }
    }

    /// Rows whose bytes are fully known.
    pub(crate) fn row_count(&self) -> usize {
        self.with_starts(visible_rows)
    }

    pub(crate) fn progress(&self) -> IndexProgress {
        let rows = self.row_count();
        let s = self.lock();
        IndexProgress {
            done: s.done,
            bytes_read: s.bytes_read,
            total_bytes: self.len,
            rows,
        }
    }

    pub(crate) fn error(&self) -> Option<LoadError> {
        self.lock().error.clone()
    }

    pub(crate) fn ragged(&self) -> usize {
        self.lock().ragged
    }

    /// What the file looked like when read: known once indexing read all of it.
    pub(crate) fn stamp(&self) -> Option<DiskStamp> {
        Some(DiskStamp {
            len: self.len,
            modified: self.modified,
            crc: self.lock().crc?,
        })
    }

    /// Most fields in one record, the header included (so far, while indexing).
    pub(crate) fn widest(&self) -> usize {
        self.lock().widest.max(self.header.len())
    }

    /// 1-based line of the first record that looks like an unbalanced quote swallowed rows.
    pub(crate) fn suspect_quote_line(&self) -> Option<u64> {
        let offset = self.lock().suspect_quote?;
        line_of(&self.file, offset, self.dialect.line_ending.term()).ok()
    }

    /// Blocks until the indexer has finished; returns its error, if any.
    /// Waits until some rows are indexed (or the index is done), at most `limit`.
    fn wait_for_first_rows(&self, limit: std::time::Duration) {
        let deadline = std::time::Instant::now() + limit;
        let mut s = self.lock();
        while !s.done && s.starts.len() < 2 {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return;
            }
            s = self
                .indexed
                .wait_timeout(s, left)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    pub(crate) fn wait_indexed(&self) -> Option<LoadError> {
        let mut s = self.lock();
        while !s.done {
            s = self.indexed.wait(s).unwrap_or_else(|p| p.into_inner());
        }
        s.error.clone()
    }

    /// Byte range of record `row` (content, terminator and any blank lines after it).
    pub(crate) fn record_range(&self, row: usize) -> Option<(u64, u64)> {
        self.with_starts(|starts, done| range_in(starts, done, row, self.len))
    }

    /// Bytes before the first record: BOM, header, its terminator and blank lines.
    pub(crate) fn header_part_end(&self) -> u64 {
        self.with_starts(|starts, _| starts.first().copied().unwrap_or(self.len))
    }

    /// The decoded fields of record `row`, from the cache or one positioned read.
    pub(crate) fn row(&self, row: usize) -> Option<Arc<Vec<String>>> {
        let forward = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(r) = cache.get(row) {
                return Some(r);
            }
            let last = cache.last_miss.replace(row);
            last.is_some_and(|l| l < row && row - l <= 2 * PREFETCH_ROWS)
        };
        // Going forward (a screenful, scrolling down), read the rows after this one too;
        // random access (a sorted view) reads just the one.
        let want = if forward { PREFETCH_ROWS } else { 1 };
        let ranges: Vec<(u64, u64)> = self.with_starts(|starts, done| {
            let mut out: Vec<(u64, u64)> = Vec::new();
            let mut r = row;
            while let Some((a, b)) = range_in(starts, done, r, self.len) {
                if let Some(&(first, _)) = out.first()
                    && (out.len() >= want || b - first > PREFETCH_BYTES)
                {
                    break;
                }
                out.push((a, b));
                r += 1;
            }
            out
        });
        let (start, end) = (ranges.first()?.0, ranges.last()?.1);
        let mut buf = vec![0; usize::try_from(end - start).ok()?];
        self.file.read_exact_at(&mut buf, start).ok()?;
        let mut fields = Fields::default();
        let term = self.dialect.line_ending.term();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let mut wanted = None;
        for (k, &(a, b)) in ranges.iter().enumerate() {
            let raw = &buf[(a - start) as usize..(b - start) as usize];
            parse_record(raw, self.dialect.delimiter, term, &mut fields);
            let decoded = Arc::new(self.decode(&fields));
            if k == 0 {
                wanted = Some(decoded.clone());
            }
            cache.insert(row + k, decoded);
        }
        wanted
    }

    pub(crate) fn decode(&self, fields: &Fields) -> Vec<String> {
        let whole = fields.utf8();
        (0..fields.len())
            .map(|i| {
                let mut s = String::new();
                fields.decode_field(i, whole, self.encoding, &mut s);
                s
            })
            .collect()
    }

    /// A sequential reader over this file, for scans and saves.
    pub(crate) fn reader(&self) -> BlockReader<'_> {
        BlockReader {
            file: &self.file,
            len: self.len,
            buf: Vec::new(),
            buf_start: 0,
        }
    }

    /// Scans the data after the header, recording where each non-blank record starts.
    fn build_index(&self) {
        let result = self.scan();
        let mut s = self.lock();
        if let Err(err) = result {
            s.error = Some(err);
        }
        // Set before `done`, under the lock: `with_starts` relies on that order.
        let _ = self.frozen.set(std::mem::take(&mut s.starts));
        s.done = true;
        drop(s);
        self.indexed.notify_all();
    }

    fn scan(&self) -> Result<(), LoadError> {
        let delim = self.dialect.delimiter;
        let term = self.dialect.line_ending.term();
        let tb = term.byte();
        let header_fields = self.header.len();
        let mut buf = vec![0u8; INDEX_CHUNK];
        let mut utf8 = Utf8Check::default();
        let mut batch: Vec<u64> = Vec::with_capacity(1 << 14);
        let mut ragged = 0usize;
        let mut pos = self.header_end;
        let mut line_start = pos;
        let mut in_quote = false;
        let mut quote_open = 0u64;
        let mut last_close = u64::MAX;
        let mut delims = 0usize;
        let mut widest = 0usize;
        let mut suspect: Option<u64> = None;
        // Delimiters since the last line break inside the open quoted field, and whether
        // a line of a quoted field in this record looked like a whole row.
        let mut quoted_delims = 0usize;
        let mut quoted_rowlike = false;
        let mut prev = 0u8;
        let mut crc = crc32fast::Hasher::new();
        let mut head = vec![0u8; usize::try_from(pos).unwrap_or(0)];
        self.file
            .read_exact_at(&mut head, 0)
            .map_err(|e| LoadError::from_io(&self.path, &e))?;
        crc.update(&head);
        while pos < self.len {
            let want =
                usize::try_from((self.len - pos).min(INDEX_CHUNK as u64)).unwrap_or(INDEX_CHUNK);
            let chunk = &mut buf[..want];
            self.file
                .read_exact_at(chunk, pos)
                .map_err(|e| LoadError::from_io(&self.path, &e))?;
            crc.update(chunk);
            if self.encoding == Encoding::Utf8
                && let Err(offset) = utf8.feed(chunk, pos)
            {
                return Err(self.invalid_utf8(offset, term));
            }
            let mut i = 0;
            loop {
                let hit = if in_quote {
                    memchr(b'"', &chunk[i..])
                } else {
                    memchr2(b'"', tb, &chunk[i..])
                };
                let seg_end = hit.map_or(chunk.len(), |h| i + h);
                if in_quote {
                    // A line inside a quoted field that holds a whole row's delimiters is
                    // most likely a row the quote swallowed.
                    let seg = &chunk[i..seg_end];
                    if header_fields >= 3 && memchr2(delim, tb, seg).is_some() {
                        for &b in seg {
                            if b == delim {
                                quoted_delims += 1;
                            } else if b == tb {
                                quoted_rowlike |= quoted_delims + 1 >= header_fields;
                                quoted_delims = 0;
                            }
                        }
                    }
                } else {
                    delims += count_byte(&chunk[i..seg_end], delim);
                }
                let Some(h) = hit else { break };
                let p = i + h;
                let abs = pos + p as u64;
                let before = if p > 0 { chunk[p - 1] } else { prev };
                if chunk[p] == b'"' {
                    if in_quote {
                        in_quote = false;
                        last_close = abs;
                        quoted_rowlike |= header_fields >= 3 && quoted_delims + 1 >= header_fields;
                        quoted_delims = 0;
                    } else if abs == line_start
                        || before == delim
                        || last_close.checked_add(1) == Some(abs)
                    {
                        in_quote = true;
                        quote_open = abs;
                    }
                } else {
                    let cr = term == Term::Newline && abs > line_start && before == b'\r';
                    let content_end = if cr { abs - 1 } else { abs };
                    if content_end > line_start {
                        batch.push(line_start);
                        widest = widest.max(delims + 1);
                        if delims + 1 != header_fields {
                            ragged += 1;
                        }
                        if quoted_rowlike && suspect.is_none() {
                            suspect = Some(line_start);
                        }
                    }
                    delims = 0;
                    quoted_rowlike = false;
                    line_start = abs + 1;
                }
                i = p + 1;
            }
            prev = chunk[chunk.len() - 1];
            pos += chunk.len() as u64;
            let mut s = self.lock();
            s.starts.append(&mut batch);
            s.ragged = ragged;
            s.widest = widest;
            s.suspect_quote = suspect;
            s.bytes_read = pos;
            drop(s);
            // Wakes `wait_for_first_rows` (and is cheap: one call per chunk).
            self.indexed.notify_all();
        }
        if self.encoding == Encoding::Utf8
            && let Err(offset) = utf8.finish()
        {
            return Err(self.invalid_utf8(offset, term));
        }
        self.lock().crc = Some(crc.finalize());
        let cr = term == Term::Newline && self.len > line_start && prev == b'\r';
        let content_end = if cr { self.len - 1 } else { self.len };
        if content_end > line_start {
            let mut s = self.lock();
            s.starts.push(line_start);
            s.widest = s.widest.max(delims + 1);
            if delims + 1 != header_fields {
                s.ragged += 1;
            }
            if quoted_rowlike && s.suspect_quote.is_none() {
                s.suspect_quote = Some(line_start);
            }
        }
        if in_quote {
            let line = line_of(&self.file, quote_open, term)
                .map_err(|e| LoadError::from_io(&self.path, &e))?;
            return Err(LoadError::UnterminatedQuote {
                path: self.path.clone(),
                line,
            });
        }
        Ok(())
    }

    fn invalid_utf8(&self, offset: u64, term: Term) -> LoadError {
        match line_of(&self.file, offset, term) {
            Ok(line) => LoadError::InvalidUtf8 {
                path: self.path.clone(),
                line,
                offset,
            },
            Err(e) => LoadError::from_io(&self.path, &e),
        }
    }
}

fn visible_rows(starts: &[u64], done: bool) -> usize {
    // Until indexing ends, the last known record may still grow (blank lines attach to it).
    if done {
        starts.len()
    } else {
        starts.len().saturating_sub(1)
    }
}

fn range_in(starts: &[u64], done: bool, row: usize, len: u64) -> Option<(u64, u64)> {
    if row >= visible_rows(starts, done) {
        return None;
    }
    let start = *starts.get(row)?;
    let end = starts.get(row + 1).copied().unwrap_or(len);
    Some((start, end))
}

/// Occurrences of `needle`; counts in byte lanes of 255 so that the loop vectorizes.
fn count_byte(hay: &[u8], needle: u8) -> usize {
    hay.chunks(255)
        .map(|c| usize::from(c.iter().fold(0u8, |n, &b| n + u8::from(b == needle))))
        .sum()
}

/// Reads the start of the file until it holds the whole header record (or the file ends).
fn read_header_sample(file: &File, len: u64, forced: Option<u8>) -> io::Result<(Vec<u8>, bool)> {
    let mut want = HEADER_CHUNK;
    loop {
        let n = usize::try_from(len.min(want as u64)).unwrap_or(want);
        let mut buf = vec![0; n];
        file.read_exact_at(&mut buf, 0)?;
        let complete = n as u64 == len;
        if complete {
            return Ok((buf, true));
        }
        let body = buf.strip_prefix(UTF8_BOM).unwrap_or(&buf);
        let term = dialect::detect_line_ending(body).term();
        let mut fields = Fields::default();
        // Where a quote opens a field depends on the delimiter, so the header must be whole
        // for every delimiter detection may choose.
        let forced = forced.map(|d| [d]);
        let delims: &[u8] = forced.as_ref().map_or(&dialect::CANDIDATES, |d| &d[..]);
        let whole = delims
            .iter()
            .all(|&d| parse_record(body, d, term, &mut fields).1 < body.len());
        if whole {
            return Ok((buf, false));
        }
        want = want.saturating_mul(2);
    }
}

/// 1-based line number of byte `offset` (lines end with the dialect's terminator byte).
fn line_of(file: &File, offset: u64, term: Term) -> io::Result<u64> {
    let mut buf = vec![0u8; 1 << 20];
    let mut pos = 0u64;
    let mut lines = 1u64;
    while pos < offset {
        let n = usize::try_from((offset - pos).min(buf.len() as u64)).unwrap_or(buf.len());
        file.read_exact_at(&mut buf[..n], pos)?;
        lines += memchr::memchr_iter(term.byte(), &buf[..n]).count() as u64;
        pos += n as u64;
    }
    Ok(lines)
}

/// UTF-8 validation of consecutive chunks, carrying a sequence split at a chunk boundary.
#[derive(Default)]
struct Utf8Check {
    carry: Vec<u8>,
    carry_at: u64,
}

impl Utf8Check {
    /// Checks `chunk` (starting at file offset `at`); `Err` is the offset of the first bad byte.
    fn feed(&mut self, chunk: &[u8], at: u64) -> Result<(), u64> {
        let mut start = 0;
        if !self.carry.is_empty() {
            let need = match self.carry[0] {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => return Err(self.carry_at),
            };
            let take = (need - self.carry.len()).min(chunk.len());
            self.carry.extend_from_slice(&chunk[..take]);
            start = take;
            if self.carry.len() < need {
                return Ok(());
            }
            if std::str::from_utf8(&self.carry).is_err() {
                return Err(self.carry_at);
            }
            self.carry.clear();
        }
        match std::str::from_utf8(&chunk[start..]) {
            Ok(_) => Ok(()),
            Err(e) => {
                let bad = start + e.valid_up_to();
                if e.error_len().is_some() {
                    Err(at + bad as u64)
                } else {
                    self.carry = chunk[bad..].to_vec();
                    self.carry_at = at + bad as u64;
                    Ok(())
                }
            }
        }
    }

    /// Fails when the file ended inside a sequence.
    fn finish(&self) -> Result<(), u64> {
        if self.carry.is_empty() {
            Ok(())
        } else {
            Err(self.carry_at)
        }
    }
}

/// Buffered positioned reads of byte ranges, mostly ascending.
pub(crate) struct BlockReader<'a> {
    file: &'a File,
    len: u64,
    buf: Vec<u8>,
    buf_start: u64,
}

/// Bytes read at once by a `BlockReader` going through the file in order.
const BLOCK: u64 = 4 << 20;

/// Bytes read at once by a `BlockReader` jumping about (rows in a sorted view's order): a
/// few rows' worth, not a block that would mostly be thrown away.
const JUMP_BLOCK: u64 = 16 << 10;

impl BlockReader<'_> {
    /// The bytes `start..end` of the file.
    pub(crate) fn get(&mut self, start: u64, end: u64) -> io::Result<&[u8]> {
        let have_end = self.buf_start + self.buf.len() as u64;
        if start < self.buf_start || end > have_end {
            let in_order = start >= self.buf_start && start <= have_end;
            let n = (end - start)
                .max(if in_order { BLOCK } else { JUMP_BLOCK })
                .min(self.len.saturating_sub(start))
                .max(end - start);
            let n = usize::try_from(n).map_err(|e| io::Error::other(e.to_string()))?;
            self.buf.resize(n, 0);
            self.file.read_exact_at(&mut self.buf, start)?;
            self.buf_start = start;
        }
        let a = (start - self.buf_start) as usize;
        let b = (end - self.buf_start) as usize;
        Ok(&self.buf[a..b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_sequence_split_across_chunks_is_valid() {
        let text = "aé€😀b".as_bytes();
        for cut in 0..=text.len() {
            let mut c = Utf8Check::default();
            c.feed(&text[..cut], 0).unwrap();
            c.feed(&text[cut..], cut as u64).unwrap();
            c.finish().unwrap();
        }
    }

    #[test]
    fn utf8_error_offset_is_absolute() {
        let mut c = Utf8Check::default();
        c.feed(b"abc", 0).unwrap();
        assert_eq!(c.feed(b"de\xFFf", 3), Err(5));
        let mut c = Utf8Check::default();
        c.feed(b"ab\xE2\x82", 0).unwrap();
        assert_eq!(c.feed(b"x", 4), Err(2));
        let mut c = Utf8Check::default();
        c.feed(b"ab\xE2", 0).unwrap();
        assert_eq!(c.finish(), Err(2));
    }
}
