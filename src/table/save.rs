//! Atomic save: stream base and overlay to a temp file beside the target, fsync, rename.
//!
//! Records nobody edited are copied as their original bytes (terminator included), so an
//! unchanged sheet saves byte for byte and about as fast as a file copy.

use super::atomic::AtomicFile;
use super::base::{Base, BlockReader};
use super::dialect::OpenOptions;
use super::error::{LoadError, SaveError};
use super::overlay::{ColKey, ColumnId, RowId};
use super::record::{Fields, decode_into, encode_into, parse_record, write_field, write_values};
use super::snapshot::SheetSnapshot;
use super::stamp::{self, DiskStamp};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a save wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveStats {
    /// Data rows written (header excluded).
    pub rows: usize,
    /// Records written from values rather than copied from the original bytes.
    pub rewritten_rows: usize,
    /// Size of the saved file.
    pub bytes: u64,
}

/// A finished save, ready to hand to `Sheet::mark_saved`.
pub struct SavedFile {
    pub(super) path: PathBuf,
    pub(super) version: u64,
    pub(super) base: Arc<Base>,
    /// Ids of the saved records, so that rows keep their identity on the new base.
    pub(super) ids: Option<Arc<Vec<RowId>>>,
    /// The saved columns, in file order: their ids and the names the file gives them.
    pub(super) columns: Vec<(ColumnId, String)>,
    stats: SaveStats,
    /// The saved file as written (None if it could not be read back).
    pub(super) stamp: Option<DiskStamp>,
}

impl SavedFile {
    /// Where the file was saved.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the save wrote.
    pub fn stats(&self) -> &SaveStats {
        &self.stats
    }
}

/// A failure while streaming, before it is tied to a path.
enum WriteError {
    Write(io::Error),
    Read(io::Error),
    Unencodable { row: usize, col: usize, ch: char },
}

impl SheetSnapshot {
    /// Like [`SheetSnapshot::save_to`], but refuses with [`SaveError::ChangedOnDisk`] when
    /// `target` is the sheet's own file and someone else changed it since it was read or
    /// last saved (the user then chooses: overwrite with `save_to`, save as, or cancel).
    pub fn save_checked(&self, target: &Path) -> Result<SavedFile, SaveError> {
        if let Some((own, stamp)) = &self.disk
            && own == target
        {
            let same = stamp::unchanged(target, stamp).map_err(|source| SaveError::Io {
                path: target.to_path_buf(),
                source,
            })?;
            if !same {
                return Err(SaveError::ChangedOnDisk {
                    path: target.to_path_buf(),
                });
            }
        }
        self.save_to(target)
    }

    /// Writes the snapshot to `target` atomically; the target is untouched on failure.
    /// Afterwards the saved file is opened and fully indexed, ready to become the sheet's base.
    pub fn save_to(&self, target: &Path) -> Result<SavedFile, SaveError> {
        if let Some(err) = self.base.wait_indexed() {
            return Err(SaveError::Load(err));
        }
        let io_err = |source| SaveError::Io {
            path: target.to_path_buf(),
            source,
        };
        // Through a symlink, the file it points to is replaced (see `atomic`).
        let mut atomic = AtomicFile::create(target).map_err(io_err)?;
        let (shown, resolved) = (target, atomic.target().to_path_buf());
        let target = resolved.as_path();
        let file = atomic.take_file().map_err(io_err)?;
        let stats = match self.write_into(file) {
            Ok(stats) => stats,
            // Dropping `atomic` removes the useless temp file; the real error is this one.
            Err(err) => {
                return Err(match err {
                    WriteError::Write(source) => SaveError::Io {
                        path: target.to_path_buf(),
                        source,
                    },
                    WriteError::Read(e) => {
                        SaveError::Load(LoadError::from_io(self.base.path(), &e))
                    }
                    WriteError::Unencodable { row, col, ch } => {
                        SaveError::Unencodable { row, col, ch }
                    }
                });
            }
        };
        atomic.commit().map_err(io_err)?;
        let ov = &self.overlay;
        let identical = stats.stats.rewritten_rows == 0
            && stats.stats.bytes == self.base.len
            && ov.order.is_none()
            && ov.header_kept(&self.base)
            && ov.columns.len() == self.base.header.len();
        let base = if identical {
            // Same bytes by construction: the old index describes the new file too.
            self.base.reopened(target)?
        } else {
            let opts = OpenOptions {
                delimiter: Some(self.base.dialect.delimiter),
                encoding: self.base.encoding,
            };
            let base = Base::open(target, &opts)?;
            if let Some(err) = base.wait_indexed() {
                return Err(SaveError::Load(err));
            }
            base
        };
        // Every saved row is one record of the new file; if not (rows without any column
        // are blank lines), ids fall back to record positions rather than point at wrong rows.
        let ids = self
            .overlay
            .saved_ids()
            .filter(|ids| ids.len() == base.row_count());
        let stamp = stamp::stamp_of(target, stats.crc).ok();
        let columns = ov.columns.iter().map(|c| (c.id, c.name.clone())).collect();
        Ok(SavedFile {
            path: shown.to_path_buf(),
            version: self.version,
            base,
            ids,
            columns,
            stats: stats.stats,
            stamp,
        })
    }

    fn write_into(&self, file: File) -> Result<Written, WriteError> {
        let mut out = Out {
            w: BufWriter::with_capacity(1 << 20, file),
            bytes: 0,
            open_line: false,
            eol: self.base.dialect.line_ending.as_bytes(),
            crc: crc32fast::Hasher::new(),
        };
        let mut stats = self.write_records(&mut out)?;
        let file = out
            .w
            .into_inner()
            .map_err(|e| WriteError::Write(e.into_error()))?;
        file.sync_all().map_err(WriteError::Write)?;
        stats.bytes = out.bytes;
        Ok(Written {
            stats,
            crc: out.crc.finalize(),
        })
    }

    fn write_records(&self, out: &mut Out) -> Result<SaveStats, WriteError> {
        let base = &*self.base;
        let ov = &self.overlay;
        let d = base.dialect;
        let enc = base.encoding;
        let h = base.header.len();
        let appends = ov.appends_only(base);
        let added: Vec<ColKey> = if appends {
            ov.columns[h..].iter().map(|c| c.key).collect()
        } else {
            Vec::new()
        };
        let mut reader = base.reader();
        let header_part_end = base.header_part_end();
        let mut buf = Vec::new();
        let mut scratch = Vec::new();

        // Header.
        if (ov.columns.is_empty() && h == 0) || (ov.header_kept(base) && added.is_empty()) {
            out.copy(&mut reader, 0, header_part_end, false)?;
        } else if h > 0 && ov.header_kept(base) {
            out.copy(&mut reader, 0, base.header_content_end, false)?;
            for (i, c) in ov.columns[h..].iter().enumerate() {
                buf.push(d.delimiter);
                scratch.clear();
                encode_into(&c.name, enc, &mut scratch).map_err(|ch| WriteError::Unencodable {
                    row: 0,
                    col: h + i + 1,
                    ch,
                })?;
                write_field(&scratch, &d, false, &mut buf);
            }
            out.write(&buf)?;
            out.copy(&mut reader, base.header_content_end, header_part_end, false)?;
        } else {
            if d.bom {
                buf.extend_from_slice(b"\xEF\xBB\xBF");
            }
            let names: Vec<&str> = ov.columns.iter().map(|c| c.name.as_str()).collect();
            write_values(&names, &d, enc, &mut buf).map_err(|(col, ch)| {
                WriteError::Unencodable {
                    row: 0,
                    col: col + 1,
                    ch,
                }
            })?;
            out.write(&buf)?;
            if h == 0 && base.header_content_end == header_part_end {
                out.write(d.line_ending.as_bytes())?;
            } else {
                out.copy(&mut reader, base.header_content_end, header_part_end, false)?;
            }
        }

        // Records: unedited ones are gathered into contiguous ranges and copied.
        let mut fields = Fields::default();
        let term = d.line_ending.term();
        let rows = ov.row_count(base);
        let mut rewritten = 0;
        let mut pending: Option<(u64, u64)> = None;
        let mut values: Vec<String> = Vec::new();
        for row in 0..rows {
            let Some(id) = ov.id_at(row, base) else { break };
            let range = ov.record_of(id).and_then(|r| base.record_range(r));
            let edited = ov.mark(id).is_some_and(|m| m.base_edits > 0);
            if let Some((a, b)) = range
                && appends
                && !edited
                && added.is_empty()
            {
                match &mut pending {
                    Some((_, end)) if *end == a => *end = b,
                    _ => {
                        if let Some((pa, pb)) = pending.take() {
                            out.copy(&mut reader, pa, pb, true)?;
                        }
                        pending = Some((a, b));
                    }
                }
                continue;
            }
            if let Some((pa, pb)) = pending.take() {
                out.copy(&mut reader, pa, pb, true)?;
            }
            buf.clear();
            let unencodable = |col: usize, ch: char| WriteError::Unencodable {
                row: row + 1,
                col: col + 1,
                ch,
            };
            let tail: &[u8] = match range {
                Some((a, b)) => {
                    let raw = reader.get(a, b).map_err(WriteError::Read)?;
                    let (content_end, _) = parse_record(raw, d.delimiter, term, &mut fields);
                    if appends && !edited {
                        // Original bytes, padded to the header's width, then the added columns.
                        buf.extend_from_slice(&raw[..content_end]);
                        for _ in fields.len()..h {
                            buf.push(d.delimiter);
                        }
                        for (i, &key) in added.iter().enumerate() {
                            buf.push(d.delimiter);
                            let v = ov.cell(id, key).map_or("", String::as_str);
                            scratch.clear();
                            encode_into(v, enc, &mut scratch)
                                .map_err(|ch| unencodable(h + i, ch))?;
                            write_field(&scratch, &d, false, &mut buf);
                        }
                    } else {
                        rewritten += 1;
                        values.clear();
                        for def in ov.columns.iter() {
                            let v = match (ov.cell(id, def.key), def.key) {
                                (Some(v), _) => v.clone(),
                                (None, ColKey::Base(k)) => {
                                    let mut s = String::new();
                                    decode_into(fields.get(k), enc, &mut s);
                                    s
                                }
                                (None, ColKey::New(_)) => String::new(),
                            };
                            values.push(v);
                        }
                        write_values(&values, &d, enc, &mut buf)
                            .map_err(|(col, ch)| unencodable(col, ch))?;
                        // Fields beyond the header (ragged records) are kept, after the columns.
                        for k in h..fields.len() {
                            buf.push(d.delimiter);
                            write_field(fields.get(k), &d, false, &mut buf);
                        }
                    }
                    &raw[content_end..]
                }
                None => {
                    rewritten += 1;
                    values.clear();
                    values.extend(
                        ov.columns
                            .iter()
                            .map(|def| ov.cell(id, def.key).cloned().unwrap_or_default()),
                    );
                    write_values(&values, &d, enc, &mut buf)
                        .map_err(|(col, ch)| unencodable(col, ch))?;
                    d.line_ending.as_bytes()
                }
            };
            buf.extend_from_slice(tail);
            out.write_record(&buf)?;
        }
        if let Some((pa, pb)) = pending.take() {
            out.copy(&mut reader, pa, pb, true)?;
        }
        Ok(SaveStats {
            rows,
            rewritten_rows: rewritten,
            bytes: 0,
        })
    }
}

/// What a save wrote, and the checksum of its bytes.
struct Written {
    stats: SaveStats,
    crc: u32,
}

/// The temp file being written, and whether its last line is still unterminated.
struct Out {
    w: BufWriter<File>,
    bytes: u64,
    /// Checksum of everything written, so the saved file's stamp needs no second read.
    crc: crc32fast::Hasher,
    /// Something was written and it did not end with a record terminator.
    open_line: bool,
    eol: &'static [u8],
}

impl Out {
    fn write(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        if let Some(&last) = bytes.last() {
            self.w.write_all(bytes).map_err(WriteError::Write)?;
            self.crc.update(bytes);
            self.bytes += bytes.len() as u64;
            self.open_line = last != b'\n' && last != b'\r';
        }
        Ok(())
    }

    /// Writes one record, first ending the previous line if it was left open
    /// (the original file's last record may have had no terminator).
    fn write_record(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        if self.open_line {
            self.write(self.eol)?;
        }
        self.write(bytes)
    }

    /// Copies original bytes `a..b`; `records` says they start a record (not a header piece).
    fn copy(
        &mut self,
        reader: &mut BlockReader<'_>,
        a: u64,
        b: u64,
        records: bool,
    ) -> Result<(), WriteError> {
        const STEP: u64 = 4 << 20;
        let mut pos = a;
        while pos < b {
            let end = (pos + STEP).min(b);
            let bytes = reader.get(pos, end).map_err(WriteError::Read)?;
            if records && pos == a {
                self.write_record(bytes)?;
            } else {
                self.write(bytes)?;
            }
            pos = end;
        }
        Ok(())
    }
}
